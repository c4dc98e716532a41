// The window's parts that read the session, each built on its own around an AttentionSession
// and an AttentionSelection (as MainWindow wires them, without MainWindow): the status line,
// classroom mode, the generation commands, the logit lens tab and the export commands.
#include <QtTest>

#include <QAction>
#include <QDialog>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QPushButton>
#include <QStatusBar>
#include <QTabBar>
#include <QToolBar>
#include <QVBoxLayout>

#include "Analysis.h"
#include "AttentionControls.h"
#include "AttentionSelection.h"
#include "AttentionSession.h"
#include "ClassroomMode.h"
#include "AttributionTab.h"
#include "ExportCommands.h"
#include "GenerationCommands.h"
#include "GenerationControls.h"
#include "HeatmapView.h"
#include "ImageInputBar.h"
#include "InputPanel.h"
#include "LensTab.h"
#include "LensView.h"
#include "RespelledCheckpoints.h"
#include "StatusLine.h"
#include "TextInputBar.h"
#include "ViewFixtures.h"
#include "ViewTabs.h"
#include "WindowFixtures.h"

using attnscope::ui::AttentionSelection;
using attnscope::ui::AttentionSession;
using attnscope::ui::ViewKind;
using windowfixtures::kTimeoutMs;

namespace {

const QString kText = QStringLiteral("The cat sat on the mat because it was tired.");

bool openModel(AttentionSession& session, const QString& folder) {
    session.openModel(folder);
    return QTest::qWaitFor(
        [&] { return session.checkpoint() && QDir::cleanPath(session.modelFolder()) == QDir::cleanPath(folder) && !session.isBusy(); }, kTimeoutMs);
}

// Analyses `text` and lets the selection take the analysis on, as the window does.
bool analyse(AttentionSession& session, AttentionSelection& selection, const QString& text) {
    const auto before = session.analysis();
    session.analyze(text);
    if (!QTest::qWaitFor([&] { return session.analysis() && session.analysis() != before && !session.isBusy(); }, kTimeoutMs)) return false;
    selection.adoptAnalysis(*session.analysis(), before.get());
    return true;
}

// A window of the parts classroom mode works on: a text field above the tabs, a side panel
// beside them and a tool bar.
struct ClassroomHost {
    AttentionSession session;
    AttentionSelection selection;
    QMainWindow window;
    QLineEdit* field;
    QWidget* sidePanel;
    QToolBar* toolBar;
    attnscope::ui::ViewTabs* tabs;
    attnscope::ui::LensTab* lens;
    attnscope::ui::ClassroomMode* classroom;

    ClassroomHost() {
        auto* central = new QWidget(&window);
        auto* layout = new QVBoxLayout(central);
        field = new QLineEdit(QStringLiteral("some text"), central);
        sidePanel = new QWidget(central);
        auto* controls = new attnscope::ui::AttentionControls(&selection, sidePanel);
        tabs = new attnscope::ui::ViewTabs(&selection, central);
        layout->addWidget(field);
        layout->addWidget(sidePanel);
        layout->addWidget(tabs, 1);
        window.setCentralWidget(central);
        toolBar = window.addToolBar(QStringLiteral("Main"));
        toolBar->addAction(QStringLiteral("Open"));
        lens = new attnscope::ui::LensTab(&session, &selection, tabs);
        classroom = new attnscope::ui::ClassroomMode(&window, &selection, tabs, lens);
        layout->addWidget(classroom->caption());
        classroom->setFoldedParts(sidePanel, controls, toolBar);
        selection.setShape(2, 4);
    }
};

}  // namespace

class TestSessionParts : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void statusLineSaysWhatIsShown();
    void statusLineShowsAClassifiersPrediction();
    void statusLineNotesTheLayersAttention();
    void statusLineSaysWhereTheZoomIs();
    void captionFollowsTheSelectionAndTheLens();
    void classroomModeFoldsAndUnfolds();
    void presenterKeysStepButLeaveTextFieldsAlone();
    void generationNeedsAGeneratingModel();
    void generationStepsOneToken();
    void captionerGeneratesForTheImage();
    void lensTabIsOfferedForModelsWithALens();
    void exportCommandsNameTheFigure();
    void cancelDropsTheWorkAskedForTheAnalysis();
};

