#pragma once
#include <vector>

#include "tensor/AttentionStack.h"

namespace attnscope {

enum class HeadMode { Single, Mean, Max };
enum class LayerMode { Single, Rollout };
enum class HardRule { TopK, Threshold, Mass };

// Hard attention: per query row, keep the selected cells with their original weights and
// zero the rest. Ties go to the lower key index.
struct HardSelection {
    HardRule rule = HardRule::TopK;
    int k = 1;              // TopK: k >= 1 (1 = argmax)
    float threshold = 0.1f; // Threshold: every cell >= threshold
    float mass = 0.9f;      // Mass: the smallest set of keys whose weights sum to >= mass
};

// A difference map (AttentionDifference.h): the matrix minus a reference's, A − B. Layer: the
// same heads (or aggregate, or rollout) at another layer; Head: one head of some layer; Input:
// the same selection on another input, which the caller brings (computeAttentionMatrix alone
// cannot, and refuses).
enum class CompareWith { Nothing, Layer, Head, Input };
struct Comparison {
    CompareWith with = CompareWith::Nothing;
    int layer = 0;  // Layer and Head: the reference's layer
    int head = 0;   // Head: the reference head
    bool operator==(const Comparison&) const = default;
};

// Which matrix a view shows. Every view and every export derives its matrix from one of these.
struct AttentionQuery {
    int layer = 0;
    HeadMode headMode = HeadMode::Single;
    int head = 0;
    // Mean and Max over these heads only, one flag per head (an alignment averaged over the
    // heads that align); empty: every head. Rollout always averages every head.
    std::vector<bool> heads;
    // Rollout (Abnar & Zuidema 2020) up to `layer`: per layer A' = 0.5 * mean over heads + 0.5 * I,
    // rows renormalised, multiplied A'_layer ... A'_0. Uses the head mean by definition.
    LayerMode layerMode = LayerMode::Single;
    bool hard = false;
    HardSelection hardSelection;
    // Drop the rows and columns of special tokens ([CLS], [SEP], <s>, BOS, ...) and
    // renormalise each remaining row to sum to 1.
    bool hideSpecialTokens = false;
    // Group subword tokens into words (WordGroups.h), before any hard selection: a word's
    // column sums its pieces', its row averages theirs. Needs the axes' TokenWords.
    bool words = false;
    // Attention sinks: these key tokens (indices into the key axis, e.g. {0} for <s>/BOS) are
    // left out and each row renormalised over the rest, so a head that parks most of its
    // attention on the first token shows what else it reads. A row with nothing else stays 0.
    std::vector<int> leftOutKeys;
    // Shown as a difference from a reference (every cell of a grid or heads view against its own
    // reference: with Layer, head h against head h of the other layer).
    Comparison compare;
};

// One word index per token on each axis (wordsOfTokens), for AttentionQuery::words.
struct TokenWords {
    std::vector<int> queries;
    std::vector<int> keys;
};

// A matrix as displayed: row-major values, and for each row/column the index of the token
// it shows in the full token list (they differ once special tokens are hidden).
struct AttentionMatrix {
    int rows = 0;
    int cols = 0;
    std::vector<float> values;
    std::vector<int> rowTokens;
    std::vector<int> colTokens;
    int leftOutKeys = 0;  // key tokens left out as attention sinks (rows renormalised without them)
    // The values are a difference A − B (AttentionDifference.h), signed in [−1, 1], not weights.
    bool difference = false;

    float at(int r, int c) const { return values[static_cast<std::size_t>(r) * cols + c]; }
};

// Throws attnscope::Error when the query names a layer or head the stack does not have (or
// the comparison does, or it compares with another input).
// specialTokens may be empty (= none special), else one flag per token (key axis); words are
// used when query.words asks for them (null: tokens, as without it).
AttentionMatrix computeAttentionMatrix(const AttentionStack& stack, const AttentionQuery& query,
                                       const std::vector<bool>& specialTokens = {}, const TokenWords* words = nullptr);

// Per-row hard selection on a row-major [rows, cols] matrix, in place.
void applyHardSelection(std::vector<float>& values, int rows, int cols, const HardSelection& selection);

// Rollout matrices for layers 0..upTo, as specified above; returns the last one.
std::vector<float> attentionRollout(const AttentionStack& stack, int upTo);
// Rollout that starts from queries asking after the last layer of `self` (SigLIP's pooling
// probe): the asking stack's head mean (its last layer) times the rollout of `self` through
// every layer, [asking queries, tokens]; the query's hard selection applies, and its layer,
// head and hidden special tokens do not (rollout averages the heads and shows every token).
// Throws attnscope::Error when the asking stack's keys are not self's tokens.
AttentionMatrix rolloutThrough(const AttentionStack& asking, const AttentionStack& self, const AttentionQuery& query);

}  // namespace attnscope
