#include "text/SentencePieceModelFile.h"

#include <bit>
#include <cstdint>
#include <fstream>
#include <sstream>

#include "Error.h"
#include "text/Utf8.h"

namespace attnscope {

namespace {

// Protocol buffers' wire format, read by hand: the engine links no protobuf library, and a model
// file needs only varints, 32-bit floats and length-delimited submessages.
class WireReader {
public:
    WireReader(std::string_view bytes, std::string where) : bytes_(bytes), where_(std::move(where)) {}

    bool atEnd() const { return pos_ >= bytes_.size(); }

    struct Field {
        std::uint32_t number;
        int wireType;
        std::uint64_t varint = 0;
        std::string_view bytes;  // length-delimited and fixed-size payloads
    };

    Field next() {
        const std::uint64_t key = varint();
        Field f{static_cast<std::uint32_t>(key >> 3), static_cast<int>(key & 7), 0, {}};
        if (f.number == 0) fail("a field numbered 0");
        switch (f.wireType) {
        case 0: f.varint = varint(); break;
        case 1: f.bytes = take(8); break;
        case 2: {
            const std::uint64_t length = varint();
            if (length > bytes_.size() - pos_) fail("a field longer than the file");
            f.bytes = take(static_cast<std::size_t>(length));
            break;
        }
        case 5: f.bytes = take(4); break;
        default: fail("wire type " + std::to_string(f.wireType));
        }
        return f;
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(where_ + ": not a SentencePiece model (" + what + " at byte " + std::to_string(pos_) + ")");
    }

private:
    std::uint64_t varint() {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (atEnd()) fail("a number cut short");
            const auto b = static_cast<unsigned char>(bytes_[pos_++]);
            value |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        fail("a number longer than 10 bytes");
    }
    std::string_view take(std::size_t n) {
        if (n > bytes_.size() - pos_) fail("a field cut short");
        const std::string_view out = bytes_.substr(pos_, n);
        pos_ += n;
        return out;
    }

    std::string_view bytes_;
    std::string where_;
    std::size_t pos_ = 0;
};

float littleEndianFloat(std::string_view b) {
    std::uint32_t bits = 0;
    for (int i = 3; i >= 0; --i) bits = (bits << 8) | static_cast<unsigned char>(b[static_cast<std::size_t>(i)]);
    return std::bit_cast<float>(bits);
}

template <typename F>
void forEachField(std::string_view bytes, const std::string& where, F&& f) {
    WireReader reader(bytes, where);
    while (!reader.atEnd()) f(reader.next(), reader);
}

// ModelProto field numbers (sentencepiece_model.proto).
constexpr std::uint32_t kPieces = 1, kTrainerSpec = 2, kNormalizerSpec = 3;
constexpr std::uint32_t kPieceText = 1, kPieceScore = 2, kPieceType = 3;
constexpr std::uint32_t kModelType = 3, kTreatWhitespaceAsSuffix = 24, kByteFallback = 35;
constexpr std::uint32_t kNormName = 1, kCharsMap = 2, kAddDummyPrefix = 3, kRemoveExtraWhitespaces = 4,
                        kEscapeWhitespaces = 5;

}  // namespace

std::optional<int> SentencePieceModelFile::unknownId() const {
    for (std::size_t i = 0; i < pieces.size(); ++i)
        if (pieces[i].kind == SentencePiece::Kind::Unknown) return static_cast<int>(i);
    return std::nullopt;
}

std::optional<int> SentencePieceModelFile::pieceId(const std::string& piece) const {
    for (std::size_t i = 0; i < pieces.size(); ++i)
        if (pieces[i].piece == piece) return static_cast<int>(i);
    return std::nullopt;
}

SentencePieceModelFile SentencePieceModelFile::parse(const std::string& bytes, const std::string& where) {
    SentencePieceModelFile m;
    forEachField(bytes, where, [&](const WireReader::Field& f, const WireReader& r) {
        if (f.number == kPieces) {
            if (f.wireType != 2) r.fail("a piece that is not a message");
            SentencePiece p;
            forEachField(f.bytes, where, [&](const WireReader::Field& g, const WireReader& r2) {
                if (g.number == kPieceText && g.wireType == 2) p.piece.assign(g.bytes);
                else if (g.number == kPieceScore && g.wireType == 5) p.score = littleEndianFloat(g.bytes);
                else if (g.number == kPieceType && g.wireType == 0) {
                    if (g.varint < 1 || g.varint > 6) r2.fail("piece type " + std::to_string(g.varint));
                    p.kind = static_cast<SentencePiece::Kind>(g.varint);
                }
            });
            if (p.piece.empty()) r.fail("piece " + std::to_string(m.pieces.size()) + " is empty");
            if (!utf8::isValid(p.piece)) r.fail("piece " + std::to_string(m.pieces.size()) + " is not UTF-8");
            m.pieces.push_back(std::move(p));
        } else if (f.number == kTrainerSpec && f.wireType == 2) {
            forEachField(f.bytes, where, [&](const WireReader::Field& g, const WireReader& r2) {
                if (g.wireType != 0) return;
                if (g.number == kModelType) {
                    if (g.varint < 1 || g.varint > 4) r2.fail("model type " + std::to_string(g.varint));
                    m.modelType = static_cast<ModelType>(g.varint);
                } else if (g.number == kTreatWhitespaceAsSuffix) {
                    m.treatWhitespaceAsSuffix = g.varint != 0;
                } else if (g.number == kByteFallback) {
                    m.byteFallback = g.varint != 0;
                }
            });
        } else if (f.number == kNormalizerSpec && f.wireType == 2) {
            forEachField(f.bytes, where, [&](const WireReader::Field& g, const WireReader&) {
                if (g.number == kNormName && g.wireType == 2) m.normalizerName.assign(g.bytes);
                else if (g.number == kCharsMap && g.wireType == 2) m.precompiledCharsMap.assign(g.bytes);
                else if (g.wireType == 0 && g.number == kAddDummyPrefix) m.addDummyPrefix = g.varint != 0;
                else if (g.wireType == 0 && g.number == kRemoveExtraWhitespaces) m.removeExtraWhitespaces = g.varint != 0;
                else if (g.wireType == 0 && g.number == kEscapeWhitespaces) m.escapeWhitespaces = g.varint != 0;
            });
        }
    });
    if (m.pieces.empty()) throw Error(where + ": not a SentencePiece model (no pieces)");
    return m;
}

SentencePieceModelFile SentencePieceModelFile::read(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot open the SentencePiece model");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return parse(buffer.str(), file.string());
}

}  // namespace attnscope
