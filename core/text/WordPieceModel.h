#pragma once
// BERT's WordPiece: greedy longest-prefix matching, "##" on word-internal pieces.
#include "text/Model.h"

namespace attnscope {

class WordPieceModel : public Model {
public:
    WordPieceModel(Vocab vocab, std::string unkToken, std::string continuingSubwordPrefix,
                   std::size_t maxInputCharsPerWord);
    std::vector<Token> tokenize(std::string_view sequence) const override;
    std::optional<int> tokenToId(std::string_view token) const override;
    std::optional<std::string> idToToken(int id) const override;
    std::size_t vocabSize() const override { return vocab_.size(); }

private:
    Token unknown(std::string_view sequence) const;

    Vocab vocab_;
    ReverseVocab reverse_;
    std::string unkToken_, prefix_;
    std::size_t maxChars_;
};

}  // namespace attnscope
