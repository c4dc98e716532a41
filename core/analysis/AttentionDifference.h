#pragma once
// Difference maps: one attention matrix minus another (A − B), of two inputs, two heads or two
// layers, with zero meaning "the same". Two inputs of different lengths are compared on the
// tokens they share, matched in the order they come in the texts.
#include <string>
#include <vector>

#include "analysis/AttentionQuery.h"

namespace attnscope {

// The reference of AttentionQuery::compare with a Layer or Head comparison: the query with the
// other layer (the same heads, aggregate or rollout), or the single head layer.head.
AttentionQuery referenceQuery(const AttentionQuery& query);

// How the tokens of input A match those of input B: per token of A, the index of the same
// token in B, or -1 when B has no token there. Tokens match when they are spelled the same and
// keep their order in both texts (a longest common subsequence, as `diff` pairs lines), so a
// word inserted into B leaves every other token matched.
struct TokenAlignment {
    std::vector<int> inOther;  // one per token of A
    int otherCount = 0;        // B's token count
    int shared() const;
    // Whether A and B are the same length and every token matched its own position.
    bool oneToOne() const;
};
TokenAlignment alignTokens(const std::vector<std::string>& a, const std::vector<std::string>& b);
// Position for position, for inputs of equal token count (two images, two texts that differ
// in one token): A − B then compares every token whatever it is.
TokenAlignment alignByPosition(int count);

// A − B for two matrices of the same tokens (two heads, two layers): signed, marked as a
// difference. Throws attnscope::Error when their shapes or tokens differ.
AttentionMatrix attentionDifference(const AttentionMatrix& a, const AttentionMatrix& b);

// A − B for the same selection on two inputs: the rows and columns of A whose tokens have a
// match in B (by `queries` for rows and `keys` for columns; one alignment for both in
// self-attention), each minus its match's weight in B. A token B shows no row or column for
// (a hidden special token) is left out. The weights are compared as each input has them, not
// renormalised over the shared tokens. Throws attnscope::Error when the alignments do not fit
// the matrices' token lists, or nothing is shared.
AttentionMatrix attentionDifference(const AttentionMatrix& a, const AttentionMatrix& b, const TokenAlignment& queries,
                                    const TokenAlignment& keys);

}  // namespace attnscope
