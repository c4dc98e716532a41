// Image preprocessing as transformers' ViT/DeiT image processors do it with PIL: every pixel
// within one 8-bit step of the reference pixel_values, and the model's attention on them.
#include <QImage>
#include <QtTest>

#include <cmath>

#include "Error.h"
#include "GoldenFixtures.h"
#include "io/SafetensorsFile.h"
#include "model/TransformerModel.h"
#include "vision/ImagePreprocessor.h"

using namespace attnscope;

namespace {

// Qt decodes; the test hands the engine RGB8 as the app does.
RgbImage loadRgb(const std::filesystem::path& file) {
    QImage img(QString::fromStdString(file.string()));
    if (img.isNull()) throw std::runtime_error("cannot decode " + file.string());
    img = img.convertToFormat(QImage::Format_RGB888);
    RgbImage out{img.width(), img.height(), {}};
    for (int y = 0; y < img.height(); ++y) {
        const auto* line = img.constScanLine(y);
        out.pixels.insert(out.pixels.end(), line, line + img.width() * 3);
    }
    return out;
}

}  // namespace

class ImagePreprocessingTest : public QObject {
    Q_OBJECT
private slots:
    void matchesReferencePixelValues_data();
    void matchesReferencePixelValues();
    void pillowResizeKnownValues();
    void lumaMatchesPillow();
    void badConfigsAreNamed();
};

void ImagePreprocessingTest::matchesReferencePixelValues_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<int>("caseIndex");
    for (const char* family : {"vit", "deit"})
        for (int i = 0; i < 3; ++i) QTest::addRow("%s/case%d", family, i) << QString(family) << i;
}

void ImagePreprocessingTest::matchesReferencePixelValues() {
    QFETCH(QString, family);
    QFETCH(int, caseIndex);
    const auto dir = fixtures::goldenDir() / family.toStdString();
    const auto expected = fixtures::readJson(dir / "expected.json");
    const RgbImage image = loadRgb(dir / expected["cases"][caseIndex]["image"].get<std::string>());
    const auto pre = ImagePreprocessor::fromFile(dir / "model" / "preprocessor_config.json");
    const PixelValues px = pre.apply(image, 3);

    SafetensorsFile golden(dir / "expected.safetensors");
    const std::string key = "case" + std::to_string(caseIndex) + ".";
    const TensorInfo* ref = golden.find(key + "pixel_values");
    QVERIFY(ref);
    QCOMPARE(ref->shape, (std::vector<std::int64_t>{px.channels, px.height, px.width}));
    const auto refValues = golden.toFloat(*ref);
    double worstSteps = 0;  // difference in 8-bit steps, before normalisation
    int differing = 0;
    for (int ch = 0; ch < 3; ++ch)
        for (int i = 0; i < px.height * px.width; ++i) {
            const std::size_t at = static_cast<std::size_t>(ch) * px.height * px.width + i;
            const double steps = std::abs(double(px.values[at]) - refValues[at]) * pre.std[ch] * 255.0;
            worstSteps = std::max(worstSteps, steps);
            differing += steps > 0.5;
        }
    qInfo("worst pixel difference: %.4f of an 8-bit step; %d of %zu values differ", worstSteps, differing, refValues.size());
    QVERIFY2(worstSteps <= 1.0 + 1e-3, qPrintable(QString::number(worstSteps)));

    // And the model on our pixels gives nearly the reference attention. Exact parity is
    // checked from the reference pixel_values (test_model_parity); from the image, the few
    // values one 8-bit step apart move attention slightly.
    TransformerModel model(ModelConfig::fromFile(dir / "model" / "config.json"),
                           std::make_unique<CheckpointWeights>(dir / "model"));
    ForwardInput in;
    in.pixels = px;
    const auto r = model.forward(in);
    const auto refAtt = golden.toFloat(*golden.find(key + "attentions"));
    double diff = 0;
    for (std::size_t i = 0; i < refAtt.size(); ++i) diff = std::max(diff, std::abs(double(r->record.attention().data()[i]) - refAtt[i]));
    qInfo("attention max abs diff from the image: %.3g", diff);
    QVERIFY2(diff <= 1e-2, qPrintable(QString::number(diff)));
}

void ImagePreprocessingTest::pillowResizeKnownValues() {
    // A 2x1 image halved horizontally with a bilinear filter averages the two pixels,
    // rounding half up: (10 + 21) / 2 = 15.5 -> 16.
    RgbImage two{2, 1, {10, 0, 255, 21, 255, 0}};
    const RgbImage one = resizeLikePillow(two, 1, 1, ResampleFilter::Bilinear);
    QCOMPARE(one.pixels, (std::vector<std::uint8_t>{16, 128, 128}));
    // Nearest picks the pixel under each output centre.
    RgbImage four{4, 1, {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4}};
    QCOMPARE(resizeLikePillow(four, 2, 1, ResampleFilter::Nearest).pixels, (std::vector<std::uint8_t>{2, 2, 2, 4, 4, 4}));
    // Same size is the identity for every filter.
    QCOMPARE(resizeLikePillow(four, 4, 1, ResampleFilter::Lanczos).pixels, four.pixels);
}

void ImagePreprocessingTest::lumaMatchesPillow() {
    QCOMPARE(int(lumaLikePillow(255, 255, 255)), 255);
    QCOMPARE(int(lumaLikePillow(0, 0, 0)), 0);
    QCOMPARE(int(lumaLikePillow(255, 0, 0)), 76);   // PIL: Image.new("RGB",(1,1),(255,0,0)).convert("L") -> 76
    QCOMPARE(int(lumaLikePillow(0, 255, 0)), 150);
    QCOMPARE(int(lumaLikePillow(0, 0, 255)), 29);
}

void ImagePreprocessingTest::badConfigsAreNamed() {
    const auto err = [](const char* json) {
        try {
            ImagePreprocessor::fromJson(nlohmann::json::parse(json), "preprocessor_config.json");
        } catch (const Error& e) {
            return QString(e.what());
        }
        return QString();
    };
    QVERIFY(err(R"({"size": {"height": 0, "width": 3}})").contains("size.height"));
    QVERIFY(err(R"({"resample": 9})").contains("resample"));
    QVERIFY(err(R"({"image_std": [0.5, 0, 0.5]})").contains("image_std"));
    QVERIFY(err(R"({"size": "big"})").contains("size"));
    QVERIFY(err(R"([])").contains("JSON object"));
}

QTEST_APPLESS_MAIN(ImagePreprocessingTest)
#include "test_image_preprocessing.moc"