void TestSessionParts::statusLineSaysWhatIsShown() {
    QMainWindow host;
    AttentionSession session;
    AttentionSelection selection;
    auto* tabs = new attnscope::ui::ViewTabs(&selection, &host);
    auto* status = new attnscope::ui::StatusLine(host.statusBar(), &session, &selection, tabs->heatmap());
    auto* model = host.findChild<QLabel*>(QStringLiteral("modelInfo"));
    auto* prediction = host.findChild<QLabel*>(QStringLiteral("predictionInfo"));
    QVERIFY(model && prediction);
    QCOMPARE(model->text(), QStringLiteral("No model open"));

    QVERIFY(openModel(session, viewfixtures::goldenModel("bert")));
    status->update();
    QCOMPARE(model->text(), QStringLiteral("bert  ·  2 layers  ·  4 heads"));
    QVERIFY(analyse(session, selection, kText));
    status->update();
    QCOMPARE(model->text(), QStringLiteral("bert  ·  2 layers  ·  4 heads  ·  14 tokens  ·  query 12 “.”"));
    QVERIFY(prediction->isHidden());  // bert without a head predicts nothing
    selection.setSelectedQuery(2);
    status->update();
    QVERIFY2(model->text().endsWith(QStringLiteral("query 2 “cat”")), qPrintable(model->text()));
    selection.setSelectedQuery(-1);
    status->update();
    QVERIFY2(model->text().endsWith(QStringLiteral("14 tokens")), qPrintable(model->text()));

    // A pair adds to the tokens, and T5 counts its source and target apart.
    QVERIFY(openModel(session, viewfixtures::goldenModel("t5")));
    session.analyzeWithTarget(QStringLiteral("The house is small."), QStringLiteral("Das Haus"));
    QVERIFY(QTest::qWaitFor([&] { return session.analysis() && !session.isBusy(); }, kTimeoutMs));
    selection.adoptAnalysis(*session.analysis(), nullptr);
    status->update();
    const auto t5 = session.analysis();
    QVERIFY2(model->text().startsWith(QStringLiteral("t5  ·  2 layers  ·  4 heads  ·  %1 source tokens  ·  %2 target tokens")
                                          .arg(t5->tokenCount())
                                          .arg(t5->record.sequences.at(1).size())),
             qPrintable(model->text()));
}

// GPT-Neo: the selected layer's window and the unscaled scores close the line.
void TestSessionParts::statusLineNotesTheLayersAttention() {
    QMainWindow host;
    AttentionSession session;
    AttentionSelection selection;
    auto* tabs = new attnscope::ui::ViewTabs(&selection, &host);
    auto* status = new attnscope::ui::StatusLine(host.statusBar(), &session, &selection, tabs->heatmap());
    auto* model = host.findChild<QLabel*>(QStringLiteral("modelInfo"));
    QVERIFY(openModel(session, viewfixtures::goldenModel("gpt_neo")));
    QVERIFY(analyse(session, selection, kText));
    selection.setLayer(1);
    status->update();
    QVERIFY2(model->text().endsWith(QStringLiteral("layer 1: local layer, window 4  ·  scores not divided by sqrt(d)")), qPrintable(model->text()));
    selection.setLayer(0);
    status->update();
    QVERIFY2(model->text().endsWith(QStringLiteral("layer 0: global layer  ·  scores not divided by sqrt(d)")), qPrintable(model->text()));
    selection.setRollout(true);  // across layers: no single layer's note
    status->update();
    QVERIFY2(model->text().endsWith(QStringLiteral("  ·  scores not divided by sqrt(d)")) && !model->text().contains("global"),
             qPrintable(model->text()));
}

void TestSessionParts::statusLineShowsAClassifiersPrediction() {
    QMainWindow host;
    AttentionSession session;
    AttentionSelection selection;
    auto* tabs = new attnscope::ui::ViewTabs(&selection, &host);
    auto* status = new attnscope::ui::StatusLine(host.statusBar(), &session, &selection, tabs->heatmap());
    auto* model = host.findChild<QLabel*>(QStringLiteral("modelInfo"));
    auto* prediction = host.findChild<QLabel*>(QStringLiteral("predictionInfo"));
    QVERIFY(openModel(session, viewfixtures::goldenModel("vit")));
    session.analyzeImage(QString::fromStdString((fixtures::goldenDir() / "vit" / "image0.png").string()));
    QVERIFY(QTest::qWaitFor([&] { return session.analysis() && !session.isBusy(); }, kTimeoutMs));
    selection.adoptAnalysis(*session.analysis(), nullptr);
    status->update();
    const auto analysis = session.analysis();
    QVERIFY(!prediction->isHidden());
    const auto& best = analysis->predictions.front();
    QVERIFY2(prediction->text().startsWith(QStringLiteral("Prediction: %1 %2%").arg(best.label, QString::number(best.probability * 100.0, 'f', 1))),
             qPrintable(prediction->text()));
    QCOMPARE(prediction->text().count(QStringLiteral(" · ")), static_cast<qsizetype>(analysis->predictions.size()) - 1);
    QVERIFY2(model->text().contains(QStringLiteral("%1 tokens (%2 patches)").arg(analysis->tokenCount()).arg(analysis->patches().count())) &&
                 model->text().contains(QStringLiteral("query 0 “[CLS]”")),
             qPrintable(model->text()));
}

