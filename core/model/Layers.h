#pragma once
#include "model/LayerKinds.h"
#include "tensor/RowMatrix.h"

namespace attnscope {

// y = x W^T + b over the rows of x. Weights point into the checkpoint (memory map or its
// float32 conversion); nothing here owns memory.
struct Linear {
    const float* weight = nullptr;
    const float* bias = nullptr;
    int in = 0;
    int out = 0;
    bool storedInOut = false;  // GPT-2 Conv1D layout [in, out]

    bool present() const { return weight != nullptr; }
    RowMatrix apply(const RowMatrix& x) const;
};

struct Norm {
    const float* weight = nullptr;
    const float* bias = nullptr;  // absent for RMSNorm
    int dim = 0;
    NormKind kind = NormKind::LayerNorm;
    float eps = 1e-5f;

    bool present() const { return weight != nullptr; }
    // Normalises each row of x (dim wide).
    void applyInPlace(Eigen::Ref<RowMatrix> x) const;
    // Normalises each dim-wide slice of x's rows on its own: x [n, heads * dim] holds one
    // slice per head (the per-head q/k norms of Qwen 3 and Gemma 3).
    void applyPerSlice(RowMatrix& x) const;
};

void applyActivation(Activation act, RowMatrix& x);

}  // namespace attnscope
