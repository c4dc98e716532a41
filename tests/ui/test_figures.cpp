// The figures and the data they are built from: hard selection, rollout and hidden special
// tokens on a real model's attention, colours, layout that fits any area, hit testing.
#include <QtTest>

#include <QPainter>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ColorMap.h"
#include "ColorScale.h"
#include "FigureBuilder.h"
#include "FigureExporter.h"
#include "FigureFixtures.h"
#include "GridFigure.h"
#include "GoldenFixtures.h"
#include "HeadsFigure.h"
#include "MatrixFigure.h"
#include "TokenLabel.h"
#include "TokenStripFigure.h"
#include "model/Checkpoint.h"

using namespace attnscope;
using namespace attnscope::ui;

using figurefixtures::edgesAreBackground;
using figurefixtures::paintInto;

namespace {

struct Computed {
    Encoding encoding;
    AttentionStack stack;
    FigureSource source() const {
        FigureSource s;
        s.attentions = &stack;
        s.tokenLabels = tokenLabels(encoding.tokens);
        s.specialTokens = encoding.specialTokensMask;
        return s;
    }
};

Computed compute(const std::filesystem::path& model, const std::string& text, const std::optional<std::string>& pair = std::nullopt) {
    const auto cp = Checkpoint::open(model);
    Computed c;
    c.encoding = cp->encode(text, pair);
    ForwardInput in;
    in.ids = c.encoding.ids;
    in.typeIds = c.encoding.typeIds;
    c.stack = cp->forward(in)->record.attention();
    return c;
}

ViewRequest matrixRequest(int layer, int head) {
    ViewRequest r;
    r.query.layer = layer;
    r.query.head = head;
    return r;
}

// Raw row of one head, for brute-force checks.
std::vector<float> rawRow(const AttentionStack& s, int layer, int head, int row) {
    const float* p = s.map(layer, head) + static_cast<std::size_t>(row) * s.keys;
    return {p, p + s.keys};
}

// Keys in descending weight, equal weights by ascending index.
std::vector<int> byWeight(const std::vector<float>& row) {
    std::vector<int> order(row.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return row[a] > row[b]; });
    return order;
}

AttentionMatrix knownMatrix() {
    AttentionMatrix m;
    m.rows = 3;
    m.cols = 4;
    m.values = {0.10f, 0.20f, 0.30f, 0.40f,  //
                0.05f, 0.03f, 0.90f, 0.02f,  //
                0.25f, 0.25f, 0.25f, 0.25f};
    m.rowTokens = {0, 1, 2};
    m.colTokens = {0, 1, 2, 3};
    return m;
}

MatrixFigureData knownData() {
    MatrixFigureData d;
    d.matrix = knownMatrix();
    d.rowLabels = {"alpha", "beta", "gamma"};
    d.columnLabels = {"alpha", "beta", "gamma", "delta"};
    d.title = "Known";
    return d;
}

bool near(QRgb a, QRgb b, int tolerance) {
    return std::abs(qRed(a) - qRed(b)) <= tolerance && std::abs(qGreen(a) - qGreen(b)) <= tolerance &&
           std::abs(qBlue(a) - qBlue(b)) <= tolerance;
}

}  // namespace

class TestFigures : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void hardTopKKeepsKLargestPerRow();
    void thresholdAndMassPickExactCells();
    void rolloutDataMatchesEngineAndHand();
    void hiddenSpecialTokensDropLabelsAndRenormalise();
    void headsAndGridDataCoverEveryHead();
    void tokenStripTakesSelectedOrDefaultRow();
    void describeRequestTitles();
    void colorMapsHaveTheirEnds();
    void maxCellPaintsTopColour_data();
    void maxCellPaintsTopColour();
    void perRowAndLogScales();
    void figuresFitAnyArea_data();
    void figuresFitAnyArea();
    void matrixHitTestAndToolTip();
    void zoomedWindowMapsCells();
    void gridHitTesting();
    void headsFigureDrawsHeadColours();
    void tokenStripHitTestAndQueryOutline();

private:
    Computed bert_;     // a pair, so [CLS] and two [SEP]
    Computed stories_;  // a causal decoder
};

