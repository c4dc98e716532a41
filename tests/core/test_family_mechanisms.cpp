// The decoder families added as table entries (Qwen 3, Gemma 1/2/3, Phi-3, OLMo 2, SmolLM3),
// before transformers fixtures exist for them: their checkpoints' names, a forward pass's
// invariants, and equivalences between two spellings of one model (the same weights written
// for two families), which fail if a mechanism is computed wrongly on either side.
#include <QtTest>

#include <cmath>
#include <set>

#include "ModelRuns.h"
#include "SyntheticCheckpoints.h"
#include "model/Checkpoint.h"

using namespace attnscope;
namespace fs = std::filesystem;
using fixtures::maxDiff;
using fixtures::SyntheticCheckpoint;
using fixtures::SyntheticTensor;

namespace {

const std::vector<int> kIds{3, 17, 42, 9, 5, 33, 60, 21};
constexpr double kSame = 1e-5;     // two spellings of one model agree to float rounding
constexpr double kChanged = 1e-3;  // a mechanism that matters moves attention by far more

fs::path folder(const QTemporaryDir& tmp, const std::string& name) { return fs::path(tmp.path().toStdString()) / name; }

std::string layer(int l, const std::string& rest) { return "layers." + std::to_string(l) + "." + rest; }

// Rows of several [rows, width] tensors one after another, as a fused projection stores them.
SyntheticTensor concatRows(const std::vector<const SyntheticTensor*>& parts) {
    SyntheticTensor out{{0, parts.front()->rowWidth()}, {}};
    for (const SyntheticTensor* p : parts) {
        out.shape[0] += p->rows();
        out.values.insert(out.values.end(), p->values.begin(), p->values.end());
    }
    return out;
}

// Every name a checkpoint of this family stores for 2 layers, as transformers' modules name
// them (written out from the modeling files, not from the family table).
std::set<std::string> transformersNames(const std::string& prefix, const std::vector<std::string>& perLayer, bool lmHead) {
    std::set<std::string> names{prefix + "embed_tokens.weight", prefix + "norm.weight"};
    for (int l = 0; l < 2; ++l)
        for (const std::string& n : perLayer) names.insert(prefix + layer(l, n + ".weight"));
    if (lmHead) names.insert("lm_head.weight");
    return names;
}

const std::vector<std::string> kLlamaAttention{"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj"};
const std::vector<std::string> kLlamaMlp{"mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"};

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

class FamilyMechanismsTest : public QObject {
    Q_OBJECT
private slots:
    void checkpointNamesAreTransformers_data();
    void checkpointNamesAreTransformers();
    void eachFamilyRunsCausallyWithinItsWindows_data();
    void eachFamilyRunsCausallyWithinItsWindows();
    void phi3FusedProjectionsEqualLlamasSplitOnes();
    void gemmaEqualsLlamaWithItsScalesFolded();
    void gemma2QueryScalarEqualsScaledQueries_data();
    void gemma2QueryScalarEqualsScaledQueries();
    void gemma3SlidingLayersRotateWithTheLocalBase();
    void smollm3NoRopeLayersSkipOnlyTheirRotation();
    void gemma3MultimodalEqualsItsTextModel();
};

void FamilyMechanismsTest::checkpointNamesAreTransformers_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<int>("qNormWidth");  // 0: no q_norm
    const auto row = [](const char* family, const std::set<std::string>& names, int qNormWidth) {
        QStringList list;
        for (const auto& n : names) list << QString::fromStdString(n);
        QTest::newRow(family) << QString(family) << list << qNormWidth;
    };
    const std::vector<std::string> llamaNorms{"input_layernorm", "post_attention_layernorm"};
    const std::vector<std::string> sandwich{"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                                            "post_feedforward_layernorm"};
    const std::vector<std::string> qkNorms{"self_attn.q_norm", "self_attn.k_norm"};
    row("qwen3", transformersNames("model.", llamaNorms + kLlamaAttention + qkNorms + kLlamaMlp, true), 8);
    row("gemma", transformersNames("model.", llamaNorms + kLlamaAttention + kLlamaMlp, false), 0);
    row("gemma2", transformersNames("model.", sandwich + kLlamaAttention + kLlamaMlp, false), 0);
    row("gemma3_text", transformersNames("model.", sandwich + kLlamaAttention + qkNorms + kLlamaMlp, false), 8);
    row("gemma3", transformersNames("model.language_model.", sandwich + kLlamaAttention + qkNorms + kLlamaMlp, false), 8);
    row("phi3", transformersNames("model.", llamaNorms + std::vector<std::string>{"self_attn.qkv_proj", "self_attn.o_proj",
                                                                                 "mlp.gate_up_proj", "mlp.down_proj"},
                                  true),
        0);
    // OLMo 2: no input norms; the q/k norms span the whole projection (Olmo2RMSNorm(heads * head_dim)).
    row("olmo2", transformersNames("model.", std::vector<std::string>{"post_attention_layernorm", "post_feedforward_layernorm"} +
                                                 kLlamaAttention + qkNorms + kLlamaMlp,
                                   true),
        32);
    row("smollm3", transformersNames("model.", llamaNorms + kLlamaAttention + kLlamaMlp, true), 0);
}

// What the family table asks a checkpoint for is what transformers' modules store, and the
// q norm has the width transformers gives it.
void FamilyMechanismsTest::checkpointNamesAreTransformers() {
    QFETCH(QString, family);
    QFETCH(QStringList, expected);
    QFETCH(int, qNormWidth);
    const SyntheticCheckpoint ck = fixtures::synthesize(fixtures::tinyConfig(family.toStdString()));
    QStringList names;
    for (const auto& [name, t] : ck.tensors) names << QString::fromStdString(name);
    QCOMPARE(names, expected);
    for (const auto& [name, t] : ck.tensors)
        if (name.ends_with("q_norm.weight")) QCOMPARE(int(t.shape.at(0)), qNormWidth);
}

void FamilyMechanismsTest::eachFamilyRunsCausallyWithinItsWindows_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QList<int>>("windows");  // per layer: 0 = full attention
    QTest::newRow("qwen3") << "qwen3" << QList<int>{0, 3};        // sliding from max_window_layers (1) on
    QTest::newRow("gemma") << "gemma" << QList<int>{0, 0};
    QTest::newRow("gemma2") << "gemma2" << QList<int>{3, 0};      // every other layer, the first sliding
    QTest::newRow("gemma3_text") << "gemma3_text" << QList<int>{3, 0};  // layer_types
    QTest::newRow("gemma3") << "gemma3" << QList<int>{3, 0};      // layer_types of text_config
    QTest::newRow("phi3") << "phi3" << QList<int>{0, 0};
    QTest::newRow("olmo2") << "olmo2" << QList<int>{0, 0};
    QTest::newRow("smollm3") << "smollm3" << QList<int>{0, 3};    // the layer without RoPE
}

