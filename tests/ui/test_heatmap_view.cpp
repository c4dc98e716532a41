// HeatmapView on small known matrices: geometry, colours, labels, tooltips, repaints.
#include <QtTest>

#include <QHelpEvent>
#include <QToolTip>

#include "ColorMap.h"
#include "HeatmapView.h"

using attnscope::ui::ColorMap;
using attnscope::ui::HeatmapView;

namespace {

// Counts the paints a widget receives, to check that setters schedule one.
class PaintCounter : public QObject {
public:
    int paints = 0;
    bool eventFilter(QObject*, QEvent* event) override {
        if (event->type() == QEvent::Paint) ++paints;
        return false;
    }
};

// 3 queries x 4 keys; the largest value, 0.9, is at query 1, key 2.
std::vector<float> knownMatrix() {
    return {0.10f, 0.20f, 0.30f, 0.40f,  //
            0.05f, 0.03f, 0.90f, 0.02f,  //
            0.25f, 0.25f, 0.25f, 0.25f};
}

}  // namespace

class TestHeatmapView : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void holdsMatrixAndLabels();
    void rejectsMismatchedSize();
    void cellsAreSquareAndFillTheView();
    void mapsPointsToCells();
    void toolTipNamesQueryKeyAndValue();
    void toolTipShowsOnHelpEvent();
    void paintsMaxCellInTopViridisColour();
    void fixedRangeChangesColours();
    void hoverTracksCell();
    void settersScheduleRepaint();
    void labelsThinOutWhenCellsAreSmall();
    void sizeHintsAreSane();
    void showsPlaceholderWhenEmpty();

private:
    HeatmapView* view_ = nullptr;
};

void TestHeatmapView::init() {
    view_ = new HeatmapView;
    view_->resize(640, 520);
    view_->setMatrix(3, 4, knownMatrix());
    view_->setTokens({"the", "cat", "sat"}, {"[CLS]", "a", "dog", "[SEP]"});
}

void TestHeatmapView::cleanup() {
    delete view_;
    view_ = nullptr;
}

void TestHeatmapView::holdsMatrixAndLabels() {
    QCOMPARE(view_->rows(), 3);
    QCOMPARE(view_->columns(), 4);
    QCOMPARE(view_->value(1, 2), 0.9f);
    QCOMPARE(view_->value(2, 3), 0.25f);
    QCOMPARE(view_->value(7, 7), 0.0f);  // outside: no crash
    QCOMPARE(view_->rowLabels(), (QStringList{"the", "cat", "sat"}));
    QCOMPARE(view_->columnLabels(), (QStringList{"[CLS]", "a", "dog", "[SEP]"}));
    QCOMPARE(view_->rangeMin(), 0.0f);
    QCOMPARE(view_->rangeMax(), 0.9f);
}

void TestHeatmapView::rejectsMismatchedSize() {
    view_->setMatrix(3, 3, knownMatrix());  // 12 values for 9 cells
    QCOMPARE(view_->rows(), 0);
    QCOMPARE(view_->columns(), 0);
    QVERIFY(!view_->cellAt(view_->rect().center()).isValid());
}

void TestHeatmapView::cellsAreSquareAndFillTheView() {
    const QRectF cell = view_->cellRect(0, 0);
    QCOMPARE(cell.width(), cell.height());
    QVERIFY(cell.width() >= 40.0);
    const QRectF grid = view_->gridRect();
    QVERIFY(QRectF(view_->rect()).contains(grid));
    // The limiting dimension is (almost) used up: within one cell plus labels and bar.
    const bool fillsWidth = grid.width() > view_->width() * 0.55;
    const bool fillsHeight = grid.height() > view_->height() * 0.55;
    QVERIFY2(fillsWidth || fillsHeight, qPrintable(QStringLiteral("grid %1x%2").arg(grid.width()).arg(grid.height())));

    view_->resize(1200, 500);  // wide: height limits
    QVERIFY(view_->gridRect().height() > 500 * 0.55);
    QCOMPARE(view_->cellRect(2, 3).width(), view_->cellRect(2, 3).height());
}

void TestHeatmapView::mapsPointsToCells() {
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 4; ++c) {
            const HeatmapView::Cell cell = view_->cellAt(view_->cellRect(r, c).center().toPoint());
            QCOMPARE(cell.row, r);
            QCOMPARE(cell.column, c);
        }
    }
    QVERIFY(!view_->cellAt(QPoint(1, 1)).isValid());
    QVERIFY(!view_->cellAt(view_->gridRect().bottomRight().toPoint() + QPoint(3, 3)).isValid());
}

void TestHeatmapView::toolTipNamesQueryKeyAndValue() {
    QCOMPARE(view_->toolTipFor(1, 2), QStringLiteral("cat → dog: 0.9000"));
    QCOMPARE(view_->toolTipFor(0, 0), QStringLiteral("the → [CLS]: 0.1000"));
    view_->setTokens({}, {});
    QCOMPARE(view_->toolTipFor(2, 1), QStringLiteral("#2 → #1: 0.2500"));
}

void TestHeatmapView::toolTipShowsOnHelpEvent() {
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
    const QPoint pos = view_->cellRect(1, 2).center().toPoint();
    QHelpEvent help(QEvent::ToolTip, pos, view_->mapToGlobal(pos));
    QApplication::sendEvent(view_, &help);
    QTRY_COMPARE(QToolTip::text(), QStringLiteral("cat → dog: 0.9000"));
    QToolTip::hideText();
}

