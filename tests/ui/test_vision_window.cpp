// MainWindow with vision models and an encoder-decoder: an image opened, dropped or given on
// the command line is decoded and computed off the GUI thread and fills the image overlay;
// clicks, the opacity slider and DeiT's distillation token drive it; bad images keep the
// previous state; T5's selector switches every view between its three stacks with the right
// tokens on each axis.
#include <QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QSlider>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>

#include "Analysis.h"
#include "AttentionControls.h"
#include "GoldenFixtures.h"
#include "ImageChecks.h"
#include "HeadsView.h"
#include "HeatmapView.h"
#include "ImageInputBar.h"
#include "ImageOverlayControls.h"
#include "ImageOverlayView.h"
#include "MainWindow.h"
#include "TextInputBar.h"
#include "TokenStripView.h"
#include "ImageFile.h"
#include "RespelledCheckpoints.h"
#include "analysis/Predictions.h"
#include "model/PreparedInput.h"

using namespace attnscope;
using namespace attnscope::ui;

namespace {

constexpr int kTimeoutMs = 60000;

QString golden(const std::string& path) { return QString::fromStdString((fixtures::goldenDir() / path).string()); }
QString mnistFolder() { return QString::fromStdString((fixtures::modelsDir() / "vit-mnist3").string()); }

bool waitForAnalysis(MainWindow& window, const std::shared_ptr<const Analysis>& previous = nullptr) {
    return QTest::qWaitFor(
        [&] { return window.session().analysis() && window.session().analysis() != previous && !window.session().isBusy(); }, kTimeoutMs);
}

// A white ring on black, 28 x 28: a zero as MNIST writes it.
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

// The overlay's cells against the engine's matrix for the window's selection.
bool overlayShowsRow(MainWindow& window, int token) {
    const auto analysis = window.session().analysis();
    const ImageOverlayFigure* figure = window.overlayView()->overlayFigure();
    if (!analysis || !figure) return false;
    const AttentionMatrix m = computeAttentionMatrix(analysis->attention(0), window.selection().query(), analysis->tokens().special);
    for (int r = 0; r < m.rows; ++r) {
        if (m.rowTokens[static_cast<std::size_t>(r)] != token) continue;
        for (int c = 0; c < m.cols; ++c) {
            const int patch = analysis->patches().patchOfToken(m.colTokens[static_cast<std::size_t>(c)]);
            if (patch >= 0 && figure->data().patchWeights[static_cast<std::size_t>(patch)] != m.at(r, c)) return false;
        }
        return figure->data().queryToken == token;
    }
    return false;
}

void dropFile(MainWindow& window, const QString& path) {
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
}

}  // namespace

class TestVisionWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void opensAVisionModelAndAnImage();
    void clickingAPatchSelectsItEverywhere();
    void opacitySliderChangesTheRendering();
    void deitDistillationTokenIsSelectable();
    void droppedImageIsComputed();
    void badImageShowsAnErrorAndKeepsTheAnalysis();
    void imageOnATextModelIsRefused();
    void overlayExports();
    void t5SelectorSwitchesStacksAndAxes();
    void t5EmptyTargetRunsTheStartTokenAlone();
    void t5OpensOnTheAlignmentWhenAskedFor();
    void captionerReadsTheImageAndTheCaption();

private:
    QTemporaryDir tmp_;
    QString ringZero_;
};

void TestVisionWindow::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(tmp_.isValid());
    ringZero_ = drawRingZero(tmp_.filePath(QStringLiteral("ring0.png")));
    QVERIFY(QFileInfo::exists(mnistFolder() + "/config.json"));
}

