// Properties that pin each new block mechanism without a reference: the scope of q/k norms
// (per head or over the whole projection), norms on a sublayer's output, soft-capping of
// scores and logits, which layers slide; generation through the key/value cache and the
// logit lens for every decoder; and the one-line error a bad checkpoint of each kind gives.
#include <QtTest>

#include <cmath>

#include "ErrorText.h"
#include "ModelRuns.h"
#include "SyntheticCheckpoints.h"
#include "analysis/Generation.h"
#include "analysis/LogitLens.h"
#include "model/Checkpoint.h"

using namespace attnscope;
namespace fs = std::filesystem;
using fixtures::maxDiff;
using fixtures::SyntheticCheckpoint;

namespace {

const std::vector<int> kIds{3, 17, 42, 9, 5, 33, 60, 21};
// Rescaling what an RMSNorm normalises changes only eps's share of its mean square. With the
// usual eps (1e-6) against the smallest mean squares here (about 0.02, an OLMo 2 attention
// output) that share moves hidden states of size 5 by 6e-5; with eps 1e-9 it is below float
// rounding, and what is left is rounding: a few 1e-6.
constexpr double kNormInvariant = 1e-5;
constexpr double kChanged = 1e-3;

nlohmann::json tinyEpsConfig(const QString& family) {
    auto config = fixtures::tinyConfig(family.toStdString());
    config["rms_norm_eps"] = 1e-9;
    return config;
}

fs::path folder(const QTemporaryDir& tmp, const std::string& name) { return fs::path(tmp.path().toStdString()) / name; }
std::string name(int l, const std::string& module) { return "model.layers." + std::to_string(l) + "." + module + ".weight"; }

// The checkpoint of `ck` with `module`'s rows [first, first + count) times `factor` in every layer.
SyntheticCheckpoint scaled(SyntheticCheckpoint ck, const std::string& module, int first, int count, float factor) {
    for (int l = 0; l < 2; ++l) {
        auto& t = ck.at(name(l, module));
        t.scaleRows(first, count < 0 ? t.rows() : count, factor);
    }
    return ck;
}

fixtures::ModelRun run(const QTemporaryDir& tmp, const SyntheticCheckpoint& ck, const std::string& as) {
    return fixtures::runModel(ck.write(folder(tmp, as)), kIds);
}

// A decoder to generate with: a golden checkpoint, or a new family's synthetic one in `tmp`.
fs::path decoderFolder(const QString& family, const QTemporaryDir& tmp) {
    const std::string f = family.toStdString();
    if (f == "gpt2" || f == "llama" || f == "gpt_neo" || f == "gpt_neox") return fixtures::goldenDir() / f / "model";
    return fixtures::synthesize(fixtures::tinyConfig(f)).write(folder(tmp, f));
}

void addDecoderRows() {
    QTest::addColumn<QString>("family");
    for (const char* f : {"qwen3", "gemma", "gemma2", "gemma3_text", "gemma3", "phi3", "olmo2", "smollm3", "gpt2", "llama", "gpt_neo",
                          "gpt_neox"})
        QTest::newRow(f) << QString(f);
}

}  // namespace

class FamilyPropertiesTest : public QObject {
    Q_OBJECT
private slots:
    void perHeadQkNormIgnoresOneHeadsScale_data();
    void perHeadQkNormIgnoresOneHeadsScale();
    void wholeProjectionQkNormIgnoresOnlyACommonScale();
    void qkNormsComeBeforeRope_data();
    void qkNormsComeBeforeRope();
    void outputNormsIgnoreTheSublayersScale_data();
    void outputNormsIgnoreTheSublayersScale();
    void tinyAttentionSoftcapFlattensEveryRow();
    void finalSoftcapIsTanhOfTheUncappedLogits();
    void multimodalGemma3LeavesItsLogitsUncapped();
    void slidingLayersFollowTheFamilysPattern();
    void greedyCachedStepsEqualFullForwardArgmax_data();
    void greedyCachedStepsEqualFullForwardArgmax();
    void logitLensLastLayerIsTheModelsLogits_data();
    void logitLensLastLayerIsTheModelsLogits();
    void badCheckpointsNameTheTensor_data();
    void badCheckpointsNameTheTensor();
};

void FamilyPropertiesTest::perHeadQkNormIgnoresOneHeadsScale_data() {
    QTest::addColumn<QString>("family");
    QTest::newRow("qwen3") << "qwen3";
    QTest::newRow("gemma3_text") << "gemma3_text";
}

