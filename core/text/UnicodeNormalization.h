#pragma once
// NFD/NFC/NFKD/NFKC that also report, per output char, how it relates to the input
// (the `change` protocol of NormalizedString::transform), the way the Rust crate
// unicode-normalization-alignments does, so offsets survive normalization.
#include <string>
#include <vector>

#include "text/NormalizedString.h"

namespace attnscope::unicode {

enum class NormalizationForm { NFD, NFC, NFKD, NFKC };

std::vector<CharChange> normalizeWithChanges(const std::u32string& text, NormalizationForm form);

}  // namespace attnscope::unicode
