#include "analysis/LogitAttribution.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "Error.h"
#include "model/ResidualTrace.h"
#include "model/TransformerModel.h"

namespace attnscope {

double LogitAttribution::total() const {
    return std::accumulate(heads.begin(), heads.end(), 0.0) + std::accumulate(crossHeads.begin(), crossHeads.end(), 0.0) +
           std::accumulate(mlps.begin(), mlps.end(), 0.0) + embedding + biases;
}

namespace {

int logitsRow(const TransformerModel& model, int position) { return model.isClassifier() ? 0 : position; }

// The stack whose residual stream the head reads: the decoder's of an encoder-decoder (its
// tokens are sequence 1), else the model's own.
const StackShape& streamStack(const TransformerModel& model) {
    const ModelCapabilities& m = model.capabilities();
    const int sequence = m.hasDecoder() ? 1 : 0;
    for (const StackShape& s : m.stacks)
        if (s.querySequence == sequence && s.keySequence == sequence) return s;
    throw Error("the " + m.modelType + " model has no stack the output head reads");
}

void requireEntry(const RowMatrix& logits, int entry, const char* what) {
    if (entry < 0 || entry >= logits.cols())
        throw Error(std::string(what) + " " + std::to_string(entry) + " is not one of the model's " + std::to_string(logits.cols()) +
                    " outputs (numbered from 0)");
}

// The forward pass with the stream followed to the head, and the logits it gave.
struct TracedPass {
    ResidualTrace trace;
    RowMatrix logits;
};

std::optional<TracedPass> tracedForward(const TransformerModel& model, ForwardInput input, int position,
                                        const std::atomic<bool>* cancel) {
    // The head is needed before the pass, to say which positions to follow; a position the input
    // lacks is refused as the trace starts (ResidualTrace::start).
    model.requireAttribution();
    const bool decoder = model.capabilities().hasDecoder();
    ResidualTrace trace(model.outputHead().readPositions(position, decoder ? input.decoderIds : input.ids));
    input.trace = &trace;
    auto result = model.forward(input, {}, cancel);
    if (!result) return std::nullopt;
    return TracedPass{std::move(trace), std::move(result->record.logits)};
}

LogitAttribution sharesOf(const TransformerModel& model, const TracedPass& pass, const AttributionTarget& target) {
    const OutputHead& head = model.outputHead();
    const StackShape& stream = streamStack(model);
    const int row = logitsRow(model, target.position);
    requireEntry(pass.logits, target.entry, "entry");
    if (target.distractor) requireEntry(pass.logits, *target.distractor, "distractor");
    double constant = 0.0;
    std::vector<double> shares = head.logitShares(pass.trace, target.entry, constant);
    if (target.distractor) {
        double other = 0.0;
        const std::vector<double> against = head.logitShares(pass.trace, *target.distractor, other);
        for (std::size_t i = 0; i < shares.size(); ++i) shares[i] -= against[i];
        constant -= other;
    }
    LogitAttribution a;
    a.layers = stream.layers;
    a.headsPerLayer = stream.heads;
    a.target = target;
    const auto cells = static_cast<std::size_t>(stream.layers * stream.heads);
    a.heads.assign(cells, 0.0);
    if (model.capabilities().hasDecoder()) a.crossHeads.assign(cells, 0.0);
    a.mlps.assign(static_cast<std::size_t>(stream.layers), 0.0);
    a.biases = constant;
    const std::vector<ResidualPart>& parts = pass.trace.parts();
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const ResidualPart& p = parts[i];
        switch (p.kind) {
        case ResidualPart::Kind::Embedding: a.embedding += shares[i]; break;
        case ResidualPart::Kind::Head: a.heads[static_cast<std::size_t>(p.layer * stream.heads + p.head)] += shares[i]; break;
        case ResidualPart::Kind::CrossHead: a.crossHeads[static_cast<std::size_t>(p.layer * stream.heads + p.head)] += shares[i]; break;
        case ResidualPart::Kind::Mlp: a.mlps[static_cast<std::size_t>(p.layer)] += shares[i]; break;
        case ResidualPart::Kind::Bias: a.biases += shares[i]; break;
        }
    }
    a.logit = pass.logits(row, target.entry) - (target.distractor ? pass.logits(row, *target.distractor) : 0.0f);
    a.softcap = head.softcap();
    return a;
}

int topEntry(const RowMatrix& logits, int row) {
    Eigen::Index best = 0;
    logits.row(row).maxCoeff(&best);
    return static_cast<int>(best);
}

}  // namespace

