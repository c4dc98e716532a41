#pragma once
// What each head writes into one logit: direct logit attribution, and the search for the
// heads a prediction rests on.
#include <atomic>
#include <functional>
#include <optional>
#include <vector>

#include "model/ForwardResult.h"
#include "model/HeadAblation.h"

namespace attnscope {

class TransformerModel;

// Which logit: the entry (token or label) at a position, optionally less a distractor's logit
// (target − distractor: what decides between the two). A classifier's position is the one its
// head pools, whatever is given.
struct AttributionTarget {
    int position = 0;
    int entry = 0;
    std::optional<int> distractor;
    bool operator==(const AttributionTarget&) const = default;
};

// Every part's direct share of the logit: each head's output through its slice of the output
// projection, each MLP layer's output, the embedding, and every bias together, each carried
// through the norms after it (and the head's activation and norm) with their scales frozen at
// the actual values. The shares add up to the model's logit (before a softcap, where the
// family has one).
struct LogitAttribution {
    // An encoder-decoder's are its decoder's: layers, self-attention heads and, apart, the
    // cross-attention heads (the encoder writes into the decoder's stream only through them).
    int layers = 0, headsPerLayer = 0;
    AttributionTarget target;
    std::vector<double> heads;  // [layer * headsPerLayer + head]
    std::vector<double> crossHeads;  // the same for cross-attention; empty for single-stack models
    std::vector<double> mlps;   // [layer]
    double embedding = 0.0;
    double biases = 0.0;  // attention output biases, norm biases, the head's biases
    double logit = 0.0;   // the forward pass's own logit (target − distractor), after any softcap
    float softcap = 0.0f; // > 0: logit = softcap * tanh(total() / softcap)

    double head(int layer, int head) const { return heads[static_cast<std::size_t>(layer * headsPerLayer + head)]; }
    double crossHead(int layer, int head) const { return crossHeads[static_cast<std::size_t>(layer * headsPerLayer + head)]; }
    bool hasCrossHeads() const { return !crossHeads.empty(); }
    double total() const;  // every share: the logit before any softcap
};

// One forward pass with the residual stream followed at the target's position (an
// encoder-decoder's: a position of the decoder's tokens, input.decoderIds). std::nullopt
// when *cancel became true; throws attnscope::Error for a model without attribution
// (TransformerModel::requireAttribution), a position the input lacks, an entry or distractor
// the head lacks.
std::optional<LogitAttribution> attributeLogit(const TransformerModel& model, ForwardInput input, const AttributionTarget& target,
                                               const std::atomic<bool>* cancel = nullptr);

// "Which heads flip it": switches heads off one more at a time, the largest share of (top entry
// − runner-up) first, until the top prediction at `position` changes; then drops every head of
// that set whose removal still leaves it changed. `heads` is empty when even every head off
// does not change it. Progress counts forward passes; std::nullopt when *cancel became true.
// An encoder-decoder's candidates are its decoder's and cross-attention's heads.
struct FlipSearch {
    HeadAblation heads;
    int before = -1;        // the top entry with every head on
    int after = -1;         // and with `heads` off
    int forwardPasses = 0;  // what the search cost
    bool found() const { return !heads.empty(); }
};
using SearchProgress = std::function<void(int passes)>;
std::optional<FlipSearch> findFlippingHeads(const TransformerModel& model, ForwardInput input, int position,
                                            AblationMode mode = AblationMode::Zero, const SearchProgress& progress = {},
                                            const std::atomic<bool>* cancel = nullptr);

}  // namespace attnscope
