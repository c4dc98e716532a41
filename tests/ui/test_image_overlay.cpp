// The image overlay of vision models on the golden vit and deit checkpoints and the trained
// vit-mnist3: its cells are the engine's numbers (the query's row of computeAttentionMatrix
// laid on the patch grid), its predictions are topPredictions', it draws what the model saw,
// honours opacity and colour, exports like every figure, and its view selects clicked patches.
#include <QtTest>

#include <QPainter>
#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include <cmath>

#include "Analysis.h"
#include "AnalysisJob.h"
#include "AttentionSelection.h"
#include "ColorMap.h"
#include "Error.h"
#include "FigureBuilder.h"
#include "FigureExporter.h"
#include "GoldenFixtures.h"
#include "ImageChecks.h"
#include "ImageFile.h"
#include "ImageOverlayFigure.h"
#include "ImageOverlayView.h"
#include "ViewExport.h"
#include "ViewFixtures.h"
#include "analysis/Predictions.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"
#include "model/Checkpoint.h"
#include "model/PreparedInput.h"

using namespace attnscope;
using namespace attnscope::ui;

namespace {

QString goldenFile(const std::string& family, const std::string& file) {
    return QString::fromStdString((fixtures::goldenDir() / family / file).string());
}
QString mnistFolder() { return QString::fromStdString((fixtures::modelsDir() / "vit-mnist3").string()); }

std::shared_ptr<const Analysis> analyse(const QString& folder, const AnalysisRequest& request) {
    const auto checkpoint = Checkpoint::open(std::filesystem::path(folder.toStdString()));
    return computeAnalysis(*checkpoint, request);
}

std::shared_ptr<const Analysis> analyseImage(const QString& folder, const QString& image) {
    AnalysisRequest request;
    request.imageFile = image;
    return analyse(folder, request);
}

// A "0" as MNIST writes it: a white ring on black, 28 x 28.
QString drawRingZero(const QString& path) {
    QImage image(28, 28, QImage::Format_Grayscale8);
    image.fill(Qt::black);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(Qt::white, 3.0));
    painter.drawEllipse(QPointF(14, 14), 6.0, 9.0);
    painter.end();
    image.save(path);
    return path;
}

ViewRequest overlayRequest(const AttentionQuery& query, int selectedQuery = -1) {
    ViewRequest request;
    request.kind = ViewKind::Overlay;
    request.query = query;
    request.selectedQuery = selectedQuery;
    return request;
}

AttentionQuery singleHead(int layer, int head) {
    AttentionQuery q;
    q.layer = layer;
    q.head = head;
    return q;
}

// The figure's cells against the matrix the engine computes for the same selection.
void verifyCellsAreRow(const Analysis& analysis, const ImageOverlayFigureData& data, const AttentionQuery& query, int token) {
    const AttentionMatrix m = computeAttentionMatrix(analysis.attention(0), query, analysis.tokens().special);
    int row = -1;
    for (int r = 0; r < m.rows; ++r)
        if (m.rowTokens[static_cast<std::size_t>(r)] == token) row = r;
    QVERIFY(row >= 0);
    QCOMPARE(static_cast<int>(data.patchWeights.size()), analysis.patches().count());
    int others = 0;
    for (int c = 0; c < m.cols; ++c) {
        const int key = m.colTokens[static_cast<std::size_t>(c)];
        const int patch = analysis.patches().patchOfToken(key);
        if (patch >= 0) {
            QCOMPARE(data.patchWeights[static_cast<std::size_t>(patch)], m.at(row, c));
        } else {
            QVERIFY(others < static_cast<int>(data.otherKeys.size()));
            QCOMPARE(data.otherKeys[static_cast<std::size_t>(others)].token, key);
            QCOMPARE(data.otherKeys[static_cast<std::size_t>(others)].weight, m.at(row, c));
            ++others;
        }
    }
    QCOMPARE(others, static_cast<int>(data.otherKeys.size()));
}

bool near(QRgb a, QRgb b, int tolerance = 2) {
    return std::abs(qRed(a) - qRed(b)) <= tolerance && std::abs(qGreen(a) - qGreen(b)) <= tolerance &&
           std::abs(qBlue(a) - qBlue(b)) <= tolerance;
}

}  // namespace

