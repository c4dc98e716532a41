#pragma once
// Unicode character properties as Hugging Face tokenizers (Rust std, the regex/onig crates and
// unicode_categories) see them, backed by the generated tables of UnicodeTables.cpp.
#include <cstdint>
#include <string>

namespace attnscope::unicode {

enum class Category : std::uint8_t {
    Lu, Ll, Lt, Lm, Lo, Mn, Mc, Me, Nd, Nl, No, Pc, Pd, Ps, Pe, Pi, Pf, Po,
    Sm, Sc, Sk, So, Zs, Zl, Zp, Cc, Cf, Cs, Co, Cn
};

Category category(char32_t c);

bool isWhiteSpace(char32_t c);    // White_Space: Rust char::is_whitespace, regex \s
bool isLetter(char32_t c);        // \p{L}
bool isNumber(char32_t c);        // \p{N}
bool isPunctuation(char32_t c);   // \p{P}
bool isMark(char32_t c);          // \p{M}
bool isNonspacingMark(char32_t c);  // Mn
// unicode_categories' is_other(): Cc, Cf or Co (what BertNormalizer's clean_text drops).
bool isControlFormatOrPrivate(char32_t c);
bool isWordChar(char32_t c);      // regex \w: alphabetic, marks, decimal digits, connectors, joiners
bool isChineseChar(char32_t c);   // the CJK blocks BertNormalizer pads with spaces

// Appends the full lowercase mapping of c (Rust char::to_lowercase).
void appendLowercase(char32_t c, std::u32string& out);

std::uint8_t combiningClass(char32_t c);

// Appends the full canonical (or compatibility) decomposition of c and returns true,
// or returns false (appending nothing) when c does not decompose. Covers Hangul.
bool appendDecomposition(char32_t c, bool compatibility, std::u32string& out);

// The primary composite of a + b, or 0 when they do not compose. Covers Hangul.
char32_t composePair(char32_t a, char32_t b);

}  // namespace attnscope::unicode
