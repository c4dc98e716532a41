// Switching heads off in the window (issue #19): Ctrl+click on a head in the Model view runs
// the input again without it; the predictions then read before→after (the engine's two passes),
// the figures' titles and the Model view say which heads are off, the side panel lists them
// and brings them back, a session keeps them, and encoder-decoders do not offer it. And the
// attention-sink switch beside it: the first token left out of every view, said in the title.
#include <QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>

#include "AblationControls.h"
#include "Analysis.h"
#include "AttentionSelection.h"
#include "HeatmapView.h"
#include "MatrixFigure.h"
#include "GoldenFixtures.h"
#include "MainWindow.h"
#include "ModelView.h"
#include "PredictionsPanel.h"
#include "SessionFile.h"
#include "TokenLabel.h"
#include "WindowFixtures.h"
#include "analysis/Predictions.h"
#include "model/Checkpoint.h"

using namespace attnscope;
using attnscope::ui::MainWindow;

using windowfixtures::kTimeoutMs;
using windowfixtures::openAndCompute;
using windowfixtures::waitIdle;

namespace {

const QString kRepeat = QStringLiteral("qzvmxkwjbfhy qzvmxkwjbfhy");

bool analysedWith(MainWindow& window, const std::vector<std::pair<int, int>>& heads) {
    return QTest::qWaitFor([&] {
        const auto a = window.session().analysis();
        return a && !window.session().isBusy() && a->ablation.heads == heads;
    }, kTimeoutMs);
}

void ctrlClickHead(MainWindow& window, int layer, int head) {
    ui::ModelView* view = window.modelView();
    QTRY_VERIFY(!view->thumbnailRect(layer, head).isEmpty());
    QTest::mouseClick(view, Qt::LeftButton, Qt::ControlModifier, view->thumbnailRect(layer, head).center().toPoint());
}

}  // namespace

class AblationWindowTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void ctrlClickSwitchesAHeadOffAndBack();
    void sessionKeepsTheHeadsOff();
    void encoderDecodersDoNotOfferIt();
    void sinkSwitchLeavesOutTheFirstToken();
};

void AblationWindowTest::ctrlClickSwitchesAHeadOffAndBack() {
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(openAndCompute(window, QStringLiteral("builtin:induction"), kRepeat));
    auto* controls = window.ablationControls();
    QVERIFY(controls->isVisible());
    QVERIFY(!controls->clearButton()->isEnabled());
    window.setCurrentView(ui::ViewKind::Grid);
    ctrlClickHead(window, 1, 0);
    QVERIFY(analysedWith(window, {{1, 0}}));
    QCOMPARE(window.selection().layer(), 0);  // Ctrl+click does not move the focus
    QCOMPARE(controls->listLabel()->text(), QStringLiteral("Switched off: 1.0"));
    QVERIFY(controls->clearButton()->isEnabled());
    QVERIFY(window.modelView()->gridFigure()->data().title.contains(QStringLiteral("head 1.0 off (zero)")));

    // At the second "w" the first half says "j" comes next: with the induction head it does,
    // without it hardly. The panel's numbers are the engine's two passes.
    const int w = 20;
    window.selection().setSelectedQuery(w);
    auto* panel = window.findChild<ui::PredictionsPanel*>(QStringLiteral("predictionsPanel"));
    QVERIFY(panel->title().contains(QStringLiteral("head 1.0 off (zero), before→after")));
    const auto cp = Checkpoint::open("builtin:induction");
    ForwardInput in;
    in.ids = cp->encode(kRepeat.toStdString()).ids;
    const RowMatrix before = cp->forward(in)->record.logits;
    in.ablation = parseHeadAblation("1.0");
    const RowMatrix after = cp->forward(in)->record.logits;
    const auto expected = comparedPredictions(*cp, before.row(w).data(), after.row(w).data(), static_cast<int>(before.cols()), 8);
    QCOMPARE(panel->entries().size(), expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
        QCOMPARE(panel->entries()[k].label, ui::tokenLabel(expected[k].name));
        QVERIFY(std::abs(panel->entries()[k].probability - expected[k].after) < 1e-6f);
        QVERIFY(std::abs(panel->entries()[k].before - expected[k].before) < 1e-6f);
    }
    QCOMPARE(panel->entries().front().label, QStringLiteral("j"));
    QVERIFY(panel->entries().front().before > 0.5f && panel->entries().front().probability < 0.1f);

    // Mean instead of zero, then a second head, then Ctrl+click again brings 1.0 back.
    controls->modeCombo()->setCurrentIndex(1);
    emit controls->modeCombo()->activated(1);
    QVERIFY(QTest::qWaitFor([&] { const auto a = window.session().analysis(); return a && !window.session().isBusy() && a->ablation.mode == AblationMode::Mean; }, kTimeoutMs));
    ctrlClickHead(window, 0, 3);
    QVERIFY(analysedWith(window, {{0, 3}, {1, 0}}));
    QCOMPARE(controls->listLabel()->text(), QStringLiteral("Switched off: 0.3, 1.0"));
    ctrlClickHead(window, 1, 0);
    QVERIFY(analysedWith(window, {{0, 3}}));
    controls->clearButton()->click();
    QVERIFY(analysedWith(window, {}));
    QVERIFY(!panel->entries().front().compared());
    QVERIFY(!window.modelView()->gridFigure()->data().title.contains(QStringLiteral("off")));
}

