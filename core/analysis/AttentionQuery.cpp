#include "analysis/AttentionQuery.h"

#include <Eigen/Core>
#include <algorithm>
#include <numeric>
#include <string>

#include "Error.h"
#include "analysis/AttentionDifference.h"
#include "analysis/WordGroups.h"

namespace attnscope {
namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const Matrix>;

// One head's map as float32, whatever precision the stack keeps.
Matrix headMap(const AttentionStack& s, int layer, int head) {
    if (s.exact()) return ConstMap(s.map(layer, head), s.queries, s.keys);
    Matrix m(s.queries, s.keys);
    s.copyMap(layer, head, m.data());
    return m;
}

bool chosen(const std::vector<bool>& heads, int h) { return heads.empty() || heads[static_cast<std::size_t>(h)]; }

Matrix headMean(const AttentionStack& s, int layer, const std::vector<bool>& heads = {}) {
    Matrix m = Matrix::Zero(s.queries, s.keys);
    int count = 0;
    for (int h = 0; h < s.heads; ++h)
        if (chosen(heads, h)) {
            m += headMap(s, layer, h);
            ++count;
        }
    return m / static_cast<float>(count);
}

Matrix headMax(const AttentionStack& s, int layer, const std::vector<bool>& heads) {
    Matrix m = Matrix::Zero(s.queries, s.keys);  // probabilities are never negative
    for (int h = 0; h < s.heads; ++h)
        if (chosen(heads, h)) m = m.cwiseMax(headMap(s, layer, h));
    return m;
}

void normaliseRows(Matrix& m) {
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        const float sum = m.row(r).sum();
        if (sum > 0) m.row(r) /= sum;
    }
}

// The displayed matrix from a full [queries, keys] one: special tokens hidden (square
// self-attention only) and sink keys left out, rows renormalised, words grouped, then the
// hard rule.
AttentionMatrix shownMatrix(std::vector<float> full, int queries, int keys, const AttentionQuery& q, const std::vector<bool>& special,
                            const TokenWords* words) {
    AttentionMatrix out;
    // Special tokens hide only on square self-attention, where both axes are the same tokens.
    const bool hide = q.hideSpecialTokens && !special.empty() && queries == keys &&
                      static_cast<int>(special.size()) == keys;
    for (int i = 0; i < queries; ++i)
        if (!hide || !special[i]) out.rowTokens.push_back(i);
    for (const int j : q.leftOutKeys)
        if (j < 0 || j >= keys)
            throw Error("token " + std::to_string(j) + " cannot be left out: the keys are " + std::to_string(keys) + " tokens, numbered from 0");
    const auto leftOut = [&](int j) { return std::find(q.leftOutKeys.begin(), q.leftOutKeys.end(), j) != q.leftOutKeys.end(); };
    for (int j = 0; j < keys; ++j) {
        if (hide && special[j]) continue;
        if (leftOut(j)) ++out.leftOutKeys;
        else out.colTokens.push_back(j);
    }
    out.rows = static_cast<int>(out.rowTokens.size());
    out.cols = static_cast<int>(out.colTokens.size());
    if (!hide && out.leftOutKeys == 0) {
        out.values = std::move(full);
    } else {
        const ConstMap m(full.data(), queries, keys);
        Matrix shown(out.rows, out.cols);
        for (int r = 0; r < out.rows; ++r)
            for (int c = 0; c < out.cols; ++c) shown(r, c) = m(out.rowTokens[r], out.colTokens[c]);
        normaliseRows(shown);
        out.values.assign(shown.data(), shown.data() + shown.size());
    }
    // Words before the hard rule, so that it keeps words.
    if (q.words && words) {
        const int leftOut = out.leftOutKeys;
        out = groupIntoWords(out, words->queries, words->keys);
        out.leftOutKeys = leftOut;
    }
    if (q.hard) applyHardSelection(out.values, out.rows, out.cols, q.hardSelection);
    return out;
}

}  // namespace

std::vector<float> attentionRollout(const AttentionStack& s, int upTo) {
    if (s.queries != s.keys) throw Error("attention rollout needs square self-attention maps");
    Matrix rollout;
    for (int l = 0; l <= upTo; ++l) {
        Matrix a = 0.5f * headMean(s, l) + 0.5f * Matrix::Identity(s.queries, s.keys);
        normaliseRows(a);
        rollout = l == 0 ? a : Matrix(a * rollout);
    }
    return std::vector<float>(rollout.data(), rollout.data() + rollout.size());
}