// Qwen 3 and Gemma 3 normalise each head's query (and key) over its head_dim values before
// RoPE: one head's q_proj rows times 3, or one kv head's k_proj rows, change nothing. LLaMA,
// without the norms, is changed by it: the property is not vacuous.
void FamilyPropertiesTest::perHeadQkNormIgnoresOneHeadsScale() {
    QFETCH(QString, family);
    QTemporaryDir tmp;
    const SyntheticCheckpoint ck = fixtures::synthesize(tinyEpsConfig(family));
    const auto base = run(tmp, ck, "base");
    const auto q = run(tmp, scaled(ck, "self_attn.q_proj", 8, 8, 3.0f), "q-head-1");
    const auto k = run(tmp, scaled(ck, "self_attn.k_proj", 0, 8, 3.0f), "k-head-0");
    QVERIFY2(maxDiff(base.attention, q.attention) <= kNormInvariant, qPrintable(QString::number(maxDiff(base.attention, q.attention))));
    QVERIFY2(maxDiff(base.attention, k.attention) <= kNormInvariant, qPrintable(QString::number(maxDiff(base.attention, k.attention))));

    const SyntheticCheckpoint llama = fixtures::synthesize(fixtures::tinyConfig("llama"));
    QVERIFY(maxDiff(run(tmp, llama, "llama").attention, run(tmp, scaled(llama, "self_attn.q_proj", 8, 8, 3.0f), "llama-q").attention) >
            kChanged);
}

// OLMo 2 normalises q and k over the whole projection, before the split into heads: all of
// q_proj times 3 changes nothing, but one head's rows times 3 change every head's share of
// the norm. A per-head norm would pass the second case; a missing one would fail the first.
void FamilyPropertiesTest::wholeProjectionQkNormIgnoresOnlyACommonScale() {
    QTemporaryDir tmp;
    const SyntheticCheckpoint ck = fixtures::synthesize(tinyEpsConfig("olmo2"));
    const auto base = run(tmp, ck, "base");
    const auto all = run(tmp, scaled(ck, "self_attn.q_proj", 0, -1, 3.0f), "q-all");
    const auto allK = run(tmp, scaled(ck, "self_attn.k_proj", 0, -1, 3.0f), "k-all");
    const auto one = run(tmp, scaled(ck, "self_attn.q_proj", 8, 8, 3.0f), "q-head-1");
    QVERIFY2(maxDiff(base.attention, all.attention) <= kNormInvariant, qPrintable(QString::number(maxDiff(base.attention, all.attention))));
    QVERIFY(maxDiff(base.attention, allK.attention) <= kNormInvariant);
    QVERIFY(maxDiff(base.attention, one.attention) > kChanged);
}

void FamilyPropertiesTest::qkNormsComeBeforeRope_data() {
    QTest::addColumn<QString>("family");
    for (const char* f : {"qwen3", "gemma3_text", "olmo2"}) QTest::newRow(f) << QString(f);
}

// RoPE makes a score depend on positions only through their offset, so for one token repeated,
// layer 0's scores are a function of (key - query) and each row is the one before it shifted:
// p(t, s) / p(t, t) = p(t + 1, s + 1) / p(t + 1, t + 1). That holds with the q/k norms applied
// before RoPE, as transformers applies them; after it, their weights (which differ within a
// rotation pair) would tie the scores to absolute positions.
void FamilyPropertiesTest::qkNormsComeBeforeRope() {
    QFETCH(QString, family);
    QTemporaryDir tmp;
    auto config = fixtures::tinyConfig(family.toStdString());
    config["sliding_window"] = 4096;  // every row sees every earlier key
    const auto dir = fixtures::synthesize(config).write(folder(tmp, "m"));
    const auto r = fixtures::runModel(dir, std::vector<int>(8, 7));
    double worst = 0;
    for (int h = 0; h < r.attention.heads; ++h)
        for (int t = 0; t + 1 < 8; ++t)
            for (int s = 0; s <= t; ++s) {
                QVERIFY(r.attention.at(0, h, t, s) > 0.0f);
                const double now = std::log(r.attention.at(0, h, t, s) / r.attention.at(0, h, t, t));
                const double next = std::log(r.attention.at(0, h, t + 1, s + 1) / r.attention.at(0, h, t + 1, t + 1));
                worst = std::max(worst, std::abs(now - next));
            }
    QVERIFY2(worst <= 1e-4, qPrintable(QString::number(worst)));
}

