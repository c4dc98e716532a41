// Image files beyond PNG: the golden ViT image saved as JPEG, BMP and WebP with Qt's writers is
// decoded to the PNG's pixels (exactly where the format is lossless), accepted when dropped on
// the window, and analysed by the open vision model with the overlay at the model's size.
#include <QtTest>

#include <QImageReader>
#include <QImageWriter>
#include <QMimeData>
#include <QTemporaryDir>

#include "Analysis.h"
#include "GoldenFixtures.h"
#include "ImageFile.h"
#include "ImageInputBar.h"
#include "ImageOverlayView.h"
#include "MainWindow.h"
#include "WindowFixtures.h"
#include "model/Checkpoint.h"

using attnscope::ui::MainWindow;
using windowfixtures::drop;
using windowfixtures::kTimeoutMs;

namespace {

QString golden(const std::string& path) { return QString::fromStdString((fixtures::goldenDir() / path).string()); }

}  // namespace

class TestImageFormats : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void formatsAreDecodedAndAnalysed_data();
    void formatsAreDecodedAndAnalysed();

private:
    QTemporaryDir tmp_;
    QImage source_;
    std::shared_ptr<const attnscope::ui::Analysis> pngAnalysis_;
    int modelSize_ = 0;
};

void TestImageFormats::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(tmp_.isValid());
    QVERIFY(source_.load(golden("vit/image0.png")));
    const auto checkpoint = attnscope::Checkpoint::open(fixtures::goldenDir() / "vit" / "model");
    modelSize_ = checkpoint->config().imageSize;
    QVERIFY(modelSize_ > 0);
    attnscope::ui::AnalysisRequest request;
    request.imageFile = golden("vit/image0.png");
    pngAnalysis_ = attnscope::ui::computeAnalysis(*checkpoint, request);
    QVERIFY(pngAnalysis_ && !pngAnalysis_->input.pixels.empty());
}

void TestImageFormats::formatsAreDecodedAndAnalysed_data() {
    QTest::addColumn<QByteArray>("format");
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<bool>("lossless");
    QTest::newRow("jpeg") << QByteArray("jpeg") << QStringLiteral("jpg") << false;
    QTest::newRow("jpeg, long suffix") << QByteArray("jpeg") << QStringLiteral("jpeg") << false;
    QTest::newRow("bmp") << QByteArray("bmp") << QStringLiteral("bmp") << true;
    QTest::newRow("webp, lossless") << QByteArray("webp") << QStringLiteral("webp") << true;
}

void TestImageFormats::formatsAreDecodedAndAnalysed() {
    QFETCH(QByteArray, format);
    QFETCH(QString, suffix);
    QFETCH(bool, lossless);
    // The plugins are part of the app's dependencies (tools/install-deps.sh installs
    // qt6-image-formats-plugins for WebP): a missing one is a broken machine, not a skip.
    QVERIFY2(QImageWriter::supportedImageFormats().contains(format) && QImageReader::supportedImageFormats().contains(format),
             qPrintable(QStringLiteral("Qt cannot write and read %1 here; install qt6-image-formats-plugins (tools/install-deps.sh)")
                            .arg(QString::fromLatin1(format))));
    const QString path = tmp_.filePath(QStringLiteral("image0.") + suffix);
    QImageWriter writer(path, format);
    writer.setQuality(100);  // WebP at 100 is lossless; JPEG at its best
    QVERIFY2(writer.write(source_), qPrintable(writer.errorString()));
    QVERIFY(attnscope::ui::ImageInputBar::isImageFile(path));

    // Decoded as the engine sees it: the PNG's pixels, bit for bit where the format is lossless.
    const attnscope::RgbImage png = attnscope::ui::loadImageFile(golden("vit/image0.png"));
    const attnscope::RgbImage decoded = attnscope::ui::loadImageFile(path);
    QCOMPARE(decoded.width, png.width);
    QCOMPARE(decoded.height, png.height);
    if (lossless) QVERIFY(decoded.pixels == png.pixels);

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openModel(golden("vit/model"));
    QVERIFY(QTest::qWaitFor([&] { return window.session().checkpoint() && !window.session().isBusy(); }, kTimeoutMs));
    QSignalSpy errors(&window, &MainWindow::errorShown);
    QVERIFY(drop(window, {path}));
    QVERIFY(QTest::qWaitFor([&] { return window.session().analysis() && !window.session().isBusy(); }, kTimeoutMs));
    QCOMPARE(errors.count(), 0);
    const auto analysis = window.session().analysis();
    QCOMPARE(analysis->imagePath, path);
    QVERIFY(analysis->hasImage());
    QCOMPARE(analysis->tokenCount(), pngAnalysis_->tokenCount());
    QCOMPARE(window.currentView(), attnscope::ui::ViewKind::Overlay);
    const attnscope::ui::ImageOverlayFigure* overlay = window.overlayView()->overlayFigure();
    QVERIFY(overlay);
    QCOMPARE(overlay->data().image.size(), QSize(modelSize_, modelSize_));
    QVERIFY(!overlay->data().predictions.empty());
    // The model's input: the PNG's pixel values exactly where the format is lossless.
    if (lossless) {
        const auto& mine = analysis->input.pixels.values;
        const auto& theirs = pngAnalysis_->input.pixels.values;
        QCOMPARE(fixtures::maxAbsDiff(mine, theirs), 0.0);
        QCOMPARE(analysis->attention(0).toFloat32(), pngAnalysis_->attention(0).toFloat32());
    }
}

QTEST_MAIN(TestImageFormats)
#include "test_image_formats.moc"
