// The four views on the golden BERT checkpoint (a sentence pair): one AttentionSelection
// drives them all, and clicks in each view edit that selection.
#include <QtTest>

#include <QCheckBox>

#include "AttentionSelection.h"
#include "HeadToggles.h"
#include "HeadsView.h"
#include "HeatmapView.h"
#include "ModelView.h"
#include "TokenStripView.h"
#include "ViewFixtures.h"

using attnscope::AttentionMatrix;
using attnscope::HardRule;
using attnscope::HeadMode;
using attnscope::ui::AttentionSelection;
using attnscope::ui::HeadsFigure;
using attnscope::ui::HeadsView;
using attnscope::ui::HeadToggles;
using attnscope::ui::HeatmapView;
using attnscope::ui::ModelView;
using attnscope::ui::TokenStripView;

namespace {

bool sameMatrix(const AttentionMatrix& a, const AttentionMatrix& b) {
    return a.rows == b.rows && a.cols == b.cols && a.values == b.values && a.rowTokens == b.rowTokens && a.colTokens == b.colTokens;
}

// The first point of `view` whose hit test gives `wanted` (views expose hit tests, not token boxes).
template <typename HitOf>
std::optional<QPoint> findPoint(QWidget* view, HitOf hitOf) {
    // Every 5 px: token rows and chips are taller and wider than that, and hit tests lay the
    // figure out each time, so a finer scan only costs seconds.
    for (int y = 0; y < view->height(); y += 5)
        for (int x = 0; x < view->width(); x += 5)
            if (hitOf(QPointF(x, y))) return QPoint(x, y);
    return std::nullopt;
}

}  // namespace

class TestViews : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void everyViewFollowsTheSelection_data();
    void everyViewFollowsTheSelection();
    void renderedOutputChangesWithTheSelection();
    void headsViewHoverPreviewsAndClickSelects();
    void headTogglesDriveTheHeadsView();
    void modelViewClickFocusesLayerAndHead();
    void tokenStripClickSelectsQuery();

private:
    AttentionMatrix expectedMatrix() const;

    std::shared_ptr<const attnscope::ui::Analysis> analysis_;
    AttentionSelection* selection_ = nullptr;
    HeatmapView* matrix_ = nullptr;
    HeadsView* heads_ = nullptr;
    ModelView* model_ = nullptr;
    TokenStripView* tokens_ = nullptr;
};

void TestViews::initTestCase() {
    analysis_ = viewfixtures::computed(viewfixtures::goldenModel("bert"), QStringLiteral("The cat sat on the mat."),
                                       QStringLiteral("It was tired."));
    QVERIFY(analysis_->tokenCount() > 8);
    QCOMPARE(analysis_->attention(0).layers, 2);
    QCOMPARE(analysis_->attention(0).heads, 4);
}

void TestViews::init() {
    selection_ = new AttentionSelection;
    selection_->setShape(analysis_->attention(0).layers, analysis_->attention(0).heads);
    selection_->setSelectedQuery(2);
    matrix_ = new HeatmapView(selection_);
    heads_ = new HeadsView(selection_);
    model_ = new ModelView(selection_);
    tokens_ = new TokenStripView(selection_);
    for (attnscope::ui::FigureView* view : std::initializer_list<attnscope::ui::FigureView*>{matrix_, heads_, model_, tokens_}) {
        view->resize(900, 700);
        view->setAnalysis(analysis_);
    }
}

void TestViews::cleanup() {
    delete matrix_;
    delete heads_;
    delete model_;
    delete tokens_;
    delete selection_;
}

AttentionMatrix TestViews::expectedMatrix() const {
    return attnscope::computeAttentionMatrix(analysis_->attention(0), selection_->query(), analysis_->tokens().special);
}

void TestViews::everyViewFollowsTheSelection_data() {
    QTest::addColumn<std::function<void(AttentionSelection&)>>("edit");
    QTest::newRow("layer") << std::function([](AttentionSelection& s) { s.setLayer(1); });
    QTest::newRow("head") << std::function([](AttentionSelection& s) { s.focusHead(1, 3); });
    QTest::newRow("mean") << std::function([](AttentionSelection& s) { s.setHeadMode(HeadMode::Mean); });
    QTest::newRow("max") << std::function([](AttentionSelection& s) { s.setHeadMode(HeadMode::Max); });
    QTest::newRow("rollout") << std::function([](AttentionSelection& s) {
        s.setLayer(1);
        s.setRollout(true);
    });
    QTest::newRow("hard top-2") << std::function([](AttentionSelection& s) {
        s.setHard(true);
        s.setHardRule(HardRule::TopK);
        s.setTopK(2);
    });
    QTest::newRow("hard mass") << std::function([](AttentionSelection& s) {
        s.setHard(true);
        s.setHardRule(HardRule::Mass);
        s.setMass(0.5);
    });
    QTest::newRow("hide special") << std::function([](AttentionSelection& s) { s.setHideSpecialTokens(true); });
    QTest::newRow("query") << std::function([](AttentionSelection& s) { s.setSelectedQuery(5); });
}

