#pragma once
// The logit lens: the model's output head applied to the residual stream after every block,
// showing what the model would predict if it stopped at that layer.
#include <atomic>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "analysis/Predictions.h"
#include "model/ForwardResult.h"

namespace attnscope {

class Checkpoint;
class TransformerModel;

// The top-k predictions per layer and position. Layer l (0-based) reads the residual stream
// after block l + 1, so the last layer is the model's own prediction.
struct LogitLens {
    int layers = 0;
    int positions = 0;
    int topK = 0;                  // entries per cell (the requested k, or the vocabulary if smaller)
    std::vector<Prediction> top;   // [layer][position][k], most probable first

    bool empty() const { return top.empty(); }
    std::span<const Prediction> at(int layer, int position) const {
        const auto offset = (static_cast<std::size_t>(layer) * positions + position) * topK;
        return {top.data() + offset, static_cast<std::size_t>(topK)};
    }
};

// Called after each layer of work with (layers done, layers in all).
using LensProgress = std::function<void(int done, int total)>;

// Whether `model` has a logit lens: a single-stack text model with a vocabulary head.
bool hasLogitLens(const TransformerModel& model);

// Throws attnscope::Error saying why `model` has no logit lens: vision models and
// encoder-decoders, checkpoints without an output head (no LM head to read tokens with) and
// text classifiers (their head scores labels, not tokens).
void requireLogitLens(const TransformerModel& model);

// The lens of a forward pass run with ForwardInput::keepHiddenStates: `hiddenStates` is
// ForwardResult::hiddenStates ([n, hidden] per layer). Works layer by layer; returns
// std::nullopt when *cancel became true (checked between layers). Throws attnscope::Error
// for a model without a lens (see requireLogitLens) or hidden states of the wrong shape.
std::optional<LogitLens> computeLogitLens(const TransformerModel& model, const std::vector<RowMatrix>& hiddenStates, int topK,
                                          const LensProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);

// Runs the forward pass itself (keeping the hidden states) and then the lens. Progress counts
// the forward's layers and then the lens's: total = 2 * layers. std::nullopt when cancelled.
// Throws attnscope::Error, naming the checkpoint's folder, for a checkpoint without a lens.
std::optional<LogitLens> computeLogitLens(const Checkpoint& checkpoint, ForwardInput input, int topK,
                                          const LensProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);
std::optional<LogitLens> computeLogitLens(const Checkpoint& checkpoint, const std::vector<int>& ids, int topK,
                                          const LensProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);

}  // namespace attnscope
