#pragma once
// The model input the CLI's commands share: what the user gave (CliCommands.h's TextInput)
// turned into a forward pass's input for whatever kind of model is open.
#include <string>
#include <vector>

#include "CliCommands.h"
#include "model/Checkpoint.h"

namespace cli {

struct PreparedInput {
    attnscope::ForwardInput forward;
    std::vector<std::string> tokens;
    std::vector<bool> specialTokens;
    std::vector<std::string> decoderTokens;
    std::vector<bool> decoderSpecialTokens;
};

// Tokens or image, and T5's decoder input; UsageError for inputs the model's kind rules out,
// attnscope::Error for bad input (an empty text, no tokenizer, an undecodable image).
PreparedInput prepare(const attnscope::Checkpoint& cp, const TextInput& input);

}  // namespace cli
