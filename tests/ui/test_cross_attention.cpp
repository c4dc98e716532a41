// Cross-attention in the figure builder: a non-square stack with target tokens as queries
// (rows) and source tokens as keys (columns) reaches every figure with the right labels on
// each axis; what only square self-attention allows (rollout, hidden special tokens) is
// refused or left alone as the engine decides; and the selection keeps one query per stack.
#include <QtTest>

#include "AttentionSelection.h"
#include "Error.h"
#include "ImageChecks.h"
#include "FigureBuilder.h"
#include "FigureExporter.h"
#include "GridFigure.h"
#include "HeadsFigure.h"
#include "MatrixFigure.h"
#include "TokenStripFigure.h"

using namespace attnscope;
using namespace attnscope::ui;

namespace {

// 2 layers, 2 heads, 3 target queries x 4 source keys; every row a distribution.
AttentionStack crossStack() {
    AttentionStack s;
    s.resize(2, 2, 3, 4);
    for (int m = 0; m < 4; ++m)
        for (int q = 0; q < 3; ++q)
            for (int k = 0; k < 4; ++k) s.data()[static_cast<std::size_t>(m) * 12 + q * 4 + k] = (k == (q + m) % 4) ? 0.7f : 0.1f;
    return s;
}

FigureSource crossSource(const AttentionStack& stack) {
    FigureSource source;
    source.attentions = &stack;
    source.tokenLabels = {"▁The", "▁cat", "▁sat", "</s>"};
    source.specialTokens = {false, false, false, true};
    source.queryLabels = {"<pad>", "▁Die", "▁Katze"};
    source.attentionName = QStringLiteral("Cross-attention");
    source.queryAxisTitle = QStringLiteral("Query (target token)");
    source.keyAxisTitle = QStringLiteral("Key (source token)");
    return source;
}

ViewRequest request(ViewKind kind, int layer, int head, int query = -1) {
    ViewRequest r;
    r.kind = kind;
    r.stack = 2;
    r.query.layer = layer;
    r.query.head = head;
    r.selectedQuery = query;
    return r;
}

}  // namespace

class TestCrossAttention : public QObject {
    Q_OBJECT
private slots:
    void matrixHasTargetRowsAndSourceColumns();
    void headsGridAndStripUseBothTokenLists();
    void squareOnlyModesAreLeftToTheEngine();
    void everyFigurePaintsTheNonSquareMaps();
    void selectionKeepsAQueryAndShapePerStack();
};

void TestCrossAttention::matrixHasTargetRowsAndSourceColumns() {
    const AttentionStack stack = crossStack();
    const MatrixFigureData data = buildMatrixData(crossSource(stack), request(ViewKind::Matrix, 1, 0, 2));
    QCOMPARE(data.matrix.rows, 3);
    QCOMPARE(data.matrix.cols, 4);
    QCOMPARE(data.rowLabels, (QStringList{"<pad>", "▁Die", "▁Katze"}));
    QCOMPARE(data.columnLabels, (QStringList{"▁The", "▁cat", "▁sat", "</s>"}));
    QCOMPARE(data.rowAxisTitle, QStringLiteral("Query (target token)"));
    QCOMPARE(data.columnAxisTitle, QStringLiteral("Key (source token)"));
    QCOMPARE(data.selectedRow, 2);
    QCOMPARE(data.title, QStringLiteral("Cross-attention · Layer 1 · head 0"));
    for (int q = 0; q < 3; ++q)
        for (int k = 0; k < 4; ++k) QCOMPARE(data.matrix.at(q, k), stack.at(1, 0, q, k));
    const MatrixFigure figure(data, FigureStyle());
    QCOMPARE(figure.toolTip(2, 1), QStringLiteral("▁Katze → ▁cat: %1").arg(QString::number(stack.at(1, 0, 2, 1), 'f', 4)));

    // A source without query labels is self-attention: one list on both axes, as before.
    FigureSource self = crossSource(stack);
    self.queryLabels.clear();
    AttentionStack square;
    square.resize(1, 1, 4, 4);
    std::fill(square.data(), square.data() + square.count(), 0.25f);
    self.attentions = &square;
    const MatrixFigureData selfData = buildMatrixData(self, request(ViewKind::Matrix, 0, 0));
    QCOMPARE(selfData.rowLabels, selfData.columnLabels);
}

