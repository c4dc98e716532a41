#include "ModelView.h"

#include <QMouseEvent>
#include <QPainter>

#include "Analysis.h"
#include "AttentionSelection.h"

namespace attnscope::ui {

ModelView::ModelView(AttentionSelection* selection, QWidget* parent) : FigureView(ViewKind::Grid, selection, parent) {
}

const GridFigure* ModelView::gridFigure() {
    figure();
    return figure_ ? &*figure_ : nullptr;
}

GridFigure::Hit ModelView::thumbnailAt(const QPointF& pos) const { return figure_ ? figure_->hitTest(figureRect(), toFigure(pos)) : GridFigure::Hit{}; }

QRectF ModelView::thumbnailRect(int layer, int head) const {
    return figure_ ? fromFigure(figure_->thumbnailRect(figureRect(), layer, head)) : QRectF();
}

void ModelView::buildFigure(const FigureSource& source, const ViewRequest& request) {
    // A layer or head switch only moves the outline: keep the maps and their thumbnails.
    const FigureStyle style = selection()->style();
    if (figure_ && builtAnalysis_ == analysis() && builtOther_ == otherInput() && builtFrom_ == source.attentions && builtStyle_ == style &&
        builtRequest_ && sameGridMaps(*builtRequest_, request)) {
        const GridFigureData header = buildGridHeader(source, request);
        figure_ = figure_->refocused(header.focusedLayer, header.focusedHead, header.title);
    } else {
        figure_.emplace(buildGridData(source, request), style);
        builtAnalysis_ = analysis();
        builtOther_ = otherInput();
        builtFrom_ = source.attentions;
        builtStyle_ = style;
    }
    builtRequest_ = request;
}

void ModelView::clearFigure() {
    figure_.reset();
    builtAnalysis_.reset();
    builtOther_.reset();
    builtFrom_ = nullptr;
    builtRequest_.reset();
    builtStyle_.reset();
}

const Figure* ModelView::currentFigure() const { return figure_ ? &*figure_ : nullptr; }

void ModelView::paintOverlay(QPainter& painter) const {
    // The heads this analysis ran without, crossed out in the stack they belong to (not on a
    // pooling probe's, which come after the layers).
    const auto stack = analysis() ? analysis()->ablatedStackOf(selection()->stack()) : std::nullopt;
    if (stack && !analysis()->ablation.of(*stack).empty()) {
        painter.setPen(QPen(QColor(200, 30, 30), 2.0));
        for (const auto& [layer, head] : analysis()->ablation.of(*stack)) {
            const QRectF box = thumbnailRect(layer, head);
            if (box.isEmpty()) continue;
            painter.drawLine(box.topLeft(), box.bottomRight());
            painter.drawLine(box.topRight(), box.bottomLeft());
        }
    }
    if (!hovered().isValid()) return;
    const QRectF box = thumbnailRect(hovered().first, hovered().second).adjusted(-2, -2, 2, 2);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(palette().color(QPalette::Highlight), 2.0, Qt::DashLine));
    painter.drawRect(box);
}

HoverSpot ModelView::spotAt(const QPointF& pos) const {
    const GridFigure::Hit hit = thumbnailAt(pos);
    if (!hit.isValid()) return {};
    return {hit.layer, hit.head, thumbnailRect(hit.layer, hit.head),
            tr("Layer %1, head %2 — click to focus, double-click to open, Ctrl+click to switch it off or on").arg(hit.layer).arg(hit.head)};
}

void ModelView::hoverChanged(const HoverSpot& spot) { setCursor(spot.isValid() ? Qt::PointingHandCursor : Qt::ArrowCursor); }

void ModelView::mouseReleaseEvent(QMouseEvent* event) {
    const GridFigure::Hit hit = thumbnailAt(event->position());
    if (event->button() == Qt::LeftButton && hit.isValid() && (event->modifiers() & Qt::ControlModifier)) {
        emit headAblationToggled(hit.layer, hit.head);
        return;
    }
    if (event->button() == Qt::LeftButton && hit.isValid()) {
        selection()->focusHead(hit.layer, hit.head);
        return;
    }
    FigureView::mouseReleaseEvent(event);
}

void ModelView::mouseDoubleClickEvent(QMouseEvent* event) {
    const GridFigure::Hit hit = thumbnailAt(event->position());
    if (event->button() == Qt::LeftButton && hit.isValid()) {
        selection()->focusHead(hit.layer, hit.head);
        emit headOpened(hit.layer, hit.head);
        return;
    }
    FigureView::mouseDoubleClickEvent(event);
}

}  // namespace attnscope::ui
