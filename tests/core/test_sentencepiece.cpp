// SentencePiece as real checkpoints ship it (issue #18): the Precompiled normalizer of T5,
// ALBERT, XLM-R and DeBERTa-v3 tokenizer.json files, SentencePiece model files read and
// segmented as Google's library does, and OPUS-MT (Marian) folders, which have no tokenizer.json.
// The references in tests/fixtures/sentencepiece/ come from the libraries themselves
// (tools/make_sentencepiece_fixtures.py): spm_encode from Debian's sentencepiece package and
// tokenizers 0.23.2 (Hugging Face's Rust library, npm build).
#include <QtTest>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "Error.h"
#include "GoldenFixtures.h"
#include "text/Graphemes.h"
#include "text/MarianTokenizer.h"
#include "text/PipelineTokenizer.h"
#include "text/PrecompiledCharsMap.h"
#include "text/SentencePieceModelFile.h"
#include "text/SentencePiecePipeline.h"
#include "text/TokenizerJsonLoader.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::path(ATTNSCOPE_FIXTURES_DIR) / "sentencepiece";

const nlohmann::json& reference() {
    static const nlohmann::json r = readJsonFile(kDir / "reference.json");
    return r;
}

fs::path modelFile(const std::string& name) {
    return name == "nmt_nfkc" ? kDir / "marian" / "source.spm" : kDir / (name + ".model");
}

// The library's SentencePieceProcessor::Encode: no added tokens, no post-processor.
std::unique_ptr<PipelineTokenizer> processor(const fs::path& file) {
    SentencePieceParts sp = sentencePieceParts(SentencePieceModelFile::read(file), file.string());
    TokenizerParts parts;
    parts.normalizer = std::move(sp.normalizer);
    parts.model = std::move(sp.model);
    return std::make_unique<PipelineTokenizer>(std::move(parts));
}

std::string show(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += "[" + x + "]";
    return s;
}

template <typename F>
std::string errorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

// A protobuf field: key varint then payload.
std::string varint(std::uint64_t v) {
    std::string out;
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
    return out;
}
std::string bytesField(int number, const std::string& payload) { return varint(std::uint64_t(number) << 3 | 2) + varint(payload.size()) + payload; }
std::string varintField(int number, std::uint64_t v) { return varint(std::uint64_t(number) << 3) + varint(v); }
std::string piece(const std::string& text, int kind) { return bytesField(1, bytesField(1, text) + varintField(3, std::uint64_t(kind))); }

std::vector<std::size_t> bounds(const std::string& s) { return unicode::graphemeBoundaries(s); }

}  // namespace

class SentencePieceTest : public QObject {
    Q_OBJECT
private slots:
    void modelFilesSegmentAsTheLibrary_data();
    void modelFilesSegmentAsTheLibrary();
    void modelFileReadsItsSpecs();
    void precompiledNormalizerIsTokenizers();
    void marianFolderEncodesAsMarianTokenizer();
    void marianRefusesWhatItCannotRead();
    void graphemeClustersJoinMarksAndCrLf();
    void brokenInputIsAClearError();
};

void SentencePieceTest::modelFilesSegmentAsTheLibrary_data() {
    QTest::addColumn<QString>("model");
    for (const auto& [name, rows] : reference().at("models").items()) QTest::newRow(name.c_str()) << QString::fromStdString(name);
}

// Pieces and ids of every case equal spm_encode's, for nmt_nfkc normalization, the identity
// rule with byte fallback and user-defined symbols, and raw spaces (no dummy prefix, no
// whitespace cleanup).
void SentencePieceTest::modelFilesSegmentAsTheLibrary() {
    QFETCH(QString, model);
    const auto tok = processor(modelFile(model.toStdString()));
    int checked = 0;
    for (const auto& row : reference().at("models").at(model.toStdString())) {
        const std::string text = row.at("text");
        const Encoding enc = tok->encode(text, std::nullopt, false);
        const auto pieces = row.at("pieces").get<std::vector<std::string>>();
        QVERIFY2(enc.tokens == pieces, (text + "\n  got  " + show(enc.tokens) + "\n  want " + show(pieces)).c_str());
        QVERIFY2(enc.ids == row.at("ids").get<std::vector<int>>(), text.c_str());
        ++checked;
    }
    QVERIFY(checked >= 15);
}

