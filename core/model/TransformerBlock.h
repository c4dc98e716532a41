#pragma once
#include <vector>

#include "model/DisentangledAttention.h"
#include "model/FamilySpec.h"
#include "model/HeadAblation.h"
#include "model/Layers.h"
#include "model/ResidualTrace.h"
#include "model/RotaryEmbedding.h"
#include "model/SelfAttention.h"

namespace attnscope {

struct BlockWeights {
    Norm attnNorm;  // before attention (pre-norm) or after its residual (post-norm); absent in OLMo 2
    Norm mlpNorm;
    Norm attnOutNorm, mlpOutNorm;  // on a sublayer's output before the residual add (Gemma 2/3, OLMo 2)
    Norm qNorm, kNorm;             // on the queries and keys before RoPE (Qwen 3, Gemma 3, OLMo 2)
    Linear q, k, v, qkv, out;
    Linear up, gate, down;
    Linear gateUp;                 // [gate | up] in one projection (Phi-3)
    // Decoder blocks of encoder-decoder models: attention from the decoder to the encoder.
    Norm crossNorm;
    Linear crossQ, crossK, crossV, crossOut;
    Linear crossKv;  // [k | v] in one projection (GPT-2), instead of crossK and crossV
    // DeBERTa without share_att_key: the projections of the relative-position table.
    Linear posKey, posQuery;
};

struct BlockInputs {
    const std::vector<int>& positions;
    const float* scoreBias = nullptr;           // [heads, n, n], added to self-attention scores
    const RowMatrix* encoderStates = nullptr;   // keys/values for cross-attention
    AttentionSink crossProbs{};                 // [heads, n, encoder length]
    // Instead of encoderStates, when decoding step by step: their projections, made once
    // (crossKeysValues()).
    const RowMatrix* crossKeys = nullptr;
    const RowMatrix* crossValues = nullptr;
    // Incremental decoding: this layer's keys and values so far, in their first cachedLength
    // rows (KeyValueCache); the block appends the new tokens' and attends over all of them.
    RowMatrix* cachedKeys = nullptr;
    RowMatrix* cachedValues = nullptr;
    int cachedLength = 0;
    // DeBERTa's relative terms: the settings, the (normalised) position table [2 * span, hidden],
    // the table row of each (query, key) pair (relativeTableRows()), and where each term's own
    // attention goes.
    const DisentangledConfig* disentangled = nullptr;
    const RowMatrix* positionTable = nullptr;
    const std::vector<int>* tableRows = nullptr;
    TermSinks terms{};
    // Heads of this layer switched off before the output projection (null or empty: none).
    const std::vector<int>* ablatedHeads = nullptr;
    const std::vector<int>* crossAblatedHeads = nullptr;  // the same in the cross-attention
    AblationMode ablationMode = AblationMode::Zero;
    // Attribution: the stream's parts, followed through this block (null: not followed).
    ResidualTrace* trace = nullptr;
    // Inside one head: its numbers at one query, kept by the attention (null: this layer keeps none).
    HeadCapture* capture = nullptr;
};

// One transformer layer. Every family runs through here; FamilySpec decides norm
// placement, fused or split q/k/v, rotary positions and gated MLP.
class TransformerBlock {
public:
    TransformerBlock(BlockWeights weights, const FamilySpec& spec, Activation activation, AttentionShape shape,
                     const RotaryEmbedding* rotary, bool parallelResidual);

    // Updates the residual stream x [n, hidden] in place and writes the heads' attention
    // probabilities to probs ([heads, n, n]).
    void forward(RowMatrix& x, const BlockInputs& in, const AttentionSink& probs) const;
    // A decoder block's cross-attention keys and values of the encoder's output, for every
    // later step to read (BlockInputs::crossKeys).
    void crossKeysValues(const RowMatrix& encoder, RowMatrix& keys, RowMatrix& values) const;
    bool hasCrossAttention() const { return w_.crossQ.present(); }

private:
    RowMatrix attention(const RowMatrix& x, const BlockInputs& in, const AttentionSink& probs) const;
    RowMatrix crossAttention(const RowMatrix& x, const BlockInputs& in) const;
    RowMatrix mlp(const RowMatrix& x) const;

    BlockWeights w_;
    const FamilySpec& spec_;
    Activation activation_;
    AttentionShape shape_;
    const RotaryEmbedding* rotary_;
    bool parallelResidual_;
};

}  // namespace attnscope
