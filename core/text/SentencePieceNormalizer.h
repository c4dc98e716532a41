#pragma once
// SentencePiece's own normalizer (normalizer.cc), as the library runs it on a model file's
// NormalizerSpec: at each byte the longest compiled rule (or user-defined symbol, kept as
// typed), leading, trailing and repeated spaces dropped, a dummy "▁" in front, spaces as "▁".
// (tokenizer.json files approximate this with a Precompiled normalizer and a Metaspace
// pre-tokenizer; Marian's tokenizer runs the library itself, so AttnScope does too.)
#include <optional>
#include <string>
#include <vector>

#include "text/Normalizers.h"
#include "text/PrecompiledCharsMap.h"

namespace attnscope {

struct SentencePieceModelFile;

class SentencePieceNormalizer : public Normalizer {
public:
    // Throws attnscope::Error naming `where` when the model's charsmap is corrupt.
    SentencePieceNormalizer(const SentencePieceModelFile& model, const std::string& where);
    void normalize(NormalizedString& s) const override;

private:
    // Bytes of `input` the next rule consumes and what it writes.
    std::pair<std::size_t, std::string_view> normalizePrefix(std::string_view input) const;

    std::optional<PrecompiledCharsMap> map_;
    std::vector<std::string> userDefined_;
    bool addDummyPrefix_, removeExtraWhitespaces_, escapeWhitespaces_, whitespaceAsSuffix_;
};

}  // namespace attnscope
