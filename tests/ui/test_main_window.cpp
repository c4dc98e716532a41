// MainWindow end to end on the golden checkpoints: open, compute off the GUI thread, drive
// every view from the side panel, export, survive a bad folder, cancel, stay responsive.
#include <QtTest>

#include <set>

#include "analysis/WordGroups.h"

#include <QCheckBox>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include "Analysis.h"
#include "ExportDialog.h"
#include "AttentionControls.h"
#include "HeadsView.h"
#include "HeatmapView.h"
#include "ImageChecks.h"
#include "MainWindow.h"
#include "ModelView.h"
#include "TokenStripView.h"
#include "ViewFixtures.h"
#include "WindowFixtures.h"
#include "model/Checkpoint.h"

using attnscope::HeadMode;
using attnscope::ui::MainWindow;
using attnscope::ui::ViewKind;

namespace {

const QString kText = QStringLiteral("The cat sat on the mat because it was tired.");
constexpr int kTimeoutMs = 60000;

QString bertFolder() { return viewfixtures::goldenModel("bert"); }

// The matrix view shows exactly the session's attention for (layer, head).
bool heatmapShows(MainWindow& window, int layer, int head) {
    const auto analysis = window.session().analysis();
    auto* view = window.heatmap();
    if (!analysis || !view->matrixFigure()) return false;
    const auto& stack = analysis->attention(0);
    if (view->rows() != stack.queries || view->columns() != stack.keys) return false;
    for (int q = 0; q < stack.queries; ++q)
        for (int k = 0; k < stack.keys; ++k)
            if (view->value(q, k) != stack.at(layer, head, q, k)) return false;
    return true;
}

bool computeAndWait(MainWindow& window) {
    return QTest::qWaitFor([&] { return window.session().analysis() != nullptr && !window.session().isBusy(); }, kTimeoutMs);
}

QString tmpPath(const QString& name) { return QString::fromStdString((fixtures::tmpDir() / name.toStdString()).string()); }

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void showsEmptyStateWithoutModel();
    void opensModelAndComputesAttention();
    void controlsDriveTheSelectionWithoutRecomputing();
    void viewsFollowTheSelectionAndTabsSwitch();
    void selectionMadeBeforeOpeningIsKept();
    void newerTextReplacesRunningComputation();
    void pairSegmentIsEncoded();
    void dropOpensAFolder();
    void badFolderShowsErrorAndKeepsModel();
    void badTextShowsErrorAndKeepsView();
    void missingTokenizerIsReported();
    void cancelShowsWhileBusyAndDropsTheResult();
    void windowStaysResponsiveWhileComputing();
    void exportsValidFiles();
    void exportFailureShowsAnError();
    void exportDialogFollowsTheSuffix();
};

void TestMainWindow::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // keep QSettings away from the user's
    QVERIFY2(QFileInfo::exists(bertFolder() + "/config.json"), qPrintable(bertFolder()));
}

void TestMainWindow::showsEmptyStateWithoutModel() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* open = window.findChild<QPushButton*>(QStringLiteral("welcomeOpenButton"));
    QVERIFY(open);
    QVERIFY(open->isVisible());
    QVERIFY(!window.heatmap()->isVisible());
    QCOMPARE(window.windowTitle(), QStringLiteral("AttnScope"));
    QVERIFY(!window.session().checkpoint());
    QVERIFY(!window.findChild<QAction*>(QStringLiteral("exportAction"))->isEnabled());
}

