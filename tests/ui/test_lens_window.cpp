// The logit lens tab of the window: shown for language models with an output head, computed
// off the GUI thread when the tab opens, equal to the engine's lens, and linked to the
// attention views both ways.
#include <QtTest>

#include <QFile>
#include <QTabWidget>

#include "Analysis.h"
#include "AttentionSelection.h"
#include "GoldenFixtures.h"
#include "ImageChecks.h"
#include "LensTab.h"
#include "LensView.h"
#include "MainWindow.h"
#include "ViewExport.h"
#include "ViewFixtures.h"
#include "WindowFixtures.h"
#include "analysis/LogitLens.h"
#include "model/Checkpoint.h"

using namespace attnscope;
using attnscope::ui::LensView;
using attnscope::ui::MainWindow;

using windowfixtures::kTimeoutMs;
using windowfixtures::openAndCompute;
using windowfixtures::storiesModel;

namespace {

const QString kText = QStringLiteral("Once upon a time, there was a little girl named Lily.");

bool lensTabVisible(MainWindow& window) {
    auto* tabs = window.findChild<QTabWidget*>(QStringLiteral("viewTabs"));
    return tabs->isTabVisible(tabs->indexOf(window.lensTab()->page()));
}

bool waitForLens(MainWindow& window) {
    return QTest::qWaitFor([&] { return window.session().lens() && !window.session().isBusy() && window.lensView()->figure(); }, kTimeoutMs);
}

}  // namespace

class LensWindowTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void openingTheTabComputesTheEnginesLens();
    void clickingACellSelectsLayerAndToken();
    void aNewAnalysisGetsItsOwnLens();
    void exportsTheLensFigure();
    void onlyLanguageModelsWithAHeadHaveTheTab();
    void commandLineCanOpenOnTheLens();
};

void LensWindowTest::openingTheTabComputesTheEnginesLens() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), kText));
    QVERIFY(lensTabVisible(window));
    QVERIFY(!window.session().lens());  // not before it is asked for
    QSignalSpy activity(&window.session(), &ui::AttentionSession::activityChanged);
    window.showLens();
    QVERIFY(window.isLensShown());
    QVERIFY(waitForLens(window));
    QCOMPARE(activity.first().at(0).value<ui::AttentionSession::Activity>(), ui::AttentionSession::Activity::ComputingLens);

    const auto analysis = window.session().analysis();
    const auto lens = window.session().lens();
    const auto cp = Checkpoint::open(storiesModel().toStdString());
    const auto expected = computeLogitLens(*cp, analysis->tokens().ids, 5);
    QVERIFY(expected);
    QCOMPARE(lens->layers, cp->config().layers);
    QCOMPARE(lens->positions, analysis->tokenCount());
    for (int l = 0; l < lens->layers; ++l)
        for (int p = 0; p < lens->positions; ++p) {
            QCOMPARE(lens->at(l, p)[0].id, expected->at(l, p)[0].id);
            QVERIFY(std::abs(lens->at(l, p)[0].probability - expected->at(l, p)[0].probability) < 1e-6f);
        }
    // The view shows it, one column per token.
    const ui::LensFigureData& data = window.lensView()->figure()->data();
    QCOMPARE(data.layers, lens->layers);
    QCOMPARE(data.positionLabels, analysis->tokenLabels());
    // The top row is the model's own prediction, which the predictions panel shows too.
    const int last = lens->layers - 1, query = window.selection().selectedQuery();
    QCOMPARE(data.cell(last, query).topToken, analysis->tokenPredictions[static_cast<std::size_t>(query)].front().label);
}

void LensWindowTest::clickingACellSelectsLayerAndToken() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), kText));
    window.showLens();
    QVERIFY(waitForLens(window));
    LensView* view = window.lensView();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTest::mouseClick(view, Qt::LeftButton, {}, view->cellRect(2, 5).center().toPoint());
    QCOMPARE(window.selection().layer(), 2);
    QCOMPARE(window.selection().selectedQuery(), 5);
    QVERIFY(window.isLensShown());
    QCOMPARE(view->figure()->selectedLayer(), std::optional<int>(2));
    QCOMPARE(view->figure()->selectedPosition(), std::optional<int>(5));
    // And the other way: the attention views' selection outlines the lens cell.
    window.selection().setLayer(4);
    window.selection().setSelectedQuery(1);
    QCOMPARE(view->figure()->selectedLayer(), std::optional<int>(4));
    QCOMPARE(view->figure()->selectedPosition(), std::optional<int>(1));
}

