#include "model/ModelConfig.h"

#include <fstream>

#include "Error.h"

namespace attnscope {
namespace {

// Reads typed config keys, naming the file and key in every error.
class ConfigReader {
public:
    ConfigReader(const nlohmann::json& j, std::string file) : j_(j), file_(std::move(file)) {}

    bool has(const char* key) const { return key && j_.contains(key) && !j_[key].is_null(); }

    int positiveInt(const char* key, long long maxValue) const {
        if (!has(key)) throw Error(file_ + ": missing key '" + key + "'");
        return checkInt(key, j_[key], 1, maxValue);
    }
    int positiveIntOr(const char* key, int fallback, long long maxValue) const {
        return has(key) ? checkInt(key, j_[key], 1, maxValue) : fallback;
    }
    int intOr(const char* key, int fallback) const { return has(key) ? checkInt(key, j_[key], -1, 1LL << 31) : fallback; }
    double numberOr(const char* key, double fallback) const {
        if (!has(key)) return fallback;
        if (!j_[key].is_number()) throw Error(file_ + ": key '" + key + "' must be a number");
        return j_[key].get<double>();
    }
    bool boolOr(const char* key, bool fallback) const {
        if (!has(key)) return fallback;
        if (!j_[key].is_boolean()) throw Error(file_ + ": key '" + key + "' must be true or false");
        return j_[key].get<bool>();
    }
    bool flag(const ConfigSwitch& s) const { return s.key ? boolOr(s.key, s.fallback) : s.fallback; }
    std::string stringOr(const char* key, const std::string& fallback) const {
        if (!has(key)) return fallback;
        if (!j_[key].is_string()) throw Error(file_ + ": key '" + key + "' must be a string");
        return j_[key].get<std::string>();
    }
    const nlohmann::json* object(const char* key) const { return has(key) && j_[key].is_object() ? &j_[key] : nullptr; }
    const nlohmann::json& json() const { return j_; }
    const std::string& file() const { return file_; }

private:
    int checkInt(const char* key, const nlohmann::json& v, long long minValue, long long maxValue) const {
        if (!v.is_number_integer()) throw Error(file_ + ": key '" + key + "' must be an integer");
        const auto x = v.get<long long>();
        if (x < minValue || x > maxValue)
            throw Error(file_ + ": key '" + key + "' is " + std::to_string(x) + ", expected " + std::to_string(minValue) + " to " +
                        std::to_string(maxValue));
        return static_cast<int>(x);
    }
    const nlohmann::json& j_;
    std::string file_;
};

// Sane upper bounds: far beyond any real checkpoint, small enough that a hostile
// config cannot make us allocate without bound.
constexpr long long kMaxLayers = 1024;
constexpr long long kMaxHeads = 1024;
constexpr long long kMaxHidden = 1 << 17;
constexpr long long kMaxVocab = 1 << 23;
constexpr long long kMaxPositions = 1 << 21;

Activation parseActivation(const std::string& name, const std::string& file, const std::string& key) {
    if (name == "gelu" || name == "gelu_python") return Activation::Gelu;
    if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return Activation::GeluTanh;
    if (name == "relu") return Activation::Relu;
    if (name == "silu" || name == "swish") return Activation::Silu;
    throw Error(file + ": key '" + key + "' names activation '" + name + "', expected one of gelu, gelu_new, gelu_pytorch_tanh, relu, silu");
}

// The sizes every family has, under the keys its table entry names.
void readSizes(ModelConfig& c, const ConfigReader& r) {
    const ConfigKeys& k = c.spec().keys;
    c.layers = r.positiveInt(k.layers, kMaxLayers);
    c.heads = r.positiveInt(k.heads, kMaxHeads);
    c.kvHeads = r.positiveIntOr(k.kvHeads, c.heads, kMaxHeads);
    c.hidden = r.positiveInt(k.hidden, kMaxHidden);
    c.intermediate = k.intermediateFactor > 0 ? r.positiveIntOr(k.intermediate, k.intermediateFactor * c.hidden, kMaxHidden * 8)
                                              : r.positiveInt(k.intermediate, kMaxHidden * 8);
    if (k.vocab) c.vocabSize = r.positiveInt(k.vocab, kMaxVocab);
    if (k.maxPositions)
        c.maxPositions = k.maxPositionsDefault > 0 ? r.positiveIntOr(k.maxPositions, k.maxPositionsDefault, kMaxPositions)
                                                   : r.positiveInt(k.maxPositions, kMaxPositions);
    c.headDim = r.positiveIntOr(k.headDim, 0, kMaxHidden);
    c.normEps = static_cast<float>(k.normEps ? r.numberOr(k.normEps, k.normEpsDefault) : k.normEpsDefault);
    std::string activation = k.activationDefault;
    if (k.feedForwardProj) {
        // "gated-gelu": a gated MLP with GELU; "relu": a plain one with ReLU.
        const std::string proj = r.stringOr(k.feedForwardProj, activation);
        c.gatedMlp = proj.rfind("gated-", 0) == 0;
        activation = c.gatedMlp ? proj.substr(6) : proj;
    }
    c.activation = parseActivation(r.stringOr(k.activation, activation), r.file(), k.activation);
    if (k.typeVocab) c.typeVocabSize = r.has(k.typeVocab) ? r.intOr(k.typeVocab, 2) : 2;
    // A decoder's pad token matters only to its sequence classifier, which reads the last token
    // that is not padding; without one in config.json (-1) it reads the last token.
    c.padTokenId = r.intOr("pad_token_id", k.padTokenDefault);
}

// The facts a family's table entry fixes or lets config.json switch.
void readSwitches(ModelConfig& c, const ConfigReader& r) {
    const FamilySpec& s = c.spec();
    c.causal = s.causal;
    c.scaleAttention = r.flag(s.scaleScores);
    c.scaleByInverseLayer = r.flag(s.scaleByInverseLayer);
    c.attentionBias = r.flag(s.qkvBias);
    c.outputBias = r.flag(s.outBias);
    c.mlpBias = r.flag(s.mlpBias);
    c.parallelResidual = r.flag(s.parallelResidual);
    c.tieWordEmbeddings = r.flag(s.tieEmbeddings);
    c.gatedMlp = c.gatedMlp || s.mlp == MlpKind::Gated;
}

// GPT-Neo: `attention_layers` lists "global" or "local" (within `window_size`) per layer.
void readAttentionLayers(ModelConfig& c, const ConfigReader& r) {
    const nlohmann::json& j = r.json();
    const int window = r.positiveInt("window_size", kMaxPositions);
    if (!j.contains("attention_layers") || !j["attention_layers"].is_array() || static_cast<int>(j["attention_layers"].size()) != c.layers)
        throw Error(r.file() + ": key 'attention_layers' must list 'global' or 'local' for each of the " + std::to_string(c.layers) +
                    " layers");
    for (const auto& t : j["attention_layers"]) {
        const std::string type = t.is_string() ? t.get<std::string>() : "";
        if (type != "global" && type != "local")
            throw Error(r.file() + ": key 'attention_layers' has '" + type + "', expected 'global' or 'local'");
        c.layerWindow.push_back(type == "local" ? window : 0);
    }
}

// Mistral and its kin: `sliding_window` on every layer, or on those `layer_types` marks
// "sliding_attention"; Qwen2 only with use_sliding_window, and from max_window_layers on.
void readSlidingWindow(ModelConfig& c, const ConfigReader& r, const WindowSpec& spec) {
    int window = r.has("sliding_window") ? r.positiveInt("sliding_window", kMaxPositions) : 0;
    if (!r.flag(spec.use)) window = 0;
    c.layerWindow.assign(c.layers, window);
    const nlohmann::json& j = r.json();
    if (j.contains("layer_types") && j["layer_types"].is_array()) {
        const auto& types = j["layer_types"];
        if (static_cast<int>(types.size()) != c.layers)
            throw Error(r.file() + ": key 'layer_types' has " + std::to_string(types.size()) + " entries for " + std::to_string(c.layers) +
                        " layers");
        for (int l = 0; l < c.layers; ++l)
            c.layerWindow[l] = (types[l].is_string() && types[l].get<std::string>() == "sliding_attention") ? window : 0;
    } else if (spec.firstLayerKey && window > 0) {
        const int firstSliding = r.intOr(spec.firstLayerKey, c.layers);
        for (int l = 0; l < c.layers; ++l) c.layerWindow[l] = l >= firstSliding ? window : 0;
    }
}

void readRope(ModelConfig& c, const ConfigReader& r) {
    const ConfigKeys& k = c.spec().keys;
    // transformers 5 nests rope settings in rope_parameters; older configs use rope_theta (or
    // the family's own key) and rope_scaling at the top level.
    c.ropeTheta = r.numberOr("rope_theta", r.numberOr(k.ropeTheta, 10000.0));
    c.rotaryFraction = r.numberOr("partial_rotary_factor", r.numberOr(k.rotaryFraction, k.rotaryFractionDefault));
    const char* key = r.object("rope_parameters") ? "rope_parameters" : r.object("rope_scaling") ? "rope_scaling" : nullptr;
    if (key) {
        ConfigReader p(*r.object(key), r.file() + ": " + key);
        c.ropeTheta = p.numberOr("rope_theta", c.ropeTheta);
        c.rotaryFraction = p.numberOr("partial_rotary_factor", c.rotaryFraction);
        c.ropeType = p.stringOr("rope_type", p.stringOr("type", "default"));
        c.ropeFactor = p.numberOr("factor", 1.0);
        c.ropeLowFreqFactor = p.numberOr("low_freq_factor", 1.0);
        c.ropeHighFreqFactor = p.numberOr("high_freq_factor", 4.0);
        c.ropeOriginalMaxPositions = p.positiveIntOr("original_max_position_embeddings", 8192, kMaxPositions);
        if (c.ropeType != "default" && c.ropeType != "linear" && c.ropeType != "llama3")
            throw Error(r.file() + ": " + key + ".rope_type '" + c.ropeType + "' is not supported (supported: default, linear, llama3)");
    }
    if (!(c.rotaryFraction > 0.0 && c.rotaryFraction <= 1.0))
        throw Error(r.file() + ": rotary fraction " + std::to_string(c.rotaryFraction) + " must be in (0, 1]");
    c.rotaryDims = static_cast<int>(c.headDim * c.rotaryFraction);
    if (c.rotaryDims % 2 != 0 || c.rotaryDims < 2)
        throw Error(r.file() + ": " + std::to_string(c.rotaryDims) + " rotary dimensions per head; expected an even number of at least 2");
}

void readEncoderDecoder(ModelConfig& c, const ConfigReader& r) {
    const ConfigKeys& k = c.spec().keys;
    c.decoderLayers = r.positiveIntOr(k.decoderLayers, c.layers, kMaxLayers);
    c.relativeBuckets = r.positiveInt(k.relativeBuckets, 1 << 12);
    c.relativeMaxDistance = r.positiveIntOr(k.relativeMaxDistance, 128, kMaxPositions);
    c.decoderStartTokenId = r.intOr("decoder_start_token_id", c.padTokenId);
}

void readImage(ModelConfig& c, const ConfigReader& r) {
    const ConfigKeys& k = c.spec().keys;
    c.imageSize = r.positiveInt(k.imageSize, 1 << 14);
    c.patchSize = r.positiveInt(k.patchSize, 1 << 12);
    c.channels = r.positiveIntOr(k.channels, 3, 64);
    if (c.imageSize % c.patchSize != 0)
        throw Error(r.file() + ": image_size " + std::to_string(c.imageSize) + " is not a multiple of patch_size " +
                    std::to_string(c.patchSize));
    // One position per patch plus the leading tokens ([CLS], DeiT's distillation token).
    c.maxPositions = c.patchCount() + c.spec().leadingImageTokens();
}

void checkHeads(ModelConfig& c, const std::string& fileName) {
    if (c.headDim == 0) {
        if (c.hidden % c.heads != 0)
            throw Error(fileName + ": hidden size " + std::to_string(c.hidden) + " is not divisible by " + std::to_string(c.heads) +
                        " attention heads");
        c.headDim = c.hidden / c.heads;
    }
    if (c.heads % c.kvHeads != 0)
        throw Error(fileName + ": num_key_value_heads " + std::to_string(c.kvHeads) + " does not divide " + std::to_string(c.heads) +
                    " attention heads");
}

void readLabels(ModelConfig& c, const nlohmann::json& j, const std::string& fileName) {
    if (!j.contains("id2label") || !j["id2label"].is_object()) return;
    for (auto it = j["id2label"].begin(); it != j["id2label"].end(); ++it) {
        int id = 0;
        try {
            id = std::stoi(it.key());
        } catch (...) {
            throw Error(fileName + ": id2label key '" + it.key() + "' is not an integer");
        }
        if (!it->is_string()) throw Error(fileName + ": id2label." + it.key() + " must be a string");
        c.id2label[id] = it->get<std::string>();
    }
}

}  // namespace

bool ModelConfig::architectureEndsWith(const std::string& suffix) const {
    if (!raw.contains("architectures") || !raw["architectures"].is_array()) return false;
    for (const auto& a : raw["architectures"])
        if (a.is_string() && a.get<std::string>().ends_with(suffix)) return true;
    return false;
}

ModelConfig ModelConfig::fromFile(const std::filesystem::path& configJson) {
    std::ifstream in(configJson);
    if (!in) throw Error(configJson.string() + ": cannot open (a model folder needs a config.json)");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(configJson.string() + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    return fromJson(j, configJson.string());
}

ModelConfig ModelConfig::fromJson(const nlohmann::json& j, const std::string& fileName) {
    if (!j.is_object()) throw Error(fileName + ": expected a JSON object");
    ConfigReader r(j, fileName);
    ModelConfig c;
    c.raw = j;
    c.modelType = r.stringOr("model_type", "");
    if (c.modelType.empty()) throw Error(fileName + ": missing key 'model_type'");
    c.family = findFamily(c.modelType);
    if (!c.family) {
        std::string list;
        for (const auto& t : supportedModelTypes()) list += (list.empty() ? "" : ", ") + t;
        throw Error(fileName + ": model_type '" + c.modelType + "' is not supported (supported: " + list + ")");
    }
    const FamilySpec& s = c.spec();
    readSizes(c, r);
    readSwitches(c, r);
    checkHeads(c, fileName);
    if (s.window.rule == WindowRule::AttentionLayers) readAttentionLayers(c, r);
    if (s.window.rule == WindowRule::SlidingWindow) readSlidingWindow(c, r, s.window);
    if (c.layerWindow.empty()) c.layerWindow.assign(c.layers, 0);
    if (s.positions == PositionScheme::Rotary) readRope(c, r);
    if (s.isEncoderDecoder()) readEncoderDecoder(c, r);
    if (s.readsImages()) readImage(c, r);
    readLabels(c, j, fileName);
    return c;
}

}  // namespace attnscope
