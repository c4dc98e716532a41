#pragma once
// SigLIP's attention-pooling head (SiglipMultiheadAttentionPoolingHead): one learned probe
// query attends, through an nn.MultiheadAttention, over every token of the normalised last
// hidden state, and what it reads becomes the image's embedding. A tower without a class token
// has no row that speaks for the whole image; the probe's attention is that row.
#include "model/WeightBinder.h"
#include "tensor/AttentionStack.h"

namespace attnscope {

class AttentionPoolingProbe {
public:
    AttentionPoolingProbe() = default;
    // Binds the probe [1, 1, hidden] and the in-projection [3 * hidden, hidden] (+ bias) of the
    // family's PoolingProbe and PoolingAttention roles; throws attnscope::Error naming a missing
    // or misshapen tensor.
    explicit AttentionPoolingProbe(const WeightBinder& bind);

    bool present() const { return probe_.data != nullptr; }
    // The probe's attention over `states` [n, hidden] (the last hidden state), per head, as
    // nn.MultiheadAttention computes it: softmax((probe Wq + bq)(x Wk + bk)^T / sqrt(head_dim)).
    // Resizes `out` to [1, heads, 1, n].
    void attend(const RowMatrix& states, AttentionStack& out) const;

private:
    FloatTensor probe_;
    Linear query_, key_;
    int heads_ = 0;
    int headDim_ = 0;
};

}  // namespace attnscope
