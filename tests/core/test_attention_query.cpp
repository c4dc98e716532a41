// The displayed matrix: head aggregation, rollout, hard selection and hidden special tokens.
#include <QtTest>

#include <cmath>

#include "Error.h"
#include "analysis/AttentionDifference.h"
#include "analysis/AttentionQuery.h"
#include <random>

using namespace attnscope;

namespace {

// 2 layers, 2 heads, 3 tokens, rows summing to 1.
AttentionStack smallStack() {
    AttentionStack s;
    s.resize(2, 2, 3, 3);
    const float l0h0[9] = {0.7f, 0.2f, 0.1f, 0.1f, 0.6f, 0.3f, 0.2f, 0.2f, 0.6f};
    const float l0h1[9] = {0.1f, 0.8f, 0.1f, 0.5f, 0.25f, 0.25f, 0.3f, 0.3f, 0.4f};
    const float l1h0[9] = {0.4f, 0.4f, 0.2f, 0.2f, 0.2f, 0.6f, 0.1f, 0.1f, 0.8f};
    const float l1h1[9] = {1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.5f, 0.5f, 0.0f};
    std::copy(l0h0, l0h0 + 9, s.map(0, 0));
    std::copy(l0h1, l0h1 + 9, s.map(0, 1));
    std::copy(l1h0, l1h0 + 9, s.map(1, 0));
    std::copy(l1h1, l1h1 + 9, s.map(1, 1));
    return s;
}

int nonZero(const std::vector<float>& row) {
    int n = 0;
    for (float v : row) n += v != 0.0f;
    return n;
}

}  // namespace

class AttentionQueryTest : public QObject {
    Q_OBJECT
private slots:
    void singleMeanAndMaxHeads();
    void aggregatesOverChosenHeads();
    void rolloutMatchesHandComputation();
    void rolloutThroughStartsFromTheAskingRow();
    void topKKeepsLargestWeights();
    void topKTiesGoToLowerKey();
    void thresholdKeepsCellsAtOrAbove();
    void massKeepsSmallestSetReachingP();
    void hidingSpecialTokensRenormalises();
    void leavingOutASinkRenormalisesTheRest();
    void badQueriesAreErrors();
    void differenceOfTwoHeadsOrLayers();
    void badComparisonsAreErrors();
    void tokensAlignInTextOrder();
    void alignmentIsALongestCommonSubsequence();
    void differenceOfTwoInputsOnSharedTokens();
    void badDifferencesAreErrors();
};

void AttentionQueryTest::singleMeanAndMaxHeads() {
    const auto s = smallStack();
    AttentionQuery q;
    q.layer = 1;
    q.head = 1;
    auto m = computeAttentionMatrix(s, q);
    QCOMPARE(m.rows, 3);
    QCOMPARE(m.at(2, 1), 0.5f);
    q.headMode = HeadMode::Mean;
    m = computeAttentionMatrix(s, q);
    QCOMPARE(m.at(0, 0), 0.7f);
    QCOMPARE(m.at(2, 2), 0.4f);
    q.headMode = HeadMode::Max;
    m = computeAttentionMatrix(s, q);
    QCOMPARE(m.at(0, 0), 1.0f);
    QCOMPARE(m.at(1, 2), 0.6f);
}

// Mean and max over the heads chosen: one head chosen is that head; a wrong-sized or empty
// choice is an error; rollout averages every head whatever is chosen.
void AttentionQueryTest::aggregatesOverChosenHeads() {
    const AttentionStack s = smallStack();
    AttentionQuery q;
    q.layer = 1;
    q.headMode = HeadMode::Mean;
    q.heads = {false, true};
    AttentionQuery single;
    single.layer = 1;
    single.head = 1;
    QCOMPARE(computeAttentionMatrix(s, q).values, computeAttentionMatrix(s, single).values);
    q.headMode = HeadMode::Max;
    QCOMPARE(computeAttentionMatrix(s, q).values, computeAttentionMatrix(s, single).values);
    q.heads = {true, true};
    AttentionQuery all = q;
    all.heads.clear();
    QCOMPARE(computeAttentionMatrix(s, q).values, computeAttentionMatrix(s, all).values);
    q.heads = {false, false};
    QVERIFY_THROWS_EXCEPTION(Error, computeAttentionMatrix(s, q));
    q.heads = {true};
    QVERIFY_THROWS_EXCEPTION(Error, computeAttentionMatrix(s, q));
    AttentionQuery rollout;
    rollout.layerMode = LayerMode::Rollout;
    rollout.headMode = HeadMode::Mean;
    rollout.layer = 1;
    const auto everyHead = computeAttentionMatrix(s, rollout).values;
    rollout.heads = {true, false};
    QCOMPARE(computeAttentionMatrix(s, rollout).values, everyHead);
}

