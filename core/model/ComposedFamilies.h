#pragma once
// Models made of two families' checkpoints in one folder: transformers' VisionEncoderDecoderModel
// puts an image encoder (ViT, DeiT, ...) and a text decoder with cross-attention (GPT-2) side by
// side. Each part's config.json nests under its own key and its tensors under its own prefix;
// this table says where, so the parts run as their own families' table entries.
#include <string>
#include <vector>

namespace attnscope {

struct ComposedSpec {
    std::vector<std::string> modelTypes;  // the top-level model_type values
    const char* encoderKey = "encoder";
    const char* decoderKey = "decoder";
    std::string encoderPrefix;  // the encoder's tensors: encoderPrefix + its own family's names
    std::string decoderPrefix;
    // Maps the encoder's output to the decoder's width where the widths differ (nn.Linear).
    std::string projection;
    bool encoderReadsImages = false;
    // Keys the top level decides for the whole model, over the decoder's own (the decoder's
    // start token, the ids generation stops at, the architectures).
    std::vector<std::string> topLevelKeys;
};

// The composed model a config.json model_type names; nullptr when it names none.
const ComposedSpec* findComposed(const std::string& modelType);
// Every composed model_type, in the table's order.
std::vector<std::string> composedModelTypes();

}  // namespace attnscope
