#pragma once
// WordLevel: a whole pre-token is one vocabulary entry, or the unknown token.
#include "text/Model.h"

namespace attnscope {

class WordLevelModel : public Model {
public:
    WordLevelModel(Vocab vocab, std::string unkToken);
    std::vector<Token> tokenize(std::string_view sequence) const override;
    std::optional<int> tokenToId(std::string_view token) const override;
    std::optional<std::string> idToToken(int id) const override;
    std::size_t vocabSize() const override { return vocab_.size(); }

private:
    Vocab vocab_;
    ReverseVocab reverse_;
    std::string unkToken_;
};

}  // namespace attnscope