// A forward pass of every new family: each attention row a distribution over the keys it may
// see (none after the query, none beyond a sliding layer's window, every one inside), finite
// logits and hidden states, and a causal LM that can generate and be read with the lens.
void FamilyMechanismsTest::eachFamilyRunsCausallyWithinItsWindows() {
    QFETCH(QString, family);
    QFETCH(QList<int>, windows);
    QTemporaryDir tmp;
    const auto dir = fixtures::synthesize(fixtures::tinyConfig(family.toStdString())).write(folder(tmp, "m"));
    const auto cp = Checkpoint::open(dir);
    QVERIFY(cp->capabilities().canGenerate);
    QVERIFY(cp->capabilities().hasLogitLens);
    QCOMPARE(QList<int>(cp->config().layerWindow.begin(), cp->config().layerWindow.end()), windows);

    ForwardInput in;
    in.ids = kIds;
    const auto result = cp->forward(in);
    const AttentionStack& a = result->record.attention();
    const int n = int(kIds.size());
    QCOMPARE(a.queries, n);
    for (int l = 0; l < a.layers; ++l)
        for (int h = 0; h < a.heads; ++h)
            for (int q = 0; q < n; ++q) {
                const int w = windows[l], first = w > 0 ? std::max(0, q - w + 1) : 0;
                double sum = 0;
                for (int k = 0; k < n; ++k) {
                    const float p = a.at(l, h, q, k);
                    const QString where = QString("layer %1 head %2 query %3 key %4: %5").arg(l).arg(h).arg(q).arg(k).arg(p);
                    sum += p;
                    if (k > q || k < first) QVERIFY2(p == 0.0f, qPrintable(where));  // exactly, as softmax of -inf gives
                    else QVERIFY2(p > 0.0f, qPrintable(where));
                }
                QVERIFY(std::abs(sum - 1.0) < 1e-5);
            }
    const RowMatrix& logits = result->record.logits;
    QCOMPARE(logits.rows(), Eigen::Index(n));
    QCOMPARE(logits.cols(), Eigen::Index(64));
    QVERIFY(logits.allFinite());
    QCOMPARE(result->lastHiddenState.cols(), Eigen::Index(32));
    QVERIFY(result->lastHiddenState.allFinite());
}

