#include "model/TransformerBlock.h"

#include <algorithm>

namespace attnscope {

namespace {

// Writes `rows` after the first `used` rows of `to`, doubling its room when it is full.
void appendRows(RowMatrix& to, Eigen::Index used, const RowMatrix& rows) {
    const Eigen::Index needed = used + rows.rows();
    if (needed > to.rows()) to.conservativeResize(std::max(needed, 2 * to.rows()), rows.cols());
    to.middleRows(used, rows.rows()) = rows;
}

}  // namespace

TransformerBlock::TransformerBlock(BlockWeights weights, const FamilySpec& spec, Activation activation,
                                   AttentionShape shape, const RotaryEmbedding* rotary, bool parallelResidual)
    : w_(std::move(weights)),
      spec_(spec),
      activation_(activation),
      shape_(shape),
      rotary_(rotary),
      parallelResidual_(parallelResidual) {}

RowMatrix TransformerBlock::attention(const RowMatrix& x, const BlockInputs& in, const AttentionSink& probs) const {
    const int qWidth = shape_.heads * shape_.headDim;
    const int kvWidth = shape_.kvHeads * shape_.headDim;
    RowMatrix q, k, v;
    if (spec_.qkv == QkvLayout::Fused) {
        const RowMatrix qkv = w_.qkv.apply(x);  // [q | k | v] side by side
        q = qkv.leftCols(qWidth);
        k = qkv.middleCols(qWidth, kvWidth);
        v = qkv.rightCols(kvWidth);
    } else if (spec_.qkv == QkvLayout::FusedPerHead) {
        const RowMatrix qkv = w_.qkv.apply(x);  // per head: [q_h | k_h | v_h]
        const int d = shape_.headDim;
        q.resize(x.rows(), qWidth);
        k.resize(x.rows(), kvWidth);
        v.resize(x.rows(), kvWidth);
        for (int h = 0; h < shape_.heads; ++h) {
            q.middleCols(h * d, d) = qkv.middleCols(3 * h * d, d);
            k.middleCols(h * d, d) = qkv.middleCols(3 * h * d + d, d);
            v.middleCols(h * d, d) = qkv.middleCols(3 * h * d + 2 * d, d);
        }
    } else {
        q = w_.q.apply(x);
        k = w_.k.apply(x);
        v = w_.v.apply(x);
    }
    if (w_.qNorm.present()) {
        if (spec_.qkNorm == QkNormScope::PerHead) {
            w_.qNorm.applyPerSlice(q);
            w_.kNorm.applyPerSlice(k);
        } else {
            w_.qNorm.applyInPlace(q);
            w_.kNorm.applyInPlace(k);
        }
    }
    if (rotary_) {
        rotary_->apply(q, shape_.heads, shape_.headDim, in.positions);
        rotary_->apply(k, shape_.kvHeads, shape_.headDim, in.positions);
    }
    RowMatrix context;
    if (in.disentangled) {
        // The position terms read the table through the layer's own query and key projections
        // (share_att_key) or through projections of their own.
        const DisentangledConfig& dc = *in.disentangled;
        RowMatrix posQuery, posKey;
        if (dc.positionToContent) posQuery = (dc.shareKey ? w_.q : w_.posQuery).apply(*in.positionTable);
        if (dc.contentToPosition) posKey = (dc.shareKey ? w_.k : w_.posKey).apply(*in.positionTable);
        const std::vector<float> positionScores = disentangledScores(dc, q, k, posQuery, posKey, *in.tableRows, shape_, in.terms);
        context = scaledDotProductAttention(q, k, v, shape_, probs, positionScores.data(), in.capture);
    } else if (in.cachedKeys && in.cachedValues) {
        appendRows(*in.cachedKeys, in.cachedLength, k);
        appendRows(*in.cachedValues, in.cachedLength, v);
        const Eigen::Index length = in.cachedLength + q.rows();
        context = scaledDotProductAttention(q, in.cachedKeys->topRows(length), in.cachedValues->topRows(length), shape_, probs,
                                            in.scoreBias);
    } else {
        context = scaledDotProductAttention(q, k, v, shape_, probs, in.scoreBias, in.capture);
    }
    if (in.ablatedHeads && !in.ablatedHeads->empty()) ablateContext(context, *in.ablatedHeads, shape_.headDim, in.ablationMode);
    if (in.trace) in.trace->addHeads(context, w_.out, shape_.heads, shape_.headDim);
    return w_.out.apply(context);
}

RowMatrix TransformerBlock::crossAttention(const RowMatrix& x, const BlockInputs& in) const {
    AttentionShape shape = shape_;
    shape.causal = false;  // every decoder position sees the whole source
    shape.window = 0;
    const RowMatrix q = w_.crossQ.apply(x);
    RowMatrix context;
    if (in.crossKeys && in.crossValues) {
        context = scaledDotProductAttention(q, *in.crossKeys, *in.crossValues, shape, in.crossProbs);
    } else {
        RowMatrix keys, values;
        crossKeysValues(*in.encoderStates, keys, values);
        context = scaledDotProductAttention(q, keys, values, shape, in.crossProbs);
    }
    if (in.crossAblatedHeads && !in.crossAblatedHeads->empty()) ablateContext(context, *in.crossAblatedHeads, shape.headDim, in.ablationMode);
    if (in.trace) in.trace->addHeads(context, w_.crossOut, shape.heads, shape.headDim, true);
    return w_.crossOut.apply(context);
}

void TransformerBlock::crossKeysValues(const RowMatrix& encoder, RowMatrix& keys, RowMatrix& values) const {
    if (w_.crossKv.present()) {  // GPT-2: [k | v] side by side, split in half
        const RowMatrix kv = w_.crossKv.apply(encoder);
        keys = kv.leftCols(kv.cols() / 2);
        values = kv.rightCols(kv.cols() / 2);
        return;
    }
    keys = w_.crossK.apply(encoder);
    values = w_.crossV.apply(encoder);
}

RowMatrix TransformerBlock::mlp(const RowMatrix& x) const {
    if (w_.gateUp.present()) {
        const RowMatrix gateUp = w_.gateUp.apply(x);
        const Eigen::Index width = gateUp.cols() / 2;
        RowMatrix g = gateUp.leftCols(width);
        applyActivation(activation_, g);
        RowMatrix h = gateUp.rightCols(width);
        h.array() *= g.array();
        return w_.down.apply(h);
    }
    RowMatrix h = w_.up.apply(x);
    if (w_.gate.present()) {
        RowMatrix g = w_.gate.apply(x);
        applyActivation(activation_, g);
        h.array() *= g.array();
    } else {
        applyActivation(activation_, h);
    }
    return w_.down.apply(h);
}

void TransformerBlock::forward(RowMatrix& x, const BlockInputs& in, const AttentionSink& probs) const {
    const bool cross = (in.encoderStates || in.crossKeys) && w_.crossQ.present();
    ResidualTrace* trace = in.trace;
    // Each sublayer's output, as the trace sees it join the stream.
    const auto traceMlp = [&](const RowMatrix& m) {
        if (!trace) return;
        trace->addMlp(m);
        if (w_.mlpOutNorm.present()) trace->normGroup(w_.mlpOutNorm, m);
        trace->commitGroup();
    };
    if (spec_.placement == NormPlacement::Post) {
        x += attention(x, in, probs);
        if (trace) trace->normStream(w_.attnNorm, x);
        w_.attnNorm.applyInPlace(x);
        if (cross) {  // BART, Marian: the cross-attention sublayer, post-norm like the others
            x += crossAttention(x, in);
            if (trace) trace->normStream(w_.crossNorm, x);
            w_.crossNorm.applyInPlace(x);
        }
        const RowMatrix m = mlp(x);
        traceMlp(m);
        x += m;
        if (trace) trace->normStream(w_.mlpNorm, x);
        w_.mlpNorm.applyInPlace(x);
    } else if (parallelResidual_) {
        RowMatrix a = x, m = x;
        w_.attnNorm.applyInPlace(a);
        w_.mlpNorm.applyInPlace(m);
        const RowMatrix attended = attention(a, in, probs);
        if (trace) trace->commitGroup();
        const RowMatrix mixed = mlp(m);
        traceMlp(mixed);
        x += attended + mixed;
    } else {
        // Pre-norm, each norm where the family has it: LLaMA-style x + f(norm(x)), Gemma 2/3's
        // x + norm_out(f(norm(x))), OLMo 2's x + norm_out(f(x)).
        RowMatrix h = x;
        if (w_.attnNorm.present()) w_.attnNorm.applyInPlace(h);
        RowMatrix a = attention(h, in, probs);
        if (w_.attnOutNorm.present()) {
            if (trace) trace->normGroup(w_.attnOutNorm, a);
            w_.attnOutNorm.applyInPlace(a);
        }
        if (trace) trace->commitGroup();
        x += a;
        if (cross) {
            h = x;
            w_.crossNorm.applyInPlace(h);
            x += crossAttention(h, in);
            if (trace) trace->commitGroup();
        }
        h = x;
        if (w_.mlpNorm.present()) w_.mlpNorm.applyInPlace(h);
        RowMatrix m = mlp(h);
        traceMlp(m);
        if (w_.mlpOutNorm.present()) w_.mlpOutNorm.applyInPlace(m);
        x += m;
    }
}

}  // namespace attnscope
