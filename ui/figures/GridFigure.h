#pragma once
#include "Figure.h"
#include "FigureData.h"

namespace attnscope::ui {

// The model view: a layers x heads grid of small heatmaps with layer and head numbers.
class GridFigure : public Figure {
public:
    struct Hit {
        int layer = -1;
        int head = -1;
        bool isValid() const { return layer >= 0 && head >= 0; }
    };

    GridFigure(GridFigureData data, FigureStyle style);

    QSizeF naturalSize() const override;
    void paint(QPainter& painter, const QRectF& area) const override;

    Hit hitTest(const QRectF& area, const QPointF& pos) const;
    QRectF thumbnailRect(const QRectF& area, int layer, int head) const;
    // The maps and sizes as built; the focus and title may since have moved (see refocused).
    const GridFigureData& data() const;
    int focusedLayer() const { return focusedLayer_; }
    int focusedHead() const { return focusedHead_; }
    const QString& title() const { return title_; }

    // This figure with another focus and title, sharing its maps, scales and thumbnails: a
    // layer or head switch in the model view costs a repaint, not a rebuild.
    GridFigure refocused(int focusedLayer, int focusedHead, const QString& title) const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d_;
    int focusedLayer_ = -1;
    int focusedHead_ = -1;
    QString title_;
};

}  // namespace attnscope::ui
