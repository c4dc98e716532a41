// Session files: JSON round trips every field; the window saves what is on screen and
// reopening restores it exactly (golden BERT); writes are atomic; bad files are refused with
// an error and leave the window as it was.
#include <QtTest>

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QMenu>
#include <QSignalSpy>

#include "HeatmapView.h"
#include "MainWindow.h"
#include "TextInputBar.h"
#include "model/ModelReference.h"
#include "SamplesMenu.h"
#include "SessionFile.h"
#include "ViewFixtures.h"

using attnscope::HardRule;
using attnscope::HeadMode;
using attnscope::ui::MainWindow;
using attnscope::ui::Normalization;
using attnscope::ui::SessionState;
using attnscope::ui::ValueScale;
using attnscope::ui::ViewKind;

namespace {

const QString kText = QStringLiteral("The cat sat on the mat because it was tired.");

bool idleWithAnalysis(MainWindow& window) {
    return QTest::qWaitFor([&] { return window.session().analysis() != nullptr && !window.session().isBusy(); }, 60000);
}

QString tmpFolder(const QString& name) {
    const QString path = QString::fromStdString((fixtures::tmpDir() / name.toStdString()).string());
    QDir(path).removeRecursively();
    QDir().mkpath(path);
    return path;
}

void writeText(const QString& path, const QByteArray& text) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

SessionState unusualState() {
    SessionState st;
    st.model = QStringLiteral("builtin:induction");
    st.text = QStringLiteral("a “quoted” text\nwith a newline");
    st.pair = QStringLiteral("pair");
    st.image = QStringLiteral("/tmp/x.png");
    st.maskedTokens = {2, 5};
    st.view = ViewKind::Tokens;
    st.lens = true;
    st.attention = QStringLiteral("cross");
    st.layer = 3;
    st.head = 2;
    st.headMode = HeadMode::Max;
    st.rollout = true;
    st.hard = true;
    st.hardSelection.rule = HardRule::Mass;
    st.hardSelection.k = 4;
    st.hardSelection.threshold = 0.25f;
    st.hardSelection.mass = 0.75f;
    st.hideSpecialTokens = true;
    st.words = true;
    st.leftOutKeys = {0, 3};
    st.headsOff = QStringLiteral("1.0, 2.3");
    st.headsOffMode = QStringLiteral("mean");
    st.queries = {5, 1, 2};
    st.enabledHeads = {true, false, true};
    st.colorMap = QStringLiteral("magma");
    st.scale = ValueScale::Log;
    st.normalization = Normalization::PerRow;
    st.overlayOpacity = 0.35;
    st.zoom = 2.5;
    st.firstRow = 3;
    st.firstColumn = 4;
    st.classroom = true;
    return st;
}

}  // namespace

class TestSessionFile : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void jsonRoundTripsEveryField();
    void windowRoundTripsTheView();
    void writesAreAtomic();
    void badFilesAreRefused();
    void badFilesLeaveTheWindowAsItWas();
    void startModelFailureIsSilent();
    void samplesMenuListsTheSamples();
    void masksAndTheLensComeBack();
};

void TestSessionFile::jsonRoundTripsEveryField() {
    const SessionState st = unusualState();
    QVERIFY(attnscope::ui::sessionFromJson(attnscope::ui::sessionToJson(st)) == st);
    QVERIFY(attnscope::ui::sessionFromJson(attnscope::ui::sessionToJson(SessionState{.model = "m"})) == SessionState{.model = "m"});
    // Files from before masks and the lens were saved still open, with neither.
    nlohmann::json older = nlohmann::json::parse(attnscope::ui::sessionToJson(st));
    older["inputs"].erase("masked");
    older["view"].erase("lens");
    const SessionState read = attnscope::ui::sessionFromJson(older.dump());
    QVERIFY(read.maskedTokens.empty());
    QVERIFY(!read.lens);
    QCOMPARE(read.text, st.text);
}