// Phi-3's qkv_proj is q, k and v's rows one after another, and gate_up_proj is the gate's rows
// then up's (Phi3MLP: gate, up = gate_up_proj(x).chunk(2); up * act(gate)): the same weights
// split as LLaMA stores them give the same model.
void FamilyMechanismsTest::phi3FusedProjectionsEqualLlamasSplitOnes() {
    QTemporaryDir tmp;
    const SyntheticCheckpoint llama = fixtures::synthesize(fixtures::tinyConfig("llama"));
    SyntheticCheckpoint phi3 = fixtures::respell(llama, fixtures::tinyConfig("phi3"));
    for (int l = 0; l < 2; ++l) {
        const auto w = [&](const std::string& module) { return &llama.tensors.at("model." + layer(l, module + ".weight")); };
        phi3.tensors["model." + layer(l, "self_attn.qkv_proj.weight")] =
            concatRows({w("self_attn.q_proj"), w("self_attn.k_proj"), w("self_attn.v_proj")});
        phi3.tensors["model." + layer(l, "mlp.gate_up_proj.weight")] = concatRows({w("mlp.gate_proj"), w("mlp.up_proj")});
    }
    const auto a = fixtures::runModel(llama.write(folder(tmp, "llama")), kIds);
    const auto b = fixtures::runModel(phi3.write(folder(tmp, "phi3")), kIds);
    QVERIFY2(maxDiff(a.attention, b.attention) <= kSame, qPrintable(QString::number(maxDiff(a.attention, b.attention))));
    QVERIFY2(maxDiff(a.logits, b.logits) <= kSame, qPrintable(QString::number(maxDiff(a.logits, b.logits))));
}

// Gemma is LLaMA with three scales folded in: (1 + w) norms, embeddings times
// float32(sqrt(hidden)) while the tied head reads the unscaled table, and a gelu_pytorch_tanh
// gate. LLaMA given 1 + w, the pre-scaled table and the original table as its lm_head must
// agree; so must a Gemma config that leaves hidden_act to GemmaConfig's default.
void FamilyMechanismsTest::gemmaEqualsLlamaWithItsScalesFolded() {
    QTemporaryDir tmp;
    const SyntheticCheckpoint gemma = fixtures::synthesize(fixtures::tinyConfig("gemma"));
    auto llamaConfig = fixtures::tinyConfig("llama");
    llamaConfig["hidden_act"] = "gelu_pytorch_tanh";
    SyntheticCheckpoint llama = fixtures::respell(gemma, llamaConfig);
    for (auto& [name, t] : llama.tensors)
        if (name.ends_with("norm.weight"))
            for (float& v : t.values) v = 1.0f + v;
    const SyntheticTensor& table = gemma.tensors.at("model.embed_tokens.weight");
    llama.tensors["lm_head.weight"] = table;
    const float scale = static_cast<float>(std::sqrt(32.0));
    for (float& v : llama.at("model.embed_tokens.weight").values) v *= scale;

    const auto g = fixtures::runModel(gemma.write(folder(tmp, "gemma")), kIds);
    const auto l = fixtures::runModel(llama.write(folder(tmp, "llama")), kIds);
    QVERIFY2(maxDiff(g.attention, l.attention) <= kSame, qPrintable(QString::number(maxDiff(g.attention, l.attention))));
    QVERIFY2(maxDiff(g.logits, l.logits) <= kSame, qPrintable(QString::number(maxDiff(g.logits, l.logits))));
    QVERIFY(maxDiff(g.hiddenStates, l.hiddenStates) <= kSame * 10);  // the residual stream is sqrt(32) larger than the logits' inputs

    SyntheticCheckpoint defaults = gemma;
    defaults.config.erase("hidden_act");
    const auto d = fixtures::runModel(defaults.write(folder(tmp, "gemma-defaults")), kIds);
    QCOMPARE(maxDiff(d.logits, g.logits), 0.0);
}

