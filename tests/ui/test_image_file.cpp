// Decoding image files for vision models: PIL-like RGB conversion and refusal of bad files.
#include <QBuffer>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include "CraftedPng.h"
#include "Error.h"
#include "GoldenFixtures.h"
#include "ImageFile.h"

using namespace attnscope;

using fixtures::pngHeaderClaiming;

class ImageFileTest : public QObject {
    Q_OBJECT
private slots:
    void decodesGoldenImage();
    void dropsAlphaAndReplicatesGrey();
    void refusesBadFiles();
    void refusesHugeClaimedSizeBeforeDecoding();
};

void ImageFileTest::decodesGoldenImage() {
    const RgbImage img = ui::loadImageFile(QString::fromStdString((fixtures::goldenDir() / "vit" / "image2.png").string()));
    QCOMPARE(img.width, 61);
    QCOMPARE(img.height, 77);
    QCOMPARE(img.pixels.size(), std::size_t(61 * 77 * 3));
}

void ImageFileTest::dropsAlphaAndReplicatesGrey() {
    QTemporaryDir tmp;
    QImage rgba(2, 1, QImage::Format_RGBA8888);
    rgba.setPixelColor(0, 0, QColor(255, 0, 0, 128));
    rgba.setPixelColor(1, 0, QColor(10, 20, 30, 0));
    QVERIFY(rgba.save(tmp.filePath("a.png")));
    const RgbImage a = ui::loadImageFile(tmp.filePath("a.png"));
    QCOMPARE(a.pixels, (std::vector<std::uint8_t>{255, 0, 0, 10, 20, 30}));  // alpha dropped, not blended

    QImage grey(1, 1, QImage::Format_Grayscale8);
    grey.scanLine(0)[0] = 77;
    QVERIFY(grey.save(tmp.filePath("g.png")));
    QCOMPARE(ui::loadImageFile(tmp.filePath("g.png")).pixels, (std::vector<std::uint8_t>{77, 77, 77}));
}

void ImageFileTest::refusesBadFiles() {
    QTemporaryDir tmp;
    QVERIFY_THROWS_EXCEPTION(Error, ui::loadImageFile(tmp.filePath("missing.png")));
    QFile text(tmp.filePath("text.png"));
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("this is not an image");
    text.close();
    QVERIFY_THROWS_EXCEPTION(Error, ui::loadImageFile(tmp.filePath("text.png")));
    // A real PNG cut in half.
    QFile golden(QString::fromStdString((fixtures::goldenDir() / "vit" / "image2.png").string()));
    QVERIFY(golden.open(QIODevice::ReadOnly));
    const QByteArray bytes = golden.readAll();
    QFile cut(tmp.filePath("cut.png"));
    QVERIFY(cut.open(QIODevice::WriteOnly));
    cut.write(bytes.left(bytes.size() / 2));
    cut.close();
    try {
        ui::loadImageFile(tmp.filePath("cut.png"));
        QFAIL("a truncated PNG must be refused");
    } catch (const Error& e) {
        QVERIFY(QString(e.what()).contains("cut.png"));
    }
}

void ImageFileTest::refusesHugeClaimedSizeBeforeDecoding() {
    QTemporaryDir tmp;
    QFile f(tmp.filePath("huge.png"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(pngHeaderClaiming(100000, 100000));
    f.close();
    try {
        ui::loadImageFile(tmp.filePath("huge.png"));
        QFAIL("a 100000 x 100000 image must be refused");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("100000 x 100000"), e.what());
    }
}

QTEST_MAIN(ImageFileTest)
#include "test_image_file.moc"
