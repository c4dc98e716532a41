// The alignment view of cross-attention (T5's golden checkpoint with a target): its data is the
// cross stack's matrix with the target's and source's labels, hard top-1 keeps one source
// token per target token, the figure draws lines that depend on the weights, a click on a
// target token selects it, and self-attention gets a clear note instead of a picture.
#include <QtTest>

#include <QMouseEvent>

#include "AlignmentFigure.h"
#include "AlignmentView.h"
#include "Analysis.h"
#include "AnalysisJob.h"
#include "AttentionSelection.h"
#include "Error.h"
#include "ImageChecks.h"
#include "ViewFixtures.h"
#include "ViewTabs.h"
#include "model/Checkpoint.h"

using namespace attnscope::ui;

namespace {

const QString kSource = QStringLiteral("The cat sat on the mat.");
const QString kTarget = QStringLiteral("Die Katze sass auf der Matte.");

std::shared_ptr<const Analysis> translation() {
    static const auto analysis = [] {
        const auto checkpoint = attnscope::Checkpoint::open(fixtures::goldenDir() / "t5" / "model");
        AnalysisRequest request;
        request.text = kSource;
        request.target = kTarget;
        return computeAnalysis(*checkpoint, request);
    }();
    return analysis;
}

int stackNamed(const Analysis& analysis, const std::string& name) {
    for (std::size_t i = 0; i < analysis.record.stacks.size(); ++i)
        if (analysis.record.stacks[i].name == name) return static_cast<int>(i);
    return -1;
}

ViewRequest request(bool hard) {
    ViewRequest r;
    r.kind = ViewKind::Alignment;
    r.query.layer = 1;
    r.query.head = 2;
    r.query.hard = hard;
    return r;
}

QImage painted(const AlignmentFigure& figure) {
    QImage image(figure.naturalSize().toSize(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    figure.paint(painter, QRectF(QPointF(0, 0), figure.naturalSize()));
    return image;
}

}  // namespace

class TestAlignmentView : public QObject {
    Q_OBJECT
private slots:
    void dataIsTheCrossStacksMatrix();
    void hardTopOneKeepsOneSourceTokenPerTarget();
    void figureDrawsTheWeights();
    void selfAttentionIsRefusedWithANote();
    void clickingATargetTokenSelectsIt();
    void tabOnlyForCrossAttention();
    void wordsGroupBothSentences();
    void meanOverTheChosenHeads();
};

void TestAlignmentView::dataIsTheCrossStacksMatrix() {
    const auto analysis = translation();
    const int cross = stackNamed(*analysis, "cross");
    QVERIFY(cross >= 0);
    const FigureSource source = analysis->figureSource(cross);
    const AlignmentFigureData data = buildAlignmentData(source, request(false));
    const attnscope::NamedStack& stack = analysis->stack(cross);
    QCOMPARE(data.matrix.rows, stack.attention.queries);
    QCOMPARE(data.matrix.cols, stack.attention.keys);
    QCOMPARE(data.targetLabels, source.queryLabels);
    QCOMPARE(data.sourceLabels, source.tokenLabels);
    QVERIFY(data.targetLabels != data.sourceLabels);
    for (int r = 0; r < data.matrix.rows; ++r)
        for (int c = 0; c < data.matrix.cols; ++c) QCOMPARE(data.matrix.at(r, c), stack.attention.at(1, 2, r, c));
    QVERIFY2(data.title.startsWith(QStringLiteral("Cross-attention · Layer 1 · head 2")), qPrintable(data.title));
    QVERIFY(!data.hard);
    QCOMPARE(data.selectedRow, -1);
}

void TestAlignmentView::hardTopOneKeepsOneSourceTokenPerTarget() {
    const auto analysis = translation();
    const FigureSource source = analysis->figureSource(stackNamed(*analysis, "cross"));
    const AlignmentFigureData soft = buildAlignmentData(source, request(false));
    const AlignmentFigureData hard = buildAlignmentData(source, request(true));
    QVERIFY(hard.hard);
    for (int r = 0; r < hard.matrix.rows; ++r) {
        int kept = 0, argmax = 0;
        for (int c = 0; c < hard.matrix.cols; ++c) {
            if (hard.matrix.at(r, c) != 0.0f) ++kept;
            if (soft.matrix.at(r, c) > soft.matrix.at(r, argmax)) argmax = c;
        }
        QCOMPARE(kept, 1);
        QCOMPARE(hard.matrix.at(r, argmax), soft.matrix.at(r, argmax));  // the argmax, with its own weight
    }
}

void TestAlignmentView::figureDrawsTheWeights() {
    const auto analysis = translation();
    const FigureSource source = analysis->figureSource(stackNamed(*analysis, "cross"));
    AlignmentFigureData data = buildAlignmentData(source, request(false));
    const QImage soft = painted(AlignmentFigure(data, FigureStyle{}));
    QVERIFY(imagechecks::showsDrawing(soft));
    const QImage hard = painted(AlignmentFigure(buildAlignmentData(source, request(true)), FigureStyle{}));
    QVERIFY(soft != hard);
    // Other weights, other lines; the same weights, the same picture.
    QCOMPARE(painted(AlignmentFigure(data, FigureStyle{})), soft);
    std::reverse(data.matrix.values.begin(), data.matrix.values.end());
    QVERIFY(painted(AlignmentFigure(data, FigureStyle{})) != soft);
    // A selected target token changes the picture (its lines stand out, the rest fade).
    AlignmentFigureData selected = buildAlignmentData(source, request(false));
    selected.selectedRow = 1;
    QVERIFY(painted(AlignmentFigure(selected, FigureStyle{})) != soft);
    // Nothing to align: a placeholder and nothing to click, not a crash.
    const AlignmentFigure empty(AlignmentFigureData{}, FigureStyle{});
    QVERIFY(!painted(empty).isNull());
    QCOMPARE(empty.targetAt(QRectF(0, 0, 400, 200), QPointF(200, 100)), -1);
}

void TestAlignmentView::selfAttentionIsRefusedWithANote() {
    const auto analysis = translation();
    for (const char* name : {"encoder", "decoder"}) {
        try {
            buildAlignmentData(analysis->figureSource(stackNamed(*analysis, name)), request(false));
            QFAIL("self-attention was drawn as an alignment");
        } catch (const attnscope::Error& e) {
            QVERIFY2(QString(e.what()).contains(QStringLiteral("cross-attention")), e.what());
        }
    }
}

void TestAlignmentView::clickingATargetTokenSelectsIt() {
    const auto analysis = translation();
    AttentionSelection selection;
    selection.adoptAnalysis(*analysis, nullptr);
    selection.setStack(stackNamed(*analysis, "cross"));
    AlignmentView view(&selection);
    view.resize(900, 500);
    view.setAnalysis(analysis);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const AlignmentFigure* figure = view.alignmentFigure();
    QVERIFY2(figure, qPrintable(view.emptyText()));
    const int rows = figure->data().matrix.rows;
    int found = 0;
    // Sweep the widget: every target token is hit somewhere, and clicking one selects it.
    for (int y = 0; y < view.height() && found < rows; y += 2)
        for (int x = 0; x < view.width(); x += 3) {
            const int token = view.targetTokenAt(QPointF(x, y));
            if (token != 1) continue;
            QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(x, y));
            QCOMPARE(selection.selectedQuery(), 1);
            QCOMPARE(view.alignmentFigure()->data().selectedRow, 1);
            found = rows;
            break;
        }
    QCOMPARE(found, rows);

    // On a self-attention stack the view shows why there is nothing to draw.
    selection.setStack(stackNamed(*analysis, "encoder"));
    QVERIFY(!view.alignmentFigure());
    QVERIFY2(view.emptyText().contains(QStringLiteral("cross-attention")), qPrintable(view.emptyText()));
}

void TestAlignmentView::tabOnlyForCrossAttention() {
    AttentionSelection selection;
    ViewTabs tabs(&selection);
    QVERIFY(!tabs.isAvailable(ViewKind::Alignment));
    const auto analysis = translation();
    selection.adoptAnalysis(*analysis, nullptr);
    tabs.setAnalysis(analysis);
    QVERIFY(tabs.isAvailable(ViewKind::Alignment));
    tabs.showView(ViewKind::Alignment);
    QCOMPARE(tabs.shownView(), std::optional<ViewKind>(ViewKind::Alignment));

    const auto text = viewfixtures::computed(viewfixtures::goldenModel("gpt2"), QStringLiteral("The cat sat."));
    selection.adoptAnalysis(*text, analysis.get());
    tabs.setAnalysis(text);  // no cross-attention: the tab goes, and the matrix shows
    QVERIFY(!tabs.isAvailable(ViewKind::Alignment));
    QCOMPARE(tabs.shownView(), std::optional<ViewKind>(ViewKind::Matrix));
}

// Words, not pieces: both sentences labelled by whole words, each target word's row a
// distribution over source words, and a selected piece marking its word's row.
void TestAlignmentView::wordsGroupBothSentences() {
    const auto analysis = translation();
    const int cross = stackNamed(*analysis, "cross");
    const FigureSource source = analysis->figureSource(cross);
    ViewRequest words = request(false);
    words.query.words = true;
    const AlignmentFigureData pieces = buildAlignmentData(source, request(false));
    const AlignmentFigureData data = buildAlignmentData(source, words);
    QVERIFY(data.matrix.cols < pieces.matrix.cols);
    QVERIFY(data.matrix.rows < pieces.matrix.rows);
    QVERIFY2(data.sourceLabels.contains(QStringLiteral("cat")) && data.sourceLabels.contains(QStringLiteral("mat.")),
             qPrintable(data.sourceLabels.join(' ')));
    QVERIFY2(data.targetLabels.contains(QStringLiteral("Matte.")), qPrintable(data.targetLabels.join(' ')));
    for (int r = 0; r < data.matrix.rows; ++r) {
        double sum = 0;
        for (int c = 0; c < data.matrix.cols; ++c) sum += data.matrix.at(r, c);
        QVERIFY(std::abs(sum - 1.0) < 1e-4);
    }
    QVERIFY(data.title.endsWith(QStringLiteral("words")));
    // A piece inside a word selects that word's row.
    const auto& wordOf = source.words.queries;
    int inner = -1;
    for (std::size_t t = 1; t < wordOf.size() && inner < 0; ++t)
        if (wordOf[t] == wordOf[t - 1]) inner = static_cast<int>(t);
    QVERIFY(inner > 0);
    words.selectedQuery = inner;
    const AlignmentFigureData selected = buildAlignmentData(source, words);
    QVERIFY(selected.selectedRow >= 0);
    QCOMPARE(wordOf[static_cast<std::size_t>(selected.matrix.rowTokens[static_cast<std::size_t>(selected.selectedRow)])],
             wordOf[static_cast<std::size_t>(inner)]);
}

// An alignment averaged over the heads left on in the heads view: their mean, said in the title.
void TestAlignmentView::meanOverTheChosenHeads() {
    const auto analysis = translation();
    const int cross = stackNamed(*analysis, "cross");
    const FigureSource source = analysis->figureSource(cross);
    const attnscope::AttentionStack& stack = analysis->stack(cross).attention;
    ViewRequest r = request(false);
    r.query.headMode = attnscope::HeadMode::Mean;
    r.enabledHeads.assign(static_cast<std::size_t>(stack.heads), false);
    r.enabledHeads[0] = r.enabledHeads[2] = true;
    const AlignmentFigureData data = buildAlignmentData(source, r);
    std::vector<float> h0(stack.mapSize()), h2(stack.mapSize());
    stack.copyMap(r.query.layer, 0, h0.data());
    stack.copyMap(r.query.layer, 2, h2.data());
    for (std::size_t i = 0; i < h0.size(); ++i) QVERIFY(std::abs(data.matrix.values[i] - (h0[i] + h2[i]) / 2) < 1e-6f);
    QVERIFY2(data.title.contains(QStringLiteral("mean of heads 0, 2")), qPrintable(data.title));
    r.enabledHeads.assign(static_cast<std::size_t>(stack.heads), true);
    QVERIFY(buildAlignmentData(source, r).title.contains(QStringLiteral("mean of heads")));
    QVERIFY(!buildAlignmentData(source, r).title.contains(QStringLiteral("heads 0")));
}

QTEST_MAIN(TestAlignmentView)
#include "test_alignment_view.moc"
