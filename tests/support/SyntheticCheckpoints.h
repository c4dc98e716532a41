#pragma once
// Tiny checkpoints written from a config.json alone, for families with no reference fixture
// yet: every tensor the family's table names, under the prefix real checkpoints use, with
// pseudo-random weights (std 0.25, so attention is peaked and wrong maths shows). A tensor's
// values depend on its role, layer and suffix, not on its name, so two families that share a
// role get the same numbers; respell() writes one checkpoint's weights under another
// family's names. Tests change tensors through `tensors` before writing.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"
#include "model/ModelConfig.h"

namespace fixtures {

struct SyntheticTensor {
    std::vector<std::int64_t> shape;
    std::vector<float> values;

    std::int64_t rows() const { return shape.front(); }
    std::int64_t rowWidth() const { return shape.size() > 1 ? shape[1] : 1; }
    // Multiplies rows [first, first + count) by `factor` (a head's rows of a projection).
    void scaleRows(std::int64_t first, std::int64_t count, float factor) {
        for (std::int64_t i = first * rowWidth(); i < (first + count) * rowWidth(); ++i) values[static_cast<std::size_t>(i)] *= factor;
    }
};

struct SyntheticCheckpoint {
    nlohmann::json config;
    std::map<std::string, SyntheticTensor> tensors;  // full names, as the checkpoint stores them

    SyntheticTensor& at(const std::string& name) {
        const auto it = tensors.find(name);
        if (it == tensors.end()) throw std::runtime_error("synthetic checkpoint has no tensor " + name);
        return it->second;
    }
    // Renames every tensor whose name starts with `from` to start with `to` instead.
    void movePrefix(const std::string& from, const std::string& to) {
        std::map<std::string, SyntheticTensor> moved;
        for (auto& [name, t] : tensors) moved[name.rfind(from, 0) == 0 ? to + name.substr(from.size()) : name] = std::move(t);
        tensors = std::move(moved);
    }
    // Writes config.json and model.safetensors into `dir` (made if needed); returns `dir`.
    std::filesystem::path write(const std::filesystem::path& dir) const {
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "config.json") << config.dump(2);
        attnscope::SafetensorsWriter writer;
        for (const auto& [name, t] : tensors) writer.add(name, t.shape, t.values.data());
        writer.setMetadata("format", "pt");
        writer.write(dir / "model.safetensors");
        return dir;
    }
};

// A model folder's config.json and model.safetensors as an editable checkpoint (a golden
// reference model, to be respelled for a family that computes the same maths).
inline SyntheticCheckpoint loadCheckpoint(const std::filesystem::path& dir) {
    SyntheticCheckpoint ck{nlohmann::json::parse(std::ifstream(dir / "config.json")), {}};
    const attnscope::SafetensorsFile f(dir / "model.safetensors");
    for (const attnscope::TensorInfo& t : f.tensors()) ck.tensors[t.name] = {t.shape, f.toFloat(t)};
    return ck;
}

