// HeatmapView (the matrix view) on hand-made analyses with known numbers: it shows what the
// selection asks for, clicking a row selects the query, zoom and pan, tooltips, hover.
#include <QtTest>

#include <QHelpEvent>
#include <QToolTip>
#include <QWheelEvent>

#include "AttentionSelection.h"
#include "HeatmapView.h"
#include "ImageChecks.h"
#include "ViewFixtures.h"

using attnscope::HardRule;
using attnscope::HeadMode;
using attnscope::ui::AttentionSelection;
using attnscope::ui::HeatmapView;

namespace {

// 4 tokens, 1 layer, 2 heads. Head 0's largest weight, 0.9, is query 1 ("cat") -> key 2 ("dog").
const std::vector<float> kHead0{0.10f, 0.20f, 0.30f, 0.40f,  //
                                0.05f, 0.03f, 0.90f, 0.02f,  //
                                0.25f, 0.25f, 0.25f, 0.25f,  //
                                0.70f, 0.10f, 0.10f, 0.10f};
const std::vector<float> kHead1{0.40f, 0.30f, 0.20f, 0.10f,  //
                                0.50f, 0.10f, 0.10f, 0.30f,  //
                                0.05f, 0.05f, 0.10f, 0.80f,  //
                                0.25f, 0.25f, 0.25f, 0.25f};

std::shared_ptr<const attnscope::ui::Analysis> fourTokens(std::vector<bool> special = {}) {
    return viewfixtures::handMade({"[CLS]", "cat", "dog", "[SEP]"}, 1, 2, {kHead0, kHead1}, special);
}

// n tokens with a smooth, row-normalised pattern; large enough to zoom into.
std::shared_ptr<const attnscope::ui::Analysis> manyTokens(int n) {
    std::vector<std::string> tokens;
    std::vector<float> map(static_cast<std::size_t>(n) * n);
    for (int q = 0; q < n; ++q) {
        tokens.push_back("t");
        tokens.back() += std::to_string(q);  // not "t" + to_string: GCC 12 -O3 warns falsely of an overflow (its bug 105651)
        float sum = 0.0f;
        for (int k = 0; k < n; ++k) sum += (map[static_cast<std::size_t>(q) * n + k] = 1.0f + static_cast<float>((q * 7 + k * 3) % 11));
        for (int k = 0; k < n; ++k) map[static_cast<std::size_t>(q) * n + k] /= sum;
    }
    return viewfixtures::handMade(tokens, 1, 1, {map});
}

void wheel(QWidget* widget, QPointF pos, int angle) {
    QWheelEvent event(pos, widget->mapToGlobal(pos), QPoint(), QPoint(0, angle), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(widget, &event);
}

}  // namespace

class TestHeatmapView : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void showsTheSelectedHead();
    void aggregatesAndHardModeReachTheView();
    void clickOnACellSelectsItsQuery();
    void hiddenSpecialTokensMapRowsToTokens();
    void arrowKeysMoveTheQuery();
    void toolTipNamesQueryKeyAndValue();
    void hoverTracksCell();
    void wheelZoomsAboutThePointer();
    void dragPansAndKeysZoom();
    void paintsTheFigure();
    void hiddenViewBuildsOnDemand();
    void showsPlaceholderWithoutAnalysis();
    void sizeHintsAreSane();

private:
    AttentionSelection* selection_ = nullptr;
    HeatmapView* view_ = nullptr;
};

void TestHeatmapView::init() {
    selection_ = new AttentionSelection;
    selection_->setShape(1, 2);
    view_ = new HeatmapView(selection_);
    view_->resize(700, 560);
    view_->setAnalysis(fourTokens());
}

void TestHeatmapView::cleanup() {
    delete view_;
    delete selection_;
}

void TestHeatmapView::showsTheSelectedHead() {
    QVERIFY(view_->matrixFigure());
    QCOMPARE(view_->rows(), 4);
    QCOMPARE(view_->columns(), 4);
    QCOMPARE(view_->value(1, 2), 0.9f);
    QCOMPARE(view_->matrixFigure()->data().rowLabels, (QStringList{"[CLS]", "cat", "dog", "[SEP]"}));
    QCOMPARE(view_->matrixFigure()->data().columnLabels, (QStringList{"[CLS]", "cat", "dog", "[SEP]"}));
    selection_->setHead(1);
    QVERIFY(view_->matrixFigure());
    QCOMPARE(view_->value(2, 3), 0.8f);
    QCOMPARE(view_->value(1, 2), 0.1f);
}

