#include "model/OutputHead.h"

#include <cmath>

#include "Error.h"

namespace attnscope {

namespace {

// A classifier's label count: the rows of its weight, which config.json's id2label (when it
// has one) must agree with, or the names printed for the classes would be wrong.
int labelCount(const WeightBinder& bind, const std::string& weightName) {
    const TensorInfo* info = bind.info(weightName);
    const int labels = info == nullptr || info->shape.empty() ? 0 : static_cast<int>(info->shape[0]);
    const ModelConfig& c = bind.config();
    if (!c.id2label.empty() && labels != static_cast<int>(c.id2label.size()))
        throw Error(bind.weights().describeSource() + ": tensor '" + weightName + "' has " + std::to_string(labels) +
                    " rows but config.json's id2label has " + std::to_string(c.id2label.size()) + " labels");
    return labels;
}

}  // namespace

OutputHead OutputHead::bind(const WeightBinder& bind, const Linear& tokenTable) {
    OutputHead head;
    for (const OutputHeadSpec& h : bind.config().spec().heads)
        if (head.tryBind(h, bind, tokenTable)) break;
    return head;
}

bool OutputHead::tryBind(const OutputHeadSpec& h, const WeightBinder& bind, const Linear& tokenTable) {
    const ModelConfig& c = bind.config();
    if (h.refusedArchitecture && c.architectureEndsWith(h.refusedArchitecture)) return false;
    const std::string dense = h.dense.empty() ? std::string() : h.denseInBaseModel ? bind.basePath(h.dense) : h.dense;
    if (!dense.empty() && !bind.has(dense + ".weight")) return false;
    // Other heads share some of a head's names, so every part is checked: BertForTokenClassification
    // has a `classifier` but no pooler, a plain BertModel a pooler but no `classifier`, and
    // LlamaForTokenClassification a `score` with a bias.
    const bool stored = h.source != ProjectionSource::Tied && bind.has(h.projection + ".weight");
    const bool tied = h.source == ProjectionSource::Tied ||
                      (h.source == ProjectionSource::StoredOrTied && !stored && c.tieWordEmbeddings &&
                       (!h.tieOnlyForArchitecture || c.architectureEndsWith(h.tieOnlyForArchitecture)));
    if (!stored && !tied) return false;
    if (h.bias == BiasRule::Absent && bind.has(h.projection + ".bias")) return false;
    if (!h.secondProjection.empty() && !bind.has(h.secondProjection + ".weight")) return false;

    const int width = h.singleLogit ? 1 : h.labels ? labelCount(bind, h.projection + ".weight") : c.vocabSize;
    // The width the norm and the projection work in: ALBERT's and ELECTRA's generator heads
    // map back down to the embeddings' width before their tied decoder.
    const int inner = h.denseToEmbedding ? c.embeddingSize : c.hidden;
    if (!dense.empty()) {
        const bool denseBias = h.denseBias == BiasRule::Required || (h.denseBias == BiasRule::IfStored && bind.has(dense + ".bias"));
        dense_ = bind.linearOutIn(dense, c.hidden, inner, denseBias ? Bias::Required : Bias::None);
        activation_ = h.denseActivation;
        if (h.denseUsesModelActivation) activation_ = c.activation;
    }
    if (!h.norm.empty()) norm_ = bind.norm(h.norm, inner);
    if (stored) {
        const bool withBias = h.bias == BiasRule::Required || (h.bias == BiasRule::IfStored && bind.has(h.projection + ".bias"));
        projection_ = bind.linearOutIn(h.projection, inner, width, withBias ? Bias::Required : Bias::None);
    } else {
        projection_ = tokenTable;  // the word embeddings [vocabulary, inner], transposed
        projection_.in = inner;
        projection_.out = width;
        if (!h.separateBias.empty()) projection_.bias = bind.tensor(h.separateBias, {width}).data;
        if (h.tiedScaledByHidden) inputScale_ = 1.0f / std::sqrt(static_cast<float>(c.hidden));
    }
    if (!h.addedBias.empty() && bind.has(h.addedBias)) {
        // Stored as a [1, vocab] buffer by BART and Marian; a flat [vocab] one reads the same.
        const TensorInfo* info = bind.info(h.addedBias);
        const bool row = info && info->shape.size() == 2;
        addedBias_ = bind.tensor(h.addedBias, row ? std::vector<std::int64_t>{1, width} : std::vector<std::int64_t>{width}).data;
    }
    if (!h.secondProjection.empty()) {
        second_ = bind.linearOutIn(h.secondProjection, c.hidden, labelCount(bind, h.secondProjection + ".weight"), Bias::Required);
        if (second_.out != projection_.out)
            throw Error(bind.weights().describeSource() + ": the CLS and distillation classifiers disagree on the label count");
    }
    padTokenId_ = c.padTokenId;
    if (h.kind == HeadKind::CausalLm) softcap_ = c.finalSoftcap;  // the classifiers' score is not capped
    spec_ = &h;
    return true;
}

int OutputHead::pooledPosition(const std::vector<int>& ids) const {
    const int n = static_cast<int>(ids.size());
    if (spec_->pooling != HeadPooling::LastNonPadToken) return 0;
    // As transformers: the last token that is not the config's pad token (the first when all
    // are), so right-padding does not change the label; the last token when there is no pad token.
    if (padTokenId_ < 0) return n - 1;
    for (int i = n - 1; i > 0; --i)
        if (ids[static_cast<std::size_t>(i)] != padTokenId_) return i;
    return 0;
}

RowMatrix OutputHead::logits(const RowMatrix& hidden, const std::vector<int>& ids) const {
    if (!spec_) return {};
    RowMatrix h;
    switch (spec_->pooling) {
    case HeadPooling::EveryPosition: h = hidden; break;
    case HeadPooling::FirstToken: h = hidden.topRows(1); break;
    case HeadPooling::FirstTwoTokens: h = hidden.topRows(2); break;
    case HeadPooling::LastNonPadToken: h = hidden.row(pooledPosition(ids)); break;
    }
    if (dense_.present()) {
        h = dense_.apply(h);
        applyActivation(activation_, h);
    }
    if (norm_.weight) norm_.applyInPlace(h);
    if (inputScale_ != 1.0f) h *= inputScale_;
    if (second_.present()) return 0.5f * (projection_.apply(h.topRows(1)) + second_.apply(h.middleRows(1, 1)));
    RowMatrix out = projection_.apply(h);
    if (addedBias_) out.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(addedBias_, out.cols());
    if (softcap_ > 0.0f) out = ((out.array() / softcap_).tanh() * softcap_).matrix();
    if (spec_->singleLogit) {
        RowMatrix pair = RowMatrix::Zero(out.rows(), 2);
        pair.col(1) = out.col(0);
        return pair;
    }
    return out;
}

std::vector<int> OutputHead::readPositions(int row, const std::vector<int>& ids) const {
    if (!spec_) throw Error("attribution needs an output head; this checkpoint has none");
    switch (spec_->pooling) {
    case HeadPooling::EveryPosition: return {row};
    case HeadPooling::FirstToken: return {0};
    case HeadPooling::FirstTwoTokens: return {0, 1};
    case HeadPooling::LastNonPadToken: return {pooledPosition(ids)};
    }
    return {row};
}

void OutputHead::followTrace(ResidualTrace& trace, const RowMatrix& hidden) const {
    const RowMatrix* normed = &hidden;  // what the head's norm reads
    RowMatrix activated;
    if (dense_.present()) {
        activated = dense_.apply(hidden);
        trace.setLayer(-1);
        trace.mapStream(dense_);
        trace.activateStream(activation_, activated);
        applyActivation(activation_, activated);
        normed = &activated;
    }
    if (norm_.weight) trace.normStream(norm_, *normed);
    if (inputScale_ != 1.0f) trace.scaleStream(inputScale_);
}

std::vector<double> OutputHead::logitShares(const ResidualTrace& trace, int entry, double& constant) const {
    std::vector<double> shares(trace.parts().size(), 0.0);
    constant = 0.0;
    if (spec_->singleLogit) {
        if (entry == 0) return shares;  // the pair's first logit is the constant 0
        entry = 0;
    }
    if (entry < 0 || entry >= projection_.out) throw Error("entry " + std::to_string(entry) + " is not one of the head's outputs");
    // One projection per position it reads: DeiT averages its CLS and distillation classifiers.
    const std::vector<const Linear*> projections = second_.present() ? std::vector<const Linear*>{&projection_, &second_}
                                                                     : std::vector<const Linear*>{&projection_};
    const double weight = 1.0 / static_cast<double>(projections.size());
    for (std::size_t i = 0; i < projections.size(); ++i) {
        const Linear& p = *projections[i];
        const Eigen::RowVectorXd row = p.outputWeights(entry).cast<double>();
        for (std::size_t part = 0; part < shares.size(); ++part) shares[part] += weight * trace.vector(part, i).dot(row);
        if (p.bias) constant += weight * p.bias[entry];
    }
    if (addedBias_) constant += addedBias_[entry];
    return shares;
}

}  // namespace attnscope
