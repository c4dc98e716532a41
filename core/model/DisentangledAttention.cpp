#include "model/DisentangledAttention.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

int logBucketPosition(int relative, int buckets, int maxPosition) {
    const int mid = buckets / 2;
    const int sign = (relative > 0) - (relative < 0);
    const int absolute = relative < mid && relative > -mid ? mid - 1 : std::abs(relative);
    if (absolute <= mid) return relative;
    // In float32 throughout, as torch computes it: log(|r| / mid) / log((max - 1) / mid) * (mid - 1).
    const float logRatio = std::log(static_cast<float>(absolute) / static_cast<float>(mid));
    const float logRange = std::log(static_cast<float>(static_cast<double>(maxPosition - 1) / mid));
    const float logPosition = std::ceil(logRatio / logRange * static_cast<float>(mid - 1)) + static_cast<float>(mid);
    return static_cast<int>(logPosition) * sign;
}

std::vector<int> relativeTableRows(const DisentangledConfig& c, int n) {
    const int span = c.span();
    // One row per offset i - j in (-n, n), then looked up pair by pair.
    std::vector<int> byOffset(static_cast<std::size_t>(std::max(0, 2 * n - 1)));
    for (int offset = 1 - n; offset < n; ++offset) {
        const int relative = c.buckets > 0 ? logBucketPosition(offset, c.buckets, c.maxRelative) : offset;
        byOffset[static_cast<std::size_t>(offset + n - 1)] = std::clamp(relative + span, 0, 2 * span - 1);
    }
    std::vector<int> rows(static_cast<std::size_t>(n) * n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) rows[static_cast<std::size_t>(i) * n + j] = byOffset[static_cast<std::size_t>(i - j + n - 1)];
    return rows;
}

std::vector<float> disentangledScores(const DisentangledConfig& c, const RowMatrix& q, const RowMatrix& k, const RowMatrix& posQuery,
                                      const RowMatrix& posKey, const std::vector<int>& rows, const AttentionShape& shape,
                                      const TermSinks& sinks) {
    const Eigen::Index n = q.rows();
    const int d = shape.headDim;
    std::vector<float> bias(static_cast<std::size_t>(shape.heads) * n * n, 0.0f);
    const bool parallel = static_cast<double>(n) * (n + posKey.rows()) * d * shape.heads > 2e6;
#pragma omp parallel for schedule(dynamic) if (parallel)
    for (int h = 0; h < shape.heads; ++h) {
        Eigen::Map<RowMatrix> total(bias.data() + static_cast<std::size_t>(h) * n * n, n, n);
        RowMatrix term(n, n);
        // One term's scores: byPosition(a, r) is row a of q (or k) against table row r.
        const auto addTerm = [&](const RowMatrix& byPosition, bool queryRows, const AttentionSink& sink) {
            for (Eigen::Index i = 0; i < n; ++i)
                for (Eigen::Index j = 0; j < n; ++j)
                    term(i, j) = byPosition(queryRows ? i : j, rows[static_cast<std::size_t>(i * n + j)]) * shape.scale;
            total += term;
            if (sink.stack) {
                softmaxRowsInPlace(term);  // DeBERTa's encoder lets every token see every other
                sink.stack->storeMap(sink.layer, h, term.data());
            }
        };
        if (c.contentToPosition) addTerm(q.middleCols(h * d, d) * posKey.middleCols(h * d, d).transpose(), true, sinks.contentToPosition);
        if (c.positionToContent) addTerm(k.middleCols(h * d, d) * posQuery.middleCols(h * d, d).transpose(), false, sinks.positionToContent);
        if (sinks.contentToContent.stack) {
            term.noalias() = q.middleCols(h * d, d) * k.middleCols(h * d, d).transpose();
            term *= shape.scale;
            softmaxRowsInPlace(term);
            sinks.contentToContent.stack->storeMap(sinks.contentToContent.layer, h, term.data());
        }
    }
    return bias;
}

}  // namespace attnscope
