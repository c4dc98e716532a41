#pragma once
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/DisentangledAttention.h"
#include "model/ForwardResult.h"
#include "model/Layers.h"
#include "model/TransformerBlock.h"

namespace attnscope {

// T5's relative position bias for one stack: a learned [buckets, heads] table, added to every
// layer's scores. Bidirectional (encoder) buckets tell earlier from later keys.
struct RelativeBiasTable {
    const float* table = nullptr;  // null: the stack has none
    bool bidirectional = true;
    int buckets = 0;
    int maxDistance = 0;
};

// The blocks of one stack (an encoder, a decoder, a decoder-only model), its final norm and
// position bias: the one layer loop every forward pass, cached step and stack runs through.
class LayerStack {
public:
    // What one run over the residual stream writes and reads. Only `positions` and `attention`
    // are required.
    struct Run {
        const std::vector<int>* positions = nullptr;
        AttentionStack* attention = nullptr;       // [layers, heads, n, keys]
        const RowMatrix* encoderStates = nullptr;  // cross-attention: the encoder's output
        AttentionStack* crossAttention = nullptr;  // [layers, heads, n, encoder length]
        KeyValueCache* cache = nullptr;            // incremental decoding: appended to, its length grows by n
        std::vector<RowMatrix>* hiddenStates = nullptr;  // the residual stream after each block
        std::function<void(int)> layerDone;        // layers done so far in this stack
        const std::atomic<bool>* cancel = nullptr; // checked before each layer
        // DeBERTa: each relative term's attention alone, [layers, heads, n, n] (null: not kept).
        AttentionStack* contentToContent = nullptr;
        AttentionStack* contentToPosition = nullptr;
        AttentionStack* positionToContent = nullptr;
        const HeadAblation* ablation = nullptr;    // heads switched off (null: none)
        // Which of the ablation's stacks this one is: the own stack, or an encoder-decoder's
        // decoder (whose cross-attention then takes the Cross heads).
        AblatedStack ablationStack = AblatedStack::Own;
        ResidualTrace* trace = nullptr;            // attribution: started on x, followed through every block
        HeadCapture* capture = nullptr;            // inside one head: filled by its layer
    };

    // `label` names the stack in errors ("encoder ", "decoder ", or "" for a model's only one).
    LayerStack(std::string label, std::vector<TransformerBlock> blocks, Norm finalNorm, RelativeBiasTable bias, int heads, int kvWidth);

    int layers() const { return static_cast<int>(blocks_.size()); }
    int heads() const { return heads_; }
    // Runs every block over x [n, hidden] in place. Returns false when *cancel became true;
    // throws attnscope::Error when a layer's output is not finite.
    bool run(RowMatrix& x, const Run& run) const;
    // A decoder stack's cross-attention keys and values of the encoder's output, put into the
    // cache for every later run with it to read instead of the encoder states.
    void prepareCrossAttention(const RowMatrix& encoderStates, KeyValueCache& cache) const;
    // DeBERTa: the relative terms' settings and the position table every layer reads, [2 * span, hidden].
    void setDisentangled(const DisentangledConfig& config, RowMatrix positionTable);
    // The stack's final norm, where it has one (followed by `trace` when given).
    void applyFinalNorm(RowMatrix& x, ResidualTrace* trace = nullptr) const;
    bool hasFinalNorm() const { return finalNorm_.weight != nullptr; }

private:
    std::string label_;
    std::vector<TransformerBlock> blocks_;
    Norm finalNorm_;
    RelativeBiasTable bias_;
    std::optional<DisentangledConfig> disentangled_;
    RowMatrix positionTable_;
    int heads_;
    int kvWidth_;  // kvHeads * headDim: the width of a cached key or value row
};

}  // namespace attnscope
