// Inside one head (issue #19, the classroom's view): the numbers one query's attention is made
// of, kept by the attention itself. Its softmax row must be the very row every view shows; the
// dot products must be the query and key vectors' products, the scores their scaling (with
// Gemma 2's cap and the position terms of DeBERTa where the family has them), the probabilities
// the softmax of the visible scores, and the output the probability-weighted sum of the values.
#include <QtTest>

#include <cmath>

#include "ErrorText.h"
#include "GoldenFixtures.h"
#include "RespelledCheckpoints.h"
#include "SyntheticCheckpoints.h"
#include "analysis/InsideHead.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

const std::vector<int> kIds{3, 17, 42, 9, 5, 33, 60, 21};

fs::path folderFor(const std::string& family) {
    const fs::path golden = fixtures::goldenDir() / family / "model";
    if (fs::exists(golden)) return golden;
    const fs::path dir = fixtures::tmpDir() / "inside-head" / family;
    if (family == "deberta-v2") {
        // With both relative terms: scores the head's q·k alone does not make.
        fixtures::SyntheticCheckpoint ck = fixtures::debertaFromBert();
        const std::int64_t hidden = fixtures::respelled::kDebertaHidden;
        ck.config.update({{"relative_attention", true}, {"pos_att_type", "p2c|c2p"}, {"max_relative_positions", 8}, {"share_att_key", true}});
        ck.tensors["deberta.encoder.rel_embeddings.weight"] = {{16, hidden}, fixtures::synthetic::values("table", std::size_t(16 * hidden), 0.0f)};
        return ck.write(dir);
    }
    return fixtures::synthesize(fixtures::tinyConfig(family)).write(dir);
}

}  // namespace

class InsideHeadTest : public QObject {
    Q_OBJECT
private slots:
    void stepsAreTheAttentionsOwn_data();
    void stepsAreTheAttentionsOwn();
    void refusesWhatItLacks();
};

void InsideHeadTest::stepsAreTheAttentionsOwn_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<int>("layer");
    QTest::addColumn<int>("head");
    QTest::addColumn<int>("query");
    QTest::newRow("gpt2") << "gpt2" << 1 << 2 << 5;
    QTest::newRow("llama") << "llama" << 0 << 3 << 7;
    QTest::newRow("bert") << "bert" << 1 << 0 << 2;
    QTest::newRow("gemma2 (softcap, window)") << "gemma2" << 0 << 1 << 6;
    QTest::newRow("qwen3 (grouped heads)") << "qwen3" << 1 << 3 << 4;
    QTest::newRow("deberta-v2 (position terms)") << "deberta-v2" << 1 << 2 << 3;
}

void InsideHeadTest::stepsAreTheAttentionsOwn() {
    QFETCH(QString, family);
    QFETCH(int, layer);
    QFETCH(int, head);
    QFETCH(int, query);
    const auto cp = Checkpoint::open(folderFor(family.split(' ').front().toStdString()));
    ForwardInput in;
    in.ids = kIds;
    const auto c = captureHead(cp->model(), in, layer, head, query);
    QVERIFY(c && c->filled);
    const int m = static_cast<int>(c->keys.rows());
    QCOMPARE(m, static_cast<int>(kIds.size()));
    QCOMPARE(int(c->queryVector.size()), c->headDim);
    const auto plain = cp->forward(in);  // kept: the stack below is a reference into it
    const AttentionStack& shown = plain->record.stacks.front().attention;
    for (int k = 0; k < m; ++k) QCOMPARE(c->probabilities[std::size_t(k)], shown.at(layer, head, query, k));  // the views' row, bit for bit

    double worstDot = 0, worstScaled = 0, worstSoftmax = 0, worstOutput = 0;
    const Eigen::Map<const Eigen::VectorXf> qv(c->queryVector.data(), c->headDim);
    double maxScore = -1e30;
    for (int k = c->firstVisible; k < c->lastVisible; ++k) maxScore = std::max(maxScore, double(c->scores[std::size_t(k)]));
    double z = 0;
    for (int k = c->firstVisible; k < c->lastVisible; ++k) z += std::exp(c->scores[std::size_t(k)] - maxScore);
    Eigen::VectorXd output = Eigen::VectorXd::Zero(c->headDim);
    for (int k = 0; k < m; ++k) {
        const std::size_t i = std::size_t(k);
        worstDot = std::max(worstDot, std::abs(double(c->keys.row(k).dot(qv.transpose())) - c->dots[i]));
        double scaled = double(c->dots[i]) * c->scale;
        if (c->softcap > 0) scaled = c->softcap * std::tanh(scaled / c->softcap);
        worstScaled = std::max(worstScaled, std::abs(scaled - c->scaled[i]));
        const bool visible = k >= c->firstVisible && k < c->lastVisible;
        const double p = visible ? std::exp(c->scores[i] - maxScore) / z : 0.0;
        worstSoftmax = std::max(worstSoftmax, std::abs(p - c->probabilities[i]));
        output += c->probabilities[i] * c->values.row(k).transpose().cast<double>();
        if (!c->positionTerm) QCOMPARE(c->scores[i], c->scaled[i]);
    }
    for (int j = 0; j < c->headDim; ++j) worstOutput = std::max(worstOutput, std::abs(output[j] - c->output[std::size_t(j)]));
    qInfo("%s: |q·k| %.1g, scale %.1g, softmax %.1g, output %.1g", qPrintable(family), worstDot, worstScaled, worstSoftmax, worstOutput);
    QVERIFY(worstDot < 1e-4 && worstScaled < 1e-5 && worstSoftmax < 1e-6 && worstOutput < 1e-5);
    if (family == "gpt2" || family == "llama" || family.startsWith("gemma2")) QCOMPARE(c->lastVisible, query + 1);  // causal
    if (family.startsWith("gemma2")) {
        QVERIFY(c->softcap > 0);
        QVERIFY(c->firstVisible > 0);  // layer 0 slides with a window of 3
    }
    if (family.startsWith("deberta")) QVERIFY(c->positionTerm);
    if (family == "bert") QCOMPARE(c->lastVisible, m);
    QVERIFY(std::abs(c->scale - 1.0 / std::sqrt(double(c->headDim))) < 1e-6 || family.startsWith("gemma2") || family.startsWith("deberta"));
}

void InsideHeadTest::refusesWhatItLacks() {
    const auto cp = Checkpoint::open(fixtures::goldenDir() / "gpt2" / "model");
    ForwardInput in;
    in.ids = kIds;
    QVERIFY(fixtures::errorOf([&] { captureHead(cp->model(), in, 2, 0, 0); }).startsWith("layer 2 does not exist"));
    QVERIFY(fixtures::errorOf([&] { captureHead(cp->model(), in, 0, 4, 0); }).startsWith("head 4 does not exist"));
    QVERIFY(fixtures::errorOf([&] { captureHead(cp->model(), in, 0, 0, 8); }).startsWith("query 8 does not exist (the input has 8 tokens"));
    const auto t5 = Checkpoint::open(fixtures::goldenDir() / "t5" / "model");
    QVERIFY(fixtures::errorOf([&] { captureHead(t5->model(), in, 0, 0, 0); }).contains("encoder-decoder"));
}

QTEST_APPLESS_MAIN(InsideHeadTest)
#include "test_inside_head.moc"