void AblationWindowTest::sessionKeepsTheHeadsOff() {
    const QString path = QString::fromStdString((fixtures::tmpDir() / "ablation.attnscope").string());
    {
        MainWindow window;
        window.show();
        QVERIFY(openAndCompute(window, QStringLiteral("builtin:induction"), kRepeat));
        window.ablationControls()->toggleHead(1, 2);
        QVERIFY(analysedWith(window, {{1, 2}}));
        QVERIFY(window.saveSessionTo(path));
    }
    const ui::SessionState state = ui::readSessionFile(path);
    QCOMPARE(state.headsOff, QStringLiteral("1.2"));
    QCOMPARE(state.headsOffMode, QStringLiteral("zero"));
    MainWindow window;
    window.show();
    QVERIFY(window.openSession(path));
    QVERIFY(analysedWith(window, {{1, 2}}));
    QCOMPARE(window.ablationControls()->listLabel()->text(), QStringLiteral("Switched off: 1.2"));

    // A session naming a head wrongly is refused with the reason.
    ui::SessionState bad = state;
    bad.headsOff = QStringLiteral("1.x");
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, ui::sessionFromJson(ui::sessionToJson(bad)));
    bad.headsOff = QStringLiteral("1.0");
    bad.headsOffMode = QStringLiteral("half");
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, ui::sessionFromJson(ui::sessionToJson(bad)));
}

void AblationWindowTest::encoderDecodersDoNotOfferIt() {
    MainWindow window;
    window.show();
    window.setPairText(QStringLiteral("Das Haus"));
    QVERIFY(openAndCompute(window, QString::fromStdString((fixtures::goldenDir() / "t5" / "model").string()), QStringLiteral("The house")));
    QVERIFY(!window.session().canAblate());
    QVERIFY(!window.ablationControls()->isVisible());
    window.session().setAblation(parseHeadAblation("0.0"));
    QVERIFY(window.session().ablation().empty());
}

void AblationWindowTest::sinkSwitchLeavesOutTheFirstToken() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, QStringLiteral("builtin:induction"), kRepeat));
    window.setCurrentView(ui::ViewKind::Matrix);
    auto* sink = window.findChild<QCheckBox*>(QStringLiteral("sinkCheck"));
    QVERIFY(sink && sink->isVisible() && !sink->isChecked());
    sink->click();
    QCOMPARE(window.selection().leftOutKeys(), std::vector<int>{0});
    const ui::MatrixFigure* figure = window.heatmap()->matrixFigure();
    QVERIFY(figure && figure->data().title.endsWith(QStringLiteral("first token left out")));
    QCOMPARE(figure->data().matrix.leftOutKeys, 1);
    QCOMPARE(figure->data().matrix.colTokens.front(), 1);  // the first token's column is gone
    sink->click();
    QVERIFY(window.selection().leftOutKeys().empty());
    QVERIFY(!window.heatmap()->matrixFigure()->data().title.contains(QStringLiteral("left out")));
}

QTEST_MAIN(AblationWindowTest)
#include "test_ablation_window.moc"
