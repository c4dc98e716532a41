// DeBERTa-v2/v3 before a transformers fixture exists for it (its parity stays open until a
// device machine makes one): without position terms it must be transformers' BERT (the golden
// masked-LM BERT respelled, both of DeBERTa's head spellings); the scale must count the terms;
// each position term must read the table row of the query's offset from the key, in DeBERTa's
// log buckets; share_att_key must read the table through the layer's own projections; the
// terms' own attention must be kept as stacks; and settings AttnScope cannot run are errors.
#include <QtTest>

#include <cmath>

#include "Error.h"
#include "GoldenFixtures.h"
#include "RespelledCheckpoints.h"
#include "SyntheticCheckpoints.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"
#include "model/DisentangledAttention.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;
using fixtures::SyntheticCheckpoint;
using fixtures::SyntheticTensor;

namespace {

const fs::path kBertMlm = fixtures::goldenDir() / "bert_mlm";
using namespace fixtures::respelled;
constexpr int kHidden = kDebertaHidden, kHeads = kDebertaHeads, kHeadDim = kDebertaHeadDim, kLayers = kDebertaLayers;
using fixtures::debertaFromBert;

std::unique_ptr<Checkpoint> openWritten(const SyntheticCheckpoint& ck, const QTemporaryDir& tmp, const std::string& name) {
    return Checkpoint::open(ck.write(fs::path(tmp.path().toStdString()) / name));
}

std::string layerName(int l, const std::string& part) {
    std::string name = "deberta.encoder.layer.";  // appended: GCC 12 -O3 warns falsely of an overflow on "..." + to_string (its bug 105651)
    name += std::to_string(l);
    return name + ".attention.self." + part;
}

SyntheticTensor filled(std::vector<std::int64_t> shape, float value) {
    std::size_t count = 1;
    for (const auto d : shape) count *= std::size_t(d);
    return {std::move(shape), std::vector<float>(count, value)};
}

// Compares every golden case's attention (and logits) with the model's.
void expectGoldenBert(const Checkpoint& model, const char* what) {
    const nlohmann::json cases = fixtures::readJson(kBertMlm / "expected.json")["cases"];
    SafetensorsFile expected(kBertMlm / "expected.safetensors");
    for (std::size_t c = 0; c < cases.size(); ++c) {
        ForwardInput in;
        in.ids = cases[c]["ids"].get<std::vector<int>>();
        in.typeIds = cases[c]["type_ids"].get<std::vector<int>>();
        const auto result = model.model().forward(in);
        const std::string prefix = "case" + std::to_string(c);
        const double attention = fixtures::maxAbsDiff(result->record.attention().toFloat32(), expected.toFloat(*expected.find(prefix + ".attentions")));
        const std::vector<float> logits(result->record.logits.data(), result->record.logits.data() + result->record.logits.size());
        const double logitDiff = fixtures::maxAbsDiff(logits, expected.toFloat(*expected.find(prefix + ".logits")));
        QVERIFY2(attention <= 1e-4 && logitDiff <= 1e-4, qPrintable(QString("%1, case %2: attention %3, logits %4").arg(what).arg(c).arg(attention).arg(logitDiff)));
    }
}

// A DeBERTa whose only non-zero score term is one position term, equal for every head: every
// query is the same vector (or every key, for p2c), the content projections ignore the text,
// and the table's row r projects to r in the first slot of each head. The score of (i, j) is
// then `strength` times the table row (i, j) reads, over sqrt(2 * head_dim).
SyntheticCheckpoint onePositionTerm(const std::string& term, float strength, int buckets, int maxRelative) {
    SyntheticCheckpoint ck = debertaFromBert();
    const int span = buckets > 0 ? buckets : maxRelative;
    ck.config.update({{"relative_attention", true}, {"pos_att_type", {term}}, {"position_buckets", buckets},
                      {"max_relative_positions", maxRelative}});
    SyntheticTensor table = filled({2 * span, kHidden}, 0.0f);
    for (int r = 0; r < 2 * span; ++r) table.values[std::size_t(r) * kHidden] = float(r);
    ck.tensors["deberta.encoder.rel_embeddings.weight"] = table;
    const bool c2p = term == "c2p";
    for (int l = 0; l < kLayers; ++l) {
        for (const char* part : {"query_proj", "key_proj"}) {
            ck.at(layerName(l, part) + ".weight") = filled({kHidden, kHidden}, 0.0f);
            ck.at(layerName(l, part) + ".bias") = filled({kHidden}, 0.0f);
        }
        // The content side of the term: every query (c2p) or key (p2c) is `strength` in each head's first slot.
        SyntheticTensor& constant = ck.at(layerName(l, c2p ? "query_proj" : "key_proj") + ".bias");
        for (int h = 0; h < kHeads; ++h) constant.values[std::size_t(h * kHeadDim)] = strength;
        SyntheticTensor projection = filled({kHidden, kHidden}, 0.0f);
        for (int h = 0; h < kHeads; ++h) projection.values[std::size_t(h * kHeadDim) * kHidden] = 1.0f;
        const std::string pos = c2p ? "pos_key_proj" : "pos_query_proj";
        ck.tensors[layerName(l, pos) + ".weight"] = projection;
        ck.tensors[layerName(l, pos) + ".bias"] = filled({kHidden}, 0.0f);
    }
    return ck;
}

}  // namespace