void FamilyPropertiesTest::outputNormsIgnoreTheSublayersScale_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<bool>("normed");  // whether the sublayers' outputs are normalised
    QTest::newRow("gemma2") << "gemma2" << true;
    QTest::newRow("gemma3_text") << "gemma3_text" << true;
    QTest::newRow("olmo2") << "olmo2" << true;
    QTest::newRow("llama") << "llama" << false;
}

// Gemma 2/3 and OLMo 2 put an RMSNorm on the attention's and the MLP's output before the
// residual add: o_proj or down_proj times 3 leaves every hidden state as it was. LLaMA adds
// them unnormalised, so there the same change moves the residual stream.
void FamilyPropertiesTest::outputNormsIgnoreTheSublayersScale() {
    QFETCH(QString, family);
    QFETCH(bool, normed);
    QTemporaryDir tmp;
    const SyntheticCheckpoint ck = fixtures::synthesize(tinyEpsConfig(family));
    const auto base = run(tmp, ck, "base");
    for (const char* module : {"self_attn.o_proj", "mlp.down_proj"}) {
        const auto r = run(tmp, scaled(ck, module, 0, -1, 3.0f), module);
        const double diff = maxDiff(base.hiddenStates, r.hiddenStates);
        if (normed) QVERIFY2(diff <= kNormInvariant, qPrintable(QString("%1: %2").arg(module).arg(diff)));
        else QVERIFY2(diff > kChanged, qPrintable(QString("%1: %2").arg(module).arg(diff)));
    }
}

// Scores soft-capped at 1e-3 lie within +-1e-3 of each other: every row is uniform over the
// keys it may see (the window's on a sliding layer) to about 2e-3 relative.
void FamilyPropertiesTest::tinyAttentionSoftcapFlattensEveryRow() {
    QTemporaryDir tmp;
    SyntheticCheckpoint ck = fixtures::synthesize(fixtures::tinyConfig("gemma2"));
    const auto peaked = run(tmp, ck, "peaked");
    ck.config["attn_logit_softcapping"] = 1e-3;
    const auto flat = run(tmp, ck, "flat");
    const int n = int(kIds.size());
    double flatError = 0, peakedError = 0;
    for (int l = 0; l < 2; ++l)
        for (int h = 0; h < 4; ++h)
            for (int q = 0; q < n; ++q) {
                const int first = l == 0 ? std::max(0, q - 2) : 0;  // layer 0 slides with window 3
                const double uniform = 1.0 / (q - first + 1);
                for (int k = first; k <= q; ++k) {
                    flatError = std::max(flatError, std::abs(flat.attention.at(l, h, q, k) - uniform) / uniform);
                    peakedError = std::max(peakedError, std::abs(peaked.attention.at(l, h, q, k) - uniform) / uniform);
                }
            }
    QVERIFY2(flatError <= 3e-3, qPrintable(QString::number(flatError)));
    QVERIFY(peakedError > 0.1);
}

// Gemma 2's logits are c * tanh(raw / c): with final_logit_softcapping c they are bounded by c
// and equal that function of the same model's uncapped logits; attention is untouched.
void FamilyPropertiesTest::finalSoftcapIsTanhOfTheUncappedLogits() {
    QTemporaryDir tmp;
    SyntheticCheckpoint ck = fixtures::synthesize(fixtures::tinyConfig("gemma2"));
    ck.config["final_logit_softcapping"] = nullptr;
    const auto raw = run(tmp, ck, "raw");
    constexpr float cap = 0.5f;
    ck.config["final_logit_softcapping"] = cap;
    const auto capped = run(tmp, ck, "capped");
    QVERIFY(raw.logits.cwiseAbs().maxCoeff() > 2 * cap);  // the cap bites
    QVERIFY(capped.logits.cwiseAbs().maxCoeff() <= cap);
    const RowMatrix expected = ((raw.logits.array() / cap).tanh() * cap).matrix();
    QVERIFY2(maxDiff(capped.logits, expected) <= 1e-6, qPrintable(QString::number(maxDiff(capped.logits, expected))));
    QCOMPARE(maxDiff(raw.attention, capped.attention), 0.0);
}

