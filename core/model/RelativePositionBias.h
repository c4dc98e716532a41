#pragma once
#include <vector>

namespace attnscope {

// T5's relative position bias: each (query, key) offset falls into one of `buckets` buckets
// (exact for small offsets, logarithmic up to maxDistance), and each bucket has a learned
// bias per head. Bidirectional (encoder) buckets tell earlier from later keys; unidirectional
// (decoder) ones only look back.
int relativePositionBucket(int relativePosition, bool bidirectional, int buckets, int maxDistance);

// Returns [heads, queries, keys] biases from the learned table [buckets, heads]. Query q sits
// at position queryOffset + q (after a key/value cache), key k at position k.
std::vector<float> relativePositionBias(const float* table, int heads, int queries, int keys, bool bidirectional,
                                        int buckets, int maxDistance, int queryOffset = 0);

}  // namespace attnscope
