#include "InsideHeadView.h"

#include <QPainter>

#include <algorithm>

#include "FigurePainting.h"
#include "ViewMargin.h"

namespace attnscope::ui {

InsideHeadView::InsideHeadView(QWidget* parent) : QWidget(parent), placeholder_(QStringLiteral("Nothing inside to show")) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
}

InsideHeadView::~InsideHeadView() = default;

QRectF InsideHeadView::figureArea() const { return QRectF(rect()).adjusted(kViewMargin, kViewMargin, -kViewMargin, -kViewMargin); }

QSize InsideHeadView::sizeHint() const {
    if (!figure_) return {720, 480};
    const QSizeF natural = figure_->naturalSize();
    return QSize(std::clamp(int(natural.width()), 400, 1400), std::clamp(int(natural.height()), 240, 1000)) + QSize(2 * kViewMargin, 2 * kViewMargin);
}

QSize InsideHeadView::minimumSizeHint() const { return {240, 160}; }

void InsideHeadView::setData(const InsideHeadFigureData& data) {
    figure_.emplace(data, style_);
    updateGeometry();
    update();
}

void InsideHeadView::setStep(InsideStep step) {
    if (!figure_ || figure_->data().step == step) return;
    InsideHeadFigureData data = figure_->data();
    data.step = step;
    figure_.emplace(std::move(data), style_);
    update();
}

void InsideHeadView::clear() {
    figure_.reset();
    updateGeometry();
    update();
}

void InsideHeadView::setStyle(const FigureStyle& style) {
    if (style == style_) return;
    style_ = style;
    if (figure_) {
        InsideHeadFigureData data = figure_->data();  // a copy: emplace destroys the figure it comes from first
        figure_.emplace(std::move(data), style_);
    }
    update();
}

void InsideHeadView::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    if (!figure_) update();
}

void InsideHeadView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    figure::paintFigureOrPlaceholder(painter, figure(), figureArea(), style_, placeholder_, palette().color(QPalette::PlaceholderText));
}

}  // namespace attnscope::ui