void TestVisionWindow::opensAVisionModelAndAnImage() {
    MainWindow window;
    window.setImageFile(ringZero_);  // as `attnscope vit-mnist3 --image ring0.png`
    window.show();
    window.openModel(mnistFolder());
    QVERIFY(waitForAnalysis(window));
    const auto analysis = window.session().analysis();
    QVERIFY(analysis->hasImage());

    // The input bar is the image bar, and the window shows the overlay.
    QVERIFY(window.imageBar()->isVisible());
    QVERIFY(!window.inputBar()->isVisible());
    QCOMPARE(window.imageBar()->imagePath(), ringZero_);
    auto* tabs = window.findChild<QTabWidget*>(QStringLiteral("viewTabs"));
    QVERIFY(tabs->isTabVisible(static_cast<int>(ViewKind::Overlay)));
    QCOMPARE(window.currentView(), ViewKind::Overlay);
    QVERIFY(window.overlayView()->isVisible());

    // [CLS] by default, the cells its row of the matrix.
    QCOMPARE(window.selection().selectedQuery(), 0);
    QVERIFY(overlayShowsRow(window, 0));
    window.selection().setLayer(3);
    window.selection().setHeadMode(HeadMode::Mean);
    QVERIFY(overlayShowsRow(window, 0));
    window.selection().setRollout(true);
    QVERIFY(overlayShowsRow(window, 0));

    // Top-5 (here 3 classes) in the figure and the status bar, as topPredictions gives them.
    const auto checkpoint = window.session().checkpoint();
    ForwardInput input;
    input.pixels = imagePreprocessorFor(*checkpoint).apply(loadImageFile(ringZero_), 1);
    const auto result = checkpoint->forward(input);
    const auto top = topPredictions(result->record.logits.row(0).data(), static_cast<int>(result->record.logits.cols()), 5);
    const auto& predictions = window.overlayView()->overlayFigure()->data().predictions;
    QCOMPARE(predictions.size(), std::size_t(3));
    QCOMPARE(top.size(), std::size_t(3));
    for (std::size_t i = 0; i < top.size(); ++i) {
        QCOMPARE(predictions[i].label, QString::number(top[i].id));  // id2label: "0", "1", "2"
        QCOMPARE(predictions[i].probability, top[i].probability);
    }
    QCOMPARE(predictions.front().label, QStringLiteral("0"));
    auto* predictionInfo = window.findChild<QLabel*>(QStringLiteral("predictionInfo"));
    QVERIFY(predictionInfo->isVisible());
    QVERIFY2(predictionInfo->text().startsWith(QStringLiteral("Prediction: 0 ")), qPrintable(predictionInfo->text()));
    const QString status = window.findChild<QLabel*>(QStringLiteral("modelInfo"))->text();
    QVERIFY2(status.contains(QStringLiteral("17 tokens (16 patches)")) && status.contains(QStringLiteral("[CLS]")), qPrintable(status));

    // The placeholder of an empty view speaks of images, and the other views show the same tokens.
    window.setCurrentView(ViewKind::Matrix);
    QCOMPARE(window.heatmap()->rows(), 17);
    QCOMPARE(window.heatmap()->matrixFigure()->data().columnLabels.at(1), QStringLiteral("0,0"));
}

void TestVisionWindow::clickingAPatchSelectsItEverywhere() {
    MainWindow window;
    window.setImageFile(ringZero_);
    window.show();
    window.openModel(mnistFolder());
    QVERIFY(waitForAnalysis(window));
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ImageOverlayView* view = window.overlayView();
    QVERIFY(view->overlayFigure());
    const QPoint patch = view->patchRect(6).center().toPoint();  // patch 1,2: token 7
    QTest::mouseClick(view, Qt::LeftButton, {}, patch);
    QCOMPARE(window.selection().selectedQuery(), 7);
    QVERIFY(overlayShowsRow(window, 7));
    QCOMPARE(view->overlayFigure()->data().queryPatch, 6);
    QCOMPARE(window.findChild<QComboBox*>(QStringLiteral("queryCombo"))->currentData().toInt(), 7);
    QVERIFY(window.findChild<QLabel*>(QStringLiteral("overlayQueryNote"))->text().contains(QStringLiteral("patch 1,2")));
    QVERIFY(!window.overlayControls()->queryButton(0)->isChecked());
    // And the [CLS] button brings the classifier's token back.
    window.overlayControls()->queryButton(0)->click();
    QCOMPARE(window.selection().selectedQuery(), 0);
    QVERIFY(window.overlayControls()->queryButton(0)->isChecked());
    QVERIFY(overlayShowsRow(window, 0));
}

void TestVisionWindow::opacitySliderChangesTheRendering() {
    MainWindow window;
    window.setImageFile(ringZero_);
    window.show();
    window.openModel(mnistFolder());
    QVERIFY(waitForAnalysis(window));
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* slider = window.findChild<QSlider*>(QStringLiteral("overlayOpacitySlider"));
    QVERIFY(slider && slider->isVisible());
    QCOMPARE(slider->value(), 60);
    const QImage before = window.overlayView()->grab().toImage();
    slider->setValue(0);
    QCOMPARE(window.selection().style().overlayOpacity, 0.0);
    QCOMPARE(window.overlayView()->overlayFigure()->style().overlayOpacity, 0.0);
    const QImage imageOnly = window.overlayView()->grab().toImage();
    slider->setValue(100);
    const QImage coloursOnly = window.overlayView()->grab().toImage();
    QVERIFY(before != imageOnly && imageOnly != coloursOnly && before != coloursOnly);
    // The selection drives the slider too.
    window.selection().setOverlayOpacity(0.35);
    QCOMPARE(slider->value(), 35);
}

