#pragma once
// The Tokenizer made of parts: added tokens, normalizer, pre-tokenizer, model, post-processor,
// run in the order of tokenizers' TokenizerImpl::encode.
#include <memory>
#include <vector>

#include "text/AddedVocabulary.h"
#include "text/Decoders.h"
#include "text/Model.h"
#include "text/Normalizers.h"
#include "text/PostProcessors.h"
#include "text/PreTokenizers.h"
#include "text/Tokenizer.h"

namespace attnscope {

struct TokenizerParts {
    std::unique_ptr<Normalizer> normalizer;        // may be null
    std::unique_ptr<PreTokenizer> preTokenizer;    // may be null
    std::unique_ptr<Model> model;
    std::unique_ptr<PostProcessor> postProcessor;  // may be null
    std::vector<AddedToken> addedTokens;
    std::unique_ptr<Decoder> decoder;              // null: tokens joined with spaces
    std::string unsupportedDecoder;                // set: decode() says it cannot
};

class PipelineTokenizer : public Tokenizer {
public:
    explicit PipelineTokenizer(TokenizerParts parts);

    Encoding encode(std::string_view text, std::optional<std::string_view> pair = std::nullopt,
                    bool addSpecialTokens = true) const override;
    std::size_t vocabSize() const override;
    std::string idToToken(int id) const override;
    std::optional<int> tokenToId(std::string_view token) const override;
    bool isSpecial(int id) const override;
    std::string decode(const std::vector<int>& ids, bool skipSpecialTokens = true) const override;

private:
    Encoding encodeOne(std::string_view text, int typeId, int sequenceId) const;

    TokenizerParts parts_;
    AddedVocabulary added_;
};

}  // namespace attnscope