void TestHeatmapView::aggregatesAndHardModeReachTheView() {
    selection_->setHeadMode(HeadMode::Mean);
    view_->matrixFigure();
    for (int q = 0; q < 4; ++q)
        for (int k = 0; k < 4; ++k) QVERIFY(std::abs(view_->value(q, k) - (kHead0[q * 4 + k] + kHead1[q * 4 + k]) / 2) < 1e-6f);
    selection_->setHeadMode(HeadMode::Max);
    view_->matrixFigure();
    QCOMPARE(view_->value(1, 2), 0.9f);
    QCOMPARE(view_->value(2, 3), 0.8f);

    selection_->setHead(0);
    selection_->setHard(true);
    selection_->setHardRule(HardRule::TopK);
    selection_->setTopK(1);
    view_->matrixFigure();
    for (int q = 0; q < 4; ++q) {
        int nonZero = 0;
        for (int k = 0; k < 4; ++k) nonZero += view_->value(q, k) != 0.0f;
        QCOMPARE(nonZero, 1);
    }
    QCOMPARE(view_->value(1, 2), 0.9f);
    QCOMPARE(view_->value(2, 0), 0.25f);  // a tie goes to the lower key index
}

void TestHeatmapView::clickOnACellSelectsItsQuery() {
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
    QTest::mouseClick(view_, Qt::LeftButton, {}, view_->cellRect(2, 1).center().toPoint());
    QCOMPARE(selection_->selectedQuery(), 2);
    QCOMPARE(view_->matrixFigure()->data().selectedRow, 2);
    QTest::mouseClick(view_, Qt::LeftButton, {}, view_->cellRect(0, 3).center().toPoint());
    QCOMPARE(selection_->selectedQuery(), 0);
    QTest::mouseClick(view_, Qt::LeftButton, {}, QPoint(2, 2));  // outside the cells: unchanged
    QCOMPARE(selection_->selectedQuery(), 0);
}

void TestHeatmapView::hiddenSpecialTokensMapRowsToTokens() {
    view_->setAnalysis(fourTokens({true, false, false, true}));
    selection_->setHideSpecialTokens(true);
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
    QCOMPARE(view_->rows(), 2);
    QCOMPARE(view_->matrixFigure()->data().rowLabels, (QStringList{"cat", "dog"}));
    QTest::mouseClick(view_, Qt::LeftButton, {}, view_->cellRect(0, 0).center().toPoint());
    QCOMPARE(selection_->selectedQuery(), 1);  // row 0 shows token 1, "cat"
    // Each row renormalised over the kept keys.
    QVERIFY(std::abs(view_->value(0, 0) + view_->value(0, 1) - 1.0f) < 1e-5f);
}

void TestHeatmapView::arrowKeysMoveTheQuery() {
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
    selection_->setSelectedQuery(1);
    QTest::keyClick(view_, Qt::Key_Down);
    QCOMPARE(selection_->selectedQuery(), 2);
    QTest::keyClick(view_, Qt::Key_Down);
    QTest::keyClick(view_, Qt::Key_Down);
    QCOMPARE(selection_->selectedQuery(), 3);  // stops at the last row
    QTest::keyClick(view_, Qt::Key_Up);
    QCOMPARE(selection_->selectedQuery(), 2);
}

void TestHeatmapView::toolTipNamesQueryKeyAndValue() {
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
    QCOMPARE(view_->toolTipFor(1, 2), QStringLiteral("cat → dog: 0.9000"));
    const QPoint pos = view_->cellRect(1, 2).center().toPoint();
    QHelpEvent help(QEvent::ToolTip, pos, view_->mapToGlobal(pos));
    QApplication::sendEvent(view_, &help);
    QTRY_COMPARE(QToolTip::text(), QStringLiteral("cat → dog: 0.9000"));
    QToolTip::hideText();
}

void TestHeatmapView::hoverTracksCell() {
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
    QSignalSpy hovered(view_, &HeatmapView::cellHovered);
    QTest::mouseMove(view_, view_->cellRect(2, 1).center().toPoint());
    QTRY_COMPARE(view_->hoveredCell().row, 2);
    QCOMPARE(view_->hoveredCell().column, 1);
    QVERIFY(!hovered.isEmpty());
    QCOMPARE(hovered.last().at(0).toInt(), 2);
    QCOMPARE(hovered.last().at(1).toInt(), 1);
}

void TestHeatmapView::wheelZoomsAboutThePointer() {
    selection_->setShape(1, 1);
    view_->setAnalysis(manyTokens(40));
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
    QCOMPARE(view_->visibleCells(), QRect(0, 0, 40, 40));
    QVERIFY(!view_->isZoomed());

    const QPointF pointer = view_->cellRect(30, 30).center();
    wheel(view_, pointer, 120 * 4);
    QVERIFY(view_->isZoomed());
    const QRect window = view_->visibleCells();
    QVERIFY2(window.width() < 40 && window.height() < 40, qPrintable(QStringLiteral("%1x%2").arg(window.width()).arg(window.height())));
    QVERIFY(window.contains(30, 30));  // the cell under the pointer stays in view
    const auto hit = view_->cellAt(pointer);
    QVERIFY(hit.isValid());
    QVERIFY(std::abs(hit.row - 30) <= 1 && std::abs(hit.column - 30) <= 1);  // ... and under the pointer
    // Zoomed cells are larger.
    QVERIFY(view_->cellRect(hit.row, hit.column).width() > 1.5 * (view_->figureArea().width() / 60.0));

    wheel(view_, pointer, -120 * 40);
    QVERIFY(!view_->isZoomed());
    QCOMPARE(view_->visibleCells(), QRect(0, 0, 40, 40));
}

