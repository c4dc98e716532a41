#pragma once
#include <memory>
#include <vector>

#include "Figure.h"

namespace attnscope::ui {

// Figures drawn next to each other, each given a share of the width in proportion to its
// natural width (before and after a change, for export as one picture).
class SideBySideFigure : public Figure {
public:
    explicit SideBySideFigure(std::vector<std::shared_ptr<const Figure>> parts);

    QSizeF naturalSize() const override;
    void paint(QPainter& painter, const QRectF& area) const override;

private:
    std::vector<std::shared_ptr<const Figure>> parts_;
};

}  // namespace attnscope::ui