void TestFigures::initTestCase() {
    bert_ = compute(fixtures::goldenDir() / "bert" / "model", "the cat sat on the mat", std::string("a dog ran"));
    stories_ = compute(fixtures::modelsDir() / "stories260k", "Tom and his dog went to the park.");
    QVERIFY(bert_.stack.layers > 0 && bert_.stack.queries > 8);
    QVERIFY(stories_.stack.queries > 5);
}

void TestFigures::hardTopKKeepsKLargestPerRow() {
    const auto source = bert_.source();
    const AttentionStack& s = bert_.stack;
    for (int k : {1, 2, 3, 5}) {
        for (int layer = 0; layer < s.layers; ++layer) {
            for (int head = 0; head < s.heads; ++head) {
                ViewRequest r = matrixRequest(layer, head);
                r.query.hard = true;
                r.query.hardSelection.rule = HardRule::TopK;
                r.query.hardSelection.k = k;
                const MatrixFigureData d = buildMatrixData(source, r);
                QCOMPARE(d.matrix.rows, s.queries);
                for (int row = 0; row < d.matrix.rows; ++row) {
                    const auto raw = rawRow(s, layer, head, row);
                    const auto order = byWeight(raw);
                    int nonZero = 0;
                    for (int c = 0; c < d.matrix.cols; ++c) nonZero += d.matrix.at(row, c) != 0.0f;
                    QCOMPARE(nonZero, k);
                    // Exactly the k largest, with their original weights.
                    for (int i = 0; i < k; ++i) QCOMPARE(d.matrix.at(row, order[i]), raw[order[i]]);
                }
            }
        }
    }
}

void TestFigures::thresholdAndMassPickExactCells() {
    const auto source = bert_.source();
    const AttentionStack& s = bert_.stack;
    for (float tau : {0.05f, 0.1f, 0.2f}) {
        ViewRequest r = matrixRequest(1, 2);
        r.query.hard = true;
        r.query.hardSelection.rule = HardRule::Threshold;
        r.query.hardSelection.threshold = tau;
        const auto d = buildMatrixData(source, r);
        for (int row = 0; row < s.queries; ++row) {
            const auto raw = rawRow(s, 1, 2, row);
            for (int c = 0; c < s.keys; ++c) QCOMPARE(d.matrix.at(row, c), raw[c] >= tau ? raw[c] : 0.0f);
        }
    }
    for (float p : {0.3f, 0.5f, 0.9f, 1.0f}) {
        ViewRequest r = matrixRequest(0, 1);
        r.query.hard = true;
        r.query.hardSelection.rule = HardRule::Mass;
        r.query.hardSelection.mass = p;
        const auto d = buildMatrixData(source, r);
        for (int row = 0; row < s.queries; ++row) {
            const auto raw = rawRow(s, 0, 1, row);
            // Brute force: the shortest prefix of keys by weight whose sum reaches p.
            std::vector<bool> keep(raw.size(), false);
            double total = 0.0;
            for (int key : byWeight(raw)) {
                if (total >= p) break;
                keep[key] = true;
                total += raw[key];
            }
            for (int c = 0; c < s.keys; ++c) QCOMPARE(d.matrix.at(row, c), keep[c] ? raw[c] : 0.0f);
        }
    }
}

void TestFigures::rolloutDataMatchesEngineAndHand() {
    const auto source = bert_.source();
    const AttentionStack& s = bert_.stack;
    const int n = s.queries;
    ViewRequest r;
    r.query.layerMode = LayerMode::Rollout;
    r.query.layer = s.layers - 1;
    const auto d = buildMatrixData(source, r);
    const auto engine = attentionRollout(s, s.layers - 1);
    QCOMPARE(d.matrix.values, engine);
    // By hand: A'_l = 0.5 mean_h A + 0.5 I, rows renormalised; R = A'_L ... A'_0.
    std::vector<double> rollout;
    for (int l = 0; l < s.layers; ++l) {
        std::vector<double> a(static_cast<std::size_t>(n) * n, 0.0);
        for (int i = 0; i < n; ++i) {
            double sum = 0.0;
            for (int j = 0; j < n; ++j) {
                double mean = 0.0;
                for (int h = 0; h < s.heads; ++h) mean += s.at(l, h, i, j);
                a[i * n + j] = 0.5 * mean / s.heads + (i == j ? 0.5 : 0.0);
                sum += a[i * n + j];
            }
            for (int j = 0; j < n; ++j) a[i * n + j] /= sum;
        }
        if (l == 0) {
            rollout = a;
            continue;
        }
        std::vector<double> next(a.size(), 0.0);
        for (int i = 0; i < n; ++i)
            for (int k = 0; k < n; ++k)
                for (int j = 0; j < n; ++j) next[i * n + j] += a[i * n + k] * rollout[k * n + j];
        rollout = next;
    }
    for (std::size_t i = 0; i < rollout.size(); ++i) QVERIFY2(std::abs(d.matrix.values[i] - rollout[i]) < 1e-5, qPrintable(QString::number(i)));
    QVERIFY(d.title.startsWith("Rollout to layer"));
}

