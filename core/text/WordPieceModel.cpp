#include "text/WordPieceModel.h"

#include "Error.h"
#include "text/Utf8.h"

namespace attnscope {

WordPieceModel::WordPieceModel(Vocab vocab, std::string unkToken, std::string continuingSubwordPrefix,
                               std::size_t maxInputCharsPerWord)
    : vocab_(std::move(vocab)), unkToken_(std::move(unkToken)), prefix_(std::move(continuingSubwordPrefix)),
      maxChars_(maxInputCharsPerWord) {
    reverse_ = ReverseVocab(vocab_);
}

Token WordPieceModel::unknown(std::string_view sequence) const {
    auto it = vocab_.find(unkToken_);
    if (it == vocab_.end()) throw Error("WordPiece: unk_token `" + unkToken_ + "` is not in the vocabulary");
    return Token{it->second, unkToken_, {0, sequence.size()}};
}

std::vector<Token> WordPieceModel::tokenize(std::string_view sequence) const {
    if (utf8::countChars(sequence) > maxChars_) return {unknown(sequence)};
    std::vector<Token> pieces;
    std::size_t start = 0;
    std::string candidate;
    while (start < sequence.size()) {
        std::size_t end = sequence.size();
        bool found = false;
        while (start < end) {
            candidate.clear();
            if (start > 0) candidate = prefix_;
            candidate.append(sequence.substr(start, end - start));
            if (auto it = vocab_.find(candidate); it != vocab_.end()) {
                pieces.push_back(Token{it->second, candidate, {start, end}});
                found = true;
                break;
            }
            // Drop the last char.
            do { --end; } while (end > start && !utf8::isCharBoundary(sequence, end));
        }
        if (!found) return {unknown(sequence)};
        start = end;
    }
    return pieces;
}

std::optional<int> WordPieceModel::tokenToId(std::string_view token) const {
    auto it = vocab_.find(token);
    if (it == vocab_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> WordPieceModel::idToToken(int id) const {
    return reverse_.find(id);
}

}  // namespace attnscope
