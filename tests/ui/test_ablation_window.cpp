// Switching heads off in the window (issue #19): Ctrl+click on a head in the Model view runs
// the input again without it; the predictions then read before→after (the engine's two passes),
// the figures' titles and the Model view say which heads are off, the side panel lists them
// and brings them back, a session keeps them, and encoder-decoders do not offer it. And the
// attention-sink switch beside it: the first token left out of every view, said in the title.
// And the Attribution tab: the selected token's prediction split into the heads' shares, a
// click on a head selecting it everywhere, the flip search and its "Switch them off", export.
#include <QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QPushButton>

#include "AblationControls.h"
#include "ComparisonControls.h"
#include "GridFigure.h"
#include "AttributionTab.h"
#include "AttributionFigure.h"
#include "AttributionView.h"
#include "LensFigure.h"
#include "LensTab.h"
#include "LensView.h"
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
    void encoderDecodersSwitchOffEachStacksHeads();
    void sinkSwitchLeavesOutTheFirstToken();
    void attributionTabSplitsThePredictionAndFindsTheHead();
    void lensShowsBeforeAndAfter();
    void differenceMapsOfHeadsLayersAndInputs();
    void attributionOfAnEncoderDecoder();
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
        window.ablationControls()->toggleHead(AblatedStack::Own, 1, 2);
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

