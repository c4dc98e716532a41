#pragma once
// attnscope-cli predict, generate, lens, ablate and attribute: what the model does with its attention.
#include <cstdint>
#include <optional>
#include <string>

#include "CliCommands.h"
#include "model/HeadAblation.h"

namespace cli {

struct PredictOptions {
    int topK = 5;
    std::optional<int> position;  // keep only this token position's list
};

struct GenerateOptions {
    int maxNewTokens = 0;
    float temperature = 0.0f;  // 0: greedy
    int topK = 0;
    float topP = 1.0f;
    std::uint64_t seed = 0;
    std::optional<std::string> outFile;  // the attention of the whole final sequence
};

struct AblateOptions {
    attnscope::HeadAblation ablation;
    int topK = 5;
    std::optional<int> position;
};

struct AttributeOptions {
    std::optional<int> position;           // default: the last token (causal LM), the first mask (masked LM)
    std::optional<std::string> target;     // default: the top prediction there
    std::optional<std::string> distractor;
    bool flip = false;                     // also search for the heads whose ablation flips the top prediction
    attnscope::AblationMode mode = attnscope::AblationMode::Zero;  // how the flip search switches heads off
};

void runPredict(const std::string& model, const attnscope::UserInput& input, const PredictOptions& options);
void runGenerate(const std::string& model, const attnscope::UserInput& input, const GenerateOptions& options);
void runLens(const std::string& model, const attnscope::UserInput& input, int topK);
// The predictions with the heads switched off beside the plain ones: per answered position the
// top k before and after, and for each token in either list its probability before, after and
// the change.
void runAblate(const std::string& model, const attnscope::UserInput& input, const AblateOptions& options);
// Direct logit attribution at one position: every head's share of the target's logit (less the
// distractor's) as a [layer][head] grid, each MLP's, the embedding's and the biases', and with
// --flip the smallest set of heads found whose ablation changes the top prediction.
void runAttribute(const std::string& model, const attnscope::UserInput& input, const AttributeOptions& options);

}  // namespace cli
