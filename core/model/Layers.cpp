#include "model/Layers.h"

#include <cmath>

namespace attnscope {

RowMatrix Linear::apply(const RowMatrix& x) const {
    RowMatrix y;
    if (storedInOut) {
        Eigen::Map<const RowMatrix> w(weight, in, out);
        y.noalias() = x * w;
    } else {
        Eigen::Map<const RowMatrix> w(weight, out, in);
        y.noalias() = x * w.transpose();
    }
    if (bias) y.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(bias, out);
    return y;
}

void Norm::applyInPlace(RowMatrix& x) const {
    Eigen::Map<const Eigen::RowVectorXf> gamma(weight, dim);
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        auto row = x.row(r);
        if (kind == NormKind::LayerNorm) {
            const float mean = row.mean();
            row.array() -= mean;
            const float var = row.squaredNorm() / static_cast<float>(dim);
            row *= 1.0f / std::sqrt(var + eps);
            row.array() *= gamma.array();
            if (bias) row += Eigen::Map<const Eigen::RowVectorXf>(bias, dim);
        } else {
            const float meanSquare = row.squaredNorm() / static_cast<float>(dim);
            row *= 1.0f / std::sqrt(meanSquare + eps);
            row.array() *= gamma.array();
        }
    }
}

void applyActivation(Activation act, RowMatrix& x) {
    switch (act) {
    case Activation::Gelu:
        x = x.unaryExpr([](float v) { return 0.5f * v * (1.0f + std::erf(v * 0.70710678118654752f)); });
        return;
    case Activation::GeluTanh:
        x = x.unaryExpr([](float v) {
            return 0.5f * v * (1.0f + std::tanh(0.7978845608028654f * (v + 0.044715f * v * v * v)));
        });
        return;
    case Activation::Relu: x = x.cwiseMax(0.0f); return;
    case Activation::Silu: x = x.unaryExpr([](float v) { return v / (1.0f + std::exp(-v)); }); return;
    }
}

}  // namespace attnscope
