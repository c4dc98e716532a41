#pragma once
#include <vector>

#include "model/RopeSpec.h"
#include "tensor/RowMatrix.h"

namespace attnscope {

// Rotary position embedding in the "rotate half" layout transformers uses: the first
// `rotaryDims` dimensions of each head are split into halves (x1, x2) and rotated as
// (x1 cos - x2 sin, x2 cos + x1 sin); the remaining dimensions pass through. YaRN and LongRoPE
// scale cos and sin by their attention factor.
class RotaryEmbedding {
public:
    explicit RotaryEmbedding(RopeSpec spec);
    // Rotates every head (headDim wide, side by side) of x in place; row i is position positions[i].
    // Dynamic NTK and LongRoPE choose their frequencies from the last position, as transformers
    // does per forward call.
    void apply(RowMatrix& x, int heads, int headDim, const std::vector<int>& positions) const;
    const RopeSpec& spec() const { return spec_; }

private:
    RopeSpec spec_;
    std::vector<double> invFreq_;  // for every length, unless the type depends on it
};

}  // namespace attnscope