namespace synthetic {

using attnscope::TensorRole;

// Values uniform in [-a, a] with a = 0.25 * sqrt(3) (std 0.25), from a generator seeded by
// the tensor's logical key; the float conversion is done by hand so every standard library
// gives the same numbers.
inline std::vector<float> values(const std::string& key, std::size_t count, float center) {
    std::uint32_t h = 2166136261u;  // FNV-1a of the key
    for (const unsigned char ch : key) h = (h ^ ch) * 16777619u;
    std::mt19937 rng(h);
    const float a = 0.25f * std::sqrt(3.0f);
    std::vector<float> v(count);
    for (float& x : v) x = center + a * (2.0f * static_cast<float>(rng() >> 8) / 16777216.0f - 1.0f);
    return v;
}

inline bool isNorm(TensorRole r) {
    return r == TensorRole::AttnNorm || r == TensorRole::MlpNorm || r == TensorRole::AttnOutNorm || r == TensorRole::MlpOutNorm ||
           r == TensorRole::FinalNorm || r == TensorRole::AttnQNorm || r == TensorRole::AttnKNorm || r == TensorRole::EmbeddingNorm;
}

// A role's weight shape under config `c`; throws for roles the decoder families here lack.
inline std::vector<std::int64_t> weightShape(TensorRole r, const attnscope::ModelConfig& c) {
    using R = TensorRole;
    const std::int64_t h = c.hidden, q = std::int64_t(c.heads) * c.headDim, kv = std::int64_t(c.kvHeads) * c.headDim, f = c.intermediate;
    const bool perHead = c.spec().qkNorm == attnscope::QkNormScope::PerHead;
    switch (r) {
    case R::TokenEmbedding: return {c.vocabSize, h};
    case R::AttnNorm: case R::MlpNorm: case R::AttnOutNorm: case R::MlpOutNorm: case R::FinalNorm: case R::EmbeddingNorm: return {h};
    case R::AttnQNorm: return {perHead ? c.headDim : q};
    case R::AttnKNorm: return {perHead ? c.headDim : kv};
    case R::AttnQ: return {q, h};
    case R::AttnK: case R::AttnV: return {kv, h};
    case R::AttnQkv: return {q + 2 * kv, h};
    case R::AttnOut: return {h, q};
    case R::MlpUp: case R::MlpGate: return {f, h};
    case R::MlpGateUp: return {2 * f, h};
    case R::MlpDown: return {h, f};
    default: throw std::runtime_error("synthetic checkpoints cover decoder roles only (role " + std::to_string(int(r)) + ")");
    }
}

// Whether a role's module has a bias under config `c`.
inline bool hasBias(TensorRole r, const attnscope::ModelConfig& c) {
    using R = TensorRole;
    if (r == R::AttnQ || r == R::AttnK || r == R::AttnV || r == R::AttnQkv) return c.attentionBias;
    if (r == R::AttnOut) return c.outputBias;
    if (r == R::MlpUp || r == R::MlpGate || r == R::MlpGateUp || r == R::MlpDown) return c.mlpBias;
    return isNorm(r) && c.spec().norm == attnscope::NormKind::LayerNorm && c.normBias;
}

// The causal LM head's projection when the checkpoint stores one (it is not tied).
inline std::string storedHead(const attnscope::ModelConfig& c) {
    for (const auto& h : c.spec().heads)
        if (h.kind == attnscope::HeadKind::CausalLm && !c.tieWordEmbeddings) return h.projection;
    return {};
}

// Calls f(role, layer, full module path) for every module of the family's table.
template <typename F>
void forEachModule(const attnscope::ModelConfig& c, const std::string& prefix, F&& f) {
    for (const auto& [role, pattern] : c.spec().names) {
        const bool perLayer = pattern.find("{L}") != std::string::npos;
        for (int l = 0; l < (perLayer ? c.layers : 1); ++l) f(role, l, prefix + attnscope::layerPath(pattern, l));
    }
}

}  // namespace synthetic

// The checkpoint of `config` (a config.json as JSON). Norm weights are centred on 1, except
// Gemma's, which store the offset from 1 and are centred on 0.
inline SyntheticCheckpoint synthesize(const nlohmann::json& config) {
    using namespace synthetic;
    const auto c = attnscope::ModelConfig::fromJson(config, "synthetic config.json");
    const float normCenter = c.spec().norm == attnscope::NormKind::RmsNormUnitOffset ? 0.0f : 1.0f;
    SyntheticCheckpoint ck{config, {}};
    forEachModule(c, c.spec().basePrefixes.front(), [&](TensorRole role, int layer, const std::string& path) {
        const std::string key = std::to_string(int(role)) + "/" + std::to_string(layer);
        const auto shape = weightShape(role, c);
        std::size_t count = 1;
        for (const auto d : shape) count *= static_cast<std::size_t>(d);
        ck.tensors[path + ".weight"] = {shape, values(key + ".weight", count, isNorm(role) ? normCenter : 0.0f)};
        if (hasBias(role, c)) ck.tensors[path + ".bias"] = {{shape.front()}, values(key + ".bias", std::size_t(shape.front()), 0.0f)};
    });
    if (const std::string head = storedHead(c); !head.empty())
        ck.tensors[head + ".weight"] = {{c.vocabSize, c.hidden}, values("head", std::size_t(c.vocabSize) * c.hidden, 0.0f)};
    return ck;
}

// The weights of `from`, role by role, under the names (and prefix) of `config`'s family:
// the values are copied as stored, whatever the families' norms mean by them. Roles the
// target lacks are left out; the LM head keeps its name.
inline SyntheticCheckpoint respell(const SyntheticCheckpoint& from, const nlohmann::json& config) {
    using namespace synthetic;
    const auto source = attnscope::ModelConfig::fromJson(from.config, "synthetic config.json");
    const auto target = attnscope::ModelConfig::fromJson(config, "synthetic config.json");
    const std::string fromPrefix = source.spec().basePrefixes.front(), toPrefix = target.spec().basePrefixes.front();
    SyntheticCheckpoint ck{config, {}};
    forEachModule(source, fromPrefix, [&](TensorRole role, int layer, const std::string& path) {
        if (!target.spec().hasRole(role)) return;
        const std::string to = toPrefix + attnscope::layerPath(target.spec().names.at(role), layer);
        for (const char* suffix : {".weight", ".bias"})
            if (from.tensors.count(path + suffix)) ck.tensors[to + suffix] = from.tensors.at(path + suffix);
    });
    if (const std::string head = storedHead(source); !head.empty()) ck.tensors[head + ".weight"] = from.tensors.at(head + ".weight");
    return ck;
}

