// ModernBERT before a transformers fixture exists for it (parity waits for a device machine):
// its local layers see exactly the keys within half of local_attention on either side, every
// third layer from layer 0 is global, each layer type rotates with its own base, the config
// layouts of transformers 4 and 5 read the same, layer 0 has no attention norm, and the
// masked-LM head reads the tied embeddings.
#include <QtTest>

#include <cmath>

#include "Error.h"
#include "GoldenFixtures.h"
#include "SyntheticCheckpoints.h"
#include "model/Checkpoint.h"

using namespace attnscope;
namespace fs = std::filesystem;
using fixtures::SyntheticCheckpoint;

namespace {

std::vector<int> ids() {
    std::vector<int> v;
    for (int i = 0; i < 12; ++i) v.push_back((i * 7 + 3) % 60);
    return v;
}

// transformers 5's layout: layer_types and one rope_parameters entry per type.
nlohmann::json config(int localAttention = 4, double localTheta = 10.0) {
    return {{"model_type", "modernbert"},
            {"architectures", {"ModernBertForMaskedLM"}},
            {"vocab_size", 64},
            {"hidden_size", 32},
            {"intermediate_size", 24},
            {"num_hidden_layers", 4},
            {"num_attention_heads", 4},
            {"hidden_activation", "gelu"},
            {"max_position_embeddings", 64},
            {"norm_eps", 1e-5},
            {"norm_bias", false},
            {"attention_bias", false},
            {"mlp_bias", false},
            {"local_attention", localAttention},
            {"layer_types", {"full_attention", "sliding_attention", "sliding_attention", "full_attention"}},
            {"rope_parameters",
             {{"full_attention", {{"rope_type", "default"}, {"rope_theta", 160000.0}}},
              {"sliding_attention", {{"rope_type", "default"}, {"rope_theta", localTheta}}}}},
            {"pad_token_id", 0},
            {"tie_word_embeddings", true}};
}

// A checkpoint as ModernBertForMaskedLM stores it: no attention norm on layer 0, the head's
// dense layer without a bias, the decoder tied (only its bias stored).
SyntheticCheckpoint checkpoint(const nlohmann::json& cfg) {
    SyntheticCheckpoint ck = fixtures::synthesize(cfg);
    ck.tensors.erase("model.layers.0.attn_norm.weight");
    const auto random = [](const std::string& key, std::size_t n) { return fixtures::synthetic::values(key, n, 0.0f); };
    ck.tensors["head.dense.weight"] = {{32, 32}, random("head.dense", 32 * 32)};
    ck.tensors["head.norm.weight"] = {{32}, fixtures::synthetic::values("head.norm", 32, 1.0f)};
    ck.tensors["decoder.bias"] = {{64}, random("decoder.bias", 64)};
    return ck;
}

std::unique_ptr<Checkpoint> open(const SyntheticCheckpoint& ck, const QTemporaryDir& tmp, const std::string& name) {
    return Checkpoint::open(ck.write(fs::path(tmp.path().toStdString()) / name));
}

std::vector<float> layerMap(const AttentionStack& s, int layer, int head) {
    std::vector<float> map(s.mapSize());
    s.copyMap(layer, head, map.data());
    return map;
}

}  // namespace

class ModernBertTest : public QObject {
    Q_OBJECT
private slots:
    void localLayersSeeHalfTheSpanOnEachSide();
    void layerTypesFollowTheEveryNRule();
    void eachLayerTypeRotatesWithItsOwnBase();
    void transformers4ConfigsReadTheSame();
    void headIsTiedToTheEmbeddings();
};

void ModernBertTest::localLayersSeeHalfTheSpanOnEachSide() {
    QTemporaryDir tmp;
    const auto cp = open(checkpoint(config()), tmp, "mb");
    QCOMPARE(cp->config().layerWindow, (std::vector<int>{0, 3, 3, 0}));
    ForwardInput in;
    in.ids = ids();
    const auto r = cp->forward(in);
    const AttentionStack& a = r->record.attention();
    const int n = a.queries;
    for (int layer = 0; layer < 4; ++layer)
        for (int h = 0; h < a.heads; ++h) {
            const std::vector<float> m = layerMap(a, layer, h);
            for (int q = 0; q < n; ++q)
                for (int k = 0; k < n; ++k) {
                    const bool local = layer == 1 || layer == 2;
                    const float w = m[std::size_t(q * n + k)];
                    if (local && std::abs(q - k) > 2) QCOMPARE(w, 0.0f);  // local_attention 4: at most 2 away
                    else QVERIFY2(w > 0.0f, qPrintable(QString("layer %1 q %2 k %3").arg(layer).arg(q).arg(k)));
                }
        }
}

