#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/Encoding.h"

namespace attnscope {

// A tokenizer pipeline (normalizer, pre-tokenizer, model, post-processor, added tokens)
// built from a Hugging Face tokenizer.json, or from legacy vocab files.
class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Reads a tokenizer.json. Throws attnscope::Error naming the file and field on bad input.
    static std::unique_ptr<Tokenizer> fromTokenizerJson(const std::filesystem::path& file);

    // Finds the tokenizer of a model folder: tokenizer.json, else Marian's source.spm and
    // target.spm with vocab.json, else vocab.txt (WordPiece), else vocab.json + merges.txt
    // (GPT-2 byte-level BPE; RoBERTa processing when the folder's config/tokenizer_config says
    // roberta). Returns nullptr when the folder has none; throws attnscope::Error for a folder
    // with only a SentencePiece model (spiece.model, spm.model, ...), which needs its tokenizer.json.
    static std::unique_ptr<Tokenizer> fromModelFolder(const std::filesystem::path& dir);

    // Encodes UTF-8 text (and an optional pair). Throws attnscope::Error on invalid UTF-8.
    virtual Encoding encode(std::string_view text, std::optional<std::string_view> pair = std::nullopt,
                            bool addSpecialTokens = true) const = 0;

    // Encodes a translation's target (transformers' text_target): the same as encode() except
    // for tokenizers with a separate target model, as Marian's target.spm.
    virtual Encoding encodeTarget(std::string_view text) const { return encode(text); }

    virtual std::size_t vocabSize() const = 0;                    // including added tokens
    virtual std::string idToToken(int id) const = 0;              // empty when unknown
    virtual std::optional<int> tokenToId(std::string_view token) const = 0;
    virtual bool isSpecial(int id) const = 0;                     // an added token marked special
    // Ids back to text through the tokenizer's decoder (skipping special tokens unless asked
    // not to). Throws attnscope::Error when the tokenizer.json's decoder is one AttnScope lacks.
    virtual std::string decode(const std::vector<int>& ids, bool skipSpecialTokens = true) const = 0;

    // The mask token of a masked language model: BERT's [MASK] or RoBERTa's <mask>.
    static bool isMaskToken(std::string_view token);
    // Its id in this vocabulary; none for a vocabulary without one.
    std::optional<int> maskTokenId() const;
};

}  // namespace attnscope
