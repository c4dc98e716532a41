#include "LensView.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

#include "FigurePainting.h"
#include "LensFigureData.h"
#include "analysis/LogitLens.h"
#include "ViewMargin.h"

namespace attnscope::ui {

LensView::LensView(QWidget* parent)
    : QWidget(parent), placeholder_(QStringLiteral("No logit lens to show")), hover_(this, [this](const QPointF& pos) { return spotAt(pos); }, {}) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
}

LensView::~LensView() = default;

QRectF LensView::figureArea() const { return QRectF(rect()).adjusted(kViewMargin, kViewMargin, -kViewMargin, -kViewMargin); }

std::optional<LensCellIndex> LensView::cellAt(const QPointF& pos) const {
    return figure_ ? figure_->hitTest(figureArea(), pos) : std::nullopt;
}

QRectF LensView::cellRect(int layer, int position) const { return figure_ ? figure_->cellRect(figureArea(), layer, position) : QRectF(); }

QString LensView::toolTipFor(int layer, int position) const { return figure_ ? figure_->toolTip(layer, position) : QString(); }

HoverSpot LensView::spotAt(const QPointF& pos) const {
    const std::optional<LensCellIndex> cell = cellAt(pos);
    if (!cell) return {};
    return {cell->layer, cell->position, cellRect(cell->layer, cell->position), toolTipFor(cell->layer, cell->position)};
}

std::optional<LensCellIndex> LensView::hoveredCell() const {
    if (!hover_.hovered().isValid()) return std::nullopt;
    return LensCellIndex{hover_.hovered().first, hover_.hovered().second};
}

QSize LensView::sizeHint() const {
    if (!figure_) return {720, 360};
    const QSizeF natural = figure_->naturalSize();
    return QSize(std::clamp(static_cast<int>(natural.width()), 400, 1200), std::clamp(static_cast<int>(natural.height()), 240, 800)) +
           QSize(2 * kViewMargin, 2 * kViewMargin);
}

QSize LensView::minimumSizeHint() const { return {240, 160}; }

void LensView::setData(const LensFigureData& data) {
    lens_.reset();
    figure_.emplace(data, style_);
    hover_.clear();
    pressed_.reset();
    updateGeometry();
    update();
}

void LensView::setLens(std::shared_ptr<const LogitLens> lens, const QStringList& positionLabels, const std::function<QString(int)>& tokenName,
                       const QString& title) {
    if (!lens) return clear();
    std::optional<int> layer, position;
    if (figure_) {  // a new lens of the same text keeps the selected cell
        layer = figure_->selectedLayer();
        position = figure_->selectedPosition();
    }
    LensFigureData data = lensFigureData(*lens, positionLabels, tokenName, layer, position);
    if (!title.isEmpty()) data.title = title;
    setData(data);
    lens_ = std::move(lens);
}

void LensView::clear() {
    lens_.reset();
    figure_.reset();
    hover_.clear();
    pressed_.reset();
    updateGeometry();
    update();
}

void LensView::setSelection(int layer, int position) {
    if (!figure_) return;
    std::optional<int> l, p;
    if (layer >= 0 && position >= 0) {
        l = layer;
        p = position;
    }
    if (figure_->selectedLayer() == l && figure_->selectedPosition() == p) return;
    figure_ = figure_->withSelection(l, p);
    update();
}

void LensView::setStyle(const FigureStyle& style) {
    if (style == style_) return;
    style_ = style;
    if (figure_) {
        LensFigureData data = figure_->data();
        data.selectedLayer = figure_->selectedLayer();
        data.selectedPosition = figure_->selectedPosition();
        figure_.emplace(std::move(data), style_);
    }
    update();
}

void LensView::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    if (!figure_) update();
}

bool LensView::event(QEvent* event) { return hover_.handleToolTip(event) || QWidget::event(event); }

void LensView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    figure::paintFigureOrPlaceholder(painter, figure(), figureArea(), style_, placeholder_, palette().color(QPalette::PlaceholderText));
    if (!figure_) return;
    const std::optional<LensCellIndex> hovered = hoveredCell();
    if (hovered && hovered != LensCellIndex{figure_->selectedLayer().value_or(-1), figure_->selectedPosition().value_or(-1)}) {
        // A thin ring, lighter than the selection's, on any colour of any map.
        const QRectF cell = cellRect(hovered->layer, hovered->position).adjusted(0.5, 0.5, -0.5, -0.5);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(QColor(0, 0, 0, 160), 2.0));
        painter.drawRect(cell);
        painter.setPen(QPen(QColor(255, 255, 255, 200), 1.0));
        painter.drawRect(cell);
    }
}

void LensView::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
    pressed_ = cellAt(event->position());
}

void LensView::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return QWidget::mouseReleaseEvent(event);
    const auto released = cellAt(event->position());
    const bool click = pressed_ && released == pressed_;
    pressed_.reset();
    if (click) emit cellClicked(released->layer, released->position);
}

void LensView::mouseMoveEvent(QMouseEvent* event) {
    hover_.moveTo(event->position());
    QWidget::mouseMoveEvent(event);
}

void LensView::leaveEvent(QEvent* event) {
    hover_.clear();
    QWidget::leaveEvent(event);
}

}  // namespace attnscope::ui
