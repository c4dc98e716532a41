#include "ModelView.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include "AttentionSelection.h"

namespace attnscope::ui {

ModelView::ModelView(AttentionSelection* selection, QWidget* parent) : FigureView(ViewKind::Grid, selection, parent) {
    setMouseTracking(true);
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
    if (figure_ && builtAnalysis_ == analysis() && builtFrom_ == source.attentions && builtStyle_ == style &&
        builtRequest_ && sameGridMaps(*builtRequest_, request)) {
        const GridFigureData header = buildGridHeader(source, request);
        figure_ = figure_->refocused(header.focusedLayer, header.focusedHead, header.title);
    } else {
        figure_.emplace(buildGridData(source, request), style);
        builtAnalysis_ = analysis();
        builtFrom_ = source.attentions;
        builtStyle_ = style;
    }
    builtRequest_ = request;
    hovered_ = {};
}

void ModelView::clearFigure() {
    figure_.reset();
    builtAnalysis_.reset();
    builtFrom_ = nullptr;
    builtRequest_.reset();
    builtStyle_.reset();
    hovered_ = {};
}

const Figure* ModelView::currentFigure() const { return figure_ ? &*figure_ : nullptr; }

void ModelView::paintOverlay(QPainter& painter) const {
    if (!hovered_.isValid()) return;
    const QRectF box = thumbnailRect(hovered_.layer, hovered_.head).adjusted(-2, -2, 2, 2);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(palette().color(QPalette::Highlight), 2.0, Qt::DashLine));
    painter.drawRect(box);
}

void ModelView::setHovered(GridFigure::Hit hit) {
    if (hit.layer == hovered_.layer && hit.head == hovered_.head) return;
    hovered_ = hit;
    setCursor(hit.isValid() ? Qt::PointingHandCursor : Qt::ArrowCursor);
    update();
}

bool ModelView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const GridFigure::Hit hit = thumbnailAt(help->pos());
        if (hit.isValid()) {
            QToolTip::showText(help->globalPos(), tr("Layer %1, head %2 — click to focus, double-click to open").arg(hit.layer).arg(hit.head),
                               this, thumbnailRect(hit.layer, hit.head).toAlignedRect());
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return FigureView::event(event);
}

void ModelView::mouseMoveEvent(QMouseEvent* event) { setHovered(thumbnailAt(event->position())); }

void ModelView::mouseReleaseEvent(QMouseEvent* event) {
    const GridFigure::Hit hit = thumbnailAt(event->position());
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

void ModelView::leaveEvent(QEvent* event) {
    setHovered({});
    FigureView::leaveEvent(event);
}

}  // namespace attnscope::ui