// Gemma3ForCausalLM caps its logits with the text config's final_logit_softcapping;
// Gemma3ForConditionalGeneration's forward applies lm_head alone, whatever text_config says.
void FamilyPropertiesTest::multimodalGemma3LeavesItsLogitsUncapped() {
    QTemporaryDir tmp;
    SyntheticCheckpoint text = fixtures::synthesize(fixtures::tinyConfig("gemma3_text"));
    SyntheticCheckpoint multimodal = fixtures::respell(text, fixtures::tinyConfig("gemma3"));
    const auto raw = run(tmp, text, "raw");
    text.config["final_logit_softcapping"] = 0.5;
    multimodal.config["text_config"]["final_logit_softcapping"] = 0.5;
    QVERIFY(run(tmp, text, "text").logits.cwiseAbs().maxCoeff() <= 0.5f);
    QCOMPARE(maxDiff(run(tmp, multimodal, "multimodal").logits, raw.logits), 0.0);
}

// Without layer_types, Gemma 2 slides every other layer from the first, Gemma 3 five of each
// six. A sliding layer's first row equals the full-attention row restricted to its last
// `window` keys and renormalised (the scores are the same; only the mask differs).
void FamilyPropertiesTest::slidingLayersFollowTheFamilysPattern() {
    auto gemma2 = fixtures::tinyConfig("gemma2");
    gemma2["num_hidden_layers"] = 4;
    QVERIFY(ModelConfig::fromJson(gemma2, "config.json").layerWindow == (std::vector<int>{3, 0, 3, 0}));
    auto gemma3 = fixtures::tinyConfig("gemma3_text");
    gemma3.erase("layer_types");
    gemma3["num_hidden_layers"] = 7;
    QVERIFY(ModelConfig::fromJson(gemma3, "config.json").layerWindow == (std::vector<int>{3, 3, 3, 3, 3, 0, 3}));

    QTemporaryDir tmp;
    SyntheticCheckpoint ck = fixtures::synthesize(fixtures::tinyConfig("gemma2"));
    const auto windowed = run(tmp, ck, "windowed");
    ck.config["sliding_window"] = 4096;
    const auto full = run(tmp, ck, "full");
    for (int h = 0; h < 4; ++h)
        for (int q = 0; q < int(kIds.size()); ++q) {
            const int first = std::max(0, q - 2);
            double mass = 0;
            for (int k = first; k <= q; ++k) mass += full.attention.at(0, h, q, k);
            for (int k = first; k <= q; ++k)
                QVERIFY(std::abs(windowed.attention.at(0, h, q, k) - full.attention.at(0, h, q, k) / mass) <= 1e-5);
        }
    QVERIFY(maxDiff(windowed.attention, full.attention) > kChanged);
}

void FamilyPropertiesTest::greedyCachedStepsEqualFullForwardArgmax_data() { addDecoderRows(); }

// Greedy generation through the key/value cache: each step's logits equal the last row of a
// full forward pass over what was fed, and the token it picks is that row's argmax (or within
// float rounding of it). Prompt and steps stay under every RoPE threshold; windows of 3 (4
// for gpt_neo) are crossed, so the cache must mask what falls out of them.
void FamilyPropertiesTest::greedyCachedStepsEqualFullForwardArgmax() {
    QFETCH(QString, family);
    QTemporaryDir tmp;
    const auto cp = Checkpoint::open(decoderFolder(family, tmp));
    Generator g(cp->model(), {3, 17, 42, 9}, SamplingSettings{});
    for (int step = 0; step < 6; ++step) {
        const int picked = g.step();
        ForwardInput full;
        full.ids.assign(g.ids().begin(), g.ids().end() - 1);
        const auto reference = cp->forward(full);
        const RowMatrix last = reference->record.logits.bottomRows(1);
        const std::vector<float> row(last.data(), last.data() + last.size());
        QVERIFY2(fixtures::maxAbsDiff(g.lastLogits(), row) <= 1e-4, qPrintable(QString("step %1").arg(step)));
        Eigen::Index best = 0;
        last.row(0).maxCoeff(&best);
        QVERIFY2(picked == int(best) || last(0, best) - last(0, picked) <= 1e-5,
                 qPrintable(QString("step %1: picked %2, argmax %3").arg(step).arg(picked).arg(best)));
    }
}