void FamilyMechanismsTest::gemma2QueryScalarEqualsScaledQueries_data() {
    QTest::addColumn<QVariant>("softcap");  // attn_logit_softcapping: null or a number
    QTest::newRow("no softcap") << QVariant();
    QTest::newRow("softcap 4") << QVariant(4.0);
}

// Gemma 2 scales scores by query_pre_attn_scalar^-0.5, not head_dim^-0.5: with the scalar s,
// the model equals one whose scalar is head_dim and whose queries are sqrt(head_dim / s) larger.
// With soft-capping too, as the cap applies to the scaled scores (eager_attention_forward:
// scores * scaling, then cap * tanh(scores / cap)); capping before the scale would differ.
void FamilyMechanismsTest::gemma2QueryScalarEqualsScaledQueries() {
    QFETCH(QVariant, softcap);
    QTemporaryDir tmp;
    auto config = fixtures::tinyConfig("gemma2");
    config["attn_logit_softcapping"] = softcap.isValid() ? nlohmann::json(softcap.toDouble()) : nlohmann::json(nullptr);
    config["final_logit_softcapping"] = nullptr;
    config["query_pre_attn_scalar"] = 5;
    const SyntheticCheckpoint scalar = fixtures::synthesize(config);
    SyntheticCheckpoint byHeadDim = scalar;
    byHeadDim.config["query_pre_attn_scalar"] = 8;
    const auto plain = fixtures::runModel(byHeadDim.write(folder(tmp, "plain")), kIds);
    for (int l = 0; l < 2; ++l) {
        SyntheticTensor& q = byHeadDim.at("model." + layer(l, "self_attn.q_proj.weight"));
        q.scaleRows(0, q.rows(), static_cast<float>(std::sqrt(8.0 / 5.0)));
    }
    const auto a = fixtures::runModel(scalar.write(folder(tmp, "scalar")), kIds);
    const auto b = fixtures::runModel(byHeadDim.write(folder(tmp, "scaled")), kIds);
    QVERIFY2(maxDiff(a.attention, b.attention) <= kSame, qPrintable(QString::number(maxDiff(a.attention, b.attention))));
    QVERIFY2(maxDiff(a.logits, b.logits) <= kSame, qPrintable(QString::number(maxDiff(a.logits, b.logits))));
    QVERIFY(maxDiff(a.attention, plain.attention) > kChanged);  // and the scalar matters
}

// Gemma 3's sliding layers rotate with their own base: rope_local_base_freq (transformers 4's
// spelling) means rope_parameters.sliding_attention.rope_theta (5's), and the full layers keep
// rope_theta. Changing the global base leaves the sliding layer 0 alone; changing the local
// one does not.
void FamilyMechanismsTest::gemma3SlidingLayersRotateWithTheLocalBase() {
    QTemporaryDir tmp;
    const SyntheticCheckpoint legacy = fixtures::synthesize(fixtures::tinyConfig("gemma3_text"));  // local 1e4, global 1e6
    SyntheticCheckpoint nested = legacy;
    nested.config.erase("rope_local_base_freq");
    nested.config["rope_parameters"] = {{"sliding_attention", {{"rope_type", "default"}, {"rope_theta", 10000.0}}},
                                        {"full_attention", {{"rope_type", "default"}, {"rope_theta", 1000000.0}}}};
    SyntheticCheckpoint global = legacy, local = legacy;
    global.config["rope_parameters"]["rope_theta"] = 10000.0;
    local.config["rope_local_base_freq"] = 1000000.0;
    const auto l = fixtures::runModel(legacy.write(folder(tmp, "legacy")), kIds);
    QCOMPARE(maxDiff(l.attention, fixtures::runModel(nested.write(folder(tmp, "nested")), kIds).attention), 0.0);
    const auto g = fixtures::runModel(global.write(folder(tmp, "global")), kIds);
    QCOMPARE(fixtures::layerDiff(l.attention, g.attention, 0), 0.0);
    QVERIFY(fixtures::layerDiff(l.attention, g.attention, 1) > kChanged);
    QVERIFY(fixtures::layerDiff(l.attention, fixtures::runModel(local.write(folder(tmp, "local")), kIds).attention, 0) > kChanged);
}

