// Classroom mode on the golden BERT (2 layers, 4 heads): presenter keys step the shared
// selection, auto-play walks heads then layers, the classroom look is large and dark, and
// the caption follows what is shown.
#include <QtTest>

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QTabBar>
#include <QTabWidget>

#include "AutoPlay.h"
#include "ClassroomStyle.h"
#include "ExplanationText.h"
#include "HeadsView.h"
#include "HeatmapView.h"
#include "InsideHeadFigure.h"
#include "InsideHeadTab.h"
#include "InsideHeadView.h"
#include "MainWindow.h"
#include "SelectionStepper.h"
#include "TextInputBar.h"
#include "ViewFixtures.h"

using attnscope::HeadMode;
using attnscope::ui::AttentionSelection;
using attnscope::ui::MainWindow;
using attnscope::ui::ViewKind;

namespace {

const QString kText = QStringLiteral("The cat sat on the mat because it was tired.");

bool openAndCompute(MainWindow& window, const char* family = "bert") {
    window.show();
    window.setText(kText);
    window.openModel(viewfixtures::goldenModel(family));
    return QTest::qWaitFor([&] {
        const auto cp = window.session().checkpoint();
        return cp && cp->config().modelType == family && window.session().analysis() != nullptr && !window.session().isBusy();
    }, 60000);
}

double luminance(const QColor& c) { return 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF(); }

}  // namespace

class TestClassroom : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void presenterKeysStepTheSelection();
    void textFieldKeepsItsKeys();
    void autoPlayWalksHeadsThenLayers();
    void classroomModeIsLargeAndDark();
    void classroomMatrixFillsTheScreen();
    void insideOneHeadStepsWithSpace();
    void explanationFollowsTheMode();
    void explanationNotesWhatSetsTheModelApart();
};

void TestClassroom::presenterKeysStepTheSelection() {
    MainWindow window;
    QVERIFY(openAndCompute(window));
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.setCurrentView(ViewKind::Heads);
    QWidget* target = window.findChild<QTabWidget*>(QStringLiteral("viewTabs"))->tabBar();
    target->setFocus();
    QCOMPARE(QApplication::focusWidget(), target);
    AttentionSelection& s = window.selection();
    QCOMPARE(s.layer(), 0);
    QCOMPARE(s.head(), 0);

    QTest::keyClick(target, Qt::Key_Right);
    QCOMPARE(s.head(), 1);
    QTest::keyClick(target, Qt::Key_Left);
    QTest::keyClick(target, Qt::Key_Left);
    QCOMPARE(s.head(), 3);  // wraps
    QTest::keyClick(target, Qt::Key_Down);
    QCOMPARE(s.layer(), 1);
    QTest::keyClick(target, Qt::Key_Down);
    QCOMPARE(s.layer(), 0);  // wraps
    QTest::keyClick(target, Qt::Key_Up);
    QCOMPARE(s.layer(), 1);

    QVERIFY(!s.hard());
    QTest::keyClick(target, Qt::Key_Space);
    QVERIFY(s.hard());
    QTest::keyClick(target, Qt::Key_Space);
    QVERIFY(!s.hard());

    QTest::keyClick(target, Qt::Key_A);
    QCOMPARE(s.headMode(), HeadMode::Mean);
    QTest::keyClick(target, Qt::Key_A);
    QCOMPARE(s.headMode(), HeadMode::Single);
    QCOMPARE(s.head(), 3);  // the head shown before the mean comes back

    QTest::keyClick(target, Qt::Key_R);
    QVERIFY(s.rollout());
    QTest::keyClick(target, Qt::Key_R);
    QVERIFY(!s.rollout());

    // The focused matrix keeps Up/Down for its query row outside classroom mode; in
    // classroom mode they step the layer there too.
    window.setCurrentView(ViewKind::Matrix);
    window.heatmap()->setFocus();
    const int query = s.selectedQuery();
    QTest::keyClick(window.heatmap(), Qt::Key_Up);
    QCOMPARE(s.selectedQuery(), query - 1);
    QCOMPARE(s.layer(), 1);
    window.setClassroomMode(true);
    window.heatmap()->setFocus();
    QTest::keyClick(window.heatmap(), Qt::Key_Up);
    QCOMPARE(s.layer(), 0);
    QCOMPARE(s.selectedQuery(), query - 1);
}

void TestClassroom::textFieldKeepsItsKeys() {
    MainWindow window;
    QVERIFY(openAndCompute(window));
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    auto* field = window.inputBar()->findChild<QLineEdit*>();
    QVERIFY(field);
    field->setFocus();
    field->setCursorPosition(0);
    const int head = window.selection().head();
    QTest::keyClick(field, Qt::Key_Right);
    QTest::keyClick(field, Qt::Key_A);
    QTest::keyClick(field, Qt::Key_Space);
    QCOMPARE(window.selection().head(), head);
    QCOMPARE(window.selection().headMode(), HeadMode::Single);
    QVERIFY(!window.selection().hard());
    QCOMPARE(field->cursorPosition(), 3);
    QVERIFY(field->text().startsWith(QStringLiteral("Ta ")));
}

