#include "ModelImage.h"

#include <algorithm>

namespace attnscope::ui {

QImage toQImage(const RgbImage& image) {
    if (image.width <= 0 || image.height <= 0) return {};
    QImage out(image.width, image.height, QImage::Format_RGB888);
    for (int y = 0; y < image.height; ++y)
        std::copy_n(image.pixels.data() + static_cast<std::size_t>(y) * image.width * 3, static_cast<std::size_t>(image.width) * 3,
                    out.scanLine(y));
    return out;
}

}  // namespace attnscope::ui
