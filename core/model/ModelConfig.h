#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/ComposedFamilies.h"
#include "model/DisentangledAttention.h"
#include "model/FamilySpec.h"
#include "model/LayerKinds.h"
#include "model/RopeSpec.h"

namespace attnscope {

// What the engine needs from a config.json, under one set of names for every family. The
// reader is the same for all: the family's table entry (FamilySpec) names the keys to read
// and the facts that are not in the file.
struct ModelConfig {
    std::string modelType;               // config.json "model_type" as written (e.g. "mistral")
    const FamilySpec* family = nullptr;  // the family it runs as; never null once read
    int layers = 0;
    int heads = 0;
    int kvHeads = 0;
    int hidden = 0;
    int embeddingSize = 0;               // the token, position and type tables' width (= hidden unless factorised)
    int headDim = 0;
    int intermediate = 0;
    int vocabSize = 0;
    int maxPositions = 0;
    int typeVocabSize = 0;
    int padTokenId = -1;                 // -1 when there is none
    float normEps = 1e-12f;
    Activation activation = Activation::Gelu;
    bool causal = false;
    bool tieWordEmbeddings = false;
    bool scaleAttention = true;          // divide scores by sqrt(head_dim)
    bool scaleByInverseLayer = false;    // gpt2 scale_attn_by_inverse_layer_idx
    // Matrices stored [in, out] (GPT-2's Conv1D): the family's layout in its Hugging Face
    // checkpoints; false for a source that stores every matrix [out, in] (GGUF).
    bool matricesInOut = false;
    std::vector<std::string> layerTypes; // per layer: "full_attention" or "sliding_attention" (as transformers names them)
    std::vector<int> layerWindow;        // per layer: 0 = full attention, w = keys within w positions (sliding window)
    bool attentionBias = true;           // q/k/v projections have a bias
    bool outputBias = true;              // the attention output projection has a bias
    bool mlpBias = true;
    bool normBias = true;                // LayerNorms have a bias
    bool parallelResidual = false;       // GPT-NeoX: x + attn(ln1 x) + mlp(ln2 x)
    bool gatedMlp = false;               // down(act(gate x) * up x)
    float attentionScale = 0.0f;         // > 0: the scores' scale instead of head_dim^-0.5 (query_pre_attn_scalar^-0.5)
    float attnSoftcap = 0.0f;            // > 0: scores become cap * tanh(scores / cap) before the mask
    float finalSoftcap = 0.0f;           // > 0: the same on the logits
    bool scaleEmbeddings = false;        // token embeddings times sqrt(hidden)
    bool positionTable = true;
    bool poolingProbe = false;           // an attention-pooling head's probe query (SigLIP)           // a learned absolute position table is added, where the family has one
    DisentangledConfig disentangled;     // DeBERTa's relative score terms (PositionScheme::Disentangled)
    // Rotary position embedding: the distinct settings, and which one each layer uses (-1: none).
    std::vector<RopeSpec> ropes;
    std::vector<int> layerRope;
    // Vision transformers
    int imageSize = 0;
    int patchSize = 0;
    int channels = 0;
    // Encoder-decoders (T5)
    int decoderLayers = 0;
    int relativeBuckets = 0;
    int relativeMaxDistance = 0;
    int decoderStartTokenId = 0;
    std::map<int, std::string> id2label;
    // A model made of two families (vision-encoder-decoder): this config is its decoder's, read
    // from config.json's decoder settings with the top level's generation keys; `encoder` is the
    // encoder's own config. Null for every other model.
    const ComposedSpec* composed = nullptr;
    std::shared_ptr<const ModelConfig> encoder;
    nlohmann::json raw;                  // the whole config.json

    const FamilySpec& spec() const { return *family; }
    // The config whose image settings (size, patches, channels) the model's input has: a
    // composed model's encoder's, else this one.
    const ModelConfig& imageConfig() const { return encoder ? *encoder : *this; }
    // The RoPE of layer l, or nullptr where the layer has none.
    const RopeSpec* ropeOf(int layer) const {
        const int i = layer < static_cast<int>(layerRope.size()) ? layerRope[static_cast<std::size_t>(layer)] : -1;
        return i >= 0 ? &ropes[static_cast<std::size_t>(i)] : nullptr;
    }
    int patchGridSide() const { return patchSize > 0 ? imageSize / patchSize : 0; }
    int patchCount() const { return patchGridSide() * patchGridSide(); }
    // Whether config.json's "architectures" has one ending with `suffix` (e.g. "ForMultipleChoice").
    bool architectureEndsWith(const std::string& suffix) const;

    static ModelConfig fromFile(const std::filesystem::path& configJson);
    static ModelConfig fromJson(const nlohmann::json& json, const std::string& fileName);
};

}  // namespace attnscope
