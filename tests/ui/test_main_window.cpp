// MainWindow end to end on the golden BERT checkpoint: open, compute off the GUI thread,
// show a head, switch heads without recomputing, and survive a bad folder.
#include <QtTest>

#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>

#include "Analysis.h"
#include "GoldenFixtures.h"
#include "HeadPicker.h"
#include "HeatmapView.h"
#include "MainWindow.h"
#include "WelcomePage.h"
#include "model/Checkpoint.h"

using attnscope::ui::MainWindow;

namespace {

const QString kText = QStringLiteral("The cat sat on the mat because it was tired.");
constexpr int kTimeoutMs = 60000;

QString bertFolder() { return QString::fromStdString((fixtures::goldenDir() / "bert" / "model").string()); }

// The heatmap shows exactly the session's attention for (layer, head).
bool heatmapShows(const MainWindow& window, const attnscope::ui::HeatmapView& view, int layer, int head) {
    const auto analysis = const_cast<MainWindow&>(window).session().analysis();
    if (!analysis) return false;
    const auto& stack = analysis->attentions;
    if (view.rows() != stack.queries || view.columns() != stack.keys) return false;
    for (int q = 0; q < stack.queries; ++q)
        for (int k = 0; k < stack.keys; ++k)
            if (view.value(q, k) != stack.at(layer, head, q, k)) return false;
    return true;
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void showsEmptyStateWithoutModel();
    void opensModelAndComputesAttention();
    void changingLayerOrHeadOnlyRepaints();
    void newerTextReplacesRunningComputation();
    void pairSegmentIsEncoded();
    void badFolderShowsErrorAndKeepsModel();
    void cancelShowsWhileBusyAndDropsTheResult();
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
}

void TestMainWindow::opensModelAndComputesAttention() {
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());  // with a text set, the window computes once the model is open
    QTRY_VERIFY_WITH_TIMEOUT(window.session().analysis() != nullptr, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!window.session().isBusy(), kTimeoutMs);

    QCOMPARE(window.windowTitle(), QStringLiteral("model — AttnScope"));
    QVERIFY(window.heatmap()->isVisible());
    auto* heatmap = window.heatmap();
    QCOMPARE(heatmap->rows(), 14);
    QCOMPARE(heatmap->columns(), 14);
    const QStringList expected{"[CLS]", "the", "cat", "sat", "on", "the", "mat", "because", "it", "was", "tire", "##d", ".", "[SEP]"};
    QCOMPARE(heatmap->rowLabels(), expected);
    QCOMPARE(heatmap->columnLabels(), expected);
    QVERIFY(heatmapShows(window, *heatmap, 0, 0));
    for (int q = 0; q < heatmap->rows(); ++q) {  // softmax rows
        double sum = 0.0;
        for (int k = 0; k < heatmap->columns(); ++k) sum += heatmap->value(q, k);
        QVERIFY(std::abs(sum - 1.0) < 1e-4);
    }

    auto* picker = window.headPicker();
    QCOMPARE(picker->findChild<QSpinBox*>(QStringLiteral("layerSpin"))->maximum(), 1);
    QCOMPARE(picker->findChild<QSpinBox*>(QStringLiteral("headSpin"))->maximum(), 3);
    const QString status = window.findChild<QLabel*>(QStringLiteral("modelInfo"))->text();
    QVERIFY2(status.contains("bert") && status.contains("2 layers") && status.contains("4 heads") && status.contains("14 tokens"),
             qPrintable(status));
    QVERIFY(!window.findChild<QWidget*>(QStringLiteral("cancelButton"))->isVisible());
}

void TestMainWindow::changingLayerOrHeadOnlyRepaints() {
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());
    QTRY_VERIFY_WITH_TIMEOUT(window.session().analysis() != nullptr && !window.session().isBusy(), kTimeoutMs);
    const auto analysis = window.session().analysis();
    QSignalSpy recomputes(&window.session(), &attnscope::ui::AttentionSession::activityChanged);

    window.headPicker()->setLayer(1);
    window.headPicker()->setHead(3);
    QVERIFY(heatmapShows(window, *window.heatmap(), 1, 3));
    window.headPicker()->setHead(2);
    QVERIFY(heatmapShows(window, *window.heatmap(), 1, 2));
    QVERIFY(!heatmapShows(window, *window.heatmap(), 1, 3));

    QCOMPARE(recomputes.count(), 0);
    QCOMPARE(window.session().analysis(), analysis);  // the same result, not a new one
    QCOMPARE(window.heatmap()->rowLabels().first(), QStringLiteral("[CLS]"));
}

void TestMainWindow::newerTextReplacesRunningComputation() {
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());
    QTRY_VERIFY_WITH_TIMEOUT(window.session().analysis() != nullptr && !window.session().isBusy(), kTimeoutMs);

    QSignalSpy errors(&window, &MainWindow::errorShown);
    window.setText(QStringLiteral("The dog barked."));
    window.compute();
    window.setText(QStringLiteral("A cat."));
    window.compute();  // while the first may still run: the newest text wins
    QTRY_VERIFY_WITH_TIMEOUT(!window.session().isBusy() && window.session().analysis()->text == QStringLiteral("A cat."), kTimeoutMs);
    QCOMPARE(errors.count(), 0);
    QCOMPARE(window.heatmap()->rows(), window.session().analysis()->tokenCount());
    QCOMPARE(window.heatmap()->rowLabels().first(), QStringLiteral("[CLS]"));
    QCOMPARE(window.heatmap()->rowLabels().last(), QStringLiteral("[SEP]"));
}

void TestMainWindow::pairSegmentIsEncoded() {
    MainWindow window;
    window.show();
    window.setText(QStringLiteral("The cat sat."));
    window.setPairText(QStringLiteral("It was tired."));
    window.openModel(bertFolder());
    QTRY_VERIFY_WITH_TIMEOUT(window.session().analysis() != nullptr && !window.session().isBusy(), kTimeoutMs);
    const auto analysis = window.session().analysis();
    QCOMPARE(analysis->pair, QStringLiteral("It was tired."));
    QCOMPARE(analysis->tokenLabels.count(QStringLiteral("[SEP]")), 2);
    QVERIFY(std::find(analysis->encoding.typeIds.begin(), analysis->encoding.typeIds.end(), 1) != analysis->encoding.typeIds.end());
    QCOMPARE(window.heatmap()->rows(), analysis->tokenCount());
}

void TestMainWindow::badFolderShowsErrorAndKeepsModel() {
    MainWindow window;
    window.show();
    window.setText(kText);
    window.openModel(bertFolder());
    QTRY_VERIFY_WITH_TIMEOUT(window.session().analysis() != nullptr && !window.session().isBusy(), kTimeoutMs);
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

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
