#include "ImageOverlayView.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

#include "AttentionSelection.h"

namespace attnscope::ui {

ImageOverlayView::ImageOverlayView(AttentionSelection* selection, QWidget* parent) : FigureView(ViewKind::Overlay, selection, parent) {
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
    queryCount_ = static_cast<int>(source.queryLabels.size());
}

void ImageOverlayView::clearFigure() {
    figure_.reset();
    queryCount_ = 0;
}

void ImageOverlayView::stepSelectedQuery(int step) {
    if (queryCount_ == 0) return;
    const int current = selection()->selectedQuery();
    const int next = current < 0 ? (step > 0 ? 0 : queryCount_ - 1) : current + step;
    selection()->setSelectedQuery(std::clamp(next, 0, queryCount_ - 1));
}

void ImageOverlayView::keyPressEvent(QKeyEvent* event) {
    if (stepsQueries() && (event->key() == Qt::Key_Up || event->key() == Qt::Key_Down)) {
        stepSelectedQuery(event->key() == Qt::Key_Up ? -1 : 1);
        return event->accept();
    }
    FigureView::keyPressEvent(event);
}

const Figure* ImageOverlayView::currentFigure() const { return figure_ ? &*figure_ : nullptr; }

void ImageOverlayView::paintOverlay(QPainter& painter) const {
    const int patch = hoveredHit().patch;
    if (!figure_ || patch < 0) return;
    // A dashed ring in the highlight colour, apart from the query's solid one.
    const QRectF cell = patchRect(patch).adjusted(1.5, 1.5, -1.5, -1.5);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(Qt::black, 3.0));
    painter.drawRect(cell);
    painter.setPen(QPen(Qt::white, 1.5, Qt::DashLine));
    painter.drawRect(cell);
}

HoverSpot ImageOverlayView::spotAt(const QPointF& pos) const {
    const ImageOverlayFigure::Hit hit = hitAt(pos);
    if (!hit.isValid()) return {};
    return {hit.patch, hit.token, hit.patch >= 0 ? patchRect(hit.patch) : QRectF(), toolTipFor(hit)};
}

void ImageOverlayView::hoverChanged(const HoverSpot& spot) { setCursor(spot.isValid() ? Qt::PointingHandCursor : Qt::ArrowCursor); }

void ImageOverlayView::mouseReleaseEvent(QMouseEvent* event) {
    const ImageOverlayFigure::Hit hit = hitAt(event->position());
    // A patch is a query only where the image attends to itself; a probe's patches are its keys.
    if (event->button() == Qt::LeftButton && hit.isValid() && !selection()->isCrossStack()) {
        selection()->setSelectedQuery(hit.token);
        return;
    }
    FigureView::mouseReleaseEvent(event);
}

}  // namespace attnscope::ui
