#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace attnscope {

enum class Family { Bert, Roberta, DistilBert, Gpt2, Llama, GptNeo, GptNeoX, Vit, Deit, T5 };

enum class Activation { Gelu, GeluTanh, Relu, Silu, Tanh };  // Tanh: BERT's pooler, never a config's hidden_act

// What the engine needs from a config.json, under one set of names for every family.
struct ModelConfig {
    std::string modelType;         // config.json "model_type" as written (e.g. "mistral")
    Family family = Family::Bert;  // the forward-pass family it runs on
    int layers = 0;
    int heads = 0;
    int kvHeads = 0;
    int hidden = 0;
    int headDim = 0;
    int intermediate = 0;
    int vocabSize = 0;
    int maxPositions = 0;
    int typeVocabSize = 0;
    int padTokenId = -1;           // decoders: -1 when config.json sets none
    float normEps = 1e-12f;
    Activation activation = Activation::Gelu;
    bool causal = false;
    bool tieWordEmbeddings = false;
    bool scaleAttention = true;    // divide scores by sqrt(head_dim)
    bool scaleByInverseLayer = false;  // gpt2 scale_attn_by_inverse_layer_idx
    std::vector<int> layerWindow;  // per layer: 0 = full attention, w = keys within w positions (sliding window)
    // Llama family: rotary position embedding
    double ropeTheta = 10000.0;
    std::string ropeType = "default";  // default | linear | llama3
    double ropeFactor = 1.0;
    double ropeLowFreqFactor = 1.0;
    double ropeHighFreqFactor = 4.0;
    int ropeOriginalMaxPositions = 8192;
    bool attentionBias = true;     // q/k/v projections have a bias
    bool outputBias = true;        // the attention output projection has a bias
    bool mlpBias = true;
    bool parallelResidual = false; // GPT-NeoX: x + attn(ln1 x) + mlp(ln2 x)
    bool gatedMlp = false;         // T5's gated-gelu feed-forward (wi_0 gate, wi_1 up)
    double rotaryFraction = 1.0;   // share of each head that is rotated (partial rotary on GPT-NeoX)
    int rotaryDims = 0;            // derived: int(headDim * rotaryFraction) on rotary families
    // Vision transformers
    int imageSize = 0;
    int patchSize = 0;
    int channels = 0;
    // Encoder-decoder (T5)
    int decoderLayers = 0;
    int relativeBuckets = 0;
    int relativeMaxDistance = 0;
    int decoderStartTokenId = 0;
    std::map<int, std::string> id2label;

    bool isEncoderDecoder() const { return family == Family::T5; }

    bool isVision() const { return family == Family::Vit || family == Family::Deit; }
    int patchCount() const { return patchSize > 0 ? (imageSize / patchSize) * (imageSize / patchSize) : 0; }
    nlohmann::json raw;            // the whole config.json

    static ModelConfig fromFile(const std::filesystem::path& configJson);
    static ModelConfig fromJson(const nlohmann::json& json, const std::string& fileName);
    static std::vector<std::string> supportedModelTypes();
};

}  // namespace attnscope
