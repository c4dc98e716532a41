#include "text/Normalizers.h"

#include "text/Unicode.h"

namespace attnscope {

namespace {

bool isBertWhitespace(char32_t c) { return c == U'\t' || c == U'\n' || c == U'\r' || unicode::isWhiteSpace(c); }

bool isBertControl(char32_t c) {
    if (c == U'\t' || c == U'\n' || c == U'\r') return false;
    return unicode::isControlFormatOrPrivate(c);
}

}  // namespace

void BertNormalizer::normalize(NormalizedString& s) const {
    if (cleanText_) {
        s.filter([](char32_t c) { return !(c == 0 || c == 0xFFFD || isBertControl(c)); });
        s.map([](char32_t c) { return isBertWhitespace(c) ? U' ' : c; });
    }
    if (handleChineseChars_) {
        // Each CJK char becomes " c " (the spaces take the char's alignment).
        std::vector<CharChange> dest;
        for (char32_t c : s.chars()) {
            if (unicode::isChineseChar(c)) {
                dest.push_back({U' ', 0});
                dest.push_back({c, 1});
                dest.push_back({U' ', 1});
            } else {
                dest.push_back({c, 0});
            }
        }
        s.transform(dest, 0);
    }
    if (stripAccents_) {
        UnicodeNormalizer(unicode::NormalizationForm::NFD).normalize(s);
        s.filter([](char32_t c) { return !unicode::isNonspacingMark(c); });
    }
    if (lowercase_) s.lowercase();
}

}  // namespace attnscope