void TestSessionParts::statusLineSaysWhereTheZoomIs() {
    QMainWindow host;
    AttentionSession session;
    AttentionSelection selection;
    auto* tabs = new attnscope::ui::ViewTabs(&selection, &host);
    host.setCentralWidget(tabs);
    auto* status = new attnscope::ui::StatusLine(host.statusBar(), &session, &selection, tabs->heatmap());
    auto* zoom = host.findChild<QLabel*>(QStringLiteral("zoomInfo"));
    QVERIFY(zoom);
    host.show();
    QVERIFY(QTest::qWaitForWindowExposed(&host));
    QVERIFY(openModel(session, viewfixtures::goldenModel("bert")));
    QVERIFY(analyse(session, selection, kText));
    tabs->setAnalysis(session.analysis());
    status->updateZoom(true);
    QVERIFY(!zoom->isVisible());  // the whole matrix: nothing to say
    tabs->heatmap()->zoomIn();
    tabs->heatmap()->zoomIn();
    QVERIFY(tabs->heatmap()->isZoomed());
    status->updateZoom(true);
    QVERIFY(zoom->isVisible());
    QVERIFY2(zoom->text().startsWith(QStringLiteral("Zoomed: queries ")) && zoom->text().contains(QStringLiteral("of 14")),
             qPrintable(zoom->text()));
    status->updateZoom(false);  // another view shown
    QVERIFY(!zoom->isVisible());
}

void TestSessionParts::captionFollowsTheSelectionAndTheLens() {
    ClassroomHost host;
    QLabel* caption = host.classroom->caption();
    QVERIFY2(caption->text().contains(QStringLiteral("head 0 of 4")), qPrintable(caption->text()));
    host.selection.setHead(2);
    QVERIFY2(caption->text().contains(QStringLiteral("head 2 of 4")), qPrintable(caption->text()));
    host.selection.setLayer(1);
    const QString layerOne = caption->text();
    host.selection.setLayer(0);
    QVERIFY(caption->text() != layerOne);
    host.selection.setHard(true);
    QVERIFY2(caption->text().contains(QStringLiteral("Hard attention")), qPrintable(caption->text()));
    host.selection.setHard(false);
    host.tabs->showView(ViewKind::Heads);
    QVERIFY2(caption->text().contains(QStringLiteral("A head is")), qPrintable(caption->text()));

    // The lens tab, once offered and shown, has its own caption; the views' comes back after.
    host.tabs->setPageAvailable(host.lens->page(), true);
    host.lens->show();
    QVERIFY(host.lens->isShown());
    QVERIFY2(caption->text().startsWith(QStringLiteral("<b>Logit lens.</b>")), qPrintable(caption->text()));
    host.selection.setHead(3);
    QVERIFY2(caption->text().startsWith(QStringLiteral("<b>Logit lens.</b>")), qPrintable(caption->text()));
    host.tabs->showView(ViewKind::Matrix);
    QVERIFY2(caption->text().contains(QStringLiteral("head 3 of 4")), qPrintable(caption->text()));
}

