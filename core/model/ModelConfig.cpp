#include "model/ModelConfig.h"

#include <algorithm>
#include <cmath>
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
    int intOr(const char* key, int fallback, long long maxValue = 1LL << 31) const {
        return has(key) ? checkInt(key, j_[key], -1, maxValue) : fallback;
    }
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
    if (name == "quick_gelu") return Activation::QuickGelu;
    throw Error(file + ": key '" + key + "' names activation '" + name +
                "', expected one of gelu, gelu_new, gelu_pytorch_tanh, quick_gelu, relu, silu");
}

// The sizes every family has, under the keys its table entry names.
void readSizes(ModelConfig& c, const ConfigReader& r) {
    const ConfigKeys& k = c.spec().keys;
    c.layers = r.positiveInt(k.layers, kMaxLayers);
    c.heads = r.positiveInt(k.heads, kMaxHeads);
    c.kvHeads = r.positiveIntOr(k.kvHeads, c.heads, kMaxHeads);
    c.hidden = r.positiveInt(k.hidden, kMaxHidden);
    c.embeddingSize = r.positiveIntOr(k.embeddingSize, c.hidden, kMaxHidden);
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
    c.matricesInOut = s.conv1dWeights;
    c.attentionBias = r.flag(s.qkvBias);
    c.outputBias = r.flag(s.outBias);
    c.mlpBias = r.flag(s.mlpBias);
    c.normBias = r.flag(s.normBias);
    c.parallelResidual = r.flag(s.parallelResidual);
    c.tieWordEmbeddings = r.flag(s.tieEmbeddings);
    c.gatedMlp = c.gatedMlp || s.mlp == MlpKind::Gated;
    c.scaleEmbeddings = r.flag(s.scaleEmbeddings);
    c.positionTable = r.flag(s.positionTable);
    c.poolingProbe = r.flag(s.poolingProbe);
    for (const FamilySpec::OnlyValue& only : s.onlyValues)
        if (const int value = r.intOr(only.key, only.value); value != only.value)
            throw Error(r.file() + ": key '" + only.key + "' is " + std::to_string(value) + "; " + only.why);
    if (c.causal && r.boolOr("use_bidirectional_attention", false))
        throw Error(r.file() + ": key 'use_bidirectional_attention' is true; AttnScope runs this family as a causal language model only");
}

