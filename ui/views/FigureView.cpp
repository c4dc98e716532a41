#include "FigureView.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

#include "Analysis.h"
#include "AttentionSelection.h"
#include "Error.h"
#include "Figure.h"
#include "ViewMargin.h"

namespace attnscope::ui {

FigureView::FigureView(ViewKind kind, AttentionSelection* selection, QWidget* parent)
    : QWidget(parent),
      kind_(kind),
      selection_(selection),
      hover_(this, [this](const QPointF& pos) { return spotAt(pos); }, [this](const HoverSpot& spot) { hoverChanged(spot); }) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    connect(selection_, &AttentionSelection::changed, this, &FigureView::refresh);
}

FigureView::~FigureView() = default;

const Figure* FigureView::figure() {
    if (stale_) rebuild();
    return currentFigure();
}

namespace {

// How much a figure of `natural` size is magnified in `area`: to fill it, within [1, most].
double magnificationIn(const QRectF& area, const QSizeF& natural, double most) {
    if (most <= 1.0 || natural.isEmpty() || area.isEmpty()) return 1.0;
    return std::clamp(std::min(area.width() / natural.width(), area.height() / natural.height()), 1.0, most);
}

}  // namespace

QRectF FigureView::figureArea() const {
    QRectF area = QRectF(rect()).adjusted(kViewMargin, kViewMargin, -kViewMargin, -kViewMargin);
    const Figure* f = currentFigure();
    if (!f || !alignsTop()) return area;
    // Capping the height at the magnified natural height keeps the magnification the same:
    // where the height limits it, the cap is the height itself.
    const QSizeF natural = f->naturalSize();
    area.setHeight(std::min(area.height(), natural.height() * magnificationIn(area, natural, maxMagnification())));
    return area;
}

double FigureView::magnification() const {
    const Figure* f = currentFigure();
    return f ? magnificationIn(figureArea(), f->naturalSize(), maxMagnification()) : 1.0;
}

QRectF FigureView::figureRect() const {
    const QRectF area = figureArea();
    const double m = magnification();
    return {0.0, 0.0, area.width() / m, area.height() / m};
}

QPointF FigureView::toFigure(const QPointF& widgetPos) const { return (widgetPos - figureArea().topLeft()) / magnification(); }

QRectF FigureView::fromFigure(const QRectF& box) const {
    const double m = magnification();
    return {figureArea().topLeft() + box.topLeft() * m, box.size() * m};
}

QSize FigureView::sizeHint() const {
    if (const Figure* f = currentFigure()) {
        const QSizeF natural = f->naturalSize();
        return QSize(std::clamp(static_cast<int>(natural.width()), 400, 1000), std::clamp(static_cast<int>(natural.height()), 300, 800)) +
               QSize(2 * kViewMargin, 2 * kViewMargin);
    }
    return {720, 560};
}

QSize FigureView::minimumSizeHint() const { return {240, 180}; }

void FigureView::setAnalysis(std::shared_ptr<const Analysis> analysis) {
    analysis_ = std::move(analysis);
    refresh();
}

void FigureView::setOtherInput(std::shared_ptr<const Analysis> other) {
    if (other == otherInput_) return;
    otherInput_ = std::move(other);
    refresh();
}

void FigureView::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    update();
}

void FigureView::refresh() {
    stale_ = true;
    if (isVisible()) rebuild();
}

void FigureView::figureReplaced() {
    update();
    emit figureChanged();
}

void FigureView::rebuild() {
    stale_ = false;
    problem_.clear();
    clearFigure();
    hover_.clear();  // what was under the pointer belonged to the old figure
    if (analysis_ && analysis_->stackCount() > 0) {
        try {
            const ViewRequest request = selection_->request(kind_);
            buildFigure(analysis_->figureSource(request.stack, otherInput_.get()), request);
        } catch (const std::exception& e) {
            // A selection the engine refuses (e.g. rollout of cross-attention) is shown, not thrown.
            clearFigure();
            problem_ = QString::fromStdString(e.what());
        }
    }
    updateGeometry();
    update();
    emit figureChanged();
}

bool FigureView::event(QEvent* event) { return hover_.handleToolTip(event) || QWidget::event(event); }

void FigureView::mouseMoveEvent(QMouseEvent* event) {
    hover_.moveTo(event->position());
    QWidget::mouseMoveEvent(event);
}

void FigureView::leaveEvent(QEvent* event) {
    hover_.clear();
    QWidget::leaveEvent(event);
}

void FigureView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (stale_) rebuild();
}

void FigureView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const Figure* f = currentFigure();
    if (!f) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(figureArea(), Qt::AlignCenter | Qt::TextWordWrap, emptyText());
        return;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.save();
    painter.translate(figureArea().topLeft());
    painter.scale(magnification(), magnification());
    f->paint(painter, figureRect());
    painter.restore();
    paintOverlay(painter);
    emit figurePainted();
}

}  // namespace attnscope::ui
