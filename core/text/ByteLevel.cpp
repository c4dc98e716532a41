#include "text/ByteLevel.h"

#include <algorithm>

#include "text/Unicode.h"
#include "text/Utf8.h"

namespace attnscope {

namespace {

constexpr char32_t kSpaceStandIn = 0x120;  // "Ġ"

std::array<char32_t, 256> byteToChar() {
    std::array<char32_t, 256> map{};
    std::array<bool, 256> printable{};
    for (int b = '!'; b <= '~'; ++b) printable[b] = true;
    for (int b = 0xA1; b <= 0xAC; ++b) printable[b] = true;
    for (int b = 0xAE; b <= 0xFF; ++b) printable[b] = true;
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) map[b] = printable[b] ? static_cast<char32_t>(b) : next++;
    return map;
}

enum class Kind { Letter, Number, Space, Other };

Kind kindOf(char32_t c) {
    if (unicode::isWhiteSpace(c)) return Kind::Space;
    if (unicode::isLetter(c)) return Kind::Letter;
    if (unicode::isNumber(c)) return Kind::Number;
    return Kind::Other;
}

}  // namespace

const std::array<std::string, 256>& byteLevelAlphabet() {
    static const std::array<std::string, 256> alphabet = [] {
        std::array<std::string, 256> out;
        const auto map = byteToChar();
        for (int b = 0; b < 256; ++b) utf8::append(out[b], map[b]);
        return out;
    }();
    return alphabet;
}

std::vector<PatternMatch> Gpt2SplitPattern::findMatches(std::string_view s) const {
    if (s.empty()) return {{0, 0, false}};
    std::vector<char32_t> cps;
    std::vector<std::size_t> pos;  // byte offset of each char, plus the end
    for (std::size_t i = 0, n = 0; i < s.size(); i += n) {
        cps.push_back(utf8::decodeAt(s, i, n));
        pos.push_back(i);
    }
    pos.push_back(s.size());
    const std::size_t count = cps.size();
    std::vector<Kind> kinds(count);
    for (std::size_t i = 0; i < count; ++i) kinds[i] = kindOf(cps[i]);

    const auto runOf = [&](std::size_t from, Kind k) {
        std::size_t j = from;
        while (j < count && kinds[j] == k) ++j;
        return j;
    };

    std::vector<PatternMatch> out;
    std::size_t i = 0;
    while (i < count) {
        std::size_t end = i;
        const char32_t c = cps[i];
        // 's 't 're 've 'm 'll 'd
        if (c == U'\'' && i + 1 < count) {
            const char32_t a = cps[i + 1];
            const char32_t b = i + 2 < count ? cps[i + 2] : 0;
            if (a == U's' || a == U't' || a == U'm' || a == U'd') end = i + 2;
            else if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) end = i + 3;
        }
        // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+'
        if (end == i) {
            const std::size_t body = (c == U' ' && i + 1 < count && kinds[i + 1] != Kind::Space) ? i + 1 : i;
            if (kinds[body] != Kind::Space) end = runOf(body, kinds[body]);
        }
        // '\s+(?!\S)' leaves the last space of a run before a non-space; '\s+' takes the rest.
        if (end == i) {
            const std::size_t runEnd = runOf(i, Kind::Space);
            end = (runEnd == count || runEnd - i < 2) ? runEnd : runEnd - 1;
        }
        out.push_back({pos[i], pos[end], true});
        i = end;
    }
    return out;
}

void ByteLevelPreTokenizer::preTokenize(PreTokenizedString& s) const {
    static const Gpt2SplitPattern pattern;
    s.splitPieces([&](std::size_t, NormalizedString&& n) {
        if (addPrefixSpace_ && n.get().rfind(' ', 0) != 0) n.prepend(" ");
        if (useRegex_) return n.split(pattern, SplitBehavior::Isolated);
        std::vector<NormalizedString> out;
        out.push_back(std::move(n));
        return out;
    });
    static const std::array<char32_t, 256> map = byteToChar();
    s.normalize([](NormalizedString& n) {
        std::vector<CharChange> dest;
        const std::string& text = n.get();
        dest.reserve(text.size());
        for (std::size_t i = 0, len = 0; i < text.size(); i += len) {
            utf8::decodeAt(text, i, len);
            for (std::size_t k = 0; k < len; ++k)
                dest.push_back({map[static_cast<unsigned char>(text[i + k])], k == 0 ? 0 : 1});
        }
        n.transform(dest, 0);
    });
}

void trimByteLevelOffsets(Encoding& encoding, bool addPrefixSpace) {
    for (std::size_t i = 0; i < encoding.size(); ++i) {
        const std::u32string token = utf8::decode(encoding.tokens[i]);
        const auto isSpace = [](char32_t c) { return c == kSpaceStandIn || unicode::isWhiteSpace(c); };
        int leading = 0, trailing = 0;
        while (leading < static_cast<int>(token.size()) && isSpace(token[leading])) ++leading;
        while (trailing < static_cast<int>(token.size()) && isSpace(token[token.size() - 1 - trailing])) ++trailing;
        auto& [begin, end] = encoding.offsets[i];
        if (leading > 0) {
            const bool isFirst = i == 0 || begin == 0;
            if (isFirst && addPrefixSpace && leading == 1) leading = 0;
            begin = std::min(begin + leading, end);
        }
        if (trailing > 0 && end >= trailing) end = std::max(end - trailing, begin);
    }
}

}  // namespace attnscope
