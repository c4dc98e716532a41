#pragma once
#include <Eigen/Core>
#include <vector>

#include "model/AttentionStack.h"

namespace attnscope {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct ForwardInput {
    std::vector<int> ids;
    std::vector<int> typeIds;  // empty = all zero
};

struct ForwardResult {
    AttentionStack attentions;   // [layers, heads, n, n]
    RowMatrix lastHiddenState;   // [n, hidden], as transformers' hidden_states[-1]
    RowMatrix logits;            // [n, vocab or labels]; empty when the checkpoint has no head
};

}  // namespace attnscope