void TestMainWindow::opensModelAndComputesAttention() {
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());  // with a text set, the window computes once the model is open
    QVERIFY(computeAndWait(window));

    QCOMPARE(window.windowTitle(), QStringLiteral("model — AttnScope"));
    QVERIFY(window.heatmap()->isVisible());
    auto* heatmap = window.heatmap();
    QCOMPARE(heatmap->rows(), 14);
    QCOMPARE(heatmap->columns(), 14);
    const QStringList expected{"[CLS]", "the", "cat", "sat", "on", "the", "mat", "because", "it", "was", "tire", "##d", ".", "[SEP]"};
    QCOMPARE(heatmap->matrixFigure()->data().rowLabels, expected);
    QCOMPARE(heatmap->matrixFigure()->data().columnLabels, expected);
    QVERIFY(heatmapShows(window, 0, 0));
    for (int q = 0; q < heatmap->rows(); ++q) {  // softmax rows
        double sum = 0.0;
        for (int k = 0; k < heatmap->columns(); ++k) sum += heatmap->value(q, k);
        QVERIFY(std::abs(sum - 1.0) < 1e-4);
    }
    QCOMPARE(window.selection().selectedQuery(), 12);  // the last ordinary token, "."

    QCOMPARE(window.findChild<QSpinBox*>(QStringLiteral("layerSpin"))->maximum(), 1);
    auto* headCombo = window.findChild<QComboBox*>(QStringLiteral("headCombo"));
    QVERIFY(headCombo->findData(3) >= 0 && headCombo->findData(4) < 0);
    QVERIFY(headCombo->findData(attnscope::ui::AttentionControls::kMeanOfHeads) >= 0);
    QCOMPARE(window.findChild<QComboBox*>(QStringLiteral("queryCombo"))->count(), 14);
    const QString status = window.findChild<QLabel*>(QStringLiteral("modelInfo"))->text();
    QVERIFY2(status.contains("bert") && status.contains("2 layers") && status.contains("4 heads") && status.contains("14 tokens"),
             qPrintable(status));
    QVERIFY(!window.findChild<QWidget*>(QStringLiteral("cancelButton"))->isVisible());
    QVERIFY(window.findChild<QAction*>(QStringLiteral("exportAction"))->isEnabled());
}

void TestMainWindow::controlsDriveTheSelectionWithoutRecomputing() {
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());
    QVERIFY(computeAndWait(window));
    const auto analysis = window.session().analysis();
    QSignalSpy recomputes(&window.session(), &attnscope::ui::AttentionSession::activityChanged);

    auto* layer = window.findChild<QSpinBox*>(QStringLiteral("layerSpin"));
    auto* head = window.findChild<QComboBox*>(QStringLiteral("headCombo"));
    layer->setValue(1);
    head->setCurrentIndex(head->findData(3));
    QCOMPARE(window.selection().layer(), 1);
    QCOMPARE(window.selection().head(), 3);
    QVERIFY(heatmapShows(window, 1, 3));
    head->setCurrentIndex(head->findData(2));
    QVERIFY(heatmapShows(window, 1, 2));

    head->setCurrentIndex(head->findData(attnscope::ui::AttentionControls::kMeanOfHeads));
    QCOMPARE(window.selection().headMode(), HeadMode::Mean);
    window.findChild<QCheckBox*>(QStringLiteral("rolloutCheck"))->setChecked(true);
    QVERIFY(window.selection().rollout());
    QVERIFY(!head->isEnabled());  // rollout always averages the heads
    window.findChild<QRadioButton*>(QStringLiteral("hardRadio"))->click();
    QVERIFY(window.selection().hard());
    auto* rule = window.findChild<QComboBox*>(QStringLiteral("hardRuleCombo"));
    rule->setCurrentIndex(rule->findData(static_cast<int>(attnscope::HardRule::Threshold)));
    window.findChild<QDoubleSpinBox*>(QStringLiteral("thresholdSpin"))->setValue(0.2);
    QCOMPARE(window.selection().hardSelection().rule, attnscope::HardRule::Threshold);
    QCOMPARE(window.selection().hardSelection().threshold, 0.2f);
    window.findChild<QCheckBox*>(QStringLiteral("hideSpecialCheck"))->setChecked(true);
    QCOMPARE(window.heatmap()->rows(), 12);
    // Words, not pieces: fewer rows when some word is several pieces, and back.
    const attnscope::TokenSequence& tokens = analysis->tokens();
    const std::vector<int> wordOf = attnscope::wordsOfTokens(tokens.names, tokens.special);
    std::set<int> shownWords;
    for (std::size_t t = 0; t < wordOf.size(); ++t)
        if (!tokens.special[t]) shownWords.insert(wordOf[t]);
    const int wordRows = static_cast<int>(shownWords.size());
    QVERIFY(wordRows < 12);  // "tired" or another word is two pieces in this vocabulary
    auto* words = window.findChild<QCheckBox*>(QStringLiteral("wordsCheck"));
    words->setChecked(true);
    QVERIFY(window.selection().words());
    QCOMPARE(window.heatmap()->rows(), wordRows);
    words->setChecked(false);
    QCOMPARE(window.heatmap()->rows(), 12);
    auto* colors = window.findChild<QComboBox*>(QStringLiteral("colorMapCombo"));
    colors->setCurrentIndex(colors->findData(QStringLiteral("magma")));
    QCOMPARE(window.heatmap()->matrixFigure()->style().colorMap, QStringLiteral("magma"));
    auto* scale = window.findChild<QComboBox*>(QStringLiteral("scaleCombo"));
    scale->setCurrentIndex(scale->findData(static_cast<int>(attnscope::ui::ValueScale::Log)));
    QCOMPARE(window.heatmap()->matrixFigure()->style().scale, attnscope::ui::ValueScale::Log);

    // A click in a view shows up in the controls.
    window.selection().setSelectedQuery(3);
    QCOMPARE(window.findChild<QComboBox*>(QStringLiteral("queryCombo"))->currentData().toInt(), 3);
    window.selection().focusHead(0, 1);
    QCOMPARE(layer->value(), 0);
    QCOMPARE(head->currentData().toInt(), 1);
    QVERIFY(!window.findChild<QCheckBox*>(QStringLiteral("rolloutCheck"))->isChecked());

    QCOMPARE(recomputes.count(), 0);
    QCOMPARE(window.session().analysis(), analysis);  // the same result, not a new one
}