void AttentionQueryTest::rolloutMatchesHandComputation() {
    const auto s = smallStack();
    // Layer 0: mean of heads = [[.4,.5,.1],[.3,.425,.275],[.25,.25,.5]]; A0 = 0.5 mean + 0.5 I.
    const double a0[3][3] = {{0.7, 0.25, 0.05}, {0.15, 0.7125, 0.1375}, {0.125, 0.125, 0.75}};
    // Layer 1: mean = [[.7,.2,.1],[.1,.6,.3],[.3,.3,.4]]; A1 = 0.5 mean + 0.5 I.
    const double a1[3][3] = {{0.85, 0.1, 0.05}, {0.05, 0.8, 0.15}, {0.15, 0.15, 0.7}};
    AttentionQuery q;
    q.layerMode = LayerMode::Rollout;
    q.layer = 0;
    auto m = computeAttentionMatrix(s, q);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) QVERIFY(std::abs(m.at(i, j) - a0[i][j]) < 1e-6);
    q.layer = 1;
    m = computeAttentionMatrix(s, q);
    for (int i = 0; i < 3; ++i) {
        double rowSum = 0;
        for (int j = 0; j < 3; ++j) {
            double expected = 0;
            for (int k = 0; k < 3; ++k) expected += a1[i][k] * a0[k][j];  // rollout = A1 · A0
            QVERIFY2(std::abs(m.at(i, j) - expected) < 1e-6, qPrintable(QString("%1,%2").arg(i).arg(j)));
            rowSum += m.at(i, j);
        }
        QVERIFY(std::abs(rowSum - 1.0) < 1e-6);
    }
}

// A probe asking after the last layer: its head mean (heads 0.6/0.2/0.2 and 0.2/0.2/0.6, mean
// 0.4/0.2/0.4) times the rollout A1 · A0 of the hand computation above; hard top-1 keeps the
// largest; keys that are not the model's tokens are an error.
void AttentionQueryTest::rolloutThroughStartsFromTheAskingRow() {
    const AttentionStack s = smallStack();
    AttentionStack probe;
    probe.resize(1, 2, 1, 3);
    const float h0[3] = {0.6f, 0.2f, 0.2f}, h1[3] = {0.2f, 0.2f, 0.6f};
    probe.storeMap(0, 0, h0);
    probe.storeMap(0, 1, h1);
    AttentionQuery q;
    q.layerMode = LayerMode::Rollout;
    const AttentionMatrix m = rolloutThrough(probe, s, q);
    QCOMPARE(m.rows, 1);
    QCOMPARE(m.cols, 3);
    const double a0[3][3] = {{0.7, 0.25, 0.05}, {0.15, 0.7125, 0.1375}, {0.125, 0.125, 0.75}};
    const double a1[3][3] = {{0.85, 0.1, 0.05}, {0.05, 0.8, 0.15}, {0.15, 0.15, 0.7}};
    const double mean[3] = {0.4, 0.2, 0.4};
    double sum = 0;
    for (int j = 0; j < 3; ++j) {
        double expected = 0;
        for (int i = 0; i < 3; ++i)
            for (int k = 0; k < 3; ++k) expected += mean[i] * a1[i][k] * a0[k][j];
        QVERIFY2(std::abs(m.at(0, j) - expected) < 1e-6, qPrintable(QString::number(j)));
        sum += m.at(0, j);
    }
    QVERIFY(std::abs(sum - 1.0) < 1e-6);
    q.hard = true;
    QCOMPARE(nonZero(rolloutThrough(probe, s, q).values), 1);
    AttentionStack wrong;
    wrong.resize(1, 2, 1, 4);
    QVERIFY_THROWS_EXCEPTION(Error, rolloutThrough(wrong, s, q));
}

