#pragma once
#include "model/ForwardResult.h"

namespace attnscope {

struct AttentionShape {
    int heads = 1;
    int kvHeads = 1;       // grouped-query attention: each kv head serves heads / kvHeads query heads
    int headDim = 1;
    float scale = 1.0f;    // multiplies q·k
    bool causal = false;
    int window = 0;        // > 0: a query sees only keys less than `window` positions back
};

// Softmax(q k^T * scale + mask) v per head, exactly as transformers' eager attention.
// q: [n, heads*headDim], k and v: [m, kvHeads*headDim]; returns the context [n, heads*headDim]
// and writes each head's probabilities, row = query, to probs[h * n * m ...].
// scoreBias, when given, is added to the scaled scores: [heads, n, m] (T5's relative positions).
RowMatrix scaledDotProductAttention(const RowMatrix& q, const RowMatrix& k, const RowMatrix& v,
                                    const AttentionShape& shape, float* probs, const float* scoreBias = nullptr);

}  // namespace attnscope