void TestViews::everyViewFollowsTheSelection() {
    QFETCH(std::function<void(AttentionSelection&)>, edit);
    const AttentionMatrix before = matrix_->matrixFigure()->data().matrix;
    const auto stripBefore = tokens_->stripFigure()->data().weights;
    edit(*selection_);
    const AttentionMatrix expected = expectedMatrix();

    // Matrix view: exactly the engine's matrix for the selection.
    const auto& matrixData = matrix_->matrixFigure()->data();
    QVERIFY(sameMatrix(matrixData.matrix, expected));
    QVERIFY(!sameMatrix(matrixData.matrix, before) || QTest::currentDataTag() == QByteArray("query"));
    QCOMPARE(matrixData.rowLabels.size(), expected.rows);

    // Head view: the layer's heads, the selected query's row, the same tokens as the matrix.
    const auto& headsData = heads_->headsFigure()->data();
    QCOMPARE(static_cast<int>(headsData.heads.size()), analysis_->attention(0).heads);
    auto headQuery = selection_->query();
    headQuery.layerMode = attnscope::LayerMode::Single;
    headQuery.headMode = HeadMode::Single;
    for (int h = 0; h < analysis_->attention(0).heads; ++h) {
        headQuery.head = h;
        QVERIFY2(sameMatrix(headsData.heads[static_cast<std::size_t>(h)],
                            attnscope::computeAttentionMatrix(analysis_->attention(0), headQuery, analysis_->tokens().special)),
                 qPrintable(QStringLiteral("head %1").arg(h)));
    }
    QCOMPARE(headsData.leftLabels.size(), expected.rows);
    const auto& rowTokens = headsData.heads.front().rowTokens;
    QCOMPARE(rowTokens[static_cast<std::size_t>(headsData.selectedToken)], selection_->selectedQuery());

    // Model view: the focused thumbnail is the selection's layer (and head, when single).
    const auto& gridData = model_->gridFigure()->data();
    QCOMPARE(gridData.layers, analysis_->attention(0).layers);
    QCOMPARE(gridData.heads, analysis_->attention(0).heads);
    QCOMPARE(gridData.focusedLayer, selection_->layer());
    if (selection_->headMode() == HeadMode::Single && !selection_->rollout()) QCOMPARE(gridData.focusedHead, selection_->head());

    // Token strip: the selected query's row of the displayed matrix.
    const auto& stripData = tokens_->stripFigure()->data();
    QCOMPARE(stripData.labels.size(), expected.cols);
    const auto row = std::find(expected.rowTokens.begin(), expected.rowTokens.end(), selection_->selectedQuery()) - expected.rowTokens.begin();
    for (int k = 0; k < expected.cols; ++k) QCOMPARE(stripData.weights[static_cast<std::size_t>(k)], expected.at(static_cast<int>(row), k));
    QVERIFY(stripData.weights != stripBefore || QTest::currentDataTag() == QByteArray("head"));
}

void TestViews::renderedOutputChangesWithTheSelection() {
    for (QWidget* view : std::initializer_list<QWidget*>{matrix_, heads_, model_, tokens_}) {
        view->show();
        QVERIFY(QTest::qWaitForWindowExposed(view));
    }
    const QImage images[] = {matrix_->grab().toImage(), heads_->grab().toImage(), model_->grab().toImage(), tokens_->grab().toImage()};
    selection_->focusHead(1, 2);
    selection_->setSelectedQuery(6);
    QVERIFY(matrix_->grab().toImage() != images[0]);
    QVERIFY(heads_->grab().toImage() != images[1]);
    QVERIFY(model_->grab().toImage() != images[2]);  // the outline moved
    QVERIFY(tokens_->grab().toImage() != images[3]);
}

