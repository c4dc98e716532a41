#pragma once
// A small backtracking regex engine for the patterns tokenizer.json carries (Split and
// Replace), with the Unicode classes (\p{L}, \s, \w, ...) that std::regex lacks.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attnscope {

class Regex {
public:
    // Throws attnscope::Error describing the unsupported or malformed construct.
    explicit Regex(const std::string& pattern);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    // Leftmost-first, non-overlapping matches as byte spans.
    std::vector<std::pair<std::size_t, std::size_t>> findAll(std::string_view text) const;

    struct Node;

private:
    std::unique_ptr<Node> root_;
    std::string pattern_;
};

}  // namespace attnscope
