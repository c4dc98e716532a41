#include "text/AddedVocabulary.h"

#include <algorithm>

#include "text/Normalizers.h"
#include "text/Unicode.h"
#include "text/Utf8.h"

namespace attnscope {

namespace {

char32_t lastChar(std::string_view s) {
    std::size_t i = s.size() - 1;
    while (!utf8::isCharBoundary(s, i)) --i;
    std::size_t n = 0;
    return utf8::decodeAt(s, i, n);
}

bool endsWithWordChar(std::string_view s) { return !s.empty() && unicode::isWordChar(lastChar(s)); }

bool startsWithWordChar(std::string_view s) {
    if (s.empty()) return false;
    std::size_t n = 0;
    return unicode::isWordChar(utf8::decodeAt(s, 0, n));
}

// Byte index where the trailing whitespace of s begins (s.size() when none).
std::size_t trailingSpaceStart(std::string_view s) {
    std::size_t i = s.size();
    while (i > 0) {
        std::size_t j = i - 1;
        while (!utf8::isCharBoundary(s, j)) --j;
        std::size_t n = 0;
        if (!unicode::isWhiteSpace(utf8::decodeAt(s, j, n))) break;
        i = j;
    }
    return i;
}

// Byte length of the leading whitespace of s.
std::size_t leadingSpaceLength(std::string_view s) {
    std::size_t i = 0;
    for (std::size_t n = 0; i < s.size(); i += n)
        if (!unicode::isWhiteSpace(utf8::decodeAt(s, i, n))) break;
    return i;
}

}  // namespace

void AddedVocabulary::Matcher::add(std::string pattern, std::size_t token) {
    byFirstByte[static_cast<unsigned char>(pattern[0])].push_back(patterns.size());
    patterns.push_back(std::move(pattern));
    tokenIndex.push_back(token);
}

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer)
    : tokens_(std::move(tokens)) {
    // Special tokens first, then the others, as the crate builds its tries.
    for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t i = 0; i < tokens_.size(); ++i) {
            const AddedToken& t = tokens_[i];
            if (t.content.empty() || t.special != (pass == 0)) continue;
            if (t.normalized) {
                NormalizedString content(t.content);
                if (normalizer) normalizer->normalize(content);
                if (!content.empty()) normalized_.add(content.get(), i);
            } else {
                raw_.add(t.content, i);
            }
        }
    }
}

std::vector<AddedVocabulary::Found> AddedVocabulary::findMatches(const std::string& sentence,
                                                                 const Matcher& matcher) const {
    if (sentence.empty()) return {{std::nullopt, 0, 0}};
    // Leftmost-longest, non-overlapping occurrences (Aho-Corasick LeftmostLongest).
    struct Occurrence { std::size_t pattern, start, end; };
    std::vector<Occurrence> occurrences;
    for (std::size_t pos = 0; pos < sentence.size();) {
        std::optional<std::size_t> best;
        for (std::size_t p : matcher.byFirstByte[static_cast<unsigned char>(sentence[pos])]) {
            const std::string& pat = matcher.patterns[p];
            if (sentence.compare(pos, pat.size(), pat) != 0) continue;
            if (!best || pat.size() > matcher.patterns[*best].size()) best = p;
        }
        if (!best) {
            ++pos;
            continue;
        }
        occurrences.push_back({*best, pos, pos + matcher.patterns[*best].size()});
        pos += matcher.patterns[*best].size();
    }

    std::vector<Found> splits;
    std::size_t startOffset = 0;
    for (const Occurrence& o : occurrences) {
        std::size_t start = o.start, stop = o.end;
        const std::size_t tokenIndex = matcher.tokenIndex[o.pattern];
        const AddedToken& token = tokens_[tokenIndex];
        if (token.singleWord) {
            const bool startSpace = start == 0 || !endsWithWordChar(std::string_view(sentence).substr(0, start));
            const bool stopSpace = stop == sentence.size() || !startsWithWordChar(std::string_view(sentence).substr(stop));
            if (!startSpace || !stopSpace) continue;
        }
        if (token.lstrip) start = std::max(trailingSpaceStart(std::string_view(sentence).substr(0, start)), startOffset);
        if (token.rstrip) stop += leadingSpaceLength(std::string_view(sentence).substr(stop));
        if (startOffset < start) splits.push_back({std::nullopt, startOffset, start});
        splits.push_back({tokenIndex, start, stop});
        startOffset = stop;
    }
    if (startOffset != sentence.size()) splits.push_back({std::nullopt, startOffset, sentence.size()});
    return splits;
}

std::vector<Split> AddedVocabulary::splitWithMatches(NormalizedString&& s, const Matcher& matcher) const {
    std::vector<Split> out;
    for (const Found& f : findMatches(s.get(), matcher)) {
        std::optional<NormalizedString> piece = s.slice({f.start, f.end});
        if (!piece) continue;
        if (f.token) {
            const std::string value = piece->get();
            out.push_back(Split{std::move(*piece), std::vector<Token>{Token{tokens_[*f.token].id, value, {0, value.size()}}}});
        } else {
            out.push_back(Split{std::move(*piece), std::nullopt});
        }
    }
    return out;
}

PreTokenizedString AddedVocabulary::extractAndNormalize(const std::string& text, const Normalizer* normalizer) const {
    PreTokenizedString pre(text);
    pre.split([&](std::size_t, NormalizedString&& s) { return splitWithMatches(std::move(s), raw_); });
    pre.split([&](std::size_t, NormalizedString&& s) {
        if (normalizer) normalizer->normalize(s);
        return splitWithMatches(std::move(s), normalized_);
    });
    return pre;
}

std::optional<int> AddedVocabulary::tokenToId(std::string_view content) const {
    for (const AddedToken& t : tokens_)
        if (t.content == content) return t.id;
    return std::nullopt;
}

const AddedToken* AddedVocabulary::byId(int id) const {
    for (const AddedToken& t : tokens_)
        if (t.id == id) return &t;
    return nullptr;
}

}  // namespace attnscope
