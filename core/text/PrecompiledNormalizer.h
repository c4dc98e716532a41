#pragma once
// tokenizer.json's Precompiled normalizer: the SentencePiece charsmap (nmt_nfkc and the like)
// of T5, ALBERT, XLM-R, DeBERTa-v3 and other SentencePiece checkpoints, applied the way
// tokenizers applies it (cluster by cluster, see normalize()).
#include "text/Normalizers.h"
#include "text/PrecompiledCharsMap.h"

namespace attnscope {

class PrecompiledNormalizer : public Normalizer {
public:
    explicit PrecompiledNormalizer(PrecompiledCharsMap map) : map_(std::move(map)) {}
    void normalize(NormalizedString& s) const override;

private:
    PrecompiledCharsMap map_;
};

}  // namespace attnscope