class TestImageOverlay : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void visionAnalysisHasPatchesImageAndTokens();
    void cellsAreTheQueryRowOfTheMatrix_data();
    void cellsAreTheQueryRowOfTheMatrix();
    void aPatchCanBeTheQuery();
    void deitDistillationTokenIsAQuery();
    void hiddenSpecialTokensLeaveOnlyPatchQueries();
    void textModelsHaveNoOverlay();
    void predictionsAreTheEngineTopFive();
    void trainedModelSeesTheDigit();
    void pixelValuesGiveTheDenormalisedImage();
    void opacityChangesTheRendering();
    void colourMapApplies();
    void hitTestFindsPatchesAndSwatches();
    void viewClickSelectsAPatchAndTellsItsWeight();
    void exportsPngSvgPdf();

private:
    QTemporaryDir tmp_;
    std::shared_ptr<const Analysis> vit_;
    std::shared_ptr<const Analysis> deit_;
};

void TestImageOverlay::initTestCase() {
    QVERIFY(tmp_.isValid());
    vit_ = analyseImage(goldenFile("vit", "model"), goldenFile("vit", "image0.png"));
    deit_ = analyseImage(goldenFile("deit", "model"), goldenFile("deit", "image0.png"));
    QVERIFY(vit_ && deit_);
}

void TestImageOverlay::visionAnalysisHasPatchesImageAndTokens() {
    // vit: 32 x 32 input, 8 px patches: [CLS] and 4 x 4 patches.
    QVERIFY(vit_->hasImage());
    QCOMPARE(vit_->stackCount(), 1);
    QCOMPARE(vit_->patches().rows, 4);
    QCOMPARE(vit_->patches().columns, 4);
    QCOMPARE(vit_->patches().firstPatchToken, 1);
    QCOMPARE(vit_->tokenCount(), 17);
    QCOMPARE(vit_->attention(0).queries, 17);
    QCOMPARE(vit_->tokenLabels().first(), QStringLiteral("[CLS]"));
    QCOMPARE(vit_->tokenLabels().at(6), QStringLiteral("1,1"));
    QVERIFY(vit_->isSpecial(0) && !vit_->isSpecial(1));
    // The image is the model's input (resize and crop), not the 48 x 40 file.
    QCOMPARE(vit_->image.size(), QSize(32, 32));
    const auto checkpoint = Checkpoint::open(fixtures::goldenDir() / "vit" / "model");
    const RgbImage expected = imagePreprocessorFor(*checkpoint).resizeAndCrop(loadImageFile(goldenFile("vit", "image0.png")));
    for (int y = 0; y < 32; y += 5)
        for (int x = 0; x < 32; x += 3)
            QCOMPARE(vit_->image.pixel(x, y), qRgb(expected.at(x, y, 0), expected.at(x, y, 1), expected.at(x, y, 2)));
    QCOMPARE(vit_->imagePath, goldenFile("vit", "image0.png"));

    // deit: [CLS], [DIST], then the patches.
    QCOMPARE(deit_->patches().firstPatchToken, 2);
    QCOMPARE(deit_->tokenLabels().mid(0, 3), (QStringList{"[CLS]", "[DIST]", "0,0"}));
    QVERIFY(deit_->isSpecial(1) && !deit_->isSpecial(2));
}

void TestImageOverlay::cellsAreTheQueryRowOfTheMatrix_data() {
    QTest::addColumn<int>("layer");
    QTest::addColumn<int>("head");
    QTest::addColumn<int>("mode");  // 0 single, 1 mean, 2 max, 3 rollout, 4 hard top-3, 5 hard threshold
    QTest::newRow("layer 0 head 0") << 0 << 0 << 0;
    QTest::newRow("layer 1 head 3") << 1 << 3 << 0;
    QTest::newRow("mean") << 1 << 0 << 1;
    QTest::newRow("max") << 0 << 0 << 2;
    QTest::newRow("rollout") << 1 << 0 << 3;
    QTest::newRow("hard top-3") << 1 << 2 << 4;
    QTest::newRow("hard threshold") << 0 << 1 << 5;
}

