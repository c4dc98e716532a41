#include "text/SentencePiecePipeline.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "Error.h"
#include "text/SentencePieceNormalizer.h"
#include "text/UnigramModel.h"

namespace attnscope {

SentencePieceParts sentencePieceParts(const SentencePieceModelFile& model, const std::string& where) {
    if (model.modelType != SentencePieceModelFile::ModelType::Unigram)
        throw Error(where + ": a SentencePiece " +
                    std::string(model.modelType == SentencePieceModelFile::ModelType::Bpe ? "BPE" : "word or char") +
                    " model; AttnScope reads SentencePiece unigram models, and BPE ones through a tokenizer.json");
    const std::optional<int> unk = model.unknownId();
    if (!unk) throw Error(where + ": the SentencePiece model has no unknown piece");

    // The library scores a user-defined symbol so that it always wins where it occurs, and an
    // unknown char the lowest normal score less 10.
    double minScore = std::numeric_limits<double>::infinity();
    double maxScore = -std::numeric_limits<double>::infinity();
    for (const SentencePiece& p : model.pieces)
        if (p.kind == SentencePiece::Kind::Normal) {
            minScore = std::min(minScore, static_cast<double>(p.score));
            maxScore = std::max(maxScore, static_cast<double>(p.score));
        }
    if (!std::isfinite(minScore)) minScore = maxScore = 0;
    std::vector<std::pair<std::string, double>> vocab;
    UnigramModel::SentencePieceRules rules;
    vocab.reserve(model.pieces.size());
    for (const SentencePiece& p : model.pieces) {
        const bool userDefined = p.kind == SentencePiece::Kind::UserDefined;
        const double score = userDefined ? static_cast<double>(p.piece.size()) * maxScore - 0.1 : p.score;
        vocab.emplace_back(p.piece, score);
        rules.matchable.push_back(p.kind == SentencePiece::Kind::Normal || userDefined);
    }
    rules.minScore = minScore;
    SentencePieceParts parts;
    parts.normalizer = std::make_unique<SentencePieceNormalizer>(model, where);
    parts.model = std::make_unique<UnigramModel>(std::move(vocab), unk, model.byteFallback, std::move(rules));
    return parts;
}

}  // namespace attnscope
