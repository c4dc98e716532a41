#include "text/PrecompiledCharsMap.h"


#include "Error.h"

namespace attnscope {

namespace {

// darts-clone's DoubleArrayUnit: bit 8 says the node has a leaf, bits 0..7 (with bit 31) are
// its label, bits 10.. its offset (shifted left by 8 more when bit 9 is set); a leaf unit's
// low 31 bits are its value.
bool hasLeaf(std::uint32_t unit) { return ((unit >> 8) & 1U) != 0; }
std::uint32_t value(std::uint32_t unit) { return unit & ((1U << 31) - 1); }
std::uint32_t label(std::uint32_t unit) { return unit & ((1U << 31) | 0xFFU); }
std::uint32_t offset(std::uint32_t unit) { return (unit >> 10) << ((unit & (1U << 9)) >> 6); }

}  // namespace

PrecompiledCharsMap::PrecompiledCharsMap(std::string_view bytes, const std::string& where) : where_(where) {
    if (bytes.size() < 4) throw Error(where + ": the precompiled charsmap is too short (" + std::to_string(bytes.size()) + " bytes)");
    std::uint32_t trieBytes = 0;
    for (int i = 3; i >= 0; --i) trieBytes = (trieBytes << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
    if (trieBytes % 4 != 0 || trieBytes > bytes.size() - 4)
        throw Error(where + ": the precompiled charsmap's trie size (" + std::to_string(trieBytes) +
                    " bytes) does not fit its " + std::to_string(bytes.size()) + " bytes");
    units_.resize(trieBytes / 4);
    for (std::size_t i = 0; i < units_.size(); ++i) {
        std::uint32_t u = 0;
        for (int b = 3; b >= 0; --b) u = (u << 8) | static_cast<unsigned char>(bytes[4 + i * 4 + static_cast<std::size_t>(b)]);
        units_[i] = u;
    }
    replacements_.assign(bytes.substr(4 + trieBytes));
}

std::vector<PrecompiledCharsMap::Match> PrecompiledCharsMap::prefixMatches(std::string_view input) const {
    std::vector<Match> matches;
    if (units_.empty()) return matches;
    auto unitAt = [this](std::size_t pos) {
        if (pos >= units_.size()) throw Error(where_ + ": the precompiled charsmap is corrupt (a trie node outside it)");
        return units_[pos];
    };
    std::size_t node = offset(units_[0]);
    for (std::size_t i = 0; i < input.size(); ++i) {
        const auto c = static_cast<unsigned char>(input[i]);
        if (c == 0) break;
        node ^= c;
        const std::uint32_t unit = unitAt(node);
        if (label(unit) != c) break;
        node ^= offset(unit);
        if (!hasLeaf(unit)) continue;
        const std::size_t start = value(unitAt(node));
        if (start >= replacements_.size())
            throw Error(where_ + ": the precompiled charsmap is corrupt (a replacement outside it)");
        const std::size_t end = replacements_.find('\0', start);
        matches.push_back({i + 1, std::string_view(replacements_).substr(start, (end == std::string::npos ? replacements_.size() : end) - start)});
    }
    return matches;
}

// The standard library has no base64 and the engine links nothing else that does.
std::string decodeBase64(std::string_view text, const std::string& where) {
    auto sextet = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const int v = sextet(text[i]);
        if (v < 0) throw Error(where + ": not base64 (character " + std::to_string(i) + ")");
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFFU));
        }
    }
    if (bits >= 6) throw Error(where + ": not base64 (its length)");
    return out;
}

}  // namespace attnscope
