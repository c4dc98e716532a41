#pragma once
#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QTransform>

#include <algorithm>

#include <vector>

#include "FigureStyle.h"

class QPainter;

namespace attnscope::ui {
class Figure;
}

namespace attnscope::ui::figure {

// Small drawing helpers shared by the figures. Figures lay out in logical pixels; fonts are
// sized in pixels (not points) so a figure measures the same on a screen, a QImage, an SVG
// generator and a PDF writer, and scales with the painter's transform.

// The label size in pixels that style.fontPointSize asks for (points at 96 dpi).
double basePixels(const FigureStyle& style);

// The application's sans-serif font at `pixels`, unhinted so widths scale linearly.
QFont font(double pixels, bool bold = false);

// The widest of `texts` in `metrics`.
double widestText(const QStringList& texts, const QFontMetricsF& metrics);

// Round tick values covering [lo, hi] with at most about `maxCount` ticks: steps of 1, 2 or 5
// times a power of ten. *decimals receives the digits needed after the point.
std::vector<double> niceTicks(double lo, double hi, int maxCount, int* decimals);

// Black or white, whichever reads better on `fill`.
QColor textColorOn(const QColor& fill);

// `color` with its alpha replaced.
QColor withAlpha(QColor color, double alpha);

// A difference's line colour: the diverging map's red where A gives more weight (value > 0),
// its blue where B does.
QColor signedInk(float value);

// A colour between a and b (f = 0: a, f = 1: b).
QColor mix(const QColor& a, const QColor& b, double f);

// Fills `area` with the style's background.
void fillBackground(QPainter& painter, const QRectF& area, const FigureStyle& style);

// Centred, elided single-line text in `box`.
void drawCenteredText(QPainter& painter, const QRectF& box, const QString& text, const QFont& font);

// A message in the middle of an empty figure.
void drawPlaceholder(QPainter& painter, const QRectF& area, const FigureStyle& style, const QString& text);

// The spacing and type of a figure with a title and two titled axes (the matrix and the lens,
// so the two look alike side by side), from the style's label size. Figures keep their own
// pads, cell limits and colour bar on top of it.
struct AxisFrame {
    double base = 12.0;  // the label size in pixels
    double margin = 10.0;
    double labelGap = 5.0;
    double titleGap = 4.0;
    double titleHeight = 0.0;      // the title's line and the space under it; 0 without a title
    double axisTitleHeight = 0.0;  // an axis title's line and its gap
    double minPixels = 6.0;        // the smallest and largest label sizes a layout may choose
    double maxPixels = 13.0;
    QFont titleFont, axisFont;
};
AxisFrame axisFrame(const FigureStyle& style, bool hasTitle);

// How every figure's paint() begins and ends: the painter saved and clipped to `area`, the
// area filled with the style's background and, for an empty figure, its placeholder instead
// of a drawing; the painter is restored when the scope ends.
class PaintScope {
public:
    PaintScope(QPainter& painter, const QRectF& area, const FigureStyle& style, bool empty, const QString& placeholder);
    ~PaintScope();
    PaintScope(const PaintScope&) = delete;
    PaintScope& operator=(const PaintScope&) = delete;

    bool empty() const { return empty_; }
    // Draws in the layout's coordinates (its toArea transform) with antialiased text, and lines
    // too unless `antialiasLines` is false.
    void enterLayout(const QTransform& toArea, bool antialiasLines = true);

private:
    QPainter& painter_;
    bool empty_;
};

// Figures lay out for the area they are given; when even their smallest layout needs more
// room (`needed`), they draw at `needed` and shrink it uniformly into `area`. Returns the
// rectangle to lay out in and sets up the painter (call inside save/restore).
QRectF fitInto(QPainter& painter, const QRectF& area, const QSizeF& needed);

// The same for figures that keep a Layout with a `toArea` transform: `layoutIn(area, &fits,
// &needed)` lays out in a rectangle; when even its smallest layout does not fit, this lays
// out at the needed size (keeping the area's shape) and shrinks the whole drawing into the
// area, so nothing is ever cropped.
template <typename LayoutIn>
auto layoutShrunkToFit(const QRectF& area, LayoutIn&& layoutIn) {
    bool fits = true;
    QSizeF needed;
    auto l = layoutIn(area, &fits, &needed);
    if (fits) return l;
    const double s = std::min({1.0, area.width() / needed.width(), area.height() / needed.height()});
    if (!(s > 0.0)) return l;
    l = layoutIn(QRectF(0.0, 0.0, area.width() / s, area.height() / s), &fits, &needed);
    l.toArea = QTransform(s, 0, 0, s, area.left(), area.top());
    return l;
}

// The selection's outline around `box`: two rings, the background's under the foreground's,
// so it shows on the darkest and the lightest colours of any map. Leaves the brush empty.
void drawSelectionOutline(QPainter& painter, const QRectF& box, const FigureStyle& style);

// A view's paintEvent: `figure` painted into `area`, antialiased; without one, `placeholder`
// centred there in `color` at the style's label size.
void paintFigureOrPlaceholder(QPainter& painter, const Figure* figure, const QRectF& area, const FigureStyle& style,
                              const QString& placeholder, const QColor& color);

// An axis title in `font`, centred on `centre` along the axis but kept within [lo, hi]
// (a small grid's title may run past its ends): a horizontal one with its top at `across`, a
// vertical one (reading upwards) centred on x = `across`. The painter's pen is used.
void drawAxisTitle(QPainter& painter, const QString& text, const QFont& font, Qt::Orientation orientation, double centre,
                   double across, double lo, double hi);

}  // namespace attnscope::ui::figure
