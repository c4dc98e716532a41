#pragma once
// Painting a Figure into an image, and checking that the drawing stayed inside its area.
#include <QColor>
#include <QImage>
#include <QPainter>
#include <QRectF>

#include "Figure.h"

namespace figurefixtures {

// An image of `size` filled with `sentinel`, the figure painted into `area` (the whole image
// when empty), so pixels the figure never touched still show the sentinel.
inline QImage paintInto(const attnscope::ui::Figure& f, const QSize& size, const QColor& sentinel, QRectF area = {}) {
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(sentinel);
    QPainter p(&image);
    f.paint(p, area.isEmpty() ? QRectF(QPointF(0, 0), QSizeF(size)) : area);
    p.end();
    return image;
}

// Nothing reaches the edge of the area: a 2-pixel frame of pure background means the
// drawing fits inside (figures clip to their area, so crossing the edge would crop).
inline bool edgesAreBackground(const QImage& image, QRgb background) {
    for (int x = 0; x < image.width(); ++x)
        for (int y : {0, 1, image.height() - 2, image.height() - 1})
            if (image.pixel(x, y) != background) return false;
    for (int y = 0; y < image.height(); ++y)
        for (int x : {0, 1, image.width() - 2, image.width() - 1})
            if (image.pixel(x, y) != background) return false;
    return true;
}

}  // namespace figurefixtures
