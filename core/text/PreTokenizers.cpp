#include "text/PreTokenizers.h"

#include "text/Pattern.h"
#include "text/Unicode.h"
#include "text/Utf8.h"

namespace attnscope {

namespace {

void splitEach(PreTokenizedString& s, const Pattern& pattern, SplitBehavior behavior) {
    s.splitPieces([&](std::size_t, NormalizedString&& n) { return n.split(pattern, behavior); });
}

bool isAsciiPunctuation(char32_t c) {
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}

bool isPunctuationLike(char32_t c) { return isAsciiPunctuation(c) || unicode::isPunctuation(c); }

// Marks the whitespace between runs of word chars / runs of other chars as matches, so that
// splitting with Removed keeps exactly the runs \w+|[^\w\s]+ would find.
class WordRunsPattern : public Pattern {
public:
    std::vector<PatternMatch> findMatches(std::string_view s) const override {
        if (s.empty()) return {{0, 0, false}};
        std::vector<PatternMatch> out;
        int currentKind = -1;  // 0 word, 1 other, 2 space
        std::size_t runStart = 0;
        for (std::size_t i = 0, n = 0; i < s.size(); i += n) {
            const char32_t c = utf8::decodeAt(s, i, n);
            const int kind = unicode::isWordChar(c) ? 0 : unicode::isWhiteSpace(c) ? 2 : 1;
            if (kind != currentKind) {
                if (currentKind != -1) out.push_back({runStart, i, currentKind == 2});
                currentKind = kind;
                runStart = i;
            }
        }
        out.push_back({runStart, s.size(), currentKind == 2});
        return out;
    }
};

}  // namespace

void BertPreTokenizer::preTokenize(PreTokenizedString& s) const {
    splitEach(s, CharPredicatePattern([](char32_t c) { return unicode::isWhiteSpace(c); }), SplitBehavior::Removed);
    splitEach(s, CharPredicatePattern(isPunctuationLike), SplitBehavior::Isolated);
}

void WhitespacePreTokenizer::preTokenize(PreTokenizedString& s) const {
    splitEach(s, WordRunsPattern(), SplitBehavior::Removed);
}

void WhitespaceSplitPreTokenizer::preTokenize(PreTokenizedString& s) const {
    splitEach(s, CharPredicatePattern([](char32_t c) { return unicode::isWhiteSpace(c); }), SplitBehavior::Removed);
}

void PunctuationPreTokenizer::preTokenize(PreTokenizedString& s) const {
    splitEach(s, CharPredicatePattern(isPunctuationLike), behavior_);
}

void DigitsPreTokenizer::preTokenize(PreTokenizedString& s) const {
    splitEach(s, CharPredicatePattern([](char32_t c) { return unicode::isNumber(c); }),
              individual_ ? SplitBehavior::Isolated : SplitBehavior::Contiguous);
}

void CharDelimiterSplitPreTokenizer::preTokenize(PreTokenizedString& s) const {
    const char32_t d = delimiter_;
    splitEach(s, CharPredicatePattern([d](char32_t c) { return c == d; }), SplitBehavior::Removed);
}

void MetaspacePreTokenizer::preTokenize(PreTokenizedString& s) const {
    const std::u32string rep = utf8::decode(replacement_);
    const char32_t replacementChar = rep.empty() ? U'\u2581' : rep[0];
    const CharPredicatePattern spaces([](char32_t c) { return c == U' '; });
    const CharPredicatePattern delimiter([replacementChar](char32_t c) { return c == replacementChar; });
    s.splitPieces([&](std::size_t, NormalizedString&& n) {
        n.replace(spaces, replacement_);
        const bool startsWithReplacement = n.get().rfind(replacement_, 0) == 0;
        if (scheme_ == PrependScheme::Always && !startsWithReplacement) n.prepend(replacement_);
        if (scheme_ == PrependScheme::First && !startsWithReplacement && n.offsetsOriginal().first == 0)
            n.prepend(replacement_);
        if (split_) return n.split(delimiter, SplitBehavior::MergedWithNext);
        std::vector<NormalizedString> out;
        out.push_back(std::move(n));
        return out;
    });
}

void SplitPreTokenizer::preTokenize(PreTokenizedString& s) const { splitEach(s, *pattern_, behavior_); }

void SequencePreTokenizer::preTokenize(PreTokenizedString& s) const {
    for (const auto& step : steps_) step->preTokenize(s);
}

}  // namespace attnscope
