#include "analysis/LogitLens.h"

#include <algorithm>
#include <string>

#include "Error.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

namespace attnscope {

namespace {

// Logits are made a block of positions at a time when a whole layer's would exceed this:
// a long text on a large vocabulary would otherwise need gigabytes per layer.
constexpr std::size_t kMaxLogitsPerBlock = std::size_t{64} << 20;  // floats (256 MiB)

void checkHiddenStates(const ModelConfig& c, const std::vector<RowMatrix>& hiddenStates) {
    if (static_cast<int>(hiddenStates.size()) != c.layers)
        throw Error("the logit lens needs the residual stream after each of the " + std::to_string(c.layers) + " layers, got " +
                    std::to_string(hiddenStates.size()) + " (run the forward pass with keepHiddenStates)");
    for (const RowMatrix& h : hiddenStates)
        if (h.rows() != hiddenStates.front().rows() || h.cols() != c.hidden)
            throw Error("the logit lens got a residual stream of " + std::to_string(h.rows()) + " x " + std::to_string(h.cols()) +
                        "; expected " + std::to_string(hiddenStates.front().rows()) + " x " + std::to_string(c.hidden));
}

}  // namespace

bool hasLogitLens(const TransformerModel& model) { return model.capabilities().hasLogitLens; }

void requireLogitLens(const TransformerModel& model) {
    if (!hasLogitLens(model)) throw Error(model.capabilities().whyNoLogitLens);
}

std::optional<LogitLens> computeLogitLens(const TransformerModel& model, const std::vector<RowMatrix>& hiddenStates, int topK,
                                          const LensProgress& progress, const std::atomic<bool>* cancel) {
    requireLogitLens(model);
    const ModelConfig& c = model.config();
    checkHiddenStates(c, hiddenStates);
    if (topK < 1) throw Error("the logit lens needs top-k of at least 1, not " + std::to_string(topK));
    LogitLens lens;
    lens.layers = c.layers;
    lens.positions = static_cast<int>(hiddenStates.front().rows());
    lens.topK = std::min(topK, std::max(1, c.vocabSize));  // settled by the first logits (the head's real width)
    const Eigen::Index n = lens.positions;
    const Eigen::Index block = std::max<Eigen::Index>(1, static_cast<Eigen::Index>(kMaxLogitsPerBlock / std::max(1, c.vocabSize)));
    for (int l = 0; l < lens.layers; ++l) {
        if (cancel && cancel->load()) return std::nullopt;
        const RowMatrix& hidden = hiddenStates[static_cast<std::size_t>(l)];
        for (Eigen::Index first = 0; first < n; first += block) {
            const Eigen::Index rows = std::min(block, n - first);
            // The whole layer in one product when it fits (the same numbers as the forward's head).
            const RowMatrix logits = rows == n ? model.logitsFromResidual(hidden)
                                               : model.logitsFromResidual(RowMatrix(hidden.middleRows(first, rows)));
            const int vocab = static_cast<int>(logits.cols());
            if (lens.top.empty()) {
                lens.topK = std::min(topK, vocab);
                lens.top.reserve(static_cast<std::size_t>(lens.layers) * lens.positions * lens.topK);
            }
            for (Eigen::Index i = 0; i < rows; ++i) {
                const auto top = topPredictions(logits.row(i).data(), vocab, lens.topK);
                lens.top.insert(lens.top.end(), top.begin(), top.end());
            }
        }
        if (progress) progress(l + 1, lens.layers);
    }
    return lens;
}

std::optional<LogitLens> computeLogitLens(const Checkpoint& checkpoint, ForwardInput input, int topK, const LensProgress& progress,
                                          const std::atomic<bool>* cancel) {
    const ModelConfig& c = checkpoint.config();
    // Named by its folder: which checkpoint lacks the head matters when several are open.
    if (!hasLogitLens(checkpoint.model())) throw Error(checkpoint.folder().string() + ": " + checkpoint.capabilities().whyNoLogitLens);
    input.keepHiddenStates = true;
    const int layers = c.layers;
    const auto forward = checkpoint.forward(
        input, [&](int done, int) { if (progress) progress(done, 2 * layers); }, cancel);
    if (!forward) return std::nullopt;
    return computeLogitLens(checkpoint.model(), forward->hiddenStates, topK,
                            [&](int done, int) { if (progress) progress(layers + done, 2 * layers); }, cancel);
}

std::optional<LogitLens> computeLogitLens(const Checkpoint& checkpoint, const std::vector<int>& ids, int topK,
                                          const LensProgress& progress, const std::atomic<bool>* cancel) {
    ForwardInput input;
    input.ids = ids;
    return computeLogitLens(checkpoint, std::move(input), topK, progress, cancel);
}

}  // namespace attnscope
