#include "ColorMap.h"

#include <cmath>
#include <vector>

namespace attnscope::ui {

namespace {

int lerp(int a, int b, double f) { return static_cast<int>(std::lround(a + (b - a) * f)); }

}  // namespace

ColorMap::ColorMap(QString name, std::initializer_list<QRgb> anchors) : name_(std::move(name)) {
    const std::vector<QRgb> stops(anchors);
    const int segments = static_cast<int>(stops.size()) - 1;
    for (int i = 0; i < 256; ++i) {
        const double x = i / 255.0 * segments;
        const int k = std::min(static_cast<int>(x), segments - 1);
        const double f = x - k;
        const QRgb a = stops[k];
        const QRgb b = stops[k + 1];
        table_[i] = qRgb(lerp(qRed(a), qRed(b), f), lerp(qGreen(a), qGreen(b), f), lerp(qBlue(a), qBlue(b), f));
    }
}

ColorMap ColorMap::viridis() {
    // matplotlib's viridis (CC0, van der Walt & Smith) sampled at t = k/32; linear
    // interpolation between these stays within 2/255 of the full 256-entry table.
    static const ColorMap map(QStringLiteral("viridis"), {
        qRgb(68, 1, 84),    qRgb(71, 13, 96),   qRgb(72, 24, 106),  qRgb(72, 35, 116),
        qRgb(71, 45, 123),  qRgb(69, 54, 129),  qRgb(66, 64, 134),  qRgb(63, 73, 137),
        qRgb(59, 82, 139),  qRgb(55, 90, 141),  qRgb(51, 99, 141),  qRgb(47, 106, 142),
        qRgb(44, 114, 142), qRgb(41, 122, 142), qRgb(38, 129, 142), qRgb(35, 137, 142),
        qRgb(33, 144, 140), qRgb(31, 152, 139), qRgb(31, 159, 136), qRgb(33, 166, 133),
        qRgb(40, 174, 128), qRgb(49, 181, 123), qRgb(62, 188, 116), qRgb(76, 194, 108),
        qRgb(93, 201, 99),  qRgb(110, 206, 88), qRgb(130, 211, 76), qRgb(150, 216, 63),
        qRgb(171, 220, 50), qRgb(192, 223, 36), qRgb(213, 226, 26), qRgb(234, 229, 26),
        qRgb(253, 231, 37),
    });
    return map;
}

ColorMap ColorMap::byName(const QString& name) {
    Q_UNUSED(name);  // viridis is the only map so far; magma, cividis, grayscale come later
    return viridis();
}

QStringList ColorMap::names() { return {QStringLiteral("viridis")}; }

QRgb ColorMap::rgbAt(double t) const {
    if (!(t > 0.0)) return table_.front();  // also catches NaN
    if (t >= 1.0) return table_.back();
    return table_[static_cast<std::size_t>(std::lround(t * 255.0))];
}

QImage ColorMap::verticalStrip() const {
    QImage strip(1, 256, QImage::Format_RGB32);
    for (int i = 0; i < 256; ++i) strip.setPixel(0, 255 - i, table_[i]);
    return strip;
}

}  // namespace attnscope::ui