void TestClassroom::autoPlayWalksHeadsThenLayers() {
    MainWindow window;
    QVERIFY(openAndCompute(window));
    AttentionSelection& s = window.selection();
    s.setHeadMode(HeadMode::Mean);
    s.setRollout(true);
    attnscope::ui::AutoPlay* play = window.autoPlay();
    QVERIFY(play);

    // The order, one step at a time: every head of layer 0, then layer 1's, then around.
    play->step();
    QCOMPARE(s.headMode(), HeadMode::Single);
    QVERIFY(!s.rollout());
    QCOMPARE(std::make_pair(s.layer(), s.head()), std::make_pair(0, 0));
    for (int i = 0; i < 3; ++i) play->step();
    QCOMPARE(std::make_pair(s.layer(), s.head()), std::make_pair(0, 3));
    play->step();
    QCOMPARE(std::make_pair(s.layer(), s.head()), std::make_pair(1, 0));
    for (int i = 0; i < 4; ++i) play->step();
    QCOMPARE(std::make_pair(s.layer(), s.head()), std::make_pair(0, 0));

    // On timer ticks (a short pace), through the View menu's action.
    play->setIntervalMs(20);
    auto* action = window.findChild<QAction*>(QStringLiteral("autoPlayAction"));
    QVERIFY(action);
    action->setChecked(true);
    QVERIFY(play->isPlaying());
    QVERIFY(QTest::qWaitFor([&] { return s.layer() == 1 && s.head() == 1; }, 5000));
    action->setChecked(false);
    QVERIFY(!play->isPlaying());
    const int head = s.head();
    QTest::qWait(100);
    QCOMPARE(s.head(), head);
}

void TestClassroom::classroomModeIsLargeAndDark() {
    MainWindow window;
    QVERIFY(openAndCompute(window));
    const double normalFont = window.selection().style().fontPointSize;
    QVERIFY(!window.explanationStrip()->isVisible());

    window.classroomAction()->trigger();  // View ▸ Classroom Mode (F11)
    QVERIFY(window.isClassroomMode());
    QVERIFY(window.isFullScreen());
    QVERIFY(window.font().pointSizeF() >= 20.0);
    QVERIFY(window.inputBar()->font().pointSizeF() >= 20.0);
    const auto& style = window.selection().style();
    QVERIFY(style.fontPointSize >= 20.0);
    QVERIFY(style.lineWidth >= 2.5);
    QVERIFY(luminance(style.background) < 0.15);
    QVERIFY(luminance(style.foreground) > 0.85);
    QVERIFY(luminance(window.palette().color(QPalette::Window)) < 0.15);
    QVERIFY(luminance(window.palette().color(QPalette::WindowText)) > 0.85);
    QVERIFY(window.explanationStrip()->isVisible());
    // The figures are built with the classroom style.
    window.setCurrentView(ViewKind::Heads);
    QCOMPARE(window.headsView()->selection()->style().fontPointSize, style.fontPointSize);

    window.classroomAction()->trigger();
    QVERIFY(!window.isClassroomMode());
    QVERIFY(!window.isFullScreen());
    QCOMPARE(window.selection().style().fontPointSize, normalFont);
    QVERIFY(luminance(window.selection().style().background) > 0.85);
    QVERIFY(!window.explanationStrip()->isVisible());
}

// A projector's screen, 1920 x 1080, and a sentence of 24 tokens: the heatmap takes at least
// 60% of the window's height and every token is labelled, on both axes.
void TestClassroom::classroomMatrixFillsTheScreen() {
    MainWindow window;
    window.show();
    window.setText(QStringLiteral("the cat sat on the mat because it was tired and the dog sat on the rug ."));
    window.openModel(viewfixtures::goldenModel("bert"));
    QVERIFY(QTest::qWaitFor([&] { return window.session().analysis() && !window.session().isBusy(); }, 60000));
    QCOMPARE(window.session().analysis()->tokenLabels().size(), 24);
    window.setClassroomMode(true);
    // What full screen gives on such a screen: the offscreen platform's own screen is smaller.
    window.showNormal();
    window.resize(1920, 1080);
    QTest::qWait(50);
    QCoreApplication::processEvents();
    auto* heatmap = window.heatmap();
    QTRY_VERIFY(heatmap->matrixFigure() != nullptr);
    const double height = heatmap->cellRect(23, 0).bottom() - heatmap->cellRect(0, 0).top();
    qInfo("heatmap %.0f px of a %d px window (%.0f%%), label stride %d", height, window.height(), 100.0 * height / window.height(),
          heatmap->labelStride());
    QVERIFY2(height >= 0.6 * window.height(), qPrintable(QString::number(height)));
    QCOMPARE(heatmap->labelStride(), 1);
}

