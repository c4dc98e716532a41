#include "model/LayerStack.h"

#include "Error.h"
#include "model/RelativePositionBias.h"

namespace attnscope {

LayerStack::LayerStack(std::string label, std::vector<TransformerBlock> blocks, Norm finalNorm, RelativeBiasTable bias, int heads,
                       int kvWidth)
    : label_(std::move(label)), blocks_(std::move(blocks)), finalNorm_(finalNorm), bias_(bias), heads_(heads), kvWidth_(kvWidth) {}

bool LayerStack::run(RowMatrix& x, const Run& run) const {
    const int n = static_cast<int>(x.rows());
    KeyValueCache* cache = run.cache;
    if (cache && cache->keys.empty()) {
        cache->keys.assign(blocks_.size(), RowMatrix(0, kvWidth_));
        cache->values.assign(blocks_.size(), RowMatrix(0, kvWidth_));
        cache->length = 0;
    }
    const int before = cache ? cache->length : 0;
    // T5 computes the bucketed position bias once per stack and adds it in every layer.
    std::vector<float> bias;
    if (bias_.table)
        bias = relativePositionBias(bias_.table, heads_, n, before + n, bias_.bidirectional, bias_.buckets, bias_.maxDistance, before);
    std::vector<int> tableRows;
    if (disentangled_) {
        if (cache) throw Error(label_ + "stack has relative position terms and no step-by-step decoding");
        tableRows = relativeTableRows(*disentangled_, n);
    }
    if (run.trace) {
        if (cache) throw Error(label_ + "stack: attribution follows a whole forward pass, not a cached step");
        run.trace->start(x);
    }
    for (int l = 0; l < layers(); ++l) {
        if (run.cancel && run.cancel->load()) return false;
        BlockInputs in{*run.positions, bias.empty() ? nullptr : bias.data(), run.encoderStates, AttentionSink{run.crossAttention, l}};
        if (disentangled_) {
            in.disentangled = &*disentangled_;
            in.positionTable = &positionTable_;
            in.tableRows = &tableRows;
            in.terms = {{run.contentToContent, l}, {run.contentToPosition, l}, {run.positionToContent, l}};
        }
        if (cache) {
            in.cachedKeys = &cache->keys[static_cast<std::size_t>(l)];
            in.cachedValues = &cache->values[static_cast<std::size_t>(l)];
            in.cachedLength = before;
            if (!cache->crossKeys.empty()) {
                in.crossKeys = &cache->crossKeys[static_cast<std::size_t>(l)];
                in.crossValues = &cache->crossValues[static_cast<std::size_t>(l)];
            }
        }
        const std::vector<int> ablated = run.ablation ? run.ablation->headsInLayer(l, run.ablationStack) : std::vector<int>{};
        const std::vector<int> crossAblated = run.ablation && run.ablationStack == AblatedStack::Decoder
                                                  ? run.ablation->headsInLayer(l, AblatedStack::Cross)
                                                  : std::vector<int>{};
        if (!ablated.empty()) in.ablatedHeads = &ablated;
        if (!crossAblated.empty()) in.crossAblatedHeads = &crossAblated;
        if (run.ablation) in.ablationMode = run.ablation->mode;
        if (run.trace) {
            run.trace->setLayer(l);
            in.trace = run.trace;
        }
        if (run.capture && run.capture->layer == l) in.capture = run.capture;
        blocks_[static_cast<std::size_t>(l)].forward(x, in, AttentionSink{run.attention, l});
        if (!x.allFinite())
            throw Error(label_ + "layer " + std::to_string(l) +
                        " produced non-finite activations (NaN or Inf); the checkpoint's weights are likely corrupt");
        if (run.hiddenStates) run.hiddenStates->push_back(x);
        if (run.layerDone) run.layerDone(l + 1);
    }
    if (cache) cache->length = before + n;
    return true;
}

void LayerStack::prepareCrossAttention(const RowMatrix& encoderStates, KeyValueCache& cache) const {
    cache.crossKeys.assign(blocks_.size(), RowMatrix());
    cache.crossValues.assign(blocks_.size(), RowMatrix());
    for (std::size_t l = 0; l < blocks_.size(); ++l) {
        if (!blocks_[l].hasCrossAttention()) throw Error(label_ + "layer " + std::to_string(l) + " has no cross-attention");
        blocks_[l].crossKeysValues(encoderStates, cache.crossKeys[l], cache.crossValues[l]);
    }
    cache.sourceLength = static_cast<int>(encoderStates.rows());
}

void LayerStack::setDisentangled(const DisentangledConfig& config, RowMatrix positionTable) {
    disentangled_ = config;
    positionTable_ = std::move(positionTable);
}

void LayerStack::applyFinalNorm(RowMatrix& x, ResidualTrace* trace) const {
    if (!hasFinalNorm()) return;
    if (trace) {
        trace->setLayer(-1);
        trace->normStream(finalNorm_, x);
    }
    finalNorm_.applyInPlace(x);
}

}  // namespace attnscope
