#include "ModelImage.h"

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

QImage toQImage(const RgbImage& image) {
    if (image.width <= 0 || image.height <= 0) return {};
    QImage out(image.width, image.height, QImage::Format_RGB888);
    for (int y = 0; y < image.height; ++y)
        std::copy_n(image.pixels.data() + static_cast<std::size_t>(y) * image.width * 3, static_cast<std::size_t>(image.width) * 3,
                    out.scanLine(y));
    return out;
}

QImage modelInputImage(const RgbImage& decoded, const ImagePreprocessor& preprocessor, int channels) {
    if (channels != 1) return toQImage(preprocessor.resizeAndCrop(decoded));
    RgbImage grey = decoded;
    for (std::size_t i = 0; i + 2 < grey.pixels.size(); i += 3)
        grey.pixels[i] = grey.pixels[i + 1] = grey.pixels[i + 2] = lumaLikePillow(grey.pixels[i], grey.pixels[i + 1], grey.pixels[i + 2]);
    return toQImage(preprocessor.resizeAndCrop(grey));
}

QImage imageFromPixelValues(const PixelValues& px, const ImagePreprocessor& pre) {
    if (px.empty() || px.width <= 0 || px.height <= 0 || px.channels <= 0) return {};
    const std::size_t plane = static_cast<std::size_t>(px.width) * px.height;
    if (px.values.size() < plane * px.channels) return {};
    QImage out(px.width, px.height, QImage::Format_RGB888);
    for (int y = 0; y < px.height; ++y) {
        uchar* line = out.scanLine(y);
        for (int x = 0; x < px.width; ++x) {
            for (int c = 0; c < 3; ++c) {
                const int channel = std::min(c, px.channels - 1);  // grey: one channel for all three
                double v = px.values[channel * plane + static_cast<std::size_t>(y) * px.width + x];
                if (pre.doNormalize && channel < static_cast<int>(pre.mean.size()) && channel < static_cast<int>(pre.std.size()))
                    v = v * pre.std[static_cast<std::size_t>(channel)] + pre.mean[static_cast<std::size_t>(channel)];
                if (pre.doRescale && pre.rescaleFactor > 0.0) v /= pre.rescaleFactor;
                line[3 * x + c] = static_cast<uchar>(std::clamp(std::lround(v), 0L, 255L));
            }
        }
    }
    return out;
}

}  // namespace attnscope::ui
