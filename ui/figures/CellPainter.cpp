#include "CellPainter.h"

#include <QPaintEngine>
#include <QPainter>

#include <algorithm>
#include <vector>

namespace attnscope::ui {

void paintCells(QPainter& painter, const QPointF& topLeft, double cell, const AttentionMatrix& m, const CellWindow& w,
                const ColorScale& scale, const ColorMap& map) {
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(Qt::NoPen);
    const double overlap = std::min(cell * 0.3, 1.0);
    for (int i = 0; i < w.rows; ++i) {
        const int r = w.firstRow + i;
        const double y = topLeft.y() + i * cell;
        const double extraY = i + 1 < w.rows ? overlap : 0.0;
        auto colourAt = [&](int j) { return map.rgbAt(scale.position(r, m.at(r, w.firstColumn + j))); };
        int j = 0;
        while (j < w.columns) {
            const QRgb rgb = colourAt(j);
            int end = j + 1;
            while (end < w.columns && colourAt(end) == rgb) ++end;
            const double extraX = end < w.columns ? overlap : 0.0;
            painter.setBrush(QColor::fromRgb(rgb));
            painter.drawRect(QRectF(topLeft.x() + j * cell, y, (end - j) * cell + extraX, cell + extraY));
            j = end;
        }
    }
    painter.restore();
}

QImage cellImage(const AttentionMatrix& m, const ColorScale& scale, const ColorMap& map, int maxSide) {
    return cellImage(m, {0, m.rows, 0, m.cols}, scale, map, maxSide);
}

QImage cellImage(const AttentionMatrix& m, const CellWindow& w, const ColorScale& scale, const ColorMap& map, int maxSide) {
    if (w.rows <= 0 || w.columns <= 0) return {};
    const int bin = maxSide > 0 ? std::max(1, (std::max(w.rows, w.columns) + maxSide - 1) / maxSide) : 1;
    const int width = (w.columns + bin - 1) / bin;
    const int height = (w.rows + bin - 1) / bin;
    QImage image(width, height, QImage::Format_RGB32);
    std::vector<double> top(static_cast<std::size_t>(width));
    for (int y = 0; y < height; ++y) {
        std::fill(top.begin(), top.end(), 0.0);
        for (int i = y * bin; i < std::min(w.rows, (y + 1) * bin); ++i) {
            const int r = w.firstRow + i;
            const float* row = m.values.data() + static_cast<std::size_t>(r) * m.cols + w.firstColumn;
            for (int x = 0; x < width; ++x) {
                // Within a row the colour position never falls as the value rises, so the
                // block's largest value gives its top colour: one position() per row and block.
                float hi = -1.0f;
                for (int j = x * bin; j < std::min(w.columns, (x + 1) * bin); ++j)
                    if (row[j] > hi) hi = row[j];  // NaN never compares greater
                top[static_cast<std::size_t>(x)] = std::max(top[static_cast<std::size_t>(x)], scale.position(r, hi));
            }
        }
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = 0; x < width; ++x) line[x] = map.rgbAt(top[static_cast<std::size_t>(x)]);
    }
    return image;
}

QImage CellImageCache::image(const AttentionMatrix& m, const CellWindow& w, const ColorScale& scale, const ColorMap& map,
                             int maxSide) const {
    const std::lock_guard<std::mutex> lock(mutex_);
    const bool same = !image_.isNull() && maxSide == maxSide_ && w.firstRow == window_.firstRow && w.rows == window_.rows &&
                      w.firstColumn == window_.firstColumn && w.columns == window_.columns;
    if (!same) {
        image_ = cellImage(m, w, scale, map, maxSide);
        window_ = w;
        maxSide_ = maxSide;
    }
    return image_;
}

bool paintCellsAsImage(QPainter& painter, const QPointF& topLeft, double cell, const AttentionMatrix& m, const CellWindow& w,
                       const ColorScale& scale, const ColorMap& map, const CellImageCache* cache) {
    const QPaintEngine* engine = painter.paintEngine();
    if (!engine || engine->type() != QPaintEngine::Raster) return false;
    const QTransform device = painter.deviceTransform();
    const double deviceScale = std::max(std::abs(device.m11()), std::abs(device.m22()));
    const bool shrink = cell * deviceScale < 1.0;
    const int side = shrink ? std::max(1, static_cast<int>(std::ceil(cell * std::max(w.rows, w.columns) * deviceScale))) : 0;
    const QImage image = cache ? cache->image(m, w, scale, map, side) : cellImage(m, w, scale, map, side);
    painter.save();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, shrink);
    painter.drawImage(QRectF(topLeft, QSizeF(cell * w.columns, cell * w.rows)), image);
    painter.restore();
    return true;
}

}  // namespace attnscope::ui
