#pragma once
// Whether an exported or grabbed picture shows a drawing, so that a blank export can never
// pass for a good one: every figure colours something (heatmap cells, token chips, patches,
// lens cells, one line colour per head), while a blank image, a grey one, or one holding only
// a placeholder message (antialiased grey text) has no saturated colour at all.
#include <QColor>
#include <QImage>
#include <QSet>

namespace imagechecks {

// The distinct saturated colours in `image` (counting stops at `enough`).
inline int saturatedColours(const QImage& image, int enough = 64) {
    QSet<QRgb> seen;
    for (int y = 0; y < image.height() && seen.size() < enough; ++y)
        for (int x = 0; x < image.width() && seen.size() < enough; ++x) {
            const QRgb pixel = image.pixel(x, y);
            if (QColor(pixel).hsvSaturation() >= 80 && QColor(pixel).value() >= 40) seen.insert(pixel);
        }
    return static_cast<int>(seen.size());
}

inline bool showsDrawing(const QImage& image, int colours = 4) { return !image.isNull() && saturatedColours(image) >= colours; }

}  // namespace imagechecks