void TestMainWindow::viewsFollowTheSelectionAndTabsSwitch() {
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());
    QVERIFY(computeAndWait(window));
    auto* tabs = window.findChild<QTabWidget*>(QStringLiteral("viewTabs"));
    QCOMPARE(tabs->count(), 9);
    QVERIFY(!tabs->isTabVisible(static_cast<int>(ViewKind::Overlay)));  // the image overlay: vision models only
    QVERIFY(!tabs->isTabVisible(static_cast<int>(ViewKind::Alignment)));  // alignment: cross-attention only
    QCOMPARE(tabs->tabText(6), QStringLiteral("Lens"));
    QVERIFY(!tabs->isTabVisible(6));  // the logit lens: models with an output head only
    QCOMPARE(tabs->tabText(7), QStringLiteral("Attribution"));
    QVERIFY(!tabs->isTabVisible(7));  // attribution: the same (BertModel has none)
    QCOMPARE(tabs->tabText(8), QStringLiteral("Inside"));
    QVERIFY(tabs->isTabVisible(8));  // any single-stack model's head opens up
    window.setCurrentView(ViewKind::Overlay);
    QCOMPARE(window.currentView(), ViewKind::Matrix);

    window.setCurrentView(ViewKind::Grid);
    QCOMPARE(window.currentView(), ViewKind::Grid);
    QVERIFY(window.modelView()->isVisible());
    QTest::mouseDClick(window.modelView(), Qt::LeftButton, {}, window.modelView()->thumbnailRect(1, 2).center().toPoint());
    QCOMPARE(window.currentView(), ViewKind::Matrix);  // double-click opens the head
    QVERIFY(heatmapShows(window, 1, 2));

    // Zooming says where the window is, in the status bar, while the matrix shows.
    auto* zoomInfo = window.findChild<QLabel*>(QStringLiteral("zoomInfo"));
    QVERIFY(!zoomInfo->isVisible());
    window.heatmap()->zoomIn();
    window.heatmap()->zoomIn();
    QVERIFY(zoomInfo->isVisible());
    QVERIFY2(zoomInfo->text().contains(QStringLiteral("of 14")), qPrintable(zoomInfo->text()));
    window.heatmap()->resetZoom();
    QVERIFY(!zoomInfo->isVisible());

    window.selection().setSelectedQuery(4);
    window.setCurrentView(ViewKind::Tokens);
    QCOMPARE(window.tokenStripView()->stripFigure()->data().queryToken, 4);
    window.setCurrentView(ViewKind::Heads);
    const auto& heads = window.headsView()->headsFigure()->data();
    QCOMPARE(heads.heads.front().rowTokens[static_cast<std::size_t>(heads.selectedToken)], 4);
    QCOMPARE(window.currentFigureView(), static_cast<attnscope::ui::FigureView*>(window.headsView()));
}

void TestMainWindow::selectionMadeBeforeOpeningIsKept() {
    MainWindow window;  // as `attnscope MODEL --layer 1 --head 2 --query 3` does
    window.selection().setLayer(1);
    window.selection().setHead(2);
    window.setInitialQuery(3);
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());
    QVERIFY(computeAndWait(window));
    QVERIFY(heatmapShows(window, 1, 2));
    QCOMPARE(window.selection().selectedQuery(), 3);
}