class DebertaTest : public QObject {
    Q_OBJECT
private slots:
    void logBucketsFollowDebertasFormula();
    void withoutPositionTermsItIsTransformersBert();
    void theScaleCountsTheTerms();
    void eachPositionTermReadsTheQueryKeyOffset_data();
    void eachPositionTermReadsTheQueryKeyOffset();
    void sharedKeysReadTheTableThroughTheLayersProjections();
    void tokenClassifierLabelsEveryToken();
    void settingsAttnScopeCannotRunAreErrors();
};

// make_log_bucket_position: offsets within half the buckets are kept; beyond, ceil of
// log(|r| / mid) / log((max - 1) / mid) * (mid - 1), plus mid, with r's sign.
void DebertaTest::logBucketsFollowDebertasFormula() {
    const std::vector<std::pair<int, int>> small{{0, 0}, {3, 3}, {-3, -3}, {4, 4}, {-4, -4}, {5, 5}, {10, 6}, {-10, -6}, {31, 7}, {100, 9}, {-100, -9}};
    for (const auto& [relative, bucket] : small) QCOMPARE(logBucketPosition(relative, 8, 32), bucket);
    // DeBERTa-v3's own settings (256 buckets, 512 positions).
    QCOMPARE(logBucketPosition(127, 256, 512), 127);
    QCOMPARE(logBucketPosition(128, 256, 512), 128);
    QCOMPARE(logBucketPosition(129, 256, 512), 129);
    QCOMPARE(logBucketPosition(200, 256, 512), 169);
    QCOMPARE(logBucketPosition(-511, 256, 512), -255);
    // Rows of the table: the bucket plus the span, clamped into [0, 2 * span).
    DisentangledConfig c;
    c.buckets = 4;
    c.maxRelative = 16;
    const std::vector<int> rows = relativeTableRows(c, 12);
    QCOMPARE(rows[0], 4);               // (0, 0): offset 0
    QCOMPARE(rows[1 * 12 + 0], 5);      // query 1 after key 0
    QCOMPARE(rows[0 * 12 + 1], 3);      // query 0 before key 1
    QCOMPARE(rows[11 * 12 + 0], 7);     // offset 11: log bucket 3
    QCOMPARE(rows[0 * 12 + 11], 1);     // offset -11: bucket -3
    c.buckets = -1;
    QCOMPARE(relativeTableRows(c, 3)[2 * 3 + 0], 18);  // no buckets: the offset itself, plus span 16
    c.maxRelative = 2;
    QCOMPARE(relativeTableRows(c, 5)[4 * 5 + 0], 3);   // offset 4 + span 2, clamped to 2 * span - 1
    QCOMPARE(relativeTableRows(c, 5)[0 * 5 + 4], 0);   // offset -4 + 2, clamped to 0
}

