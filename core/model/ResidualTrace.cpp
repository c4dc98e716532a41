#include "model/ResidualTrace.h"

#include "Error.h"

namespace attnscope {

namespace {

Eigen::RowVectorXd rowOf(const RowMatrix& m, int row) { return m.row(row).cast<double>(); }

}  // namespace

ResidualTrace::ResidualTrace(std::vector<int> positions) : positions_(std::move(positions)) {
    if (positions_.empty()) throw Error("attribution needs a position to follow");
}

void ResidualTrace::start(const RowMatrix& x) {
    for (const int p : positions_)
        if (p < 0 || p >= x.rows())
            throw Error("position " + std::to_string(p) + " does not exist (the input has " + std::to_string(x.rows()) +
                        " tokens, numbered from 0)");
    parts_.assign(1, {ResidualPart::Kind::Embedding, -1, -1});
    vectors_.assign(1, {});
    for (const int p : positions_) vectors_[0].push_back(rowOf(x, p));
    groupStart_ = parts_.size();
}

void ResidualTrace::addHeads(const RowMatrix& context, const Linear& out, int heads, int headDim, bool cross) {
    const RowMatrix w = out.floatWeight();
    for (int h = 0; h < heads; ++h) {
        parts_.push_back({cross ? ResidualPart::Kind::CrossHead : ResidualPart::Kind::Head, layer_, h});
        std::vector<Eigen::RowVectorXd>& at = vectors_.emplace_back();
        for (const int p : positions_) {
            const Eigen::RowVectorXd slice = context.row(p).segment(Eigen::Index(h) * headDim, headDim).cast<double>();
            // The head's columns of the projection: W[:, slice] for [out, in], rows of [in, out] (Conv1D).
            if (out.storedInOut) at.push_back(slice * w.middleRows(Eigen::Index(h) * headDim, headDim).cast<double>());
            else at.push_back(slice * w.middleCols(Eigen::Index(h) * headDim, headDim).transpose().cast<double>());
        }
    }
    addBias(out.bias, out.out);
}

void ResidualTrace::addMlp(const RowMatrix& output) {
    parts_.push_back({ResidualPart::Kind::Mlp, layer_, -1});
    std::vector<Eigen::RowVectorXd>& at = vectors_.emplace_back();
    for (const int p : positions_) at.push_back(rowOf(output, p));
}

void ResidualTrace::addBias(const float* bias, int width) {
    if (!bias) return;
    parts_.push_back({ResidualPart::Kind::Bias, layer_, -1});
    const Eigen::RowVectorXd b = Eigen::Map<const Eigen::RowVectorXf>(bias, width).cast<double>();
    vectors_.emplace_back(positions_.size(), b);
}

void ResidualTrace::normParts(const Norm& norm, const RowMatrix& input, std::size_t firstPart) {
    for (std::size_t i = 0; i < positions_.size(); ++i) {
        const Eigen::RowVectorXd scale = norm.frozenScale(input.row(positions_[i]));
        for (std::size_t part = firstPart; part < parts_.size(); ++part) {
            Eigen::RowVectorXd& v = vectors_[part][i];
            if (norm.centres()) v.array() -= v.mean();
            v.array() *= scale.array();
        }
    }
    addBias(norm.bias, norm.dim);
}

void ResidualTrace::normGroup(const Norm& norm, const RowMatrix& input) { normParts(norm, input, groupStart_); }

void ResidualTrace::commitGroup() { groupStart_ = parts_.size(); }

void ResidualTrace::normStream(const Norm& norm, const RowMatrix& input) {
    commitGroup();
    normParts(norm, input, 0);
    commitGroup();
}

void ResidualTrace::mapStream(const Linear& linear) {
    commitGroup();
    const Eigen::MatrixXd w = linear.storedInOut ? Eigen::MatrixXd(linear.floatWeight().cast<double>())
                                                 : Eigen::MatrixXd(linear.floatWeight().transpose().cast<double>());
    for (auto& perPosition : vectors_)
        for (Eigen::RowVectorXd& v : perPosition) v = v * w;
    addBias(linear.bias, linear.out);
    commitGroup();
}

void ResidualTrace::activateStream(Activation activation, const RowMatrix& z) {
    for (std::size_t i = 0; i < positions_.size(); ++i) {
        const Eigen::RowVectorXd gain = frozenActivationGain(activation, z.row(positions_[i]));
        for (auto& perPosition : vectors_) perPosition[i].array() *= gain.array();
    }
}

void ResidualTrace::scaleStream(double factor) {
    for (auto& perPosition : vectors_)
        for (Eigen::RowVectorXd& v : perPosition) v *= factor;
}

Eigen::RowVectorXd ResidualTrace::sum(std::size_t position) const {
    Eigen::RowVectorXd total = Eigen::RowVectorXd::Zero(vectors_.front()[position].size());
    for (const auto& perPosition : vectors_) total += perPosition[position];
    return total;
}

}  // namespace attnscope
