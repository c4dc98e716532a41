#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "model/HeadAblation.h"
#include "tensor/AttentionRecord.h"
#include "tensor/AttentionStack.h"
#include "tensor/PixelValues.h"
#include "tensor/RowMatrix.h"

namespace attnscope {

class ResidualTrace;
struct HeadCapture;

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
    // Heads switched off (single-stack models): their output zeroed or averaged before the
    // output projection, so logits, hidden states and later layers' attention all change.
    HeadAblation ablation;
    // Attribution (analysis/LogitAttribution.h): the residual stream's parts at the trace's
    // positions, followed to the output head's projection (single-stack models with a head).
    ResidualTrace* trace = nullptr;
    // Inside one head (model/HeadCapture.h): its layer keeps one query's numbers (single-stack models).
    HeadCapture* capture = nullptr;

    AttentionPrecision precisionFor(std::size_t values) const {
        return attentionPrecision ? *attentionPrecision : precisionForBudget(values, attentionBudgetBytes);
    }
};

// What one forward pass gives: the record the views show (its token sequences, known here by
// id only; its named stacks; logits and pixel values), and the residual stream for analysis.
struct ForwardResult {
    AttentionRecord record;
    RowMatrix lastHiddenState;  // [n, hidden], as transformers' hidden_states[-1] (the decoder's for an encoder-decoder)
    // With ForwardInput::keepHiddenStates (single-stack text models): the residual stream after
    // each block, [n, hidden] per layer, before any final norm.
    std::vector<RowMatrix> hiddenStates;
};

// One step through a KeyValueCache: the new tokens' attention rows over every token so far,
// [layers, heads, new tokens, cached + new], and their logits [new tokens, vocabulary]. An
// encoder-decoder's step also reads the source: [layers, heads, new tokens, source length].
struct StepResult {
    AttentionStack attention;
    AttentionStack crossAttention;
    RowMatrix logits;
    RowMatrix lastHiddenState;
};

// Keys and values of every layer for the tokens seen so far (causal text models, and an
// encoder-decoder's decoder): with it, a new token costs one incremental step instead of a
// forward pass over the whole sequence.
struct KeyValueCache {
    // Per layer: the first `length` rows hold [kvHeads * headDim] keys (positions applied) and
    // values; the rest is spare room, grown by doubling so a long generation copies each row
    // O(1) times instead of once per new token.
    std::vector<RowMatrix> keys, values;
    int length = 0;
    // Encoder-decoders: each decoder layer's cross-attention keys and values of the encoded
    // source, [source length, kvHeads * headDim], computed once (TransformerModel::encodeSource)
    // since the source does not change while the target grows.
    std::vector<RowMatrix> crossKeys, crossValues;
    int sourceLength = 0;
};

}  // namespace attnscope
