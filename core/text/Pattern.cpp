#include "text/Pattern.h"

#include "text/Regex.h"
#include "text/Utf8.h"

namespace attnscope {

std::vector<PatternMatch> CharPredicatePattern::findMatches(std::string_view s) const {
    if (s.empty()) return {{0, 0, false}};
    std::vector<PatternMatch> out;
    std::size_t lastOffset = 0;
    for (std::size_t i = 0, n = 0; i < s.size(); i += n) {
        const char32_t c = utf8::decodeAt(s, i, n);
        if (!predicate_(c)) continue;
        if (lastOffset < i) out.push_back({lastOffset, i, false});
        out.push_back({i, i + n, true});
        lastOffset = i + n;
    }
    if (lastOffset < s.size()) out.push_back({lastOffset, s.size(), false});
    return out;
}

std::vector<PatternMatch> LiteralPattern::findMatches(std::string_view s) const {
    // The crate answers an empty literal with one unmatched span of the char count.
    if (literal_.empty()) return {{0, utf8::countChars(s), false}};
    if (s.empty()) return {{0, 0, false}};
    std::vector<PatternMatch> out;
    std::size_t prev = 0;
    for (std::size_t pos = s.find(literal_); pos != std::string_view::npos; pos = s.find(literal_, prev)) {
        if (prev != pos) out.push_back({prev, pos, false});
        out.push_back({pos, pos + literal_.size(), true});
        prev = pos + literal_.size();
    }
    if (prev != s.size()) out.push_back({prev, s.size(), false});
    return out;
}

std::vector<PatternMatch> RegexPattern::findMatches(std::string_view s) const {
    if (s.empty()) return {{0, 0, false}};
    std::vector<PatternMatch> out;
    std::size_t prev = 0;
    for (const auto& [start, end] : regex_->findAll(s)) {
        if (prev != start) out.push_back({prev, start, false});
        out.push_back({start, end, true});
        prev = end;
    }
    if (prev != s.size()) out.push_back({prev, s.size(), false});
    return out;
}

std::vector<PatternMatch> InvertedPattern::findMatches(std::string_view s) const {
    std::vector<PatternMatch> out = inner_->findMatches(s);
    for (PatternMatch& m : out) m.isMatch = !m.isMatch;
    return out;
}

}  // namespace attnscope
