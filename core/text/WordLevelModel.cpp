#include "text/WordLevelModel.h"

#include "Error.h"

namespace attnscope {

WordLevelModel::WordLevelModel(Vocab vocab, std::string unkToken)
    : vocab_(std::move(vocab)), unkToken_(std::move(unkToken)) {
    reverse_ = ReverseVocab(vocab_);
}

std::vector<Token> WordLevelModel::tokenize(std::string_view sequence) const {
    if (auto it = vocab_.find(sequence); it != vocab_.end())
        return {Token{it->second, std::string(sequence), {0, sequence.size()}}};
    auto unk = vocab_.find(unkToken_);
    if (unk == vocab_.end()) throw Error("WordLevel: unk_token `" + unkToken_ + "` is not in the vocabulary");
    return {Token{unk->second, unkToken_, {0, sequence.size()}}};
}

std::optional<int> WordLevelModel::tokenToId(std::string_view token) const {
    auto it = vocab_.find(token);
    if (it == vocab_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> WordLevelModel::idToToken(int id) const {
    return reverse_.find(id);
}

}  // namespace attnscope
