#pragma once
// Golden reference checkpoints respelled as another family that computes the same maths, for
// families whose own transformers fixtures wait for a device machine: the golden ViT as a CLIP
// or SigLIP image tower, the golden masked-LM BERT as DeBERTa, the golden ViT and GPT-2 as a
// vision-encoder-decoder captioner, the golden BERT as BART and Marian. Core, UI and CLI tests share them.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "GoldenFixtures.h"
#include "SyntheticCheckpoints.h"

namespace fixtures {

namespace respelled {
inline constexpr int kTowerHidden = 32, kTowerPatches = 16;
inline constexpr int kDebertaHidden = 32, kDebertaHeads = 4, kDebertaHeadDim = 8, kDebertaLayers = 2;
inline constexpr int kBartHidden = 32, kBartVocab = 400, kBartPositions = 64;
}  // namespace respelled

inline nlohmann::json towerConfig(const char* modelType, const char* activation) {
    return {{"model_type", modelType},  {"hidden_size", respelled::kTowerHidden}, {"intermediate_size", 64}, {"num_hidden_layers", 2},
            {"num_attention_heads", 4}, {"num_channels", 3},   {"image_size", 32},   {"patch_size", 8},
            {"hidden_act", activation}, {"layer_norm_eps", 1e-12}};
}

// The golden ViT's weights under CLIP's or SigLIP's names; `withClass`: CLIP's [hidden] class
// embedding and its 17-row position table (SigLIP: the 16 patch rows only).
inline SyntheticCheckpoint towerFromVit(const nlohmann::json& config, bool withClass) {
    constexpr int h = respelled::kTowerHidden, patches = respelled::kTowerPatches;
    const SyntheticCheckpoint vit = loadCheckpoint(goldenDir() / "vit" / "model");
    const auto t = [&](const std::string& name) { return vit.tensors.at("vit." + name); };
    SyntheticCheckpoint ck{config, {}};
    const std::string p = "vision_model.";
    ck.tensors[p + "embeddings.patch_embedding.weight"] = t("embeddings.patch_embeddings.projection.weight");
    ck.tensors[p + "embeddings.patch_embedding.bias"] = t("embeddings.patch_embeddings.projection.bias");
    SyntheticTensor positions = t("embeddings.position_embeddings");
    positions.shape = {patches + 1, h};
    if (withClass) {
        SyntheticTensor cls = t("embeddings.cls_token");
        cls.shape = {h};
        ck.tensors[p + "embeddings.class_embedding"] = cls;
    } else {
        positions.values.erase(positions.values.begin(), positions.values.begin() + h);
        positions.shape = {patches, h};
    }
    ck.tensors[p + "embeddings.position_embedding.weight"] = positions;
    const std::map<std::string, std::string> parts{{"layer_norm1", "layernorm_before"},
                                                   {"self_attn.q_proj", "attention.attention.query"},
                                                   {"self_attn.k_proj", "attention.attention.key"},
                                                   {"self_attn.v_proj", "attention.attention.value"},
                                                   {"self_attn.out_proj", "attention.output.dense"},
                                                   {"layer_norm2", "layernorm_after"},
                                                   {"mlp.fc1", "intermediate.dense"},
                                                   {"mlp.fc2", "output.dense"}};
    for (int l = 0; l < 2; ++l)
        for (const auto& [ours, theirs] : parts)
            for (const char* s : {".weight", ".bias"})
                ck.tensors[p + "encoder.layers." + std::to_string(l) + "." + ours + s] = t("encoder.layer." + std::to_string(l) + "." + theirs + s);
    for (const char* s : {".weight", ".bias"}) ck.tensors[p + "post_layernorm" + s] = t(std::string("layernorm") + s);
    if (!withClass) {
        // SigLIP's attention-pooling head: the probe and its [q | k | v] in-projection (the rest
        // of the head only shapes the pooled embedding).
        ck.tensors[p + "head.probe"] = {{1, 1, h}, synthetic::values("probe", h, 0.0f)};
        ck.tensors[p + "head.attention.in_proj_weight"] = {{3 * h, h}, synthetic::values("in_proj", 3 * h * h, 0.0f)};
        ck.tensors[p + "head.attention.in_proj_bias"] = {{3 * h}, synthetic::values("in_proj_bias", 3 * h, 0.0f)};
    }
    return ck;
}

inline nlohmann::json debertaConfig() {
    using namespace respelled;
    return {{"model_type", "deberta-v2"},      {"architectures", {"DebertaV2ForMaskedLM"}},
            {"vocab_size", 400},               {"hidden_size", kDebertaHidden},
            {"num_hidden_layers", kDebertaLayers}, {"num_attention_heads", kDebertaHeads},
            {"intermediate_size", 64},         {"hidden_act", "gelu"},
            {"max_position_embeddings", 64},   {"type_vocab_size", 2},
            {"layer_norm_eps", 1e-12},         {"pad_token_id", 0}};
}

// The golden masked-LM BERT under DeBERTa's names (the head keeps BERT's: DeBERTa's legacy head).
inline SyntheticCheckpoint debertaFromBert() {
    const SyntheticCheckpoint bert = loadCheckpoint(goldenDir() / "bert_mlm" / "model");
    SyntheticCheckpoint ck{debertaConfig(), {}};
    const std::vector<std::pair<std::string, std::string>> renames{{"attention.self.query", "attention.self.query_proj"},
                                                                   {"attention.self.key", "attention.self.key_proj"},
                                                                   {"attention.self.value", "attention.self.value_proj"}};
    for (const auto& [name, tensor] : bert.tensors) {
        std::string to = name.rfind("bert.", 0) == 0 ? "deberta." + name.substr(5) : name;
        for (const auto& [from, into] : renames)
            if (const auto at = to.find(from + "."); at != std::string::npos) to.replace(at, from.size(), into);
        ck.tensors[to] = tensor;
    }
    return ck;
}

// The golden ViT and GPT-2 as the encoder and decoder of a vision-encoder-decoder, named as
// VisionEncoderDecoderModel stores them (its classifier left out), with synthetic
// cross-attention weights. `crossOut` scales the cross-attention's output projection: 0 makes
// the decoder exactly the golden GPT-2, whatever it reads from the image.
inline SyntheticCheckpoint captionerFromGolden(float crossOut = 1.0f) {
    constexpr int h = respelled::kTowerHidden;
    const SyntheticCheckpoint vit = loadCheckpoint(goldenDir() / "vit" / "model");
    const SyntheticCheckpoint gpt2 = loadCheckpoint(goldenDir() / "gpt2" / "model");
    nlohmann::json decoder = gpt2.config;
    decoder.update({{"add_cross_attention", true}, {"is_decoder", true}});
    nlohmann::json encoder = vit.config;
    encoder.erase("id2label");
    encoder.erase("label2id");
    SyntheticCheckpoint ck{{{"model_type", "vision-encoder-decoder"}, {"architectures", {"VisionEncoderDecoderModel"}},
                            {"decoder_start_token_id", 0}, {"eos_token_id", 0}, {"pad_token_id", 0},
                            {"encoder", encoder}, {"decoder", decoder}},
                           {}};
    for (const auto& [name, t] : vit.tensors)
        if (name.rfind("vit.", 0) == 0) ck.tensors["encoder." + name.substr(4)] = t;
    for (const auto& [name, t] : gpt2.tensors) ck.tensors["decoder." + name] = t;
    for (int l = 0; l < 2; ++l) {
        // Appended: GCC 12 -O3 warns falsely of an overflow on "..." + to_string (its bug 105651).
        std::string p = "decoder.transformer.h.", key = "cross";
        p += std::to_string(l) + ".";
        key += std::to_string(l);
        ck.tensors[p + "ln_cross_attn.weight"] = {{h}, synthetic::values(key + "norm", h, 1.0f)};
        ck.tensors[p + "ln_cross_attn.bias"] = {{h}, synthetic::values(key + "normb", h, 0.0f)};
        ck.tensors[p + "crossattention.q_attn.weight"] = {{h, h}, synthetic::values(key + "q", h * h, 0.0f)};  // Conv1D: [in, out]
        ck.tensors[p + "crossattention.q_attn.bias"] = {{h}, synthetic::values(key + "qb", h, 0.0f)};
        ck.tensors[p + "crossattention.c_attn.weight"] = {{h, 2 * h}, synthetic::values(key + "kv", 2 * h * h, 0.0f)};
        ck.tensors[p + "crossattention.c_attn.bias"] = {{2 * h}, synthetic::values(key + "kvb", 2 * h, 0.0f)};
        SyntheticTensor out{{h, h}, synthetic::values(key + "o", h * h, 0.0f)};
        SyntheticTensor outBias{{h}, synthetic::values(key + "ob", h, 0.0f)};
        for (float& v : out.values) v *= crossOut;
        for (float& v : outBias.values) v *= crossOut;
        ck.tensors[p + "crossattention.c_proj.weight"] = out;
        ck.tensors[p + "crossattention.c_proj.bias"] = outBias;
    }
    return ck;
}

// A captioner folder: the checkpoint, GPT-2's tokenizer and ViT's image preprocessing.
inline std::filesystem::path writeCaptioner(const SyntheticCheckpoint& ck, const std::filesystem::path& dir) {
    ck.write(dir);
    for (const char* f : {"tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt"})
        std::filesystem::copy_file(goldenDir() / "gpt2" / "model" / f, dir / f, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(goldenDir() / "vit" / "model" / "preprocessor_config.json", dir / "preprocessor_config.json",
                               std::filesystem::copy_options::overwrite_existing);
    return dir;
}

inline nlohmann::json bartConfig() {
    return {{"model_type", "bart"},          {"architectures", {"BartForConditionalGeneration"}},
            {"vocab_size", respelled::kBartVocab},          {"d_model", respelled::kBartHidden},
            {"encoder_layers", 2},           {"decoder_layers", 2},
            {"encoder_attention_heads", 4},  {"decoder_attention_heads", 4},
            {"encoder_ffn_dim", 64},         {"decoder_ffn_dim", 64},
            {"activation_function", "gelu"}, {"max_position_embeddings", respelled::kBartPositions},
            {"pad_token_id", 1},             {"bos_token_id", 0},
            {"eos_token_id", 2},             {"decoder_start_token_id", 2},
            {"scale_embedding", false},      {"tie_word_embeddings", true}};
}

// BART with the golden BERT's weights in both stacks: BERT's position rows (plus its token
// type 0 row, which BERT always adds) from table row 2 on, rows 0 and 1 junk that must never be
// read; the decoder's cross-attention a copy of its self-attention; a random final_logits_bias.
inline SyntheticCheckpoint bartFromBert() {
    const SyntheticCheckpoint bert = loadCheckpoint(goldenDir() / "bert" / "model");
    const auto t = [&](const std::string& name) { return bert.tensors.at(name); };
    SyntheticCheckpoint ck{bartConfig(), {}};
    ck.tensors["model.shared.weight"] = t("embeddings.word_embeddings.weight");
    SyntheticTensor positions{{respelled::kBartPositions + 2, respelled::kBartHidden}, std::vector<float>(std::size_t(respelled::kBartPositions + 2) * respelled::kBartHidden, 9.0f)};
    const SyntheticTensor table = t("embeddings.position_embeddings.weight"), type0 = t("embeddings.token_type_embeddings.weight");
    for (int p = 0; p < respelled::kBartPositions; ++p)
        for (int j = 0; j < respelled::kBartHidden; ++j)
            positions.values[std::size_t((p + 2) * respelled::kBartHidden + j)] = table.values[std::size_t(p * respelled::kBartHidden + j)] + type0.values[std::size_t(j)];
    const std::map<std::string, std::string> layerParts{{"self_attn.q_proj", "attention.self.query"},
                                                        {"self_attn.k_proj", "attention.self.key"},
                                                        {"self_attn.v_proj", "attention.self.value"},
                                                        {"self_attn.out_proj", "attention.output.dense"},
                                                        {"self_attn_layer_norm", "attention.output.LayerNorm"},
                                                        {"fc1", "intermediate.dense"},
                                                        {"fc2", "output.dense"},
                                                        {"final_layer_norm", "output.LayerNorm"},
                                                        {"encoder_attn.q_proj", "attention.self.query"},
                                                        {"encoder_attn.k_proj", "attention.self.key"},
                                                        {"encoder_attn.v_proj", "attention.self.value"},
                                                        {"encoder_attn.out_proj", "attention.output.dense"},
                                                        {"encoder_attn_layer_norm", "attention.output.LayerNorm"}};
    for (const std::string stack : {"encoder", "decoder"}) {
        ck.tensors["model." + stack + ".embed_positions.weight"] = positions;
        for (const char* s : {".weight", ".bias"}) ck.tensors["model." + stack + ".layernorm_embedding" + s] = t(std::string("embeddings.LayerNorm") + s);
        for (int l = 0; l < 2; ++l)
            for (const auto& [ours, theirs] : layerParts) {
                if (stack == "encoder" && ours.starts_with("encoder_attn")) continue;
                for (const char* s : {".weight", ".bias"})
                    ck.tensors["model." + stack + ".layers." + std::to_string(l) + "." + ours + s] =
                        t("encoder.layer." + std::to_string(l) + "." + theirs + s);
            }
    }
    ck.tensors["final_logits_bias"] = {{1, respelled::kBartVocab}, synthetic::values("final_logits_bias", respelled::kBartVocab, 0.0f)};
    return ck;
}

// Marian made from the same weights: no position table or embedding norm (its positions are
// sinusoids), SiLU, scaled embeddings, and the pad token as the decoder's start.
inline SyntheticCheckpoint marianFromBert() {
    SyntheticCheckpoint ck = bartFromBert();
    for (auto it = ck.tensors.begin(); it != ck.tensors.end();)
        it = it->first.find("embed_positions") != std::string::npos || it->first.find("layernorm_embedding") != std::string::npos
                 ? ck.tensors.erase(it)
                 : std::next(it);
    ck.config.update({{"model_type", "marian"}, {"architectures", {"MarianMTModel"}}, {"activation_function", "swish"},
                      {"scale_embedding", true}, {"pad_token_id", 5}, {"decoder_start_token_id", 5}, {"eos_token_id", 0}});
    return ck;
}

}  // namespace fixtures