// SmolLM3 is LLaMA whose layers marked 0 in no_rope_layers skip RoPE: all 1 is LLaMA; [1, 0]
// leaves layer 0 as it was and changes layer 1. Without the list every fourth layer skips it.
void FamilyMechanismsTest::smollm3NoRopeLayersSkipOnlyTheirRotation() {
    QTemporaryDir tmp;
    auto config = fixtures::tinyConfig("smollm3");
    config["use_sliding_window"] = false;
    config["no_rope_layers"] = {1, 1};
    const SyntheticCheckpoint smol = fixtures::synthesize(config);
    const auto llama = fixtures::runModel(fixtures::respell(smol, fixtures::tinyConfig("llama")).write(folder(tmp, "llama")), kIds);
    const auto allRope = fixtures::runModel(smol.write(folder(tmp, "all-rope")), kIds);
    QVERIFY(maxDiff(llama.attention, allRope.attention) <= kSame);
    QVERIFY(maxDiff(llama.logits, allRope.logits) <= kSame);

    SyntheticCheckpoint noRope = smol;
    noRope.config["no_rope_layers"] = {1, 0};
    const auto second = fixtures::runModel(noRope.write(folder(tmp, "no-rope-1")), kIds);
    QVERIFY(fixtures::layerDiff(llama.attention, second.attention, 0) <= kSame);
    QVERIFY(fixtures::layerDiff(llama.attention, second.attention, 1) > kChanged);

    auto four = config;
    four.erase("no_rope_layers");
    four["num_hidden_layers"] = 4;
    const auto c = ModelConfig::fromJson(four, "config.json");
    QVERIFY(c.layerRope == (std::vector<int>{0, 0, 0, -1}));
}

// A Gemma 3 multimodal checkpoint's language model is the Gemma 3 text model of its
// text_config, with weights under model.language_model. (or language_model.model. in older
// conversions); keys the nested config leaves out take Gemma3TextConfig's defaults.
void FamilyMechanismsTest::gemma3MultimodalEqualsItsTextModel() {
    QTemporaryDir tmp;
    const SyntheticCheckpoint multimodal = fixtures::synthesize(fixtures::tinyConfig("gemma3"));
    const SyntheticCheckpoint text = fixtures::respell(multimodal, fixtures::tinyConfig("gemma3_text"));
    QVERIFY(text.tensors.count("model.embed_tokens.weight"));
    const auto m = fixtures::runModel(multimodal.write(folder(tmp, "multimodal")), kIds);
    const auto t = fixtures::runModel(text.write(folder(tmp, "text")), kIds);
    QCOMPARE(maxDiff(m.attention, t.attention), 0.0);
    QCOMPARE(maxDiff(m.logits, t.logits), 0.0);

    SyntheticCheckpoint older = multimodal;
    older.movePrefix("model.language_model.", "language_model.model.");
    QCOMPARE(maxDiff(fixtures::runModel(older.write(folder(tmp, "older")), kIds).logits, t.logits), 0.0);

    // Diffed text_config: query_pre_attn_scalar 256 and rms_norm_eps 1e-6 are the defaults.
    SyntheticCheckpoint diffed = multimodal;
    diffed.config["text_config"].erase("query_pre_attn_scalar");
    diffed.config["text_config"].erase("rms_norm_eps");
    SyntheticCheckpoint explicitText = text;
    explicitText.config["query_pre_attn_scalar"] = 256;
    const auto d = fixtures::runModel(diffed.write(folder(tmp, "diffed")), kIds);
    const auto e = fixtures::runModel(explicitText.write(folder(tmp, "explicit")), kIds);
    QCOMPARE(maxDiff(d.attention, e.attention), 0.0);
    QVERIFY(maxDiff(d.attention, t.attention) > kChanged);
}

QTEST_APPLESS_MAIN(FamilyMechanismsTest)
#include "test_family_mechanisms.moc"