void TestFigures::hiddenSpecialTokensDropLabelsAndRenormalise() {
    auto source = bert_.source();
    ViewRequest r = matrixRequest(0, 0);
    r.query.hideSpecialTokens = true;
    r.selectedQuery = 0;  // [CLS]: hidden, so nothing is selected
    const auto d = buildMatrixData(source, r);
    const int special = static_cast<int>(std::count(bert_.encoding.specialTokensMask.begin(), bert_.encoding.specialTokensMask.end(), true));
    QCOMPARE(special, 3);
    QCOMPARE(d.matrix.rows, bert_.stack.queries - special);
    QCOMPARE(d.rowLabels.size(), d.matrix.rows);
    QVERIFY(!d.rowLabels.contains("[CLS]") && !d.columnLabels.contains("[SEP]"));
    QCOMPARE(d.selectedRow, -1);
    for (int row = 0; row < d.matrix.rows; ++row) {
        double sum = 0.0;
        for (int c = 0; c < d.matrix.cols; ++c) sum += d.matrix.at(row, c);
        QVERIFY(std::abs(sum - 1.0) < 1e-5);
    }
    r.selectedQuery = 2;  // "cat" is row 1 once [CLS] is gone
    QCOMPARE(buildMatrixData(source, r).selectedRow, 1);
    QCOMPARE(buildMatrixData(source, r).rowLabels.at(1), QString("cat"));
}

void TestFigures::headsAndGridDataCoverEveryHead() {
    const auto source = bert_.source();
    const AttentionStack& s = bert_.stack;
    ViewRequest r = matrixRequest(1, 0);
    r.query.headMode = HeadMode::Mean;  // the head view shows every head regardless
    r.query.hard = true;
    r.query.hardSelection.k = 1;
    r.enabledHeads = {true, false, true, true};
    r.selectedQuery = 3;
    const auto heads = buildHeadsData(source, r);
    QCOMPARE(int(heads.heads.size()), s.heads);
    QCOMPARE(heads.enabled, r.enabledHeads);
    QCOMPARE(heads.selectedToken, 3);
    QCOMPARE(heads.leftLabels.size(), s.queries);
    for (int h = 0; h < s.heads; ++h)
        for (int row = 0; row < s.queries; ++row) {
            int nonZero = 0;
            for (int c = 0; c < s.keys; ++c) nonZero += heads.heads[h].at(row, c) != 0.0f;
            QCOMPARE(nonZero, 1);  // hard top-1 applies per head
        }
    r.enabledHeads.clear();
    QCOMPARE(buildHeadsData(source, r).enabled, std::vector<bool>(s.heads, true));

    ViewRequest g = matrixRequest(1, 2);
    const auto grid = buildGridData(source, g);
    QCOMPARE(grid.layers, s.layers);
    QCOMPARE(grid.heads, s.heads);
    QCOMPARE(int(grid.maps.size()), s.layers * s.heads);
    QCOMPARE(grid.focusedLayer, 1);
    QCOMPARE(grid.focusedHead, 2);
    const float* raw = s.map(1, 3);
    QCOMPARE(grid.maps[1 * s.heads + 3].values, std::vector<float>(raw, raw + s.mapSize()));
    g.query.headMode = HeadMode::Mean;
    QCOMPARE(buildGridData(source, g).focusedHead, -1);  // an aggregate outlines the layer
}

