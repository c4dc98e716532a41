#include "SyntheticCheckpoint.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/SafetensorsWriter.h"

namespace bench {
namespace {

// Random tensors written as safetensors shards of about 2 GB, as the hub stores large models
// (the writer holds a shard in memory until it is written; an 8B model whole would not fit).
class RandomTensors {
public:
    RandomTensors(std::filesystem::path dir, bool bf16) : dir_(std::move(dir)), bf16_(bf16) {}
    // Writes the last shard, and the index when there is more than one.
    void finish() {
        if (shards_ == 0) {  // everything fits one file
            w_.write(dir_ / "model.safetensors");
            return;
        }
        flush();
        std::ofstream(dir_ / "model.safetensors.index.json") << nlohmann::json{{"metadata", nlohmann::json::object()}, {"weight_map", map_}}.dump();
    }
    void add(const std::string& name, std::vector<std::int64_t> shape, float scale = 0.02f, float offset = 0.0f) {
        std::size_t n = 1;
        for (auto d : shape) n *= static_cast<std::size_t>(d);
        if (bytes_ + n * (bf16_ ? 2 : 4) > kShardBytes && bytes_ > 0) flush();
        bytes_ += n * (bf16_ ? 2 : 4);
        names_.push_back(name);
        std::vector<float> v(n);
        for (auto& x : v) x = offset + scale * dist_(rng_);
        if (!bf16_) {
            w_.add(name, std::move(shape), v.data());
            return;
        }
        std::vector<std::uint16_t> b(n);
        for (std::size_t i = 0; i < n; ++i) {  // round to nearest even, as torch's .to(bfloat16)
            std::uint32_t bits;
            std::memcpy(&bits, &v[i], 4);
            b[i] = static_cast<std::uint16_t>((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
        }
        w_.addBytes(name, attnscope::DType::BF16, std::move(shape), b.data(), n * 2);
    }
    void norm(const std::string& name, int dim, bool bias = true) {
        add(name + ".weight", {dim}, 0.0f, 1.0f);
        if (bias) add(name + ".bias", {dim}, 0.0f);
    }
    void linear(const std::string& name, int in, int out, bool bias = true, bool inOut = false) {
        add(name + ".weight", inOut ? std::vector<std::int64_t>{in, out} : std::vector<std::int64_t>{out, in});
        if (bias) add(name + ".bias", {out});
    }

private:
    static constexpr std::size_t kShardBytes = std::size_t(2) << 30;
    void flush() {
        const std::string file = "model-" + std::to_string(100001 + shards_++).substr(1) + ".safetensors";
        w_.write(dir_ / file);
        w_ = attnscope::SafetensorsWriter();
        for (const auto& name : names_) map_[name] = file;
        names_.clear();
        bytes_ = 0;
    }

    std::filesystem::path dir_;
    attnscope::SafetensorsWriter w_;
    std::size_t bytes_ = 0;
    int shards_ = 0;
    std::vector<std::string> names_;  // those of the shard being filled
    nlohmann::json map_ = nlohmann::json::object();
    bool bf16_;
    std::mt19937 rng_{1234};
    std::normal_distribution<float> dist_{0.0f, 1.0f};
};

// LLaMA, LLaMA 3 (its RoPE scaling and base, as Llama-3.2-1B's config) and Gemma 2 (norms
// stored as offsets from 1, norms after attention and the MLP too, soft-caps, local layers),
// each with a tied head.
void writeDecoder(const ModelShape& s, RandomTensors& t, nlohmann::json& config) {
    const bool gemma = s.family == "gemma2";
    const int kv = s.kvHeads ? s.kvHeads : s.heads;
    const int d = headDimOf(s);
    const int inter = intermediateOf(s);
    config = {{"model_type", gemma ? "gemma2" : "llama"}, {"num_hidden_layers", s.layers}, {"num_attention_heads", s.heads},
              {"num_key_value_heads", kv}, {"hidden_size", s.hidden}, {"head_dim", d}, {"intermediate_size", inter},
              {"vocab_size", s.vocab}, {"max_position_embeddings", s.positions}, {"tie_word_embeddings", true}};
    if (s.family == "llama3")
        config["rope_parameters"] = {{"rope_type", "llama3"}, {"rope_theta", 500000.0}, {"factor", 32.0}, {"low_freq_factor", 1.0},
                                     {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 8192}};
    if (gemma) {
        config.update({{"hidden_activation", "gelu_pytorch_tanh"}, {"query_pre_attn_scalar", d}, {"sliding_window", 4096},
                       {"attn_logit_softcapping", 50.0}, {"final_logit_softcapping", 30.0}});
    }
    // Gemma's norms scale by (1 + w): w = 0 is the identity, as LLaMA's w = 1.
    const auto norm = [&](const std::string& name) { t.add(name + ".weight", {s.hidden}, 0.0f, gemma ? 0.0f : 1.0f); };
    t.add("model.embed_tokens.weight", {s.vocab, s.hidden});
    for (int l = 0; l < s.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        norm(p + "input_layernorm");
        t.linear(p + "self_attn.q_proj", s.hidden, s.heads * d, false);
        t.linear(p + "self_attn.k_proj", s.hidden, kv * d, false);
        t.linear(p + "self_attn.v_proj", s.hidden, kv * d, false);
        t.linear(p + "self_attn.o_proj", s.heads * d, s.hidden, false);
        norm(p + "post_attention_layernorm");
        if (gemma) {
            norm(p + "pre_feedforward_layernorm");
            norm(p + "post_feedforward_layernorm");
        }
        t.linear(p + "mlp.gate_proj", s.hidden, inter, false);
        t.linear(p + "mlp.up_proj", s.hidden, inter, false);
        t.linear(p + "mlp.down_proj", inter, s.hidden, false);
    }
    norm("model.norm");
}

}  // namespace

int headDimOf(const ModelShape& s) { return s.headDim ? s.headDim : s.hidden / s.heads; }

int intermediateOf(const ModelShape& s) {
    if (s.intermediate) return s.intermediate;
    if (s.family == "llama") return (8 * s.hidden / 3 + 255) / 256 * 256;
    return 4 * s.hidden;
}

void writeSyntheticCheckpoint(const ModelShape& s, const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    RandomTensors t(dir, s.bf16);
    const int ff = intermediateOf(s);
    nlohmann::json config;
    if (s.family == "bert") {
        config = {{"model_type", "bert"}, {"num_hidden_layers", s.layers}, {"num_attention_heads", s.heads},
                  {"hidden_size", s.hidden}, {"intermediate_size", ff}, {"vocab_size", s.vocab},
                  {"max_position_embeddings", s.positions}, {"type_vocab_size", 2}, {"hidden_act", "gelu"}};
        t.add("embeddings.word_embeddings.weight", {s.vocab, s.hidden});
        t.add("embeddings.position_embeddings.weight", {s.positions, s.hidden});
        t.add("embeddings.token_type_embeddings.weight", {2, s.hidden});
        t.norm("embeddings.LayerNorm", s.hidden);
        for (int l = 0; l < s.layers; ++l) {
            const std::string p = "encoder.layer." + std::to_string(l) + ".";
            for (const char* m : {"query", "key", "value"}) t.linear(p + "attention.self." + m, s.hidden, s.hidden);
            t.linear(p + "attention.output.dense", s.hidden, s.hidden);
            t.norm(p + "attention.output.LayerNorm", s.hidden);
            t.linear(p + "intermediate.dense", s.hidden, ff);
            t.linear(p + "output.dense", ff, s.hidden);
            t.norm(p + "output.LayerNorm", s.hidden);
        }
    } else if (s.family == "gpt2") {
        config = {{"model_type", "gpt2"}, {"n_layer", s.layers}, {"n_head", s.heads}, {"n_embd", s.hidden},
                  {"vocab_size", s.vocab}, {"n_positions", s.positions}};
        t.add("transformer.wte.weight", {s.vocab, s.hidden});
        t.add("transformer.wpe.weight", {s.positions, s.hidden});
        for (int l = 0; l < s.layers; ++l) {
            const std::string p = "transformer.h." + std::to_string(l) + ".";
            t.norm(p + "ln_1", s.hidden);
            t.linear(p + "attn.c_attn", s.hidden, 3 * s.hidden, true, true);
            t.linear(p + "attn.c_proj", s.hidden, s.hidden, true, true);
            t.norm(p + "ln_2", s.hidden);
            t.linear(p + "mlp.c_fc", s.hidden, ff, true, true);
            t.linear(p + "mlp.c_proj", ff, s.hidden, true, true);
        }
        t.norm("transformer.ln_f", s.hidden);
    } else if (s.family == "llama" || s.family == "llama3" || s.family == "gemma2") {
        writeDecoder(s, t, config);
    } else {  // vit: square image with as many 16 px patches as the sequence needs
        int grid = 1;
        while ((grid + 1) * (grid + 1) + 1 <= s.positions) ++grid;
        config = {{"model_type", "vit"}, {"num_hidden_layers", s.layers}, {"num_attention_heads", s.heads},
                  {"hidden_size", s.hidden}, {"intermediate_size", ff}, {"image_size", 16 * grid}, {"patch_size", 16}};
        t.add("vit.embeddings.cls_token", {1, 1, s.hidden});
        t.add("vit.embeddings.position_embeddings", {1, grid * grid + 1, s.hidden});
        t.add("vit.embeddings.patch_embeddings.projection.weight", {s.hidden, 3, 16, 16});
        t.add("vit.embeddings.patch_embeddings.projection.bias", {s.hidden});
        for (int l = 0; l < s.layers; ++l) {
            const std::string p = "vit.encoder.layer." + std::to_string(l) + ".";
            t.norm(p + "layernorm_before", s.hidden);
            for (const char* m : {"query", "key", "value"}) t.linear(p + "attention.attention." + m, s.hidden, s.hidden);
            t.linear(p + "attention.output.dense", s.hidden, s.hidden);
            t.norm(p + "layernorm_after", s.hidden);
            t.linear(p + "intermediate.dense", s.hidden, ff);
            t.linear(p + "output.dense", ff, s.hidden);
        }
        t.norm("vit.layernorm", s.hidden);
    }
    t.finish();
    std::ofstream(dir / "config.json") << config.dump(2);  // last: its presence says the folder is complete
}

}  // namespace bench
