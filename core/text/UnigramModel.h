#pragma once
// SentencePiece's Unigram model: the segmentation with the best total score (Viterbi),
// unknown chars scored min_score - 10 and fused together.
#include "text/Model.h"

namespace attnscope {

class UnigramModel : public Model {
public:
    // What SentencePiece's own segmentation does beyond tokenizers': pieces it never matches in
    // text (control, unknown, byte and unused pieces) and an unknown char's base score taken
    // from the normal pieces only.
    struct SentencePieceRules {
        std::vector<bool> matchable;  // one per piece
        double minScore = 0;
    };

    // Throws attnscope::Error on an empty vocabulary, an unk_id outside it, or rules whose
    // mask does not cover the vocabulary.
    UnigramModel(std::vector<std::pair<std::string, double>> vocab, std::optional<int> unkId, bool byteFallback,
                 std::optional<SentencePieceRules> rules = std::nullopt);
    std::vector<Token> tokenize(std::string_view sequence) const override;
    std::optional<int> tokenToId(std::string_view token) const override;
    std::optional<std::string> idToToken(int id) const override;
    std::size_t vocabSize() const override { return pieces_.size(); }

private:
    std::vector<std::string> bestSegmentation(std::string_view sentence) const;

    std::vector<std::pair<std::string, double>> pieces_;
    Vocab ids_;
    std::optional<int> unkId_;
    std::vector<bool> matchable_;  // empty: every piece
    bool byteFallback_;
    double minScore_ = 0;
    std::size_t maxPieceBytes_ = 0;
};

}  // namespace attnscope