void AttentionQueryTest::topKKeepsLargestWeights() {
    const auto s = smallStack();
    for (int k = 1; k <= 3; ++k) {
        AttentionQuery q;
        q.hard = true;
        q.hardSelection.k = k;
        const auto m = computeAttentionMatrix(s, q);
        const auto soft = s.map(0, 0);
        for (int r = 0; r < 3; ++r) {
            std::vector<float> row(m.values.begin() + r * 3, m.values.begin() + r * 3 + 3);
            QCOMPARE(nonZero(row), k);
            // kept cells keep their weight, and no dropped cell outweighs a kept one
            float minKept = 2, maxDropped = -1;
            for (int c = 0; c < 3; ++c) {
                if (row[c] != 0) {
                    QCOMPARE(row[c], soft[r * 3 + c]);
                    minKept = std::min(minKept, row[c]);
                } else {
                    maxDropped = std::max(maxDropped, soft[r * 3 + c]);
                }
            }
            QVERIFY(maxDropped <= minKept);
        }
    }
}

void AttentionQueryTest::topKTiesGoToLowerKey() {
    std::vector<float> v{0.25f, 0.25f, 0.25f, 0.25f};
    applyHardSelection(v, 1, 4, {HardRule::TopK, 2, 0, 0});
    QCOMPARE(v, (std::vector<float>{0.25f, 0.25f, 0.0f, 0.0f}));
    std::vector<float> w{0.1f, 0.3f, 0.3f, 0.3f};
    applyHardSelection(w, 1, 4, {HardRule::TopK, 1, 0, 0});
    QCOMPARE(w, (std::vector<float>{0.0f, 0.3f, 0.0f, 0.0f}));
}

void AttentionQueryTest::thresholdKeepsCellsAtOrAbove() {
    std::vector<float> v{0.2f, 0.5f, 0.3f, 0.6f, 0.1f, 0.3f};
    applyHardSelection(v, 2, 3, {HardRule::Threshold, 1, 0.3f, 0});
    QCOMPARE(v, (std::vector<float>{0.0f, 0.5f, 0.3f, 0.6f, 0.0f, 0.3f}));
}

void AttentionQueryTest::massKeepsSmallestSetReachingP() {
    std::vector<float> v{0.1f, 0.5f, 0.15f, 0.25f};
    applyHardSelection(v, 1, 4, {HardRule::Mass, 1, 0, 0.7f});  // 0.5 + 0.25 = 0.75 >= 0.7
    QCOMPARE(v, (std::vector<float>{0.0f, 0.5f, 0.0f, 0.25f}));
    std::vector<float> exact{0.1f, 0.5f, 0.15f, 0.25f};
    applyHardSelection(exact, 1, 4, {HardRule::Mass, 1, 0, 0.5f});  // the argmax alone reaches 0.5
    QCOMPARE(exact, (std::vector<float>{0.0f, 0.5f, 0.0f, 0.0f}));
    std::vector<float> all{0.1f, 0.5f, 0.15f, 0.25f};
    applyHardSelection(all, 1, 4, {HardRule::Mass, 1, 0, 1.0f});
    QCOMPARE(nonZero(all), 4);
}

void AttentionQueryTest::hidingSpecialTokensRenormalises() {
    const auto s = smallStack();
    AttentionQuery q;
    q.hideSpecialTokens = true;
    const auto m = computeAttentionMatrix(s, q, {true, false, false});
    QCOMPARE(m.rows, 2);
    QCOMPARE(m.rowTokens, (std::vector<int>{1, 2}));
    QCOMPARE(m.colTokens, (std::vector<int>{1, 2}));
    QVERIFY(std::abs(m.at(0, 0) - 0.6f / 0.9f) < 1e-6);
    QVERIFY(std::abs(m.at(1, 1) - 0.6f / 0.8f) < 1e-6);
}