void TestSessionParts::classroomModeFoldsAndUnfolds() {
    ClassroomHost host;
    host.window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&host.window));
    const double normalFont = host.selection.style().fontPointSize;
    QSignalSpy toggled(host.classroom, &attnscope::ui::ClassroomMode::toggled);
    QVERIFY(!host.classroom->caption()->isVisible());
    QVERIFY(host.sidePanel->isVisible() && host.toolBar->isVisible());

    host.classroom->setOn(true);
    QVERIFY(host.classroom->isOn());
    QCOMPARE(toggled.count(), 1);
    QCOMPARE(toggled.first().at(0).toBool(), true);
    QVERIFY(host.classroom->toggleAction()->isChecked());
    // The window system applies the state in its own time (a layout growing with the type
    // may resize the window first).
    QTRY_VERIFY_WITH_TIMEOUT(host.window.isFullScreen(), kTimeoutMs);
    QVERIFY(host.classroom->caption()->isVisible());
    QVERIFY(!host.sidePanel->isVisible());  // folded away (F9 brings it back)
    QVERIFY(!host.toolBar->isVisible());
    QVERIFY(host.selection.style().fontPointSize > normalFont);
    host.classroom->setOn(true);  // already on: no news
    QCOMPARE(toggled.count(), 1);

    host.classroom->toggleAction()->trigger();  // F11's action turns it off again
    QVERIFY(!host.classroom->isOn());
    QCOMPARE(toggled.count(), 2);
    QCOMPARE(toggled.last().at(0).toBool(), false);
    QTRY_VERIFY_WITH_TIMEOUT(!host.window.isFullScreen(), kTimeoutMs);
    QVERIFY(!host.classroom->caption()->isVisible());
    QVERIFY(host.sidePanel->isVisible() && host.toolBar->isVisible());
    QCOMPARE(host.selection.style().fontPointSize, normalFont);
}

void TestSessionParts::presenterKeysStepButLeaveTextFieldsAlone() {
    ClassroomHost host;
    host.window.show();
    host.window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&host.window));
    QWidget* tabBar = host.tabs->tabBar();
    tabBar->setFocus();
    QTest::keyClick(tabBar, Qt::Key_Right);
    QCOMPARE(host.selection.head(), 1);
    QTest::keyClick(tabBar, Qt::Key_Down);
    QCOMPARE(host.selection.layer(), 1);

    // In a text field the arrows move the cursor, and letters are typed.
    host.field->setFocus();
    host.field->setCursorPosition(0);
    QTest::keyClick(host.field, Qt::Key_Right);
    QTest::keyClick(host.field, Qt::Key_R);
    QCOMPARE(host.field->text(), QStringLiteral("srome text"));
    QTest::keyClick(host.field, Qt::Key_Up);
    QTest::keyClick(host.field, Qt::Key_Left);
    QCOMPARE(host.selection.head(), 1);
    QCOMPARE(host.selection.layer(), 1);
    QVERIFY(!host.selection.rollout());

    // Nothing to step through (no model open, as the window says): the keys do nothing.
    bool canStep = false;
    host.classroom->setCanStep([&] { return canStep; });
    tabBar->setFocus();
    QTest::keyClick(tabBar, Qt::Key_Left);
    QCOMPARE(host.selection.head(), 1);
    canStep = true;
    QTest::keyClick(tabBar, Qt::Key_Left);
    QCOMPARE(host.selection.head(), 0);
}

void TestSessionParts::generationNeedsAGeneratingModel() {
    QWidget host;
    AttentionSession session;
    auto* controls = new attnscope::ui::GenerationControls(&host);
    auto* input = new attnscope::ui::InputPanel(&host);
    auto* text = input->textBar();
    attnscope::ui::GenerationCommands commands(&session, controls, input, nullptr);
    QCOMPARE(commands.generateAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_G));
    QCOMPARE(commands.stepAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    QVERIFY(controls->isHidden());
    QSignalSpy hints(&commands, &attnscope::ui::GenerationCommands::hint);
    text->setText(kText);
    commands.generate();  // no model
    QCOMPARE(hints.count(), 1);

    QVERIFY(openModel(session, viewfixtures::goldenModel("bert")));
    commands.adaptToModel();
    QVERIFY(controls->isHidden());
    QVERIFY(controls->generateButton()->isHidden());
    commands.step();
    commands.generateAction()->trigger();
    QCOMPARE(hints.count(), 3);
    for (const QList<QVariant>& hint : hints) {
        QCOMPARE(hint.at(0).toString(), QStringLiteral("Open a language model with an LM head (GPT-2, Llama, T5, …) to generate text"));
        QVERIFY(hint.at(1).toInt() > 0);  // a timed status message
    }
    QVERIFY(!session.isBusy());
    QVERIFY(!session.analysis());
}