void TestVisionWindow::deitDistillationTokenIsSelectable() {
    MainWindow window;
    window.setImageFile(golden("deit/image0.png"));
    window.show();
    window.openModel(golden("deit/model"));
    QVERIFY(waitForAnalysis(window));
    QToolButton* dist = window.overlayControls()->queryButton(1);
    QVERIFY(dist);
    QCOMPARE(dist->text(), QStringLiteral("[DIST]"));
    QVERIFY(!window.overlayControls()->queryButton(2));  // patches are clicked, not buttons
    dist->click();
    QCOMPARE(window.selection().selectedQuery(), 1);
    QVERIFY(dist->isChecked());
    QVERIFY(overlayShowsRow(window, 1));
    QCOMPARE(window.overlayView()->overlayFigure()->data().queryLabel, QStringLiteral("[DIST]"));
    QCOMPARE(window.overlayView()->overlayFigure()->data().otherKeys.size(), std::size_t(2));
    QCOMPARE(window.overlayView()->overlayFigure()->data().predictions.size(), std::size_t(5));
}

void TestVisionWindow::droppedImageIsComputed() {
    MainWindow window;
    window.show();
    window.openModel(mnistFolder());
    QTRY_VERIFY_WITH_TIMEOUT(window.session().checkpoint() && !window.session().isBusy(), kTimeoutMs);
    QVERIFY(!window.session().analysis());
    QVERIFY(window.imageBar()->isVisible());
    dropFile(window, ringZero_);
    QVERIFY(waitForAnalysis(window));
    QCOMPARE(window.session().analysis()->imagePath, ringZero_);
    QVERIFY(overlayShowsRow(window, 0));
}

void TestVisionWindow::badImageShowsAnErrorAndKeepsTheAnalysis() {
    MainWindow window;
    window.setImageFile(ringZero_);
    window.show();
    window.openModel(mnistFolder());
    QVERIFY(waitForAnalysis(window));
    const auto analysis = window.session().analysis();

    const QString broken = tmp_.filePath(QStringLiteral("broken.png"));
    QFile file(broken);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("\x89PNG\r\n\x1a\n this is not a picture");
    file.close();
    QSignalSpy errors(&window, &MainWindow::errorShown);
    window.openImage(broken);
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
    QVERIFY2(errors.first().at(0).toString().contains(QStringLiteral("broken.png")), qPrintable(errors.first().at(0).toString()));
    QTRY_VERIFY(!window.session().isBusy());
    QCOMPARE(window.session().analysis(), analysis);
    QCOMPARE(window.imageBar()->imagePath(), ringZero_);
    QVERIFY(window.overlayView()->overlayFigure());
}

void TestVisionWindow::imageOnATextModelIsRefused() {
    MainWindow window;
    window.show();
    window.setText(QStringLiteral("the cat sat"));
    window.openModel(golden("bert/model"));
    QVERIFY(waitForAnalysis(window));
    const auto analysis = window.session().analysis();
    QVERIFY(window.inputBar()->isVisible());
    QVERIFY(!window.findChild<QTabWidget*>(QStringLiteral("viewTabs"))->isTabVisible(static_cast<int>(ViewKind::Overlay)));
    QSignalSpy errors(&window, &MainWindow::errorShown);
    dropFile(window, ringZero_);
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
    QVERIFY(errors.first().at(0).toString().contains(QStringLiteral("text model")));
    QCOMPARE(window.session().analysis(), analysis);
}

void TestVisionWindow::overlayExports() {
    MainWindow window;
    window.setImageFile(golden("vit/image0.png"));
    window.show();
    window.openModel(golden("vit/model"));
    QVERIFY(waitForAnalysis(window));
    QCOMPARE(window.currentView(), ViewKind::Overlay);
    const QString png = tmp_.filePath(QStringLiteral("window-overlay.png"));
    QVERIFY(window.exportTo({png, false, 1200}));
    const QImage image(png);
    QCOMPARE(std::max(image.width(), image.height()), 1200);
    QVERIFY(imagechecks::showsDrawing(image));
    const QString svg = tmp_.filePath(QStringLiteral("window-overlay.svg"));
    QVERIFY(window.exportTo({svg, false, 0}));
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains("<image"));
}

