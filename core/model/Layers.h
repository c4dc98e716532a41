#pragma once
#include <cstdint>

#include "model/LayerKinds.h"
#include "tensor/DType.h"
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
    // Or, instead of `weight`, the checkpoint's own 16-bit floats (BF16 or F16) or a GGUF file's
    // quantized blocks, as stored, converted a slice at a time inside apply(): a large model's
    // weights then take their stored size in memory (see CheckpointWeights::packed).
    const std::uint8_t* packed = nullptr;
    DType packedType = DType::BF16;

    bool present() const { return weight != nullptr || packed != nullptr; }
    RowMatrix apply(const RowMatrix& x) const;
    // The whole weight as float32 in its stored layout ([out, in], or [in, out] for Conv1D).
    RowMatrix floatWeight() const;
    // The in weights that make output o (a row of [out, in], a column of [in, out]).
    Eigen::RowVectorXf outputWeights(int o) const;
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
    // The norm made linear at one actual input row (attribution): y = scale ⊙ (c − mean(c)) for
    // a LayerNorm, scale ⊙ c for an RMSNorm, plus the bias, where scale = gamma / spread(row) is
    // what applyInPlace multiplies that row by. Summed over parts c that add up to the row, it
    // gives exactly the norm's output.
    Eigen::RowVectorXd frozenScale(const Eigen::Ref<const Eigen::RowVectorXf>& row) const;
    bool centres() const { return kind == NormKind::LayerNorm; }

private:
    // 1 / sqrt(mean square + eps) of what the norm divides: a LayerNorm's centred row, an
    // RMSNorm's row itself.
    float inverseSpread(const Eigen::Ref<const Eigen::RowVectorXf>& divided) const;
};

void applyActivation(Activation act, RowMatrix& x);
// The activation made linear at its actual inputs z (attribution): act(z) / z per element (0
// where z is 0, where every activation here is 0), so act(z) = gain ⊙ z and parts that add up
// to z have shares that add up to act(z).
Eigen::RowVectorXd frozenActivationGain(Activation act, const Eigen::Ref<const Eigen::RowVectorXf>& z);

}  // namespace attnscope
