#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/FamilySpec.h"
#include "model/LayerKinds.h"

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
    std::vector<int> layerWindow;        // per layer: 0 = full attention, w = keys within w positions (sliding window)
    bool attentionBias = true;           // q/k/v projections have a bias
    bool outputBias = true;              // the attention output projection has a bias
    bool mlpBias = true;
    bool parallelResidual = false;       // GPT-NeoX: x + attn(ln1 x) + mlp(ln2 x)
    bool gatedMlp = false;               // down(act(gate x) * up x)
    // Rotary position embedding
    double ropeTheta = 10000.0;
    std::string ropeType = "default";    // default | linear | llama3
    double ropeFactor = 1.0;
    double ropeLowFreqFactor = 1.0;
    double ropeHighFreqFactor = 4.0;
    int ropeOriginalMaxPositions = 8192;
    double rotaryFraction = 1.0;         // share of each head that is rotated (partial rotary on GPT-NeoX)
    int rotaryDims = 0;                  // int(headDim * rotaryFraction) on rotary families
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
    nlohmann::json raw;                  // the whole config.json

    const FamilySpec& spec() const { return *family; }
    int patchGridSide() const { return patchSize > 0 ? imageSize / patchSize : 0; }
    int patchCount() const { return patchGridSide() * patchGridSide(); }
    // Whether config.json's "architectures" has one ending with `suffix` (e.g. "ForMultipleChoice").
    bool architectureEndsWith(const std::string& suffix) const;

    static ModelConfig fromFile(const std::filesystem::path& configJson);
    static ModelConfig fromJson(const nlohmann::json& json, const std::string& fileName);
};

}  // namespace attnscope
