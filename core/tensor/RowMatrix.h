#pragma once
#include <Eigen/Core>

namespace attnscope {

// Activations, weights viewed as matrices and logits: row-major float32, one row per token,
// the layout safetensors stores and transformers computes in.
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace attnscope
