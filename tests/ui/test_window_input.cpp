// Input to the whole window other than typing: files dropped on it (an attention file, a
// session file, and what it must refuse) and the keyboard shortcuts of the View, File and
// Predict menus, classroom mode and the presenter keys.
#include <QtTest>

#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QTabBar>
#include <QTemporaryDir>

#include "Analysis.h"
#include "ExportDialog.h"
#include "GenerationControls.h"
#include "GoldenFixtures.h"
#include "HeatmapView.h"
#include "MainWindow.h"
#include "SessionFile.h"
#include "TextInputBar.h"
#include "ViewFixtures.h"
#include "WindowFixtures.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"

using attnscope::ui::MainWindow;
using attnscope::ui::ViewKind;
using windowfixtures::drop;
using windowfixtures::kTimeoutMs;
using windowfixtures::openAndCompute;
using windowfixtures::storiesModel;

namespace {

const QString kText = QStringLiteral("The cat sat on the mat because it was tired.");

// The golden BERT's attentions and tokens, as README's transformers snippet saves them.
QString writeAttentionFile(const QTemporaryDir& dir) {
    const std::filesystem::path golden = fixtures::goldenDir() / "bert";
    attnscope::SafetensorsFile expected(golden / "expected.safetensors");
    const attnscope::TensorInfo* attentions = expected.find("case0.attentions");
    if (!attentions) return {};
    const std::vector<float> values = expected.toFloat(*attentions);
    attnscope::SafetensorsWriter writer;
    writer.add("attentions", attentions->shape, values.data());
    writer.setMetadata("tokens", fixtures::readJson(golden / "expected.json")["cases"][0]["tokens"].dump());
    const QString path = dir.filePath(QStringLiteral("dropped.safetensors"));
    writer.write(path.toStdString());
    return path;
}

// Shows the window, makes it the active one and puts the focus on the tab bar, where no
// widget claims the keys for itself.
bool activate(MainWindow& window) {
    window.show();
    window.activateWindow();
    if (!QTest::qWaitForWindowActive(&window)) return false;
    QWidget* tabBar = window.tabs()->tabBar();
    tabBar->setFocus();
    return QTest::qWaitFor([&] { return QApplication::focusWidget() == tabBar; }, 5000);
}

void press(MainWindow& window, Qt::Key key, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
    QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : static_cast<QWidget*>(&window), key, modifiers);
}

}  // namespace

class TestWindowInput : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void droppedAttentionFileOpens();
    void droppedSessionFileOpens();
    void dropsItCannotUseAreRefused();
    void sessionWhoseModelFailsLeavesNoMasksBehind();
    void ctrlNumbersSwitchViews();
    void ctrlFiveNeedsAnImageModel();
    void ctrlSixOpensTheLens();
    void ctrlEOpensTheExportDialog();
    void ctrlMMasksAndUnmasks();
    void ctrlGGeneratesAndCtrlShiftGSteps();
    void f11EntersClassroomModeAndEscapeLeavesIt();
    void presenterKeysStepHeadsAndLayers();

private:
    QTemporaryDir tmp_;
};

void TestWindowInput::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(tmp_.isValid());
}

void TestWindowInput::droppedAttentionFileOpens() {
    const QString path = writeAttentionFile(tmp_);
    QVERIFY(!path.isEmpty());
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("gpt2"), kText));  // a model open: the file replaces it
    QVERIFY(drop(window, {path}));
    QVERIFY(QTest::qWaitFor([&] { return window.session().attentionFile() == path && window.session().analysis() && !window.session().isBusy(); },
                            kTimeoutMs));
    QVERIFY(!window.session().checkpoint());
    QCOMPARE(window.windowTitle(), QStringLiteral("dropped.safetensors — AttnScope"));
    const auto analysis = window.session().analysis();
    QCOMPARE(analysis->tokenLabels().front(), QStringLiteral("[CLS]"));
    QCOMPARE(analysis->attention(0).layers, 2);
    QCOMPARE(window.heatmap()->analysis(), analysis);
    auto* bar = window.findChild<QLabel*>(QStringLiteral("attentionFileBar"));
    QVERIFY(bar && bar->isVisible());
}

