#pragma once
// The post-processors of tokenizer.json ("post_processor"): they add the special tokens
// ([CLS] ... [SEP], <s> ... </s>), set token type ids and may trim byte-level offsets.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "text/Encoding.h"

namespace attnscope {

class PostProcessor {
public:
    virtual ~PostProcessor() = default;
    // One encoding per input sequence (one, or two for a pair), processed in place.
    virtual std::vector<Encoding> processEncodings(std::vector<Encoding> encodings, bool addSpecialTokens) const = 0;
};

// Concatenates the encodings of a text pair into one.
Encoding mergeEncodings(std::vector<Encoding> encodings);

// Appends `count` special tokens (offsets (0,0), sequence id -1, marked special).
void appendSpecial(Encoding& out, const std::vector<int>& ids, const std::vector<std::string>& tokens, int typeId);

class TemplateProcessing : public PostProcessor {
public:
    struct Piece {
        bool isSequence = false;
        int sequence = 0;        // 0 = A, 1 = B, for sequence pieces
        std::string specialId;   // for special-token pieces
        int typeId = 0;
    };
    struct SpecialToken {
        std::vector<int> ids;
        std::vector<std::string> tokens;
    };
    TemplateProcessing(std::vector<Piece> single, std::vector<Piece> pair, std::map<std::string, SpecialToken> specials)
        : single_(std::move(single)), pair_(std::move(pair)), specials_(std::move(specials)) {}
    std::vector<Encoding> processEncodings(std::vector<Encoding> encodings, bool addSpecialTokens) const override;

private:
    std::vector<Piece> single_, pair_;
    std::map<std::string, SpecialToken> specials_;
};

class BertProcessing : public PostProcessor {
public:
    BertProcessing(std::pair<std::string, int> sep, std::pair<std::string, int> cls)
        : sep_(std::move(sep)), cls_(std::move(cls)) {}
    std::vector<Encoding> processEncodings(std::vector<Encoding> encodings, bool addSpecialTokens) const override;

private:
    std::pair<std::string, int> sep_, cls_;
};

class RobertaProcessing : public PostProcessor {
public:
    RobertaProcessing(std::pair<std::string, int> sep, std::pair<std::string, int> cls, bool trimOffsets,
                      bool addPrefixSpace)
        : sep_(std::move(sep)), cls_(std::move(cls)), trimOffsets_(trimOffsets), addPrefixSpace_(addPrefixSpace) {}
    std::vector<Encoding> processEncodings(std::vector<Encoding> encodings, bool addSpecialTokens) const override;

private:
    std::pair<std::string, int> sep_, cls_;
    bool trimOffsets_, addPrefixSpace_;
};

class ByteLevelProcessing : public PostProcessor {
public:
    ByteLevelProcessing(bool trimOffsets, bool addPrefixSpace) : trimOffsets_(trimOffsets), addPrefixSpace_(addPrefixSpace) {}
    std::vector<Encoding> processEncodings(std::vector<Encoding> encodings, bool addSpecialTokens) const override;

private:
    bool trimOffsets_, addPrefixSpace_;
};

class SequenceProcessing : public PostProcessor {
public:
    explicit SequenceProcessing(std::vector<std::unique_ptr<PostProcessor>> steps) : steps_(std::move(steps)) {}
    std::vector<Encoding> processEncodings(std::vector<Encoding> encodings, bool addSpecialTokens) const override;

private:
    std::vector<std::unique_ptr<PostProcessor>> steps_;
};

}  // namespace attnscope