void SentencePieceTest::modelFileReadsItsSpecs() {
    const SentencePieceModelFile raw = SentencePieceModelFile::read(modelFile("identity_raw_spaces"));
    QVERIFY(!raw.addDummyPrefix);
    QVERIFY(!raw.removeExtraWhitespaces);
    QVERIFY(raw.escapeWhitespaces);
    QCOMPARE(raw.normalizerName, std::string("identity"));
    QVERIFY(raw.precompiledCharsMap.empty());
    const SentencePieceModelFile nfkc = SentencePieceModelFile::read(modelFile("nmt_nfkc"));
    QCOMPARE(nfkc.normalizerName, std::string("nmt_nfkc"));
    QVERIFY(nfkc.precompiledCharsMap.size() > 100000);
    QVERIFY(nfkc.addDummyPrefix && nfkc.removeExtraWhitespaces && !nfkc.byteFallback);
    QCOMPARE(nfkc.unknownId(), std::optional<int>(0));
    QCOMPARE(nfkc.pieces.at(1).piece, std::string("<s>"));
    QCOMPARE(nfkc.pieces.at(1).kind, SentencePiece::Kind::Control);
    QVERIFY(nfkc.pieces.at(5).score < 0);
    const SentencePieceModelFile bytes = SentencePieceModelFile::read(modelFile("identity_byte_fallback"));
    QVERIFY(bytes.byteFallback);
    QCOMPARE(bytes.pieces.at(*bytes.pieceId("<0x41>")).kind, SentencePiece::Kind::Byte);
    QCOMPARE(bytes.pieces.at(*bytes.pieceId("[MASK]")).kind, SentencePiece::Kind::UserDefined);
}

// A tokenizer.json laid out as transformers' T5 converter writes it, with a real nmt_nfkc
// charsmap: ids, tokens, offsets and decoded text equal tokenizers'. The cases include its
// cluster quirk: "a" + grave + acute is one cluster under six bytes, so the shortest rule
// ("a" + grave -> "à") replaces all of it and the acute is gone (SentencePiece keeps it).
void SentencePieceTest::precompiledNormalizerIsTokenizers() {
    const auto tok = Tokenizer::fromTokenizerJson(kDir / "precompiled_tokenizer.json");
    int checked = 0;
    bool sawQuirk = false;
    for (const auto& row : reference().at("tokenizer_json").at("precompiled_tokenizer.json")) {
        const std::string text = row.at("text");
        const Encoding enc = tok->encode(text);
        const auto tokens = row.at("tokens").get<std::vector<std::string>>();
        QVERIFY2(enc.tokens == tokens, (text + "\n  got  " + show(enc.tokens) + "\n  want " + show(tokens)).c_str());
        QVERIFY2(enc.ids == row.at("ids").get<std::vector<int>>(), text.c_str());
        const auto offsets = row.at("offsets").get<std::vector<std::pair<int, int>>>();
        for (std::size_t i = 0; i < offsets.size(); ++i)
            QVERIFY2(enc.offsets.at(i) == offsets[i], (text + " token " + std::to_string(i)).c_str());
        QCOMPARE(tok->decode(enc.ids), row.at("decoded").get<std::string>());
        sawQuirk = sawQuirk || text.find("a\xCC\x80\xCC\x81") != std::string::npos;
        ++checked;
    }
    QVERIFY(sawQuirk);
    QVERIFY(checked >= 17);
}