void TestCrossAttention::headsGridAndStripUseBothTokenLists() {
    const AttentionStack stack = crossStack();
    const FigureSource source = crossSource(stack);
    const HeadsFigureData heads = buildHeadsData(source, request(ViewKind::Heads, 0, 0, 1));
    QCOMPARE(heads.leftLabels, source.queryLabels);
    QCOMPARE(heads.rightLabels, source.tokenLabels);
    QCOMPARE(heads.selectedToken, 1);
    QCOMPARE(heads.heads.size(), std::size_t(2));
    QVERIFY(heads.title.startsWith(QStringLiteral("Cross-attention · ")));

    const GridFigureData grid = buildGridData(source, request(ViewKind::Grid, 0, 0));
    QCOMPARE(grid.maps.size(), std::size_t(4));
    QCOMPARE(grid.maps.front().rows, 3);
    QCOMPARE(grid.maps.front().cols, 4);

    // The strip shades the source tokens by what the chosen target token pays them; with no
    // query chosen, the last target token (the decoder's newest), like a decoder's.
    const TokenStripFigureData chosen = buildTokenStripData(source, request(ViewKind::Tokens, 1, 1, 0));
    QCOMPARE(chosen.labels, source.tokenLabels);
    for (int k = 0; k < 4; ++k) QCOMPARE(chosen.weights[static_cast<std::size_t>(k)], stack.at(1, 1, 0, k));
    QCOMPARE(chosen.queryToken, -1);  // a target token is not among the source chips
    QVERIFY(chosen.title.endsWith(QStringLiteral("from “<pad>”")));
    const TokenStripFigureData latest = buildTokenStripData(source, request(ViewKind::Tokens, 1, 1));
    for (int k = 0; k < 4; ++k) QCOMPARE(latest.weights[static_cast<std::size_t>(k)], stack.at(1, 1, 2, k));
}

void TestCrossAttention::squareOnlyModesAreLeftToTheEngine() {
    const AttentionStack stack = crossStack();
    const FigureSource source = crossSource(stack);
    ViewRequest rollout = request(ViewKind::Matrix, 1, 0);
    rollout.query.layerMode = LayerMode::Rollout;
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, buildMatrixData(source, rollout));
    // Hiding special tokens applies to square maps only: the cross map keeps every token.
    ViewRequest hidden = request(ViewKind::Matrix, 0, 0);
    hidden.query.hideSpecialTokens = true;
    const MatrixFigureData data = buildMatrixData(source, hidden);
    QCOMPARE(data.matrix.cols, 4);
    QCOMPARE(data.columnLabels.last(), QStringLiteral("</s>"));
    // Mean and hard selection work on any shape.
    ViewRequest mean = request(ViewKind::Matrix, 0, 0);
    mean.query.headMode = HeadMode::Mean;
    mean.query.hard = true;
    const MatrixFigureData hard = buildMatrixData(source, mean);
    for (int q = 0; q < 3; ++q) {
        int kept = 0;
        for (int k = 0; k < 4; ++k) kept += hard.matrix.at(q, k) != 0.0f;
        QCOMPARE(kept, 1);
    }
}

void TestCrossAttention::everyFigurePaintsTheNonSquareMaps() {
    const AttentionStack stack = crossStack();
    const FigureSource source = crossSource(stack);
    for (const ViewKind kind : {ViewKind::Matrix, ViewKind::Heads, ViewKind::Grid, ViewKind::Tokens}) {
        const std::unique_ptr<Figure> figure = buildFigure(source, request(kind, 0, 1, 1), FigureStyle());
        QVERIFY(figure);
        const QSize size = figure->naturalSize().toSize();
        QVERIFY(size.width() > 50 && size.height() > 50);
        const QImage image = renderFigure(*figure, size);
        QVERIFY2(imagechecks::showsDrawing(image), qPrintable(QStringLiteral("view %1 drew no coloured map").arg(int(kind))));
    }
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, buildFigure(source, request(ViewKind::Overlay, 0, 0), FigureStyle()));
}

void TestCrossAttention::selectionKeepsAQueryAndShapePerStack() {
    AttentionSelection s;
    s.setStacks({{"encoder", 0, 0, 6, 8}, {"decoder", 1, 1, 3, 8}, {"cross", 1, 0, 3, 8}});
    s.setLayer(5);
    s.setSelectedQuery(9);
    QSignalSpy changed(&s, &AttentionSelection::changed);

    s.selectStack(QStringLiteral("cross"));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(s.stack(), 2);
    QCOMPARE(s.stackName(), QStringLiteral("cross"));
    QVERIFY(s.isCrossStack());
    QCOMPARE(s.layers(), 3);
    QCOMPARE(s.layer(), 2);               // clamped into the decoder's layers
    QCOMPARE(s.selectedQuery(), -1);      // the target has its own query, none yet
    QCOMPARE(s.request(ViewKind::Matrix).stack, 2);
    s.setSelectedQuery(4);
    QCOMPARE(s.selectedQueryOf(0), 9);
    QCOMPARE(s.selectedQueryOf(2), 4);
    s.setStack(2);  // no change: no signal
    QCOMPARE(changed.count(), 2);

    // Setting another stack's query is no news for the views showing this one.
    s.setSelectedQueryOf(1, 7);
    QCOMPARE(changed.count(), 2);
    s.setStack(1);
    QCOMPARE(s.selectedQuery(), 7);
    QVERIFY(!s.isCrossStack());
    s.setStack(0);
    QCOMPARE(s.selectedQuery(), 9);
    QCOMPARE(s.layers(), 6);
    QCOMPARE(changed.count(), 4);

    // Opacity: clamped, one signal per change.
    s.setOverlayOpacity(0.3);
    s.setOverlayOpacity(0.3);
    QCOMPARE(changed.count(), 5);
    s.setOverlayOpacity(4.0);
    QCOMPARE(s.style().overlayOpacity, 1.0);
}

QTEST_MAIN(TestCrossAttention)
#include "test_cross_attention.moc"
