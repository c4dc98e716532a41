#include "AlignmentView.h"

#include <QMouseEvent>

#include "AttentionSelection.h"

namespace attnscope::ui {

AlignmentView::AlignmentView(AttentionSelection* selection, QWidget* parent) : FigureView(ViewKind::Alignment, selection, parent) {}

const AlignmentFigure* AlignmentView::alignmentFigure() {
    figure();
    return figure_ ? &*figure_ : nullptr;
}

int AlignmentView::targetTokenAt(const QPointF& pos) const {
    if (!figure_) return -1;
    const int row = figure_->targetAt(figureRect(), toFigure(pos));
    const auto& tokens = figure_->data().matrix.rowTokens;
    return row >= 0 && row < static_cast<int>(tokens.size()) ? tokens[static_cast<std::size_t>(row)] : -1;
}

void AlignmentView::buildFigure(const FigureSource& source, const ViewRequest& request) {
    figure_.emplace(buildAlignmentData(source, request), selection()->style());
}

void AlignmentView::clearFigure() { figure_.reset(); }

const Figure* AlignmentView::currentFigure() const { return figure_ ? &*figure_ : nullptr; }

HoverSpot AlignmentView::spotAt(const QPointF& pos) const {
    const int token = targetTokenAt(pos);
    return token >= 0 ? HoverSpot{token, -1, {}, {}} : HoverSpot{};
}

void AlignmentView::hoverChanged(const HoverSpot& spot) { setCursor(spot.isValid() ? Qt::PointingHandCursor : Qt::ArrowCursor); }

void AlignmentView::mouseReleaseEvent(QMouseEvent* event) {
    const int token = targetTokenAt(event->position());
    if (event->button() == Qt::LeftButton && token >= 0) {
        selection()->setSelectedQuery(token);
        return;
    }
    FigureView::mouseReleaseEvent(event);
}

}  // namespace attnscope::ui