void TestFigures::tokenStripTakesSelectedOrDefaultRow() {
    ViewRequest r = matrixRequest(1, 1);
    r.kind = ViewKind::Tokens;
    // Encoder, nothing selected: the first query ([CLS]).
    auto strip = buildTokenStripData(bert_.source(), r);
    QCOMPARE(strip.labels.size(), bert_.stack.keys);
    QCOMPARE(strip.queryToken, 0);
    QCOMPARE(strip.weights, rawRow(bert_.stack, 1, 1, 0));
    // Decoder, nothing selected: the last query, which sees the whole text.
    const int last = stories_.stack.queries - 1;
    strip = buildTokenStripData(stories_.source(), r);
    QCOMPARE(strip.queryToken, last);
    QCOMPARE(strip.weights, rawRow(stories_.stack, 1, 1, last));
    // A selected query.
    r.selectedQuery = 2;
    strip = buildTokenStripData(stories_.source(), r);
    QCOMPARE(strip.queryToken, 2);
    QCOMPARE(strip.weights, rawRow(stories_.stack, 1, 1, 2));
    QVERIFY(strip.title.contains(stories_.source().tokenLabels.at(2)));
}

void TestFigures::describeRequestTitles() {
    ViewRequest r = matrixRequest(3, 5);
    r.query.hard = true;
    QCOMPARE(describeRequest(r), QString("Layer 3 · head 5 · hard top-1"));
    r.query.hard = false;
    r.query.headMode = HeadMode::Mean;
    r.query.layer = 2;
    QCOMPARE(describeRequest(r), QString("Layer 2 · mean of heads"));
    r.query.headMode = HeadMode::Max;
    QCOMPARE(describeRequest(r), QString("Layer 2 · max of heads"));
    r.query.layerMode = LayerMode::Rollout;
    r.query.layer = 4;
    QCOMPARE(describeRequest(r), QString("Rollout to layer 4"));
    r.query.hard = true;
    r.query.hardSelection.rule = HardRule::Mass;
    r.query.hardSelection.mass = 0.9f;
    r.query.hideSpecialTokens = true;
    QCOMPARE(describeRequest(r), QString("Rollout to layer 4 · hard mass 0.9 · special tokens hidden"));
    r.query.hardSelection.rule = HardRule::Threshold;
    r.query.hardSelection.threshold = 0.1f;
    r.query.hideSpecialTokens = false;
    QCOMPARE(describeRequest(r), QString("Rollout to layer 4 · hard ≥ 0.1"));
    r.kind = ViewKind::Grid;
    QVERIFY(describeRequest(r).startsWith("All layers × heads"));
    r.kind = ViewKind::Heads;
    QVERIFY(describeRequest(r).startsWith("Layer 4 · all heads"));
}

void TestFigures::colorMapsHaveTheirEnds() {
    QCOMPARE(ColorMap::names(), (QStringList{"viridis", "magma", "cividis", "grayscale"}));
    QCOMPARE(ColorMap::byName("magma").rgbAt(0.0), qRgb(0x00, 0x00, 0x04));
    QCOMPARE(ColorMap::byName("magma").rgbAt(1.0), qRgb(0xfc, 0xfd, 0xbf));
    QVERIFY(near(ColorMap::byName("magma").rgbAt(0.5), qRgb(0xb7, 0x37, 0x79), 2));
    QCOMPARE(ColorMap::byName("cividis").rgbAt(0.0), qRgb(0x00, 0x22, 0x4e));
    QCOMPARE(ColorMap::byName("cividis").rgbAt(1.0), qRgb(0xfe, 0xe8, 0x38));
    QCOMPARE(ColorMap::byName("Grayscale").rgbAt(0.0), qRgb(0, 0, 0));
    QCOMPARE(ColorMap::byName("grey").rgbAt(1.0), qRgb(255, 255, 255));
    QVERIFY(ColorMap::isKnown("MAGMA") && !ColorMap::isKnown("jet"));
    // Perceptual maps get lighter all the way up.
    for (const QString& name : ColorMap::names()) {
        const ColorMap map = ColorMap::byName(name);
        QCOMPARE(map.name(), name);
        for (int i = 1; i <= 32; ++i) QVERIFY2(qGray(map.rgbAt(i / 32.0)) >= qGray(map.rgbAt((i - 1) / 32.0)) - 1, qPrintable(name));
    }
}

void TestFigures::maxCellPaintsTopColour_data() {
    QTest::addColumn<QString>("map");
    QTest::addColumn<QSize>("size");
    for (const char* map : {"viridis", "magma", "cividis", "grayscale"}) {
        QTest::addRow("%s small", map) << QString(map) << QSize(420, 320);
        QTest::addRow("%s large", map) << QString(map) << QSize(1600, 1200);
    }
}

