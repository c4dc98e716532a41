#include "TokenStripFigure.h"

#include <QFontMetricsF>
#include <QTransform>

#include <algorithm>
#include <cmath>

#include "ColorBarPainter.h"
#include "ColorMap.h"
#include "ColorScale.h"
#include "FigurePainting.h"
#include "LabelWidths.h"

namespace attnscope::ui {

namespace {

struct TokenStripFigureLayout {
    QTransform toArea;
    QRectF bounds;
    QRectF title;
    QFont titleFont, chipFont;
    std::vector<QRectF> chips;  // one per token
    QRectF colorBar;
    double radius = 3.0;
    double paddingX = 4.0;
};

}  // namespace

struct TokenStripFigure::Impl {
    TokenStripFigureData data;
    FigureStyle style;
    ColorMap colorMap = ColorMap::viridis();
    ColorScale scale;
    figure::LabelWidths widths;

    int count() const { return static_cast<int>(data.labels.size()); }
    bool isGenerated(int i) const { return i < static_cast<int>(data.generated.size()) && data.generated[static_cast<std::size_t>(i)]; }
    float weight(int i) const { return i < static_cast<int>(data.weights.size()) ? data.weights[static_cast<std::size_t>(i)] : 0.0f; }
    // Lays out at `pixels`; returns the height used.
    double flow(TokenStripFigureLayout& l, const QRectF& bounds, double pixels) const;
    TokenStripFigureLayout layout(const QRectF& area) const;
};

TokenStripFigure::TokenStripFigure(TokenStripFigureData data, FigureStyle style) {
    auto impl = std::make_shared<Impl>();
    impl->data = std::move(data);
    impl->style = std::move(style);
    impl->colorMap = ColorMap::forValues(impl->style.colorMap, impl->data.difference);
    // The weights as a one-row matrix: global and per-row normalisation agree here.
    AttentionMatrix row;
    row.rows = 1;
    row.cols = impl->count();
    row.difference = impl->data.difference;
    row.values.assign(static_cast<std::size_t>(row.cols), 0.0f);
    for (int i = 0; i < row.cols; ++i) row.values[static_cast<std::size_t>(i)] = impl->weight(i);
    impl->scale = ColorScale(row, impl->style.scale, impl->style.normalization);
    impl->widths = figure::LabelWidths(impl->data.labels);
    d_ = std::move(impl);
}

const TokenStripFigureData& TokenStripFigure::data() const { return d_->data; }

double TokenStripFigure::Impl::flow(TokenStripFigureLayout& l, const QRectF& bounds, double pixels) const {
    l = TokenStripFigureLayout();
    l.bounds = bounds;
    const double base = figure::basePixels(style);
    const double margin = std::round(base * 0.8);
    l.titleFont = figure::font(base * 1.25, true);
    l.chipFont = figure::font(pixels);
    const QFontMetricsF titleMetrics(l.titleFont);
    const QFontMetricsF chipMetrics(l.chipFont);
    double y = bounds.top() + margin;
    if (!data.title.isEmpty()) {
        l.title = QRectF(bounds.left() + margin, y, bounds.width() - 2 * margin, titleMetrics.height());
        y += titleMetrics.height() + base * 0.7;
    }
    l.paddingX = std::round(pixels * 0.4);
    const double chipHeight = std::ceil(chipMetrics.height() + pixels * 0.5);
    const double gapX = std::max(2.0, pixels * 0.3);
    const double gapY = std::max(3.0, pixels * 0.45);
    l.radius = pixels * 0.25;
    const double width = bounds.width() - 2 * margin;
    const double maxChip = std::max(width, pixels * 2.0);
    double x = 0.0;
    std::vector<std::size_t> lineStart{0};
    const std::vector<double>& textWidths = widths.at(pixels);
    for (int i = 0; i < count(); ++i) {
        const double w = std::min(std::ceil(textWidths[static_cast<std::size_t>(i)]) + 2 * l.paddingX, maxChip);
        if (x > 0.0 && x + w > width) {
            x = 0.0;
            y += chipHeight + gapY;
            lineStart.push_back(l.chips.size());
        }
        l.chips.emplace_back(bounds.left() + margin + x, y, w, chipHeight);
        x += w + gapX;
    }
    // Centre each line.
    lineStart.push_back(l.chips.size());
    for (std::size_t k = 0; k + 1 < lineStart.size(); ++k) {
        if (lineStart[k] == lineStart[k + 1]) continue;
        const double used = l.chips[lineStart[k + 1] - 1].right() - l.chips[lineStart[k]].left();
        const double shift = std::max(0.0, (width - used) / 2.0);
        for (std::size_t i = lineStart[k]; i < lineStart[k + 1]; ++i) l.chips[i].translate(shift, 0.0);
    }
    if (count() > 0) y += chipHeight;
    if (style.showColorBar) {
        const ColorBarPainter bar(colorMap, scale, style);
        y += base * 1.2;
        const double barWidth = std::min(width * 0.6, base * 18.0);
        l.colorBar = QRectF(bounds.left() + margin + (width - barWidth) / 2.0, y, barWidth, std::round(base * 0.8));
        y += l.colorBar.height() + bar.belowHeight();
    }
    return y + margin - bounds.top();
}

TokenStripFigureLayout TokenStripFigure::Impl::layout(const QRectF& area) const {
    const double base = figure::basePixels(style);
    const double maxPixels = std::round(base * 1.25);
    const double minPixels = std::max(5.0, std::round(base * 0.75));
    TokenStripFigureLayout l;
    for (double pixels = maxPixels; pixels >= minPixels; pixels -= 1.0) {
        const double used = flow(l, area, pixels);
        if (used <= area.height() + 0.5) {
            // Centred vertically in the room to spare.
            const double spare = (area.height() - used) / 2.0;
            if (spare > 0.0) {
                l.title.translate(0.0, spare);
                for (auto& chip : l.chips) chip.translate(0.0, spare);
                l.colorBar.translate(0.0, spare);
            }
            return l;
        }
    }
    // Even the smallest font needs more height: lay out taller, keeping the width readable,
    // and shrink uniformly into the area.
    double s = 1.0;
    for (int round = 0; round < 8; ++round) {
        const QRectF logical(0, 0, area.width() / s, area.height() / s);
        const double needed = flow(l, logical, minPixels);
        if (needed <= logical.height() + 0.5) break;
        s = std::max(s * 0.5, s * std::sqrt(logical.height() / needed) * 0.98);
    }
    flow(l, QRectF(0, 0, area.width() / s, area.height() / s), minPixels);
    l.toArea = QTransform(s, 0, 0, s, area.left(), area.top());
    return l;
}

QSizeF TokenStripFigure::naturalSize() const {
    const Impl& d = *d_;
    const double base = figure::basePixels(d.style);
    const double pixels = std::round(base * 1.25);
    double total = 0.0;
    for (double w : d.widths.at(pixels)) total += w + pixels * 1.1;
    const double width = std::clamp(total + base * 2.0, base * 36.0, base * 64.0);
    TokenStripFigureLayout l;
    const double height = d.flow(l, QRectF(0, 0, width, 100000.0), pixels);
    return {std::ceil(width), std::ceil(height)};
}

void TokenStripFigure::paint(QPainter& painter, const QRectF& area) const {
    const Impl& d = *d_;
    figure::PaintScope scope(painter, area, d.style, d.count() == 0, QStringLiteral("No tokens to show"));
    if (scope.empty()) return;
    const TokenStripFigureLayout l = d.layout(area);
    scope.enterLayout(l.toArea);
    if (!d.data.title.isEmpty()) {
        painter.setPen(d.style.foreground);
        figure::drawCenteredText(painter, l.title, d.data.title, l.titleFont);
    }
    const QFontMetricsF metrics(l.chipFont);
    const QColor edge = figure::mix(d.style.foreground, d.style.background, 0.7);
    for (int i = 0; i < d.count(); ++i) {
        const QRectF chip = l.chips[static_cast<std::size_t>(i)];
        const QColor fill = QColor::fromRgb(d.colorMap.rgbAt(d.scale.position(0, d.weight(i))));
        painter.setBrush(fill);
        painter.setPen(QPen(edge, std::max(0.5, d.style.lineWidth * 0.5)));
        painter.drawRoundedRect(chip, l.radius, l.radius);
        if (d.isGenerated(i)) {
            // What the model wrote, set apart from the prompt by a dashed rim inside the chip.
            const double pen = std::max(1.0, d.style.lineWidth);
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(figure::textColorOn(fill), pen, Qt::DashLine));
            const double in = pen * 1.5;
            painter.drawRoundedRect(chip.adjusted(in, in, -in, -in), std::max(0.0, l.radius - in), std::max(0.0, l.radius - in));
        }
        if (i == d.data.queryToken) {
            const double pen = std::max(1.5, d.style.lineWidth * 2.0);
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(d.style.foreground, pen));
            const double out = pen * 0.5 + 1.0;
            painter.drawRoundedRect(chip.adjusted(-out, -out, out, out), l.radius + out, l.radius + out);
        }
        painter.setFont(l.chipFont);
        painter.setPen(figure::textColorOn(fill));
        const QRectF text = chip.adjusted(l.paddingX, 0, -l.paddingX, 0);
        painter.drawText(text, Qt::AlignCenter, metrics.elidedText(d.data.labels[i], Qt::ElideRight, text.width() + 1.0));
    }
    if (d.style.showColorBar) ColorBarPainter(d.colorMap, d.scale, d.style).paintHorizontal(painter, l.colorBar);
}

int TokenStripFigure::hitTest(const QRectF& area, const QPointF& pos) const {
    const Impl& d = *d_;
    if (d.count() == 0) return -1;
    const TokenStripFigureLayout l = d.layout(area);
    const QPointF p = l.toArea.inverted().map(pos);
    for (int i = 0; i < d.count(); ++i)
        if (l.chips[static_cast<std::size_t>(i)].contains(p)) return i;
    return -1;
}

}  // namespace attnscope::ui