void TestImageOverlay::cellsAreTheQueryRowOfTheMatrix() {
    QFETCH(int, layer);
    QFETCH(int, head);
    QFETCH(int, mode);
    AttentionQuery q = singleHead(layer, head);
    if (mode == 1) q.headMode = HeadMode::Mean;
    if (mode == 2) q.headMode = HeadMode::Max;
    if (mode == 3) q.layerMode = LayerMode::Rollout;
    if (mode == 4) {
        q.hard = true;
        q.hardSelection.k = 3;
    }
    if (mode == 5) {
        q.hard = true;
        q.hardSelection.rule = HardRule::Threshold;
        q.hardSelection.threshold = 0.05f;
    }
    // No query selected: [CLS], the token the classifier reads.
    const ImageOverlayFigureData data = buildImageOverlayData(vit_->figureSource(), overlayRequest(q));
    QCOMPARE(data.queryToken, 0);
    QCOMPARE(data.queryPatch, -1);
    QCOMPARE(data.queryLabel, QStringLiteral("[CLS]"));
    verifyCellsAreRow(*vit_, data, q, 0);
    QCOMPARE(data.otherKeys.size(), std::size_t(1));
    QCOMPARE(data.otherKeys.front().label, QStringLiteral("[CLS]"));
    if (mode == 4) {
        int kept = static_cast<int>(data.otherKeys.front().weight != 0.0f);
        for (float w : data.patchWeights) kept += w != 0.0f;
        QCOMPARE(kept, 3);
    }
    QVERIFY(data.title.contains(QStringLiteral("from [CLS]")));
    QCOMPARE(data.image, vit_->image);
}

void TestImageOverlay::aPatchCanBeTheQuery() {
    const AttentionQuery q = singleHead(1, 1);
    const int token = vit_->patches().tokenOfPatch(6);  // patch 1,2
    const ImageOverlayFigureData data = buildImageOverlayData(vit_->figureSource(), overlayRequest(q, token));
    QCOMPARE(data.queryToken, token);
    QCOMPARE(data.queryPatch, 6);
    QCOMPARE(data.queryLabel, QStringLiteral("patch 1,2"));
    verifyCellsAreRow(*vit_, data, q, token);
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, buildImageOverlayData(vit_->figureSource(), overlayRequest(q, 17)));
}

void TestImageOverlay::deitDistillationTokenIsAQuery() {
    const AttentionQuery q = singleHead(1, 2);
    const ImageOverlayFigureData data = buildImageOverlayData(deit_->figureSource(), overlayRequest(q, 1));
    QCOMPARE(data.queryToken, 1);
    QCOMPARE(data.queryPatch, -1);
    QCOMPARE(data.queryLabel, QStringLiteral("[DIST]"));
    verifyCellsAreRow(*deit_, data, q, 1);
    QCOMPARE(data.otherKeys.size(), std::size_t(2));
    QCOMPARE(data.otherKeys[0].label, QStringLiteral("[CLS]"));
    QCOMPARE(data.otherKeys[1].label, QStringLiteral("[DIST]"));
    // [CLS] and [DIST] ask different questions of the image.
    const ImageOverlayFigureData cls = buildImageOverlayData(deit_->figureSource(), overlayRequest(q, 0));
    QVERIFY(cls.patchWeights != data.patchWeights);
}

void TestImageOverlay::hiddenSpecialTokensLeaveOnlyPatchQueries() {
    AttentionQuery q = singleHead(0, 3);
    q.hideSpecialTokens = true;
    // [CLS] is hidden with the special tokens: the figure says so instead of guessing.
    try {
        buildImageOverlayData(vit_->figureSource(), overlayRequest(q));
        QFAIL("expected an error for a hidden [CLS] query");
    } catch (const attnscope::Error& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("special tokens are hidden")), e.what());
    }
    const int token = vit_->patches().tokenOfPatch(9);
    const ImageOverlayFigureData data = buildImageOverlayData(vit_->figureSource(), overlayRequest(q, token));
    verifyCellsAreRow(*vit_, data, q, token);
    QVERIFY(data.otherKeys.empty());
    double sum = 0.0;
    for (float w : data.patchWeights) sum += w;
    QVERIFY(std::abs(sum - 1.0) < 1e-5);  // renormalised over the patches by the engine
}

