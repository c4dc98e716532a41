#include "text/Normalizers.h"

#include "text/Pattern.h"
#include "text/Unicode.h"

namespace attnscope {

void SequenceNormalizer::normalize(NormalizedString& s) const {
    for (const auto& step : steps_) step->normalize(s);
}

void UnicodeNormalizer::normalize(NormalizedString& s) const {
    s.transform(unicode::normalizeWithChanges(s.chars(), form_), 0);
}

void StripAccentsNormalizer::normalize(NormalizedString& s) const {
    s.filter([](char32_t c) { return !unicode::isNonspacingMark(c); });
}

void PrependNormalizer::normalize(NormalizedString& s) const {
    if (!s.empty()) s.prepend(prefix_);
}

void AppendNormalizer::normalize(NormalizedString& s) const {
    if (!s.empty()) s.append(suffix_);
}

void ReplaceNormalizer::normalize(NormalizedString& s) const { s.replace(*pattern_, content_); }

}  // namespace attnscope
