// config.json as the new families write it, read as their transformers config classes read
// it: the RoPE layouts of transformers 4 (rope_theta, rope_scaling with "type") and 5
// (rope_parameters with "rope_type", per layer type for Gemma 3), layer types, windows,
// soft-caps, layers without RoPE, Gemma 3's nested text_config and its defaults, and the
// refusals. The configs are built here; the expectations come from the config classes
// (configuration_gemma/gemma2/gemma3/qwen3/phi3/smollm3.py and modeling_rope_utils.py).
#include <QtTest>

#include <cmath>

#include "ErrorText.h"
#include "model/ModelConfig.h"

using namespace attnscope;
using nlohmann::json;

namespace {

// A small decoder of `layers` layers: 2 heads of 16 (hidden 32), 1 kv head.
json decoder(const char* modelType, int layers = 2) {
    return {{"model_type", modelType},      {"num_hidden_layers", layers}, {"num_attention_heads", 2}, {"num_key_value_heads", 1},
            {"hidden_size", 32},            {"intermediate_size", 64},     {"vocab_size", 100},        {"max_position_embeddings", 64},
            {"head_dim", 16}};
}

// j with extra's keys set; a null in extra removes the key, leaving it to the config class's
// default (to write an explicit null, set it on the result).
json with(json j, const json& extra) {
    for (auto it = extra.begin(); it != extra.end(); ++it) {
        if (it->is_null()) j.erase(it.key());
        else j[it.key()] = *it;
    }
    return j;
}

ModelConfig read(const json& j) { return ModelConfig::fromJson(j, "config.json"); }
ModelConfig read(const QString& j) { return read(json::parse(j.toStdString())); }
QString refusalOf(const json& j) { return fixtures::errorOf([&] { read(j); }); }

// Every field of a RoPE, so two readings compare as one string and a difference shows.
QString fieldsOf(const RopeSpec* s) {
    if (!s) return "none";
    QStringList f;
    const auto list = [](const std::vector<double>& v) {
        QStringList out;
        for (const double x : v) out << QString::number(x, 'g', 17);
        return out.join(',');
    };
    f << ropeTypeName(s->type) << QString::number(s->theta, 'g', 17) << QString::number(s->fraction) << QString::number(s->rotaryDims)
      << QString::number(s->factor, 'g', 17) << QString::number(s->maxPositions) << QString::number(s->originalMaxPositions)
      << QString::number(s->lowFreqFactor) << QString::number(s->highFreqFactor) << QString::number(s->attentionFactor, 'g', 17)
      << QString::number(s->betaFast) << QString::number(s->betaSlow) << QString::number(s->truncate) << list(s->shortFactor)
      << list(s->longFactor);
    return f.join(' ');
}

// Per layer: the RoPE's theta (0 for none), as one string.
QString thetas(const ModelConfig& c) {
    QStringList out;
    for (int l = 0; l < c.layers; ++l) out << (c.ropeOf(l) ? QString::number(c.ropeOf(l)->theta, 'g', 10) : "0");
    return out.join(',');
}

std::vector<double> ones(int n, double v = 1.0) { return std::vector<double>(static_cast<std::size_t>(n), v); }

// Gemma 3's text model with 6 layers of head_dim 16 and a window of 8.
json gemma3Text(int layers = 6) { return with(decoder("gemma3_text", layers), {{"sliding_window", 8}}); }

}  // namespace

class FamilyConfigsTest : public QObject {
    Q_OBJECT
private slots:
    void ropeLayoutsOfTransformers4And5Agree_data();
    void ropeLayoutsOfTransformers4And5Agree();
    void ropeScalingWinsOverRopeParameters();
    void gemma3RopePerLayerType_data();
    void gemma3RopePerLayerType();
    void gemma3NestedEntriesTakeTheTopLevelBases();
    void gemma3LayerTypes_data();
    void gemma3LayerTypes();
    void gemma3MultimodalTextConfigDefaults();
    void gemma2WindowsAndCaps();
    void qwen3WindowAndHeadDim();
    void smollm3LayersWithoutRope();
    void phi3PartialRotaryAndLongRope();
    void refusalsNameTheKey_data();
    void refusalsNameTheKey();
};

