#pragma once
// SentencePiece's compiled normalization rules ("precompiled_charsmap"): a darts-clone
// double-array trie over UTF-8 byte sequences whose values point into a blob of
// NUL-terminated replacement strings. SentencePiece models (normalizer_spec) and
// tokenizer.json's Precompiled normalizer carry the same bytes: a little-endian u32 trie size
// in bytes, the trie's u32 units, then the replacements.
//
// Written here because the engine links nothing but the standard library, Eigen and
// nlohmann/json; the format is small and fixed (darts-clone's unit layout).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

class PrecompiledCharsMap {
public:
    struct Match {
        std::size_t length;           // bytes of the input the rule covers
        std::string_view replacement;
    };

    // Throws attnscope::Error naming `where` when the bytes are not such a map.
    PrecompiledCharsMap(std::string_view bytes, const std::string& where);

    // Every rule whose key is a prefix of `input`, shortest first; stops at a NUL byte.
    // Throws attnscope::Error when the trie points outside itself (a corrupt map).
    std::vector<Match> prefixMatches(std::string_view input) const;

    bool empty() const { return units_.empty(); }

private:
    std::string where_;
    std::vector<std::uint32_t> units_;
    std::string replacements_;
};

// Decodes standard base64 (with or without '=' padding); throws attnscope::Error naming
// `where` on any other character. tokenizer.json stores the charsmap this way.
std::string decodeBase64(std::string_view text, const std::string& where);

}  // namespace attnscope
