#pragma once
// Decoders: tokens back to text, as tokenizer.json's "decoder" says (tokenizers'
// decode_chain, then concatenation). Used for generated text.
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

class Decoder {
public:
    virtual ~Decoder() = default;
    // One step of the chain: tokens in, tokens out (some decoders fuse them into one).
    virtual std::vector<std::string> decodeChain(std::vector<std::string> tokens) const = 0;
};

// GPT-2's byte-level: each char of the tokens is a byte's stand-in; the bytes of all tokens
// are read as UTF-8 together, each ill-formed part becoming one U+FFFD.
class ByteLevelDecoder : public Decoder {
public:
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override;
};

// WordPiece: continuation pieces lose their prefix, other tokens get a space before them;
// cleanup removes the spaces tokenization put before punctuation and contractions.
class WordPieceDecoder : public Decoder {
public:
    WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override;

private:
    std::string prefix_;
    bool cleanup_;
};

// SentencePiece's metaspace: the replacement char becomes a space, except in the first token,
// where it is dropped (unless the pre-tokenizer never prepends one).
class MetaspaceDecoder : public Decoder {
public:
    MetaspaceDecoder(std::string replacement, bool prependsSpace) : replacement_(std::move(replacement)), prepends_(prependsSpace) {}
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override;

private:
    std::string replacement_;
    bool prepends_;
};

class ReplaceDecoder : public Decoder {
public:
    ReplaceDecoder(std::string pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override;

private:
    std::string pattern_, content_;
};

// <0xNN> tokens back to their bytes; a run that is not valid UTF-8 becomes one U+FFFD per byte.
class ByteFallbackDecoder : public Decoder {
public:
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override;
};

class FuseDecoder : public Decoder {
public:
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override;
};

// Removes up to `start` leading and `stop` trailing copies of one char from every token.
class StripDecoder : public Decoder {
public:
    StripDecoder(std::string content, int start, int stop) : content_(std::move(content)), start_(start), stop_(stop) {}
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override;

private:
    std::string content_;
    int start_, stop_;
};

class SequenceDecoder : public Decoder {
public:
    explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> steps) : steps_(std::move(steps)) {}
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override;

private:
    std::vector<std::unique_ptr<Decoder>> steps_;
};

}  // namespace attnscope
