#pragma once
// UTF-8 helpers. Tokenizers work on UTF-8 bytes, like the Rust crate, so offsets can be
// tracked exactly; these convert to and from code points.
#include <cstddef>
#include <string>
#include <string_view>

namespace attnscope::utf8 {

// Throws attnscope::Error("<what>: invalid UTF-8 at byte N") unless s is valid UTF-8.
void validate(std::string_view s, std::string_view what);

bool isValid(std::string_view s);

// Bytes to text as Rust's String::from_utf8_lossy makes it (what tokenizers' decoders use):
// each maximal subpart of an ill-formed sequence becomes one U+FFFD, so the truncated
// emoji F0 9F 99 is one replacement char, while a lone continuation byte is one of its own.
std::string lossy(std::string_view bytes);

// Decodes the (valid) code point starting at byte i, and stores its byte length.
char32_t decodeAt(std::string_view s, std::size_t i, std::size_t& length);

// Decodes valid UTF-8; invalid input throws as validate() does.
std::u32string decode(std::string_view s, std::string_view what = "text");

std::size_t encodedLength(char32_t c);
void append(std::string& out, char32_t c);
std::string encode(std::u32string_view s);

std::size_t countChars(std::string_view s);
inline bool isCharBoundary(std::string_view s, std::size_t i) {
    return i == 0 || i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
}

}  // namespace attnscope::utf8