void TestWindowInput::droppedSessionFileOpens() {
    const QString path = tmp_.filePath(QStringLiteral("dropped.attnscope"));
    attnscope::ui::SessionState saved;
    {
        MainWindow window;
        window.show();
        QVERIFY(openAndCompute(window, viewfixtures::goldenModel("bert"), kText));
        window.selection().focusHead(1, 2);
        window.selection().setSelectedQuery(5);
        window.setCurrentView(ViewKind::Tokens);
        saved = window.currentSession();
        QVERIFY(window.saveSessionTo(path));
    }
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("gpt2"), QStringLiteral("Something else")));
    QVERIFY(drop(window, {path}));
    QVERIFY(QTest::qWaitFor(
        [&] { return window.session().analysis() && window.session().analysis()->text == kText && !window.session().isBusy(); }, kTimeoutMs));
    QTRY_VERIFY_WITH_TIMEOUT(window.currentSession() == saved, kTimeoutMs);
    QCOMPARE(window.session().checkpoint()->config().modelType, std::string("bert"));
    QCOMPARE(window.selection().layer(), 1);
    QCOMPARE(window.selection().head(), 2);
    QCOMPARE(window.selection().selectedQuery(), 5);
    QCOMPARE(window.currentView(), ViewKind::Tokens);
    QCOMPARE(window.inputBar()->text(), kText);
}

void TestWindowInput::dropsItCannotUseAreRefused() {
    const QString notes = tmp_.filePath(QStringLiteral("notes.txt"));
    QFile file(notes);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a model, an image or a session");
    file.close();
    const QString attention = writeAttentionFile(tmp_);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(!drop(window, {notes}));
    QVERIFY(!drop(window, {attention, attention}));  // two files: which one?
    QVERIFY(!drop(window, {tmp_.filePath(QStringLiteral("missing.attnscope"))}));
    QVERIFY(!window.session().isBusy());
    QVERIFY(!window.session().analysis());
    QVERIFY(window.session().attentionFile().isEmpty());
    QVERIFY(drop(window, {attention}));  // the same file alone is taken
    QVERIFY(QTest::qWaitFor([&] { return window.session().analysis() && !window.session().isBusy(); }, kTimeoutMs));
}

// A session names a folder that is there but holds no model: the window says so, and what
// the session would have restored on its model (its masked tokens) must not fall on the next
// text analysed with another model.
void TestWindowInput::sessionWhoseModelFailsLeavesNoMasksBehind() {
    const QString folder = tmp_.filePath(QStringLiteral("not-a-model"));
    QVERIFY(QDir().mkpath(folder));
    attnscope::ui::SessionState state;
    state.model = folder;
    state.text = kText;
    state.maskedTokens = {2};
    const QString path = tmp_.filePath(QStringLiteral("broken-model.attnscope"));
    attnscope::ui::writeSessionFile(path, state);
    MainWindow window;
    window.show();
    QSignalSpy errors(&window, &MainWindow::errorShown);
    QVERIFY(drop(window, {path}));
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
    QVERIFY(windowfixtures::waitIdle(window));
    QVERIFY(!window.session().checkpoint());

    QVERIFY(openAndCompute(window, QString::fromStdString((fixtures::goldenDir() / "bert_mlm" / "model").string()), kText));
    const auto analysis = window.session().analysis();
    QVERIFY2(analysis->maskedTokens.isEmpty(), qPrintable(QStringLiteral("masked: %1").arg(analysis->maskedTokens.keys().size())));
    QCOMPARE(analysis->tokenLabels().at(2), QStringLiteral("cat"));
}