void TestViews::headsViewHoverPreviewsAndClickSelects() {
    heads_->show();
    QVERIFY(QTest::qWaitForWindowExposed(heads_));
    const int targetRow = 4;
    const auto point = findPoint(heads_, [&](QPointF p) {
        const HeadsFigure::Hit hit = heads_->tokenAt(p);
        return hit.side == HeadsFigure::Side::Left && hit.token == targetRow;
    });
    QVERIFY2(point, "no left token at row 4");
    QCOMPARE(heads_->shownRow(), 2);

    QTest::mouseMove(heads_, *point);
    QTRY_COMPARE(heads_->shownRow(), targetRow);  // a preview ...
    QCOMPARE(selection_->selectedQuery(), 2);     // ... that selects nothing yet
    QTest::mouseClick(heads_, Qt::LeftButton, {}, *point);
    QCOMPARE(selection_->selectedQuery(), heads_->headsFigure()->data().heads.front().rowTokens[targetRow]);

    // A click on the right (key) column selects nothing.
    const auto right = findPoint(heads_, [&](QPointF p) { return heads_->tokenAt(p).side == HeadsFigure::Side::Right; });
    QVERIFY(right);
    const int selected = selection_->selectedQuery();
    QTest::mouseClick(heads_, Qt::LeftButton, {}, *right);
    QCOMPARE(selection_->selectedQuery(), selected);
}

void TestViews::headTogglesDriveTheHeadsView() {
    HeadToggles toggles(selection_);
    QCOMPARE(toggles.count(), 4);
    QVERIFY(toggles.toggle(2)->isChecked());
    toggles.toggle(2)->click();
    QVERIFY(!selection_->isHeadEnabled(2));
    QCOMPARE(heads_->headsFigure()->data().enabled, (std::vector<bool>{true, true, false, true}));
    selection_->setAllHeadsEnabled(false);  // and the boxes mirror the selection
    for (int h = 0; h < 4; ++h) QVERIFY(!toggles.toggle(h)->isChecked());
    QCOMPARE(heads_->headsFigure()->data().enabled, std::vector<bool>(4, false));
    toggles.findChild<QAbstractButton*>(QStringLiteral("allHeadsButton"))->click();
    QCOMPARE(heads_->headsFigure()->data().enabled, std::vector<bool>(4, true));
}

void TestViews::modelViewClickFocusesLayerAndHead() {
    model_->show();
    QVERIFY(QTest::qWaitForWindowExposed(model_));
    selection_->setHeadMode(HeadMode::Mean);
    selection_->setRollout(true);
    const QPoint centre = model_->thumbnailRect(1, 2).center().toPoint();
    const auto hit = model_->thumbnailAt(centre);
    QCOMPARE(hit.layer, 1);
    QCOMPARE(hit.head, 2);
    QTest::mouseClick(model_, Qt::LeftButton, {}, centre);
    QCOMPARE(selection_->layer(), 1);
    QCOMPARE(selection_->head(), 2);
    QCOMPARE(selection_->headMode(), HeadMode::Single);
    QVERIFY(!selection_->rollout());
    QCOMPARE(model_->gridFigure()->focusedLayer(), 1);
    QCOMPARE(model_->gridFigure()->focusedHead(), 2);

    QSignalSpy opened(model_, &ModelView::headOpened);
    QTest::mouseDClick(model_, Qt::LeftButton, {}, model_->thumbnailRect(0, 3).center().toPoint());
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened.first().at(0).toInt(), 0);
    QCOMPARE(opened.first().at(1).toInt(), 3);
    QCOMPARE(selection_->layer(), 0);
    QCOMPARE(selection_->head(), 3);
}

void TestViews::tokenStripClickSelectsQuery() {
    tokens_->show();
    QVERIFY(QTest::qWaitForWindowExposed(tokens_));
    const auto point = findPoint(tokens_, [&](QPointF p) { return tokens_->chipAt(p) == 7; });
    QVERIFY2(point, "no chip for token 7");
    QTest::mouseClick(tokens_, Qt::LeftButton, {}, *point);
    QCOMPARE(selection_->selectedQuery(), 7);
    QCOMPARE(tokens_->stripFigure()->data().queryToken, 7);

    // With special tokens hidden, chip i is the i-th ordinary token.
    selection_->setHideSpecialTokens(true);
    const auto first = findPoint(tokens_, [&](QPointF p) { return tokens_->chipAt(p) == 0; });
    QVERIFY(first);
    QTest::mouseClick(tokens_, Qt::LeftButton, {}, *first);
    QCOMPARE(selection_->selectedQuery(), 1);  // token 0 is [CLS]
}

QTEST_MAIN(TestViews)
#include "test_views.moc"
