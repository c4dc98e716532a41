#pragma once
#include <vector>

#include "io/CheckpointWeights.h"
#include "model/Layers.h"
#include "model/WeightBinder.h"
#include "tensor/PixelValues.h"

namespace attnscope {

// A model's input layer: token ids (with learned or sinusoidal positions, token types and an
// embedding norm where the family has them; bound with a decoder's names, an encoder-decoder's
// decoder input layer) or an image's patches (with CLS, DeiT's distillation token and
// the position table) turned into the first residual stream [tokens, hidden].
class Embeddings {
public:
    explicit Embeddings(const WeightBinder& bind);

    // Token ids at positions offset, offset + 1, ... (offset > 0: after a key/value cache);
    // `positions` receives each token's position. Throws attnscope::Error for ids, token types
    // or lengths the model cannot take.
    RowMatrix text(const std::vector<int>& ids, const std::vector<int>& typeIds, std::vector<int>& positions, int offset = 0) const;
    // An image's leading tokens and patches; throws attnscope::Error for pixels of the wrong shape.
    RowMatrix image(const PixelValues& pixels, std::vector<int>& positions) const;
    // The word embedding table [vocabulary, embedding size], which tied output heads reuse.
    const Linear& tokenTable() const { return tokenEmbedding_; }

private:
    const ModelConfig& c_;
    Linear tokenEmbedding_;
    FloatTensor positionEmbedding_, tokenTypeEmbedding_;
    int positionOffset_ = 0;         // the table row of position 0 (BART's learned table: 2)
    std::vector<float> sinusoids_;   // a computed position table (Marian), [max positions, embedding size]
    Norm embeddingNorm_;
    Linear projection_;       // embedding size -> hidden, where the family factorises its embeddings
    Linear patchProjection_;  // the patch convolution as a linear map over flattened [C, p, p] patches
    std::vector<FloatTensor> leadingTokens_;  // [CLS] (and DeiT's distillation token)
};

}  // namespace attnscope