void TestSessionFile::windowRoundTripsTheView() {
    const QString folder = tmpFolder("session-roundtrip");
    const QString path = folder + "/view.attnscope";
    SessionState saved;
    {
        MainWindow window;
        window.show();
        window.setText(kText);
        window.setPairText(QStringLiteral("It slept."));
        window.openModel(viewfixtures::goldenModel("bert"));
        QVERIFY(idleWithAnalysis(window));
        auto& s = window.selection();
        s.setLayer(1);
        s.setHead(2);
        s.setHeadMode(HeadMode::Max);
        s.setHardRule(HardRule::Mass);
        s.setMass(0.7);
        s.setTopK(2);
        s.setThreshold(0.3);
        s.setHard(true);
        s.setHideSpecialTokens(true);
        s.setSelectedQuery(5);
        s.setHeadEnabled(1, false);
        s.setColorMap(QStringLiteral("magma"));
        s.setValueScale(ValueScale::Log);
        s.setNormalization(Normalization::PerRow);
        s.setOverlayOpacity(0.3);
        window.setCurrentView(ViewKind::Matrix);
        window.heatmap()->zoomIn();
        window.heatmap()->zoomIn();
        window.heatmap()->panBy(2, 3);
        window.setCurrentView(ViewKind::Heads);
        window.setClassroomMode(true);
        saved = window.currentSession();
        QVERIFY(saved.zoom > 1.0);
        QVERIFY(window.saveSessionTo(path));
    }
    QCOMPARE(saved.layer, 1);
    QCOMPARE(saved.head, 2);
    QCOMPARE(saved.queries[0], 5);
    QVERIFY(!saved.enabledHeads.at(1));
    QCOMPARE(saved.pair, QStringLiteral("It slept."));

    MainWindow reopened;
    reopened.show();
    QVERIFY(reopened.openSession(path));
    QVERIFY(idleWithAnalysis(reopened));
    QTRY_VERIFY(reopened.currentSession() == saved);
    QVERIFY(reopened.isClassroomMode());
    QCOMPARE(reopened.currentView(), ViewKind::Heads);
    QCOMPARE(reopened.selection().style().colorMap, QStringLiteral("magma"));
    QVERIFY(reopened.selection().hard());
    QCOMPARE(reopened.selection().hardSelection().rule, HardRule::Mass);
}

void TestSessionFile::writesAreAtomic() {
    const QString folder = tmpFolder("session-atomic");
    const QString path = folder + "/a.attnscope";
    writeText(path, "old contents");
    attnscope::ui::writeSessionFile(path, unusualState());
    QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden), QStringList{"a.attnscope"});  // no temporary left
    QVERIFY(attnscope::ui::readSessionFile(path) == unusualState());

    QVERIFY_THROWS_EXCEPTION(std::runtime_error, attnscope::ui::writeSessionFile(folder + "/no/such/dir/b.attnscope", unusualState()));
    QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden), QStringList{"a.attnscope"});

    MainWindow window;
    window.setText(kText);
    window.openModel(viewfixtures::goldenModel("bert"));
    QVERIFY(idleWithAnalysis(window));
    QSignalSpy errors(&window, &MainWindow::errorShown);
    QVERIFY(!window.saveSessionTo(folder + "/no/such/dir/b.attnscope"));
    QCOMPARE(errors.count(), 1);
}

void TestSessionFile::badFilesAreRefused() {
    const auto refused = [](const std::string& json) {
        try {
            attnscope::ui::sessionFromJson(json);
        } catch (const std::runtime_error&) {
            return true;
        }
        return false;
    };
    const std::string good = attnscope::ui::sessionToJson(unusualState());
    QVERIFY(!refused(good));
    QVERIFY(refused("{ not json"));
    QVERIFY(refused("[]"));
    QVERIFY(refused("{\"format\": \"something else\", \"version\": 1}"));
    auto wrongType = QString::fromStdString(good).replace("\"layer\": 3", "\"layer\": \"three\"").toStdString();
    QVERIFY(wrongType != good);
    QVERIFY(refused(wrongType));
    auto missing = QString::fromStdString(good).replace("\"rollout\"", "\"rollover\"").toStdString();
    QVERIFY(refused(missing));
    auto badEnum = QString::fromStdString(good).replace("\"head_mode\": \"max\"", "\"head_mode\": \"median\"").toStdString();
    QVERIFY(badEnum != good);
    QVERIFY(refused(badEnum));
    auto newer = QString::fromStdString(good).replace("\"version\": 1", "\"version\": 99").toStdString();
    QVERIFY(refused(newer));
}

