#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

// The result of tokenizing one text (or a text pair), as Hugging Face tokenizers returns it.
struct Encoding {
    std::vector<int> ids;
    std::vector<std::string> tokens;                // UTF-8 token strings as the vocabulary spells them
    std::vector<std::pair<int, int>> offsets;       // [begin, end) in Unicode code points of the token's own segment
    std::vector<int> typeIds;                       // token type (segment) ids from the post-processor
    std::vector<int> sequenceIds;                   // 0 = first text, 1 = pair text, -1 = added by the post-processor
    std::vector<bool> specialTokensMask;            // true for special tokens

    std::size_t size() const { return ids.size(); }
};

}  // namespace attnscope
