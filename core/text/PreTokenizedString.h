#pragma once
// The text being cut into pieces (pre-tokens), each a NormalizedString that is later
// tokenized by the model; turns the tokens into an Encoding with offsets in the original.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "text/Encoding.h"
#include "text/NormalizedString.h"

namespace attnscope {

// A model's output token: offsets are bytes of the piece's normalized string.
struct Token {
    int id = 0;
    std::string value;
    std::pair<std::size_t, std::size_t> offsets;
};

struct Split {
    NormalizedString normalized;
    std::optional<std::vector<Token>> tokens;  // set for added tokens and once tokenized
};

class PreTokenizedString {
public:
    explicit PreTokenizedString(const std::string& text);

    // Replaces every not-yet-tokenized piece by what `fn` makes of it; empty pieces are dropped.
    void split(const std::function<std::vector<Split>(std::size_t, NormalizedString&&)>& fn);
    void splitPieces(const std::function<std::vector<NormalizedString>(std::size_t, NormalizedString&&)>& fn);
    void normalize(const std::function<void(NormalizedString&)>& fn);
    void tokenize(const std::function<std::vector<Token>(const NormalizedString&)>& fn);

    // Tokens with offsets in Unicode code points of the original text, type id set.
    Encoding intoEncoding(int typeId) const;

    const std::vector<Split>& splits() const { return splits_; }

private:
    std::string original_;
    std::vector<Split> splits_;
};

}  // namespace attnscope
