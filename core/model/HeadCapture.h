#pragma once
// Inside one head, for the classroom: the numbers one query's attention is made of, kept by
// the attention itself as it computes them (so the softmax row is the one every view shows):
// the query vector, every key and value vector, the dot products, their scaling, any soft cap
// and position term, the probabilities and the weighted sum of values that is the head's
// output at that query.
#include <vector>

#include "tensor/RowMatrix.h"

namespace attnscope {

struct HeadCapture {
    // Which: set before the forward pass.
    int layer = 0, head = 0, query = 0;

    // What the attention kept (filled is false until it reached that layer).
    bool filled = false;
    int headDim = 0;
    float scale = 1.0f;    // multiplies q·k (1/√d, or the family's own)
    float softcap = 0.0f;  // > 0: the scaled scores were capped (Gemma 2)
    bool positionTerm = false;  // a bias was added to the scores (T5's relative positions, DeBERTa's terms)
    std::vector<float> queryVector;        // [headDim], after the family's norms and rotary positions
    RowMatrix keys, values;                // [keys, headDim]: the key/value head this head reads
    std::vector<float> dots;               // q·k per key
    std::vector<float> scaled;             // dots * scale, then capped
    std::vector<float> scores;             // what the softmax read: scaled plus the position term
    int firstVisible = 0, lastVisible = 0; // keys [first, last) the query may see (causal, window)
    std::vector<float> probabilities;      // the softmax over the visible keys (0 elsewhere)
    std::vector<float> output;             // [headDim]: Σ probabilities · values
};

}  // namespace attnscope