void TestFigures::maxCellPaintsTopColour() {
    QFETCH(QString, map);
    QFETCH(QSize, size);
    FigureStyle style;
    style.colorMap = map;
    const MatrixFigure figure(knownData(), style);
    const QRectF area(QPointF(0, 0), QSizeF(size));
    const QImage image = paintInto(figure, size, Qt::white);
    const ColorMap colors = ColorMap::byName(map);
    // The largest weight (0.9, query 1, key 2) gets the top colour; zero-ish ones the bottom.
    const QRectF maxCell = figure.cellRect(area, 1, 2);
    QVERIFY(area.contains(maxCell));
    QCOMPARE(image.pixel(maxCell.center().toPoint()), colors.rgbAt(1.0));
    const QRectF equal = figure.cellRect(area, 2, 0);
    QCOMPARE(image.pixel(equal.center().toPoint()), colors.rgbAt(0.25f / 0.9f));
    // Exports go through renderFigure: the same colour at any size.
    const QImage big = renderFigure(figure, QSize(size.width() * 2, size.height() * 2));
    QCOMPARE(big.size(), size * 2);
}

void TestFigures::perRowAndLogScales() {
    FigureStyle style;
    style.normalization = Normalization::PerRow;
    const QRectF area(0, 0, 500, 400);
    {
        const MatrixFigure figure(knownData(), style);
        const QImage image = paintInto(figure, area.size().toSize(), Qt::white);
        const ColorMap colors = ColorMap::viridis();
        // Each row's own maximum is the top colour; the uniform row is all top colour.
        QCOMPARE(image.pixel(figure.cellRect(area, 0, 3).center().toPoint()), colors.rgbAt(1.0));
        QCOMPARE(image.pixel(figure.cellRect(area, 1, 2).center().toPoint()), colors.rgbAt(1.0));
        for (int c = 0; c < 4; ++c) QCOMPARE(image.pixel(figure.cellRect(area, 2, c).center().toPoint()), colors.rgbAt(1.0));
        QCOMPARE(image.pixel(figure.cellRect(area, 0, 1).center().toPoint()), colors.rgbAt(0.5));
    }
    // Log scale: positions by decade down to the 1e-4 floor.
    ColorScale log(knownMatrix(), ValueScale::Log, Normalization::PerRow);
    QCOMPARE(log.position(1, 0.9f), 1.0);
    QVERIFY(std::abs(log.position(1, 0.09f) - 0.75) < 1e-6);
    QCOMPARE(log.position(1, 0.0f), 0.0);
    QCOMPARE(log.position(1, 1e-6f), 0.0);
    const auto ticks = log.ticks(10);
    QCOMPARE(int(ticks.size()), 5);
    QCOMPARE(ticks.front().position, 0.0);
    QCOMPARE(ticks.back().position, 1.0);
    QCOMPARE(ticks.front().text, QString("10⁻⁴"));
    QVERIFY(log.caption().contains("log"));
    QVERIFY(!log.caption().contains("left out"));
    AttentionMatrix sinkless = knownMatrix();
    sinkless.leftOutKeys = 1;
    QCOMPARE(ColorScale(sinkless, ValueScale::Linear, Normalization::Global).caption(), QString("attention weight, sink left out"));
    ColorScale global(knownMatrix(), ValueScale::Log, Normalization::Global);
    QCOMPARE(global.position(0, 0.9f), 1.0);
    QCOMPARE(global.position(0, 1e-4f), 0.0);
    QVERIFY(global.position(0, 0.09f) > 0.7 && global.position(0, 0.09f) < 0.8);
    ColorScale linear(knownMatrix(), ValueScale::Linear, Normalization::Global);
    QVERIFY(std::abs(linear.position(2, 0.45f) - 0.5) < 1e-6);
    QCOMPARE(linear.ticks(6).front().text, QString("0.0"));
}

void TestFigures::figuresFitAnyArea_data() {
    QTest::addColumn<int>("view");
    QTest::addColumn<QSize>("size");
    const QList<QSize> sizes = {{640, 480}, {90, 70}, {1600, 140}, {160, 1500}, {3000, 2400}};
    for (int view = 0; view < 4; ++view)
        for (const QSize& s : sizes) QTest::addRow("view%d %dx%d", view, s.width(), s.height()) << view << s;
}

