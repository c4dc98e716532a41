#pragma once
#include "Figure.h"
#include "FigureData.h"

namespace attnscope::ui {

// BertViz-style head view: query tokens on the left, key tokens on the right, a line from
// the selected query to each key with opacity and width by weight, one colour per head.
class HeadsFigure : public Figure {
public:
    enum class Side { None, Left, Right };
    struct Hit {
        Side side = Side::None;
        int token = -1;
    };

    HeadsFigure(HeadsFigureData data, FigureStyle style);

    QSizeF naturalSize() const override;
    void paint(QPainter& painter, const QRectF& area) const override;

    Hit hitTest(const QRectF& area, const QPointF& pos) const;
    // The colour used for a head (stable across layers, colour-blind-safe palette).
    static QColor headColor(int head, int headCount);
    const HeadsFigureData& data() const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d_;
};

}  // namespace attnscope::ui
