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

// The keys [first, last) one query may see (causal mask, sliding window).
struct VisibleKeys {
    Eigen::Index first = 0, last = 0;
};

VisibleKeys visibleKeys(const AttentionShape& s, Eigen::Index query, Eigen::Index n, Eigen::Index m) {
    // Query i sits at key position i + (m - n) when keys extend earlier than queries.
    const Eigen::Index qpos = query + (m - n);
    VisibleKeys v{0, m};
    if (s.causal) v.last = std::min(m, qpos + 1);
    if (s.window > 0) v.first = std::max<Eigen::Index>(0, qpos - s.window + 1);
    // An encoder's window reaches as far forward as back (ModernBERT's local layers).
    if (s.window > 0 && !s.causal) v.last = std::min<Eigen::Index>(m, qpos + s.window);
    return v;
}


// Keeps the numbers of one query of head h for the classroom. Its dot products are computed
// again over every key, masked ones included (the blocked attention computes only the band).
void keepHead(HeadCapture& kept, const Eigen::Ref<const RowMatrix>& qh, const Eigen::Ref<const RowMatrix>& kh,
              const Eigen::Ref<const RowMatrix>& vh, const Eigen::Ref<const RowMatrix>& context, const AttentionShape& s,
              const float* headBias, const Eigen::Ref<const Eigen::RowVectorXf>& probabilities) {
    const Eigen::Index n = qh.rows(), m = kh.rows();
    const Eigen::Index i = kept.query;
    Eigen::RowVectorXf row = qh.row(i) * kh.transpose();
    const auto keep = [&](std::vector<float>& to) { to.assign(row.data(), row.data() + m); };
    keep(kept.dots);
    row *= s.scale;
    if (s.softcap > 0.0f) row = ((row.array() / s.softcap).tanh() * s.softcap).matrix();
    keep(kept.scaled);
    if (headBias) row += Eigen::Map<const Eigen::RowVectorXf>(headBias + static_cast<std::size_t>(i) * m, m);
    keep(kept.scores);
    const VisibleKeys visible = visibleKeys(s, i, n, m);
    kept.firstVisible = static_cast<int>(visible.first);
    kept.lastVisible = static_cast<int>(visible.last);
    kept.probabilities.assign(probabilities.data(), probabilities.data() + m);
    kept.queryVector.assign(qh.row(i).data(), qh.row(i).data() + qh.cols());
    kept.keys = kh;
    kept.values = vh;
    const Eigen::RowVectorXf out = context.row(i);
    kept.output.assign(out.data(), out.data() + out.size());
    kept.headDim = static_cast<int>(qh.cols());
    kept.scale = s.scale;
    kept.softcap = s.softcap;
    kept.positionTerm = headBias != nullptr;
    kept.filled = true;
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
    // A causal or windowed head sees a band of keys: its scores and weighted values are computed
    // block of queries by block, each over only the keys the block may see, so a decoder does
    // half the work of a full square (measured 1.7x faster on the score products of a 512-token
    // GPT-2 head). Blocks of 64 queries keep each product large enough for the GEMM kernel.
    // Every key is visible to an encoder's query: one block, the whole square.
    const bool banded = s.causal || s.window > 0;
    const Eigen::Index block = banded ? 64 : std::max<Eigen::Index>(n, 1);
    // Heads are independent: one per thread. Eigen's own products then run single-threaded
    // inside the parallel region, which for these n x d by d x m products is the better split.
    const bool parallel = static_cast<double>(n) * m * d * s.heads > 2e6;
#pragma omp parallel for schedule(dynamic) if (parallel)
    for (int h = 0; h < s.heads; ++h) {
        const int kvh = h / group;
        const auto qh = q.middleCols(h * d, d);
        const auto kh = k.middleCols(kvh * d, d);
        const auto vh = v.middleCols(kvh * d, d);
        // Computed in an aligned scratch map, then stored: Eigen's vectorised row reductions
        // (max, sum) group their terms by the data's alignment, so computing in place in the
        // stack would make the last bits depend on where the allocator put it. One scratch per
        // thread, kept: a fresh 64 MB map per head at n = 4096 spent more time in page faults
        // than in arithmetic.
        thread_local RowMatrix scores;
        scores.resize(n, m);
        for (Eigen::Index row0 = 0; row0 < n; row0 += block) {
            const Eigen::Index rows = std::min(block, n - row0);
            const Eigen::Index first = visibleKeys(s, row0, n, m).first;
            const Eigen::Index last = visibleKeys(s, row0 + rows - 1, n, m).last;
            if (last <= first) {  // no key visible to the whole block (never for a causal or windowed query)
                scores.middleRows(row0, rows).setZero();
                context.block(row0, h * d, rows, d).setZero();
                continue;
            }
            auto band = scores.block(row0, first, rows, last - first);
            band.noalias() = qh.middleRows(row0, rows) * kh.middleRows(first, last - first).transpose();
            band *= s.scale;
            if (s.softcap > 0.0f) band = ((band.array() / s.softcap).tanh() * s.softcap).matrix();
            if (scoreBias)
                band += Eigen::Map<const RowMatrix>(scoreBias + static_cast<std::size_t>(h) * n * m, n, m)
                            .block(row0, first, rows, last - first);
            for (Eigen::Index i = row0; i < row0 + rows; ++i) {
                const VisibleKeys visible = visibleKeys(s, i, n, m);
                maskedSoftmax(scores.row(i), visible.first, visible.last);
            }
            context.block(row0, h * d, rows, d).noalias() = band * vh.middleRows(first, last - first);
        }
        if (capture && capture->head == h && capture->query >= 0 && capture->query < n) {
            const float* headBias = scoreBias ? scoreBias + static_cast<std::size_t>(h) * n * m : nullptr;
            keepHead(*capture, qh, kh, vh, context.middleCols(h * d, d), s, headBias, scores.row(capture->query));
        }
        probs.stack->storeMap(probs.layer, h, scores.data());
    }
    return context;
}

}  // namespace attnscope