void TestMainWindow::newerTextReplacesRunningComputation() {
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());
    QVERIFY(computeAndWait(window));

    QSignalSpy errors(&window, &MainWindow::errorShown);
    window.setText(QStringLiteral("The dog barked."));
    window.compute();
    window.setText(QStringLiteral("A cat."));
    window.compute();  // while the first may still run: the newest text wins
    QTRY_VERIFY_WITH_TIMEOUT(!window.session().isBusy() && window.session().analysis()->text == QStringLiteral("A cat."), kTimeoutMs);
    QCOMPARE(errors.count(), 0);
    QCOMPARE(window.heatmap()->rows(), window.session().analysis()->tokenCount());
    QCOMPARE(window.heatmap()->matrixFigure()->data().rowLabels.first(), QStringLiteral("[CLS]"));
    QCOMPARE(window.heatmap()->matrixFigure()->data().rowLabels.last(), QStringLiteral("[SEP]"));
    QVERIFY(window.selection().selectedQuery() < window.session().analysis()->tokenCount());
}

void TestMainWindow::pairSegmentIsEncoded() {
    MainWindow window;
    window.show();
    window.setText(QStringLiteral("The cat sat."));
    window.setPairText(QStringLiteral("It was tired."));
    window.openModel(bertFolder());
    QVERIFY(computeAndWait(window));
    const auto analysis = window.session().analysis();
    QCOMPARE(analysis->pair, QStringLiteral("It was tired."));
    QCOMPARE(analysis->tokenLabels().count(QStringLiteral("[SEP]")), 2);
    QVERIFY(std::find(analysis->input.typeIds.begin(), analysis->input.typeIds.end(), 1) != analysis->input.typeIds.end());
    QCOMPARE(window.heatmap()->rows(), analysis->tokenCount());
}

void TestMainWindow::dropOpensAFolder() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(bertFolder())});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    QTRY_VERIFY_WITH_TIMEOUT(window.session().checkpoint() != nullptr && !window.session().isBusy(), kTimeoutMs);
    QCOMPARE(window.session().modelFolder(), QDir::cleanPath(bertFolder()));
}

void TestMainWindow::badFolderShowsErrorAndKeepsModel() {
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());
    QVERIFY(computeAndWait(window));
    const auto checkpoint = window.session().checkpoint();
    const auto analysis = window.session().analysis();
    const QString title = window.windowTitle();
    const int rows = window.heatmap()->rows();

    QSignalSpy errors(&window, &MainWindow::errorShown);
    window.openModel(QStringLiteral("/nonexistent/attnscope/folder"));
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
    QVERIFY(!errors.first().at(0).toString().isEmpty());

    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = window.findChild<QMessageBox*>(QStringLiteral("errorBox"))) != nullptr);
    QTRY_VERIFY(box->isVisible());
    QCOMPARE(box->informativeText(), errors.first().at(0).toString());
    box->button(QMessageBox::Ok)->click();
    QTRY_VERIFY(window.findChild<QMessageBox*>(QStringLiteral("errorBox")) == nullptr);

    QCOMPARE(window.session().checkpoint(), checkpoint);
    QCOMPARE(window.session().analysis(), analysis);
    QCOMPARE(window.windowTitle(), title);
    QCOMPARE(window.heatmap()->rows(), rows);
    QVERIFY(!window.session().isBusy());
}

// A text over the model's 64 positions and an empty text: the first is refused in a message
// box, the second gets a status-bar prompt; both leave the shown analysis as it was.
void TestMainWindow::badTextShowsErrorAndKeepsView() {
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());
    QVERIFY(computeAndWait(window));
    const auto analysis = window.session().analysis();
    const int rows = window.heatmap()->rows();

    QSignalSpy errors(&window, &MainWindow::errorShown);
    window.setText(QString("word ").repeated(100));
    window.compute();
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
    const QString message = errors.first().at(0).toString();
    QVERIFY2(message.contains("64"), qPrintable(message));
    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = window.findChild<QMessageBox*>(QStringLiteral("errorBox"))) != nullptr);
    QTRY_VERIFY(box->isVisible());
    box->button(QMessageBox::Ok)->click();
    QTRY_VERIFY(window.findChild<QMessageBox*>(QStringLiteral("errorBox")) == nullptr);
    QCOMPARE(window.session().analysis(), analysis);
    QCOMPARE(window.heatmap()->rows(), rows);
    QVERIFY(heatmapShows(window, 0, 0));

    window.setText(QStringLiteral("   "));
    window.compute();
    QVERIFY(!window.session().isBusy());
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Type a text first"));
    QCOMPARE(errors.count(), 1);
    QCOMPARE(window.session().analysis(), analysis);
    QVERIFY(heatmapShows(window, 0, 0));
}