// relative_attention false and no pos_att_type: BERT's attention, embeddings and head. The
// newer head spelling (lm_predictions.lm_head) computes the same.
void DebertaTest::withoutPositionTermsItIsTransformersBert() {
    QTemporaryDir tmp;
    SyntheticCheckpoint ck = debertaFromBert();
    const auto model = openWritten(ck, tmp, "legacy");
    QCOMPARE(model->capabilities().stacks.size(), std::size_t(1));
    QCOMPARE(int(model->model().headKind()), int(HeadKind::MaskedLm));
    expectGoldenBert(*model, "legacy head");
    ck.movePrefix("cls.predictions.transform.", "lm_predictions.lm_head.");
    ck.movePrefix("cls.predictions.bias", "lm_predictions.lm_head.bias");
    expectGoldenBert(*openWritten(ck, tmp, "lm_head"), "lm_predictions head");
}

// With both terms on, scores are divided by sqrt(3 * head_dim): queries grown by sqrt(3) and
// position projections that give zero make it BERT again, and each position term alone is
// then uniform while content-to-content alone is the total.
void DebertaTest::theScaleCountsTheTerms() {
    QTemporaryDir tmp;
    SyntheticCheckpoint ck = debertaFromBert();
    ck.config.update({{"relative_attention", true}, {"pos_att_type", "p2c|c2p"}, {"max_relative_positions", 8}});
    ck.tensors["deberta.encoder.rel_embeddings.weight"] = {{16, kHidden}, fixtures::synthetic::values("table", 16 * kHidden, 0.0f)};
    for (int l = 0; l < kLayers; ++l) {
        for (const char* s : {".weight", ".bias"})
            for (float& v : ck.at(layerName(l, "query_proj") + s).values) v *= std::sqrt(3.0f);
        for (const char* pos : {"pos_key_proj", "pos_query_proj"}) {
            ck.tensors[layerName(l, pos) + ".weight"] = filled({kHidden, kHidden}, 0.0f);
            ck.tensors[layerName(l, pos) + ".bias"] = filled({kHidden}, 0.0f);
        }
    }
    const auto model = openWritten(ck, tmp, "scaled");
    std::vector<std::string> names;
    for (const StackShape& s : model->capabilities().stacks) names.push_back(s.name);
    QCOMPARE(names, (std::vector<std::string>{"self", "c2c", "c2p", "p2c"}));
    expectGoldenBert(*model, "both terms");
    ForwardInput in;
    in.ids = {2, 45, 17, 300, 9, 3};
    const auto result = model->model().forward(in);
    const AttentionRecord& r = result->record;
    QCOMPARE(r.stacks.size(), std::size_t(4));
    QVERIFY(fixtures::maxAbsDiff(r.attention("c2c").toFloat32(), r.attention().toFloat32()) < 1e-6);
    for (const char* term : {"c2p", "p2c"})
        for (const float p : r.attention(term).toFloat32()) QVERIFY(std::abs(p - 1.0f / 6.0f) < 1e-6f);
}

void DebertaTest::eachPositionTermReadsTheQueryKeyOffset_data() {
    QTest::addColumn<QString>("term");
    QTest::addColumn<int>("buckets");
    QTest::addColumn<int>("maxRelative");
    QTest::newRow("c2p, log buckets") << "c2p" << 4 << 16;
    QTest::newRow("p2c, log buckets") << "p2c" << 4 << 16;
    QTest::newRow("c2p, plain offsets") << "c2p" << -1 << 5;
    QTest::newRow("p2c, plain offsets") << "p2c" << -1 << 5;
}

