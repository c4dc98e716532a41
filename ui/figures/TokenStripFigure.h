#pragma once
#include "Figure.h"
#include "FigureData.h"

namespace attnscope::ui {

// The text as a wrapped row of token chips, each filled by the attention it receives from
// the selected query (outlined), with a small colour bar.
class TokenStripFigure : public Figure {
public:
    TokenStripFigure(TokenStripFigureData data, FigureStyle style);

    QSizeF naturalSize() const override;
    void paint(QPainter& painter, const QRectF& area) const override;

    // Token index under pos, -1 if none.
    int hitTest(const QRectF& area, const QPointF& pos) const;
    const TokenStripFigureData& data() const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d_;
};

}  // namespace attnscope::ui
