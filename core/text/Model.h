#pragma once
// A tokenization model (WordPiece, BPE, Unigram, WordLevel): turns one pre-token into tokens.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/PreTokenizedString.h"

namespace attnscope {

// Hash that lets an unordered_map<std::string, ...> be searched with a string_view.
struct StringViewHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using Vocab = std::unordered_map<std::string, int, StringViewHash, std::equal_to<>>;

class Model {
public:
    virtual ~Model() = default;
    // Tokens of one pre-token; offsets are bytes of `sequence`.
    virtual std::vector<Token> tokenize(std::string_view sequence) const = 0;
    virtual std::optional<int> tokenToId(std::string_view token) const = 0;
    virtual std::optional<std::string> idToToken(int id) const = 0;
    virtual std::size_t vocabSize() const = 0;
};

// id -> token. A hash map rather than a vector indexed by id: a file's ids may be sparse or
// huge, and a vector would allocate whatever the largest id claims.
class ReverseVocab {
public:
    ReverseVocab() = default;
    explicit ReverseVocab(const Vocab& vocab);
    std::optional<std::string> find(int id) const;

private:
    std::unordered_map<int, std::string> tokens_;
};

}  // namespace attnscope