void TestWindowInput::ctrlNumbersSwitchViews() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("bert"), kText));
    QVERIFY(activate(window));
    const std::pair<Qt::Key, ViewKind> keys[] = {
        {Qt::Key_2, ViewKind::Heads}, {Qt::Key_3, ViewKind::Grid}, {Qt::Key_4, ViewKind::Tokens}, {Qt::Key_1, ViewKind::Matrix}};
    for (const auto& [key, kind] : keys) {
        press(window, key, Qt::ControlModifier);
        QCOMPARE(window.currentView(), kind);
        QVERIFY(window.currentFigureView()->isVisible());
    }
    press(window, Qt::Key_4, Qt::ControlModifier);
    press(window, Qt::Key_5, Qt::ControlModifier);  // no image: the image tab is not offered
    QCOMPARE(window.currentView(), ViewKind::Tokens);
    press(window, Qt::Key_6, Qt::ControlModifier);  // bert has no output head: no lens
    QVERIFY(!window.isLensShown());
    QCOMPARE(window.currentView(), ViewKind::Tokens);
}

void TestWindowInput::ctrlFiveNeedsAnImageModel() {
    MainWindow window;
    window.setImageFile(QString::fromStdString((fixtures::goldenDir() / "vit" / "image0.png").string()));
    window.show();
    window.openModel(viewfixtures::goldenModel("vit"));
    QVERIFY(QTest::qWaitFor([&] { return window.session().analysis() && !window.session().isBusy(); }, kTimeoutMs));
    QVERIFY(activate(window));
    press(window, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(window.currentView(), ViewKind::Matrix);
    press(window, Qt::Key_5, Qt::ControlModifier);
    QCOMPARE(window.currentView(), ViewKind::Overlay);
    QVERIFY(window.currentFigureView()->isVisible());
}

void TestWindowInput::ctrlSixOpensTheLens() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), QStringLiteral("Once upon a time, there was a little girl.")));
    QVERIFY(activate(window));
    QVERIFY(!window.isLensShown());
    press(window, Qt::Key_6, Qt::ControlModifier);
    QVERIFY(window.isLensShown());
    QVERIFY(QTest::qWaitFor([&] { return window.session().lens() && !window.session().isBusy(); }, kTimeoutMs));
    press(window, Qt::Key_2, Qt::ControlModifier);  // and back to an attention view
    QVERIFY(!window.isLensShown());
    QCOMPARE(window.currentView(), ViewKind::Heads);
}

void TestWindowInput::ctrlEOpensTheExportDialog() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("bert"), kText));
    QVERIFY(activate(window));
    press(window, Qt::Key_E, Qt::ControlModifier);
    attnscope::ui::ExportDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<attnscope::ui::ExportDialog*>()) != nullptr);
    QTRY_VERIFY(dialog->isVisible());
    QVERIFY(!dialog->isModal() || dialog->windowModality() == Qt::WindowModal);  // open(), not exec(): the test goes on
    const QString suggested = dialog->findChild<QLineEdit*>(QStringLiteral("exportPath"))->text();
    QVERIFY2(suggested.endsWith(QStringLiteral("model-layer0-head0.png")), qPrintable(suggested));
    dialog->reject();
    QTRY_VERIFY(window.findChild<attnscope::ui::ExportDialog*>() == nullptr);  // deleted on close
}

void TestWindowInput::ctrlMMasksAndUnmasks() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, QString::fromStdString((fixtures::goldenDir() / "bert_mlm" / "model").string()), kText));
    QVERIFY(activate(window));
    window.selection().setSelectedQuery(2);  // "cat"
    const auto plain = window.session().analysis();
    press(window, Qt::Key_M, Qt::ControlModifier);
    QVERIFY(QTest::qWaitFor([&] { return window.session().analysis() != plain && !window.session().isBusy(); }, kTimeoutMs));
    const auto hidden = window.session().analysis();
    QCOMPARE(hidden->maskedTokens.value(2), QStringLiteral("cat"));
    QCOMPARE(window.selection().selectedQuery(), 2);  // the same text: the selection stays
    press(window, Qt::Key_M, Qt::ControlModifier);
    QVERIFY(QTest::qWaitFor([&] { return window.session().analysis() != hidden && !window.session().isBusy(); }, kTimeoutMs));
    QVERIFY(window.session().analysis()->maskedTokens.isEmpty());
    QCOMPARE(window.session().analysis()->tokenLabels().at(2), QStringLiteral("cat"));
}

