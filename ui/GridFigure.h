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
    const GridFigureData& data() const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d_;
};

}  // namespace attnscope::ui
