#pragma once
// DeBERTa's disentangled attention (DeBERTa-v2 and v3): besides content-to-content (q·k), each
// score has a content-to-position term (the query against the key's relative position) and a
// position-to-content term (the key against the query's relative position), read from a table
// of relative-position embeddings that every layer projects with its own query and key
// projections (or separate ones). The three are summed before the softmax; AttnScope also keeps
// what each would make of the attention alone, so a user sees how much of a head is position.
#include <vector>

#include "model/SelfAttention.h"
#include "tensor/RowMatrix.h"

namespace attnscope {

// The config.json settings of the relative terms, as DebertaV2Config reads them (read by
// ModelConfig).
struct DisentangledConfig {
    bool enabled = false;            // relative_attention
    bool contentToPosition = false;  // "c2p" in pos_att_type
    bool positionToContent = false;  // "p2c" in pos_att_type
    bool shareKey = false;           // share_att_key: the layer's own query/key projections read the position table
    bool normTable = false;          // norm_rel_ebd has "layer_norm": the table is normalised before use
    int buckets = 0;                 // position_buckets; <= 0: no log buckets
    int maxRelative = 0;             // max_relative_positions (max_position_embeddings when below 1)

    // How far each side the table reaches: rows [0, 2 * span) of rel_embeddings are used.
    int span() const { return buckets > 0 ? buckets : maxRelative; }
    // The scores are divided by sqrt(head_dim * this): one share per term in use.
    int scaleFactor() const { return 1 + int(contentToPosition) + int(positionToContent); }
    // Whether scores have a position term at all (and so terms worth showing apart).
    bool hasPositionTerms() const { return enabled && (contentToPosition || positionToContent); }
};

// The relative position of a query `relative` tokens after its key, in DeBERTa's buckets:
// exact within half the buckets either side, logarithmic out to maxPosition, computed in
// float32 as transformers' make_log_bucket_position does (the rounding decides edge buckets).
int logBucketPosition(int relative, int buckets, int maxPosition);

// For n queries and n keys (DeBERTa is an encoder: both are the whole text): the row of the
// 2 * span position table each (query i, key j) pair reads, [n * n] row-major:
// clamp(bucket(i - j) + span, 0, 2 * span - 1). transformers indexes the position-to-content
// term by -bucket(j - i), the same row, since the buckets are symmetric about zero.
std::vector<int> relativeTableRows(const DisentangledConfig& c, int n);

// The three terms' attention as each alone would make it, one sink per term (a null stack:
// not kept): softmax over the keys of that term's scaled scores.
struct TermSinks {
    AttentionSink contentToContent, contentToPosition, positionToContent;
};

// The position terms' scores for every head, [heads, n, n], to add to the scaled q·k scores:
// c2p(i, j) = q_i · posKey[row(i, j)] and p2c(i, j) = k_j · posQuery[row(i, j)], each times
// shape.scale (1 / sqrt(head_dim * scaleFactor)). q and k [n, heads * d];
// posQuery and posKey [2 * span, heads * d] (the projected table; empty when their term is
// off); rows from relativeTableRows(). With sinks, also stores each term's own softmax.
std::vector<float> disentangledScores(const DisentangledConfig& c, const RowMatrix& q, const RowMatrix& k, const RowMatrix& posQuery,
                                      const RowMatrix& posKey, const std::vector<int>& rows, const AttentionShape& shape,
                                      const TermSinks& sinks);

}  // namespace attnscope
