// Compact attention storage: float16 and 8-bit log maps for long inputs, their precision,
// the budget that chooses them, and the forward pass and queries running on them.
#include <QtTest>

#include <cmath>
#include <random>

#include "Error.h"
#include "GoldenFixtures.h"
#include "analysis/AttentionQuery.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"

using namespace attnscope;

namespace {

// 2 layers x 3 heads of 40 x 40 softmax rows spanning many orders of magnitude, with exact
// zeros above the diagonal (causal) and exact ones in row 0.
std::vector<float> probabilities() {
    std::mt19937 rng(5);
    std::normal_distribution<float> score(0.0f, 6.0f);
    std::vector<float> v(2 * 3 * 40 * 40, 0.0f);
    for (int m = 0; m < 6; ++m)
        for (int q = 0; q < 40; ++q) {
            float* row = v.data() + (m * 40 + q) * 40;
            float sum = 0.0f;
            for (int k = 0; k <= q; ++k) sum += row[k] = std::exp(score(rng));
            for (int k = 0; k <= q; ++k) row[k] /= sum;
        }
    return v;
}

AttentionStack stackOf(AttentionPrecision p, const std::vector<float>& values, MapLayout layout = MapLayout::Full) {
    AttentionStack s;
    s.resize(2, 3, 40, 40, p, layout);
    for (int l = 0; l < 2; ++l)
        for (int h = 0; h < 3; ++h) s.storeMap(l, h, values.data() + (l * 3 + h) * 1600);
    return s;
}

}  // namespace

class AttentionStackTest : public QObject {
    Q_OBJECT
private slots:
    void float32IsExact();
    void float16KeepsProbabilitiesToQuarterMilli();
    void log8KeepsZerosOnesAndRelativePrecision();
    void compactStacksRefuseRawAccess();
    void causalStacksKeepOnlyTheLowerTriangle();
    void budgetChoosesTheMostExactThatFits();
    void forwardKeepsCompactAttentionWhenAsked();
    void queriesRunOnCompactStacks();
};

void AttentionStackTest::float32IsExact() {
    const auto v = probabilities();
    const auto s = stackOf(AttentionPrecision::Float32, v);
    QVERIFY(s.exact());
    QCOMPARE(s.toFloat32(), v);
    QCOMPARE(s.bytes(), v.size() * 4);
    QCOMPARE(s.at(1, 2, 39, 7), v[(5 * 40 + 39) * 40 + 7]);
}

void AttentionStackTest::float16KeepsProbabilitiesToQuarterMilli() {
    const auto v = probabilities();
    const auto s = stackOf(AttentionPrecision::Float16, v);
    QCOMPARE(s.bytes(), v.size() * 2);
    const auto back = s.toFloat32();
    double worst = 0;
    for (std::size_t i = 0; i < v.size(); ++i) worst = std::max(worst, std::abs(double(back[i]) - v[i]));
    QVERIFY2(worst <= 2.5e-4, qPrintable(QString::number(worst)));
    QVERIFY(worst > 0);  // it is not secretly float32
    QCOMPARE(s.at(1, 2, 39, 7), back[(5 * 40 + 39) * 40 + 7]);
}

void AttentionStackTest::log8KeepsZerosOnesAndRelativePrecision() {
    const auto v = probabilities();
    const auto s = stackOf(AttentionPrecision::Log8, v);
    QCOMPARE(s.bytes(), v.size());
    const auto back = s.toFloat32();
    double worstRelative = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == 0.0f) {
            QCOMPARE(back[i], 0.0f);  // masked keys stay exactly zero
        } else if (v[i] >= 1e-9f) {
            worstRelative = std::max(worstRelative, std::abs(double(back[i]) / v[i] - 1.0));
        }
    }
    QVERIFY2(worstRelative <= 0.045, qPrintable(QString::number(worstRelative)));
    QCOMPARE(s.at(0, 0, 0, 0), 1.0f);  // row 0 has one key: probability exactly 1
    // Order is kept: a larger value never decodes smaller.
    for (int k = 1; k < 40; ++k) {
        const float a = v[39 * 40 + k - 1], b = v[39 * 40 + k];
        if (a < b) QVERIFY(s.at(0, 0, 39, k - 1) <= s.at(0, 0, 39, k));
    }
}

void AttentionStackTest::compactStacksRefuseRawAccess() {
    auto s = stackOf(AttentionPrecision::Float16, probabilities());
    QVERIFY_THROWS_EXCEPTION(Error, s.map(0, 0));
    QVERIFY_THROWS_EXCEPTION(Error, s.data());
}

