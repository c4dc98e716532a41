#pragma once
#include <Eigen/Core>
#include <cstddef>
#include <optional>
#include <vector>

#include "model/AttentionStack.h"

namespace attnscope {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// An image already preprocessed for the model: float32 [channels, height, width].
struct PixelValues {
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<float> values;
    bool empty() const { return values.empty(); }
};

struct ForwardInput {
    std::vector<int> ids;
    std::vector<int> typeIds;  // empty = all zero
    PixelValues pixels;        // vision models take this instead of ids
    std::vector<int> decoderIds;  // encoder-decoder models; empty = the decoder start token alone
    // How to keep the attention maps; unset = float32 when they fit attentionBudgetBytes,
    // else the most exact compact form that does (see AttentionPrecision).
    std::optional<AttentionPrecision> attentionPrecision;
    std::size_t attentionBudgetBytes = std::size_t{4} << 30;
    // Keep the residual stream after every block (ForwardResult::hiddenStates), for the logit lens.
    bool keepHiddenStates = false;

    AttentionPrecision precisionFor(std::size_t values) const {
        return attentionPrecision ? *attentionPrecision : precisionForBudget(values, attentionBudgetBytes);
    }
};

struct ForwardResult {
    AttentionStack attentions;   // [layers, heads, n, n]; the encoder's for encoder-decoder models
    AttentionStack decoderAttentions;  // encoder-decoder only: [decoder layers, heads, m, m]
    AttentionStack crossAttentions;    // encoder-decoder only: [decoder layers, heads, m, n]
    RowMatrix lastHiddenState;   // [n, hidden], as transformers' hidden_states[-1] (the decoder's for T5)
    RowMatrix logits;            // [n, vocab or labels]; empty when the checkpoint has no head
    // With ForwardInput::keepHiddenStates (single-stack text models): the residual stream after
    // each block, [n, hidden] per layer, before any final norm.
    std::vector<RowMatrix> hiddenStates;
};

// Keys and values of every layer for the tokens seen so far (causal text models): with it, a
// new token costs one incremental step instead of a forward pass over the whole sequence.
struct KeyValueCache {
    // Per layer: the first `length` rows hold [kvHeads * headDim] keys (positions applied) and
    // values; the rest is spare room, grown by doubling so a long generation copies each row
    // O(1) times instead of once per new token.
    std::vector<RowMatrix> keys, values;
    int length = 0;
};

}  // namespace attnscope