// source.spm for the source, target.spm for the target, ids from vocab.json (a piece it lacks
// keeps its SentencePiece id), a leading language code whole, special tokens cut out, </s> last.
void SentencePieceTest::marianFolderEncodesAsMarianTokenizer() {
    const auto tok = Tokenizer::fromModelFolder(kDir / "marian");
    QVERIFY(dynamic_cast<const MarianTokenizer*>(tok.get()));
    for (const char* side : {"source", "target"}) {
        int checked = 0;
        for (const auto& row : reference().at("marian").at(side)) {
            const std::string text = row.at("text");
            const Encoding enc = std::string(side) == "source" ? tok->encode(text) : tok->encodeTarget(text);
            QVERIFY2(enc.ids == row.at("ids").get<std::vector<int>>(), (std::string(side) + ": " + text).c_str());
            ++checked;
        }
        QVERIFY(checked >= 6);
    }
    const Encoding coded = tok->encode(">>deu<< Hello");
    QCOMPARE(coded.tokens.front(), std::string(">>deu<<"));
    QCOMPARE(coded.offsets.front(), (std::pair<int, int>{0, 7}));
    QCOMPARE(coded.tokens.at(1), std::string("\xE2\x96\x81"));  // the dummy prefix, at the code's space
    QCOMPARE(coded.offsets.at(1), (std::pair<int, int>{7, 8}));
    QCOMPARE(coded.offsets.at(2), (std::pair<int, int>{8, 9}));    // "H"
    QVERIFY(coded.specialTokensMask.back());
    QCOMPARE(tok->idToToken(0), std::string("</s>"));
    QVERIFY(tok->isSpecial(0));
    QCOMPARE(tok->decode(tok->encode("Hello world").ids), std::string("Hello world"));
    QVERIFY(!tok->maskTokenId());
}

void SentencePieceTest::marianRefusesWhatItCannotRead() {
    const fs::path dir = fixtures::tmpDir() / "marian_refusals";
    fs::remove_all(dir);
    fixtures::copyFolder(kDir / "marian", dir);
    fs::remove(dir / "target.spm");
    QVERIFY(errorOf([&] { Tokenizer::fromModelFolder(dir); }).find("target.spm: missing") != std::string::npos);
    fs::copy(kDir / "marian" / "target.spm", dir / "target.spm");
    std::ofstream(dir / "vocab.json") << R"({"<unk>": 1, "a": 2})";
    QVERIFY(errorOf([&] { Tokenizer::fromModelFolder(dir); }).find("vocab.json: no `</s>` token") != std::string::npos);
    std::ofstream(dir / "vocab.json") << R"({"</s>": 0, "<unk>": -1})";
    QVERIFY(errorOf([&] { Tokenizer::fromModelFolder(dir); }).find("not a non-negative integer") != std::string::npos);
    fs::copy(kDir / "marian" / "vocab.json", dir / "vocab.json", fs::copy_options::overwrite_existing);
    std::ofstream(dir / "tokenizer_config.json") << R"({"separate_vocabs": true})";
    QVERIFY(errorOf([&] { Tokenizer::fromModelFolder(dir); }).find("separate source and target") != std::string::npos);

    // A T5 or DeBERTa-v3 folder with only its SentencePiece model asks for the tokenizer.json.
    const fs::path t5 = fixtures::tmpDir() / "spiece_only";
    fs::remove_all(t5);
    fs::create_directories(t5);
    fs::copy(kDir / "marian" / "source.spm", t5 / "spiece.model");
    const std::string e = errorOf([&] { Tokenizer::fromModelFolder(t5); });
    QVERIFY2(e.find("spiece.model: a SentencePiece model without tokenizer.json") != std::string::npos, e.c_str());
    std::ofstream(t5 / "tokenizer.json") << readJsonFile(kDir / "precompiled_tokenizer.json").dump();
    QVERIFY(Tokenizer::fromModelFolder(t5) != nullptr);
}