// The one term's attention is softmax over j of strength * row(i, j) / sqrt(2 * head_dim), in
// every layer and head; its own stack equals the total, and content-to-content alone (all
// zero scores) is uniform.
void DebertaTest::eachPositionTermReadsTheQueryKeyOffset() {
    QFETCH(QString, term);
    QFETCH(int, buckets);
    QFETCH(int, maxRelative);
    const float strength = 3.0f;
    QTemporaryDir tmp;
    const auto model = openWritten(onePositionTerm(term.toStdString(), strength, buckets, maxRelative), tmp, "term");
    ForwardInput in;
    in.ids = {2, 45, 17, 300, 9, 3, 88, 120, 5, 61, 7, 3};
    const int n = int(in.ids.size());
    const auto result = model->model().forward(in);
    DisentangledConfig c;
    c.buckets = buckets;
    c.maxRelative = maxRelative;
    const std::vector<int> rows = relativeTableRows(c, n);
    const AttentionStack& total = result->record.attention();
    const float scale = strength / std::sqrt(2.0f * kHeadDim);
    double worst = 0.0;
    for (int i = 0; i < n; ++i) {
        std::vector<double> expected(std::size_t(n), 0.0);
        double sum = 0.0;
        for (int j = 0; j < n; ++j) sum += expected[std::size_t(j)] = std::exp(scale * rows[std::size_t(i * n + j)]);
        for (int l = 0; l < kLayers; ++l)
            for (int h = 0; h < kHeads; ++h)
                for (int j = 0; j < n; ++j) worst = std::max(worst, std::abs(total.at(l, h, i, j) - expected[std::size_t(j)] / sum));
    }
    QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
    const AttentionRecord& r = result->record;
    QVERIFY(fixtures::maxAbsDiff(r.attention(term.toStdString()).toFloat32(), total.toFloat32()) < 1e-6);
    for (const float p : r.attention("c2c").toFloat32()) QVERIFY(std::abs(p - 1.0f / float(n)) < 1e-6f);
    QVERIFY(r.find(term == "c2p" ? "p2c" : "c2p") == nullptr);  // a term the config leaves out has no stack
}

// share_att_key: the position table goes through query_proj and key_proj; the same model with
// separate position projections that are copies of them computes the same numbers.
void DebertaTest::sharedKeysReadTheTableThroughTheLayersProjections() {
    QTemporaryDir tmp;
    SyntheticCheckpoint separate = debertaFromBert();
    separate.config.update({{"relative_attention", true}, {"pos_att_type", {"c2p", "p2c"}}, {"position_buckets", 4},
                            {"max_relative_positions", 16}, {"norm_rel_ebd", "layer_norm"}});
    separate.tensors["deberta.encoder.rel_embeddings.weight"] = {{8, kHidden}, fixtures::synthetic::values("table", 8 * kHidden, 0.0f)};
    separate.tensors["deberta.encoder.LayerNorm.weight"] = {{kHidden}, fixtures::synthetic::values("norm", kHidden, 1.0f)};
    separate.tensors["deberta.encoder.LayerNorm.bias"] = {{kHidden}, fixtures::synthetic::values("norm bias", kHidden, 0.0f)};
    SyntheticCheckpoint shared = separate;
    shared.config["share_att_key"] = true;
    for (int l = 0; l < kLayers; ++l)
        for (const char* s : {".weight", ".bias"}) {
            separate.tensors[layerName(l, "pos_key_proj") + s] = separate.at(layerName(l, "key_proj") + s);
            separate.tensors[layerName(l, "pos_query_proj") + s] = separate.at(layerName(l, "query_proj") + s);
        }
    ForwardInput in;
    in.ids = {2, 45, 17, 300, 9, 3, 88, 120, 5, 61, 7, 3};
    const auto a = openWritten(separate, tmp, "separate")->model().forward(in);
    const auto b = openWritten(shared, tmp, "shared")->model().forward(in);
    for (const char* stack : {"self", "c2c", "c2p", "p2c"})
        QCOMPARE(fixtures::maxAbsDiff(a->record.attention(stack).toFloat32(), b->record.attention(stack).toFloat32()), 0.0);
    QCOMPARE(a->record.logits, b->record.logits);
    // The position terms matter here: without the table's norm the attention moves.
    SyntheticCheckpoint unnormed = shared;
    unnormed.config["norm_rel_ebd"] = "none";
    const auto c = openWritten(unnormed, tmp, "unnormed")->model().forward(in);
    QVERIFY(fixtures::maxAbsDiff(c->record.attention().toFloat32(), b->record.attention().toFloat32()) > 1e-3);
}

