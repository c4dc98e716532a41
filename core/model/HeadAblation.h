#pragma once
// Switching heads off to see whether they matter: a set of (layer, head) whose output is
// zeroed, or replaced by its mean over the positions, before the layer's output projection
// (what a forward hook on o_proj's input does in transformers).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tensor/RowMatrix.h"

namespace attnscope {

enum class AblationMode { Zero, Mean };

struct HeadAblation {
    std::vector<std::pair<int, int>> heads;  // (layer, head), sorted, each once
    AblationMode mode = AblationMode::Zero;

    bool empty() const { return heads.empty(); }
    std::vector<int> headsInLayer(int layer) const;
    // "1.0, 2.3" (layer.head, from 0), and with the mode: "heads 1.0, 2.3 off (mean)".
    std::string list() const;
    std::string describe() const;
    // Throws attnscope::Error naming the first head the model lacks.
    void requireFits(int layers, int headsPerLayer) const;
};

// Parses "L.H,L.H" (spaces allowed, duplicates merged). Throws attnscope::Error naming the item
// that is not layer.head with both numbers from 0.
HeadAblation parseHeadAblation(std::string_view list, AblationMode mode = AblationMode::Zero);
std::optional<AblationMode> ablationModeNamed(std::string_view name);  // "zero" or "mean"
const char* ablationModeName(AblationMode mode);

// Applies it to one layer's context [n, heads * headDim] (the heads' outputs side by side).
void ablateContext(RowMatrix& context, const std::vector<int>& heads, int headDim, AblationMode mode);

}  // namespace attnscope