void TestImageOverlay::textModelsHaveNoOverlay() {
    const auto bert = viewfixtures::computed(viewfixtures::goldenModel("bert"), QStringLiteral("the cat sat"));
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, buildImageOverlayData(bert->figureSource(), overlayRequest(singleHead(0, 0))));
    ViewRequest request = overlayRequest(singleHead(0, 0));
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, buildFigure(bert->figureSource(), request, FigureStyle()));
    // And a vision model takes no text, a text model no image.
    AnalysisRequest text;
    text.text = QStringLiteral("a cat");
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, analyse(goldenFile("vit", "model"), text));
    AnalysisRequest image;
    image.imageFile = goldenFile("vit", "image0.png");
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, analyse(viewfixtures::goldenModel("bert"), image));
}

void TestImageOverlay::predictionsAreTheEngineTopFive() {
    // The engine's own pipeline, step by step, against the analysis.
    const auto checkpoint = Checkpoint::open(fixtures::goldenDir() / "vit" / "model");
    ForwardInput input;
    input.pixels = imagePreprocessorFor(*checkpoint).apply(loadImageFile(goldenFile("vit", "image0.png")), 3);
    const auto result = checkpoint->forward(input);
    QVERIFY(result && result->record.logits.size() > 0);
    const auto top = topPredictions(result->record.logits.row(0).data(), static_cast<int>(result->record.logits.cols()), 5);
    QCOMPARE(vit_->predictions.size(), top.size());
    QCOMPARE(top.size(), std::size_t(5));
    for (std::size_t i = 0; i < top.size(); ++i) {
        QCOMPARE(vit_->predictions[i].label, QStringLiteral("class_%1").arg(top[i].id));
        QCOMPARE(vit_->predictions[i].probability, top[i].probability);
    }
    const ImageOverlayFigureData data = buildImageOverlayData(vit_->figureSource(), overlayRequest(singleHead(0, 0)));
    QCOMPARE(data.predictions.size(), top.size());
    QCOMPARE(data.predictions.front().label, vit_->predictions.front().label);
}

void TestImageOverlay::trainedModelSeesTheDigit() {
    const auto mnist = analyseImage(mnistFolder(), drawRingZero(tmp_.filePath(QStringLiteral("ring0.png"))));
    QVERIFY(mnist);
    QCOMPARE(mnist->patches().rows, 4);  // 28 px, 7 px patches
    QCOMPARE(mnist->image.size(), QSize(28, 28));
    // One channel: the model sees grey.
    const QRgb ring = mnist->image.pixel(14, 5);
    QCOMPARE(qRed(ring), qGreen(ring));
    QCOMPARE(qGreen(ring), qBlue(ring));
    // Three classes, so three predictions, and the ring is a zero.
    QCOMPARE(mnist->predictions.size(), std::size_t(3));
    QCOMPARE(mnist->predictions.front().label, QStringLiteral("0"));
    QVERIFY2(mnist->predictions.front().probability > 0.9f, qPrintable(QString::number(mnist->predictions.front().probability)));
    const ImageOverlayFigureData data = buildImageOverlayData(mnist->figureSource(), overlayRequest(singleHead(3, 0)));
    verifyCellsAreRow(*mnist, data, singleHead(3, 0), 0);
}

void TestImageOverlay::pixelValuesGiveTheDenormalisedImage() {
    // A ready tensor (as `--pixel-values` takes) has no image file: the overlay draws the
    // pixel values with the normalisation undone, which is the image within rounding.
    const auto checkpoint = Checkpoint::open(fixtures::goldenDir() / "vit" / "model");
    const PixelValues px = imagePreprocessorFor(*checkpoint).apply(loadImageFile(goldenFile("vit", "image0.png")), 3);
    const QString file = tmp_.filePath(QStringLiteral("pixels.safetensors"));
    SafetensorsWriter writer;
    writer.add("pixel_values", {px.channels, px.height, px.width}, px.values.data());
    writer.write(file.toStdString());
    AnalysisRequest request;
    request.pixelValuesFile = file;
    const auto fromTensor = analyse(goldenFile("vit", "model"), request);
    QCOMPARE(fromTensor->image.size(), vit_->image.size());
    for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) QVERIFY(near(fromTensor->image.pixel(x, y), vit_->image.pixel(x, y), 1));
    QCOMPARE(fromTensor->attention(0).toFloat32(), vit_->attention(0).toFloat32());
}

