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

ColorMap ColorMap::magma() {
    // matplotlib's magma (CC0, van der Walt & Smith) sampled at t = k/32, as viridis above.
    static const ColorMap map(QStringLiteral("magma"), {
        qRgb(0, 0, 4),       qRgb(3, 3, 18),      qRgb(10, 8, 34),     qRgb(19, 13, 52),
        qRgb(29, 17, 71),    qRgb(41, 17, 90),    qRgb(54, 16, 107),   qRgb(68, 15, 118),
        qRgb(81, 18, 124),   qRgb(93, 23, 127),   qRgb(106, 28, 129),  qRgb(118, 33, 129),
        qRgb(131, 38, 129),  qRgb(144, 42, 129),  qRgb(156, 46, 127),  qRgb(170, 51, 125),
        qRgb(183, 55, 121),  qRgb(194, 59, 117),  qRgb(207, 64, 112),  qRgb(219, 71, 106),
        qRgb(229, 80, 100),  qRgb(238, 91, 94),   qRgb(244, 105, 92),  qRgb(249, 120, 93),
        qRgb(251, 135, 97),  qRgb(253, 150, 104), qRgb(254, 165, 113), qRgb(254, 180, 123),
        qRgb(254, 194, 135), qRgb(254, 209, 148), qRgb(253, 224, 161), qRgb(252, 238, 176),
        qRgb(252, 253, 191),
    });
    return map;
}

ColorMap ColorMap::cividis() {
    // matplotlib's cividis (CC0, Nuñez, Anderton & Renslow 2018), optimised for colour-vision
    // deficiency, sampled at t = k/32.
    static const ColorMap map(QStringLiteral("cividis"), {
        qRgb(0, 34, 78),     qRgb(0, 40, 91),     qRgb(0, 46, 106),    qRgb(5, 51, 113),
        qRgb(26, 56, 111),   qRgb(39, 62, 110),   qRgb(50, 67, 109),   qRgb(59, 73, 108),
        qRgb(67, 78, 108),   qRgb(75, 84, 108),   qRgb(83, 90, 109),   qRgb(90, 95, 110),
        qRgb(97, 101, 111),  qRgb(104, 106, 113), qRgb(111, 112, 115), qRgb(118, 118, 118),
        qRgb(125, 124, 120), qRgb(131, 129, 121), qRgb(139, 135, 120), qRgb(146, 141, 120),
        qRgb(154, 147, 118), qRgb(162, 153, 117), qRgb(170, 160, 115), qRgb(179, 166, 112),
        qRgb(187, 173, 109), qRgb(195, 179, 105), qRgb(204, 186, 100), qRgb(212, 193, 95),
        qRgb(221, 200, 88),  qRgb(230, 208, 81),  qRgb(239, 215, 72),  qRgb(248, 223, 60),
        qRgb(254, 232, 56),
    });
    return map;
}

ColorMap ColorMap::diverging() {
    // ColorBrewer's RdBu (Brewer, Harrower & Pennsylvania State University), nine classes,
    // reversed so that positive is red; its centre is the neutral near-white.
    static const ColorMap map(QStringLiteral("diverging"), {
        qRgb(33, 102, 172),  qRgb(67, 147, 195),  qRgb(146, 197, 222), qRgb(209, 229, 240), qRgb(247, 247, 247),
        qRgb(253, 219, 199), qRgb(244, 165, 130), qRgb(214, 96, 77),   qRgb(178, 24, 43),
    });
    return map;
}

ColorMap ColorMap::grayscale() {
    // Black (no attention) to white, as matplotlib's "gray".
    static const ColorMap map(QStringLiteral("grayscale"), {qRgb(0, 0, 0), qRgb(255, 255, 255)});
    return map;
}

ColorMap ColorMap::byName(const QString& name) {
    const QString key = name.trimmed().toLower();
    if (key == QLatin1String("magma")) return magma();
    if (key == QLatin1String("cividis")) return cividis();
    if (key == QLatin1String("grayscale") || key == QLatin1String("greyscale") || key == QLatin1String("gray") ||
        key == QLatin1String("grey"))
        return grayscale();
    return viridis();
}

bool ColorMap::isKnown(const QString& name) {
    const QString key = name.trimmed().toLower();
    return names().contains(key) || key == QLatin1String("greyscale") || key == QLatin1String("gray") ||
           key == QLatin1String("grey");
}

QStringList ColorMap::names() {
    return {QStringLiteral("viridis"), QStringLiteral("magma"), QStringLiteral("cividis"), QStringLiteral("grayscale")};
}

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