void TestFigures::figuresFitAnyArea() {
    QFETCH(int, view);
    QFETCH(QSize, size);
    ViewRequest r = matrixRequest(1, 2);
    r.kind = static_cast<ViewKind>(view);
    r.selectedQuery = 3;
    FigureStyle style;
    style.background = QColor(250, 250, 245);
    const auto figure = buildFigure(bert_.source(), r, style);
    QVERIFY(figure->naturalSize().width() > 100 && figure->naturalSize().height() > 50);
    const QImage image = paintInto(*figure, size, Qt::red);
    // The whole area is painted (background fill) and nothing touches its edges.
    QVERIFY(edgesAreBackground(image, style.background.rgb()));
}

void TestFigures::matrixHitTestAndToolTip() {
    const MatrixFigure figure(knownData(), FigureStyle());
    const QRectF area(20, 10, 600, 480);  // not at the origin
    for (int row = 0; row < 3; ++row)
        for (int col = 0; col < 4; ++col) {
            const QRectF cell = figure.cellRect(area, row, col);
            QVERIFY(area.contains(cell));
            const auto hit = figure.hitTest(area, cell.center());
            QCOMPARE(hit.row, row);
            QCOMPARE(hit.column, col);
        }
    QVERIFY(!figure.hitTest(area, area.topLeft() + QPointF(2, 2)).isValid());
    QCOMPARE(figure.toolTip(1, 2), QString("beta → gamma: 0.9000"));
    QVERIFY(figure.toolTip(7, 0).isEmpty());
    // Cells are square and grow with the area.
    const QRectF small = figure.cellRect(area, 0, 0);
    QVERIFY(std::abs(small.width() - small.height()) < 1e-6);
    QVERIFY(figure.cellRect(QRectF(0, 0, 1200, 960), 0, 0).width() > small.width() * 1.5);
    // A tiny area still holds the cells (shrunk, never cropped).
    const QRectF tiny(0, 0, 60, 40);
    QVERIFY(tiny.contains(figure.cellRect(tiny, 2, 3)));
    QCOMPARE(figure.hitTest(tiny, figure.cellRect(tiny, 2, 3).center()).column, 3);
}

void TestFigures::zoomedWindowMapsCells() {
    MatrixFigure figure(knownData(), FigureStyle());
    figure.setVisibleCells(1, 2, 2, 2);
    const QRectF area(0, 0, 500, 400);
    const auto hit = figure.hitTest(area, figure.cellRect(area, 2, 3).center());
    QCOMPARE(hit.row, 2);
    QCOMPARE(hit.column, 3);
    QVERIFY(!area.contains(figure.cellRect(area, 0, 0).center()) || !figure.hitTest(area, figure.cellRect(area, 0, 0).center()).isValid());
    // The colour scale stays that of the whole matrix: 0.9 is still the top colour.
    const QImage image = paintInto(figure, area.size().toSize(), Qt::white);
    QCOMPARE(image.pixel(figure.cellRect(area, 1, 2).center().toPoint()), ColorMap::viridis().rgbAt(1.0));
}

void TestFigures::gridHitTesting() {
    ViewRequest r = matrixRequest(1, 2);
    const GridFigure figure(buildGridData(bert_.source(), r), FigureStyle());
    const QRectF area(5, 5, 900, 500);
    const auto& d = figure.data();
    for (int layer = 0; layer < d.layers; ++layer)
        for (int head = 0; head < d.heads; ++head) {
            const QRectF t = figure.thumbnailRect(area, layer, head);
            QVERIFY(area.contains(t));
            QVERIFY(t.width() > 10);
            const auto hit = figure.hitTest(area, t.center());
            QCOMPARE(hit.layer, layer);
            QCOMPARE(hit.head, head);
            QCOMPARE(figure.hitTest(area, t.topLeft() + QPointF(1, 1)).head, head);
        }
    // Between thumbnails and outside them: nothing.
    const QRectF a = figure.thumbnailRect(area, 0, 0);
    const QRectF b = figure.thumbnailRect(area, 0, 1);
    QVERIFY(!figure.hitTest(area, QPointF((a.right() + b.left()) / 2.0, a.center().y())).isValid());
    QVERIFY(!figure.hitTest(area, area.topLeft() + QPointF(1, 1)).isValid());
    // The focused thumbnail is outlined in the foreground colour just outside it.
    const QImage image = paintInto(figure, QSize(910, 510), Qt::white, area);
    const QRectF focus = figure.thumbnailRect(area, 1, 2);
    bool outlined = false;
    for (int dy = 1; dy <= 4 && !outlined; ++dy) outlined = qGray(image.pixel(QPoint(int(focus.center().x()), int(focus.top()) - dy))) < 90;
    QVERIFY(outlined);
}

