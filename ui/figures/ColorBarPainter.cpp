#include "ColorBarPainter.h"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <cmath>

#include "FigurePainting.h"

namespace attnscope::ui {

ColorBarPainter::ColorBarPainter(const ColorMap& map, const ColorScale& scale, const FigureStyle& style, QString caption)
    : map_(map), scale_(scale), style_(style), caption_(caption.isEmpty() ? scale.caption() : std::move(caption)) {
    const double base = figure::basePixels(style);
    tickFont_ = figure::font(base * 0.9);
    captionFont_ = figure::font(base * 0.9);
    thickness_ = std::round(base * 1.1);
    tickLength_ = std::max(3.0, base * 0.35);
    gap_ = std::max(2.0, base * 0.25);
}

double ColorBarPainter::besideWidth() const {
    const QFontMetricsF tick(tickFont_);
    double widest = 0.0;
    for (const auto& t : scale_.ticks(12)) widest = std::max(widest, tick.horizontalAdvance(t.text));
    return tickLength_ + gap_ + widest + 2.0 * gap_ + QFontMetricsF(captionFont_).height();
}

double ColorBarPainter::belowHeight() const {
    return tickLength_ + gap_ + QFontMetricsF(tickFont_).height() + gap_ + QFontMetricsF(captionFont_).height();
}

double ColorBarPainter::overhang() const { return QFontMetricsF(tickFont_).height() / 2.0; }

int ColorBarPainter::maxTicks(double length, bool vertical) const {
    const QFontMetricsF tick(tickFont_);
    double spacing = tick.height() * 1.6;
    if (!vertical) {
        double widest = 0.0;
        for (const auto& t : scale_.ticks(12)) widest = std::max(widest, tick.horizontalAdvance(t.text));
        spacing = widest + tick.height();
    }
    return std::max(2, static_cast<int>(length / spacing) + 1);
}

void ColorBarPainter::paintStrips(QPainter& painter, const QRectF& bar, bool vertical) const {
    const double length = vertical ? bar.height() : bar.width();
    const double deviceScale = std::max(std::abs(painter.deviceTransform().m11()), std::abs(painter.deviceTransform().m22()));
    const int strips = std::clamp(static_cast<int>(length * std::max(1.0, deviceScale)), 16, 256);
    const double step = length / strips;
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(Qt::NoPen);
    for (int i = 0; i < strips; ++i) {
        painter.setBrush(QColor::fromRgb(map_.rgbAt((i + 0.5) / strips)));
        // Each strip overlaps the next one a little, which that one then paints over, so
        // anti-aliasing viewers show no hairline seams between strips.
        const double extra = i + 1 < strips ? step * 0.5 : 0.0;
        if (vertical)
            painter.drawRect(QRectF(bar.left(), bar.bottom() - (i + 1) * step - extra, bar.width(), step + extra));
        else
            painter.drawRect(QRectF(bar.left() + i * step, bar.top(), step + extra, bar.height()));
    }
    painter.restore();
    painter.save();
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(figure::mix(style_.foreground, style_.background, 0.4), std::max(0.5, style_.lineWidth * 0.75)));
    painter.drawRect(bar);
    painter.restore();
}

void ColorBarPainter::paintVertical(QPainter& painter, const QRectF& bar) const {
    if (bar.height() <= 0) return;
    paintStrips(painter, bar, true);
    const QFontMetricsF metrics(tickFont_);
    painter.setFont(tickFont_);
    painter.setPen(QPen(style_.foreground, std::max(0.5, style_.lineWidth * 0.75)));
    double widest = 0.0;
    for (const auto& tick : scale_.ticks(maxTicks(bar.height(), true))) {
        const double y = bar.bottom() - tick.position * bar.height();
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + tickLength_, y));
        const double width = metrics.horizontalAdvance(tick.text);
        widest = std::max(widest, width);
        painter.drawText(QRectF(bar.right() + tickLength_ + gap_, y - metrics.height() / 2.0, width + 2.0, metrics.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, tick.text);
    }
    // The caption, read upwards, beyond the widest possible tick label.
    const QFontMetricsF captionMetrics(captionFont_);
    const double x = bar.right() + besideWidth() - captionMetrics.height() / 2.0;
    painter.save();
    painter.setPen(figure::mix(style_.foreground, style_.background, 0.25));
    painter.translate(x, bar.center().y());
    painter.rotate(-90.0);
    figure::drawCenteredText(painter, QRectF(-bar.height() / 2.0, -captionMetrics.height() / 2.0, bar.height(), captionMetrics.height()),
                             caption_, captionFont_);
    painter.restore();
}

void ColorBarPainter::paintHorizontal(QPainter& painter, const QRectF& bar) const {
    if (bar.width() <= 0) return;
    paintStrips(painter, bar, false);
    const QFontMetricsF metrics(tickFont_);
    painter.setFont(tickFont_);
    painter.setPen(QPen(style_.foreground, std::max(0.5, style_.lineWidth * 0.75)));
    for (const auto& tick : scale_.ticks(maxTicks(bar.width(), false))) {
        const double x = bar.left() + tick.position * bar.width();
        painter.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + tickLength_));
        const double width = metrics.horizontalAdvance(tick.text) + 2.0;
        painter.drawText(QRectF(x - width / 2.0, bar.bottom() + tickLength_ + gap_, width, metrics.height()), Qt::AlignCenter, tick.text);
    }
    const QFontMetricsF captionMetrics(captionFont_);
    painter.setPen(figure::mix(style_.foreground, style_.background, 0.25));
    const double y = bar.bottom() + tickLength_ + gap_ + metrics.height() + gap_;
    const double width = std::max(bar.width(), captionMetrics.horizontalAdvance(caption_) + 4.0);
    figure::drawCenteredText(painter, QRectF(bar.center().x() - width / 2.0, y, width, captionMetrics.height()), caption_,
                             captionFont_);
}

}  // namespace attnscope::ui
