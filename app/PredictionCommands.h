#pragma once
// attnscope-cli predict, generate, lens and ablate: what the model does with its attention.
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

void runPredict(const std::string& model, const attnscope::UserInput& input, const PredictOptions& options);
void runGenerate(const std::string& model, const attnscope::UserInput& input, const GenerateOptions& options);
void runLens(const std::string& model, const attnscope::UserInput& input, int topK);
// The predictions with the heads switched off beside the plain ones: per answered position the
// top k before and after, and for each token in either list its probability before, after and
// the change.
void runAblate(const std::string& model, const attnscope::UserInput& input, const AblateOptions& options);

}  // namespace cli