void TestWindowInput::ctrlGGeneratesAndCtrlShiftGSteps() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), QStringLiteral("Once upon a time")));
    QVERIFY(activate(window));
    const int prompt = window.session().analysis()->tokenCount();
    window.generationControls()->setMaxNewTokens(3);
    QSignalSpy finished(&window.session(), &attnscope::ui::AttentionSession::generationFinished);
    press(window, Qt::Key_G, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QVERIFY(windowfixtures::waitIdle(window));
    QCOMPARE(window.session().analysis()->tokenCount(), prompt + 3);
    QVERIFY(window.session().analysis()->isGeneration());

    QVERIFY(activate(window));
    press(window, Qt::Key_G, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kTimeoutMs);
    QVERIFY(windowfixtures::waitIdle(window));
    QCOMPARE(window.session().analysis()->tokenCount(), prompt + 4);  // the generation continued by one
    QCOMPARE(window.session().analysis()->promptLength, prompt);
}

void TestWindowInput::f11EntersClassroomModeAndEscapeLeavesIt() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("bert"), kText));
    QVERIFY(activate(window));
    press(window, Qt::Key_F11);
    QVERIFY(window.isClassroomMode());
    QTRY_VERIFY_WITH_TIMEOUT(window.isFullScreen(), kTimeoutMs);  // as the window system applies it
    QVERIFY(window.explanationStrip()->isVisible());
    QVERIFY(activate(window));
    press(window, Qt::Key_Escape);
    QVERIFY(!window.isClassroomMode());
    QTRY_VERIFY_WITH_TIMEOUT(!window.isFullScreen(), kTimeoutMs);
    QVERIFY(!window.explanationStrip()->isVisible());
    press(window, Qt::Key_F11);  // F11 toggles both ways
    QVERIFY(window.isClassroomMode());
    press(window, Qt::Key_F11);
    QVERIFY(!window.isClassroomMode());
}

void TestWindowInput::presenterKeysStepHeadsAndLayers() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("bert"), kText));
    QVERIFY(activate(window));
    auto& s = window.selection();
    QCOMPARE(std::make_pair(s.layer(), s.head()), std::make_pair(0, 0));
    press(window, Qt::Key_Right);
    QCOMPARE(s.head(), 1);
    press(window, Qt::Key_Right);
    QCOMPARE(s.head(), 2);
    press(window, Qt::Key_Left);
    QCOMPARE(s.head(), 1);
    press(window, Qt::Key_Down);
    QCOMPARE(s.layer(), 1);
    press(window, Qt::Key_Up);
    QCOMPARE(s.layer(), 0);
    QCOMPARE(window.heatmap()->analysis(), window.session().analysis());

    // With the focus in the text field the arrows are the field's.
    auto* field = window.inputBar()->findChild<QLineEdit*>();
    QVERIFY(field);
    field->setFocus();
    QVERIFY(QTest::qWaitFor([&] { return QApplication::focusWidget() == field; }, 5000));
    field->setCursorPosition(0);
    press(window, Qt::Key_Right);
    press(window, Qt::Key_Down);
    QCOMPARE(field->cursorPosition(), 1);
    QCOMPARE(std::make_pair(s.layer(), s.head()), std::make_pair(0, 1));
}

QTEST_MAIN(TestWindowInput)
#include "test_window_input.moc"
