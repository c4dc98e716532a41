#pragma once
// Tokens added on top of the model ("added_tokens": special tokens and user-added ones).
// They are cut out of the text before normalization (or, for normalized ones, matched in
// the normalized text), longest match first, as tokenizers' AddedVocabulary does.
#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "text/PreTokenizedString.h"

namespace attnscope {

class Normalizer;

struct AddedToken {
    int id = 0;
    std::string content;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = true;
    bool special = false;
};

class AddedVocabulary {
public:
    AddedVocabulary() = default;
    AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer);

    // Splits `text` around added tokens (which get their token) and normalizes the rest.
    PreTokenizedString extractAndNormalize(const std::string& text, const Normalizer* normalizer) const;

    std::optional<int> tokenToId(std::string_view content) const;
    const AddedToken* byId(int id) const;
    const std::vector<AddedToken>& tokens() const { return tokens_; }

private:
    struct Matcher {
        std::vector<std::string> patterns;
        std::vector<std::size_t> tokenIndex;  // into tokens_
        // Patterns by their first byte: Llama 3 ships 256 special tokens and Gemma hundreds of
        // added ones, so trying each one at every byte of the text would dominate encoding.
        std::array<std::vector<std::size_t>, 256> byFirstByte;
        void add(std::string pattern, std::size_t token);
    };
    struct Found { std::optional<std::size_t> token; std::size_t start, end; };
    std::vector<Found> findMatches(const std::string& sentence, const Matcher& matcher) const;
    std::vector<Split> splitWithMatches(NormalizedString&& s, const Matcher& matcher) const;

    std::vector<AddedToken> tokens_;
    Matcher raw_;         // matched against the original text
    Matcher normalized_;  // matched, in normalized form, against the normalized text
};

}  // namespace attnscope
