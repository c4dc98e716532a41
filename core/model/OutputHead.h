#pragma once
#include <vector>

#include "model/FamilySpec.h"
#include "model/Layers.h"
#include "model/ResidualTrace.h"
#include "model/WeightBinder.h"

namespace attnscope {

// A checkpoint's output head, bound from the first of its family's candidate heads
// (FamilySpec::heads) whose tensors the checkpoint stores: pooling, an optional dense layer,
// activation and norm, then the projection to the vocabulary or the labels.
class OutputHead {
public:
    OutputHead() = default;  // no head
    // `tokenTable` is the word embedding table tied projections reuse. Throws attnscope::Error
    // for a head whose tensors are misshapen or whose labels disagree with id2label.
    static OutputHead bind(const WeightBinder& bind, const Linear& tokenTable);

    HeadKind kind() const { return spec_ ? spec_->kind : HeadKind::None; }
    // The head's own names for its labels (empty: config.json's id2label names them).
    std::vector<std::string> labelNames() const { return spec_ ? spec_->labelNames : std::vector<std::string>{}; }
    bool present() const { return spec_ != nullptr; }
    // Logits from the hidden states after the final norm: [n, vocabulary] for a language model,
    // [n, labels] for a token classifier, one row [1, labels] for a classifier (which reads the
    // pooled position(s) of `ids`).
    RowMatrix logits(const RowMatrix& hidden, const std::vector<int>& ids) const;

    // Direct logit attribution (model/ResidualTrace.h). The positions logits row `row` is read
    // from: that position for a per-position head, the pooled one(s) for a classifier.
    std::vector<int> readPositions(int row, const std::vector<int>& ids) const;
    // Follows the trace from the final norm's output `hidden` [n, width] through the head's
    // dense layer, activation and norm (each frozen at its actual value) to the projection.
    void followTrace(ResidualTrace& trace, const RowMatrix& hidden) const;
    // Each traced part's share of logit `entry` (before any softcap), and the share of the
    // projection's own biases, which is the same for every input.
    std::vector<double> logitShares(const ResidualTrace& trace, int entry, double& constant) const;
    float softcap() const { return softcap_; }  // 0: the logits are not capped

private:
    // Whether candidate `h` is this checkpoint's head; binds it when so.
    bool tryBind(const OutputHeadSpec& h, const WeightBinder& bind, const Linear& tokenTable);
    int pooledPosition(const std::vector<int>& ids) const;

    const OutputHeadSpec* spec_ = nullptr;
    Linear dense_, projection_, second_;
    Activation activation_ = Activation::Gelu;
    Norm norm_;
    float inputScale_ = 1.0f;
    const float* addedBias_ = nullptr;  // [width], added to every row of logits (final_logits_bias)
    float softcap_ = 0.0f;  // > 0: a language model's logits become softcap * tanh(logits / softcap) (Gemma 2)
    int padTokenId_ = -1;
};

}  // namespace attnscope