// Attention sinks: key 0 left out, every row spread over keys 1 and 2; a row whose weight was
// all on key 0 stays zero; with the special tokens hidden too, both go; hard rules see the
// renormalised weights; a token that is not there is an error.
void AttentionQueryTest::leavingOutASinkRenormalisesTheRest() {
    const auto s = smallStack();
    AttentionQuery q;
    q.leftOutKeys = {0};
    const auto m = computeAttentionMatrix(s, q);
    QCOMPARE(m.rows, 3);
    QCOMPARE(m.rowTokens, (std::vector<int>{0, 1, 2}));
    QCOMPARE(m.colTokens, (std::vector<int>{1, 2}));
    QCOMPARE(m.leftOutKeys, 1);
    QVERIFY(std::abs(m.at(0, 0) - 0.2f / 0.3f) < 1e-6);   // row 0: 0.7 | 0.2 0.1
    QVERIFY(std::abs(m.at(1, 1) - 0.3f / 0.9f) < 1e-6);   // row 1: 0.1 | 0.6 0.3
    QVERIFY(std::abs(m.at(2, 0) - 0.2f / 0.8f) < 1e-6);   // row 2: 0.2 | 0.2 0.6
    q.layer = 1;
    q.head = 1;
    const auto parked = computeAttentionMatrix(s, q);        // row 0: 1 | 0 0
    QCOMPARE(parked.at(0, 0), 0.0f);
    QCOMPARE(parked.at(0, 1), 0.0f);
    QCOMPARE(parked.at(2, 0), 1.0f);                         // row 2: 0.5 | 0.5 0
    q.layer = 0;
    q.head = 0;
    q.hideSpecialTokens = true;
    q.leftOutKeys = {1};
    const auto both = computeAttentionMatrix(s, q, {true, false, false});
    QCOMPARE(both.colTokens, std::vector<int>{2});
    QCOMPARE(both.rowTokens, (std::vector<int>{1, 2}));
    QCOMPARE(both.at(0, 0), 1.0f);
    q.hideSpecialTokens = false;
    q.leftOutKeys = {0};
    q.hard = true;
    q.hardSelection = {HardRule::Threshold, 1, 0.5f, 0.9f};
    const auto hard = computeAttentionMatrix(s, q);          // row 1 renormalised: 0.67 0.33
    QVERIFY(hard.at(1, 0) > 0.6f);
    QCOMPARE(hard.at(1, 1), 0.0f);
    q.hard = false;
    q.leftOutKeys = {3};
    QVERIFY_THROWS_EXCEPTION(Error, computeAttentionMatrix(s, q));
    q.leftOutKeys = {-1};
    QVERIFY_THROWS_EXCEPTION(Error, computeAttentionMatrix(s, q));
}

void AttentionQueryTest::badQueriesAreErrors() {
    const auto s = smallStack();
    AttentionQuery q;
    q.layer = 2;
    QVERIFY_THROWS_EXCEPTION(Error, computeAttentionMatrix(s, q));
    q.layer = 0;
    q.head = -1;
    QVERIFY_THROWS_EXCEPTION(Error, computeAttentionMatrix(s, q));
    q.head = 0;
    q.hard = true;
    q.hardSelection.k = 0;
    QVERIFY_THROWS_EXCEPTION(Error, computeAttentionMatrix(s, q));
    q.hardSelection = {HardRule::Mass, 1, 0, 1.5f};
    QVERIFY_THROWS_EXCEPTION(Error, computeAttentionMatrix(s, q));
}

void AttentionQueryTest::differenceOfTwoHeadsOrLayers() {
    const auto s = smallStack();
    // Head 1.0 minus head 0.1: cell by cell, signed, marked as a difference.
    AttentionQuery q;
    q.layer = 1;
    q.head = 0;
    q.compare = {CompareWith::Head, 0, 1};
    const AttentionMatrix d = computeAttentionMatrix(s, q);
    QVERIFY(d.difference);
    QCOMPARE(d.rows, 3);
    QCOMPARE(d.cols, 3);
    const float l1h0[9] = {0.4f, 0.4f, 0.2f, 0.2f, 0.2f, 0.6f, 0.1f, 0.1f, 0.8f};
    const float l0h1[9] = {0.1f, 0.8f, 0.1f, 0.5f, 0.25f, 0.25f, 0.3f, 0.3f, 0.4f};
    for (int i = 0; i < 9; ++i) QCOMPARE(d.values[static_cast<std::size_t>(i)], l1h0[i] - l0h1[i]);
    // A layer: the same aggregate there (the mean of layer 1 minus the mean of layer 0).
    q.headMode = HeadMode::Mean;
    q.compare = {CompareWith::Layer, 0, 0};
    const AttentionMatrix layers = computeAttentionMatrix(s, q);
    AttentionQuery a = q, b = q;
    a.compare = {};
    b.compare = {};
    b.layer = 0;
    const AttentionMatrix ma = computeAttentionMatrix(s, a), mb = computeAttentionMatrix(s, b);
    QVERIFY(!ma.difference);
    for (std::size_t i = 0; i < layers.values.size(); ++i) QCOMPARE(layers.values[i], ma.values[i] - mb.values[i]);
    // Each head of a grid against its own head of the other layer: head 1 of layer 1 minus head 1 of layer 0.
    q.headMode = HeadMode::Single;
    q.head = 1;
    const AttentionMatrix cell = computeAttentionMatrix(s, q);
    QCOMPARE(cell.at(2, 1), 0.5f - 0.3f);
    // A comparison with itself is zero everywhere; hard selections apply to each side first.
    q.compare = {CompareWith::Head, 1, 1};
    for (const float v : computeAttentionMatrix(s, q).values) QCOMPARE(v, 0.0f);
    q.compare = {CompareWith::Head, 0, 1};
    q.hard = true;
    q.hardSelection.k = 1;
    const AttentionMatrix hard = computeAttentionMatrix(s, q);
    QCOMPARE(hard.at(0, 0), 1.0f);   // 1.1 keeps key 0 (1.0); 0.1 keeps key 1
    QCOMPARE(hard.at(0, 1), -0.8f);
    QCOMPARE(hard.at(0, 2), 0.0f);
}