void TestVisionWindow::t5SelectorSwitchesStacksAndAxes() {
    MainWindow window;
    window.show();
    window.setText(QStringLiteral("The cat sat on the mat."));
    window.setPairText(QStringLiteral("Attention is all you need."));
    window.openModel(golden("t5/model"));
    QVERIFY(waitForAnalysis(window));
    const auto analysis = window.session().analysis();
    QVERIFY(analysis->stackCount() == 3);
    const int n = analysis->tokenCount();
    const int m = static_cast<int>(analysis->labels.at(1).size());
    QVERIFY(n > 2 && m > 2 && n != m);
    QCOMPARE(analysis->target, QStringLiteral("Attention is all you need."));
    QCOMPARE(analysis->labels.at(1).first(), QStringLiteral("<pad>"));  // the decoder start token

    auto* kind = window.findChild<QComboBox*>(QStringLiteral("stackCombo"));
    QVERIFY(kind && kind->isVisible());
    auto* queryCombo = window.findChild<QComboBox*>(QStringLiteral("queryCombo"));
    HeatmapView* heatmap = window.heatmap();

    // Encoder self-attention: source x source.
    QCOMPARE(heatmap->rows(), n);
    QCOMPARE(heatmap->columns(), n);
    QCOMPARE(heatmap->matrixFigure()->data().rowLabels, analysis->tokenLabels());
    QCOMPARE(queryCombo->count(), n);
    const int encoderQuery = window.selection().selectedQuery();

    // Decoder self-attention: target x target, causal.
    QCOMPARE(kind->count(), 3);
    QCOMPARE(kind->itemText(1), QStringLiteral("Decoder self-attention"));
    kind->setCurrentIndex(1);
    QCOMPARE(window.selection().stackName(), QStringLiteral("decoder"));
    QCOMPARE(heatmap->rows(), m);
    QCOMPARE(heatmap->columns(), m);
    QCOMPARE(heatmap->matrixFigure()->data().columnLabels, analysis->labels.at(1));
    QCOMPARE(heatmap->value(0, 1), 0.0f);
    QCOMPARE(queryCombo->count(), m);
    QVERIFY(heatmap->matrixFigure()->data().title.startsWith(QStringLiteral("Decoder self-attention")));

    // Cross-attention: target rows, source columns, the engine's numbers.
    kind->setCurrentIndex(2);
    QCOMPARE(heatmap->rows(), m);
    QCOMPARE(heatmap->columns(), n);
    QCOMPARE(heatmap->matrixFigure()->data().rowLabels, analysis->labels.at(1));
    QCOMPARE(heatmap->matrixFigure()->data().columnLabels, analysis->tokenLabels());
    QCOMPARE(heatmap->matrixFigure()->data().rowAxisTitle, QStringLiteral("Query (target token)"));
    QCOMPARE(heatmap->matrixFigure()->data().columnAxisTitle, QStringLiteral("Key (source token)"));
    window.selection().focusHead(1, 2);
    for (int q = 0; q < m; ++q)
        for (int k = 0; k < n; ++k) QCOMPARE(heatmap->value(q, k), analysis->attention(2).at(1, 2, q, k));
    QVERIFY(!window.findChild<QCheckBox*>(QStringLiteral("rolloutCheck"))->isEnabled());  // no square to roll out
    QCOMPARE(queryCombo->count(), m);

    // The other views follow: target tokens ask, source tokens answer.
    window.selection().setSelectedQuery(3);
    window.setCurrentView(ViewKind::Heads);
    const HeadsFigureData& heads = window.headsView()->headsFigure()->data();
    QCOMPARE(heads.leftLabels, analysis->labels.at(1));
    QCOMPARE(heads.rightLabels, analysis->tokenLabels());
    QCOMPARE(heads.selectedToken, 3);
    window.setCurrentView(ViewKind::Tokens);
    const TokenStripFigureData& strip = window.tokenStripView()->stripFigure()->data();
    QCOMPARE(strip.labels, analysis->tokenLabels());
    QCOMPARE(strip.weights.size(), std::size_t(n));
    for (int k = 0; k < n; ++k) QCOMPARE(strip.weights[static_cast<std::size_t>(k)], analysis->attention(2).at(1, 2, 3, k));
    QCOMPARE(strip.queryToken, -1);  // the query is a target token, not among the chips
    QVERIFY(!window.tokenStripView()->chipsAreQueries());

    // Exports use the stack shown.
    const QString npy = tmp_.filePath(QStringLiteral("cross.npy"));
    QVERIFY(window.exportTo({npy, false, 0}));
    QFile file(npy);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains(QStringLiteral("'shape': (%1, %2)").arg(m).arg(n).toLatin1()));

    // Back to the encoder: its own query again.
    kind->setCurrentIndex(0);
    QCOMPARE(window.selection().selectedQuery(), encoderQuery);
    window.setCurrentView(ViewKind::Matrix);
    QCOMPARE(heatmap->rows(), n);
}

