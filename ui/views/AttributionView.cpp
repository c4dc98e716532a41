#include "AttributionView.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

#include "FigurePainting.h"
#include "ViewMargin.h"

namespace attnscope::ui {

AttributionView::AttributionView(QWidget* parent)
    : QWidget(parent),
      placeholder_(QStringLiteral("No attribution to show")),
      hover_(this, [this](const QPointF& pos) { return spotAt(pos); }, [this](const HoverSpot&) { update(); }) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setMouseTracking(true);
}

AttributionView::~AttributionView() = default;

QRectF AttributionView::figureArea() const { return QRectF(rect()).adjusted(kViewMargin, kViewMargin, -kViewMargin, -kViewMargin); }

std::optional<AttributionCell> AttributionView::cellAt(const QPointF& pos) const {
    return figure_ ? figure_->hitTest(figureArea(), pos) : std::nullopt;
}

QRectF AttributionView::cellRect(const AttributionCell& cell) const { return figure_ ? figure_->cellRect(figureArea(), cell) : QRectF(); }

HoverSpot AttributionView::spotAt(const QPointF& pos) const {
    const auto cell = cellAt(pos);
    if (!cell) return {};
    // HoverSpot's -1 means nothing: the embedding (layer -1) and MLPs (head -1) shift by one.
    return {cell->layer + 1, cell->head + 1, cellRect(*cell), figure_->toolTip(*cell)};
}

QSize AttributionView::sizeHint() const {
    if (!figure_) return {640, 360};
    const QSizeF natural = figure_->naturalSize();
    return QSize(std::clamp(int(natural.width()), 360, 1200), std::clamp(int(natural.height()), 240, 900)) + QSize(2 * kViewMargin, 2 * kViewMargin);
}

QSize AttributionView::minimumSizeHint() const { return {240, 160}; }

void AttributionView::rebuild(AttributionFigureData data) {
    figure_.emplace(std::move(data), style_);
    hover_.clear();
    updateGeometry();
    update();
}

void AttributionView::setData(const AttributionFigureData& data) {
    AttributionFigureData copy = data;
    if (figure_ && !copy.selected) copy.selected = figure_->data().selected;  // a new attribution keeps the selected head
    pressed_.reset();
    rebuild(std::move(copy));
}

void AttributionView::clear() {
    figure_.reset();
    hover_.clear();
    pressed_.reset();
    updateGeometry();
    update();
}

void AttributionView::setSelectedHead(int layer, int head) {
    if (!figure_) return;
    std::optional<std::pair<int, int>> selected;
    if (layer >= 0 && head >= 0) selected = std::pair{layer, head};
    if (figure_->data().selected == selected) return;
    AttributionFigureData data = figure_->data();
    data.selected = selected;
    rebuild(std::move(data));
}

void AttributionView::setStyle(const FigureStyle& style) {
    if (style == style_) return;
    style_ = style;
    if (figure_) rebuild(figure_->data());
    update();
}

void AttributionView::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    if (!figure_) update();
}

bool AttributionView::event(QEvent* event) { return hover_.handleToolTip(event) || QWidget::event(event); }

void AttributionView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    figure::paintFigureOrPlaceholder(painter, figure(), figureArea(), style_, placeholder_, palette().color(QPalette::PlaceholderText));
    if (figure_ && hover_.hovered().isValid()) {
        const QRectF cell = hover_.hovered().area.adjusted(0.5, 0.5, -0.5, -0.5);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(QColor(0, 0, 0, 160), 2.0));
        painter.drawRect(cell);
    }
}

void AttributionView::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
    pressed_ = cellAt(event->position());
}

void AttributionView::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return QWidget::mouseReleaseEvent(event);
    const auto released = cellAt(event->position());
    const bool click = pressed_ && released == pressed_;
    pressed_.reset();
    if (click && released->layer >= 0 && released->head >= 0) emit headClicked(released->layer, released->head, released->cross);
}

void AttributionView::mouseMoveEvent(QMouseEvent* event) {
    hover_.moveTo(event->position());
    QWidget::mouseMoveEvent(event);
}

void AttributionView::leaveEvent(QEvent* event) {
    hover_.clear();
    QWidget::leaveEvent(event);
}

}  // namespace attnscope::ui
