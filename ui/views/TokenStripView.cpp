#include "TokenStripView.h"

#include <QMouseEvent>

#include "AttentionSelection.h"

namespace attnscope::ui {

TokenStripView::TokenStripView(AttentionSelection* selection, QWidget* parent) : FigureView(ViewKind::Tokens, selection, parent) {
}

const TokenStripFigure* TokenStripView::stripFigure() {
    figure();
    return figure_ ? &*figure_ : nullptr;
}

int TokenStripView::chipAt(const QPointF& pos) const { return figure_ ? figure_->hitTest(figureRect(), toFigure(pos)) : -1; }

int TokenStripView::tokenOfChip(int chip) const {
    return chip >= 0 && chip < static_cast<int>(chipTokens_.size()) ? chipTokens_[static_cast<std::size_t>(chip)] : -1;
}

QSize TokenStripView::sizeHint() const { return {720, 240}; }

void TokenStripView::buildFigure(const FigureSource& source, const ViewRequest& request) {
    TokenStripFigureData data = buildTokenStripData(source, request);
    // The strip's labels are the key tokens the matrix keeps: all of them, or the
    // non-special ones when special tokens are hidden.
    chipTokens_.clear();
    const bool allTokens = data.labels.size() == source.tokenLabels.size();
    for (int t = 0; t < static_cast<int>(source.tokenLabels.size()); ++t) {
        const bool special = t < static_cast<int>(source.specialTokens.size()) && source.specialTokens[static_cast<std::size_t>(t)];
        if (allTokens || !special) chipTokens_.push_back(t);
    }
    chipsAreQueries_ = source.queryLabels.isEmpty();
    figure_.emplace(std::move(data), selection()->style());
}

void TokenStripView::clearFigure() {
    figure_.reset();
    chipTokens_.clear();
}

const Figure* TokenStripView::currentFigure() const { return figure_ ? &*figure_ : nullptr; }

HoverSpot TokenStripView::spotAt(const QPointF& pos) const {
    const int chip = chipAt(pos);
    if (!figure_) return {};
    const auto& data = figure_->data();
    if (chip < 0 || chip >= data.labels.size() || chip >= static_cast<int>(data.weights.size())) return {};
    const QString weight = QString::number(data.weights[static_cast<std::size_t>(chip)], 'f', 4);
    return {chip, -1, {},
            chipsAreQueries_ ? tr("%1: %2 of the query's attention — click to make it the query").arg(data.labels[chip], weight)
                             : tr("%1: %2 of the query's attention").arg(data.labels[chip], weight)};
}

void TokenStripView::hoverChanged(const HoverSpot& spot) {
    setCursor(chipsAreQueries_ && spot.isValid() ? Qt::PointingHandCursor : Qt::ArrowCursor);
}

void TokenStripView::mouseReleaseEvent(QMouseEvent* event) {
    const int token = tokenOfChip(chipAt(event->position()));
    if (event->button() == Qt::LeftButton && token >= 0 && chipsAreQueries_) {
        selection()->setSelectedQuery(token);
        return;
    }
    FigureView::mouseReleaseEvent(event);
}

void TokenStripView::mouseDoubleClickEvent(QMouseEvent* event) {
    const int token = tokenOfChip(chipAt(event->position()));
    if (event->button() == Qt::LeftButton && token >= 0 && chipsAreQueries_) {
        selection()->setSelectedQuery(token);
        emit tokenActivated(token);
        return;
    }
    FigureView::mouseDoubleClickEvent(event);
}

}  // namespace attnscope::ui