void TestImageOverlay::opacityChangesTheRendering() {
    const ImageOverlayFigureData data = buildImageOverlayData(vit_->figureSource(), overlayRequest(singleHead(1, 0)));
    FigureStyle style;
    style.overlayOpacity = 0.0;
    const ImageOverlayFigure imageOnly(data, style);
    style.overlayOpacity = 1.0;
    const ImageOverlayFigure coloursOnly(data, style);
    style.overlayOpacity = 0.5;
    const ImageOverlayFigure half(data, style);
    const QSize size = imageOnly.naturalSize().toSize();
    QCOMPARE(coloursOnly.naturalSize().toSize(), size);
    const QRectF area(QPointF(0, 0), QSizeF(size));
    const QImage a = renderFigure(imageOnly, size);
    const QImage b = renderFigure(coloursOnly, size);
    const QImage c = renderFigure(half, size);
    QVERIFY(a != b && b != c && a != c);

    // Opacity 1: each patch is exactly its colour. (Sampled away from the corner that may
    // carry the weight's label.)
    for (int p = 0; p < data.grid.count(); ++p) {
        const QRectF cell = coloursOnly.patchRect(area, p);
        const QPoint at = (cell.topLeft() + QPointF(cell.width() * 0.25, cell.height() * 0.3)).toPoint();
        QVERIFY2(near(b.pixel(at), coloursOnly.patchColor(p).rgb()), qPrintable(QStringLiteral("patch %1").arg(p)));
    }
    // Opacity 0: the model's own image, each of its pixels a square block.
    const QRectF image = imageOnly.imageRect(area);
    const double scale = image.width() / vit_->image.width();
    QVERIFY(scale >= 2.0);
    for (int y = 1; y < 32; y += 6)
        for (int x = 1; x < 32; x += 5) {
            const QPoint at = (image.topLeft() + QPointF((x + 0.5) * scale, (y + 0.4) * scale)).toPoint();
            QVERIFY2(near(a.pixel(at), vit_->image.pixel(x, y)), qPrintable(QStringLiteral("pixel %1,%2").arg(x).arg(y)));
        }
}

void TestImageOverlay::colourMapApplies() {
    const ImageOverlayFigureData data = buildImageOverlayData(vit_->figureSource(), overlayRequest(singleHead(0, 2)));
    FigureStyle style;
    const ImageOverlayFigure viridis(data, style);
    style.colorMap = QStringLiteral("magma");
    const ImageOverlayFigure magma(data, style);
    // The strongest patch takes the top colour of the map (linear scale up to the largest patch weight).
    const auto strongest = static_cast<int>(std::max_element(data.patchWeights.begin(), data.patchWeights.end()) - data.patchWeights.begin());
    QCOMPARE(viridis.patchColor(strongest).rgb(), ColorMap::viridis().rgbAt(1.0));
    QCOMPARE(magma.patchColor(strongest).rgb(), ColorMap::magma().rgbAt(1.0));
    style.scale = ValueScale::Log;
    const ImageOverlayFigure logScale(data, style);
    const auto weakest = static_cast<int>(std::min_element(data.patchWeights.begin(), data.patchWeights.end()) - data.patchWeights.begin());
    QVERIFY(logScale.patchColor(weakest) != magma.patchColor(weakest));  // the log scale lifts small weights
}

void TestImageOverlay::hitTestFindsPatchesAndSwatches() {
    const ImageOverlayFigureData data = buildImageOverlayData(deit_->figureSource(), overlayRequest(singleHead(0, 0)));
    const ImageOverlayFigure figure(data, FigureStyle());
    for (const QSizeF size : {figure.naturalSize(), QSizeF(900, 500), QSizeF(360, 700), QSizeF(120, 90)}) {
        const QRectF area(QPointF(0, 0), size);
        for (int p = 0; p < data.grid.count(); ++p) {
            const ImageOverlayFigure::Hit hit = figure.hitTest(area, figure.patchRect(area, p).center());
            QCOMPARE(hit.patch, p);
            QCOMPARE(hit.token, p + 2);
        }
        for (int i = 0; i < 2; ++i) {
            const ImageOverlayFigure::Hit hit = figure.hitTest(area, figure.otherKeyRect(area, i).center());
            QCOMPARE(hit.patch, -1);
            QCOMPARE(hit.token, i);
        }
        QVERIFY(!figure.hitTest(area, QPointF(1, 1)).isValid());
        QVERIFY(area.contains(figure.imageRect(area)));
    }
    const ImageOverlayFigure::Hit patch{5, 7};
    QCOMPARE(figure.toolTip(patch), QStringLiteral("patch 1,1: %1").arg(QString::number(data.patchWeights[5], 'f', 4)));
    QCOMPARE(figure.toolTip({-1, 1}), QStringLiteral("[DIST]: %1").arg(QString::number(data.otherKeys[1].weight, 'f', 4)));
}

