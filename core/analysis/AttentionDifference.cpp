#include "analysis/AttentionDifference.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "Error.h"

namespace attnscope {

AttentionQuery referenceQuery(const AttentionQuery& query) {
    AttentionQuery b = query;
    b.compare = {};
    b.layer = query.compare.layer;
    if (query.compare.with == CompareWith::Head) {
        b.head = query.compare.head;
        b.headMode = HeadMode::Single;
        b.layerMode = LayerMode::Single;
    }
    return b;
}

int TokenAlignment::shared() const {
    return static_cast<int>(std::count_if(inOther.begin(), inOther.end(), [](int j) { return j >= 0; }));
}

bool TokenAlignment::oneToOne() const {
    if (static_cast<int>(inOther.size()) != otherCount) return false;
    for (std::size_t i = 0; i < inOther.size(); ++i)
        if (inOther[i] != static_cast<int>(i)) return false;
    return true;
}

TokenAlignment alignByPosition(int count) {
    TokenAlignment out;
    out.otherCount = count;
    for (int i = 0; i < count; ++i) out.inOther.push_back(i);
    return out;
}

// Neither the standard library, Qt nor Eigen aligns two sequences (what `diff` does), so this
// is the textbook longest common subsequence: the common head and tail first (an edited text
// mostly keeps them), then a table over what is left with one direction byte per cell.
TokenAlignment alignTokens(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    TokenAlignment out;
    out.otherCount = static_cast<int>(b.size());
    out.inOther.assign(a.size(), -1);
    std::size_t head = 0;
    while (head < a.size() && head < b.size() && a[head] == b[head]) {
        out.inOther[head] = static_cast<int>(head);
        ++head;
    }
    std::size_t tail = 0;
    while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) {
        out.inOther[a.size() - 1 - tail] = static_cast<int>(b.size() - 1 - tail);
        ++tail;
    }
    const std::size_t n = a.size() - head - tail, m = b.size() - head - tail;
    if (n == 0 || m == 0) return out;
    constexpr std::size_t kMaxCells = std::size_t{1} << 28;  // 256 MB of directions
    if (n > kMaxCells / m)
        throw Error("the two inputs differ in too many tokens to match them (" + std::to_string(n) + " and " +
                    std::to_string(m) + "); compare inputs of the same length");
    // length[i][j]: the LCS of a's middle from i on and b's middle from j on, two rows at a time;
    // step: 0 match, 1 skip a's token, 2 skip b's.
    std::vector<std::uint8_t> step(n * m);
    std::vector<int> next(m + 1, 0), row(m + 1, 0);
    for (std::size_t i = n; i-- > 0;) {
        row[m] = 0;
        for (std::size_t j = m; j-- > 0;) {
            std::uint8_t& s = step[i * m + j];
            if (a[head + i] == b[head + j]) {
                row[j] = next[j + 1] + 1;
                s = 0;
            } else if (next[j] >= row[j + 1]) {  // ties skip a's token: matches stay early in b
                row[j] = next[j];
                s = 1;
            } else {
                row[j] = row[j + 1];
                s = 2;
            }
        }
        std::swap(row, next);
    }
    for (std::size_t i = 0, j = 0; i < n && j < m;) {
        const std::uint8_t s = step[i * m + j];
        if (s == 0) out.inOther[head + i] = static_cast<int>(head + j);
        if (s != 2) ++i;
        if (s != 1) ++j;
    }
    return out;
}

namespace {

void requireFinite(const AttentionMatrix& m, const char* which) {
    for (const float v : m.values)
        if (!std::isfinite(v)) throw Error(std::string("the attention compared (") + which + ") holds a value that is not a number");
}

// Index of each token in a matrix's token list, -1 where it shows none.
std::vector<int> indexOfTokens(const std::vector<int>& tokens, int count) {
    std::vector<int> index(static_cast<std::size_t>(std::max(count, 0)), -1);
    for (std::size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i] >= 0 && tokens[i] < count) index[static_cast<std::size_t>(tokens[i])] = static_cast<int>(i);
    return index;
}

// Pairs of (index in a's list, index in b's list) for the tokens of a's list matched in b's.
std::vector<std::pair<int, int>> matchedPairs(const std::vector<int>& aTokens, const std::vector<int>& bTokens,
                                              const TokenAlignment& alignment, const char* axis) {
    const std::vector<int> inB = indexOfTokens(bTokens, alignment.otherCount);
    std::vector<std::pair<int, int>> pairs;
    for (std::size_t i = 0; i < aTokens.size(); ++i) {
        const int token = aTokens[i];
        if (token < 0 || token >= static_cast<int>(alignment.inOther.size()))
            throw Error(std::string("the token alignment does not cover the ") + axis + " of the first input (token " +
                        std::to_string(token) + ")");
        const int other = alignment.inOther[static_cast<std::size_t>(token)];
        if (other >= alignment.otherCount)
            throw Error(std::string("the token alignment names a ") + axis + " token the second input does not have");
        if (other >= 0 && inB[static_cast<std::size_t>(other)] >= 0) pairs.emplace_back(static_cast<int>(i), inB[static_cast<std::size_t>(other)]);
    }
    return pairs;
}

}  // namespace

AttentionMatrix attentionDifference(const AttentionMatrix& a, const AttentionMatrix& b) {
    if (a.rows != b.rows || a.cols != b.cols || a.rowTokens != b.rowTokens || a.colTokens != b.colTokens ||
        a.values.size() != b.values.size())
        throw Error("the two attention maps compared are not of the same tokens (" + std::to_string(a.rows) + " x " +
                    std::to_string(a.cols) + " and " + std::to_string(b.rows) + " x " + std::to_string(b.cols) + ")");
    requireFinite(a, "A");
    requireFinite(b, "B");
    AttentionMatrix out = a;
    for (std::size_t i = 0; i < out.values.size(); ++i) out.values[i] -= b.values[i];
    out.difference = true;
    return out;
}

AttentionMatrix attentionDifference(const AttentionMatrix& a, const AttentionMatrix& b, const TokenAlignment& queries,
                                    const TokenAlignment& keys) {
    if (a.values.size() != static_cast<std::size_t>(a.rows) * a.cols || b.values.size() != static_cast<std::size_t>(b.rows) * b.cols)
        throw Error("an attention map compared has the wrong number of values");
    requireFinite(a, "A");
    requireFinite(b, "B");
    const auto rows = matchedPairs(a.rowTokens, b.rowTokens, queries, "queries");
    const auto cols = matchedPairs(a.colTokens, b.colTokens, keys, "keys");
    if (rows.empty() || cols.empty()) throw Error("the two inputs share no token to compare");
    AttentionMatrix out;
    out.rows = static_cast<int>(rows.size());
    out.cols = static_cast<int>(cols.size());
    out.leftOutKeys = a.leftOutKeys;
    out.difference = true;
    out.values.reserve(static_cast<std::size_t>(out.rows) * out.cols);
    for (const auto& [ra, rb] : rows) {
        out.rowTokens.push_back(a.rowTokens[static_cast<std::size_t>(ra)]);
        for (const auto& [ca, cb] : cols) out.values.push_back(a.at(ra, ca) - b.at(rb, cb));
    }
    for (const auto& [ca, cb] : cols) out.colTokens.push_back(a.colTokens[static_cast<std::size_t>(ca)]);
    return out;
}

}  // namespace attnscope