void TestHeatmapView::paintsMaxCellInTopViridisColour() {
    const QImage image = view_->grab().toImage();
    const QRgb top = ColorMap::viridis().rgbAt(1.0);
    QCOMPARE(view_->colorOf(0.9f).rgb(), top);
    const QRect maxCell = view_->cellRect(1, 2).toAlignedRect().adjusted(2, 2, -2, -2);
    int matching = 0;
    for (int y = maxCell.top(); y <= maxCell.bottom(); ++y)
        for (int x = maxCell.left(); x <= maxCell.right(); ++x) matching += (image.pixel(x, y) & 0xFFFFFF) == (top & 0xFFFFFF);
    QVERIFY2(matching > maxCell.width() * maxCell.height() / 2, "the max cell is not painted in viridis' top colour");
    // The smallest value (0.02) is near the bottom of the scale.
    const QPoint minCentre = view_->cellRect(1, 3).center().toPoint();
    QCOMPARE(image.pixel(minCentre) & 0xFFFFFF, view_->colorOf(0.02f).rgb() & 0xFFFFFF);
    QCOMPARE(image.pixel(minCentre) & 0xFFFFFF, ColorMap::viridis().rgbAt(0.02 / 0.9) & 0xFFFFFF);
}

void TestHeatmapView::fixedRangeChangesColours() {
    view_->setValueRange(0.0f, 1.0f);
    QCOMPARE(view_->rangeMax(), 1.0f);
    const QImage image = view_->grab().toImage();
    const QPoint centre = view_->cellRect(1, 2).center().toPoint();
    const QRgb painted = image.pixel(centre);
    QCOMPARE(painted & 0xFFFFFF, view_->colorOf(0.9f).rgb() & 0xFFFFFF);
    const QRgb expected = ColorMap::viridis().rgbAt(0.9);  // within a table step: not the top colour any more
    QVERIFY(std::abs(qRed(painted) - qRed(expected)) <= 4 && std::abs(qGreen(painted) - qGreen(expected)) <= 4 &&
            std::abs(qBlue(painted) - qBlue(expected)) <= 4);
    QVERIFY((painted & 0xFFFFFF) != (ColorMap::viridis().rgbAt(1.0) & 0xFFFFFF));
    view_->setAutoValueRange();
    QCOMPARE(view_->rangeMax(), 0.9f);
}

void TestHeatmapView::hoverTracksCell() {
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
    QSignalSpy hovered(view_, &HeatmapView::cellHovered);
    QTest::mouseMove(view_, view_->cellRect(2, 1).center().toPoint());
    QTRY_COMPARE(view_->hoveredCell(), (HeatmapView::Cell{2, 1}));
    QVERIFY(!hovered.isEmpty());
    QCOMPARE(hovered.last().at(0).toInt(), 2);
    QCOMPARE(hovered.last().at(1).toInt(), 1);
}

void TestHeatmapView::settersScheduleRepaint() {
    PaintCounter counter;
    view_->installEventFilter(&counter);
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
    QTRY_VERIFY(counter.paints > 0);

    counter.paints = 0;
    view_->setMatrix(2, 2, {0.5f, 0.5f, 0.1f, 0.9f});
    QTRY_VERIFY(counter.paints > 0);
    counter.paints = 0;
    view_->setTokens({"x", "y"}, {"x", "y"});
    QTRY_VERIFY(counter.paints > 0);
    counter.paints = 0;
    view_->setValueRange(0.0f, 1.0f);
    QTRY_VERIFY(counter.paints > 0);
    view_->removeEventFilter(&counter);
}

void TestHeatmapView::labelsThinOutWhenCellsAreSmall() {
    QCOMPARE(view_->labelStride(), 1);
    const int fewPixels = view_->labelFont().pixelSize();
    QVERIFY(fewPixels >= 9);

    const int n = 300;
    std::vector<float> uniform(static_cast<std::size_t>(n) * n, 1.0f / n);
    QStringList labels;
    for (int i = 0; i < n; ++i) labels.append(QStringLiteral("token%1").arg(i));
    view_->setMatrix(n, n, uniform);
    view_->setTokens(labels, labels);
    QVERIFY(view_->cellRect(0, 0).width() < 10.0);
    QVERIFY(view_->labelStride() > 1);
    QVERIFY(view_->labelFont().pixelSize() >= 9);  // never shrinks below readable
    // Labelled rows are far enough apart for their text (line spacing may shrink to 85%).
    const double spacing = view_->labelStride() * view_->cellRect(0, 0).height();
    QVERIFY(spacing >= 0.85 * QFontMetricsF(view_->labelFont()).height() - 1e-6);
    QVERIFY((view_->labelStride() - 1) * view_->cellRect(0, 0).height() < QFontMetricsF(view_->labelFont()).height());  // no sparser than needed
}

void TestHeatmapView::sizeHintsAreSane() {
    const QSize hint = view_->sizeHint();
    const QSize minimum = view_->minimumSizeHint();
    QVERIFY(hint.width() >= 400 && hint.height() >= 300);
    QVERIFY(minimum.width() > 0 && minimum.height() > 0);
    QVERIFY(minimum.width() <= hint.width() && minimum.height() <= hint.height());
}

void TestHeatmapView::showsPlaceholderWhenEmpty() {
    view_->clear();
    view_->setPlaceholderText(QStringLiteral("Nothing yet"));
    QCOMPARE(view_->rows(), 0);
    QVERIFY(view_->rowLabels().isEmpty());
    QVERIFY(!view_->grab().isNull());  // paints without data
}

QTEST_MAIN(TestHeatmapView)
#include "test_heatmap_view.moc"