void TestSessionParts::generationStepsOneToken() {
    QWidget host;
    AttentionSession session;
    auto* controls = new attnscope::ui::GenerationControls(&host);
    auto* input = new attnscope::ui::InputPanel(&host);
    auto* text = input->textBar();
    attnscope::ui::GenerationCommands commands(&session, controls, input, nullptr);
    QVERIFY(openModel(session, windowfixtures::storiesModel()));
    commands.adaptToModel();
    QVERIFY(!controls->isHidden());
    QSignalSpy hints(&commands, &attnscope::ui::GenerationCommands::hint);
    QSignalSpy finished(&session, &AttentionSession::generationFinished);
    text->setText(QStringLiteral("Once upon a time"));
    commands.stepAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QVERIFY(QTest::qWaitFor([&] { return !session.isBusy(); }, kTimeoutMs));
    const auto analysis = session.analysis();
    QVERIFY(analysis && analysis->isGeneration());
    QCOMPARE(analysis->tokenCount(), analysis->promptLength + 1);
    QCOMPARE(analysis->text, QStringLiteral("Once upon a time"));
    QCOMPARE(hints.count(), 1);
    QCOMPARE(hints.first().at(0).toString(), QStringLiteral("Generated 1 token"));
    QVERIFY2(controls->summary().startsWith(QStringLiteral("1 new token: “%1”").arg(analysis->generatedText)), qPrintable(controls->summary()));
    QVERIFY(!controls->isRunning());
}

// A vision-encoder-decoder: Generate captions the image the bar shows, continuing the caption
// typed; the generation carries the image, its tokens and each caption token's cross-attention
// over them, and the caption field is offered only for such a model.
void TestSessionParts::captionerGeneratesForTheImage() {
    QWidget host;
    AttentionSession session;
    auto* controls = new attnscope::ui::GenerationControls(&host);
    auto* input = new attnscope::ui::InputPanel(&host);
    attnscope::ui::GenerationCommands commands(&session, controls, input, nullptr);
    QSignalSpy hints(&commands, &attnscope::ui::GenerationCommands::hint);
    const QString folder = QString::fromStdString(
        fixtures::writeCaptioner(fixtures::captionerFromGolden(), fixtures::tmpDir() / "ui_captioner").string());
    QVERIFY(openModel(session, folder));
    input->adaptTo(session.checkpoint()->capabilities());
    commands.adaptToModel();
    QVERIFY(!controls->isHidden());
    QVERIFY(!input->imageBar()->findChild<QLineEdit*>(QStringLiteral("captionEdit"))->isHidden());
    commands.step();  // no image yet
    QCOMPARE(hints.count(), 1);
    QVERIFY(hints.first().at(0).toString().contains(QStringLiteral("Open an image")));

    const QString image = QString::fromStdString((fixtures::goldenDir() / "vit" / "image0.png").string());
    input->imageBar()->setImagePath(image);
    QSignalSpy finished(&session, &AttentionSession::generationFinished);
    controls->setMaxNewTokens(3);
    commands.generate();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QVERIFY(QTest::qWaitFor([&] { return !session.isBusy(); }, kTimeoutMs));
    const auto analysis = session.analysis();
    QVERIFY(analysis && analysis->isGeneration());
    QCOMPARE(analysis->imagePath, image);
    QVERIFY(!analysis->image.isNull());
    QCOMPARE(analysis->predictedSequence, 1);
    const attnscope::AttentionRecord& r = analysis->record;
    QCOMPARE(r.sequences.front().names.size(), std::size_t(17));  // [CLS] and 16 patches
    QCOMPARE(r.pixels.values.size(), std::size_t(3 * 32 * 32));
    const attnscope::AttentionStack& cross = r.stacks.at(std::size_t(r.indexOf("cross"))).attention;
    QCOMPARE(cross.keys, 17);
    QCOMPARE(cross.queries, static_cast<int>(r.sequences.at(1).ids.size()));
    QVERIFY(analysis->generatedTokenCount() >= 1);

    // A text model hides the caption field.
    QVERIFY(openModel(session, viewfixtures::goldenModel("bert")));
    input->adaptTo(session.checkpoint()->capabilities());
    QVERIFY(input->imageBar()->caption().isEmpty());
    QVERIFY(input->imageBar()->findChild<QLineEdit*>(QStringLiteral("captionEdit"))->isHidden());
}

