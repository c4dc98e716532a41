#include "vision/PillowResample.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "Error.h"

namespace attnscope {
namespace {

// Pillow keeps 8 bits for the result and 2 for overflow of negative lobes.
constexpr int kPrecisionBits = 32 - 8 - 2;

struct Filter {
    double (*weight)(double);
    double support;
};

double box(double x) { return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0; }
double bilinear(double x) {
    x = std::abs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}
double hamming(double x) {
    x = std::abs(x);
    if (x == 0.0) return 1.0;
    if (x >= 1.0) return 0.0;
    x *= std::numbers::pi;
    return std::sin(x) / x * (0.54f + 0.46f * std::cos(x));  // float constants, as Pillow writes them
}
double bicubic(double x) {
    constexpr double a = -0.5;
    x = std::abs(x);
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}
double sinc(double x) {
    if (x == 0.0) return 1.0;
    x *= std::numbers::pi;
    return std::sin(x) / x;
}
double lanczos(double x) { return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3) : 0.0; }

Filter filterFor(ResampleFilter f) {
    switch (f) {
    case ResampleFilter::Box: return {box, 0.5};
    case ResampleFilter::Bilinear: return {bilinear, 1.0};
    case ResampleFilter::Hamming: return {hamming, 1.0};
    case ResampleFilter::Bicubic: return {bicubic, 2.0};
    case ResampleFilter::Lanczos: return {lanczos, 3.0};
    case ResampleFilter::Nearest: break;
    }
    throw Error("nearest resampling has no filter kernel");
}

// Per output pixel: the first input pixel and the fixed-point weights of the span it reads.
struct Coefficients {
    std::vector<int> first;
    std::vector<std::vector<int>> weights;
};

Coefficients precompute(int inSize, int outSize, const Filter& filter) {
    const double scale = static_cast<double>(inSize) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = filter.support * filterScale;
    Coefficients c;
    c.first.resize(outSize);
    c.weights.resize(outSize);
    for (int xx = 0; xx < outSize; ++xx) {
        const double center = (xx + 0.5) * scale;
        const int xmin = std::max(static_cast<int>(center - support + 0.5), 0);
        const int xmax = std::min(static_cast<int>(center + support + 0.5), inSize) - xmin;
        std::vector<double> k(std::max(xmax, 0));
        double total = 0.0;
        for (int x = 0; x < xmax; ++x) {
            k[x] = filter.weight((x + xmin - center + 0.5) / filterScale);
            total += k[x];
        }
        std::vector<int>& fixed = c.weights[xx];
        fixed.resize(k.size());
        for (std::size_t x = 0; x < k.size(); ++x) {
            const double w = total != 0.0 ? k[x] / total : k[x];
            fixed[x] = static_cast<int>(w < 0 ? -0.5 + w * (1 << kPrecisionBits) : 0.5 + w * (1 << kPrecisionBits));
        }
        c.first[xx] = xmin;
    }
    return c;
}

std::uint8_t clip8(int sum) { return static_cast<std::uint8_t>(std::clamp(sum >> kPrecisionBits, 0, 255)); }

RgbImage horizontalPass(const RgbImage& in, int outWidth, const Filter& filter) {
    const Coefficients c = precompute(in.width, outWidth, filter);
    RgbImage out{outWidth, in.height, std::vector<std::uint8_t>(static_cast<std::size_t>(outWidth) * in.height * 3)};
    for (int y = 0; y < in.height; ++y)
        for (int xx = 0; xx < outWidth; ++xx)
            for (int ch = 0; ch < 3; ++ch) {
                int sum = 1 << (kPrecisionBits - 1);
                const auto& w = c.weights[xx];
                for (std::size_t x = 0; x < w.size(); ++x) sum += in.at(c.first[xx] + static_cast<int>(x), y, ch) * w[x];
                out.pixels[(static_cast<std::size_t>(y) * outWidth + xx) * 3 + ch] = clip8(sum);
            }
    return out;
}

RgbImage verticalPass(const RgbImage& in, int outHeight, const Filter& filter) {
    const Coefficients c = precompute(in.height, outHeight, filter);
    RgbImage out{in.width, outHeight, std::vector<std::uint8_t>(static_cast<std::size_t>(in.width) * outHeight * 3)};
    for (int yy = 0; yy < outHeight; ++yy)
        for (int x = 0; x < in.width; ++x)
            for (int ch = 0; ch < 3; ++ch) {
                int sum = 1 << (kPrecisionBits - 1);
                const auto& w = c.weights[yy];
                for (std::size_t y = 0; y < w.size(); ++y) sum += in.at(x, c.first[yy] + static_cast<int>(y), ch) * w[y];
                out.pixels[(static_cast<std::size_t>(yy) * in.width + x) * 3 + ch] = clip8(sum);
            }
    return out;
}

RgbImage nearest(const RgbImage& in, int width, int height) {
    RgbImage out{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 3)};
    const double sx = static_cast<double>(in.width) / width, sy = static_cast<double>(in.height) / height;
    for (int y = 0; y < height; ++y) {
        const int srcY = std::min(static_cast<int>((y + 0.5) * sy), in.height - 1);
        for (int x = 0; x < width; ++x) {
            const int srcX = std::min(static_cast<int>((x + 0.5) * sx), in.width - 1);
            for (int ch = 0; ch < 3; ++ch)
                out.pixels[(static_cast<std::size_t>(y) * width + x) * 3 + ch] = in.at(srcX, srcY, ch);
        }
    }
    return out;
}

}  // namespace

RgbImage resizeLikePillow(const RgbImage& image, int width, int height, ResampleFilter filter) {
    if (width <= 0 || height <= 0 || image.width <= 0 || image.height <= 0)
        throw Error("cannot resize an image to or from zero size");
    if (width == image.width && height == image.height) return image;
    if (filter == ResampleFilter::Nearest) return nearest(image, width, height);
    const Filter f = filterFor(filter);
    // Pillow runs each pass only when that dimension changes. (It also restricts the
    // horizontal pass to the rows the vertical pass reads, which changes no pixel.)
    RgbImage out = width != image.width ? horizontalPass(image, width, f) : image;
    if (height != image.height) out = verticalPass(out, height, f);
    return out;
}

}  // namespace attnscope
