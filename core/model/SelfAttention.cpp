#include "model/SelfAttention.h"

#include <cmath>
#include <limits>

namespace attnscope {

RowMatrix scaledDotProductAttention(const RowMatrix& q, const RowMatrix& k, const RowMatrix& v,
                                    const AttentionShape& s, float* probs, const float* scoreBias) {
    const Eigen::Index n = q.rows();
    const Eigen::Index m = k.rows();
    const int d = s.headDim;
    const int group = s.heads / s.kvHeads;
    RowMatrix context(n, static_cast<Eigen::Index>(s.heads) * d);
    RowMatrix scores(n, m);
    for (int h = 0; h < s.heads; ++h) {
        const int kvh = h / group;
        scores.noalias() = q.middleCols(h * d, d) * k.middleCols(kvh * d, d).transpose();
        scores *= s.scale;
        if (scoreBias) scores += Eigen::Map<const RowMatrix>(scoreBias + static_cast<std::size_t>(h) * n * m, n, m);
        for (Eigen::Index i = 0; i < n; ++i) {
            auto row = scores.row(i);
            // Query i sits at key position i + (m - n) when keys extend earlier than queries.
            const Eigen::Index qpos = i + (m - n);
            Eigen::Index first = 0, last = m;  // visible keys [first, last)
            if (s.causal) last = qpos + 1;
            if (s.window > 0) first = std::max<Eigen::Index>(0, qpos - s.window + 1);
            float maxv = -std::numeric_limits<float>::infinity();
            for (Eigen::Index j = first; j < last; ++j) maxv = std::max(maxv, row[j]);
            float sum = 0.0f;
            for (Eigen::Index j = 0; j < m; ++j) {
                // Masked keys get exactly zero probability, as softmax of a -inf/min score does.
                const float e = (j >= first && j < last) ? std::exp(row[j] - maxv) : 0.0f;
                row[j] = e;
                sum += e;
            }
            row /= sum;
        }
        Eigen::Map<RowMatrix>(probs + static_cast<std::size_t>(h) * n * m, n, m) = scores;
        context.middleCols(h * d, d).noalias() = scores * v.middleCols(kvh * d, d);
    }
    return context;
}

}  // namespace attnscope
