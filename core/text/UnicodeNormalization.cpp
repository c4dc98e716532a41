#include "text/UnicodeNormalization.h"

#include <algorithm>
#include <optional>

#include "text/Unicode.h"

namespace attnscope::unicode {

namespace {

// Full decomposition; a char's first output replaces it (change 0), the others are
// insertions (change 1). Runs of non-starters are then put in canonical order (stable).
std::vector<CharChange> decompose(const std::u32string& text, bool compatibility) {
    std::vector<CharChange> out;
    out.reserve(text.size());
    std::u32string buffer;
    for (char32_t c : text) {
        buffer.clear();
        if (!appendDecomposition(c, compatibility, buffer)) buffer.push_back(c);
        for (std::size_t i = 0; i < buffer.size(); ++i) out.push_back({buffer[i], i == 0 ? 0 : 1});
    }
    for (std::size_t i = 0; i < out.size();) {
        if (combiningClass(out[i].c) == 0) { ++i; continue; }
        std::size_t j = i;
        while (j < out.size() && combiningClass(out[j].c) != 0) ++j;
        std::stable_sort(out.begin() + static_cast<long>(i), out.begin() + static_cast<long>(j),
                         [](const CharChange& a, const CharChange& b) {
                             return combiningClass(a.c) < combiningClass(b.c);
                         });
        i = j;
    }
    return out;
}

// Canonical composition, following the state machine of the alignments crate: a composed
// char carries the change of its starter plus the mark's, minus one (it absorbed the mark).
std::vector<CharChange> recompose(const std::vector<CharChange>& decomposed) {
    std::vector<CharChange> out;
    std::vector<CharChange> blocked;
    std::optional<CharChange> composee;
    std::optional<std::uint8_t> lastClass;
    const auto flushBlocked = [&] {
        out.insert(out.end(), blocked.begin(), blocked.end());
        blocked.clear();
    };
    for (const CharChange& item : decomposed) {
        const std::uint8_t cls = combiningClass(item.c);
        if (!composee) {
            if (cls != 0) {
                out.push_back(item);
                continue;
            }
            composee = item;
            continue;
        }
        const CharChange k = *composee;
        if (!lastClass) {
            if (char32_t r = composePair(k.c, item.c)) {
                composee = CharChange{r, k.change + item.change - 1};
                continue;
            }
            if (cls == 0) {
                out.push_back(k);
                composee = item;
                continue;
            }
            blocked.push_back(item);
            lastClass = cls;
            continue;
        }
        if (*lastClass >= cls) {
            if (cls == 0) {  // a new starter: emit the composee, then what it blocked
                out.push_back(k);
                composee = item;
                lastClass.reset();
                flushBlocked();
                continue;
            }
            blocked.push_back(item);
            lastClass = cls;
            continue;
        }
        if (char32_t r = composePair(k.c, item.c)) {
            composee = CharChange{r, k.change + item.change - 1};
            continue;
        }
        blocked.push_back(item);
        lastClass = cls;
    }
    if (composee) out.push_back(*composee);
    flushBlocked();
    return out;
}

}  // namespace

std::vector<CharChange> normalizeWithChanges(const std::u32string& text, NormalizationForm form) {
    const bool compatibility = form == NormalizationForm::NFKD || form == NormalizationForm::NFKC;
    std::vector<CharChange> decomposed = decompose(text, compatibility);
    if (form == NormalizationForm::NFD || form == NormalizationForm::NFKD) return decomposed;
    return recompose(decomposed);
}

}  // namespace attnscope::unicode