// The Inside tab opens the selected head at the selected token with the model's numbers: its
// softmax row is the matrix view's row, and in classroom mode Space walks through the steps,
// the caption saying each one.
void TestClassroom::insideOneHeadStepsWithSpace() {
    MainWindow window;
    QVERIFY(openAndCompute(window));
    AttentionSelection& s = window.selection();
    s.focusHead(1, 2);
    s.setSelectedQuery(4);
    window.insideTab()->show();
    QVERIFY(QTest::qWaitFor([&] {
        const auto c = window.session().insideHead();
        return c && c->layer == 1 && c->head == 2 && c->query == 4;
    }, 60000));
    QTRY_VERIFY(window.insideTab()->view()->figure() != nullptr);
    const auto& data = window.insideTab()->view()->figure()->data();
    QCOMPARE(data.queryLabel, window.session().analysis()->tokenLabels().at(4));
    const auto& shown = window.session().analysis()->record.stacks.front().attention;
    for (int k = 0; k < shown.keys; ++k) QCOMPARE(data.capture.probabilities[std::size_t(k)], shown.at(1, 2, 4, k));
    QCOMPARE(data.kept.size(), std::size_t(shown.keys));  // top-1: one key kept
    QCOMPARE(std::count(data.kept.begin(), data.kept.end(), true), 1L);

    window.setClassroomMode(true);
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QWidget* target = window.findChild<QTabWidget*>(QStringLiteral("viewTabs"))->tabBar();
    target->setFocus();
    QCOMPARE(window.insideTab()->step(), attnscope::ui::InsideStep::Output);
    QTest::keyClick(target, Qt::Key_Space);
    QCOMPARE(window.insideTab()->step(), attnscope::ui::InsideStep::Vectors);
    QVERIFY2(window.explanationStrip()->text().startsWith(QStringLiteral("Step 1 of 6")), qPrintable(window.explanationStrip()->text()));
    QVERIFY(!s.hard());  // Space stepped the head; it did not switch to hard attention
    QTest::keyClick(target, Qt::Key_Space);
    QTest::keyClick(target, Qt::Key_Space);
    QCOMPARE(window.insideTab()->view()->figure()->data().step, attnscope::ui::InsideStep::Scaling);
    QVERIFY2(window.explanationStrip()->text().contains(QStringLiteral("1/√8")), qPrintable(window.explanationStrip()->text()));
    window.setClassroomMode(false);
}

void TestClassroom::explanationFollowsTheMode() {
    MainWindow window;
    QVERIFY(openAndCompute(window));
    window.setClassroomMode(true);
    AttentionSelection& s = window.selection();
    const auto text = [&] { return window.explanationStrip()->text(); };
    QVERIFY2(text().contains("softmax") && text().contains("sum to 1") && text().contains("dot product"), qPrintable(text()));
    QVERIFY(text().contains("head 0 of 4"));
    s.setHard(true);
    QVERIFY2(text().contains("Hard attention") && text().contains("argmax"), qPrintable(text()));
    s.setHard(false);
    s.setRollout(true);
    QVERIFY2(text().contains("Rollout"), qPrintable(text()));
    s.setRollout(false);
    s.setHeadMode(HeadMode::Mean);
    QVERIFY(text().contains("mean"));
    window.setCurrentView(ViewKind::Heads);
    QVERIFY(text().contains("A head is"));
    QVERIFY(text().contains("all 4 heads"));
    window.setCurrentView(ViewKind::Grid);
    QVERIFY(text().contains("A layer is"));

    // The wording alone, without a window.
    attnscope::ui::ExplanationContext context;
    context.layers = 2;
    context.heads = 4;
    context.hard = true;
    context.hardSelection.rule = attnscope::HardRule::TopK;
    context.hardSelection.k = 3;
    QVERIFY(attnscope::ui::explanationText(context).contains("3 strongest keys"));
}

// GPT-Neo's layers alternate global and local (window 4) and its scores are not scaled: the
// caption says so for the layer shown, and not across the grid; bert has nothing to note.
void TestClassroom::explanationNotesWhatSetsTheModelApart() {
    MainWindow window;
    QVERIFY(openAndCompute(window, "gpt_neo"));
    window.setClassroomMode(true);
    AttentionSelection& s = window.selection();
    const auto text = [&] { return window.explanationStrip()->text(); };
    s.setLayer(1);
    QVERIFY2(text().contains("Layer 1 of 2, head 0 of 4 (local layer, window 4).</b>"), qPrintable(text()));
    QVERIFY2(text().endsWith("This model: scores not divided by sqrt(d)."), qPrintable(text()));
    s.setLayer(0);
    QVERIFY2(text().contains("(global layer)"), qPrintable(text()));
    window.setCurrentView(ViewKind::Grid);
    QVERIFY2(!text().contains("global layer") && text().contains("This model:"), qPrintable(text()));

    QVERIFY(openAndCompute(window, "bert"));
    window.setCurrentView(ViewKind::Matrix);
    QVERIFY2(!text().contains("This model") && !text().contains("layer,"), qPrintable(text()));
}

QTEST_MAIN(TestClassroom)
#include "test_classroom.moc"