std::optional<LogitAttribution> attributeLogit(const TransformerModel& model, ForwardInput input, const AttributionTarget& target,
                                               const std::atomic<bool>* cancel) {
    const auto pass = tracedForward(model, std::move(input), target.position, cancel);
    if (!pass) return std::nullopt;
    return sharesOf(model, *pass, target);
}

std::optional<FlipSearch> findFlippingHeads(const TransformerModel& model, ForwardInput input, int position, AblationMode mode,
                                            const SearchProgress& progress, const std::atomic<bool>* cancel) {
    input.ablation = {};
    auto pass = tracedForward(model, input, position, cancel);
    if (!pass) return std::nullopt;
    FlipSearch search;
    search.forwardPasses = 1;
    const int row = logitsRow(model, position);
    search.before = topEntry(pass->logits, row);
    // What decides the top prediction is its lead over the runner-up: the heads that add most
    // to that lead go first.
    AttributionTarget target{position, search.before, std::nullopt};
    if (pass->logits.cols() > 1) {
        RowMatrix others = pass->logits.row(row);
        others(0, search.before) = -std::numeric_limits<float>::infinity();
        target.distractor = topEntry(others, 0);
    }
    const LogitAttribution shares = sharesOf(model, *pass, target);
    // The heads that write into the stream the head reads: the model's own, or an
    // encoder-decoder's decoder and cross-attention heads (its encoder's reach the logit only
    // through those, so they have no share of their own to rank them by).
    struct Candidate {
        AblatedStack stack;
        int layer, head;
        double share;
    };
    std::vector<Candidate> order;
    const AblatedStack stream = shares.hasCrossHeads() ? AblatedStack::Decoder : AblatedStack::Own;
    for (int l = 0; l < shares.layers; ++l)
        for (int h = 0; h < shares.headsPerLayer; ++h) {
            order.push_back({stream, l, h, shares.head(l, h)});
            if (shares.hasCrossHeads()) order.push_back({AblatedStack::Cross, l, h, shares.crossHead(l, h)});
        }
    std::stable_sort(order.begin(), order.end(), [](const Candidate& a, const Candidate& b) { return a.share > b.share; });
    const auto ablationOf = [mode](const std::vector<Candidate>& heads) {
        HeadAblation a;
        a.mode = mode;
        for (const Candidate& c : heads) a.of(c.stack).emplace_back(c.layer, c.head);
        for (auto* list : {&a.heads, &a.decoderHeads, &a.crossHeads}) std::sort(list->begin(), list->end());
        return a;
    };

    // The top entry with `heads` off (std::nullopt when cancelled).
    const auto topWithout = [&](const std::vector<Candidate>& heads) -> std::optional<int> {
        input.ablation = ablationOf(heads);
        const auto result = model.forward(input, {}, cancel);
        if (!result) return std::nullopt;
        ++search.forwardPasses;
        if (progress) progress(search.forwardPasses);
        return topEntry(result->record.logits, row);
    };
    std::vector<Candidate> off;
    int after = search.before;
    for (const auto& head : order) {
        off.push_back(head);
        const auto top = topWithout(off);
        if (!top) return std::nullopt;
        if ((after = *top) != search.before) break;
    }
    if (after == search.before) return search;  // nothing flips it
    // Greedy sets carry passengers: drop each head, latest first, that the change does not need.
    for (std::size_t i = off.size(); i-- > 0 && off.size() > 1;) {
        std::vector<Candidate> without = off;
        without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
        const auto top = topWithout(without);
        if (!top) return std::nullopt;
        if (*top != search.before) {
            off = std::move(without);
            after = *top;
        }
    }
    search.heads = ablationOf(off);
    search.after = after;
    return search;
}

}  // namespace attnscope
