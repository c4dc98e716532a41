#include "text/PrecompiledNormalizer.h"

#include "text/Graphemes.h"
#include "text/Utf8.h"

namespace attnscope {

namespace {

// Appends `replacement` for the `oldChars` chars it stands for, with the alignment changes
// tokenizers gives: extra chars count as inserted, fewer chars fold into the last one written.
void replaceChars(std::vector<CharChange>& changes, std::size_t oldChars, std::string_view replacement) {
    const std::u32string added = utf8::decode(replacement, "precompiled charsmap replacement");
    for (char32_t c : added) changes.push_back({c, 0});
    const long diff = static_cast<long>(added.size()) - static_cast<long>(oldChars);
    if (diff > 0) {
        for (std::size_t k = 0; k < static_cast<std::size_t>(diff); ++k) changes[changes.size() - 1 - k].change = 1;
    } else if (diff < 0 && !changes.empty()) {
        changes.back().change += diff;
    }
}

}  // namespace

// As tokenizers does: a cluster under six bytes is looked up whole and, when some rule is a
// prefix of it, replaced entirely by the shortest such rule's text; longer clusters, and
// clusters no rule starts, go char by char. (SentencePiece itself takes the longest rule at
// each byte instead; the two agree on the text people type, and the tokenizer.json is what
// transformers runs.)
void PrecompiledNormalizer::normalize(NormalizedString& s) const {
    const std::string& text = s.get();
    const std::vector<std::size_t> bounds = unicode::graphemeBoundaries(text);
    std::vector<CharChange> changes;
    changes.reserve(text.size());
    bool modified = false;
    for (std::size_t g = 0; g + 1 < bounds.size(); ++g) {
        const std::string_view cluster = std::string_view(text).substr(bounds[g], bounds[g + 1] - bounds[g]);
        if (cluster.size() < 6) {
            const auto matches = map_.prefixMatches(cluster);
            if (!matches.empty()) {
                replaceChars(changes, utf8::countChars(cluster), matches.front().replacement);
                modified = true;
                continue;
            }
        }
        for (std::size_t i = 0; i < cluster.size();) {
            std::size_t length = 0;
            const char32_t c = utf8::decodeAt(cluster, i, length);
            const auto matches = map_.prefixMatches(cluster.substr(i, length));
            if (!matches.empty()) {
                replaceChars(changes, 1, matches.front().replacement);
                modified = true;
            } else {
                changes.push_back({c, 0});
            }
            i += length;
        }
    }
    if (modified) s.transform(changes, 0);
}

}  // namespace attnscope