void TestFigures::headsFigureDrawsHeadColours() {
    // Two heads over 4 tokens: from query 0, head 0 looks at key 3, head 1 at key 1.
    HeadsFigureData data;
    for (int h = 0; h < 2; ++h) {
        AttentionMatrix m;
        m.rows = m.cols = 4;
        m.values.assign(16, 0.0f);
        for (int r = 0; r < 4; ++r) m.values[r * 4 + (h == 0 ? 3 : 1)] = 1.0f;
        m.rowTokens = m.colTokens = {0, 1, 2, 3};
        data.heads.push_back(m);
    }
    data.enabled = {true, true};
    data.leftLabels = data.rightLabels = QStringList{"one", "two", "three", "four"};
    data.selectedToken = 0;
    data.title = "Heads";
    auto countColour = [](const QImage& image, const QColor& colour) {
        int n = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = image.width() * 2 / 5; x < image.width() * 3 / 5; ++x) n += near(image.pixel(x, y), colour.rgb(), 6);
        return n;
    };
    const QColor c0 = HeadsFigure::headColor(0, 2);
    const QColor c1 = HeadsFigure::headColor(1, 2);
    QVERIFY(c0 != c1);
    // Each of twelve heads has a colour of its own.
    for (int a = 0; a < 12; ++a)
        for (int b = a + 1; b < 12; ++b) QVERIFY2(HeadsFigure::headColor(a, 12) != HeadsFigure::headColor(b, 12), qPrintable(QStringLiteral("heads %1 and %2").arg(a).arg(b)));
    {
        const HeadsFigure figure(data, FigureStyle());
        const QImage image = renderFigure(figure, QSize(600, 400));
        QVERIFY2(countColour(image, c0) > 20, "head 0's line is missing");
        QVERIFY2(countColour(image, c1) > 20, "head 1's line is missing");
    }
    data.enabled = {true, false};
    const HeadsFigure figure(data, FigureStyle());
    const QImage image = renderFigure(figure, QSize(600, 400));
    QVERIFY(countColour(image, c0) > 20);
    QCOMPARE(countColour(image, c1), 0);
    // Hit testing finds tokens on both sides.
    const QRectF area(0, 0, 600, 400);
    bool left = false, right = false;
    for (int x = 0; x < 600; x += 3)
        for (int y = 0; y < 400; y += 3) {
            const auto hit = figure.hitTest(area, QPointF(x, y));
            left = left || (hit.side == HeadsFigure::Side::Left && hit.token == 2);
            right = right || (hit.side == HeadsFigure::Side::Right && hit.token == 3);
        }
    QVERIFY(left && right);
}

void TestFigures::tokenStripHitTestAndQueryOutline() {
    TokenStripFigureData data;
    data.labels = {"The", "␣cat", "␣sat", "."};
    data.weights = {0.1f, 0.6f, 0.2f, 0.1f};
    data.queryToken = 2;
    data.title = "strip";
    const TokenStripFigure figure(data, FigureStyle());
    const QRectF area(0, 0, 700, 200);
    std::vector<bool> found(4, false);
    for (int x = 0; x < 700; x += 2)
        for (int y = 0; y < 200; y += 2) {
            const int i = figure.hitTest(area, QPointF(x, y));
            if (i >= 0) found[i] = true;
        }
    QCOMPARE(found, std::vector<bool>(4, true));
    // The most attended chip is filled with the top colour.
    const QImage image = paintInto(figure, QSize(700, 200), Qt::white);
    int top = 0;
    for (int y = 0; y < 200; ++y)
        for (int x = 0; x < 700; ++x) top += image.pixel(x, y) == ColorMap::viridis().rgbAt(1.0);
    QVERIFY(top > 100);
}

QTEST_MAIN(TestFigures)
#include "test_figures.moc"
