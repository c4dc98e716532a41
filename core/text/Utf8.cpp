#include "text/Utf8.h"

#include "Error.h"

namespace attnscope::utf8 {

namespace {

// Length of the valid sequence at i, or 0 when it is not valid UTF-8 (overlongs,
// surrogates and code points past U+10FFFF are rejected, as Rust's str does).
std::size_t validLengthAt(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) return 1;
    std::size_t n;
    char32_t min;
    if ((b0 & 0xE0) == 0xC0) { n = 2; min = 0x80; }
    else if ((b0 & 0xF0) == 0xE0) { n = 3; min = 0x800; }
    else if ((b0 & 0xF8) == 0xF0) { n = 4; min = 0x10000; }
    else return 0;
    if (i + n > s.size()) return 0;
    char32_t c = b0 & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        c = (c << 6) | (byte(i + k) & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    return n;
}

// Bytes of the longest prefix of a well-formed sequence at i (Unicode table 3-7): the
// lead byte and the continuation bytes that still fit, at least 1. Only a complete sequence
// reaches validLengthAt's length.
std::size_t maximalSubpartAt(std::string_view s, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) n = 2;
    else if (b0 == 0xE0) { n = 3; lo = 0xA0; }
    else if (b0 >= 0xE1 && b0 <= 0xEF) { n = 3; if (b0 == 0xED) hi = 0x9F; }
    else if (b0 == 0xF0) { n = 4; lo = 0x90; }
    else if (b0 >= 0xF1 && b0 <= 0xF4) { n = 4; if (b0 == 0xF4) hi = 0x8F; }
    else return 1;
    std::size_t k = 1;
    for (; k < n && i + k < s.size(); ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) break;
    }
    return k;
}

}  // namespace

bool isValid(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = validLengthAt(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string lossy(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size();) {
        if (const std::size_t n = validLengthAt(bytes, i)) {
            out.append(bytes.substr(i, n));
            i += n;
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD
            i += maximalSubpartAt(bytes, i);
        }
    }
    return out;
}

void validate(std::string_view s, std::string_view what) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = validLengthAt(s, i);
        if (n == 0) throw Error(std::string(what) + ": invalid UTF-8 at byte " + std::to_string(i));
        i += n;
    }
}

char32_t decodeAt(std::string_view s, std::size_t i, std::size_t& length) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) { length = 1; return b0; }
    if ((b0 & 0xE0) == 0xC0) { length = 2; return ((b0 & 0x1F) << 6) | (byte(i + 1) & 0x3F); }
    if ((b0 & 0xF0) == 0xE0) {
        length = 3;
        return ((b0 & 0x0F) << 12) | ((byte(i + 1) & 0x3F) << 6) | (byte(i + 2) & 0x3F);
    }
    length = 4;
    return ((b0 & 0x07) << 18) | ((byte(i + 1) & 0x3F) << 12) | ((byte(i + 2) & 0x3F) << 6) | (byte(i + 3) & 0x3F);
}

std::u32string decode(std::string_view s, std::string_view what) {
    validate(s, what);
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0, n = 0; i < s.size(); i += n) out.push_back(decodeAt(s, i, n));
    return out;
}

std::size_t encodedLength(char32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }

void append(std::string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

std::string encode(std::u32string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char32_t c : s) append(out, c);
    return out;
}

std::size_t countChars(std::string_view s) {
    std::size_t n = 0;
    for (char ch : s)
        if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace attnscope::utf8
