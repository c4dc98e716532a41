#pragma once
// The pre-tokenizers of tokenizer.json ("pre_tokenizer"): they cut the normalized text into
// pieces the model then tokenizes one by one.
#include <memory>
#include <string>
#include <vector>

#include "text/NormalizedString.h"
#include "text/PreTokenizedString.h"

namespace attnscope {

class Pattern;

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    virtual void preTokenize(PreTokenizedString& s) const = 0;
};

// Splits on whitespace (dropped) and isolates each punctuation char.
class BertPreTokenizer : public PreTokenizer {
public:
    void preTokenize(PreTokenizedString& s) const override;
};

// Runs of \w and runs of other non-space chars, as the regex \w+|[^\w\s]+ does.
class WhitespacePreTokenizer : public PreTokenizer {
public:
    void preTokenize(PreTokenizedString& s) const override;
};

class WhitespaceSplitPreTokenizer : public PreTokenizer {
public:
    void preTokenize(PreTokenizedString& s) const override;
};

class PunctuationPreTokenizer : public PreTokenizer {
public:
    explicit PunctuationPreTokenizer(SplitBehavior behavior) : behavior_(behavior) {}
    void preTokenize(PreTokenizedString& s) const override;

private:
    SplitBehavior behavior_;
};

class DigitsPreTokenizer : public PreTokenizer {
public:
    explicit DigitsPreTokenizer(bool individualDigits) : individual_(individualDigits) {}
    void preTokenize(PreTokenizedString& s) const override;

private:
    bool individual_;
};

class CharDelimiterSplitPreTokenizer : public PreTokenizer {
public:
    explicit CharDelimiterSplitPreTokenizer(char32_t delimiter) : delimiter_(delimiter) {}
    void preTokenize(PreTokenizedString& s) const override;

private:
    char32_t delimiter_;
};

// SentencePiece-style: spaces become the replacement char (U+2581), which starts each piece.
class MetaspacePreTokenizer : public PreTokenizer {
public:
    enum class PrependScheme { Always, First, Never };
    MetaspacePreTokenizer(std::string replacement, PrependScheme scheme, bool split)
        : replacement_(std::move(replacement)), scheme_(scheme), split_(split) {}
    void preTokenize(PreTokenizedString& s) const override;

private:
    std::string replacement_;
    PrependScheme scheme_;
    bool split_;
};

class SplitPreTokenizer : public PreTokenizer {
public:
    SplitPreTokenizer(std::shared_ptr<const Pattern> pattern, SplitBehavior behavior)
        : pattern_(std::move(pattern)), behavior_(behavior) {}
    void preTokenize(PreTokenizedString& s) const override;

private:
    std::shared_ptr<const Pattern> pattern_;
    SplitBehavior behavior_;
};

class SequencePreTokenizer : public PreTokenizer {
public:
    explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
    void preTokenize(PreTokenizedString& s) const override;

private:
    std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

}  // namespace attnscope
