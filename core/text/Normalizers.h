#pragma once
// The normalizers of tokenizer.json ("normalizer"), each editing a NormalizedString in place.
#include <memory>
#include <string>
#include <vector>

#include "text/NormalizedString.h"
#include "text/UnicodeNormalization.h"

namespace attnscope {

class Pattern;

class Normalizer {
public:
    virtual ~Normalizer() = default;
    virtual void normalize(NormalizedString& s) const = 0;
};

// BERT's cleanup: drop controls, unify whitespace, pad CJK chars, strip accents, lowercase.
class BertNormalizer : public Normalizer {
public:
    BertNormalizer(bool cleanText, bool handleChineseChars, bool stripAccents, bool lowercase)
        : cleanText_(cleanText), handleChineseChars_(handleChineseChars), stripAccents_(stripAccents),
          lowercase_(lowercase) {}
    void normalize(NormalizedString& s) const override;

private:
    bool cleanText_, handleChineseChars_, stripAccents_, lowercase_;
};

class SequenceNormalizer : public Normalizer {
public:
    explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> steps) : steps_(std::move(steps)) {}
    void normalize(NormalizedString& s) const override;

private:
    std::vector<std::unique_ptr<Normalizer>> steps_;
};

class UnicodeNormalizer : public Normalizer {  // NFD, NFC, NFKD, NFKC
public:
    explicit UnicodeNormalizer(unicode::NormalizationForm form) : form_(form) {}
    void normalize(NormalizedString& s) const override;

private:
    unicode::NormalizationForm form_;
};

class LowercaseNormalizer : public Normalizer {
public:
    void normalize(NormalizedString& s) const override { s.lowercase(); }
};

class StripAccentsNormalizer : public Normalizer {  // removes nonspacing marks (after an NFD)
public:
    void normalize(NormalizedString& s) const override;
};

class StripNormalizer : public Normalizer {
public:
    StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
    void normalize(NormalizedString& s) const override { s.strip(left_, right_); }

private:
    bool left_, right_;
};

class PrependNormalizer : public Normalizer {
public:
    explicit PrependNormalizer(std::string prefix) : prefix_(std::move(prefix)) {}
    void normalize(NormalizedString& s) const override;

private:
    std::string prefix_;
};

class AppendNormalizer : public Normalizer {
public:
    explicit AppendNormalizer(std::string suffix) : suffix_(std::move(suffix)) {}
    void normalize(NormalizedString& s) const override;

private:
    std::string suffix_;
};

class ReplaceNormalizer : public Normalizer {
public:
    ReplaceNormalizer(std::shared_ptr<const Pattern> pattern, std::string content)
        : pattern_(std::move(pattern)), content_(std::move(content)) {}
    void normalize(NormalizedString& s) const override;

private:
    std::shared_ptr<const Pattern> pattern_;
    std::string content_;
};

}  // namespace attnscope