// How the scores are scaled and capped (Gemma 2/3).
void readScores(ModelConfig& c, const ConfigReader& r) {
    const ConfigKeys& k = c.spec().keys;
    if (r.has(k.queryPreAttnScalar)) {
        const double scalar = r.numberOr(k.queryPreAttnScalar, 0.0);
        if (!(scalar > 0.0)) throw Error(r.file() + ": key '" + k.queryPreAttnScalar + "' must be positive");
        c.attentionScale = static_cast<float>(std::pow(scalar, -0.5));
    }
    const auto cap = [&](const char* key) {
        if (!r.has(key)) return 0.0f;  // absent or null: no cap
        const double v = r.numberOr(key, 0.0);
        if (!(v > 0.0) || !std::isfinite(v)) throw Error(r.file() + ": key '" + key + "' must be a positive number or null");
        return static_cast<float>(v);
    };
    c.attnSoftcap = cap(k.attnSoftcap);
    c.finalSoftcap = cap(k.finalSoftcap);
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

// Which layers skip RoPE (SmolLM3): `no_rope_layers` lists 1 (RoPE) or 0 per layer (at least
// one per layer, as SmolLM3Config documents it: layer i reads entry i); without it, every
// interval-th layer skips it. Families without the key rotate on every layer.
std::vector<bool> readRopeLayers(const ModelConfig& c, const ConfigReader& r) {
    const ConfigKeys& k = c.spec().keys;
    std::vector<bool> uses(static_cast<std::size_t>(c.layers), true);
    if (!k.noRopeLayers) return uses;
    const nlohmann::json& j = r.json();
    if (r.has(k.noRopeLayers)) {
        const auto& list = j[k.noRopeLayers];
        if (!list.is_array() || static_cast<int>(list.size()) < c.layers)
            throw Error(r.file() + ": key '" + k.noRopeLayers + "' must list 1 (RoPE) or 0 (none) for each of the " +
                        std::to_string(c.layers) + " layers");
        for (const auto& v : list)
            if (!v.is_number_integer() && !v.is_boolean())
                throw Error(r.file() + ": key '" + k.noRopeLayers + "' must list 1 (RoPE) or 0 (none) for each layer");
        for (int l = 0; l < c.layers; ++l) {
            const auto& v = list[static_cast<std::size_t>(l)];
            uses[static_cast<std::size_t>(l)] = v.is_boolean() ? v.get<bool>() : v.get<long long>() != 0;
        }
        return uses;
    }
    if (!k.noRopeInterval) return uses;
    const int interval = r.positiveInt(k.noRopeInterval, kMaxLayers);  // the family's configDefaults give its default
    for (int l = 0; l < c.layers; ++l) uses[static_cast<std::size_t>(l)] = (l + 1) % interval != 0;
    return uses;
}

// The layer types transformers would give this config when it does not list them.
std::vector<std::string> derivedLayerTypes(const ModelConfig& c, const ConfigReader& r, const WindowSpec& spec, int window,
                                           const std::vector<bool>& usesRope) {
    const std::string full = "full_attention", sliding = "sliding_attention";
    std::vector<std::string> types(static_cast<std::size_t>(c.layers), full);
    for (int l = 0; l < c.layers; ++l) {
        bool slides = window > 0;
        if (spec.patternDefault > 0) {
            const int pattern = r.positiveIntOr(spec.patternKey, spec.patternDefault, kMaxLayers);
            slides = (spec.globalFromFirst ? l : l + 1) % pattern != 0;
        }
        else if (spec.firstLayerKey) slides = slides && l >= r.intOr(spec.firstLayerKey, c.layers);
        else if (spec.onNoRopeLayers) slides = slides && !usesRope[static_cast<std::size_t>(l)];
        if (slides) types[static_cast<std::size_t>(l)] = sliding;
    }
    return types;
}

// `sliding_window` on the layers `layer_types` marks "sliding_attention" (or that the family's
// rule derives, as transformers does without the list).
void readSlidingWindow(ModelConfig& c, const ConfigReader& r, const WindowSpec& spec, const std::vector<bool>& usesRope) {
    int window = r.has("sliding_window") ? r.positiveInt("sliding_window", kMaxPositions) : 0;
    // A span over both sides: keys at most half of it away, which is a window of half + 1.
    if (spec.spanKey) window = r.positiveIntOr(spec.spanKey, spec.spanDefault, kMaxPositions) / 2 + 1;
    if (!r.flag(spec.use)) window = 0;
    const nlohmann::json& j = r.json();
    if (j.contains("layer_types") && j["layer_types"].is_array()) {
        const auto& types = j["layer_types"];
        if (static_cast<int>(types.size()) != c.layers)
            throw Error(r.file() + ": key 'layer_types' has " + std::to_string(types.size()) + " entries for " + std::to_string(c.layers) +
                        " layers");
        for (const auto& t : types) {
            const std::string type = t.is_string() ? t.get<std::string>() : "";
            if (type != "full_attention" && type != "sliding_attention")
                throw Error(r.file() + ": key 'layer_types' has '" + type + "', expected 'full_attention' or 'sliding_attention'");
            c.layerTypes.push_back(type);
        }
    } else {
        c.layerTypes = derivedLayerTypes(c, r, spec, window, usesRope);
    }
    c.layerWindow.assign(static_cast<std::size_t>(c.layers), 0);
    for (int l = 0; l < c.layers; ++l)
        if (c.layerTypes[static_cast<std::size_t>(l)] == "sliding_attention") c.layerWindow[static_cast<std::size_t>(l)] = window;
}

// rope_parameters (transformers 5) or rope_scaling (4) holds one entry, or one per layer type
// (keyed "full_attention" and "sliding_attention", whether or not every type has layers; a
// null entry is a missing one).
bool nestedByLayerType(const nlohmann::json& params) {
    if (params.empty()) return false;
    for (auto it = params.begin(); it != params.end(); ++it)
        if ((!it->is_object() && !it->is_null()) || (it.key() != "full_attention" && it.key() != "sliding_attention")) return false;
    return true;
}

// One layer type's entry of a nested rope_parameters. A family with a local base (Gemma 3)
// gives a missing type {"rope_type": "default"} at that type's base, as
// Gemma3TextConfig.convert_rope_params_to_dict does (nullptr: that default); elsewhere
// standardize_rope_params fails on it (rope_parameters[layer_type]), and so do we.
const nlohmann::json* layerTypeEntry(const nlohmann::json& params, const std::string& type, const ConfigKeys& k,
                                     const std::string& where) {
    if (params.contains(type) && params[type].is_object()) return &params[type];
    if (k.localRopeTheta) return nullptr;
    throw Error(where + ": no entry for the layer type '" + type + "'");
}

// The RoPE settings and which one each layer uses, resolving defaults as transformers'
// standardize_rope_params does: an entry's missing rope_theta is the top-level one (Gemma 3's
// sliding layers: rope_local_base_freq), a top-level partial_rotary_factor wins over the entry's.
void readRope(ModelConfig& c, const ConfigReader& r, const std::vector<bool>& usesRope) {
    const ConfigKeys& k = c.spec().keys;
    RopeContext context;
    context.theta = r.numberOr("rope_theta", r.numberOr(k.ropeTheta, 10000.0));
    context.fractionFromTop = r.has("partial_rotary_factor");
    context.fraction = r.numberOr("partial_rotary_factor", r.numberOr(k.rotaryFraction, k.rotaryFractionDefault));
    context.headDim = c.headDim;
    context.maxPositions = c.maxPositions;
    context.topOriginalMaxPositions = r.positiveIntOr("original_max_position_embeddings", 0, kMaxPositions);
    context.oldLongRopeNames = k.oldLongRopeNames;
    // As transformers' convert_rope_params_to_dict (`rope_scaling or rope_parameters`): a
    // rope_scaling wins where a config has one that is not empty.
    const nlohmann::json* scaling = r.object("rope_scaling");
    const char* key = scaling && !scaling->empty() ? "rope_scaling" : r.object("rope_parameters") ? "rope_parameters" : nullptr;
    const nlohmann::json* params = key ? r.object(key) : nullptr;
    // Without an entry, what can be wrong is a top-level key, which the message names itself.
    const std::string where = key ? r.file() + ": " + key : r.file();
    c.layerRope.assign(static_cast<std::size_t>(c.layers), 0);

    const bool nested = params && nestedByLayerType(*params);
    if (nested || k.localRopeTheta) {
        // One RoPE per layer type, in the order the layers first use them.
        std::vector<std::string> types;
        for (const std::string& t : c.layerTypes)
            if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
        for (const std::string& t : types) {
            RopeContext typed = context;
            typed.where = where + (nested ? "." + t : "");
            const bool local = t == "sliding_attention" && k.localRopeTheta;
            if (local) typed.theta = r.numberOr(k.localRopeTheta, context.theta);
            // Not nested (transformers 4's Gemma 3): rope_scaling applies to the global layers only.
            const nlohmann::json* entry = nested ? layerTypeEntry(*params, t, k, where) : local ? nullptr : params;
            c.ropes.push_back(readRopeSpec(entry, typed));
        }
        for (int l = 0; l < c.layers; ++l)
            c.layerRope[static_cast<std::size_t>(l)] =
                static_cast<int>(std::find(types.begin(), types.end(), c.layerTypes[static_cast<std::size_t>(l)]) - types.begin());
    } else {
        context.where = where;
        c.ropes.push_back(readRopeSpec(params, context));
    }
    for (int l = 0; l < c.layers; ++l)
        if (!usesRope[static_cast<std::size_t>(l)]) c.layerRope[static_cast<std::size_t>(l)] = -1;
}

void readEncoderDecoder(ModelConfig& c, const ConfigReader& r) {
    const ConfigKeys& k = c.spec().keys;
    c.decoderLayers = r.positiveIntOr(k.decoderLayers, c.layers, kMaxLayers);
    const auto sameAsEncoder = [&](const char* key, int encoder, const char* what) {
        if (const int decoder = r.positiveIntOr(key, encoder, 1 << 20); decoder != encoder)
            throw Error(r.file() + ": key '" + key + "' is " + std::to_string(decoder) + " but the encoder's " + what + " is " +
                        std::to_string(encoder) + "; AttnScope needs the decoder's to be the same");
    };
    sameAsEncoder(k.decoderHeads, c.heads, "head count");
    sameAsEncoder(k.decoderIntermediate, c.intermediate, "feed-forward width");
    if (c.spec().positions == PositionScheme::RelativeBuckets) {
        c.relativeBuckets = r.positiveInt(k.relativeBuckets, 1 << 12);
        c.relativeMaxDistance = r.positiveIntOr(k.relativeMaxDistance, 128, kMaxPositions);
    }
    c.decoderStartTokenId = r.intOr("decoder_start_token_id", c.padTokenId);
}

std::string lowerTrimmed(std::string s) {
    const auto notSpace = [](unsigned char ch) { return !std::isspace(ch); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
    s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return s;
}

// "a|b" as DebertaV2Config splits pos_att_type and norm_rel_ebd strings.
std::vector<std::string> splitBars(const std::string& s) {
    std::vector<std::string> parts;
    std::size_t from = 0;
    while (true) {
        const std::size_t bar = s.find('|', from);
        parts.push_back(lowerTrimmed(s.substr(from, bar == std::string::npos ? std::string::npos : bar - from)));
        if (bar == std::string::npos) return parts;
        from = bar + 1;
    }
}

// DeBERTa's relative score terms (DisentangledConfig), and the settings AttnScope does not run
// (conv_kernel_size, a pooler activation other than the table entry's GELU) as errors.
void readDisentangled(ModelConfig& c, const ConfigReader& r) {
    constexpr long long kMaxRelative = 1 << 20;
    DisentangledConfig& d = c.disentangled;
    if (r.intOr("conv_kernel_size", 0, kMaxRelative) > 0)
        throw Error(r.file() + ": key 'conv_kernel_size' asks for DeBERTa's convolution beside the first layer, which AttnScope does not run");
    if (const nlohmann::json& j = r.json(); j.contains("pooler_hidden_act") && j["pooler_hidden_act"] != "gelu")
        throw Error(r.file() + ": key 'pooler_hidden_act' is " + j["pooler_hidden_act"].dump() + "; AttnScope runs DeBERTa's pooler with gelu only");
    std::vector<std::string> types;
    if (r.has("pos_att_type")) {
        const nlohmann::json& t = r.json()["pos_att_type"];
        if (t.is_string()) {
            types = splitBars(t.get<std::string>());
        } else if (t.is_array()) {
            for (const auto& e : t) {
                if (!e.is_string()) throw Error(r.file() + ": key 'pos_att_type' must list strings (\"c2p\", \"p2c\")");
                types.push_back(lowerTrimmed(e.get<std::string>()));
            }
        } else {
            throw Error(r.file() + ": key 'pos_att_type' must be a list or a \"|\"-separated string");
        }
    }
    for (const std::string& t : types) {
        if (t == "c2p") d.contentToPosition = true;
        else if (t == "p2c") d.positionToContent = true;
        else if (!t.empty()) throw Error(r.file() + ": key 'pos_att_type' names '" + t + "', expected c2p or p2c");
    }
    d.enabled = r.boolOr("relative_attention", false);
    d.shareKey = r.boolOr("share_att_key", false);
    d.buckets = r.intOr("position_buckets", -1, kMaxRelative);
    d.maxRelative = r.intOr("max_relative_positions", -1, kMaxRelative);
    if (d.maxRelative < 1) d.maxRelative = c.maxPositions;
    for (const std::string& part : splitBars(r.stringOr("norm_rel_ebd", "none"))) d.normTable = d.normTable || part == "layer_norm";
    if (d.enabled && d.buckets > 0 && d.maxRelative <= d.buckets / 2)
        throw Error(r.file() + ": max_relative_positions (" + std::to_string(d.maxRelative) + ") must exceed half of position_buckets (" +
                    std::to_string(d.buckets) + ")");
    // transformers divides every score by sqrt(head_dim) times one share per term in pos_att_type.
    c.attentionScale = 1.0f / std::sqrt(static_cast<float>(c.headDim * d.scaleFactor()));
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

namespace {

// The config the family's keys are read from: its nested text config where it has one, over
// the top-level keys, over the family's defaults for keys config.json leaves out.
nlohmann::json effectiveConfig(const nlohmann::json& j, const FamilySpec& s, const std::string& fileName) {
    nlohmann::json merged = s.configDefaults;
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!s.nestedConfig || it.key() != s.nestedConfig) merged[it.key()] = *it;
    if (s.nestedConfig) {
        if (!j.contains(s.nestedConfig) || !j[s.nestedConfig].is_object())
            throw Error(fileName + ": missing key '" + s.nestedConfig + "' (the settings of the model AttnScope runs)");
        for (auto it = j[s.nestedConfig].begin(); it != j[s.nestedConfig].end(); ++it)
            if (it.key() != "model_type") merged[it.key()] = *it;
    }
    return merged;
}

// A composed model's config: the decoder's settings (with the keys the top level decides) as
// the model's own, the encoder's beside them. Each part is read as its own family's config.
ModelConfig composedConfig(const nlohmann::json& j, const ComposedSpec& s, const std::string& type, const std::string& fileName) {
    const auto part = [&](const char* key) -> const nlohmann::json& {
        if (!j.contains(key) || !j[key].is_object())
            throw Error(fileName + ": missing key '" + key + "' (the " + key + "'s settings of a " + type + " model)");
        return j[key];
    };
    ModelConfig encoder = ModelConfig::fromJson(part(s.encoderKey), fileName + " (" + s.encoderKey + ")");
    if (encoder.composed) throw Error(fileName + ": the " + s.encoderKey + " of a " + type + " cannot itself be made of two models");
    if (s.encoderReadsImages && !encoder.spec().readsImages())
        throw Error(fileName + ": the " + s.encoderKey + " of a " + type + " must be a vision model; " + encoder.modelType + " reads text");
    if (!encoder.ropes.empty()) throw Error(fileName + ": the " + s.encoderKey + " of a " + type + " cannot use rotary positions");
    nlohmann::json decoderJson = part(s.decoderKey);
    for (const std::string& key : s.topLevelKeys)
        if (j.contains(key) && !j[key].is_null()) decoderJson[key] = j[key];
    const std::string decoderFile = fileName + " (" + s.decoderKey + ")";
    ModelConfig c = ModelConfig::fromJson(decoderJson, decoderFile);
    const ConfigReader r(c.raw, decoderFile);
    // transformers' decoder reads the encoder only through the cross-attention that
    // add_cross_attention builds; without it the checkpoint has none to run.
    if (!c.causal || c.composed || !c.spec().hasRole(TensorRole::CrossQ))
        throw Error(fileName + ": the " + s.decoderKey + " of a " + type +
                    " must be a causal language model with cross-attention (gpt2); " + c.modelType + " is not one");
    if (!r.boolOr("add_cross_attention", false))
        throw Error(decoderFile + ": add_cross_attention is not true, so this " + c.modelType + " decoder has no cross-attention to read the " +
                    s.encoderKey + " with");
    c.modelType = type;
    c.composed = &s;
    c.decoderLayers = c.layers;
    // generate() starts the decoder from decoder_start_token_id, else from the BOS token.
    c.decoderStartTokenId = r.intOr("decoder_start_token_id", r.intOr("bos_token_id", -1));
    if (c.decoderStartTokenId < 0) throw Error(fileName + ": missing key 'decoder_start_token_id' (the token the caption starts from)");
    c.encoder = std::make_shared<const ModelConfig>(std::move(encoder));
    return c;
}

}  // namespace

ModelConfig ModelConfig::fromJson(const nlohmann::json& j, const std::string& fileName) {
    if (!j.is_object()) throw Error(fileName + ": expected a JSON object");
    ModelConfig c;
    c.modelType = ConfigReader(j, fileName).stringOr("model_type", "");
    if (c.modelType.empty()) throw Error(fileName + ": missing key 'model_type'");
    if (const ComposedSpec* composed = findComposed(c.modelType)) return composedConfig(j, *composed, c.modelType, fileName);
    c.family = findFamily(c.modelType);
    if (!c.family) {
        std::string list;
        for (const auto& t : supportedModelTypes()) list += (list.empty() ? "" : ", ") + t;
        throw Error(fileName + ": model_type '" + c.modelType + "' is not supported (supported: " + list + ")");
    }
    const FamilySpec& s = c.spec();
    c.raw = effectiveConfig(j, s, fileName);
    const ConfigReader r(c.raw, s.nestedConfig ? fileName + " (" + s.nestedConfig + ")" : fileName);
    readSizes(c, r);
    readSwitches(c, r);
    readScores(c, r);
    checkHeads(c, fileName);
    const std::vector<bool> usesRope = readRopeLayers(c, r);
    if (s.window.rule == WindowRule::AttentionLayers) readAttentionLayers(c, r);
    if (s.window.rule == WindowRule::SlidingWindow) readSlidingWindow(c, r, s.window, usesRope);
    if (c.layerWindow.empty()) c.layerWindow.assign(static_cast<std::size_t>(c.layers), 0);
    if (c.layerTypes.empty())
        for (const int w : c.layerWindow) c.layerTypes.push_back(w > 0 ? "sliding_attention" : "full_attention");
    if (s.positions == PositionScheme::Rotary) readRope(c, r, usesRope);
    if (s.positions == PositionScheme::Disentangled) readDisentangled(c, r);
    if (s.isEncoderDecoder()) readEncoderDecoder(c, r);
    if (s.readsImages()) readImage(c, r);
    readLabels(c, c.raw, fileName);
    return c;
}

}  // namespace attnscope
