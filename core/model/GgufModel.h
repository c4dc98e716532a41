#pragma once
// A GGUF file (llama.cpp, Ollama, LM Studio) opened as a model of an existing family: the
// architecture it names (general.architecture) is looked up in a table, its {arch}.* keys
// become the config a Hugging Face config.json would give, and its tensors, named as
// llama.cpp names them (blk.N.attn_q …), are handed to the family under the family table's
// own names. Heads are the Hugging Face model's heads: the query and key rows llama.cpp's
// converter reorders into rotary pairs for the llama architecture are put back in order.
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "io/CheckpointWeights.h"
#include "io/GgufFile.h"
#include "model/ModelConfig.h"
#include "text/Tokenizer.h"

namespace attnscope {

// True when the path is a regular file that starts with GGUF's magic.
bool isGgufFile(const std::filesystem::path& path);

struct GgufModel {
    ModelConfig config;
    std::unique_ptr<CheckpointWeights> weights;
    std::unique_ptr<Tokenizer> tokenizer;  // nullptr when the file has none AttnScope can use
    std::string tokenizerProblem;           // why, when it is nullptr
};

// Throws attnscope::Error naming the file and key or tensor when the file is not a model
// AttnScope can run (an architecture it does not have, a missing key, an unknown tensor).
GgufModel openGgufModel(const std::filesystem::path& file);

// The config.json a Hugging Face checkpoint of this file's model would have (for tests, and
// for `info` to show where each setting came from).
nlohmann::json ggufConfigJson(const GgufFile& file);

}  // namespace attnscope