void AttentionQueryTest::badComparisonsAreErrors() {
    const auto s = smallStack();
    AttentionQuery q;
    const auto message = [&] {
        try {
            computeAttentionMatrix(s, q);
        } catch (const Error& e) {
            return QString::fromUtf8(e.what());
        }
        return QString();
    };
    q.compare = {CompareWith::Layer, 2, 0};
    QVERIFY2(message().contains("the layer to compare with, 2, does not exist"), qPrintable(message()));
    q.compare = {CompareWith::Head, 1, -1};
    QVERIFY2(message().contains("the head to compare with, -1, does not exist"), qPrintable(message()));
    q.compare = {CompareWith::Input, 0, 0};
    QVERIFY2(message().contains("another input"), qPrintable(message()));
}

void AttentionQueryTest::tokensAlignInTextOrder() {
    using Names = std::vector<std::string>;
    // A word inserted in B: every other token keeps its partner.
    TokenAlignment a = alignTokens(Names{"the", "cat", "sat"}, Names{"the", "big", "cat", "sat"});
    QCOMPARE(a.inOther, (std::vector<int>{0, 2, 3}));
    QCOMPARE(a.shared(), 3);
    QCOMPARE(a.otherCount, 4);
    QVERIFY(!a.oneToOne());
    // A word replaced in the middle, and one dropped at the start.
    a = alignTokens(Names{"<s>", "a", "cat", "sat", "down"}, Names{"<s>", "a", "dog", "sat", "down"});
    QCOMPARE(a.inOther, (std::vector<int>{0, 1, -1, 3, 4}));
    a = alignTokens(Names{"x", "y", "z"}, Names{"y", "z"});
    QCOMPARE(a.inOther, (std::vector<int>{-1, 0, 1}));
    // Repeated tokens pair in order; nothing shared leaves every token unmatched.
    a = alignTokens(Names{"a", "b", "a", "b"}, Names{"b", "a", "b"});
    QCOMPARE(a.shared(), 3);
    a = alignTokens(Names{"p", "q"}, Names{"r"});
    QCOMPARE(a.inOther, (std::vector<int>{-1, -1}));
    QCOMPARE(alignTokens(Names{}, Names{"r"}).shared(), 0);
    QVERIFY(alignTokens(Names{"a", "b"}, Names{"a", "b"}).oneToOne());
    QVERIFY(alignByPosition(4).oneToOne());
    QCOMPARE(alignByPosition(4).inOther, (std::vector<int>{0, 1, 2, 3}));
}

void AttentionQueryTest::alignmentIsALongestCommonSubsequence() {
    // Against the textbook recursion on small random texts over a 3-token vocabulary: the
    // pairs spell the same tokens, keep their order in both, and are as many as the LCS.
    std::mt19937 random(7);
    for (int trial = 0; trial < 300; ++trial) {
        std::vector<std::string> a(random() % 9), b(random() % 9);
        for (auto& t : a) t = std::string(1, static_cast<char>('a' + random() % 3));
        for (auto& t : b) t = std::string(1, static_cast<char>('a' + random() % 3));
        std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
        for (std::size_t i = a.size(); i-- > 0;)
            for (std::size_t j = b.size(); j-- > 0;)
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        const TokenAlignment found = alignTokens(a, b);
        QCOMPARE(found.shared(), lcs[0][0]);
        int last = -1;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const int j = found.inOther[i];
            if (j < 0) continue;
            QCOMPARE(a[i], b[static_cast<std::size_t>(j)]);
            QVERIFY(j > last);
            last = j;
        }
    }
}

