#pragma once
// Where user-perceived characters (Unicode extended grapheme clusters, UAX #29) start, as far
// as tokenizers' Precompiled normalizer needs them: it rewrites a cluster shorter than six
// bytes as one key and anything longer char by char.
#include <cstddef>
#include <string_view>
#include <vector>

namespace attnscope::unicode {

// Byte offsets of each cluster's start in valid UTF-8, plus s.size() at the end. Implements the
// rules GB3-GB5 (CR LF and controls), GB9 (Extend, ZWJ), GB9a (SpacingMark) and GB9b (Prepend).
// The rules for Hangul syllables, regional indicators, emoji ZWJ sequences and Indic conjuncts
// (GB6-GB8, GB9c, GB11-GB13) only join chars of three or more bytes each, so the clusters they
// form reach six bytes and are rewritten char by char either way; they are left out.
std::vector<std::size_t> graphemeBoundaries(std::string_view s);

}  // namespace attnscope::unicode
