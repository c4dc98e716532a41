#pragma once
// Byte-pair encoding: a pre-token starts as chars (or <0xXX> byte tokens) and the ranked
// merges are applied, lowest rank first.
#include <cstdint>
#include <unordered_map>

#include "text/Model.h"

namespace attnscope {

struct BpeOptions {
    std::optional<std::string> unkToken;
    std::optional<std::string> continuingSubwordPrefix;
    std::optional<std::string> endOfWordSuffix;
    bool fuseUnk = false;
    bool byteFallback = false;
    bool ignoreMerges = false;
};

class BpeModel : public Model {
public:
    // Throws attnscope::Error when a merge names a token missing from the vocabulary.
    BpeModel(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options);
    std::vector<Token> tokenize(std::string_view sequence) const override;
    std::optional<int> tokenToId(std::string_view token) const override;
    std::optional<std::string> idToToken(int id) const override;
    std::size_t vocabSize() const override { return vocab_.size(); }

    struct Merge { std::uint32_t rank; int newId; };

private:
    struct Symbol { int id; long prev, next; std::size_t length; };
    std::vector<Symbol> initialSymbols(std::string_view word) const;
    void mergeAll(std::vector<Symbol>& symbols) const;
    const Merge* findMerge(int left, int right) const;

    Vocab vocab_;
    ReverseVocab reverse_;
    std::unordered_map<std::uint64_t, Merge> merges_;
    BpeOptions options_;
};

}  // namespace attnscope