void applyHardSelection(std::vector<float>& values, int rows, int cols, const HardSelection& sel) {
    if (sel.rule == HardRule::TopK && sel.k < 1) throw Error("top-k needs k >= 1");
    if (sel.rule == HardRule::Mass && !(sel.mass > 0.0f && sel.mass <= 1.0f))
        throw Error("cumulative mass p must be in (0, 1]");
    std::vector<int> order(cols);
    std::vector<char> keep(cols);
    for (int r = 0; r < rows; ++r) {
        float* row = values.data() + static_cast<std::size_t>(r) * cols;
        std::fill(keep.begin(), keep.end(), 0);
        if (sel.rule == HardRule::Threshold) {
            for (int c = 0; c < cols; ++c) keep[c] = row[c] >= sel.threshold;
        } else {
            std::iota(order.begin(), order.end(), 0);
            // Stable sort by descending weight: equal weights keep the lower key index first.
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return row[a] > row[b]; });
            if (sel.rule == HardRule::TopK) {
                for (int i = 0; i < std::min(sel.k, cols); ++i) keep[order[i]] = 1;
            } else {
                double total = 0;
                for (int i = 0; i < cols && total < sel.mass; ++i) {
                    keep[order[i]] = 1;
                    total += row[order[i]];
                }
            }
        }
        for (int c = 0; c < cols; ++c)
            if (!keep[c]) row[c] = 0.0f;
    }
}

AttentionMatrix computeAttentionMatrix(const AttentionStack& s, const AttentionQuery& q,
                                       const std::vector<bool>& special, const TokenWords* words) {
    if (s.empty()) throw Error("there is no attention to show yet");
    if (q.compare.with == CompareWith::Input)
        throw Error("comparing with another input needs that input's attention; give the text to compare with");
    if (q.compare.with != CompareWith::Nothing) {
        AttentionQuery a = q;
        a.compare = {};
        const AttentionQuery b = referenceQuery(q);
        if (b.layer < 0 || b.layer >= s.layers)
            throw Error("the layer to compare with, " + std::to_string(b.layer) + ", does not exist (the model has " +
                        std::to_string(s.layers) + " layers, numbered from 0)");
        if (q.compare.with == CompareWith::Head && (b.head < 0 || b.head >= s.heads))
            throw Error("the head to compare with, " + std::to_string(b.head) + ", does not exist (the model has " +
                        std::to_string(s.heads) + " heads, numbered from 0)");
        return attentionDifference(computeAttentionMatrix(s, a, special, words), computeAttentionMatrix(s, b, special, words));
    }
    if (q.layer < 0 || q.layer >= s.layers)
        throw Error("layer " + std::to_string(q.layer) + " does not exist (the model has " + std::to_string(s.layers) +
                    " layers, numbered from 0)");
    if (q.layerMode == LayerMode::Single && q.headMode == HeadMode::Single && (q.head < 0 || q.head >= s.heads))
        throw Error("head " + std::to_string(q.head) + " does not exist (the model has " + std::to_string(s.heads) +
                    " heads, numbered from 0)");

    const bool single = q.layerMode != LayerMode::Rollout && q.headMode == HeadMode::Single;
    if (!single && q.layerMode != LayerMode::Rollout && !q.heads.empty()) {
        if (static_cast<int>(q.heads.size()) != s.heads)
            throw Error("the heads to aggregate name " + std::to_string(q.heads.size()) + " heads, but the model has " +
                        std::to_string(s.heads));
        if (std::find(q.heads.begin(), q.heads.end(), true) == q.heads.end())
            throw Error("choose at least one head to aggregate");
    }
    std::vector<float> full;  // [queries, keys]
    if (single) {
        full.resize(s.mapSize());
        s.copyMap(q.layer, q.head, full.data());
    } else {
        Matrix m = q.layerMode == LayerMode::Rollout ? Matrix(ConstMap(attentionRollout(s, q.layer).data(), s.queries, s.keys))
                   : q.headMode == HeadMode::Mean    ? headMean(s, q.layer, q.heads)
                                                     : headMax(s, q.layer, q.heads);
        full.assign(m.data(), m.data() + m.size());
    }
    return shownMatrix(std::move(full), s.queries, s.keys, q, special, words);
}

AttentionMatrix rolloutThrough(const AttentionStack& asking, const AttentionStack& self, const AttentionQuery& query) {
    if (self.queries != self.keys || asking.keys != self.keys || asking.layers < 1 || self.layers < 1)
        throw Error("rollout from a probe needs its attention over the same " + std::to_string(self.keys) + " tokens as the model's");
    const std::vector<float> rollout = attentionRollout(self, self.layers - 1);
    const Matrix row = headMean(asking, asking.layers - 1) * ConstMap(rollout.data(), self.queries, self.keys);
    // Every token shown (no special tokens to hide, no words): only the hard rule applies.
    return shownMatrix(std::vector<float>(row.data(), row.data() + row.size()), asking.queries, self.keys, query, {}, nullptr);
}

}  // namespace attnscope
