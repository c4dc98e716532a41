#include "model/ModelConfig.h"

#include <fstream>

#include "Error.h"

namespace attnscope {
namespace {

// Reads typed config keys, naming the file and key in every error.
class ConfigReader {
public:
    ConfigReader(const nlohmann::json& j, std::string file) : j_(j), file_(std::move(file)) {}

    bool has(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }

    int positiveInt(const char* key, long long maxValue) const {
        if (!has(key)) throw Error(file_ + ": missing key '" + key + "'");
        return checkInt(key, j_[key], 1, maxValue);
    }
    int positiveIntOr(const char* key, int fallback, long long maxValue) const {
        return has(key) ? checkInt(key, j_[key], 1, maxValue) : fallback;
    }
    int intOr(const char* key, int fallback) const {
        return has(key) ? checkInt(key, j_[key], -1, 1LL << 31) : fallback;
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
    std::string stringOr(const char* key, const std::string& fallback) const {
        if (!has(key)) return fallback;
        if (!j_[key].is_string()) throw Error(file_ + ": key '" + key + "' must be a string");
        return j_[key].get<std::string>();
    }
    const std::string& file() const { return file_; }

private:
    int checkInt(const char* key, const nlohmann::json& v, long long minValue, long long maxValue) const {
        if (!v.is_number_integer())
            throw Error(file_ + ": key '" + key + "' must be an integer");
        const auto x = v.get<long long>();
        if (x < minValue || x > maxValue)
            throw Error(file_ + ": key '" + key + "' is " + std::to_string(x) + ", expected " +
                        std::to_string(minValue) + " to " + std::to_string(maxValue));
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
    throw Error(file + ": key '" + key + "' names activation '" + name +
                "', expected one of gelu, gelu_new, gelu_pytorch_tanh, relu, silu");
}

void readEncoder(ModelConfig& c, const ConfigReader& r) {
    c.layers = r.positiveInt("num_hidden_layers", kMaxLayers);
    c.heads = r.positiveInt("num_attention_heads", kMaxHeads);
    c.hidden = r.positiveInt("hidden_size", kMaxHidden);
    c.intermediate = r.positiveInt("intermediate_size", kMaxHidden * 8);
    c.vocabSize = r.positiveInt("vocab_size", kMaxVocab);
    c.maxPositions = r.positiveInt("max_position_embeddings", kMaxPositions);
    c.typeVocabSize = r.has("type_vocab_size") ? r.intOr("type_vocab_size", 2) : 2;
    c.normEps = static_cast<float>(r.numberOr("layer_norm_eps", 1e-12));
    c.activation = parseActivation(r.stringOr("hidden_act", "gelu"), r.file(), "hidden_act");
    c.padTokenId = r.intOr("pad_token_id", c.family == Family::Roberta ? 1 : 0);
}

void readDistilBert(ModelConfig& c, const ConfigReader& r) {
    c.layers = r.positiveInt("n_layers", kMaxLayers);
    c.heads = r.positiveInt("n_heads", kMaxHeads);
    c.hidden = r.positiveInt("dim", kMaxHidden);
    c.intermediate = r.positiveInt("hidden_dim", kMaxHidden * 8);
    c.vocabSize = r.positiveInt("vocab_size", kMaxVocab);
    c.maxPositions = r.positiveInt("max_position_embeddings", kMaxPositions);
    c.typeVocabSize = 0;
    c.normEps = 1e-12f;  // DistilBERT's LayerNorms hard-code this
    c.activation = parseActivation(r.stringOr("activation", "gelu"), r.file(), "activation");
    c.padTokenId = r.intOr("pad_token_id", 0);
}

void readGpt2(ModelConfig& c, const ConfigReader& r) {
    c.layers = r.positiveInt("n_layer", kMaxLayers);
    c.heads = r.positiveInt("n_head", kMaxHeads);
    c.hidden = r.positiveInt("n_embd", kMaxHidden);
    c.intermediate = r.positiveIntOr("n_inner", 4 * c.hidden, kMaxHidden * 8);
    c.vocabSize = r.positiveInt("vocab_size", kMaxVocab);
    c.maxPositions = r.positiveInt("n_positions", kMaxPositions);
    c.normEps = static_cast<float>(r.numberOr("layer_norm_epsilon", 1e-5));
    c.activation = parseActivation(r.stringOr("activation_function", "gelu_new"), r.file(), "activation_function");
    c.causal = true;
    c.tieWordEmbeddings = r.boolOr("tie_word_embeddings", true);
    c.scaleAttention = r.boolOr("scale_attn_weights", true);
    c.scaleByInverseLayer = r.boolOr("scale_attn_by_inverse_layer_idx", false);
}

void readGptNeo(ModelConfig& c, const ConfigReader& r, const nlohmann::json& j) {
    c.layers = r.positiveInt("num_layers", kMaxLayers);
    c.heads = r.positiveInt("num_heads", kMaxHeads);
    c.hidden = r.positiveInt("hidden_size", kMaxHidden);
    c.intermediate = r.positiveIntOr("intermediate_size", 4 * c.hidden, kMaxHidden * 8);
    c.vocabSize = r.positiveInt("vocab_size", kMaxVocab);
    c.maxPositions = r.positiveInt("max_position_embeddings", kMaxPositions);
    c.normEps = static_cast<float>(r.numberOr("layer_norm_epsilon", 1e-5));
    c.activation = parseActivation(r.stringOr("activation_function", "gelu_new"), r.file(), "activation_function");
    c.causal = true;
    c.tieWordEmbeddings = r.boolOr("tie_word_embeddings", true);
    c.scaleAttention = false;  // GPT-Neo does not divide scores by sqrt(head_dim)
    c.attentionBias = false;   // q/k/v have no bias; out_proj and the MLP do
    const int window = r.positiveInt("window_size", kMaxPositions);
    if (!j.contains("attention_layers") || !j["attention_layers"].is_array() ||
        static_cast<int>(j["attention_layers"].size()) != c.layers)
        throw Error(r.file() + ": key 'attention_layers' must list 'global' or 'local' for each of the " +
                    std::to_string(c.layers) + " layers");
    for (const auto& t : j["attention_layers"]) {
        const std::string type = t.is_string() ? t.get<std::string>() : "";
        if (type != "global" && type != "local")
            throw Error(r.file() + ": key 'attention_layers' has '" + type + "', expected 'global' or 'local'");
        c.layerWindow.push_back(type == "local" ? window : 0);
    }
}

void readRope(ModelConfig& c, const ConfigReader& r, const nlohmann::json& j);

void readT5(ModelConfig& c, const ConfigReader& r) {
    c.layers = r.positiveInt("num_layers", kMaxLayers);
    c.decoderLayers = r.positiveIntOr("num_decoder_layers", c.layers, kMaxLayers);
    c.heads = r.positiveInt("num_heads", kMaxHeads);
    c.hidden = r.positiveInt("d_model", kMaxHidden);
    c.headDim = r.positiveInt("d_kv", kMaxHidden);  // T5 allows heads * d_kv != d_model
    c.intermediate = r.positiveInt("d_ff", kMaxHidden * 8);
    c.vocabSize = r.positiveInt("vocab_size", kMaxVocab);
    c.maxPositions = r.positiveIntOr("n_positions", 512, kMaxPositions);  // nominal: positions are relative
    c.normEps = static_cast<float>(r.numberOr("layer_norm_epsilon", 1e-6));
    const std::string proj = r.stringOr("feed_forward_proj", "relu");
    const bool gated = proj.rfind("gated-", 0) == 0;
    c.activation = parseActivation(r.stringOr("dense_act_fn", gated ? proj.substr(6) : proj), r.file(), "dense_act_fn");
    c.gatedMlp = gated;
    c.relativeBuckets = r.positiveInt("relative_attention_num_buckets", 1 << 12);
    c.relativeMaxDistance = r.positiveIntOr("relative_attention_max_distance", 128, kMaxPositions);
    c.decoderStartTokenId = r.intOr("decoder_start_token_id", r.intOr("pad_token_id", 0));
    c.tieWordEmbeddings = r.boolOr("tie_word_embeddings", true);
    c.scaleAttention = false;  // T5 folds the scale into its initialisation
    c.attentionBias = c.outputBias = c.mlpBias = false;
    c.padTokenId = r.intOr("pad_token_id", 0);
}

void readVision(ModelConfig& c, const ConfigReader& r) {
    c.layers = r.positiveInt("num_hidden_layers", kMaxLayers);
    c.heads = r.positiveInt("num_attention_heads", kMaxHeads);
    c.hidden = r.positiveInt("hidden_size", kMaxHidden);
    c.intermediate = r.positiveInt("intermediate_size", kMaxHidden * 8);
    c.normEps = static_cast<float>(r.numberOr("layer_norm_eps", 1e-12));
    c.activation = parseActivation(r.stringOr("hidden_act", "gelu"), r.file(), "hidden_act");
    c.imageSize = r.positiveInt("image_size", 1 << 14);
    c.patchSize = r.positiveInt("patch_size", 1 << 12);
    c.channels = r.positiveIntOr("num_channels", 3, 64);
    if (c.imageSize % c.patchSize != 0)
        throw Error(r.file() + ": image_size " + std::to_string(c.imageSize) + " is not a multiple of patch_size " +
                    std::to_string(c.patchSize));
    c.attentionBias = r.boolOr("qkv_bias", true);
    c.outputBias = c.mlpBias = true;
    // One position per patch plus the CLS token (and DeiT's distillation token).
    c.maxPositions = c.patchCount() + (c.family == Family::Deit ? 2 : 1);
}

void readGptNeoX(ModelConfig& c, const ConfigReader& r, const nlohmann::json& j) {
    c.layers = r.positiveInt("num_hidden_layers", kMaxLayers);
    c.heads = r.positiveInt("num_attention_heads", kMaxHeads);
    c.hidden = r.positiveInt("hidden_size", kMaxHidden);
    c.intermediate = r.positiveInt("intermediate_size", kMaxHidden * 8);
    c.vocabSize = r.positiveInt("vocab_size", kMaxVocab);
    c.maxPositions = r.positiveInt("max_position_embeddings", kMaxPositions);
    c.normEps = static_cast<float>(r.numberOr("layer_norm_eps", 1e-5));
    c.activation = parseActivation(r.stringOr("hidden_act", "gelu"), r.file(), "hidden_act");
    c.causal = true;
    c.tieWordEmbeddings = r.boolOr("tie_word_embeddings", false);
    c.attentionBias = c.outputBias = r.boolOr("attention_bias", true);
    c.parallelResidual = r.boolOr("use_parallel_residual", true);
    c.ropeTheta = r.numberOr("rotary_emb_base", 10000.0);
    readRope(c, r, j);
    // transformers 5 keeps the rotary fraction in rope_parameters; older configs say rotary_pct.
    double fraction = r.numberOr("rotary_pct", 0.25);
    if (j.contains("rope_parameters") && j["rope_parameters"].is_object() &&
        j["rope_parameters"].contains("partial_rotary_factor") && j["rope_parameters"]["partial_rotary_factor"].is_number())
        fraction = j["rope_parameters"]["partial_rotary_factor"].get<double>();
    else if (r.has("partial_rotary_factor"))
        fraction = r.numberOr("partial_rotary_factor", fraction);
    if (!(fraction > 0.0 && fraction <= 1.0))
        throw Error(r.file() + ": rotary fraction " + std::to_string(fraction) + " must be in (0, 1]");
    c.rotaryFraction = fraction;
}

void readRope(ModelConfig& c, const ConfigReader& r, const nlohmann::json& j) {
    // transformers 5 nests rope settings in rope_parameters; older configs use rope_theta
    // and rope_scaling at the top level.
    c.ropeTheta = r.numberOr("rope_theta", 10000.0);
    const nlohmann::json* params = nullptr;
    if (j.contains("rope_parameters") && j["rope_parameters"].is_object()) params = &j["rope_parameters"];
    else if (j.contains("rope_scaling") && j["rope_scaling"].is_object()) params = &j["rope_scaling"];
    if (!params) return;
    const std::string key = j.contains("rope_parameters") ? "rope_parameters" : "rope_scaling";
    ConfigReader p(*params, r.file() + ": " + key);
    c.ropeTheta = p.numberOr("rope_theta", c.ropeTheta);
    c.ropeType = p.stringOr("rope_type", p.stringOr("type", "default"));
    c.ropeFactor = p.numberOr("factor", 1.0);
    c.ropeLowFreqFactor = p.numberOr("low_freq_factor", 1.0);
    c.ropeHighFreqFactor = p.numberOr("high_freq_factor", 4.0);
    c.ropeOriginalMaxPositions = p.positiveIntOr("original_max_position_embeddings", 8192, kMaxPositions);
    if (c.ropeType != "default" && c.ropeType != "linear" && c.ropeType != "llama3")
        throw Error(r.file() + ": " + key + ".rope_type '" + c.ropeType +
                    "' is not supported (supported: default, linear, llama3)");
}

void readLlama(ModelConfig& c, const ConfigReader& r, const nlohmann::json& j) {
    c.layers = r.positiveInt("num_hidden_layers", kMaxLayers);
    c.heads = r.positiveInt("num_attention_heads", kMaxHeads);
    c.kvHeads = r.positiveIntOr("num_key_value_heads", c.heads, kMaxHeads);
    c.hidden = r.positiveInt("hidden_size", kMaxHidden);
    c.intermediate = r.positiveInt("intermediate_size", kMaxHidden * 8);
    c.vocabSize = r.positiveInt("vocab_size", kMaxVocab);
    c.maxPositions = r.positiveIntOr("max_position_embeddings", 4096, kMaxPositions);
    c.headDim = r.positiveIntOr("head_dim", 0, kMaxHidden);
    c.normEps = static_cast<float>(r.numberOr("rms_norm_eps", 1e-6));
    c.activation = parseActivation(r.stringOr("hidden_act", "silu"), r.file(), "hidden_act");
    c.causal = true;
    c.tieWordEmbeddings = r.boolOr("tie_word_embeddings", false);
    readRope(c, r, j);
    if (c.modelType == "qwen2") {
        c.attentionBias = true;  // Qwen2 always has q/k/v biases and never an o bias
        c.outputBias = false;
    } else {
        c.attentionBias = r.boolOr("attention_bias", false);
        c.outputBias = c.attentionBias;
    }
    c.mlpBias = r.boolOr("mlp_bias", false);

    int window = r.has("sliding_window") ? r.positiveInt("sliding_window", kMaxPositions) : 0;
    if (c.modelType == "qwen2" && !r.boolOr("use_sliding_window", false)) window = 0;
    c.layerWindow.assign(c.layers, window);
    if (j.contains("layer_types") && j["layer_types"].is_array()) {
        const auto& types = j["layer_types"];
        if (static_cast<int>(types.size()) != c.layers)
            throw Error(r.file() + ": key 'layer_types' has " + std::to_string(types.size()) + " entries for " +
                        std::to_string(c.layers) + " layers");
        for (int l = 0; l < c.layers; ++l)
            c.layerWindow[l] = (types[l].is_string() && types[l].get<std::string>() == "sliding_attention") ? window : 0;
    } else if (c.modelType == "qwen2" && window > 0) {
        const int firstSliding = r.intOr("max_window_layers", c.layers);
        for (int l = 0; l < c.layers; ++l) c.layerWindow[l] = l >= firstSliding ? window : 0;
    }
}

}  // namespace

std::vector<std::string> ModelConfig::supportedModelTypes() {
    return {"bert", "roberta", "distilbert", "gpt2", "gpt_neo", "gpt_neox", "llama", "mistral", "qwen2", "vit", "deit", "t5"};
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

    if (c.modelType == "bert") c.family = Family::Bert;
    else if (c.modelType == "roberta") c.family = Family::Roberta;
    else if (c.modelType == "distilbert") c.family = Family::DistilBert;
    else if (c.modelType == "gpt2") c.family = Family::Gpt2;
    else if (c.modelType == "gpt_neo") c.family = Family::GptNeo;
    else if (c.modelType == "gpt_neox") c.family = Family::GptNeoX;
    else if (c.modelType == "vit") c.family = Family::Vit;
    else if (c.modelType == "deit") c.family = Family::Deit;
    else if (c.modelType == "t5") c.family = Family::T5;
    else if (c.modelType == "llama" || c.modelType == "mistral" || c.modelType == "qwen2") c.family = Family::Llama;
    else {
        std::string list;
        for (const auto& t : supportedModelTypes()) list += (list.empty() ? "" : ", ") + t;
        throw Error(fileName + ": model_type '" + c.modelType + "' is not supported (supported: " + list + ")");
    }

    switch (c.family) {
    case Family::Bert:
    case Family::Roberta: readEncoder(c, r); break;
    case Family::DistilBert: readDistilBert(c, r); break;
    case Family::Gpt2: readGpt2(c, r); break;
    case Family::Llama: readLlama(c, r, j); break;
    case Family::GptNeo: readGptNeo(c, r, j); break;
    case Family::GptNeoX: readGptNeoX(c, r, j); break;
    case Family::Vit:
    case Family::Deit: readVision(c, r); break;
    case Family::T5: readT5(c, r); break;
    }
    // A decoder's pad token matters only to its sequence classifier, which reads the last token
    // that is not padding; without one in config.json (-1) it reads the last token.
    if (c.causal) c.padTokenId = r.intOr("pad_token_id", -1);
    if (c.kvHeads == 0) c.kvHeads = c.heads;
    if (c.headDim == 0) {
        if (c.hidden % c.heads != 0)
            throw Error(fileName + ": hidden size " + std::to_string(c.hidden) + " is not divisible by " +
                        std::to_string(c.heads) + " attention heads");
        c.headDim = c.hidden / c.heads;
    }
    if (c.heads % c.kvHeads != 0)
        throw Error(fileName + ": num_key_value_heads " + std::to_string(c.kvHeads) + " does not divide " +
                    std::to_string(c.heads) + " attention heads");
    if (c.layerWindow.empty()) c.layerWindow.assign(c.layers, 0);
    if (c.family == Family::Llama || c.family == Family::GptNeoX)
        c.rotaryDims = static_cast<int>(c.headDim * c.rotaryFraction);
    if ((c.family == Family::Llama || c.family == Family::GptNeoX) && (c.rotaryDims % 2 != 0 || c.rotaryDims < 2))
        throw Error(fileName + ": " + std::to_string(c.rotaryDims) + " rotary dimensions per head; expected an even number of at least 2");

    if (j.contains("id2label") && j["id2label"].is_object()) {
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
    return c;
}

}  // namespace attnscope
