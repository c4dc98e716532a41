#include "model/Embeddings.h"

#include <algorithm>
#include <cmath>

#include "Error.h"

namespace attnscope {

namespace {

// Marian's fixed position table: row p holds sin(p / 10000^(2j / d)) for j < d / 2 (rounded up)
// in its first half and the cosines of the same angles in its second, computed in double and
// stored as float32, as transformers builds it.
std::vector<float> sinusoidTable(int positions, int width) {
    std::vector<float> table(static_cast<std::size_t>(positions) * width);
    const int sines = width / 2 + width % 2;
    for (int p = 0; p < positions; ++p) {
        float* row = table.data() + static_cast<std::size_t>(p) * width;
        for (int j = 0; j < width; ++j) {
            // Column j's angle uses frequency index 2 * (j / 2) of the interleaved layout transformers
            // starts from: even columns become the sines, odd ones the cosines.
            const int column = j < sines ? 2 * j : 2 * (j - sines) + 1;
            const double angle = p / std::pow(10000.0, 2.0 * (column / 2) / width);
            row[j] = static_cast<float>(j < sines ? std::sin(angle) : std::cos(angle));
        }
    }
    return table;
}

}  // namespace

Embeddings::Embeddings(const WeightBinder& bind) : c_(bind.config()) {
    using R = TensorRole;
    const ModelConfig& c = c_;
    const FamilySpec& spec = c.spec();
    if (spec.readsImages()) {
        patchProjection_.in = c.channels * c.patchSize * c.patchSize;
        patchProjection_.out = c.hidden;
        patchProjection_.weight =
            bind.tensor(bind.name(R::PatchEmbedding, 0, ".weight"), {c.hidden, c.channels, c.patchSize, c.patchSize}).data;
        // CLIP's patch convolution has no bias.
        if (const std::string bias = bind.name(R::PatchEmbedding, 0, ".bias"); bind.has(bias))
            patchProjection_.bias = bind.tensor(bias, {c.hidden}).data;
        // ViT stores [1, 1, hidden] tokens and a [1, tokens, hidden] table; CLIP a [hidden] class
        // embedding and SigLIP and CLIP an nn.Embedding [tokens, hidden]: the same numbers.
        const auto leadingShape = [&](const std::string& name, std::vector<std::int64_t> shape) {
            const TensorInfo* info = bind.info(name);
            if (info && info->shape.size() < shape.size()) shape.erase(shape.begin(), shape.end() - static_cast<std::ptrdiff_t>(info->shape.size()));
            return bind.tensor(name, shape);
        };
        for (const R role : {R::ClsToken, R::DistillationToken})
            if (spec.hasRole(role)) leadingTokens_.push_back(leadingShape(bind.name(role, 0, ""), {1, 1, c.hidden}));
        positionEmbedding_ = leadingShape(bind.name(R::PositionEmbedding, 0, ""), {1, c.maxPositions, c.hidden});
        if (spec.hasRole(R::EmbeddingNorm)) embeddingNorm_ = bind.norm(R::EmbeddingNorm, 0, c.hidden);  // CLIP's pre_layrnorm
        return;
    }
    const int e = c.embeddingSize;
    // A projection [vocabulary, e] as tied heads use it; a row per token id (kept 16-bit when the
    // checkpoint keeps its large weights so).
    tokenEmbedding_ = bind.linearOutIn(bind.name(R::TokenEmbedding, 0, ""), e, c.vocabSize, Bias::None);
    // The roles of the stack in use: an encoder-decoder's decoder has its own positions and norm.
    if (bind.hasRole(R::PositionEmbedding) && c.positionTable) {
        positionOffset_ = spec.positionOffset;
        positionEmbedding_ = bind.tensor(bind.name(R::PositionEmbedding, 0, ".weight"), {c.maxPositions + positionOffset_, e});
    }
    if (spec.positions == PositionScheme::Sinusoidal) {
        sinusoids_ = sinusoidTable(c.maxPositions, e);
        positionEmbedding_.data = sinusoids_.data();
    }
    if (bind.hasRole(R::TokenTypeEmbedding) && c.typeVocabSize > 0)
        tokenTypeEmbedding_ = bind.tensor(bind.name(R::TokenTypeEmbedding, 0, ".weight"), {c.typeVocabSize, e});
    // ELECTRA has its projection only when the widths differ; ALBERT always (then it is
    // required), so a stored one is used and a missing one is an error only where it must exist.
    if (spec.hasRole(R::EmbeddingProjection) && (e != c.hidden || bind.has(bind.name(R::EmbeddingProjection, 0, ".weight"))))
        projection_ = bind.linear(R::EmbeddingProjection, 0, e, c.hidden, spec.projectionBeforeNorm ? Bias::None : Bias::Required);
    // DeBERTa normalises the projected embeddings, at the encoder's width.
    if (bind.hasRole(R::EmbeddingNorm)) embeddingNorm_ = bind.norm(R::EmbeddingNorm, 0, spec.projectionBeforeNorm ? c.hidden : e);
}

RowMatrix Embeddings::image(const PixelValues& px, std::vector<int>& positions) const {
    const ModelConfig& c = c_;
    if (px.empty()) throw Error("this " + c.modelType + " model takes an image (pixel values), not token ids");
    if (px.channels != c.channels || px.height != c.imageSize || px.width != c.imageSize ||
        px.values.size() != static_cast<std::size_t>(px.channels) * px.height * px.width)
        throw Error("pixel values are [" + std::to_string(px.channels) + ", " + std::to_string(px.height) + ", " + std::to_string(px.width) +
                    "], but this model expects [" + std::to_string(c.channels) + ", " + std::to_string(c.imageSize) + ", " +
                    std::to_string(c.imageSize) + "]");
    const int p = c.patchSize;
    const int grid = c.patchGridSide();
    // Flatten each patch in the conv weight's [C, p, p] order so the convolution is one product.
    RowMatrix patches(grid * grid, patchProjection_.in);
    for (int gy = 0; gy < grid; ++gy)
        for (int gx = 0; gx < grid; ++gx) {
            float* dst = patches.row(gy * grid + gx).data();
            for (int ch = 0; ch < c.channels; ++ch)
                for (int y = 0; y < p; ++y)
                    for (int x = 0; x < p; ++x)
                        *dst++ = px.values[(static_cast<std::size_t>(ch) * px.height + gy * p + y) * px.width + gx * p + x];
        }
    const int leading = static_cast<int>(leadingTokens_.size());
    RowMatrix x(grid * grid + leading, c.hidden);
    for (int t = 0; t < leading; ++t) x.row(t) = Eigen::Map<const Eigen::RowVectorXf>(leadingTokens_[static_cast<std::size_t>(t)].data, c.hidden);
    x.bottomRows(grid * grid) = patchProjection_.apply(patches);
    x += Eigen::Map<const RowMatrix>(positionEmbedding_.data, c.maxPositions, c.hidden);
    if (embeddingNorm_.weight) embeddingNorm_.applyInPlace(x);
    positions.resize(static_cast<std::size_t>(x.rows()));
    for (int i = 0; i < static_cast<int>(x.rows()); ++i) positions[static_cast<std::size_t>(i)] = i;
    return x;
}

RowMatrix Embeddings::text(const std::vector<int>& ids, const std::vector<int>& typeIds, std::vector<int>& positions, int offset) const {
    const ModelConfig& c = c_;
    const int n = static_cast<int>(ids.size());
    if (n == 0) throw Error("the input has no tokens");
    if (!typeIds.empty() && static_cast<int>(typeIds.size()) != n)
        throw Error("token type ids (" + std::to_string(typeIds.size()) + ") do not match the " + std::to_string(n) + " input ids");

    const bool fromPadding = c.spec().positions == PositionScheme::LearnedFromPadding;
    positions.resize(static_cast<std::size_t>(n));
    if (fromPadding) {
        // RoBERTa numbers real tokens from padding_idx + 1; padding keeps padding_idx.
        int count = 0;
        for (int i = 0; i < n; ++i) positions[i] = ids[i] == c.padTokenId ? c.padTokenId : c.padTokenId + (++count);
    } else {
        for (int i = 0; i < n; ++i) positions[i] = offset + i;
    }
    // max_position_embeddings is the model's context, except under dynamic NTK RoPE, which
    // exists to stretch its frequencies past it.
    const bool stretches = std::any_of(c.ropes.begin(), c.ropes.end(), [](const RopeSpec& r) { return r.type == RopeType::Dynamic; });
    const int maxTokens = c.maxPositions - (fromPadding ? c.padTokenId + 1 : 0);
    if (!stretches && offset + n > maxTokens)
        throw Error("the input has " + std::to_string(offset + n) + " tokens, more than this model's maximum of " +
                    std::to_string(maxTokens) + " (max_position_embeddings in config.json)");

    const int e = c.embeddingSize;
    RowMatrix x(n, e);
    for (int i = 0; i < n; ++i) {
        const int id = ids[i];
        if (id < 0 || id >= c.vocabSize)
            throw Error("token id " + std::to_string(id) + " is out of range for the vocabulary of " + std::to_string(c.vocabSize) +
                        " tokens");
        x.row(i) = tokenEmbedding_.outputWeights(id);
    }
    // Gemma (and BART or Marian with scale_embedding) scale the embeddings by sqrt(hidden)
    // rounded to float32 (and the tied head reads the unscaled table).
    if (c.scaleEmbeddings) x *= static_cast<float>(std::sqrt(static_cast<double>(c.hidden)));
    if (positionEmbedding_.data) {
        Eigen::Map<const RowMatrix> table(positionEmbedding_.data, c.maxPositions + positionOffset_, e);
        for (int i = 0; i < n; ++i) x.row(i) += table.row(positions[i] + positionOffset_);
    }
    if (tokenTypeEmbedding_.data) {
        Eigen::Map<const RowMatrix> table(tokenTypeEmbedding_.data, c.typeVocabSize, e);
        for (int i = 0; i < n; ++i) {
            const int t = typeIds.empty() ? 0 : typeIds[i];
            if (t < 0 || t >= c.typeVocabSize)
                throw Error("token type id " + std::to_string(t) + " is out of range (type_vocab_size " + std::to_string(c.typeVocabSize) +
                            ")");
            x.row(i) += table.row(t);
        }
    }
    if (c.spec().projectionBeforeNorm && projection_.present()) x = projection_.apply(x);
    if (embeddingNorm_.weight) embeddingNorm_.applyInPlace(x);
    if (!c.spec().projectionBeforeNorm && projection_.present()) return projection_.apply(x);
    return x;
}

}  // namespace attnscope