void AttentionStackTest::causalStacksKeepOnlyTheLowerTriangle() {
    const auto v = probabilities();  // zero above the diagonal, as a causal model's maps are
    for (const auto precision : {AttentionPrecision::Float16, AttentionPrecision::Log8}) {
        const auto full = stackOf(precision, v);
        const auto triangle = stackOf(precision, v, MapLayout::LowerTriangle);
        QCOMPARE(triangle.layout(), MapLayout::LowerTriangle);
        // 820 of each map's 1600 values, and the same values back, zeros above the diagonal.
        const std::size_t valueSize = precision == AttentionPrecision::Float16 ? 2 : 1;
        QCOMPARE(triangle.bytes(), std::size_t(6 * 820) * valueSize);
        QCOMPARE(triangle.toFloat32(), full.toFloat32());
        std::vector<float> map(1600, -1.0f), expected(1600);
        triangle.copyMap(1, 2, map.data());
        full.copyMap(1, 2, expected.data());
        QCOMPARE(map, expected);
        for (int q : {0, 1, 20, 39})
            for (int k : {0, q, std::min(q + 1, 39), 39}) QCOMPARE(triangle.at(1, 2, q, k), full.at(1, 2, q, k));
    }
    // Float32 stacks are read in place as squares: they keep the full map whatever is asked.
    const auto exact = stackOf(AttentionPrecision::Float32, v, MapLayout::LowerTriangle);
    QCOMPARE(exact.layout(), MapLayout::Full);
    QCOMPARE(exact.toFloat32(), v);
    AttentionStack rectangle;
    QVERIFY_THROWS_EXCEPTION(Error, rectangle.resize(1, 1, 3, 5, AttentionPrecision::Log8, MapLayout::LowerTriangle));
}

void AttentionStackTest::budgetChoosesTheMostExactThatFits() {
    QCOMPARE(precisionForBudget(1000, 4000), AttentionPrecision::Float32);
    QCOMPARE(precisionForBudget(1001, 4000), AttentionPrecision::Float16);
    QCOMPARE(precisionForBudget(2000, 4000), AttentionPrecision::Float16);
    QCOMPARE(precisionForBudget(2001, 4000), AttentionPrecision::Log8);
    // A 1B llama (22 layers x 32 heads) at n = 4096 under the default 4 GiB: 8-bit, 11.8 GB.
    ForwardInput in;
    QCOMPARE(in.precisionFor(std::size_t(22) * 32 * 4096 * 4096), AttentionPrecision::Log8);
    QCOMPARE(in.precisionFor(std::size_t(12) * 12 * 512 * 512), AttentionPrecision::Float32);
}

void AttentionStackTest::forwardKeepsCompactAttentionWhenAsked() {
    const auto dir = fixtures::goldenDir() / "gpt2";
    const auto expected = fixtures::readJson(dir / "expected.json");
    const auto cp = Checkpoint::open(dir / "model");
    ForwardInput in;
    in.ids = expected["cases"][0]["ids"].get<std::vector<int>>();
    SafetensorsFile golden(dir / "expected.safetensors");
    const auto reference = golden.toFloat(*golden.find("case0.attentions"));

    const auto exact = cp->forward(in);
    QCOMPARE(exact->record.attention().precision(), AttentionPrecision::Float32);  // small: the budget allows float32
    for (auto [precision, bound] : {std::pair{AttentionPrecision::Float16, 3e-4}, std::pair{AttentionPrecision::Log8, 0.05}}) {
        in.attentionPrecision = precision;
        const auto r = cp->forward(in);
        QCOMPARE(r->record.attention().precision(), precision);
        // GPT-2 is causal: its compact maps keep only their lower triangles.
        QCOMPARE(r->record.attention().layout(), MapLayout::LowerTriangle);
        const auto got = r->record.attention().toFloat32();
        QCOMPARE(got.size(), reference.size());
        double worst = 0;
        for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(double(got[i]) - reference[i]));
        QVERIFY2(worst <= bound, qPrintable(QString("%1: %2").arg(precisionName(precision)).arg(worst)));
        // The rest of the forward pass does not depend on how attention is kept.
        QCOMPARE(r->record.logits, exact->record.logits);
    }
}

void AttentionStackTest::queriesRunOnCompactStacks() {
    const auto v = probabilities();
    const auto exact = stackOf(AttentionPrecision::Float32, v);
    const auto half = stackOf(AttentionPrecision::Float16, v);
    for (HeadMode mode : {HeadMode::Single, HeadMode::Mean, HeadMode::Max}) {
        AttentionQuery q;
        q.layer = 1;
        q.head = 2;
        q.headMode = mode;
        const auto a = computeAttentionMatrix(exact, q), b = computeAttentionMatrix(half, q);
        QCOMPARE(b.rows, a.rows);
        for (std::size_t i = 0; i < a.values.size(); ++i) QVERIFY(std::abs(a.values[i] - b.values[i]) <= 2.5e-4f);
    }
    const auto ra = attentionRollout(exact, 1), rb = attentionRollout(half, 1);
    for (std::size_t i = 0; i < ra.size(); ++i) QVERIFY(std::abs(ra[i] - rb[i]) <= 5e-4f);
}

QTEST_APPLESS_MAIN(AttentionStackTest)
#include "test_attention_stack.moc"
