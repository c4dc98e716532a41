#include "text/Unicode.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/UnicodeTables.h"

namespace attnscope::unicode {

namespace t = tables;

namespace {

constexpr char32_t kHangulSBase = 0xAC00, kHangulLBase = 0x1100, kHangulVBase = 0x1161,
                   kHangulTBase = 0x11A7;
constexpr int kHangulLCount = 19, kHangulVCount = 21, kHangulTCount = 28;
constexpr int kHangulNCount = kHangulVCount * kHangulTCount, kHangulSCount = kHangulLCount * kHangulNCount;

// One decomposition kind, indexed once from the compact generated tables.
class DecompositionIndex {
public:
    DecompositionIndex(const t::CodePointRun* runs, std::size_t runCount, const char* lengths,
                       const char32_t* text) {
        std::size_t offset = 0, i = 0;
        for (std::size_t r = 0; r < runCount; ++r) {
            for (std::uint32_t k = 0; k < runs[r].count; ++k, ++i) {
                const std::size_t n = static_cast<std::size_t>(lengths[i] - '0');
                entries_.push_back({runs[r].first + k, static_cast<std::uint32_t>(offset),
                                    static_cast<std::uint8_t>(n)});
                offset += n;
            }
        }
        text_ = text;
    }
    std::u32string_view find(char32_t c) const {
        auto it = std::lower_bound(entries_.begin(), entries_.end(), c,
                                   [](const Entry& e, char32_t v) { return e.cp < v; });
        if (it == entries_.end() || it->cp != c) return {};
        return std::u32string_view(text_ + it->offset, it->length);
    }
    template <typename F> void forEach(F f) const {
        for (const Entry& e : entries_) f(e.cp, std::u32string_view(text_ + e.offset, e.length));
    }

private:
    struct Entry { char32_t cp; std::uint32_t offset; std::uint8_t length; };
    std::vector<Entry> entries_;
    const char32_t* text_ = nullptr;
};

const DecompositionIndex& canonicalIndex() {
    static const DecompositionIndex index(t::kCanonicalDecompositionRuns, t::kCanonicalDecompositionRunCount,
                                          t::kCanonicalDecompositionLengths, t::kCanonicalDecompositionText);
    return index;
}

const DecompositionIndex& compatibilityIndex() {
    static const DecompositionIndex index(t::kCompatibilityDecompositionRuns,
                                          t::kCompatibilityDecompositionRunCount,
                                          t::kCompatibilityDecompositionLengths,
                                          t::kCompatibilityDecompositionText);
    return index;
}

std::uint64_t pairKey(char32_t a, char32_t b) { return (std::uint64_t(a) << 32) | b; }

// (first, second) -> primary composite. The generator checked that each pair can be derived
// from the composite's full decomposition D: (the composite decomposing to D minus its last
// char, or D[0]; the last char of D).
const std::unordered_map<std::uint64_t, char32_t>& compositions() {
    static const std::unordered_map<std::uint64_t, char32_t> map = [] {
        std::vector<char32_t> composites;
        for (std::size_t r = 0; r < t::kPrimaryCompositeRunCount; ++r)
            for (std::uint32_t k = 0; k < t::kPrimaryCompositeRuns[r].count; ++k)
                composites.push_back(t::kPrimaryCompositeRuns[r].first + k);
        std::unordered_map<std::u32string, char32_t> byDecomposition;
        for (char32_t c : composites) byDecomposition.emplace(std::u32string(canonicalIndex().find(c)), c);
        std::unordered_map<std::uint64_t, char32_t> result;
        for (char32_t c : composites) {
            const std::u32string_view full = canonicalIndex().find(c);
            if (full.size() < 2) continue;
            char32_t first = full[0];
            if (full.size() > 2) {
                auto it = byDecomposition.find(std::u32string(full.substr(0, full.size() - 1)));
                if (it == byDecomposition.end()) continue;
                first = it->second;
            }
            result.emplace(pairKey(first, full.back()), c);
        }
        return result;
    }();
    return map;
}

}  // namespace

Category category(char32_t c) {
    if (c > 0x10FFFF) return Category::Cn;
    const t::CategoryRun* begin = t::kCategoryRuns;
    const t::CategoryRun* end = t::kCategoryRuns + t::kCategoryRunCount;
    auto it = std::upper_bound(begin, end, c, [](char32_t v, const t::CategoryRun& r) { return v < r.start; });
    return static_cast<Category>((it - 1)->category);
}

bool isWhiteSpace(char32_t c) {
    for (std::size_t i = 0; i < t::kWhiteSpaceCount; ++i)
        if (c >= t::kWhiteSpace[i].first && c <= t::kWhiteSpace[i].last) return true;
    return false;
}

bool isLetter(char32_t c) { return category(c) <= Category::Lo; }

bool isNumber(char32_t c) {
    const Category k = category(c);
    return k == Category::Nd || k == Category::Nl || k == Category::No;
}

bool isPunctuation(char32_t c) {
    const Category k = category(c);
    return k >= Category::Pc && k <= Category::Po;
}

bool isMark(char32_t c) {
    const Category k = category(c);
    return k == Category::Mn || k == Category::Mc || k == Category::Me;
}

bool isNonspacingMark(char32_t c) { return category(c) == Category::Mn; }

bool isControlFormatOrPrivate(char32_t c) {
    const Category k = category(c);
    return k == Category::Cc || k == Category::Cf || k == Category::Co;
}

bool isWordChar(char32_t c) {
    if (c == 0x200C || c == 0x200D) return true;           // Join_Control
    if (c >= 0x24B6 && c <= 0x24E9) return true;           // circled letters (Other_Alphabetic, So)
    const Category k = category(c);
    return k <= Category::Lo || isMark(c) || k == Category::Nd || k == Category::Nl || k == Category::Pc;
}

bool isChineseChar(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) ||
           (c >= 0x2B920 && c <= 0x2CEAF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

void appendLowercase(char32_t c, std::u32string& out) {
    if (c == 0x130) {  // the only unconditional multi-char lowercase mapping
        out.push_back(U'i');
        out.push_back(0x307);
        return;
    }
    const t::LowercaseRun* begin = t::kLowercaseRuns;
    const t::LowercaseRun* end = t::kLowercaseRuns + t::kLowercaseRunCount;
    auto it = std::upper_bound(begin, end, c, [](char32_t v, const t::LowercaseRun& r) { return v < r.first; });
    if (it != begin) {
        const t::LowercaseRun& r = *(it - 1);
        if (c <= r.last && (c - r.first) % r.stride == 0) {
            out.push_back(static_cast<char32_t>(static_cast<std::int64_t>(c) + r.delta));
            return;
        }
    }
    out.push_back(c);
}

std::uint8_t combiningClass(char32_t c) {
    const t::ClassRun* begin = t::kCombiningClassRuns;
    const t::ClassRun* end = t::kCombiningClassRuns + t::kCombiningClassRunCount;
    auto it = std::upper_bound(begin, end, c, [](char32_t v, const t::ClassRun& r) { return v < r.first; });
    if (it == begin) return 0;
    const t::ClassRun& r = *(it - 1);
    return c <= r.last ? r.ccc : 0;
}

bool appendDecomposition(char32_t c, bool compatibility, std::u32string& out) {
    if (c >= kHangulSBase && c < kHangulSBase + kHangulSCount) {
        const int s = static_cast<int>(c - kHangulSBase);
        out.push_back(kHangulLBase + s / kHangulNCount);
        out.push_back(kHangulVBase + (s % kHangulNCount) / kHangulTCount);
        if (s % kHangulTCount != 0) out.push_back(kHangulTBase + s % kHangulTCount);
        return true;
    }
    if (compatibility) {
        const std::u32string_view d = compatibilityIndex().find(c);
        if (!d.empty()) {
            out.append(d);
            return true;
        }
    }
    const std::u32string_view d = canonicalIndex().find(c);
    if (d.empty()) return false;
    out.append(d);
    return true;
}

char32_t composePair(char32_t a, char32_t b) {
    // Hangul L + V -> LV, LV + T -> LVT.
    if (a >= kHangulLBase && a < kHangulLBase + kHangulLCount && b >= kHangulVBase &&
        b < kHangulVBase + kHangulVCount)
        return kHangulSBase + ((a - kHangulLBase) * kHangulVCount + (b - kHangulVBase)) * kHangulTCount;
    if (a >= kHangulSBase && a < kHangulSBase + kHangulSCount && (a - kHangulSBase) % kHangulTCount == 0 &&
        b > kHangulTBase && b < kHangulTBase + kHangulTCount)
        return a + (b - kHangulTBase);
    const auto& map = compositions();
    auto it = map.find(pairKey(a, b));
    return it == map.end() ? 0 : it->second;
}

}  // namespace attnscope::unicode