void TestSessionParts::lensTabIsOfferedForModelsWithALens() {
    AttentionSession session;
    AttentionSelection selection;
    attnscope::ui::ViewTabs tabs(&selection);
    auto* lens = new attnscope::ui::LensTab(&session, &selection, &tabs);
    QSignalSpy hints(lens, &attnscope::ui::LensTab::hint);
    QVERIFY(!lens->isAvailable());
    lens->show();  // not offered: nothing happens
    QVERIFY(!lens->isShown());

    QVERIFY(openModel(session, viewfixtures::goldenModel("bert")));  // no output head, no lens
    lens->adaptToModel();
    QVERIFY(!lens->isAvailable());

    QVERIFY(openModel(session, windowfixtures::storiesModel()));
    lens->adaptToModel();
    QVERIFY(lens->isAvailable());
    QVERIFY(analyse(session, selection, QStringLiteral("Once upon a time, there was a little girl.")));
    QVERIFY(!session.lens());  // not computed while the tab is hidden
    lens->show();
    QVERIFY(lens->isShown());
    QVERIFY(!tabs.shownView());
    QVERIFY(QTest::qWaitFor([&] { return session.lens() && !session.isBusy() && lens->view()->figure(); }, kTimeoutMs));
    QCOMPARE(lens->view()->lens(), session.lens());

    // A cell selects its layer and position in the attention views.
    emit lens->view()->cellClicked(2, 3);
    QCOMPARE(selection.layer(), 2);
    QCOMPARE(selection.selectedQuery(), 3);
    QCOMPARE(hints.count(), 1);
    QCOMPARE(hints.first().at(0).toString(), QStringLiteral("Layer 2 and token 3 are now selected in the attention views"));

    // A model without a lens: the tab goes, and the matrix shows instead.
    QVERIFY(openModel(session, viewfixtures::goldenModel("bert")));
    lens->adaptToModel();
    QVERIFY(!lens->isAvailable());
    QVERIFY(!lens->isShown());
    QCOMPARE(tabs.shownView(), std::optional<ViewKind>(ViewKind::Matrix));
}

void TestSessionParts::exportCommandsNameTheFigure() {
    QWidget host;
    AttentionSession session;
    AttentionSelection selection;
    auto* tabs = new attnscope::ui::ViewTabs(&selection, &host);
    auto* lens = new attnscope::ui::LensTab(&session, &selection, tabs);
    auto* attribution = new attnscope::ui::AttributionTab(&session, &selection, tabs);
    attnscope::ui::ExportCommands commands(&session, &selection, tabs, {lens, attribution}, &host);
    QSignalSpy failed(&commands, &attnscope::ui::ExportCommands::failed);
    QVERIFY(!commands.exportTo({QDir::temp().filePath(QStringLiteral("attnscope-nothing.png")), false, 0}));
    QCOMPARE(failed.count(), 1);
    commands.showDialog();  // nothing to export: no dialog
    QVERIFY(!host.findChild<QDialog*>());

    QVERIFY(openModel(session, viewfixtures::goldenModel("bert")));
    QVERIFY(analyse(session, selection, kText));
    const auto name = [&] { return QFileInfo(commands.suggestedPath()).fileName(); };
    QCOMPARE(name(), QStringLiteral("model-layer0-head0.png"));
    selection.focusHead(1, 3);
    selection.setHard(true);
    QCOMPARE(name(), QStringLiteral("model-layer1-head3-hard.png"));
    selection.setHard(false);
    selection.setHeadMode(attnscope::HeadMode::Mean);
    QCOMPARE(name(), QStringLiteral("model-layer1-mean.png"));
    selection.setRollout(true);
    QCOMPARE(name(), QStringLiteral("model-layer1-rollout.png"));
}

// Cancel drops what was asked for the analysis shown (the inside of a head here) along with the
// running job: nothing starts after it.
void TestSessionParts::cancelDropsTheWorkAskedForTheAnalysis() {
    AttentionSession session;
    AttentionSelection selection;
    QVERIFY(openModel(session, viewfixtures::goldenModel("gpt2")));
    QVERIFY(analyse(session, selection, QStringLiteral("hello world")));
    QSignalSpy activities(&session, &AttentionSession::activityChanged);
    session.analyze(QStringLiteral("hello there world"));  // busy: what follows waits behind it
    session.computeInsideHead(1, 0, 1);
    session.cancel();
    QVERIFY(QTest::qWaitFor([&] { return !session.isBusy(); }, kTimeoutMs));
    QTest::qWait(50);
    QVERIFY(!session.isBusy());
    QVERIFY(!session.insideHead());
    for (const QList<QVariant>& a : activities)
        QVERIFY(a.at(0).value<AttentionSession::Activity>() != AttentionSession::Activity::OpeningHead);
}

QTEST_MAIN(TestSessionParts)
#include "test_session_parts.moc"
