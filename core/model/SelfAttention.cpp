#include "model/SelfAttention.h"

#include <algorithm>

namespace attnscope {

namespace {

// Softmax of row[first, last) in place, with exactly zero probability outside it, as softmax of
// a -inf (or dtype-minimum) score gives. Eigen's exp is vectorised; std::exp per element made
// the softmax a fifth of a BERT-base forward at n = 512.
template <typename Row>
void maskedSoftmax(Row row, Eigen::Index first, Eigen::Index last) {
    auto visible = row.segment(first, last - first);
    const float maxv = visible.maxCoeff();
    visible = (visible.array() - maxv).exp().matrix();
    visible *= 1.0f / visible.sum();
    row.head(first).setZero();
    row.tail(row.size() - last).setZero();
}

}  // namespace

void softmaxRowsInPlace(Eigen::Ref<RowMatrix> scores) {
    for (Eigen::Index i = 0; i < scores.rows(); ++i) maskedSoftmax(scores.row(i), 0, scores.cols());
}

RowMatrix scaledDotProductAttention(const RowMatrix& q, const Eigen::Ref<const RowMatrix>& k, const Eigen::Ref<const RowMatrix>& v,
                                    const AttentionShape& s, const AttentionSink& probs, const float* scoreBias, HeadCapture* capture) {
    const Eigen::Index n = q.rows();
    const Eigen::Index m = k.rows();
    const int d = s.headDim;
    const int group = s.heads / s.kvHeads;
    RowMatrix context(n, static_cast<Eigen::Index>(s.heads) * d);
    // Heads are independent: one per thread. Eigen's own products then run single-threaded
    // inside the parallel region, which for these n x d by d x m products is the better split.
    const bool parallel = static_cast<double>(n) * m * d * s.heads > 2e6;
#pragma omp parallel for schedule(dynamic) if (parallel)
    for (int h = 0; h < s.heads; ++h) {
        const int kvh = h / group;
        // Computed in an aligned scratch map, then stored: Eigen's vectorised row reductions
        // (max, sum) group their terms by the data's alignment, so computing in place in the
        // stack would make the last bits depend on where the allocator put it. One scratch per
        // thread, kept: a fresh 64 MB map per head at n = 4096 spent more time in page faults
        // than in arithmetic.
        thread_local RowMatrix scores;
        scores.resize(n, m);
        scores.noalias() = q.middleCols(h * d, d) * k.middleCols(kvh * d, d).transpose();
        HeadCapture* kept = capture && capture->head == h && capture->query >= 0 && capture->query < n ? capture : nullptr;
        const auto keep = [&](std::vector<float>& to) {
            const auto row = scores.row(kept->query);
            to.assign(row.data(), row.data() + m);
        };
        if (kept) keep(kept->dots);
        scores *= s.scale;
        if (s.softcap > 0.0f) scores = ((scores.array() / s.softcap).tanh() * s.softcap).matrix();
        if (kept) keep(kept->scaled);
        if (scoreBias) scores += Eigen::Map<const RowMatrix>(scoreBias + static_cast<std::size_t>(h) * n * m, n, m);
        if (kept) keep(kept->scores);
        for (Eigen::Index i = 0; i < n; ++i) {
            // Query i sits at key position i + (m - n) when keys extend earlier than queries.
            const Eigen::Index qpos = i + (m - n);
            Eigen::Index first = 0, last = m;  // visible keys [first, last)
            if (s.causal) last = std::min(m, qpos + 1);
            if (s.window > 0) first = std::max<Eigen::Index>(0, qpos - s.window + 1);
            // An encoder's window reaches as far forward as back (ModernBERT's local layers).
            if (s.window > 0 && !s.causal) last = std::min<Eigen::Index>(m, qpos + s.window);
            maskedSoftmax(scores.row(i), first, last);
            if (kept && i == kept->query) {
                kept->firstVisible = static_cast<int>(first);
                kept->lastVisible = static_cast<int>(last);
            }
        }
        context.middleCols(h * d, d).noalias() = scores * v.middleCols(kvh * d, d);
        if (kept) {
            keep(kept->probabilities);
            const auto qrow = q.row(kept->query).segment(h * d, d);
            kept->queryVector.assign(qrow.data(), qrow.data() + d);
            kept->keys = k.middleCols(kvh * d, d);
            kept->values = v.middleCols(kvh * d, d);
            const auto out = context.row(kept->query).segment(h * d, d);
            kept->output.assign(out.data(), out.data() + d);
            kept->headDim = d;
            kept->scale = s.scale;
            kept->softcap = s.softcap;
            kept->positionTerm = scoreBias != nullptr;
            kept->filled = true;
        }
        probs.stack->storeMap(probs.layer, h, scores.data());
    }
    return context;
}

}  // namespace attnscope
