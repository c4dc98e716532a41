#include "HeatmapView.h"

#include <QApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include "AttentionSelection.h"

namespace attnscope::ui {

namespace {

constexpr double kZoomStep = 1.25;
constexpr int kFewestVisibleCells = 3;  // zooming further shows nothing more useful

}  // namespace

HeatmapView::HeatmapView(AttentionSelection* selection, QWidget* parent) : FigureView(ViewKind::Matrix, selection, parent) {
    setFocusPolicy(Qt::StrongFocus);  // +/-, 0 and the arrow keys
}

const MatrixFigure* HeatmapView::matrixFigure() {
    figure();
    return figure_ ? &*figure_ : nullptr;
}

int HeatmapView::rows() const { return figure_ ? figure_->data().matrix.rows : 0; }

int HeatmapView::columns() const { return figure_ ? figure_->data().matrix.cols : 0; }

float HeatmapView::value(int row, int column) const {
    if (row < 0 || row >= rows() || column < 0 || column >= columns()) return 0.0f;
    return figure_->data().matrix.at(row, column);
}

MatrixFigure::Hit HeatmapView::cellAt(const QPointF& pos) const {
    return figure_ ? figure_->hitTest(figureRect(), toFigure(pos)) : MatrixFigure::Hit{};
}

QRectF HeatmapView::cellRect(int row, int column) const { return figure_ ? fromFigure(figure_->cellRect(figureRect(), row, column)) : QRectF(); }

int HeatmapView::labelStride() const { return figure_ ? figure_->labelStride(figureRect()) : 1; }

QString HeatmapView::toolTipFor(int row, int column) const { return figure_ ? figure_->toolTip(row, column) : QString(); }

int HeatmapView::visibleRows() const {
    const int n = rows();
    return std::clamp(static_cast<int>(std::ceil(n / zoom_)), std::min(n, kFewestVisibleCells), n);
}

int HeatmapView::visibleColumns() const {
    const int n = columns();
    return std::clamp(static_cast<int>(std::ceil(n / zoom_)), std::min(n, kFewestVisibleCells), n);
}

void HeatmapView::buildFigure(const FigureSource& source, const ViewRequest& request) {
    figure_.emplace(buildMatrixData(source, request), selection()->style());
    // A new shape (another text, hidden special tokens) makes the old window meaningless.
    if (QSize(columns(), rows()) != windowShape_) {
        zoom_ = 1.0;
        firstRow_ = firstColumn_ = 0;
        windowShape_ = QSize(columns(), rows());
    }
    applyWindow();
}

void HeatmapView::clearFigure() {
    figure_.reset();  // the zoom window stays: a rebuild of the same shape keeps it
}

const Figure* HeatmapView::currentFigure() const { return figure_ ? &*figure_ : nullptr; }

void HeatmapView::applyWindow() {
    if (!figure_) return;
    firstRow_ = std::clamp(firstRow_, 0, std::max(0, rows() - visibleRows()));
    firstColumn_ = std::clamp(firstColumn_, 0, std::max(0, columns() - visibleColumns()));
    figure_->setVisibleCells(firstRow_, visibleRows(), firstColumn_, visibleColumns());
    setCursor(isZoomed() ? Qt::OpenHandCursor : Qt::ArrowCursor);
    if (visibleCells() != announcedWindow_) {
        announcedWindow_ = visibleCells();
        emit visibleCellsChanged(announcedWindow_);
    }
}

void HeatmapView::zoomIn() { zoomAt(figureArea().center(), kZoomStep); }

void HeatmapView::zoomOut() { zoomAt(figureArea().center(), 1.0 / kZoomStep); }

void HeatmapView::resetZoom() {
    zoom_ = 1.0;
    firstRow_ = firstColumn_ = 0;
    applyWindow();
    figureReplaced();
}

void HeatmapView::zoomAt(const QPointF& pos, double factor) {
    if (!figure_ || rows() == 0) return;
    const int oldRows = visibleRows();
    const int oldColumns = visibleColumns();
    MatrixFigure::Hit anchor = cellAt(pos);
    if (!anchor.isValid()) anchor = {firstRow_ + oldRows / 2, firstColumn_ + oldColumns / 2};
    const double maxZoom = std::max(1.0, std::max(rows(), columns()) / static_cast<double>(kFewestVisibleCells));
    zoom_ = std::clamp(zoom_ * factor, 1.0, maxZoom);
    // Keep the anchor cell at the same fraction of the window.
    firstRow_ = anchor.row - static_cast<int>(std::lround((anchor.row - firstRow_) * visibleRows() / static_cast<double>(oldRows)));
    firstColumn_ = anchor.column -
                   static_cast<int>(std::lround((anchor.column - firstColumn_) * visibleColumns() / static_cast<double>(oldColumns)));
    applyWindow();
    rehover(pos);
    figureReplaced();
}

void HeatmapView::panBy(int rowSteps, int columnSteps) {
    if (!figure_) return;
    firstRow_ += rowSteps;
    firstColumn_ += columnSteps;
    applyWindow();
    figureReplaced();
}

void HeatmapView::setZoomWindow(double zoom, int firstRow, int firstColumn) {
    matrixFigure();  // a hidden view builds its figure lazily; the window needs its shape
    if (!figure_ || rows() == 0) return;
    const double maxZoom = std::max(1.0, std::max(rows(), columns()) / static_cast<double>(kFewestVisibleCells));
    zoom_ = std::clamp(zoom, 1.0, maxZoom);
    firstRow_ = firstRow;
    firstColumn_ = firstColumn;
    applyWindow();
    figureReplaced();
}

HoverSpot HeatmapView::spotAt(const QPointF& pos) const {
    const MatrixFigure::Hit hit = cellAt(pos);
    if (!hit.isValid()) return {};
    return {hit.row, hit.column, cellRect(hit.row, hit.column), toolTipFor(hit.row, hit.column)};
}

void HeatmapView::hoverChanged(const HoverSpot& spot) { emit cellHovered(spot.first, spot.second); }

void HeatmapView::selectRow(int row) {
    if (!figure_ || row < 0 || row >= rows()) return;
    selection()->setSelectedQuery(figure_->data().matrix.rowTokens[static_cast<std::size_t>(row)]);
}

void HeatmapView::stepSelectedQuery(int step) {
    if (!figure_ || rows() == 0) return;
    const auto& tokens = figure_->data().matrix.rowTokens;
    const auto at = std::find(tokens.begin(), tokens.end(), selection()->selectedQuery());
    const int row = at == tokens.end() ? (step > 0 ? 0 : rows() - 1) : static_cast<int>(at - tokens.begin()) + step;
    selectRow(std::clamp(row, 0, rows() - 1));
}

void HeatmapView::paintOverlay(QPainter& painter) const {
    const MatrixFigure::Hit hovered = hoveredCell();
    if (!figure_ || !hovered.isValid()) return;
    const QRect window = visibleCells();
    if (!window.contains(hovered.column, hovered.row)) return;
    const QRectF cell = cellRect(hovered.row, hovered.column);
    // Two rings so the mark shows on the darkest and the lightest colours of every map.
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(Qt::black, 3.0));
    painter.drawRect(cell.adjusted(0.5, 0.5, -0.5, -0.5));
    painter.setPen(QPen(Qt::white, 1.5));
    painter.drawRect(cell.adjusted(0.5, 0.5, -0.5, -0.5));
}

