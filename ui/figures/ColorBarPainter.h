#pragma once
#include <QFont>
#include <QString>
#include <QRectF>

#include "ColorMap.h"
#include "ColorScale.h"
#include "FigureStyle.h"

class QPainter;

namespace attnscope::ui {

// A colour bar with ticks and a caption, drawn as vector shapes (thin filled strips) so it
// stays sharp in SVG and PDF. Vertical bars carry ticks on the right and the caption beyond
// them, read upwards; horizontal bars carry ticks below and the caption under them.
class ColorBarPainter {
public:
    // `caption` replaces the scale's own (e.g. "top-1 probability" for a bar that measures no attention).
    ColorBarPainter(const ColorMap& map, const ColorScale& scale, const FigureStyle& style, QString caption = {});

    double thickness() const { return thickness_; }
    // Room the ticks and caption need beside a vertical bar (not counting the bar).
    double besideWidth() const;
    // Room the ticks and caption need under a horizontal bar (not counting the bar).
    double belowHeight() const;
    // Half a tick label: how far labels may stick out past the bar's ends.
    double overhang() const;

    void paintVertical(QPainter& painter, const QRectF& bar) const;
    void paintHorizontal(QPainter& painter, const QRectF& bar) const;

private:
    void paintStrips(QPainter& painter, const QRectF& bar, bool vertical) const;
    int maxTicks(double length, bool vertical) const;

    ColorMap map_;
    ColorScale scale_;
    FigureStyle style_;
    QString caption_;
    QFont tickFont_;
    QFont captionFont_;
    double thickness_ = 14.0;
    double tickLength_ = 4.0;
    double gap_ = 3.0;
};

}  // namespace attnscope::ui