void TestSessionFile::badFilesLeaveTheWindowAsItWas() {
    const QString folder = tmpFolder("session-bad");
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(viewfixtures::goldenModel("bert"));
    QVERIFY(idleWithAnalysis(window));
    window.selection().setLayer(1);
    window.selection().setHead(3);
    const SessionState before = window.currentSession();
    const auto analysis = window.session().analysis();

    SessionState missingModel = unusualState();
    missingModel.model = folder + "/no-such-model";
    attnscope::ui::writeSessionFile(folder + "/missing-model.attnscope", missingModel);
    writeText(folder + "/invalid.attnscope", "{ \"format\": ");
    writeText(folder + "/wrong-type.attnscope",
              QByteArray::fromStdString(attnscope::ui::sessionToJson(before)).replace("\"classroom\": false", "\"classroom\": 3"));

    for (const QString name : {"missing-model", "invalid", "wrong-type", "does-not-exist"}) {
        QSignalSpy errors(&window, &MainWindow::errorShown);
        QVERIFY2(!window.openSession(folder + "/" + name + ".attnscope"), qPrintable(name));
        QCOMPARE(errors.count(), 1);
        QTest::qWait(50);
        QVERIFY(!window.session().isBusy());
        QVERIFY(window.session().analysis() == analysis);
        QVERIFY(window.currentSession() == before);
    }
}

// The built-in start model may be missing (a source tree without resources/builtin): the
// window then stays on its welcome page without an error box or a leftover text.
void TestSessionFile::startModelFailureIsSilent() {
    MainWindow window;
    window.show();
    QSignalSpy errors(&window, &MainWindow::errorShown);
    window.openStartModel(QStringLiteral("builtin:no-such-model"), QStringLiteral("abc abc"));
    QVERIFY(QTest::qWaitFor([&] { return !window.session().isBusy(); }, 10000));
    QTest::qWait(50);
    QCOMPARE(errors.count(), 0);
    QVERIFY(!window.session().checkpoint());
    QVERIFY(window.inputBar()->text().isEmpty());
    // A later failure is reported as usual.
    window.openModel(QStringLiteral("/no/such/model/folder"));
    QVERIFY(QTest::qWaitFor([&] { return errors.count() == 1; }, 10000));
}

void TestSessionFile::samplesMenuListsTheSamples() {
    if (attnscope::findResourceFolder("samples").empty()) QSKIP("no resources/samples in this tree");
    MainWindow window;
    QVERIFY(window.samplesMenu());
    QStringList texts;
    for (const QAction* action : window.samplesMenu()->actions()) texts << action->text();
    QVERIFY2(texts.contains(QStringLiteral("qwertzuiopasdfgh qwertzuiopasdfgh")), qPrintable(texts.join(" | ")));
}

// A masked LM's masked token and the Lens tab are part of what was on screen.
void TestSessionFile::masksAndTheLensComeBack() {
    const QString path = tmpFolder(QStringLiteral("masked-session")) + QStringLiteral("/masked.attnscope");
    {
        MainWindow window;
        window.show();
        window.setText(kText);
        window.openModel(QString::fromStdString((fixtures::goldenDir() / "bert_mlm" / "model").string()));
        QVERIFY(idleWithAnalysis(window));
        window.selection().setSelectedQuery(2);  // "cat"
        window.toggleMaskAtSelection();
        QTRY_VERIFY_WITH_TIMEOUT(!window.session().isBusy() && window.session().analysis()->maskedTokens.contains(2), 60000);
        window.showLens();
        QTRY_VERIFY_WITH_TIMEOUT(window.session().lens() != nullptr, 60000);
        QVERIFY(window.saveSessionTo(path));
        QCOMPARE(window.currentSession().maskedTokens, std::vector<int>{2});
        QVERIFY(window.currentSession().lens);
    }
    MainWindow reopened;
    reopened.show();
    QVERIFY(reopened.openSession(path));
    QTRY_VERIFY_WITH_TIMEOUT(reopened.session().lens() != nullptr && !reopened.session().isBusy(), 60000);
    const auto analysis = reopened.session().analysis();
    QCOMPARE(analysis->maskedTokens.value(2), QStringLiteral("cat"));
    QCOMPARE(analysis->tokenLabels().value(2), QStringLiteral("[MASK]"));
    QVERIFY(reopened.isLensShown());
    QCOMPARE(reopened.selection().selectedQuery(), 2);
    // Pressing Enter afterwards analyses the plain text again.
    reopened.compute();
    QTRY_VERIFY_WITH_TIMEOUT(!reopened.session().isBusy() && reopened.session().analysis()->maskedTokens.isEmpty(), 60000);
}

QTEST_MAIN(TestSessionFile)
#include "test_session_file.moc"