// Without layer_types: every third layer from layer 0 is global (global_attn_every_n_layers).
void ModernBertTest::layerTypesFollowTheEveryNRule() {
    nlohmann::json cfg = config();
    cfg.erase("layer_types");
    cfg["num_hidden_layers"] = 7;
    QCOMPARE(ModelConfig::fromJson(cfg, "config.json").layerWindow, (std::vector<int>{0, 3, 3, 0, 3, 3, 0}));
    cfg["global_attn_every_n_layers"] = 2;
    QCOMPARE(ModelConfig::fromJson(cfg, "config.json").layerWindow, (std::vector<int>{0, 3, 0, 3, 0, 3, 0}));
    cfg["local_attention"] = 128;
    QCOMPARE(ModelConfig::fromJson(cfg, "config.json").layerWindow[1], 65);
}

// With a span wider than the text and both bases equal, local and global layers are the same
// maths; with the local base changed, only the local layers move.
void ModernBertTest::eachLayerTypeRotatesWithItsOwnBase() {
    QTemporaryDir tmp;
    ForwardInput in;
    in.ids = ids();
    const auto same = open(checkpoint(config(64, 160000.0)), tmp, "same")->forward(in);
    nlohmann::json allGlobal = config(64, 160000.0);
    allGlobal["layer_types"] = {"full_attention", "full_attention", "full_attention", "full_attention"};
    const auto global = open(checkpoint(allGlobal), tmp, "global")->forward(in);
    QVERIFY(fixtures::maxAbsDiff(same->record.attention().toFloat32(), global->record.attention().toFloat32()) <= 1e-6);
    const auto local = open(checkpoint(config(64, 10.0)), tmp, "local")->forward(in);
    const AttentionStack &a = same->record.attention(), &b = local->record.attention();
    QVERIFY(fixtures::maxAbsDiff(layerMap(a, 0, 0), layerMap(b, 0, 0)) == 0.0);  // layer 0 is global and first
    QVERIFY(fixtures::maxAbsDiff(layerMap(a, 1, 0), layerMap(b, 1, 0)) > 1e-3);
}

// Transformers 4's ModernBERT configs: global_attn_every_n_layers and the bases as keys.
void ModernBertTest::transformers4ConfigsReadTheSame() {
    QTemporaryDir tmp;
    nlohmann::json old = config();
    old.erase("layer_types");
    old.erase("rope_parameters");
    old["global_attn_every_n_layers"] = 3;
    old["global_rope_theta"] = 160000.0;
    old["local_rope_theta"] = 10.0;
    nlohmann::json v5 = config();
    v5["layer_types"] = {"full_attention", "sliding_attention", "sliding_attention", "full_attention"};
    ForwardInput in;
    in.ids = ids();
    const auto a = open(checkpoint(old), tmp, "v4")->forward(in);
    const auto b = open(checkpoint(v5), tmp, "v5")->forward(in);
    QCOMPARE(fixtures::maxAbsDiff(a->record.attention().toFloat32(), b->record.attention().toFloat32()), 0.0);
    // The defaults when neither is given: 160000 and 10000.
    old.erase("global_rope_theta");
    old.erase("local_rope_theta");
    const ModelConfig c = ModelConfig::fromJson(old, "config.json");
    QCOMPARE(c.ropes.size(), std::size_t{2});
    QCOMPARE(c.ropes[0].theta, 160000.0);
    QCOMPARE(c.ropes[1].theta, 10000.0);
}

void ModernBertTest::headIsTiedToTheEmbeddings() {
    QTemporaryDir tmp;
    SyntheticCheckpoint ck = checkpoint(config());
    const auto cp = open(ck, tmp, "mlm");
    QCOMPARE(cp->capabilities().predictions, PredictionKind::MaskedToken);
    ForwardInput in;
    in.ids = ids();
    const auto r = cp->forward(in);
    QCOMPARE(r->record.logits.rows(), Eigen::Index(12));
    QCOMPARE(r->record.logits.cols(), Eigen::Index(64));
    // The decoder reads the token embeddings: scaling them scales the logits' spread.
    for (float& v : ck.at("model.embeddings.tok_embeddings.weight").values) v *= 2.0f;
    const auto scaled = open(ck, tmp, "scaled")->forward(in);
    QVERIFY(((scaled->record.logits - r->record.logits).cwiseAbs().maxCoeff()) > 1e-3f);
    // A bias-free base model has no head; norm_bias true needs the biases.
    SyntheticCheckpoint base = checkpoint(config());
    for (const char* t : {"head.dense.weight", "head.norm.weight", "decoder.bias"}) base.tensors.erase(t);
    QCOMPARE(open(base, tmp, "base")->capabilities().head, HeadKind::None);
    nlohmann::json biased = config();
    biased["norm_bias"] = true;
    SyntheticCheckpoint missing = checkpoint(config());
    missing.config = biased;
    try {
        open(missing, tmp, "missing");
        QFAIL("opened without the norms' biases");
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find("norm.bias") != std::string::npos, e.what());
    }
}

QTEST_APPLESS_MAIN(ModernBertTest)
#include "test_modernbert.moc"