void LensWindowTest::aNewAnalysisGetsItsOwnLens() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), kText));
    window.showLens();
    QVERIFY(waitForLens(window));
    const auto first = window.session().lens();
    window.setText(QStringLiteral("Tom had a dog."));
    window.compute();
    QTRY_VERIFY_WITH_TIMEOUT(window.session().lens() && window.session().lens() != first && !window.session().isBusy(), kTimeoutMs);
    QCOMPARE(window.session().lens()->positions, window.session().analysis()->tokenCount());
    QCOMPARE(window.lensView()->figure()->data().positions(), window.session().analysis()->tokenCount());

    // A generation shown on the lens tab: the lens follows once the last token is in.
    window.generateTokens(5);
    QTRY_VERIFY_WITH_TIMEOUT(!window.session().isBusy() && window.session().analysis()->isGeneration() && window.session().lens(),
                             kTimeoutMs);
    QCOMPARE(window.session().lens()->positions, window.session().analysis()->tokenCount());

    // Away from the tab, a new analysis computes no lens.
    window.setCurrentView(ui::ViewKind::Matrix);
    window.compute();
    QTRY_VERIFY_WITH_TIMEOUT(!window.session().isBusy() && !window.session().analysis()->isGeneration(), kTimeoutMs);
    QTest::qWait(50);
    QVERIFY(!window.session().lens());
}

void LensWindowTest::exportsTheLensFigure() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), kText));
    window.showLens();
    QVERIFY(waitForLens(window));
    const QString dir = QStringLiteral(ATTNSCOPE_TEST_TMP);
    const QString svg = dir + QStringLiteral("/lens-window.svg");
    QFile::remove(svg);
    QVERIFY(window.exportTo({svg, false, 0}));
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY(content.contains("Logit lens"));
    QVERIFY(content.contains("L5"));
    const QString png = dir + QStringLiteral("/lens-window.png");
    QVERIFY(window.exportTo({png, false, 3000}));
    QCOMPARE(std::max(QImage(png).width(), QImage(png).height()), 3000);
    QVERIFY(imagechecks::showsDrawing(QImage(png)));
    QSignalSpy errors(&window, &MainWindow::errorShown);
    QVERIFY(!window.exportTo({dir + QStringLiteral("/lens-window.npy"), false, 0}));
    QCOMPARE(errors.count(), 1);
    QVERIFY(errors.first().at(0).toString().contains(QStringLiteral("NPY")));
}

void LensWindowTest::onlyLanguageModelsWithAHeadHaveTheTab() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("bert_mlm"), QStringLiteral("The cat sat on the mat.")));
    QVERIFY(lensTabVisible(window));  // a masked LM reads its layers through its MLM head
    window.showLens();
    QVERIFY(waitForLens(window));
    QCOMPARE(window.session().lens()->positions, window.session().analysis()->tokenCount());
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("bert"), QStringLiteral("The cat sat.")));
    QVERIFY(!lensTabVisible(window));  // no head
    QVERIFY(!window.isLensShown());
    window.showLens();  // Ctrl+6 does nothing then
    QVERIFY(!window.isLensShown());
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("t5"), QStringLiteral("The cat sat.")));
    QVERIFY(!lensTabVisible(window));
}

// `attnscope MODEL --text … --view lens`: the lens tab, computed once the analysis is in.
void LensWindowTest::commandLineCanOpenOnTheLens() {
    MainWindow window;
    window.show();
    window.openOnLens();
    QVERIFY(openAndCompute(window, storiesModel(), kText));
    QVERIFY(window.isLensShown());
    QVERIFY(waitForLens(window));
    // A model without a lens opens on the matrix instead.
    MainWindow other;
    other.show();
    other.openOnLens();
    QVERIFY(openAndCompute(other, viewfixtures::goldenModel("bert"), QStringLiteral("The cat sat.")));
    QVERIFY(!other.isLensShown());
    QCOMPARE(other.currentView(), ui::ViewKind::Matrix);
}

QTEST_MAIN(LensWindowTest)
#include "test_lens_window.moc"