void FamilyConfigsTest::ropeLayoutsOfTransformers4And5Agree_data() {
    QTest::addColumn<QString>("v4");
    QTest::addColumn<QString>("v5");
    QTest::addColumn<QString>("type");
    QTest::addColumn<double>("theta");
    // transformers 4: rope_theta at the top, rope_scaling naming its "type"; transformers 5:
    // rope_parameters naming its "rope_type" with rope_theta inside.
    const auto layouts = [](const char* name, const char* type, double theta, json params) {
        json v4 = with(decoder("llama"), {{"rope_theta", theta}});
        json scaling = params;
        scaling["type"] = type;
        v4["rope_scaling"] = scaling;
        json v5 = decoder("llama");
        params["rope_type"] = type;
        params["rope_theta"] = theta;
        v5["rope_parameters"] = params;
        QTest::newRow(name) << QString::fromStdString(v4.dump()) << QString::fromStdString(v5.dump()) << type << theta;
    };
    layouts("llama3", "llama3", 500000.0,
            {{"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 16}});
    layouts("linear", "linear", 20000.0, {{"factor", 4.0}});
    layouts("dynamic", "dynamic", 20000.0, {{"factor", 2.0}});
    layouts("yarn", "yarn", 1e6,
            {{"factor", 4.0}, {"original_max_position_embeddings", 16}, {"beta_fast", 16}, {"mscale", 1.0}, {"mscale_all_dim", 0.5},
             {"truncate", false}});
    layouts("longrope", "longrope", 10000.0,
            {{"short_factor", ones(8, 1.5)}, {"long_factor", ones(8, 3.0)}, {"original_max_position_embeddings", 16}});
    const json plain = {{"rope_type", "default"}, {"rope_theta", 30000.0}};
    QTest::newRow("default") << QString::fromStdString(with(decoder("llama"), {{"rope_theta", 30000.0}}).dump())
                             << QString::fromStdString(with(decoder("llama"), {{"rope_parameters", plain}}).dump())
                             << "default" << 30000.0;
}

void FamilyConfigsTest::ropeLayoutsOfTransformers4And5Agree() {
    QFETCH(QString, v4);
    QFETCH(QString, v5);
    QFETCH(QString, type);
    QFETCH(double, theta);
    const ModelConfig old = read(v4), now = read(v5);
    QCOMPARE(old.ropes.size(), std::size_t(1));
    QCOMPARE(now.ropes.size(), std::size_t(1));
    QCOMPARE(fieldsOf(now.ropeOf(0)), fieldsOf(old.ropeOf(0)));
    QCOMPARE(QString(ropeTypeName(now.ropes[0].type)), type);
    QCOMPARE(now.ropes[0].theta, theta);
    QCOMPARE(now.ropeOf(1), now.ropeOf(0));  // one RoPE for every layer
}

// convert_rope_params_to_dict: `rope_scaling or rope_parameters`, so a non-empty rope_scaling
// wins and a null or empty one does not count; the entry's rope_theta wins over the top-level
// one (setdefault).
void FamilyConfigsTest::ropeScalingWinsOverRopeParameters() {
    const json yarn = {{"rope_type", "yarn"}, {"factor", 2.0}, {"original_max_position_embeddings", 32}, {"rope_theta", 40000.0}};
    const json linear = {{"type", "linear"}, {"factor", 4.0}};
    const ModelConfig both = read(with(decoder("llama"), {{"rope_scaling", linear}, {"rope_parameters", yarn}}));
    QCOMPARE(both.ropes.at(0).type, RopeType::Linear);
    QCOMPARE(both.ropes.at(0).factor, 4.0);
    for (const json& ignored : {json(nullptr), json::object()}) {
        json j = with(decoder("llama"), {{"rope_parameters", yarn}, {"rope_theta", 10000.0}});
        j["rope_scaling"] = ignored;
        const ModelConfig c = read(j);
        QVERIFY2(c.ropes.at(0).type == RopeType::Yarn, ignored.dump().c_str());
        QCOMPARE(c.ropes.at(0).theta, 40000.0);
        QCOMPARE(c.ropes.at(0).originalMaxPositions, 32);
    }
}

void FamilyConfigsTest::gemma3RopePerLayerType_data() {
    QTest::addColumn<QString>("config");
    const json linear8 = {{"rope_type", "linear"}, {"factor", 8.0}};
    const json nested = {{"full_attention", with(linear8, {{"rope_theta", 1e6}})},
                         {"sliding_attention", {{"rope_type", "default"}, {"rope_theta", 1e4}}}};
    const auto row = [](const char* name, const json& j) { QTest::newRow(name) << QString::fromStdString(j.dump()); };
    // transformers 5 nests rope_parameters by layer type; transformers 4 wrote rope_theta for
    // the global layers, rope_local_base_freq for the sliding ones and a rope_scaling that
    // applies to the global layers only (Gemma3TextConfig.convert_rope_params_to_dict).
    row("transformers 5", with(gemma3Text(), {{"rope_parameters", nested}}));
    row("transformers 4", with(gemma3Text(), {{"rope_theta", 1e6}, {"rope_local_base_freq", 1e4}, {"rope_scaling", linear8}}));
    row("transformers 4, type and default bases", with(gemma3Text(), {{"rope_scaling", {{"type", "linear"}, {"factor", 8.0}}}}));
    json text = gemma3Text();
    text.erase("model_type");
    row("multimodal, transformers 4",
        json{{"model_type", "gemma3"}, {"text_config", with(text, {{"model_type", "gemma3_text"}, {"rope_scaling", linear8}})}});
    row("multimodal, transformers 5", json{{"model_type", "gemma3"}, {"text_config", with(text, {{"rope_parameters", nested}})}});
}

// Six layers: 0-4 slide with the local base 10^4 and no scaling, 5 is global with base 10^6
// and linear x8; every layout gives exactly the same RoPE per layer.
void FamilyConfigsTest::gemma3RopePerLayerType() {
    QFETCH(QString, config);
    const ModelConfig c = read(config);
    QCOMPARE(c.layers, 6);
    QCOMPARE(c.ropes.size(), std::size_t(2));
    for (int l = 0; l < 6; ++l) {
        const RopeSpec* r = c.ropeOf(l);
        QVERIFY(r);
        QCOMPARE(r->type, l == 5 ? RopeType::Linear : RopeType::Default);
        QCOMPARE(r->theta, l == 5 ? 1e6 : 1e4);
        QCOMPARE(r->factor, l == 5 ? 8.0 : 1.0);
        QCOMPARE(r->rotaryDims, 16);
    }
    const json reference =
        with(gemma3Text(), {{"rope_parameters",
                             {{"full_attention", {{"rope_type", "linear"}, {"factor", 8.0}, {"rope_theta", 1e6}}},
                              {"sliding_attention", {{"rope_type", "default"}, {"rope_theta", 1e4}}}}}});
    const ModelConfig expected = read(reference);
    for (int l = 0; l < 6; ++l) QCOMPARE(fieldsOf(c.ropeOf(l)), fieldsOf(expected.ropeOf(l)));
}

// A nested entry without rope_theta takes rope_theta (global layers) or rope_local_base_freq
// (sliding layers), and those default to Gemma3TextConfig's 10^6 and 10^4; an entry missing
// altogether is {"rope_type": "default"} with that base (convert_rope_params_to_dict).
void FamilyConfigsTest::gemma3NestedEntriesTakeTheTopLevelBases() {
    const json bare = {{"full_attention", {{"rope_type", "linear"}, {"factor", 8.0}}}, {"sliding_attention", {{"rope_type", "default"}}}};
    const ModelConfig given = read(with(gemma3Text(), {{"rope_parameters", bare}, {"rope_theta", 2e6}, {"rope_local_base_freq", 5e4}}));
    QCOMPARE(thetas(given), QString("50000,50000,50000,50000,50000,2000000"));
    QCOMPARE(given.ropeOf(5)->type, RopeType::Linear);
    const ModelConfig defaults = read(with(gemma3Text(), {{"rope_parameters", bare}}));
    QCOMPARE(thetas(defaults), QString("10000,10000,10000,10000,10000,1000000"));
    // An entry's own rope_theta wins over the top-level keys.
    const ModelConfig own = read(with(gemma3Text(), {{"rope_parameters", with(bare, {{"sliding_attention", {{"rope_theta", 3e4}}}})},
                                                     {"rope_local_base_freq", 5e4}}));
    QCOMPARE(thetas(own), QString("30000,30000,30000,30000,30000,1000000"));
    const json fullOnly = {{"full_attention", {{"rope_type", "linear"}, {"factor", 8.0}}}};
    const ModelConfig missing = read(with(gemma3Text(), {{"rope_parameters", fullOnly}, {"rope_local_base_freq", 5e4}}));
    QCOMPARE(thetas(missing), QString("50000,50000,50000,50000,50000,1000000"));
    QCOMPARE(missing.ropeOf(0)->type, RopeType::Default);
    QCOMPARE(missing.ropeOf(5)->type, RopeType::Linear);
    json null = with(gemma3Text(), {{"rope_local_base_freq", 5e4}});
    null["rope_parameters"] = {{"full_attention", {{"rope_type", "linear"}, {"factor", 8.0}}}, {"sliding_attention", nullptr}};
    QCOMPARE(fieldsOf(read(null).ropeOf(0)), fieldsOf(missing.ropeOf(0)));
    QCOMPARE(fieldsOf(read(null).ropeOf(5)), fieldsOf(missing.ropeOf(5)));
}

void FamilyConfigsTest::gemma3LayerTypes_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("types");    // S: sliding_attention, F: full_attention
    QTest::addColumn<QString>("windows");
    const auto row = [](const char* name, const json& j, const char* types, const char* windows) {
        QTest::newRow(name) << QString::fromStdString(j.dump()) << types << windows;
    };
    // Layer i slides unless (i + 1) % sliding_window_pattern == 0; the pattern defaults to 6.
    row("pattern 6 by default", gemma3Text(7), "SSSSSFS", "8,8,8,8,8,0,8");
    row("sliding_window_pattern 3", with(gemma3Text(), {{"sliding_window_pattern", 3}}), "SSFSSF", "8,8,0,8,8,0");
    const json fssf = {"full_attention", "sliding_attention", "sliding_attention", "full_attention"};
    const json fffs = {"full_attention", "full_attention", "full_attention", "sliding_attention"};
    row("explicit layer_types", with(gemma3Text(4), {{"layer_types", fssf}}), "FSSF", "0,8,8,0");
    row("layer_types beat the pattern", with(gemma3Text(4), {{"sliding_window_pattern", 2}, {"layer_types", fffs}}), "FFFS", "0,0,0,8");
}

void FamilyConfigsTest::gemma3LayerTypes() {
    QFETCH(QString, config);
    QFETCH(QString, types);
    QFETCH(QString, windows);
    const ModelConfig c = read(config);
    QString gotTypes;
    QStringList gotWindows, expectedThetas;
    for (int l = 0; l < c.layers; ++l) {
        const std::string& t = c.layerTypes[std::size_t(l)];
        gotTypes += t == "sliding_attention" ? 'S' : t == "full_attention" ? 'F' : '?';
        gotWindows << QString::number(c.layerWindow[std::size_t(l)]);
        expectedThetas << (types[l] == 'S' ? "10000" : "1000000");
    }
    QCOMPARE(gotTypes, types);
    QCOMPARE(gotWindows.join(','), windows);
    QCOMPARE(thetas(c), expectedThetas.join(','));  // each layer type its own base
}

// A multimodal checkpoint's config.json keeps only what differs from Gemma3TextConfig's
// defaults in text_config: head_dim 256, query_pre_attn_scalar 256 (scale 256^-0.5 = 1/16),
// rope_theta 10^6 and rope_local_base_freq 10^4, sliding_window 4096, no soft-caps.
void FamilyConfigsTest::gemma3MultimodalTextConfigDefaults() {
    const json j = {{"model_type", "gemma3"},
                    {"architectures", {"Gemma3ForConditionalGeneration"}},
                    {"text_config",
                     {{"model_type", "gemma3_text"}, {"hidden_size", 32}, {"num_hidden_layers", 6}, {"num_attention_heads", 2},
                      {"num_key_value_heads", 1}, {"intermediate_size", 64}, {"vocab_size", 100}}},
                    {"vision_config", {{"model_type", "siglip_vision_model"}}}};
    const ModelConfig c = read(j);
    QCOMPARE(c.modelType, std::string("gemma3"));
    QCOMPARE(c.raw.value("model_type", ""), std::string("gemma3"));  // not the text_config's gemma3_text
    QCOMPARE(c.layers, 6);
    QCOMPARE(c.hidden, 32);
    QCOMPARE(c.headDim, 256);  // not hidden / heads = 16
    QCOMPARE(c.attentionScale, 0.0625f);
    QCOMPARE(c.attnSoftcap, 0.0f);
    QCOMPARE(c.finalSoftcap, 0.0f);
    QCOMPARE(c.maxPositions, 131072);
    QCOMPARE(c.layerWindow, (std::vector<int>{4096, 4096, 4096, 4096, 4096, 0}));
    QCOMPARE(thetas(c), QString("10000,10000,10000,10000,10000,1000000"));
    QCOMPARE(c.ropeOf(0)->rotaryDims, 256);
    QCOMPARE(c.activation, Activation::GeluTanh);
    QVERIFY(c.causal);
    QVERIFY(c.tieWordEmbeddings);
    // The top-level keys are still seen.
    QVERIFY(c.architectureEndsWith("ForConditionalGeneration"));
}

// Gemma2Config: layer i slides when (i + 1) % 2 != 0, so layer 0 slides and 1 does not;
// attn_logit_softcapping 50 and final_logit_softcapping 30 unless given (null: none);
// scores scaled by query_pre_attn_scalar^-0.5 (256 by default); head_dim 256 by default.
void FamilyConfigsTest::gemma2WindowsAndCaps() {
    const json base = with(decoder("gemma2", 4), {{"sliding_window", 8}});
    const ModelConfig c = read(base);
    QCOMPARE(c.layerTypes, (std::vector<std::string>{"sliding_attention", "full_attention", "sliding_attention", "full_attention"}));
    QCOMPARE(c.layerWindow, (std::vector<int>{8, 0, 8, 0}));
    QCOMPARE(c.attnSoftcap, 50.0f);
    QCOMPARE(c.finalSoftcap, 30.0f);
    QCOMPARE(c.attentionScale, 0.0625f);
    QCOMPARE(thetas(c), QString("10000,10000,10000,10000"));
    QCOMPARE(read(with(base, {{"query_pre_attn_scalar", 144}})).attentionScale, float(1.0 / 12.0));
    const ModelConfig given = read(with(base, {{"attn_logit_softcapping", 20.0}, {"final_logit_softcapping", 10.0}}));
    QCOMPARE(given.attnSoftcap, 20.0f);
    QCOMPARE(given.finalSoftcap, 10.0f);
    json noCaps = base;
    noCaps["attn_logit_softcapping"] = nullptr;
    QCOMPARE(read(noCaps).attnSoftcap, 0.0f);
    QCOMPARE(read(noCaps).finalSoftcap, 30.0f);
    noCaps["final_logit_softcapping"] = nullptr;
    QCOMPARE(read(noCaps).finalSoftcap, 0.0f);
    // Without a window the types stay, but no layer is restricted.
    json noWindow = base;
    noWindow["sliding_window"] = nullptr;
    QCOMPARE(read(noWindow).layerWindow, (std::vector<int>{0, 0, 0, 0}));
    QCOMPARE(read(noWindow).layerTypes, c.layerTypes);
    // head_dim is 256 unless given (Gemma2Config, GemmaConfig), not hidden / heads.
    QCOMPARE(read(with(base, {{"head_dim", nullptr}})).headDim, 256);
    QCOMPARE(read(with(decoder("gemma"), {{"head_dim", nullptr}})).headDim, 256);
    QCOMPARE(read(decoder("gemma")).headDim, 16);
}

// Qwen3Config: the window applies only with use_sliding_window, from layer max_window_layers
// on (default 28; sliding_window default 4096); head_dim is its own key (default 128).
void FamilyConfigsTest::qwen3WindowAndHeadDim() {
    const json base = with(decoder("qwen3", 4), {{"sliding_window", 8}, {"max_window_layers", 2}});
    QCOMPARE(read(base).layerWindow, (std::vector<int>{0, 0, 0, 0}));
    QCOMPARE(read(with(base, {{"use_sliding_window", false}})).layerWindow, (std::vector<int>{0, 0, 0, 0}));
    const ModelConfig sliding = read(with(base, {{"use_sliding_window", true}}));
    QCOMPARE(sliding.layerWindow, (std::vector<int>{0, 0, 8, 8}));
    QCOMPARE(sliding.layerTypes, (std::vector<std::string>{"full_attention", "full_attention", "sliding_attention", "sliding_attention"}));
    QCOMPARE(read(with(base, {{"use_sliding_window", true}, {"max_window_layers", 0}})).layerWindow, (std::vector<int>{8, 8, 8, 8}));
    const ModelConfig defaultWindow = read(with(base, {{"use_sliding_window", true}, {"sliding_window", nullptr}}));
    QCOMPARE(defaultWindow.layerWindow, (std::vector<int>{0, 0, 4096, 4096}));
    json noWindow = with(base, {{"use_sliding_window", true}});
    noWindow["sliding_window"] = nullptr;  // written as null: no window at all
    QCOMPARE(read(noWindow).layerWindow, (std::vector<int>{0, 0, 0, 0}));
    const ModelConfig deep = read(with(decoder("qwen3", 30), {{"use_sliding_window", true}, {"sliding_window", 8}}));
    for (int l = 0; l < 30; ++l) QCOMPARE(deep.layerWindow[std::size_t(l)], l >= 28 ? 8 : 0);
    // head_dim need not be hidden / heads.
    const ModelConfig narrow = read(with(decoder("qwen3"), {{"head_dim", 8}}));
    QCOMPARE(narrow.headDim, 8);
    QCOMPARE(narrow.ropes.at(0).rotaryDims, 8);
    QCOMPARE(read(with(decoder("qwen3"), {{"head_dim", nullptr}})).headDim, 128);
}

// SmolLM3Config: no_rope_layers lists 1 (RoPE) or 0 (none) per layer; without it layer i has
// RoPE unless (i + 1) % no_rope_layer_interval == 0 (default 4). With use_sliding_window and a
// sliding_window, the layers without RoPE slide. The default base is SmolLM3's 2 * 10^6.
void FamilyConfigsTest::smollm3LayersWithoutRope() {
    const json base = with(decoder("smollm3", 8), {{"rope_theta", 1e6}});
    QCOMPARE(thetas(read(base)), QString("1000000,1000000,1000000,0,1000000,1000000,1000000,0"));
    QCOMPARE(thetas(read(with(base, {{"no_rope_layer_interval", 2}}))), QString("1000000,0,1000000,0,1000000,0,1000000,0"));
    const json listed = with(base, {{"no_rope_layers", {1, 0, 1, 1, 0, 1, 1, 1}}});
    QCOMPARE(thetas(read(listed)), QString("1000000,0,1000000,1000000,0,1000000,1000000,1000000"));
    // SmolLM3Config documents the list as "at least" one entry per layer; layer i reads entry i.
    QCOMPARE(thetas(read(with(base, {{"no_rope_layers", {1, 0, 1, 1, 0, 1, 1, 1, 0, 0}}}))), thetas(read(listed)));
    QCOMPARE(read(with(base, {{"sliding_window", 8}})).layerWindow, (std::vector<int>(8, 0)));
    QCOMPARE(read(with(base, {{"use_sliding_window", true}})).layerWindow, (std::vector<int>(8, 0)));  // no window given
    const json window = {{"use_sliding_window", true}, {"sliding_window", 8}};
    QCOMPARE(read(with(base, window)).layerWindow, (std::vector<int>{0, 0, 0, 8, 0, 0, 0, 8}));
    QCOMPARE(read(with(listed, window)).layerWindow, (std::vector<int>{0, 8, 0, 0, 8, 0, 0, 0}));
    QCOMPARE(read(with(base, {{"rope_theta", nullptr}})).ropes.at(0).theta, 2e6);
}

// Phi3Config: partial_rotary_factor at the top level (it wins over the entry's, as
// standardize_rope_params sets it), LongRoPE with original_max_position_embeddings at the top
// level (it wins too; 4096 by default), and "su" or "yarn" read as LongRoPE.
void FamilyConfigsTest::phi3PartialRotaryAndLongRope() {
    const json longrope = {
        {"type", "longrope"}, {"short_factor", ones(4)}, {"long_factor", ones(4, 2.0)}, {"original_max_position_embeddings", 32}};
    const json base = with(decoder("phi3"), {{"head_dim", nullptr},
                                             {"original_max_position_embeddings", 16},
                                             {"partial_rotary_factor", 0.5},
                                             {"rope_scaling", longrope}});
    const RopeSpec s = read(base).ropes.at(0);
    QCOMPARE(s.type, RopeType::LongRope);
    QCOMPARE(s.fraction, 0.5);
    QCOMPARE(s.rotaryDims, 8);  // half of 32 / 2
    QCOMPARE(s.originalMaxPositions, 16);
    QCOMPARE(s.factor, 4.0);  // 64 / 16
    QVERIFY(std::abs(s.attentionFactor - std::sqrt(1.5)) < 1e-12);  // sqrt(1 + ln 4 / ln 16)
    QCOMPARE(s.inverseFrequencies(17).front(), 0.5);
    const RopeSpec top = read(with(base, {{"rope_scaling", with(longrope, {{"partial_rotary_factor", 1.0}})}})).ropes.at(0);
    QCOMPARE(top.rotaryDims, 8);
    const json entryHalf = with(longrope, {{"partial_rotary_factor", 0.5}});
    const RopeSpec entry = read(with(base, {{"partial_rotary_factor", nullptr}, {"rope_scaling", entryHalf}})).ropes.at(0);
    QCOMPARE(entry.rotaryDims, 8);
    for (const char* old : {"su", "yarn"})
        QCOMPARE(fieldsOf(&read(with(base, {{"rope_scaling", with(longrope, {{"type", old}})}})).ropes.at(0)), fieldsOf(&s));
    // Without the top-level key, Phi3Config's 4096: the factor 64 / 4096 is below 1, no scaling.
    const RopeSpec unset = read(with(base, {{"original_max_position_embeddings", nullptr}})).ropes.at(0);
    QCOMPARE(unset.originalMaxPositions, 4096);
    QCOMPARE(unset.attentionFactor, 1.0);
}

void FamilyConfigsTest::refusalsNameTheKey_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("expected");
    const auto row = [](const char* name, const json& j, const char* expected) {
        QTest::newRow(name) << QString::fromStdString(j.dump()) << expected;
    };
    row("unknown rope_type", with(decoder("llama"), {{"rope_parameters", {{"rope_type", "mrope"}}}}),
        "rope_parameters: rope_type 'mrope' is not supported (supported: default, linear, dynamic, yarn, longrope, llama3)");
    const json llama3 = {{"rope_type", "llama3"}, {"factor", 8.0}, {"high_freq_factor", 4.0}};
    row("llama3 without low_freq_factor", with(decoder("llama"), {{"rope_scaling", llama3}}),
        "rope_scaling: missing key 'low_freq_factor'");
    const json longrope = {{"type", "longrope"}, {"short_factor", ones(8)}, {"long_factor", ones(8)}};
    row("short_factor too short", with(decoder("phi3"), {{"rope_scaling", with(longrope, {{"short_factor", ones(3)}})}}),
        "rope_scaling: key 'short_factor' lists 3 factors; the rotary dimensions need 8");
    row("long_factor too long", with(decoder("phi3"), {{"rope_scaling", with(longrope, {{"long_factor", ones(9)}})}}),
        "rope_scaling: key 'long_factor' lists 9 factors; the rotary dimensions need 8");
    row("long_factor of a half rotary head", with(decoder("phi3"), {{"partial_rotary_factor", 0.5}, {"rope_scaling", longrope}}),
        "key 'short_factor' lists 8 factors; the rotary dimensions need 4");
    row("unknown layer type", with(gemma3Text(2), {{"layer_types", {"sliding_attention", "chunked_attention"}}}),
        "key 'layer_types' has 'chunked_attention', expected 'full_attention' or 'sliding_attention'");
    row("layer_types too short", with(gemma3Text(), {{"layer_types", {"sliding_attention", "full_attention"}}}),
        "key 'layer_types' has 2 entries for 6 layers");
    row("no_rope_layers too short", with(decoder("smollm3", 4), {{"no_rope_layers", {1, 1, 0}}}),
        "key 'no_rope_layers' must list 1 (RoPE) or 0 (none) for each of the 4 layers");
    row("no_rope_layers not numbers", with(decoder("smollm3", 2), {{"no_rope_layers", {1, "no"}}}),
        "key 'no_rope_layers' must list 1 (RoPE) or 0 (none) for each layer");
    row("negative attention softcap", with(decoder("gemma2"), {{"attn_logit_softcapping", -50.0}}),
        "key 'attn_logit_softcapping' must be a positive number or null");
    row("zero final softcap", with(decoder("gemma2"), {{"final_logit_softcapping", 0}}),
        "key 'final_logit_softcapping' must be a positive number or null");
    row("bidirectional", with(gemma3Text(), {{"use_bidirectional_attention", true}}), "key 'use_bidirectional_attention' is true");
    row("gemma3 without text_config", json{{"model_type", "gemma3"}, {"architectures", {"Gemma3ForConditionalGeneration"}}},
        "missing key 'text_config'");
    row("partial_rotary_factor above 1", with(decoder("phi3"), {{"partial_rotary_factor", 1.5}}),
        "config.json: partial_rotary_factor 1.5 must be in (0, 1]");
    row("partial_rotary_factor 0", with(decoder("llama"), {{"partial_rotary_factor", 0}}),
        "config.json: partial_rotary_factor 0 must be in (0, 1]");
    const json negative = {{"rope_type", "default"}, {"partial_rotary_factor", -0.5}};
    row("partial_rotary_factor in the entry", with(decoder("llama"), {{"rope_parameters", negative}}),
        "rope_parameters: partial_rotary_factor -0.5 must be in (0, 1]");
    // Only Gemma 3's config fills in a missing layer type; elsewhere standardize_rope_params
    // fails on it (rope_parameters[layer_type]).
    row("nested entry missing",
        with(decoder("qwen3", 4), {{"use_sliding_window", true}, {"sliding_window", 8}, {"max_window_layers", 2},
                                   {"rope_parameters", {{"full_attention", {{"rope_type", "default"}}}}}}),
        "rope_parameters: no entry for the layer type 'sliding_attention'");
}

void FamilyConfigsTest::refusalsNameTheKey() {
    QFETCH(QString, config);
    QFETCH(QString, expected);
    const QString error = refusalOf(json::parse(config.toStdString()));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY2(error.startsWith("config.json"), qPrintable(error));
    QVERIFY2(!error.contains('\n'), qPrintable(error));
}

QTEST_APPLESS_MAIN(FamilyConfigsTest)
#include "test_family_configs.moc"
