// The viridis table matches matplotlib's at its ends and middle.
#include <QtTest>

#include "ColorMap.h"

using attnscope::ui::ColorMap;

class TestColorMap : public QObject {
    Q_OBJECT
private slots:
    void viridisMatchesMatplotlib();
    void clampsOutOfRange();
    void stripRunsUpwards();
};

namespace {
bool near(QRgb a, QRgb b, int tolerance = 2) {
    return std::abs(qRed(a) - qRed(b)) <= tolerance && std::abs(qGreen(a) - qGreen(b)) <= tolerance &&
           std::abs(qBlue(a) - qBlue(b)) <= tolerance;
}
}  // namespace

void TestColorMap::viridisMatchesMatplotlib() {
    const ColorMap viridis = ColorMap::viridis();
    QCOMPARE(viridis.name(), QStringLiteral("viridis"));
    QCOMPARE(viridis.rgbAt(0.0), qRgb(0x44, 0x01, 0x54));  // #440154
    QCOMPARE(viridis.rgbAt(1.0), qRgb(0xfd, 0xe7, 0x25));  // #fde725
    QVERIFY(near(viridis.rgbAt(0.5), qRgb(0x21, 0x91, 0x8c)));   // #21918c
    QVERIFY(near(viridis.rgbAt(0.25), qRgb(0x3b, 0x52, 0x8b)));  // #3b528b
    QVERIFY(near(viridis.rgbAt(0.75), qRgb(0x5e, 0xc9, 0x62)));  // #5ec962
}

void TestColorMap::clampsOutOfRange() {
    const ColorMap viridis = ColorMap::viridis();
    QCOMPARE(viridis.rgbAt(-3.0), viridis.rgbAt(0.0));
    QCOMPARE(viridis.rgbAt(7.0), viridis.rgbAt(1.0));
    QCOMPARE(viridis.rgbAt(std::nan("")), viridis.rgbAt(0.0));
    QCOMPARE(ColorMap::byName(QStringLiteral("no such map")).name(), QStringLiteral("viridis"));
}

void TestColorMap::stripRunsUpwards() {
    const QImage strip = ColorMap::viridis().verticalStrip();
    QCOMPARE(strip.size(), QSize(1, 256));
    QCOMPARE(strip.pixel(0, 0), ColorMap::viridis().rgbAt(1.0));
    QCOMPARE(strip.pixel(0, 255), ColorMap::viridis().rgbAt(0.0));
}

QTEST_APPLESS_MAIN(TestColorMap)
#include "test_color_map.moc"
