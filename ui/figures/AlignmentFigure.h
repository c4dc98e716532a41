#pragma once
#include "Figure.h"
#include "FigureData.h"

namespace attnscope::ui {

// Cross-attention as the classic alignment picture: the source sentence above, the target
// below, a line from every target token to each source token it attends to, its opacity and
// width by the weight. With a target token selected its lines stand out and the others fade.
class AlignmentFigure : public Figure {
public:
    AlignmentFigure(AlignmentFigureData data, FigureStyle style);

    QSizeF naturalSize() const override;
    void paint(QPainter& painter, const QRectF& area) const override;

    // The target token (matrix row) under `pos`, -1 if none.
    int targetAt(const QRectF& area, const QPointF& pos) const;
    const AlignmentFigureData& data() const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d_;
};

}  // namespace attnscope::ui