void HeatmapView::wheelEvent(QWheelEvent* event) {
    const int steps = event->angleDelta().y();
    if (steps == 0 || !figure_) {
        event->ignore();
        return;
    }
    zoomAt(event->position(), std::pow(kZoomStep, steps / 120.0));
    event->accept();
}

void HeatmapView::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return FigureView::mousePressEvent(event);
    pressPos_ = event->position();
    pressWindow_ = {firstColumn_, firstRow_};
    dragging_ = false;
}

void HeatmapView::mouseMoveEvent(QMouseEvent* event) {
    if (pressPos_ && (event->buttons() & Qt::LeftButton)) {
        const QPointF moved = event->position() - *pressPos_;
        if (!dragging_ && moved.manhattanLength() >= QApplication::startDragDistance() && isZoomed()) {
            dragging_ = true;
            setCursor(Qt::ClosedHandCursor);
        }
        if (dragging_) {
            const QRectF cell = cellRect(firstRow_, firstColumn_);
            if (cell.width() > 0 && cell.height() > 0) {
                firstColumn_ = pressWindow_.x() - static_cast<int>(std::lround(moved.x() / cell.width()));
                firstRow_ = pressWindow_.y() - static_cast<int>(std::lround(moved.y() / cell.height()));
                applyWindow();
                setCursor(Qt::ClosedHandCursor);
                figureReplaced();
            }
            return;
        }
    }
    FigureView::mouseMoveEvent(event);
}

void HeatmapView::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !pressPos_) return FigureView::mouseReleaseEvent(event);
    const bool wasDrag = dragging_;
    pressPos_.reset();
    dragging_ = false;
    applyWindow();  // restores the open-hand cursor
    if (wasDrag) return;
    const MatrixFigure::Hit hit = cellAt(event->position());
    if (hit.isValid()) selectRow(hit.row);
}

void HeatmapView::keyPressEvent(QKeyEvent* event) {
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomIn(); break;
    case Qt::Key_Minus: zoomOut(); break;
    case Qt::Key_0: resetZoom(); break;
    case Qt::Key_Up: stepSelectedQuery(-1); break;
    case Qt::Key_Down: stepSelectedQuery(1); break;
    default: FigureView::keyPressEvent(event); return;
    }
    event->accept();
}

}  // namespace attnscope::ui
