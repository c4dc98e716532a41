#pragma once
// A SentencePiece model file (spiece.model, spm.model, Marian's source.spm / target.spm): the
// ModelProto that Google's library writes, read for what tokenizing needs: the pieces with their
// scores and kinds, the model type, byte fallback and the normalizer spec.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace attnscope {

struct SentencePiece {
    // ModelProto.SentencePiece.Type
    enum class Kind { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };
    std::string piece;
    float score = 0;
    Kind kind = Kind::Normal;
};

struct SentencePieceModelFile {
    enum class ModelType { Unigram = 1, Bpe = 2, Word = 3, Char = 4 };

    std::vector<SentencePiece> pieces;
    ModelType modelType = ModelType::Unigram;
    bool byteFallback = false;
    bool treatWhitespaceAsSuffix = false;
    // NormalizerSpec
    std::string normalizerName;
    std::string precompiledCharsMap;  // empty: no rules (the identity)
    bool addDummyPrefix = true;
    bool removeExtraWhitespaces = true;
    bool escapeWhitespaces = true;

    std::optional<int> unknownId() const;           // the piece of kind Unknown
    std::optional<int> pieceId(const std::string& piece) const;

    // Throws attnscope::Error naming the file when it is missing or not a SentencePiece model.
    static SentencePieceModelFile read(const std::filesystem::path& file);
    static SentencePieceModelFile parse(const std::string& bytes, const std::string& where);
};

}  // namespace attnscope
