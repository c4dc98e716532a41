#pragma once
// The tokenizer of OPUS-MT (Marian) folders, which ship SentencePiece models and a vocabulary
// instead of a tokenizer.json: source.spm segments the source, target.spm the target (the text
// a user types for teacher forcing), and vocab.json maps the pieces of both to the model's ids.
// It does what transformers' MarianTokenizer does: a leading language code such as ">>deu<<" is
// one token, special tokens in the text are cut out first, "</s>" ends every sequence, and a
// piece vocab.json lacks takes its SentencePiece id.
#include <filesystem>
#include <memory>

#include "text/PipelineTokenizer.h"

namespace attnscope {

class MarianPieceIds;

class MarianTokenizer : public Tokenizer {
public:
    // True when `dir` holds source.spm and vocab.json, as OPUS-MT folders do.
    static bool isMarianFolder(const std::filesystem::path& dir);
    // Throws attnscope::Error naming the file that is missing or wrong.
    static std::unique_ptr<MarianTokenizer> load(const std::filesystem::path& dir);

    Encoding encode(std::string_view text, std::optional<std::string_view> pair = std::nullopt,
                    bool addSpecialTokens = true) const override;
    Encoding encodeTarget(std::string_view text) const override;
    std::size_t vocabSize() const override { return source_->vocabSize(); }
    std::string idToToken(int id) const override { return source_->idToToken(id); }
    std::optional<int> tokenToId(std::string_view token) const override { return source_->tokenToId(token); }
    bool isSpecial(int id) const override { return source_->isSpecial(id); }
    std::string decode(const std::vector<int>& ids, bool skipSpecialTokens = true) const override {
        return source_->decode(ids, skipSpecialTokens);
    }

private:
    struct Side {
        std::unique_ptr<PipelineTokenizer> pipeline;
        const MarianPieceIds* ids;  // owned by the pipeline
    };
    MarianTokenizer(Side source, Side target) : source_(std::move(source.pipeline)), target_(std::move(target.pipeline)),
                                                sourceIds_(source.ids), targetIds_(target.ids) {}
    static Side loadSide(const std::filesystem::path& spm, Vocab vocab);
    static Encoding withLanguageCode(const PipelineTokenizer& side, const MarianPieceIds& ids, std::string_view text,
                                     std::optional<std::string_view> pair, bool addSpecialTokens);

    std::unique_ptr<PipelineTokenizer> source_, target_;
    const MarianPieceIds* sourceIds_;
    const MarianPieceIds* targetIds_;
};

}  // namespace attnscope
