#include "text/Graphemes.h"

#include <algorithm>
#include <iterator>

#include "text/Unicode.h"
#include "text/Utf8.h"

namespace attnscope::unicode {

namespace {

enum class Break { CR, LF, Control, Extend, SpacingMark, Prepend, Other };

struct Span { char32_t first, last; };

// Other_Grapheme_Extend (PropList.txt) and the emoji modifiers: Extend beyond Mn and Me.
constexpr Span kOtherExtend[] = {
    {0x09BE, 0x09BE}, {0x09D7, 0x09D7}, {0x0B3E, 0x0B3E}, {0x0B57, 0x0B57}, {0x0BBE, 0x0BBE},
    {0x0BD7, 0x0BD7}, {0x0CC2, 0x0CC2}, {0x0CD5, 0x0CD6}, {0x0D3E, 0x0D3E}, {0x0D57, 0x0D57},
    {0x0DCF, 0x0DCF}, {0x0DDF, 0x0DDF}, {0x1B35, 0x1B35}, {0x200C, 0x200D}, {0x302E, 0x302F},
    {0xFF9E, 0xFF9F}, {0x1133E, 0x1133E}, {0x11357, 0x11357}, {0x114B0, 0x114B0},
    {0x114BD, 0x114BD}, {0x115AF, 0x115AF}, {0x11930, 0x11930}, {0x1D165, 0x1D165},
    {0x1D16E, 0x1D172}, {0x1F3FB, 0x1F3FF}, {0xE0020, 0xE007F}};

// Grapheme_Cluster_Break=Prepend (GraphemeBreakProperty.txt).
constexpr Span kPrepend[] = {
    {0x0600, 0x0605}, {0x06DD, 0x06DD}, {0x070F, 0x070F}, {0x0890, 0x0891}, {0x08E2, 0x08E2},
    {0x0D4E, 0x0D4E}, {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x111C2, 0x111C3},
    {0x1193F, 0x1193F}, {0x11941, 0x11941}, {0x11A3A, 0x11A3A}, {0x11A84, 0x11A89},
    {0x11D46, 0x11D46}, {0x11F02, 0x11F02}};

// The two Lo chars that are SpacingMark (Thai and Lao SARA AM).
constexpr Span kLetterSpacingMarks[] = {{0x0E33, 0x0E33}, {0x0EB3, 0x0EB3}};

template <std::size_t N>
bool within(const Span (&spans)[N], char32_t c) {
    return std::any_of(std::begin(spans), std::end(spans), [c](const Span& s) { return c >= s.first && c <= s.last; });
}

Break breakOf(char32_t c) {
    if (c == U'\r') return Break::CR;
    if (c == U'\n') return Break::LF;
    if (within(kOtherExtend, c)) return Break::Extend;
    if (within(kPrepend, c)) return Break::Prepend;
    if (within(kLetterSpacingMarks, c)) return Break::SpacingMark;
    switch (category(c)) {
    case Category::Mn:
    case Category::Me: return Break::Extend;
    case Category::Mc: return Break::SpacingMark;
    case Category::Cc:
    case Category::Cf:
    case Category::Zl:
    case Category::Zp:
    case Category::Cs: return Break::Control;
    default: return Break::Other;
    }
}

bool isControlLike(Break b) { return b == Break::CR || b == Break::LF || b == Break::Control; }

}  // namespace

std::vector<std::size_t> graphemeBoundaries(std::string_view s) {
    std::vector<std::size_t> starts;
    Break previous = Break::Other;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t length = 0;
        const Break current = breakOf(utf8::decodeAt(s, i, length));
        bool joins = false;
        if (i > 0) {
            if (previous == Break::CR && current == Break::LF) joins = true;                 // GB3
            else if (isControlLike(previous) || isControlLike(current)) joins = false;       // GB4, GB5
            else if (current == Break::Extend || current == Break::SpacingMark) joins = true;  // GB9, GB9a
            else if (previous == Break::Prepend) joins = true;                               // GB9b
        }
        if (!joins) starts.push_back(i);
        previous = current;
        i += length;
    }
    starts.push_back(s.size());
    return starts;
}

}  // namespace attnscope::unicode