void FamilyPropertiesTest::logitLensLastLayerIsTheModelsLogits_data() { addDecoderRows(); }

// The logit lens reads the residual stream after the last block through the final norm and
// the head (soft-capping included): that is the model's own prediction, and its top token.
void FamilyPropertiesTest::logitLensLastLayerIsTheModelsLogits() {
    QFETCH(QString, family);
    QTemporaryDir tmp;
    const auto cp = Checkpoint::open(decoderFolder(family, tmp));
    const auto result = fixtures::runModel(cp->model(), kIds);
    QCOMPARE(int(result.hiddenStates.size()), cp->config().layers);
    const RowMatrix lens = cp->model().logitsFromResidual(result.hiddenStates.back());
    QVERIFY2(maxDiff(lens, result.logits) <= 1e-5, qPrintable(QString::number(maxDiff(lens, result.logits))));
    QVERIFY(maxDiff(cp->model().logitsFromResidual(result.hiddenStates.front()), result.logits) > kChanged);

    const auto top = computeLogitLens(*cp, kIds, 1);
    QVERIFY(top);
    for (int pos = 0; pos < int(kIds.size()); ++pos) {
        Eigen::Index best = 0;
        result.logits.row(pos).maxCoeff(&best);
        QCOMPARE(top->at(top->layers - 1, pos)[0].id, int(best));
    }
}

void FamilyPropertiesTest::badCheckpointsNameTheTensor_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("expected");
    QTest::newRow("qwen3 without q_norm") << "qwen3" << "drop" << "missing tensor 'model.layers.0.self_attn.q_norm.weight'";
    QTest::newRow("gemma3 without k_norm") << "gemma3_text" << "drop" << "missing tensor 'model.layers.1.self_attn.k_norm.weight'";
    QTest::newRow("olmo2 q_norm per head") << "olmo2" << "per-head"
                                           << "tensor 'model.layers.0.self_attn.q_norm.weight' has shape [8], expected [32]";
    QTest::newRow("phi3 gate_up_proj half") << "phi3" << "half"
                                            << "tensor 'model.layers.0.mlp.gate_up_proj.weight' has shape [48, 32], expected [96, 32]";
    QTest::newRow("phi3 separate q/k/v") << "phi3" << "split" << "missing tensor 'model.layers.0.self_attn.qkv_proj.weight'";
    QTest::newRow("gemma2 without output norm") << "gemma2" << "drop"
                                                << "missing tensor 'model.layers.0.post_feedforward_layernorm.weight'";
    QTest::newRow("gemma3 unknown prefix") << "gemma3" << "prefix" << "missing tensor 'model.language_model.embed_tokens.weight'";
}

// A checkpoint that lacks a tensor the family needs, or stores one misshapen, or under no
// prefix the family knows, is refused with one line naming the file and the tensor.
void FamilyPropertiesTest::badCheckpointsNameTheTensor() {
    QFETCH(QString, family);
    QFETCH(QString, change);
    QFETCH(QString, expected);
    SyntheticCheckpoint ck = fixtures::synthesize(fixtures::tinyConfig(family.toStdString()));
    if (change == "drop") {
        const std::string gone = expected.section('\'', 1, 1).toStdString();
        QCOMPARE(ck.tensors.erase(gone), std::size_t(1));
    } else if (change == "per-head") {
        ck.at(name(0, "self_attn.q_norm")) = {{8}, std::vector<float>(8, 1.0f)};
    } else if (change == "half") {
        auto& t = ck.at(name(0, "mlp.gate_up_proj"));
        t = {{48, 32}, std::vector<float>(t.values.begin(), t.values.begin() + 48 * 32)};
    } else if (change == "split") {
        ck = fixtures::synthesize(fixtures::tinyConfig("llama"));  // q/k/v and gate/up as LLaMA stores them
        ck.config = fixtures::tinyConfig("phi3");
    } else if (change == "prefix") {
        ck.movePrefix("model.language_model.", "text_model.");
    }
    QTemporaryDir tmp;
    const auto dir = ck.write(folder(tmp, "bad"));
    const QString error = fixtures::errorOf([&] { Checkpoint::open(dir); });
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY2(error.contains("model.safetensors: "), qPrintable(error));  // and the file
    QVERIFY2(!error.contains('\n'), qPrintable(error));
}

QTEST_APPLESS_MAIN(FamilyPropertiesTest)
#include "test_family_properties.moc"