// A tiny config of each decoder family: 2 layers, hidden 32, 4 heads over 2 key/value heads
// of 8, vocabulary 64, and where the family has one, a window of 3 on one layer.
inline nlohmann::json tinyConfig(const std::string& modelType) {
    nlohmann::json j = {{"model_type", modelType}, {"vocab_size", 64}, {"hidden_size", 32}, {"intermediate_size", 48},
                        {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"num_key_value_heads", 2}, {"head_dim", 8},
                        {"hidden_act", "silu"}, {"max_position_embeddings", 64}, {"rms_norm_eps", 1e-6},
                        {"tie_word_embeddings", false}, {"bos_token_id", 1}, {"eos_token_id", 2},
                        {"rope_parameters", {{"rope_type", "default"}, {"rope_theta", 10000.0}}}};
    if (modelType == "qwen3") j.update({{"use_sliding_window", true}, {"sliding_window", 3}, {"max_window_layers", 1}});
    if (modelType == "gemma") j.update({{"hidden_act", "gelu_pytorch_tanh"}, {"tie_word_embeddings", true}});
    if (modelType == "gemma2" || modelType == "gemma3_text" || modelType == "gemma3") {
        j.erase("hidden_act");
        j.update({{"hidden_activation", "gelu_pytorch_tanh"}, {"tie_word_embeddings", true}, {"query_pre_attn_scalar", 16},
                  {"sliding_window", 3}, {"attn_logit_softcapping", 4.0}, {"final_logit_softcapping", 5.0}});
    }
    if (modelType == "gemma3_text" || modelType == "gemma3")
        j.update({{"layer_types", {"sliding_attention", "full_attention"}}, {"rope_local_base_freq", 10000.0},
                  {"attn_logit_softcapping", nullptr}, {"final_logit_softcapping", nullptr},
                  {"rope_parameters", {{"rope_type", "default"}, {"rope_theta", 1000000.0}}}});
    if (modelType == "gemma3") {
        // Gemma3ForConditionalGeneration: the text model's settings nest under text_config.
        j["model_type"] = "gemma3_text";
        return {{"model_type", "gemma3"}, {"architectures", {"Gemma3ForConditionalGeneration"}}, {"text_config", j},
                {"tie_word_embeddings", true}};
    }
    if (modelType == "phi3") j.erase("head_dim");  // Phi3Config has none: hidden / heads
    if (modelType == "smollm3")
        j.update({{"no_rope_layers", {1, 0}}, {"use_sliding_window", true}, {"sliding_window", 3}});
    return j;
}

// ElectraForPreTraining made from a BERT model folder (ELECTRA at equal widths is BERT's
// encoder under the same names) with a pseudo-random discriminator head, written with the
// folder's tokenizer into `dir`; returns the checkpoint written.
inline SyntheticCheckpoint writeElectraDiscriminator(const std::filesystem::path& bertModel, const std::filesystem::path& dir) {
    SyntheticCheckpoint ck = loadCheckpoint(bertModel);
    const std::int64_t h = ck.config["hidden_size"].get<int>();
    ck.config["model_type"] = "electra";
    ck.config["embedding_size"] = h;
    ck.config["architectures"] = {"ElectraForPreTraining"};
    const auto random = [](const std::string& key, std::size_t n) { return synthetic::values(key, n, 0.0f); };
    ck.tensors["discriminator_predictions.dense.weight"] = {{h, h}, random("dense", std::size_t(h * h))};
    ck.tensors["discriminator_predictions.dense.bias"] = {{h}, random("dense bias", std::size_t(h))};
    ck.tensors["discriminator_predictions.dense_prediction.weight"] = {{1, h}, random("prediction", std::size_t(h))};
    ck.tensors["discriminator_predictions.dense_prediction.bias"] = {{1}, {0.3f}};
    ck.write(dir);
    for (const char* file : {"tokenizer.json", "tokenizer_config.json"})
        std::filesystem::copy_file(bertModel / file, dir / file, std::filesystem::copy_options::overwrite_existing);
    return ck;
}

}  // namespace fixtures
