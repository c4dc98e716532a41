#include "model/ComposedFamilies.h"

namespace attnscope {

namespace {

// VisionEncoderDecoderModel (e.g. nlpconnect/vit-gpt2-image-captioning): `encoder.` holds the
// vision model, `decoder.` the causal LM with cross-attention, and enc_to_dec_proj exists only
// where the two widths differ.
ComposedSpec visionEncoderDecoder() {
    ComposedSpec s;
    s.modelTypes = {"vision-encoder-decoder"};
    s.encoderPrefix = "encoder.";
    s.decoderPrefix = "decoder.";
    s.projection = "enc_to_dec_proj";
    s.encoderReadsImages = true;
    s.topLevelKeys = {"decoder_start_token_id", "bos_token_id", "eos_token_id", "pad_token_id", "architectures"};
    return s;
}

const std::vector<ComposedSpec>& table() {
    static const std::vector<ComposedSpec> specs{visionEncoderDecoder()};
    return specs;
}

}  // namespace

std::vector<std::string> composedModelTypes() {
    std::vector<std::string> types;
    for (const ComposedSpec& s : table()) types.insert(types.end(), s.modelTypes.begin(), s.modelTypes.end());
    return types;
}

const ComposedSpec* findComposed(const std::string& modelType) {
    for (const ComposedSpec& s : table())
        for (const std::string& t : s.modelTypes)
            if (t == modelType) return &s;
    return nullptr;
}

}  // namespace attnscope