void TestMainWindow::missingTokenizerIsReported() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::filesystem::path from = viewfixtures::goldenModel("gpt2").toStdString();
    for (const char* f : {"config.json", "model.safetensors"})
        std::filesystem::copy_file(from / f, std::filesystem::path(tmp.path().toStdString()) / f);
    MainWindow window;
    window.show();
    window.setText(kText);
    QSignalSpy errors(&window, &MainWindow::errorShown);
    window.openModel(tmp.path());
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
    const QString details = errors.first().at(0).toString();
    QVERIFY2(details.contains("no tokenizer") && details.contains(tmp.path()), qPrintable(details));
    QVERIFY(window.session().checkpoint());  // the model itself is open
    QVERIFY(!window.session().isBusy());
    QVERIFY(!window.session().analysis());
}

void TestMainWindow::cancelShowsWhileBusyAndDropsTheResult() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* cancel = window.findChild<QPushButton*>(QStringLiteral("cancelButton"));
    QVERIFY(cancel);
    QVERIFY(!cancel->isVisible());

    QSignalSpy cancelled(&window.session(), &attnscope::ui::AttentionSession::cancelled);
    window.openModel(bertFolder());
    QVERIFY(window.session().isBusy());  // the work is on another thread: the call returned at once
    QVERIFY(cancel->isVisible());
    cancel->click();
    QTRY_VERIFY_WITH_TIMEOUT(!window.session().isBusy(), kTimeoutMs);
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(!window.session().checkpoint());  // the opened model was dropped
    QVERIFY(!cancel->isVisible());
    QCOMPARE(window.windowTitle(), QStringLiteral("AttnScope"));
}

void TestMainWindow::windowStaysResponsiveWhileComputing() {
    // A real checkpoint and a long text: the forward pass takes a while, the GUI thread must not.
    const QString stories = QString::fromStdString((fixtures::modelsDir() / "stories260k").string());
    QStringList words;
    for (int i = 0; i < 35; ++i) words << QStringLiteral("Tom and his dog went to the park.");
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openModel(stories);
    QTRY_VERIFY_WITH_TIMEOUT(window.session().checkpoint() && !window.session().isBusy(), kTimeoutMs);

    window.setText(words.join(QLatin1Char(' ')));
    window.setCurrentView(ViewKind::Matrix);
    window.compute();
    QVERIFY(window.session().isBusy());
    const windowfixtures::Stall stall = windowfixtures::longestStallWhile([&] { return window.session().isBusy(); });
    QVERIFY(window.session().analysis());
    QVERIFY2(window.session().analysis()->tokenCount() > 400, qPrintable(QString::number(window.session().analysis()->tokenCount())));
    QVERIFY2(windowfixtures::responsive(stall), qPrintable(windowfixtures::describe(stall)));
}

