#include "GridFigure.h"


#include <numeric>

#include <QFontMetricsF>
#include <QTransform>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "CellPainter.h"
#include "ColorBarPainter.h"
#include "ColorMap.h"
#include "ColorScale.h"
#include "FigurePainting.h"

namespace attnscope::ui {

namespace {

struct GridFigureLayout {
    QTransform toArea;
    QRectF bounds;
    QRectF title;
    QRectF grid;        // all thumbnails
    double thumb = 0.0; // thumbnail side
    double gap = 0.0;   // between thumbnails
    int stride = 1;     // numbering every n-th layer/head when numbers do not fit
    QFont titleFont, axisFont, numberFont;
    double numberGap = 0.0;
    double numberWidth = 0.0;   // room for layer numbers left of the grid
    double numberHeight = 0.0;  // room for head numbers above the grid
    QRectF colorBar;

    QRectF thumbnail(int layer, int head) const {
        return {grid.left() + head * (thumb + gap), grid.top() + layer * (thumb + gap), thumb, thumb};
    }
};

}  // namespace

struct GridFigure::Impl {
    GridFigureData data;
    FigureStyle style;
    ColorMap colorMap = ColorMap::viridis();
    std::vector<ColorScale> scales;  // one per map; all share the global maximum
    ColorScale barScale;
    // Thumbnail images, made on first use for a given size (painting is const and may be
    // repeated on every hover, so the colouring is done once).
    mutable std::mutex imageMutex;
    mutable std::vector<QImage> images;
    mutable int imageSide = -1;
    QImage thumbnailImage(std::size_t index, int side) const {
        std::lock_guard<std::mutex> lock(imageMutex);
        if (side != imageSide) {
            // Every thumbnail has the same size: make them all at once, on every core.
            images.assign(data.maps.size(), QImage());
            const auto count = static_cast<std::ptrdiff_t>(data.maps.size());
#pragma omp parallel for schedule(dynamic)
            for (std::ptrdiff_t i = 0; i < count; ++i) {
                const auto k = static_cast<std::size_t>(i);
                images[k] = cellImage(data.maps[k], scales[k], colorMap, side);
            }
            imageSide = side;
        }
        return images[index];
    }

