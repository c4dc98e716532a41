#pragma once
// What sets a model's attention apart, said once for every front end: as JSON for
// `attnscope-cli info`, and as short notes for the status line and classroom captions
// ("local layer, window 4", "scores soft-capped at 50"). Plain models have nothing to note.
#include <string>

#include <nlohmann/json.hpp>

#include "model/ModelConfig.h"

namespace attnscope {

// head_dim, the score scale, soft-caps, q/k norms, each distinct RoPE and, per layer, its
// type, window and RoPE (the index into "rope", or null for none).
nlohmann::json describeAttention(const ModelConfig& config);

// What sets layer `layer` apart from the others ("local layer, window 4, RoPE theta 10000",
// "global layer", "no RoPE"); empty when every layer attends alike.
std::string layerNote(const ModelConfig& config, int layer);

// What the whole model does to its scores and logits beyond softmax(q·k / sqrt(d)):
// scaling, soft-caps, q/k norms, a scaled RoPE; empty for a plain model.
std::string scoreNote(const ModelConfig& config);

}  // namespace attnscope