void TestImageOverlay::viewClickSelectsAPatchAndTellsItsWeight() {
    AttentionSelection selection;
    selection.setShape(2, 4);
    ImageOverlayView view(&selection);
    view.resize(900, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setAnalysis(vit_);
    QVERIFY(view.overlayFigure());
    QCOMPARE(view.overlayFigure()->data().queryToken, 0);

    const QPoint centre = view.patchRect(6).center().toPoint();
    const ImageOverlayFigure::Hit hit = view.hitAt(centre);
    QCOMPARE(hit.patch, 6);
    QCOMPARE(view.toolTipFor(hit),
             QStringLiteral("patch 1,2: %1").arg(QString::number(view.overlayFigure()->data().patchWeights[6], 'f', 4)));
    QTest::mouseMove(&view, centre);
    QCOMPARE(view.hoveredHit().patch, 6);

    QSignalSpy changed(&selection, &AttentionSelection::changed);
    QTest::mouseClick(&view, Qt::LeftButton, {}, centre);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(selection.selectedQuery(), 7);  // token of patch 1,2
    QCOMPARE(view.overlayFigure()->data().queryPatch, 6);
    verifyCellsAreRow(*vit_, view.overlayFigure()->data(), selection.query(), 7);

    // Rollout and hard selection reach the overlay through the selection, like every view.
    selection.setRollout(true);
    verifyCellsAreRow(*vit_, view.overlayFigure()->data(), selection.query(), 7);
    selection.setHard(true);
    verifyCellsAreRow(*vit_, view.overlayFigure()->data(), selection.query(), 7);
    selection.setOverlayOpacity(0.25);
    QCOMPARE(view.overlayFigure()->style().overlayOpacity, 0.25);
}

void TestImageOverlay::exportsPngSvgPdf() {
    FigureSource source = vit_->figureSource();
    const ViewRequest request = overlayRequest(singleHead(1, 1));
    FigureStyle style;

    const QString png = tmp_.filePath(QStringLiteral("overlay.png"));
    exportView(source, request, style, png, 1500);
    const QImage image(png);
    QCOMPARE(std::max(image.width(), image.height()), 1500);
    QVERIFY(imagechecks::showsDrawing(image));
    const std::unique_ptr<Figure> figure = buildFigure(source, request, style);
    exportFigure(*figure, png, ExportFormat::Png, QSize(1200, 700));
    QCOMPARE(QImage(png).size(), QSize(1200, 700));

    // SVG: the image as an <image>, the patch cells and colour bar as shapes, labels as text.
    const QString svg = tmp_.filePath(QStringLiteral("overlay.svg"));
    exportView(source, request, style, svg);
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    int images = 0, shapes = 0;
    QStringList texts;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement) continue;
        if (xml.name() == QLatin1String("image")) ++images;
        else if (xml.name() == QLatin1String("rect") || xml.name() == QLatin1String("path") || xml.name() == QLatin1String("polyline")) ++shapes;
        else if (xml.name() == QLatin1String("text")) texts << xml.readElementText(QXmlStreamReader::IncludeChildElements);
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(images, 1);
    QVERIFY2(shapes >= vit_->patches().count(), qPrintable(QString::number(shapes)));
    QVERIFY(texts.contains(QStringLiteral("[CLS]")));
    QVERIFY(texts.contains(QStringLiteral("Prediction")));
    QVERIFY(texts.contains(vit_->predictions.front().label));

    const QString pdf = tmp_.filePath(QStringLiteral("overlay.pdf"));
    exportView(source, request, style, pdf);
    QProcess info;
    info.start(QStringLiteral("pdfinfo"), {pdf});
    QVERIFY2(info.waitForFinished(30000), "pdfinfo (poppler-utils) did not run");
    QCOMPARE(info.exitCode(), 0);
    QVERIFY(info.readAllStandardOutput().contains("Pages:"));
}

QTEST_MAIN(TestImageOverlay)
#include "test_image_overlay.moc"
