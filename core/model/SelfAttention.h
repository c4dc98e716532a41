#pragma once
#include <Eigen/Core>

#include "model/HeadCapture.h"
#include "tensor/AttentionStack.h"
#include "tensor/RowMatrix.h"

namespace attnscope {

struct AttentionShape {
    int heads = 1;
    int kvHeads = 1;       // grouped-query attention: each kv head serves heads / kvHeads query heads
    int headDim = 1;
    float scale = 1.0f;    // multiplies q·k
    bool causal = false;
    int window = 0;        // > 0: a query sees only keys less than `window` positions back (and, not causal, ahead)
    float softcap = 0.0f;  // > 0: scaled scores become softcap * tanh(scores / softcap) (Gemma 2)
};

// Where one layer's attention probabilities go: maps (layer, h) of a stack shaped [.., heads, n, m].
struct AttentionSink {
    AttentionStack* stack = nullptr;
    int layer = 0;
};

// Softmax(q k^T * scale + mask) v per head, exactly as transformers' eager attention.
// q: [n, heads*headDim], k and v: [m, kvHeads*headDim]; returns the context [n, heads*headDim]
// and stores each head's probabilities, row = query, in the sink.
// scoreBias, when given, is added to the scaled scores: [heads, n, m] (T5's relative positions).
// k and v may be the used rows of a larger buffer (a key/value cache).
// `capture`, when given, keeps the numbers of its head and query (model/HeadCapture.h).
RowMatrix scaledDotProductAttention(const RowMatrix& q, const Eigen::Ref<const RowMatrix>& k, const Eigen::Ref<const RowMatrix>& v,
                                    const AttentionShape& shape, const AttentionSink& probs,
                                    const float* scoreBias = nullptr, HeadCapture* capture = nullptr);

// Softmax over each whole row of `scores`, in place, as the attention above computes it for a
// row that sees every key (DeBERTa's terms alone, SigLIP's pooling probe).
void softmaxRowsInPlace(Eigen::Ref<RowMatrix> scores);

}  // namespace attnscope