    int mapSize() const {
        int n = 0;
        for (const auto& m : data.maps) n = std::max({n, m.rows, m.cols});
        return n;
    }
    bool valid() const {
        return data.layers > 0 && data.heads > 0 && static_cast<int>(data.maps.size()) == data.layers * data.heads;
    }
    // The title is the figure's (it moves with the focus), not data.title.
    GridFigureLayout layout(const QRectF& area, const QString& title) const;
    GridFigureLayout layoutIn(const QRectF& bounds, const QString& title, QSizeF* needed) const;
    double barBlock(double base) const {
        return style.showColorBar ? base * 1.2 + ColorBarPainter(colorMap, barScale, style).thickness() +
                                        ColorBarPainter(colorMap, barScale, style).besideWidth()
                                  : 0.0;
    }
};

GridFigure::GridFigure(GridFigureData data, FigureStyle style) {
    auto impl = std::make_shared<Impl>();
    impl->data = std::move(data);
    impl->style = std::move(style);
    impl->colorMap = ColorMap::forValues(impl->style.colorMap, !impl->data.maps.empty() && impl->data.maps.front().difference);
    // Each map's maximum, then its scale against the largest of them, on every core: one
    // pass over 144 maps of 512 x 512 is 37 million values.
    const auto& maps = impl->data.maps;
    const auto count = static_cast<std::ptrdiff_t>(maps.size());
    std::vector<float> maxima(maps.size(), 0.0f);
#pragma omp parallel for schedule(dynamic)
    for (std::ptrdiff_t i = 0; i < count; ++i) maxima[static_cast<std::size_t>(i)] = ColorScale::maxOf(maps[static_cast<std::size_t>(i)]);
    const float globalMax = maxima.empty() ? 0.0f : *std::max_element(maxima.begin(), maxima.end());
    impl->scales.resize(maps.size());
#pragma omp parallel for schedule(dynamic)
    for (std::ptrdiff_t i = 0; i < count; ++i) {
        const auto k = static_cast<std::size_t>(i);
        impl->scales[k] = ColorScale(maps[k], impl->style.scale, impl->style.normalization, globalMax);
    }
    impl->barScale = impl->scales.empty() ? ColorScale() : impl->scales.front();
    focusedLayer_ = impl->data.focusedLayer;
    focusedHead_ = impl->data.focusedHead;
    title_ = impl->data.title;
    d_ = std::move(impl);
}

GridFigure GridFigure::refocused(int focusedLayer, int focusedHead, const QString& title) const {
    GridFigure f = *this;
    f.focusedLayer_ = focusedLayer;
    f.focusedHead_ = focusedHead;
    f.title_ = title;
    return f;
}

const GridFigureData& GridFigure::data() const { return d_->data; }

GridFigureLayout GridFigure::Impl::layoutIn(const QRectF& bounds, const QString& title, QSizeF* needed) const {
    GridFigureLayout l;
    l.bounds = bounds;
    const double base = figure::basePixels(style);
    const double margin = std::round(base * 0.8);
    l.titleFont = figure::font(base * 1.25, true);
    l.axisFont = figure::font(base);
    const QFontMetricsF titleMetrics(l.titleFont);
    const QFontMetricsF axisMetrics(l.axisFont);
    const double titleHeight = title.isEmpty() ? 0.0 : titleMetrics.height() + base * 0.6;
    const double axisTitle = axisMetrics.height() + base * 0.3;
    const double bar = barBlock(base);
    l.numberGap = base * 0.35;

    const double width = bounds.width() - 2 * margin;
    const double height = bounds.height() - 2 * margin;
    // Numbers are sized to the thumbnails; start big and settle.
    double pixels = base;
    for (int round = 0; round < 4; ++round) {
        const QFontMetricsF metrics(figure::font(pixels));
        l.numberWidth = metrics.horizontalAdvance(QString::number(std::max(0, data.layers - 1))) + l.numberGap;
        l.numberHeight = metrics.height() + l.numberGap * 0.5;
        const double gridWidth = width - axisTitle - l.numberWidth - bar;
        const double gridHeight = height - titleHeight - axisTitle - l.numberHeight;
        // Gaps are a fixed fraction of a thumbnail: t * (n + (n - 1) * 0.1) = room.
        const double t = std::min(gridWidth / (data.heads + (data.heads - 1) * 0.1), gridHeight / (data.layers + (data.layers - 1) * 0.1));
        l.thumb = std::max(0.0, t);
        const double fitting = std::clamp(std::floor(l.thumb * 0.45), std::max(5.0, base * 0.65), base);
        if (std::abs(fitting - pixels) < 0.5) break;
        pixels = fitting;
    }
    l.numberFont = figure::font(pixels);
    l.gap = l.thumb * 0.1;
    const QFontMetricsF numberMetrics(l.numberFont);
    const double widestNumber = numberMetrics.horizontalAdvance(QString::number(std::max(data.heads, data.layers) - 1)) * 1.3;
    l.stride = l.thumb > 0 ? std::max(1, static_cast<int>(std::ceil(std::max(widestNumber, numberMetrics.height()) / (l.thumb + l.gap)))) : 1;
    const double gridWidth = data.heads * l.thumb + (data.heads - 1) * l.gap;
    const double gridHeight = data.layers * l.thumb + (data.layers - 1) * l.gap;
    const double contentWidth = axisTitle + l.numberWidth + gridWidth + bar;
    const double contentHeight = titleHeight + axisTitle + l.numberHeight + gridHeight;
    const double left = bounds.left() + margin + std::max(0.0, (width - contentWidth) / 2.0);
    const double top = bounds.top() + margin + std::max(0.0, (height - contentHeight) / 2.0);
    l.grid = QRectF(left + axisTitle + l.numberWidth, top + titleHeight + axisTitle + l.numberHeight, gridWidth, gridHeight);
    const double titleWidth = std::min(width, titleMetrics.horizontalAdvance(title) + 4.0);
    const double titleLeft = std::clamp(l.grid.center().x() - titleWidth / 2.0, bounds.left() + margin,
                                        std::max(bounds.left() + margin, bounds.right() - margin - titleWidth));
    l.title = QRectF(titleLeft, top, titleWidth, titleMetrics.height());
    if (style.showColorBar)
        l.colorBar = QRectF(l.grid.right() + base * 1.2, l.grid.top(), ColorBarPainter(colorMap, barScale, style).thickness(), gridHeight);
    const double minThumb = 4.0;
    *needed = QSizeF(2 * margin + axisTitle + l.numberWidth + bar + minThumb * data.heads * 1.1,
                     2 * margin + titleHeight + axisTitle + l.numberHeight + std::max(minThumb * data.layers * 1.1, base * 4.0));
    return l;
}

GridFigureLayout GridFigure::Impl::layout(const QRectF& area, const QString& title) const {
    QSizeF needed;
    GridFigureLayout l = layoutIn(area, title, &needed);
    if (needed.width() <= area.width() + 0.5 && needed.height() <= area.height() + 0.5) return l;
    const double s = std::min({1.0, area.width() / needed.width(), area.height() / needed.height()});
    if (!(s > 0.0)) return l;
    l = layoutIn(QRectF(0, 0, area.width() / s, area.height() / s), title, &needed);
    l.toArea = QTransform(s, 0, 0, s, area.left(), area.top());
    return l;
}

QSizeF GridFigure::naturalSize() const {
    const Impl& d = *d_;
    const double base = figure::basePixels(d.style);
    if (!d.valid()) return {base * 30.0, base * 20.0};
    const double thumb = std::clamp(d.mapSize() * 4.0, base * 5.0, base * 8.0);
    // Measure the frame with a generous layout, then add the thumbnails.
    QSizeF needed;
    d.layoutIn(QRectF(0, 0, 100000.0, 100000.0), title_, &needed);
    const double fixedWidth = needed.width() - 4.0 * d.data.heads * 1.1;
    const double fixedHeight = needed.height() - std::max(4.0 * d.data.layers * 1.1, base * 4.0);
    double width = fixedWidth + thumb * (d.data.heads + (d.data.heads - 1) * 0.1);
    if (!title_.isEmpty()) width = std::max(width, QFontMetricsF(figure::font(base * 1.25, true)).horizontalAdvance(title_) + base * 2.0);
    return {std::ceil(width), std::ceil(fixedHeight + thumb * (d.data.layers + (d.data.layers - 1) * 0.1))};
}

void GridFigure::paint(QPainter& painter, const QRectF& area) const {
    const Impl& d = *d_;
    figure::PaintScope scope(painter, area, d.style, !d.valid(), QStringLiteral("No attention to show"));
    if (scope.empty()) return;
    const GridFigureLayout l = d.layout(area, title_);
    scope.enterLayout(l.toArea);
    const double base = figure::basePixels(d.style);
    const QColor muted = figure::mix(d.style.foreground, d.style.background, 0.3);

    // Thumbnails: vector cells when each cell covers at least about a device pixel, else an image.
    const QTransform device = painter.deviceTransform();
    const double deviceScale = std::max(std::abs(device.m11()), std::abs(device.m22()));
    for (int layer = 0; layer < d.data.layers; ++layer) {
        for (int head = 0; head < d.data.heads; ++head) {
            const std::size_t index = static_cast<std::size_t>(layer) * d.data.heads + head;
            const AttentionMatrix& m = d.data.maps[index];
            const QRectF box = l.thumbnail(layer, head);
            if (m.rows == 0 || m.cols == 0) continue;
            const double cell = std::min(box.width() / m.cols, box.height() / m.rows);
            if (cell * deviceScale >= 1.5) {
                paintCells(painter, box.topLeft(), cell, m, {0, m.rows, 0, m.cols}, d.scales[index], d.colorMap);
            } else {
                painter.save();
                painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
                const int side = std::max(1, static_cast<int>(std::ceil(box.width() * deviceScale)));
                painter.drawImage(QRectF(box.topLeft(), QSizeF(cell * m.cols, cell * m.rows)), d.thumbnailImage(index, side));
                painter.restore();
            }
        }
    }

    // Focus: the chosen head, or the whole layer for an aggregate.
    const double pen = std::max(1.0, d.style.lineWidth * 1.5);
    painter.setBrush(Qt::NoBrush);
    if (focusedLayer_ >= 0 && focusedLayer_ < d.data.layers) {
        QRectF focus;
        if (focusedHead_ >= 0 && focusedHead_ < d.data.heads)
            focus = l.thumbnail(focusedLayer_, focusedHead_);
        else
            focus = l.thumbnail(focusedLayer_, 0).united(l.thumbnail(focusedLayer_, d.data.heads - 1));
        const double out = std::min(l.gap * 0.5, pen * 1.5);
        focus.adjust(-out, -out, out, out);
        painter.setPen(QPen(d.style.background, pen * 2.0));
        painter.drawRect(focus);
        painter.setPen(QPen(d.style.foreground, pen));
        painter.drawRect(focus);
    }

    // Numbers and axis titles.
    const QFontMetricsF numberMetrics(l.numberFont);
    painter.setFont(l.numberFont);
    for (int head = 0; head < d.data.heads; head += l.stride) {
        const QRectF t = l.thumbnail(0, head);
        const bool focused = head == focusedHead_;
        QFont f = l.numberFont;
        f.setBold(focused);
        painter.setFont(f);
        painter.setPen(d.style.foreground);
        painter.drawText(QRectF(t.center().x() - t.width(), l.grid.top() - l.numberHeight, t.width() * 2.0, numberMetrics.height()),
                         Qt::AlignCenter, QString::number(head));
    }
    for (int layer = 0; layer < d.data.layers; layer += l.stride) {
        const QRectF t = l.thumbnail(layer, 0);
        QFont f = l.numberFont;
        f.setBold(layer == focusedLayer_);
        painter.setFont(f);
        painter.setPen(d.style.foreground);
        painter.drawText(QRectF(l.grid.left() - l.numberWidth - l.bounds.width(), t.center().y() - numberMetrics.height() / 2.0,
                                l.numberWidth - l.numberGap + l.bounds.width(), numberMetrics.height()),
                         Qt::AlignRight | Qt::AlignVCenter, QString::number(layer));
    }
    const QFontMetricsF axisMetrics(l.axisFont);
    painter.setPen(muted);
    figure::drawCenteredText(painter,
                             QRectF(l.grid.left(), l.grid.top() - l.numberHeight - base * 0.3 - axisMetrics.height(), l.grid.width(), axisMetrics.height()),
                             QStringLiteral("Head"), l.axisFont);
    // "Layer" is centred on the grid but may run past a short grid's ends.
    figure::drawAxisTitle(painter, QStringLiteral("Layer"), l.axisFont, Qt::Vertical, l.grid.center().y(),
                          l.grid.left() - l.numberWidth - base * 0.3 - axisMetrics.height() / 2.0, l.grid.top() - l.numberHeight,
                          l.bounds.bottom() - std::round(base * 0.8));
    if (!title_.isEmpty()) {
        painter.setPen(d.style.foreground);
        figure::drawCenteredText(painter, l.title, title_, l.titleFont);
    }
    if (d.style.showColorBar) ColorBarPainter(d.colorMap, d.barScale, d.style).paintVertical(painter, l.colorBar);
}

GridFigure::Hit GridFigure::hitTest(const QRectF& area, const QPointF& pos) const {
    const Impl& d = *d_;
    if (!d.valid()) return {};
    const GridFigureLayout l = d.layout(area, title_);
    const QPointF p = l.toArea.inverted().map(pos);
    const double pitch = l.thumb + l.gap;
    if (pitch <= 0.0 || !l.grid.contains(p)) return {};
    const int head = static_cast<int>((p.x() - l.grid.left()) / pitch);
    const int layer = static_cast<int>((p.y() - l.grid.top()) / pitch);
    if (head < 0 || head >= d.data.heads || layer < 0 || layer >= d.data.layers) return {};
    if (!l.thumbnail(layer, head).contains(p)) return {};  // in a gap
    return {layer, head};
}

QRectF GridFigure::thumbnailRect(const QRectF& area, int layer, int head) const {
    const Impl& d = *d_;
    if (!d.valid()) return {};
    const GridFigureLayout l = d.layout(area, title_);
    return l.toArea.mapRect(l.thumbnail(layer, head));
}

}  // namespace attnscope::ui
