#include "SideBySideFigure.h"

#include <QPainter>

#include <algorithm>

namespace attnscope::ui {

SideBySideFigure::SideBySideFigure(std::vector<std::shared_ptr<const Figure>> parts) : parts_(std::move(parts)) {}

QSizeF SideBySideFigure::naturalSize() const {
    QSizeF size;
    for (const auto& part : parts_) {
        const QSizeF s = part->naturalSize();
        size = QSizeF(size.width() + s.width(), std::max(size.height(), s.height()));
    }
    return size;
}

void SideBySideFigure::paint(QPainter& painter, const QRectF& area) const {
    const double total = naturalSize().width();
    double left = area.left();
    for (const auto& part : parts_) {
        const double share = total > 0 ? part->naturalSize().width() / total : 1.0 / parts_.size();
        const QRectF box(left, area.top(), area.width() * share, area.height());
        part->paint(painter, box);
        left = box.right();
    }
}

}  // namespace attnscope::ui
