#pragma once
// GPT-2's byte-level scheme: every byte of the UTF-8 text is shown as a printable char
// (space -> "Ġ"), after splitting with the GPT-2 regex, so BPE never meets an unknown char.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "text/Encoding.h"
#include "text/Pattern.h"
#include "text/PreTokenizers.h"

namespace attnscope {

// byte -> its printable stand-in, UTF-8 encoded.
const std::array<std::string, 256>& byteLevelAlphabet();

// GPT-2's pre-tokenization regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// as a hand-written scanner (std::regex has no \p classes).
class Gpt2SplitPattern : public Pattern {
public:
    std::vector<PatternMatch> findMatches(std::string_view s) const override;
};

class ByteLevelPreTokenizer : public PreTokenizer {
public:
    ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : addPrefixSpace_(addPrefixSpace), useRegex_(useRegex) {}
    void preTokenize(PreTokenizedString& s) const override;

private:
    bool addPrefixSpace_, useRegex_;
};

// Moves token offsets past leading/trailing spaces ("Ġ"), as ByteLevel/RobertaProcessing's
// trim_offsets do (keeping a single leading space the pre-tokenizer added).
void trimByteLevelOffsets(Encoding& encoding, bool addPrefixSpace);

}  // namespace attnscope
