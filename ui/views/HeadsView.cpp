#include "HeadsView.h"

#include <QMouseEvent>

#include "AttentionSelection.h"

namespace attnscope::ui {

HeadsView::HeadsView(AttentionSelection* selection, QWidget* parent) : FigureView(ViewKind::Heads, selection, parent) {}

const HeadsFigure* HeadsView::headsFigure() {
    figure();
    return figure_ ? &*figure_ : nullptr;
}

int HeadsView::shownRow() const { return figure_ ? figure_->data().selectedToken : -1; }

HeadsFigure::Hit HeadsView::tokenAt(const QPointF& pos) const { return figure_ ? figure_->hitTest(figureRect(), toFigure(pos)) : HeadsFigure::Hit{}; }

void HeadsView::buildFigure(const FigureSource& source, const ViewRequest& request) {
    data_ = buildHeadsData(source, request);
    figure_.emplace(*data_, selection()->style());
    previewRow_ = -1;
}

void HeadsView::clearFigure() {
    data_.reset();
    figure_.reset();
    previewRow_ = -1;
}

const Figure* HeadsView::currentFigure() const { return figure_ ? &*figure_ : nullptr; }

int HeadsView::tokenOfRow(int row) const {
    if (!data_ || data_->heads.empty()) return row;
    const auto& tokens = data_->heads.front().rowTokens;
    return row >= 0 && row < static_cast<int>(tokens.size()) ? tokens[static_cast<std::size_t>(row)] : -1;
}

void HeadsView::preview(int row) {
    if (!data_ || row == previewRow_) return;
    previewRow_ = row;
    HeadsFigureData shown = *data_;
    if (row >= 0) shown.selectedToken = row;
    figure_.emplace(std::move(shown), selection()->style());
    figureReplaced();
}

HoverSpot HeadsView::spotAt(const QPointF& pos) const {
    const HeadsFigure::Hit hit = tokenAt(pos);
    return hit.side == HeadsFigure::Side::Left ? HoverSpot{hit.token, -1, {}, {}} : HoverSpot{};
}

void HeadsView::hoverChanged(const HoverSpot& spot) {
    preview(spot.first);
    setCursor(spot.isValid() ? Qt::PointingHandCursor : Qt::ArrowCursor);
}

void HeadsView::mouseReleaseEvent(QMouseEvent* event) {
    const HeadsFigure::Hit hit = tokenAt(event->position());
    if (event->button() == Qt::LeftButton && hit.side == HeadsFigure::Side::Left) {
        const int token = tokenOfRow(hit.token);
        if (token >= 0) selection()->setSelectedQuery(token);
        return;
    }
    FigureView::mouseReleaseEvent(event);
}

}  // namespace attnscope::ui
