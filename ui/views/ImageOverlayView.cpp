#include "ImageOverlayView.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include "AttentionSelection.h"

namespace attnscope::ui {

ImageOverlayView::ImageOverlayView(AttentionSelection* selection, QWidget* parent) : FigureView(ViewKind::Overlay, selection, parent) {
    setMouseTracking(true);
}

const ImageOverlayFigure* ImageOverlayView::overlayFigure() {
    figure();
    return figure_ ? &*figure_ : nullptr;
}

ImageOverlayFigure::Hit ImageOverlayView::hitAt(const QPointF& pos) const {
    return figure_ ? figure_->hitTest(figureRect(), toFigure(pos)) : ImageOverlayFigure::Hit{};
}

QRectF ImageOverlayView::patchRect(int patch) const { return figure_ ? fromFigure(figure_->patchRect(figureRect(), patch)) : QRectF(); }

QString ImageOverlayView::toolTipFor(const ImageOverlayFigure::Hit& hit) const { return figure_ ? figure_->toolTip(hit) : QString(); }

void ImageOverlayView::buildFigure(const FigureSource& source, const ViewRequest& request) {
    figure_.emplace(buildImageOverlayData(source, request), selection()->style());
    hovered_ = {};
}

void ImageOverlayView::clearFigure() {
    figure_.reset();
    hovered_ = {};
}

const Figure* ImageOverlayView::currentFigure() const { return figure_ ? &*figure_ : nullptr; }

void ImageOverlayView::paintOverlay(QPainter& painter) const {
    if (!figure_ || hovered_.patch < 0) return;
    // A dashed ring in the highlight colour, apart from the query's solid one.
    const QRectF cell = patchRect(hovered_.patch).adjusted(1.5, 1.5, -1.5, -1.5);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(Qt::black, 3.0));
    painter.drawRect(cell);
    painter.setPen(QPen(Qt::white, 1.5, Qt::DashLine));
    painter.drawRect(cell);
}

void ImageOverlayView::setHovered(ImageOverlayFigure::Hit hit) {
    if (hit.patch == hovered_.patch && hit.token == hovered_.token) return;
    hovered_ = hit;
    setCursor(hit.isValid() ? Qt::PointingHandCursor : Qt::ArrowCursor);
    update();
}

bool ImageOverlayView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const ImageOverlayFigure::Hit hit = hitAt(help->pos());
        if (hit.isValid()) {
            const QRect rect = hit.patch >= 0 ? patchRect(hit.patch).toAlignedRect() : QRect();
            QToolTip::showText(help->globalPos(), toolTipFor(hit), this, rect);
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return FigureView::event(event);
}

void ImageOverlayView::mouseMoveEvent(QMouseEvent* event) { setHovered(hitAt(event->position())); }

void ImageOverlayView::mouseReleaseEvent(QMouseEvent* event) {
    const ImageOverlayFigure::Hit hit = hitAt(event->position());
    if (event->button() == Qt::LeftButton && hit.isValid()) {
        selection()->setSelectedQuery(hit.token);
        return;
    }
    FigureView::mouseReleaseEvent(event);
}

void ImageOverlayView::leaveEvent(QEvent* event) {
    setHovered({});
    FigureView::leaveEvent(event);
}

}  // namespace attnscope::ui