// T5: Ctrl+click in the Model view switches off a head of the stack it shows — the encoder's,
// the decoder's or the cross-attention's — and the side panel, titles and grid say which.
void AblationWindowTest::encoderDecodersSwitchOffEachStacksHeads() {
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    window.setPairText(QStringLiteral("Das Haus"));
    const auto t5 = fixtures::writeT5WithLmHead(fixtures::tmpDir() / "window-t5-ablation");
    QVERIFY(openAndCompute(window, QString::fromStdString(t5.string()), QStringLiteral("The house")));
    QVERIFY(window.session().canAblate());
    QVERIFY(window.ablationControls()->isVisible());
    window.setCurrentView(ui::ViewKind::Grid);
    const auto analysis = window.session().analysis();
    window.selection().setStack(analysis->record.indexOf("cross"));
    ctrlClickHead(window, 1, 2);
    QVERIFY(QTest::qWaitFor([&] { return window.session().analysis() && !window.session().isBusy() &&
                                         window.session().analysis()->ablation.crossHeads == std::vector<std::pair<int, int>>{{1, 2}}; },
                            kTimeoutMs));
    QVERIFY(window.session().analysis()->ablation.heads.empty());
    QVERIFY(window.ablationControls()->listLabel()->text().contains(QStringLiteral("cross:1.2")));
    // The encoder's own heads: plain layer.head; both are off together.
    window.selection().setStack(analysis->record.indexOf("encoder"));
    ctrlClickHead(window, 0, 1);
    QVERIFY(QTest::qWaitFor([&] { return !window.session().isBusy() && window.session().analysis()->ablation.heads == std::vector<std::pair<int, int>>{{0, 1}}; },
                            kTimeoutMs));
    QCOMPARE(window.session().analysis()->ablation.crossHeads, (std::vector<std::pair<int, int>>{{1, 2}}));
    // The predictions of the target compare before and after.
    const auto& predictions = window.session().analysis()->tokenPredictions;
    QVERIFY(!predictions.empty() && predictions.front().front().compared());

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

void AblationWindowTest::differenceMapsOfHeadsLayersAndInputs() {
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(openAndCompute(window, QStringLiteral("builtin:induction"), kRepeat));
    window.setCurrentView(ui::ViewKind::Matrix);
    window.selection().focusHead(1, 0);
    ui::ComparisonControls* controls = window.comparisonControls();
    QVERIFY(controls->isVisible());
    const auto plainMatrix = window.heatmap()->matrixFigure()->data().matrix;
    QVERIFY(!plainMatrix.difference);

    // Minus another head: the combo, then the head's spin box; the views' matrix is the
    // engine's difference of the two heads.
    controls->withCombo()->setCurrentIndex(controls->withCombo()->findData(static_cast<int>(CompareWith::Head)));
    emit controls->withCombo()->activated(controls->withCombo()->currentIndex());
    QVERIFY(controls->headSpin()->isVisible());
    controls->headSpin()->setValue(1);
    const Comparison expected{CompareWith::Head, 0, 1};
    QVERIFY(window.selection().comparison() == expected);
    const ui::MatrixFigureData& heads = window.heatmap()->matrixFigure()->data();
    QVERIFY(heads.matrix.difference);
    QVERIFY2(heads.title.contains(QStringLiteral("minus layer 0 head 1")), qPrintable(heads.title));
    AttentionQuery other;
    other.layer = 0;
    other.head = 1;
    const AttentionMatrix b = computeAttentionMatrix(window.session().analysis()->attention(0), other);
    for (std::size_t i = 0; i < b.values.size(); ++i) QCOMPARE(heads.matrix.values[i], plainMatrix.values[i] - b.values[i]);
    // The model grid shows every head minus that one, on the diverging map.
    window.setCurrentView(ui::ViewKind::Grid);
    QTRY_VERIFY(window.modelView()->gridFigure() && window.modelView()->gridFigure()->data().maps.front().difference);

    // Minus another input: text B typed in the box runs in the session; the views then show A − B
    // on the tokens both share, and say so.
    window.setCurrentView(ui::ViewKind::Matrix);
    controls->withCombo()->setCurrentIndex(controls->withCombo()->findData(static_cast<int>(CompareWith::Input)));
    emit controls->withCombo()->activated(controls->withCombo()->currentIndex());
    QVERIFY(window.heatmap()->matrixFigure() == nullptr);  // no B yet: the view says to type one
    QVERIFY(controls->otherTextEdit()->isVisible());
    controls->otherTextEdit()->setText(QStringLiteral("qzvmxkwjbfhy qzvm"));
    QTest::keyClick(controls->otherTextEdit(), Qt::Key_Return);
    QVERIFY(QTest::qWaitFor([&] { return window.session().otherInput() && !window.session().isBusy(); }, kTimeoutMs));
    QTRY_VERIFY(window.heatmap()->matrixFigure() != nullptr);
    const ui::MatrixFigureData& inputs = window.heatmap()->matrixFigure()->data();
    QVERIFY(inputs.matrix.difference);
    QVERIFY2(inputs.title.contains(QStringLiteral("minus “qzvmxkwjbfhy qzvm”")), qPrintable(inputs.title));
    QVERIFY2(inputs.title.contains(QStringLiteral("shared tokens (of ")), qPrintable(inputs.title));
    QVERIFY(controls->otherLabel()->text().contains(QStringLiteral("qzvmxkwjbfhy qzvm")));
    // The causal model's shared beginning attends alike in both: its differences are zero.
    QCOMPARE(inputs.matrix.at(1, 0), 0.0f);
    // Off again: the plain map.
    controls->withCombo()->setCurrentIndex(0);
    emit controls->withCombo()->activated(0);
    QVERIFY(!window.heatmap()->matrixFigure()->data().matrix.difference);
}

// T5 with its LM head: the tab splits the target's logit among the decoder's heads and, apart,
// its cross-attention heads; a click on a cross head selects it in the cross-attention stack.
// The flip search, which switches heads off, is not offered.
void AblationWindowTest::attributionOfAnEncoderDecoder() {
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    const auto t5 = fixtures::writeT5WithLmHead(fixtures::tmpDir() / "window-t5-lm");
    window.setPairText(QStringLiteral("Die Katze"));
    QVERIFY(openAndCompute(window, QString::fromStdString(t5.string()), QStringLiteral("The cat sat.")));
    ui::AttributionTab* tab = window.attributionTab();
    QVERIFY(tab->isAvailable());
    tab->show();
    QVERIFY(QTest::qWaitFor([&] { return window.session().attribution() != nullptr && !window.session().isBusy(); }, kTimeoutMs));
    const auto a = window.session().attribution();
    QVERIFY(a->hasCrossHeads());
    QCOMPARE(a->target.position, window.session().analysis()->predictedTokens().size() - 1);  // the target's last token
    QVERIFY(std::abs(a->total() - a->logit) < 1e-4);
    const ui::AttributionFigure* figure = tab->view()->figure();
    QVERIFY(figure && figure->data().crossShares.size() == a->crossHeads.size());
    QVERIFY(figure->data().summary.contains(QStringLiteral("cross heads")));
    const ui::AttributionCell cross{1, 2, true};
    const QRectF cell = tab->view()->cellRect(cross);
    QVERIFY(!cell.isEmpty());
    QTest::mouseClick(tab->view(), Qt::LeftButton, Qt::NoModifier, cell.center().toPoint());
    QCOMPARE(window.selection().stackName(), window.selection().stackNameOf(window.session().analysis()->record.indexOf("cross")));
    QCOMPARE(window.selection().layer(), 1);
    QCOMPARE(window.selection().head(), 2);
    QTRY_VERIFY(tab->view()->figure()->data().selected && tab->view()->figure()->data().selectedCross);
}

void AblationWindowTest::attributionTabSplitsThePredictionAndFindsTheHead() {
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(openAndCompute(window, QStringLiteral("builtin:induction"), kRepeat));
    ui::AttributionTab* tab = window.attributionTab();
    QVERIFY(tab->isAvailable());
    // The second "x": the first half says "k" comes next, through the induction head.
    const QStringList tokens = window.session().analysis()->tokenLabels();
    const int at = static_cast<int>(tokens.lastIndexOf(QStringLiteral("x")));
    window.selection().setSelectedQuery(at);
    tab->show();
    QVERIFY(QTest::qWaitFor([&] { return window.session().attribution() && window.session().attribution()->target.position == at; }, kTimeoutMs));
    QVERIFY(tab->targetBox()->currentText().startsWith(QStringLiteral("k")));
    const auto a = window.session().attribution();
    QVERIFY(std::abs(a->total() - a->logit) < 1e-4);
    QTRY_VERIFY(tab->view()->figure() != nullptr);
    const auto& data = tab->view()->figure()->data();
    QCOMPARE(std::max_element(data.headShares.begin(), data.headShares.end()) - data.headShares.begin(), std::ptrdiff_t(4));  // head 1.0
    QVERIFY(data.title.contains(QStringLiteral("“k”")));

    // A click on head 1.0 selects it in every view.
    const QRectF cell = tab->view()->cellRect({1, 0});
    QVERIFY(!cell.isEmpty());
    QTest::mouseClick(tab->view(), Qt::LeftButton, {}, cell.center().toPoint());
    QCOMPARE(window.selection().layer(), 1);
    QCOMPARE(window.selection().head(), 0);

    // Less the runner-up: the shares are the difference's.
    tab->distractorBox()->setCurrentIndex(2);
    emit tab->distractorBox()->activated(2);
    QVERIFY(QTest::qWaitFor([&] { return window.session().attribution() && window.session().attribution()->target.distractor; }, kTimeoutMs));
    QVERIFY(tab->view()->figure()->data().title.contains(QStringLiteral(" − ")));

    // The flip search finds the induction head, and switches it off on request.
    QTest::mouseClick(tab->flipButton(), Qt::LeftButton);
    QVERIFY(QTest::qWaitFor([&] { return window.session().flipSearch() != nullptr; }, kTimeoutMs));
    QCOMPARE(window.session().flipSearch()->heads.list(), std::string("1.0"));
    QVERIFY2(tab->flipLabel()->text().contains(QStringLiteral("Switching off 1.0")), qPrintable(tab->flipLabel()->text()));
    QVERIFY(tab->switchOffButton()->isEnabled());
    QTest::mouseClick(tab->switchOffButton(), Qt::LeftButton);
    QVERIFY(analysedWith(window, {{1, 0}}));
    QVERIFY(QTest::qWaitFor([&] { return window.session().attribution() != nullptr; }, kTimeoutMs));
    QVERIFY(tab->view()->figure()->data().summary.contains(QStringLiteral("head 1.0 off")));
    QCOMPARE(tab->view()->figure()->data().switchedOff, (std::vector<std::pair<int, int>>{{1, 0}}));

    const QString png = QDir::temp().filePath(QStringLiteral("attnscope-attribution-test.png"));
    QFile::remove(png);
    tab->exportTo(png, 1200);
    const QImage image(png);
    QCOMPARE(std::max(image.width(), image.height()), 1200);
    QFile::remove(png);
}

// With the induction head off, the Lens tab shows the lens with every head on beside the one
// without it: at the second "x" the last layer reads "k" before and something else after.
void AblationWindowTest::lensShowsBeforeAndAfter() {
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(openAndCompute(window, QStringLiteral("builtin:induction"), kRepeat));
    window.session().setAblation(parseHeadAblation("1.0"));
    QVERIFY(analysedWith(window, {{1, 0}}));
    window.lensTab()->show();
    QVERIFY(QTest::qWaitFor([&] { return window.session().lens() && window.session().lensBefore(); }, kTimeoutMs));
    QTRY_VERIFY(window.lensTab()->beforeView()->isVisible());
    const auto* before = window.lensTab()->beforeView()->figure();
    const auto* after = window.lensView()->figure();
    QVERIFY(before && after);
    QCOMPARE(before->data().title, QStringLiteral("Logit lens, every head on"));
    QCOMPARE(after->data().title, QStringLiteral("Logit lens, head 1.0 off (zero)"));
    const QStringList tokens = window.session().analysis()->tokenLabels();
    const int at = static_cast<int>(tokens.lastIndexOf(QStringLiteral("x")));
    const int last = before->layers() - 1;
    QCOMPARE(before->data().cell(last, at).topToken, QStringLiteral("k"));
    QVERIFY(after->data().cell(last, at).topToken != QStringLiteral("k"));

    // Exported as one picture: both lenses side by side.
    const QString png = QDir::temp().filePath(QStringLiteral("attnscope-lens-before-after.png"));
    QFile::remove(png);
    window.lensTab()->exportTo(png, 1600);
    const QImage image(png);
    QCOMPARE(image.width(), 1600);
    QVERIFY(image.width() > 2 * image.height());
    QFile::remove(png);

    // Every head on again: one lens.
    window.session().setAblation({});
    QVERIFY(analysedWith(window, {}));
    QVERIFY(QTest::qWaitFor([&] { return window.session().lens() != nullptr; }, kTimeoutMs));
    QTRY_VERIFY(!window.lensTab()->beforeView()->isVisible());
    QVERIFY(!window.session().lensBefore());
}

QTEST_MAIN(AblationWindowTest)
#include "test_ablation_window.moc"
