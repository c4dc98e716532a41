#include "model/AttentionPoolingProbe.h"

#include <cmath>

#include "model/SelfAttention.h"

namespace attnscope {

AttentionPoolingProbe::AttentionPoolingProbe(const WeightBinder& bind) {
    const ModelConfig& c = bind.config();
    const int h = c.hidden;
    heads_ = c.heads;
    headDim_ = h / c.heads;  // nn.MultiheadAttention splits embed_dim evenly, whatever head_dim the tower has
    probe_ = bind.tensor(bind.name(TensorRole::PoolingProbe, 0, ""), {1, 1, h});
    const FloatTensor weight = bind.tensor(bind.name(TensorRole::PoolingAttention, 0, ".in_proj_weight"), {3 * h, h});
    const FloatTensor bias = bind.tensor(bind.name(TensorRole::PoolingAttention, 0, ".in_proj_bias"), {3 * h});
    // Rows [0, h) project the query, [h, 2h) the keys; the values' rows do not change the weights.
    query_ = {weight.data, bias.data, h, h, false};
    key_ = {weight.data + static_cast<std::size_t>(h) * h, bias.data + h, h, h, false};
}

void AttentionPoolingProbe::attend(const RowMatrix& states, AttentionStack& out) const {
    const Eigen::Index n = states.rows();
    const RowMatrix probe = Eigen::Map<const RowMatrix>(probe_.data, 1, query_.in);
    // PyTorch scales the query by sqrt(1 / head_dim) before the product.
    const RowMatrix q = query_.apply(probe) * static_cast<float>(std::sqrt(1.0 / headDim_));
    const RowMatrix k = key_.apply(states);
    out.resize(1, heads_, 1, static_cast<int>(n));
    for (int head = 0; head < heads_; ++head) {
        RowMatrix row = q.middleCols(head * headDim_, headDim_) * k.middleCols(head * headDim_, headDim_).transpose();
        softmaxRowsInPlace(row);
        out.storeMap(0, head, row.data());
    }
}

}  // namespace attnscope
