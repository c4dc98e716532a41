#pragma once
#include <vector>

#include "tensor/RowMatrix.h"
#include "model/ModelConfig.h"

namespace attnscope {

// Rotary position embedding in the "rotate half" layout transformers uses: the first
// `rotaryDims` dimensions of each head are split into halves (x1, x2) and rotated as
// (x1 cos - x2 sin, x2 cos + x1 sin); the remaining dimensions pass through.
class RotaryEmbedding {
public:
    RotaryEmbedding(const ModelConfig& config, int rotaryDims);
    // Rotates every head (headDim wide, side by side) of x in place; row i is position positions[i].
    void apply(RowMatrix& x, int heads, int headDim, const std::vector<int>& positions) const;

private:
    int rotaryDims_;
    std::vector<double> invFreq_;
};

}  // namespace attnscope