void TestHeatmapView::dragPansAndKeysZoom() {
    selection_->setShape(1, 1);
    view_->setAnalysis(manyTokens(40));
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
    QTest::keyClick(view_, Qt::Key_Plus);
    QTest::keyClick(view_, Qt::Key_Plus);
    QTest::keyClick(view_, Qt::Key_Plus);
    QVERIFY(view_->isZoomed());
    const QRect before = view_->visibleCells();
    QVERIFY(before.width() < 40);

    // Drag the picture three cells up and left: the window moves three cells down and right.
    const QRectF cell = view_->cellRect(before.top(), before.left());
    const QPoint start = view_->cellRect(before.top() + 2, before.left() + 2).center().toPoint();
    const QPoint end = start - QPoint(static_cast<int>(3 * cell.width()), static_cast<int>(3 * cell.height()));
    const int queryBefore = selection_->selectedQuery();
    QTest::mousePress(view_, Qt::LeftButton, {}, start);
    QTest::mouseMove(view_, start - QPoint(5, 5));
    QTest::mouseMove(view_, end);
    QTest::mouseRelease(view_, Qt::LeftButton, {}, end);
    const QRect after = view_->visibleCells();
    QCOMPARE(after.size(), before.size());
    QVERIFY2(std::abs(after.left() - before.left() - 3) <= 1 && std::abs(after.top() - before.top() - 3) <= 1,
             qPrintable(QStringLiteral("(%1,%2) -> (%3,%4)").arg(before.left()).arg(before.top()).arg(after.left()).arg(after.top())));
    QCOMPARE(selection_->selectedQuery(), queryBefore);  // a drag is not a click

    QTest::keyClick(view_, Qt::Key_Minus);
    QVERIFY(view_->visibleCells().width() > after.width());
    QTest::keyClick(view_, Qt::Key_0);
    QCOMPARE(view_->visibleCells(), QRect(0, 0, 40, 40));

    // The zoom survives a layer/head change of the same shape, and resets for a new text.
    QTest::keyClick(view_, Qt::Key_Plus);
    selection_->setHeadMode(HeadMode::Mean);
    QVERIFY(view_->isZoomed());
    view_->setAnalysis(manyTokens(30));
    QVERIFY(!view_->isZoomed());
}

void TestHeatmapView::paintsTheFigure() {
    const QImage blank = [] {
        QWidget empty;
        empty.resize(700, 560);
        return empty.grab().toImage();
    }();
    QVERIFY(view_->matrixFigure());  // hidden views build on demand, not while painting
    const QImage image = view_->grab().toImage();
    QCOMPARE(image.size(), QSize(700, 560));
    // The strongest cell is painted in the colour map's top colour (viridis: yellow), the
    // weakest near its bottom (dark): the figure really painted the selection's matrix.
    const QColor strong = image.pixelColor(view_->cellRect(1, 2).center().toPoint());
    const QColor weak = image.pixelColor(view_->cellRect(1, 3).center().toPoint());
    QVERIFY2(strong.lightnessF() > weak.lightnessF() + 0.3, qPrintable(strong.name() + " vs " + weak.name()));
    QVERIFY(image != blank);
}

void TestHeatmapView::hiddenViewBuildsOnDemand() {
    QSignalSpy rebuilt(view_, &HeatmapView::figureChanged);
    selection_->setHead(1);  // hidden: nothing built yet
    QCOMPARE(rebuilt.count(), 0);
    QCOMPARE(view_->matrixFigure()->data().matrix.at(2, 3), 0.8f);  // asked for: built now
    QCOMPARE(rebuilt.count(), 1);
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
    QCOMPARE(rebuilt.count(), 1);  // already current: showing builds nothing
    selection_->setHead(0);
    QCOMPARE(rebuilt.count(), 2);  // visible: built at once
}

void TestHeatmapView::showsPlaceholderWithoutAnalysis() {
    view_->setAnalysis(nullptr);
    view_->setPlaceholderText(QStringLiteral("Nothing yet"));
    QVERIFY(!view_->matrixFigure());
    QCOMPARE(view_->rows(), 0);
    QCOMPARE(view_->emptyText(), QStringLiteral("Nothing yet"));
    QVERIFY(!view_->cellAt(view_->rect().center()).isValid());
    // Paints without data: the placeholder message and nothing coloured.
    const QImage empty = view_->grab().toImage();
    QVERIFY(!empty.isNull());
    QCOMPARE(imagechecks::saturatedColours(empty), 0);
}

void TestHeatmapView::sizeHintsAreSane() {
    const QSize hint = view_->sizeHint();
    const QSize minimum = view_->minimumSizeHint();
    QVERIFY(hint.width() >= 400 && hint.height() >= 300);
    QVERIFY(minimum.width() > 0 && minimum.height() > 0);
    QVERIFY(minimum.width() <= hint.width() && minimum.height() <= hint.height());
}

QTEST_MAIN(TestHeatmapView)
#include "test_heatmap_view.moc"