// DebertaV2ForTokenClassification: `classifier` without the pooler scores every token against
// id2label; a sequence classifier (with pooler.dense) reads [CLS] only.
void DebertaTest::tokenClassifierLabelsEveryToken() {
    QTemporaryDir tmp;
    SyntheticCheckpoint ck = debertaFromBert();
    for (auto it = ck.tensors.begin(); it != ck.tensors.end();) it = it->first.rfind("cls.", 0) == 0 ? ck.tensors.erase(it) : std::next(it);
    ck.config["architectures"] = {"DebertaV2ForTokenClassification"};
    ck.config["id2label"] = {{"0", "O"}, {"1", "B-PER"}, {"2", "I-PER"}};
    ck.tensors["classifier.weight"] = {{3, kHidden}, fixtures::synthetic::values("classifier", 3 * kHidden, 0.0f)};
    ck.tensors["classifier.bias"] = {{3}, fixtures::synthetic::values("classifier bias", 3, 0.0f)};
    const auto model = openWritten(ck, tmp, "tokens");
    QCOMPARE(int(model->model().headKind()), int(HeadKind::TokenClassifier));
    ForwardInput in;
    in.ids = {2, 45, 17, 300, 9, 3};
    const auto result = model->model().forward(in);
    const RowMatrix& logits = result->record.logits;
    QCOMPARE(logits.rows(), Eigen::Index(6));
    QCOMPARE(logits.cols(), Eigen::Index(3));
    const Eigen::Map<const RowMatrix> w(ck.at("classifier.weight").values.data(), 3, kHidden);
    const Eigen::Map<const Eigen::RowVectorXf> b(ck.at("classifier.bias").values.data(), 3);
    const RowMatrix expected = (result->lastHiddenState * w.transpose()).rowwise() + b;
    QVERIFY((logits - expected).cwiseAbs().maxCoeff() < 1e-5f);
    ck.tensors["pooler.dense.weight"] = {{kHidden, kHidden}, fixtures::synthetic::values("pooler", kHidden * kHidden, 0.0f)};
    ck.tensors["pooler.dense.bias"] = {{kHidden}, fixtures::synthetic::values("pooler bias", kHidden, 0.0f)};
    ck.config["architectures"] = {"DebertaV2ForSequenceClassification"};
    QCOMPARE(int(openWritten(ck, tmp, "sequence")->model().headKind()), int(HeadKind::SequenceClassifier));
}

void DebertaTest::settingsAttnScopeCannotRunAreErrors() {
    QTemporaryDir tmp;
    const auto refused = [&](const nlohmann::json& change, const char* expected, bool dropTable = false) {
        SyntheticCheckpoint ck = onePositionTerm("c2p", 1.0f, 4, 16);
        ck.config.update(change);
        if (dropTable) ck.tensors.erase("deberta.encoder.rel_embeddings.weight");
        try {
            openWritten(ck, tmp, "refused");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(expected) != std::string::npos, e.what());
            return;
        }
        QFAIL(qPrintable(QString("no error for ") + expected));
    };
    refused({{"conv_kernel_size", 3}}, "conv_kernel_size");
    refused({{"pos_att_type", {"c2p", "p2p"}}}, "'p2p'");
    refused({{"pooler_hidden_act", "tanh"}}, "pooler_hidden_act");
    refused(nlohmann::json::object(), "encoder.rel_embeddings.weight", true);
    refused({{"pos_att_type", {"c2p", "p2c"}}}, "pos_query_proj");  // p2c needs its projection
}

QTEST_GUILESS_MAIN(DebertaTest)
#include "test_deberta.moc"