void TestMainWindow::exportsValidFiles() {
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());
    QVERIFY(computeAndWait(window));
    const int tokens = window.session().analysis()->tokenCount();
    window.selection().focusHead(1, 2);

    // PNG at the requested size: the longer side is exactly what was asked for.
    const QString png = tmpPath(QStringLiteral("window-matrix.png"));
    QFile::remove(png);
    QVERIFY(window.exportTo({png, false, 1500}));
    QImage image(png);
    QVERIFY(imagechecks::showsDrawing(image));
    QCOMPARE(std::max(image.width(), image.height()), 1500);

    // SVG: parses, and carries every token label as text (twice in a matrix: rows and columns).
    const QString svg = tmpPath(QStringLiteral("window-matrix.svg"));
    QVERIFY(window.exportTo({svg, false, 0}));
    QFile svgFile(svg);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&svgFile);
    int texts = 0;
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("text")) ++texts;
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY2(texts >= 2 * tokens, qPrintable(QString::number(texts)));

    // PDF: a PDF that poppler reads.
    const QString pdf = tmpPath(QStringLiteral("window-heads.pdf"));
    window.setCurrentView(ViewKind::Heads);
    QVERIFY(window.exportTo({pdf, false, 0}));
    QProcess pdfinfo;
    pdfinfo.start(QStringLiteral("pdfinfo"), {pdf});
    QVERIFY(pdfinfo.waitForFinished(30000));
    QCOMPARE(pdfinfo.exitCode(), 0);
    QVERIFY(pdfinfo.readAllStandardOutput().contains("Pages:"));

    // NPY: the displayed matrix, float32 [n, n].
    const QString npy = tmpPath(QStringLiteral("window-matrix.npy"));
    QVERIFY(window.exportTo({npy, false, 0}));
    QFile npyFile(npy);
    QVERIFY(npyFile.open(QIODevice::ReadOnly));
    const QByteArray bytes = npyFile.readAll();
    QVERIFY(bytes.startsWith("\x93NUMPY"));
    const int headerLength = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    const QByteArray header = bytes.mid(10, headerLength);
    QVERIFY2(header.contains("'<f4'") && header.contains(QStringLiteral("(%1, %1)").arg(tokens).toLatin1()), header.constData());
    QCOMPARE(bytes.size(), 10 + headerLength + tokens * tokens * 4);
    float first = 0.0f;
    std::memcpy(&first, bytes.constData() + 10 + headerLength, 4);
    QCOMPARE(first, window.session().analysis()->attention(0).at(1, 2, 0, 0));

    // The whole layer x head grid as one figure.
    const QString grid = tmpPath(QStringLiteral("window-grid.png"));
    QVERIFY(window.exportTo({grid, true, 900}));
    QCOMPARE(std::max(QImage(grid).width(), QImage(grid).height()), 900);
    QVERIFY(imagechecks::showsDrawing(QImage(grid)));

    // Copy puts the current view on the clipboard as an image.
    QGuiApplication::clipboard()->clear();
    window.copyFigure();
    QVERIFY(imagechecks::showsDrawing(QGuiApplication::clipboard()->image()));
}

void TestMainWindow::exportFailureShowsAnError() {
    MainWindow window;
    QSignalSpy errors(&window, &MainWindow::errorShown);
    QVERIFY(!window.exportTo({tmpPath(QStringLiteral("nothing.png")), false, 0}));  // nothing computed yet
    QCOMPARE(errors.count(), 1);
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());
    QVERIFY(computeAndWait(window));
    QVERIFY(!window.exportTo({QStringLiteral("/nonexistent/attnscope/dir/figure.png"), false, 0}));
    QCOMPARE(errors.count(), 2);
    QVERIFY(!window.exportTo({tmpPath(QStringLiteral("figure.bmp")), false, 0}));  // an unknown format
    QCOMPARE(errors.count(), 3);
}

void TestMainWindow::exportDialogFollowsTheSuffix() {
    attnscope::ui::ExportDialog dialog(QStringLiteral("matrix"), QStringLiteral("/tmp/figure.png"));
    auto* path = dialog.findChild<QLineEdit*>(QStringLiteral("exportPath"));
    auto* size = dialog.findChild<QSpinBox*>(QStringLiteral("exportLongSide"));
    auto* content = dialog.findChild<QComboBox*>(QStringLiteral("exportContent"));
    auto* save = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save);
    QCOMPARE(size->maximum(), 8000);
    QVERIFY(size->isEnabled());
    QVERIFY(save->isEnabled());
    size->setValue(8000);
    content->setCurrentIndex(1);
    const auto choice = dialog.choice();
    QCOMPARE(choice.path, QStringLiteral("/tmp/figure.png"));
    QCOMPARE(choice.longSide, 8000);
    QVERIFY(choice.wholeModelGrid);

    path->setText(QStringLiteral("/tmp/figure.svg"));
    QVERIFY(!size->isEnabled());  // vector: no pixel size
    path->setText(QStringLiteral("/tmp/matrix.npy"));
    QVERIFY(!content->isEnabled());  // NPY is always the displayed matrix
    path->setText(QStringLiteral("/tmp/figure.gif"));
    QVERIFY(!save->isEnabled());
}

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