void AttentionQueryTest::differenceOfTwoInputsOnSharedTokens() {
    // A: "the cat sat" (3 tokens), B: "the big cat sat" (4), self-attention of one head each.
    AttentionStack a, b;
    a.resize(1, 1, 3, 3);
    b.resize(1, 1, 4, 4);
    const float av[9] = {1.0f, 0, 0, 0.5f, 0.5f, 0, 0.2f, 0.3f, 0.5f};
    const float bv[16] = {1.0f, 0, 0, 0, 0.4f, 0.6f, 0, 0, 0.3f, 0.3f, 0.4f, 0, 0.1f, 0.2f, 0.3f, 0.4f};
    std::copy(av, av + 9, a.map(0, 0));
    std::copy(bv, bv + 16, b.map(0, 0));
    const AttentionQuery q;
    const AttentionMatrix ma = computeAttentionMatrix(a, q), mb = computeAttentionMatrix(b, q);
    const TokenAlignment align = alignTokens({"the", "cat", "sat"}, {"the", "big", "cat", "sat"});
    const AttentionMatrix d = attentionDifference(ma, mb, align, align);
    QVERIFY(d.difference);
    QCOMPARE(d.rows, 3);
    QCOMPARE(d.cols, 3);
    QCOMPARE(d.rowTokens, (std::vector<int>{0, 1, 2}));  // A's tokens label it
    // "sat" attending to "cat": 0.3 in A, 0.3 in B (row 3, column 2 there).
    QCOMPARE(d.at(2, 1), 0.3f - 0.3f);
    QCOMPARE(d.at(1, 1), 0.5f - 0.4f);  // "cat" to itself
    QCOMPARE(d.at(2, 0), 0.2f - 0.1f);  // "sat" to "the"
    // A token B hides (a special token left out of its matrix) drops out of the difference.
    AttentionQuery hidden;
    hidden.hideSpecialTokens = true;
    const AttentionMatrix mbHidden = computeAttentionMatrix(b, hidden, {true, false, false, false});
    const AttentionMatrix dHidden = attentionDifference(ma, mbHidden, align, align);
    QCOMPARE(dHidden.rowTokens, (std::vector<int>{1, 2}));
    QCOMPARE(dHidden.colTokens, (std::vector<int>{1, 2}));
}

void AttentionQueryTest::badDifferencesAreErrors() {
    const auto s = smallStack();
    const AttentionMatrix m = computeAttentionMatrix(s, AttentionQuery{});
    AttentionMatrix smaller = m;
    smaller.rows = 2;
    smaller.rowTokens.pop_back();
    smaller.values.resize(6);
    QVERIFY_THROWS_EXCEPTION(Error, attentionDifference(m, smaller));
    AttentionMatrix broken = m;
    broken.values[4] = std::nanf("");
    QVERIFY_THROWS_EXCEPTION(Error, attentionDifference(m, broken));
    broken.values[4] = INFINITY;
    QVERIFY_THROWS_EXCEPTION(Error, attentionDifference(broken, m));
    const TokenAlignment same = alignByPosition(3);
    QVERIFY_THROWS_EXCEPTION(Error, attentionDifference(m, broken, same, same));
    // Nothing shared, and an alignment for another number of tokens.
    TokenAlignment none = same;
    none.inOther = {-1, -1, -1};
    QVERIFY_THROWS_EXCEPTION(Error, attentionDifference(m, m, none, none));
    QVERIFY_THROWS_EXCEPTION(Error, attentionDifference(m, m, alignByPosition(2), alignByPosition(2)));
    TokenAlignment beyond = same;
    beyond.inOther = {0, 1, 7};
    QVERIFY_THROWS_EXCEPTION(Error, attentionDifference(m, m, beyond, beyond));
}

QTEST_APPLESS_MAIN(AttentionQueryTest)
#include "test_attention_query.moc"
