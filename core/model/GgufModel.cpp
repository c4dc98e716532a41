#include "model/GgufModel.h"

#include <fstream>
#include <regex>

#include "Error.h"
#include "model/GgufTokenizer.h"

#include <cmath>
#include <optional>

namespace attnscope {
namespace {

using R = TensorRole;

// llama.cpp's tensor names by role (llama-arch.cpp, LLM_TENSOR_NAMES): the same for every
// architecture that has the role. "{L}" is the layer.
const std::map<std::string, R>& ggufRoleNames() {
    static const std::map<std::string, R> names = {
        {"token_embd", R::TokenEmbedding},         {"output_norm", R::FinalNorm},
        {"position_embd", R::PositionEmbedding},   {"token_types", R::TokenTypeEmbedding},
        {"token_embd_norm", R::EmbeddingNorm},
        // BERT's LayerNorms after the attention and after the MLP (a post-norm family's
        // AttnNorm and MlpNorm).
        {"blk.{L}.attn_output_norm", R::AttnNorm}, {"blk.{L}.layer_output_norm", R::MlpNorm},
        // T5's, under "enc." and "dec.": its own name for the attention's output, the relative
        // position bias, and the decoder's cross-attention.
        {"blk.{L}.attn_o", R::AttnOut},            {"blk.{L}.attn_rel_b", R::RelativeBias},
        {"blk.{L}.cross_attn_norm", R::CrossNorm}, {"blk.{L}.cross_attn_q", R::CrossQ},
        {"blk.{L}.cross_attn_k", R::CrossK},       {"blk.{L}.cross_attn_v", R::CrossV},
        {"blk.{L}.cross_attn_o", R::CrossOut},
        {"blk.{L}.attn_norm", R::AttnNorm},        {"blk.{L}.attn_q", R::AttnQ},
        {"blk.{L}.attn_k", R::AttnK},              {"blk.{L}.attn_v", R::AttnV},
        {"blk.{L}.attn_qkv", R::AttnQkv},          {"blk.{L}.attn_output", R::AttnOut},
        {"blk.{L}.attn_q_norm", R::AttnQNorm},     {"blk.{L}.attn_k_norm", R::AttnKNorm},
        {"blk.{L}.post_attention_norm", R::AttnOutNorm}, {"blk.{L}.ffn_norm", R::MlpNorm},
        {"blk.{L}.ffn_gate", R::MlpGate},          {"blk.{L}.ffn_up", R::MlpUp},
        {"blk.{L}.ffn_down", R::MlpDown},          {"blk.{L}.post_ffw_norm", R::MlpOutNorm},
    };
    return names;
}

// The architectures AttnScope runs from GGUF, as general.architecture names them, and what
// llama.cpp's converter did to their weights.
struct GgufArchitecture {
    const char* name;
    const char* modelType;        // the family table's model_type
    bool interleavedRotaryRows;   // Q and K rows permuted into rotary pairs (LlamaModel.permute)
    const char* activation;       // the activation, which GGUF does not store; nullptr: the family's default
    float normOffset = 0.0f;      // the converter stored every norm weight as w + this (Gemma: 1)
    bool fusedGateUp = false;     // ffn_up holds [gate | up] (Phi-3's gate_up_proj)
    // GGUF does not store Gemma 2/3's query_pre_attn_scalar: llama.cpp takes head_dim, except for
    // the 27B models (this many layers), where it takes hidden / heads. 0: not this family.
    int queryScalarIsWidthPerHeadAt = 0;
    // The fused query_key_value rows are q, k, v per head in the checkpoint and all queries, all
    // keys, all values in the file (GPTNeoXModel.modify_tensors).
    bool qkvGroupedByKind = false;
    const char* hfArchitecture = nullptr;  // the checkpoint class the converter takes, where the family's head depends on it
};

constexpr GgufArchitecture kArchitectures[] = {
    {"llama", "llama", true, "silu"},  // Llama 1-3, Mistral (llama.cpp converts both as llama)
    {"qwen2", "qwen2", false, "silu"},
    {"qwen3", "qwen3", false, "silu"},
    {"gpt2", "gpt2", false, nullptr},
    {"gemma", "gemma", false, "gelu_pytorch_tanh", 1.0f},
    {"gemma2", "gemma2", false, "gelu_pytorch_tanh", 1.0f, false, 46},
    {"gemma3", "gemma3_text", false, "gelu_pytorch_tanh", 1.0f, false, 62},
    {"phi3", "phi3", false, "silu", 0.0f, true},
    {"gptneox", "gpt_neox", false, nullptr, 0.0f, false, 0, true},  // Pythia, GPT-NeoX
    {"olmo2", "olmo2", false, "silu"},
    // llama.cpp skips RoPE on every fourth layer, as SmolLM3Config's default interval does.
    {"smollm3", "smollm3", true, "silu"},
    // BERT, and DistilBERT, which the converter writes as BERT without token types. Their
    // pooler and masked-LM head are not converted: the model is the encoder alone.
    {"bert", "bert", false, nullptr},
    // ModernBERT: ffn_up holds Wi, [input | gate] with the first half activated, as Phi-3's.
    {"modern-bert", "modernbert", false, nullptr, 0.0f, true},
    // T5: an encoder ("enc.") and a decoder ("dec."); the converter takes only
    // *ForConditionalGeneration checkpoints, whose tied head reads the output rescaled.
    {"t5", "t5", false, nullptr, 0.0f, false, 0, false, "T5ForConditionalGeneration"},
};

const GgufArchitecture& architectureOf(const GgufFile& f) {
    const std::string arch = f.requiredString("general.architecture");
    for (const auto& a : kArchitectures)
        if (arch == a.name) return a;
    std::string known;
    for (const auto& a : kArchitectures) known += std::string(known.empty() ? "" : ", ") + a.name;
    throw Error(f.path().string() + ": GGUF architecture '" + arch + "' is not one AttnScope runs (it runs " + known + ")");
}

constexpr const char* kRopeFrequencyDivisors = "rope_freqs.weight";
constexpr const char* kRopeFactorsLong = "rope_factors_long.weight";
constexpr const char* kRopeFactorsShort = "rope_factors_short.weight";

bool isNormRole(R role) {
    return role == R::AttnNorm || role == R::AttnOutNorm || role == R::AttnQNorm || role == R::AttnKNorm || role == R::MlpNorm ||
           role == R::MlpOutNorm || role == R::FinalNorm;
}

std::int64_t rowsOf(const GgufFile& f, const std::string& tensor) {
    const TensorInfo* t = f.findTensor(tensor);
    if (!t) throw Error(f.path().string() + ": missing tensor '" + tensor + "'");
    return t->shape.empty() ? 1 : t->shape.front();
}

// GPTNeoXModel stored row p*heads*d + h*d + i (p: q, k, v) where the checkpoint has row
// (h*3 + p)*d + i.
std::vector<std::int64_t> perHeadQkvOrder(std::int64_t rows, std::int64_t heads, const std::string& where) {
    if (heads <= 0 || rows % (3 * heads) != 0)
        throw Error(where + ": cannot put the query/key/value rows back per head (" + std::to_string(rows) + " rows, " + std::to_string(heads) + " heads)");
    const std::int64_t d = rows / (3 * heads);
    std::vector<std::int64_t> order(static_cast<std::size_t>(rows));
    for (std::int64_t h = 0; h < heads; ++h)
        for (std::int64_t p = 0; p < 3; ++p)
            for (std::int64_t i = 0; i < d; ++i) order[static_cast<std::size_t>((h * 3 + p) * d + i)] = p * heads * d + h * d + i;
    return order;
}

// LlamaModel.permute stored row h*d + 2i + j where the checkpoint has row h*d + j*(d/2) + i.
std::vector<std::int64_t> rotaryPairOrder(std::int64_t rows, std::int64_t heads, const std::string& where) {
    if (heads <= 0 || rows % heads != 0 || (rows / heads) % 2 != 0)
        throw Error(where + ": cannot put the rotary rows back in order (" + std::to_string(rows) + " rows, " + std::to_string(heads) + " heads)");
    const std::int64_t d = rows / heads, half = d / 2;
    std::vector<std::int64_t> order(static_cast<std::size_t>(rows));
    for (std::int64_t h = 0; h < heads; ++h)
        for (std::int64_t j = 0; j < 2; ++j)
            for (std::int64_t i = 0; i < half; ++i) order[static_cast<std::size_t>(h * d + j * half + i)] = h * d + 2 * i + j;
    return order;
}

}  // namespace

bool isGgufFile(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return false;
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    in.read(magic, 4);
    return in.gcount() == 4 && std::string(magic, 4) == "GGUF";
}

namespace {

// A tensor of one factor per rotary frequency (Phi-3's LongRoPE factors, Llama 3.1's
// rope_freqs), as numbers.
std::vector<double> factorTensor(const GgufFile& f, const std::string& name, std::uint64_t frequencies) {
    const TensorInfo* t = f.findTensor(name);
    if (!t) throw Error(f.path().string() + ": tensor '" + name + "' is missing (LongRoPE needs both rope_factors_long and rope_factors_short)");
    if (isBlockQuantized(t->dtype) || t->shape.size() != 1 || std::uint64_t(t->shape[0]) != frequencies)
        throw Error(f.path().string() + ": tensor '" + name + "' has shape " + t->shapeString() + "; expected one factor for each of the " +
                    std::to_string(frequencies) + " rotary frequencies");
    std::vector<float> values(static_cast<std::size_t>(t->shape[0]));
    convertToFloat(t->dtype, f.bytes(*t), values.size(), values.data());
    return {values.begin(), values.end()};
}

// The rotary scaling as transformers' rope_scaling entry says it. The converter writes YaRN's
// parameters under rope.scaling.*, and Phi-3's LongRoPE factors as two tensors.
void writeRotaryScaling(const GgufFile& f, const std::string& k, std::uint64_t rotaryDims, nlohmann::json& c) {
    const std::string where = f.path().string();
    const bool longRope = f.findTensor(kRopeFactorsLong) || f.findTensor(kRopeFactorsShort);
    const std::string scaling = f.find(k + "rope.scaling.type") ? f.requiredString(k + "rope.scaling.type") : longRope ? "longrope" : "none";
    auto required = [&](const char* key) {
        const auto v = f.optionalNumber(k + key);
        if (!v) throw Error(where + ": metadata '" + k + key + "' is missing (rotary scaling '" + scaling + "' needs it)");
        return *v;
    };
    auto originalLength = [&] {
        const auto v = f.optionalUnsigned(k + "rope.scaling.original_context_length");
        if (!v) throw Error(where + ": metadata '" + k + "rope.scaling.original_context_length' is missing (rotary scaling '" + scaling + "' needs it)");
        return *v;
    };
    if (scaling == "none") return;
    if (scaling == "linear") {
        c["rope_scaling"] = {{"rope_type", "linear"}, {"factor", required("rope.scaling.factor")}};
    } else if (scaling == "yarn") {
        // llama.cpp's extrapolation mix and DeepSeek's log multiplier have no transformers key.
        if (f.optionalNumber(k + "rope.scaling.yarn_ext_factor").value_or(1.0) != 1.0 || f.find(k + "rope.scaling.yarn_log_multiplier"))
            throw Error(where + ": YaRN with '" + k + "rope.scaling.yarn_ext_factor' or '" + k +
                        "rope.scaling.yarn_log_multiplier' is not one AttnScope runs");
        nlohmann::json r = {{"rope_type", "yarn"}, {"factor", required("rope.scaling.factor")},
                            {"original_max_position_embeddings", originalLength()}};
        if (auto a = f.optionalNumber(k + "rope.scaling.yarn_attn_factor")) r["attention_factor"] = *a;
        if (auto b = f.optionalNumber(k + "rope.scaling.yarn_beta_fast")) r["beta_fast"] = *b;
        if (auto b = f.optionalNumber(k + "rope.scaling.yarn_beta_slow")) r["beta_slow"] = *b;
        c["rope_scaling"] = std::move(r);
    } else if (scaling == "longrope") {
        // transformers picks the long factors for a sequence longer than the pretraining length;
        // llama.cpp for a context longer than it.
        const std::uint64_t original = originalLength();
        nlohmann::json r = {{"rope_type", "longrope"}, {"long_factor", factorTensor(f, kRopeFactorsLong, rotaryDims / 2)},
                            {"short_factor", factorTensor(f, kRopeFactorsShort, rotaryDims / 2)}, {"original_max_position_embeddings", original}};
        if (auto a = f.optionalNumber(k + "rope.scaling.attn_factor")) r["attention_factor"] = *a;
        c["rope_scaling"] = std::move(r);
        c["original_max_position_embeddings"] = original;  // where Phi-3 reads it (4096 when absent)
    } else {
        throw Error(where + ": rotary scaling '" + scaling + "' (" + k + "rope.scaling.type) is not one AttnScope reads from GGUF");
    }
}

// What a config.json would say of the model's rotary embedding: base, scaling and share of each
// head, as a transformers 4 config.json says it (rope_theta and Gemma 3's rope_local_base_freq
// at the top, the scaling in rope_scaling).
void writeRotaryKeys(const GgufFile& f, const std::string& k, const FamilySpec& spec, std::uint64_t headDim, nlohmann::json& c) {
    const ConfigKeys& keys = spec.keys;
    if (spec.positions != PositionScheme::Rotary) {
        for (const char* name : {kRopeFactorsLong, kRopeFactorsShort})
            if (f.findTensor(name))
                throw Error(f.path().string() + ": tensor '" + name + "' scales a rotary embedding, and a " + spec.modelTypes.front() + " model has none");
        return;
    }
    c[keys.ropeTheta ? keys.ropeTheta : "rope_theta"] = f.optionalNumber(k + "rope.freq_base").value_or(10000.0);
    if (auto local = f.optionalNumber(k + "rope.freq_base_swa"); local && keys.localRopeTheta) c[keys.localRopeTheta] = *local;
    const auto rotary = f.optionalUnsigned(k + "rope.dimension_count");
    writeRotaryScaling(f, k, rotary.value_or(headDim), c);
    if (rotary && *rotary != headDim) {
        if (!keys.rotaryFraction)
            throw Error(f.path().string() + ": " + k + "rope.dimension_count is " + std::to_string(*rotary) + " of " + std::to_string(headDim) +
                        " head dimensions; a " + spec.modelTypes.front() + " model rotates them all");
        c[keys.rotaryFraction] = double(*rotary) / double(headDim);
    }
}

// How scores are scaled, capped and windowed (Gemma 2/3, Phi-3), and how the residual runs
// (GPT-NeoX).
void writeAttentionKeys(const GgufFile& f, const std::string& k, const GgufArchitecture& a, const FamilySpec& spec, nlohmann::json& c) {
    const ConfigKeys& keys = spec.keys;
    if (keys.attnSoftcap)
        if (auto cap = f.optionalNumber(k + "attn_logit_softcapping")) c[keys.attnSoftcap] = *cap;
    if (keys.finalSoftcap)
        if (auto cap = f.optionalNumber(k + "final_logit_softcapping")) c[keys.finalSoftcap] = *cap;
    // 0: none (the converter's mark of a Phi-3 without one).
    // Under the family's own keys: ModernBERT's local_attention is the whole span, as GGUF's is.
    if (auto window = f.optionalUnsigned(k + "attention.sliding_window"); window && *window > 0)
        c[spec.window.spanKey ? spec.window.spanKey : "sliding_window"] = *window;
    if (spec.window.patternKey)
        if (auto pattern = f.optionalUnsigned(k + "attention.sliding_window_pattern")) c[spec.window.patternKey] = *pattern;
    if (auto parallel = f.optionalBool(k + "use_parallel_residual")) c["use_parallel_residual"] = *parallel;
    if (a.queryScalarIsWidthPerHeadAt > 0 && keys.queryPreAttnScalar) {
        const std::uint64_t headDim = f.optionalUnsigned(k + "attention.key_length").value_or(256);
        const bool byWidth = c[keys.layers].get<std::uint64_t>() == std::uint64_t(a.queryScalarIsWidthPerHeadAt);
        c[keys.queryPreAttnScalar] = byWidth ? c[keys.hidden].get<std::uint64_t>() / c[keys.heads].get<std::uint64_t>() : headDim;
    }
}

// T5: the decoder's depth and start token, the relative position buckets, and the feed-forward
// kind, which GGUF states only by the tensors present (a gate: T5 v1.1's gated GELU).
void writeEncoderDecoderKeys(const GgufFile& f, const std::string& k, const ConfigKeys& keys, nlohmann::json& c) {
    if (keys.decoderLayers)
        if (auto n = f.optionalUnsigned(k + "decoder_block_count")) c[keys.decoderLayers] = *n;
    if (auto id = f.optionalUnsigned(k + "decoder_start_token_id")) c["decoder_start_token_id"] = *id;
    if (keys.relativeBuckets) {
        if (auto n = f.optionalUnsigned(k + "attention.relative_buckets_count")) c[keys.relativeBuckets] = *n;
        // Not stored: llama.cpp fixes it at 128, as every released T5 has it.
        if (keys.relativeMaxDistance) c[keys.relativeMaxDistance] = 128;
    }
    if (keys.feedForwardProj) {
        const bool gated = f.findTensor("enc.blk.0.ffn_gate.weight") != nullptr;
        c[keys.feedForwardProj] = gated ? "gated-gelu" : "relu";
        if (keys.activation) c[keys.activation] = gated ? "gelu_new" : "relu";
    }
}

}  // namespace

nlohmann::json ggufConfigJson(const GgufFile& f) {
    const GgufArchitecture& a = architectureOf(f);
    const FamilySpec* spec = findFamily(a.modelType);
    if (!spec) throw Error(f.path().string() + ": no family table for model_type '" + a.modelType + "'");
    // Written under the keys the family's table reads, so that the family's own config reader
    // makes the model (GPT-2 calls the width n_embd, Llama hidden_size).
    const ConfigKeys& keys = spec->keys;
    const std::string k = std::string(f.requiredString("general.architecture")) + ".";
    nlohmann::json c;
    c["model_type"] = a.modelType;
    c[keys.hidden] = f.requiredUnsigned(k + "embedding_length");
    c[keys.layers] = f.requiredUnsigned(k + "block_count");
    c[keys.intermediate] = f.requiredUnsigned(k + "feed_forward_length");
    const std::uint64_t heads = f.requiredUnsigned(k + "attention.head_count");
    c[keys.heads] = heads;
    if (keys.kvHeads) c[keys.kvHeads] = f.optionalUnsigned(k + "attention.head_count_kv").value_or(heads);
    const auto keyLength = f.optionalUnsigned(k + "attention.key_length");
    const std::uint64_t headDim = keyLength.value_or(c[keys.hidden].get<std::uint64_t>() / heads);
    if (keyLength && keys.headDim) c[keys.headDim] = headDim;
    auto eps = f.optionalNumber(k + "attention.layer_norm_rms_epsilon");
    if (!eps) eps = f.optionalNumber(k + "attention.layer_norm_epsilon");
    if (eps && keys.normEps) c[keys.normEps] = *eps;
    if (auto n = f.optionalUnsigned(k + "context_length"); n && keys.maxPositions) c[keys.maxPositions] = *n;
    writeRotaryKeys(f, k, *spec, headDim, c);
    writeAttentionKeys(f, k, a, *spec, c);
    c[keys.vocab] = rowsOf(f, "token_embd.weight");
    if (keys.typeVocab) c[keys.typeVocab] = f.findTensor("token_types.weight") ? rowsOf(f, "token_types.weight") : 0;
    c["tie_word_embeddings"] = f.findTensor("output.weight") == nullptr;
    if (a.activation) {
        c[keys.activation] = a.activation;
    } else if (auto act = f.optionalString(k + "hidden_activation"); act && keys.activation) {
        c[keys.activation] = *act;  // the converter's copy of hidden_activation (ModernBERT)
    }
    // The biases a family switches by config key, from the tensors present.
    c["attention_bias"] = f.findTensor("blk.0.attn_q.bias") != nullptr || f.findTensor("blk.0.attn_qkv.bias") != nullptr;
    c["mlp_bias"] = f.findTensor("blk.0.ffn_down.bias") != nullptr;
    c["norm_bias"] = f.findTensor("output_norm.bias") != nullptr || f.findTensor("token_embd_norm.bias") != nullptr;
    if (a.hfArchitecture) c["architectures"] = {a.hfArchitecture};
    writeEncoderDecoderKeys(f, k, keys, c);
    if (auto b = f.optionalUnsigned("tokenizer.ggml.bos_token_id")) c["bos_token_id"] = *b;
    if (auto e = f.optionalUnsigned("tokenizer.ggml.eos_token_id")) c["eos_token_id"] = *e;
    if (auto p = f.optionalUnsigned("tokenizer.ggml.padding_token_id")) c["pad_token_id"] = *p;
    return c;
}

namespace {

// Llama 3.1 and 3.2: the scaling of each rotary frequency (rope_freqs.weight), as llama.cpp
// applies it.
void readRopeFrequencyDivisors(const GgufFile& f, const GgufArchitecture& arch, ModelConfig& config) {
    if (!f.findTensor(kRopeFrequencyDivisors)) return;
    const std::string where = f.path().string() + ": tensor '" + kRopeFrequencyDivisors + "'";
    if (config.ropes.size() != 1)
        throw Error(where + " scales a rotary embedding, and this " + arch.name + " model has " + std::to_string(config.ropes.size()));
    const std::vector<double> values = factorTensor(f, kRopeFrequencyDivisors, std::uint64_t(config.ropes.front().rotaryDims / 2));
    for (double v : values)
        if (!(v > 0.0) || !std::isfinite(v)) throw Error(where + " has a factor that is not a positive number");
    config.ropes.front().divisors = values;
}

// Where one of the file's tensors goes among the family's checkpoint names — by its llama.cpp
// name's role, layer and stack — and what the converter did to it that loading undoes. Every
// tensor must be one the family reads: an unknown one would be silently ignored.
CheckpointWeights::GgufTensorName checkpointTensor(const GgufFile& f, const TensorInfo& t, const GgufArchitecture& arch,
                                                   const ModelConfig& config, const std::string& head) {
    static const std::regex layered(R"(blk\.(\d+)\.(.+))");
    const FamilySpec& spec = config.spec();
    const std::string where = f.path().string();
    const auto dot = t.name.rfind('.');
    const std::string base = dot == std::string::npos ? t.name : t.name.substr(0, dot);
    const std::string suffix = dot == std::string::npos ? "" : t.name.substr(dot);
    CheckpointWeights::GgufTensorName n{t.name, {}, {}};
    if (base == "output" && !head.empty()) {
        n.name = head + suffix;
        return n;
    }
    // An encoder-decoder's tensors are its encoder's ("enc.") or its decoder's ("dec.").
    const std::map<R, std::string>* roles = &spec.names;
    std::string stackPrefix, inStack = base;
    if (spec.isEncoderDecoder() && (base.rfind("enc.", 0) == 0 || base.rfind("dec.", 0) == 0)) {
        stackPrefix = base.substr(0, 4);
        inStack = base.substr(4);
        if (stackPrefix == "dec.") roles = &spec.decoderNames;
    }
    std::string pattern = inStack;
    int layer = -1;
    std::smatch match;
    if (std::regex_match(inStack, match, layered)) {
        layer = std::stoi(match[1].str());
        pattern = "blk.{L}." + match[2].str();
    }
    std::optional<R> known;
    if (const auto found = ggufRoleNames().find(pattern); found != ggufRoleNames().end())
        known = arch.fusedGateUp && found->second == R::MlpUp ? R::MlpGateUp : found->second;
    // Beside a gate, T5 v1.1's up projection is the gated unit's linear branch (wi_1).
    if (known == R::MlpUp && roles->count(R::MlpUpGated) && f.findTensor(stackPrefix + "blk.0.ffn_gate.weight")) known = R::MlpUpGated;
    if (!known || !roles->count(*known)) throw Error(where + ": tensor '" + t.name + "' is not one a " + arch.name + " model has in AttnScope");
    const R role = *known;
    // T5 has one relative position bias per stack, in its first layer (UMT5 one per layer).
    if (role == R::RelativeBias && layer != 0)
        throw Error(where + ": tensor '" + t.name + "' is a relative position bias of a layer other than the first, which a " + arch.name +
                    " model does not have in AttnScope");
    n.name = spec.basePrefixes.front() + layerPath(roles->at(role), layer) + suffix;
    if (arch.normOffset != 0.0f && isNormRole(role) && suffix == ".weight") n.subtract = arch.normOffset;
    const std::int64_t rows = t.shape.empty() ? 1 : t.shape.front();
    if (arch.interleavedRotaryRows && (role == R::AttnQ || role == R::AttnK))
        n.rowOrder = rotaryPairOrder(rows, role == R::AttnQ ? config.heads : config.kvHeads, where + ": tensor '" + t.name + "'");
    if (arch.qkvGroupedByKind && role == R::AttnQkv) n.rowOrder = perHeadQkvOrder(rows, config.heads, where + ": tensor '" + t.name + "'");
    return n;
}

}  // namespace

GgufModel openGgufModel(const std::filesystem::path& path) {
    auto file = std::make_unique<GgufFile>(path);
    const GgufFile& f = *file;
    const GgufArchitecture& arch = architectureOf(f);
    const std::string where = path.string();
    GgufModel m{ModelConfig::fromJson(ggufConfigJson(f), where), nullptr, nullptr, {}};
    m.config.matricesInOut = false;  // ggml stores every matrix with its inputs along a row
    readRopeFrequencyDivisors(f, arch, m.config);

    std::string head;
    for (const auto& h : m.config.spec().heads)
        if (h.kind == HeadKind::CausalLm) head = h.projection;
    std::vector<CheckpointWeights::GgufTensorName> names;
    for (const TensorInfo& t : f.tensors()) {
        if (t.name == kRopeFrequencyDivisors || t.name == kRopeFactorsLong || t.name == kRopeFactorsShort) continue;  // read into the config
        names.push_back(checkpointTensor(f, t, arch, m.config, head));
    }
    try {
        m.tokenizer = ggufTokenizer(f);
        if (!m.tokenizer) m.tokenizerProblem = where + ": no tokenizer in the file (tokenizer.ggml.model is missing)";
    } catch (const Error& e) {
        m.tokenizerProblem = e.what();  // the model still runs from token ids
    }
    m.weights = std::make_unique<CheckpointWeights>(std::move(file), names);
    return m;
}

}  // namespace attnscope