void SentencePieceTest::graphemeClustersJoinMarksAndCrLf() {
    QCOMPARE(bounds("e\xCC\x81x"), (std::vector<std::size_t>{0, 3, 4}));       // e + acute | x
    QCOMPARE(bounds("\r\n\n"), (std::vector<std::size_t>{0, 2, 3}));           // CR LF | LF
    QCOMPARE(bounds("a\xE2\x80\x8D" "b"), (std::vector<std::size_t>{0, 4, 5}));  // a + ZWJ | b
    QCOMPARE(bounds("a\xE0\xA4\x83"), (std::vector<std::size_t>{0, 4}));      // a + Devanagari visarga (SpacingMark)
    QCOMPARE(bounds("\xD8\x80" "1"), (std::vector<std::size_t>{0, 3}));        // Arabic number sign (Prepend) + 1
    QCOMPARE(bounds("\x07\xCC\x81"), (std::vector<std::size_t>{0, 1, 3}));     // a control takes no mark
    QCOMPARE(bounds(""), (std::vector<std::size_t>{0}));
}

void SentencePieceTest::brokenInputIsAClearError() {
    // Model files: not protobuf, cut short, BPE, no unknown piece.
    QVERIFY(errorOf([] { SentencePieceModelFile::parse("\xFF\xFF\xFF", "x.model"); }).find("x.model: not a SentencePiece model") == 0);
    const std::string good = piece("<unk>", 2) + piece("a", 1);
    QVERIFY(errorOf([&] { SentencePieceModelFile::parse(good.substr(0, good.size() - 1), "x.model"); }).find("longer than the file") != std::string::npos);
    QVERIFY(errorOf([&] { SentencePieceModelFile::parse(good + "\x0A", "x.model"); }).find("cut short") != std::string::npos);
    QVERIFY(errorOf([] { SentencePieceModelFile::parse("", "x.model"); }).find("no pieces") != std::string::npos);
    QVERIFY(errorOf([&] { SentencePieceModelFile::parse(good + piece("b", 9), "x.model"); }).find("piece type 9") != std::string::npos);
    const SentencePieceModelFile bpe = SentencePieceModelFile::parse(good + bytesField(2, varintField(3, 2)), "x.model");
    QVERIFY(errorOf([&] { sentencePieceParts(bpe, "x.model"); }).find("BPE") != std::string::npos);
    const SentencePieceModelFile noUnk = SentencePieceModelFile::parse(piece("a", 1), "x.model");
    QVERIFY(errorOf([&] { sentencePieceParts(noUnk, "x.model"); }).find("no unknown piece") != std::string::npos);
    QVERIFY(errorOf([] { SentencePieceModelFile::read(kDir / "nope.model"); }).find("nope.model: cannot open") != std::string::npos);

    // Charsmaps: a trie size past the end, a trie pointing outside itself.
    QVERIFY(errorOf([] { PrecompiledCharsMap(std::string("\x40\0\0\0", 4), "m"); }).find("does not fit") != std::string::npos);
    const std::string wild("\x04\0\0\0\xFF\xFF\xFF\x7F", 8);  // one unit whose offset leads nowhere
    const PrecompiledCharsMap map(wild, "m");
    QVERIFY(errorOf([&] { map.prefixMatches("a"); }).find("corrupt") != std::string::npos);
    QCOMPARE(decodeBase64("aGk=", "b"), std::string("hi"));
    QVERIFY(errorOf([] { decodeBase64("a*b", "field"); }).find("field: not base64") == 0);

    // tokenizer.json: a charsmap that is not base64 names the field.
    nlohmann::json tj = readJsonFile(kDir / "precompiled_tokenizer.json");
    tj["normalizer"]["normalizers"][0]["precompiled_charsmap"] = "not base64!";
    const fs::path file = fixtures::tmpDir() / "bad_precompiled.json";
    std::ofstream(file) << tj.dump();
    const std::string e = errorOf([&] { Tokenizer::fromTokenizerJson(file); });
    QVERIFY2(e.find("normalizer.normalizers[0].precompiled_charsmap: not base64") != std::string::npos, e.c_str());
}

QTEST_APPLESS_MAIN(SentencePieceTest)
#include "test_sentencepiece.moc"