// `attnscope T5 --view alignment`: the alignment tab is offered only once an analysis with
// cross-attention exists, and the window switches to it then.
void TestVisionWindow::t5OpensOnTheAlignmentWhenAskedFor() {
    MainWindow window;
    window.setPreferredView(ViewKind::Alignment);
    window.show();
    window.setText(QStringLiteral("The cat sat on the mat."));
    window.setPairText(QStringLiteral("Attention is all you need."));
    window.openModel(golden("t5/model"));
    QVERIFY(waitForAnalysis(window));
    auto* tabs = window.findChild<QTabWidget*>(QStringLiteral("viewTabs"));
    auto* alignment = window.findChild<QWidget*>(QStringLiteral("alignmentView"));
    QVERIFY(tabs && alignment);
    QCOMPARE(tabs->currentWidget(), alignment);
}

void TestVisionWindow::t5EmptyTargetRunsTheStartTokenAlone() {
    MainWindow window;
    window.show();
    window.setText(QStringLiteral("The cat sat on the mat."));
    window.openModel(golden("t5/model"));
    QVERIFY(waitForAnalysis(window));
    QCOMPARE(window.inputBar()->secondField(), TextInputBar::SecondField::Target);
    const auto analysis = window.session().analysis();
    QCOMPARE(analysis->record.sequences.at(1).ids.size(), std::size_t(1));
    QCOMPARE(analysis->attention(2).queries, 1);
    QCOMPARE(analysis->attention(2).keys, analysis->tokenCount());
    window.selection().selectStack(QStringLiteral("cross"));
    QCOMPARE(window.heatmap()->rows(), 1);
    QCOMPARE(window.heatmap()->columns(), analysis->tokenCount());
}

// A vision-encoder-decoder opened as `attnscope CAPTIONER --image F --target "the cat"`: the
// image bar with its Caption field, the caption's tokens after the start token as the
// decoder's, their next-token predictions, and Enter in the field recomputing with a new caption.
void TestVisionWindow::captionerReadsTheImageAndTheCaption() {
    const QString folder =
        QString::fromStdString(fixtures::writeCaptioner(fixtures::captionerFromGolden(), fixtures::tmpDir() / "window_captioner").string());
    MainWindow window;
    window.setCaption(QStringLiteral("the cat"));
    window.setImageFile(golden("vit/image0.png"));
    window.show();
    window.openModel(folder);
    QVERIFY(waitForAnalysis(window));
    auto analysis = window.session().analysis();
    QVERIFY(analysis->hasImage());
    QVERIFY(window.imageBar()->isVisible());
    auto* caption = window.imageBar()->findChild<QLineEdit*>(QStringLiteral("captionEdit"));
    QVERIFY(caption->isVisible());
    const auto checkpoint = window.session().checkpoint();
    std::vector<int> expected{0};
    for (const int id : checkpoint->encode("the cat").ids) expected.push_back(id);
    QCOMPARE(analysis->record.sequences.at(1).ids, expected);
    QCOMPARE(analysis->predictedSequence, 1);
    QCOMPARE(analysis->tokenPredictions.size(), expected.size());
    QCOMPARE(analysis->attention(2).keys, 17);

    caption->setText(QStringLiteral("the cat sat"));
    QTest::keyClick(caption, Qt::Key_Return);
    QVERIFY(waitForAnalysis(window, analysis));
    analysis = window.session().analysis();
    QVERIFY(analysis->record.sequences.at(1).ids.size() > expected.size());
    QCOMPARE(window.imageBar()->imagePath(), golden("vit/image0.png"));
}

QTEST_MAIN(TestVisionWindow)
#include "test_vision_window.moc"
