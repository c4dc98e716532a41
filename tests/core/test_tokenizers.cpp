// Checks the tokenizers against the outputs of Hugging Face tokenizers 0.23 recorded in the
// golden fixtures: ids, token strings, char offsets and type ids, through tokenizer.json and
// through the legacy vocab files; plus the errors malformed inputs must give.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "Error.h"
#include "GoldenFixtures.h"
#include "text/Decoders.h"
#include "text/Tokenizer.h"

using attnscope::Encoding;
using attnscope::Tokenizer;
using attnscope::ByteFallbackDecoder;
using attnscope::FuseDecoder;
using attnscope::StripDecoder;
using attnscope::WordPieceDecoder;
namespace fs = std::filesystem;

namespace {

const char* const kModels[] = {"bert", "distilbert", "roberta", "gpt2", "llama", "gpt_neo",
                               "gpt_neox", "t5", "bert_mlm", "roberta_mlm", "distilbert_mlm"};

// Tokenizers are loaded once per file and shared by the rows that use them.
const Tokenizer& cachedTokenizer(const fs::path& key, const std::function<std::unique_ptr<Tokenizer>()>& load) {
    static std::map<fs::path, std::unique_ptr<Tokenizer>> cache;
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, load()).first;
    if (!it->second) throw std::runtime_error("no tokenizer for " + key.string());
    return *it->second;
}

const Tokenizer& jsonTokenizer(const fs::path& file) {
    return cachedTokenizer(file, [&] { return Tokenizer::fromTokenizerJson(file); });
}

template <typename T> std::vector<T> toVector(const nlohmann::json& j) { return j.get<std::vector<T>>(); }

std::vector<std::pair<int, int>> toOffsets(const nlohmann::json& j) {
    std::vector<std::pair<int, int>> out;
    for (const auto& o : j) out.emplace_back(o[0].get<int>(), o[1].get<int>());
    return out;
}

QByteArray describe(const std::vector<std::string>& tokens) {
    QByteArray out;
    for (const auto& t : tokens) out += QByteArray::fromStdString(t) + " | ";
    return out;
}

bool hasLegacyFiles(const fs::path& modelDir) {
    return fs::exists(modelDir / "vocab.txt") || (fs::exists(modelDir / "vocab.json") && fs::exists(modelDir / "merges.txt"));
}

void writeFile(const fs::path& file, const std::string& content) {
    std::ofstream out(file, std::ios::binary);
    out << content;
}

}  // namespace

class TestTokenizers : public QObject {
    Q_OBJECT

private slots:
    void goldenTokenizers_data();
    void goldenTokenizers();
    void modelCases_data();
    void modelCases();
    void legacyFilesGiveSameIds_data();
    void legacyFilesGiveSameIds();
    void stories260kTokenCount();
    void malformedTokenizerJson_data();
    void malformedTokenizerJson();
    void malformedLegacyFiles_data();
    void malformedLegacyFiles();
    void hugeIdsAreNotAllocated();
    void byteLevelAndByteFallbackDecodeExactly_data();
    void byteLevelAndByteFallbackDecodeExactly();
    void decodersOfEveryKind();
    void invalidUtf8Throws();
    void folderWithoutTokenizerGivesNull();
    void pairAndNoSpecialTokens();
    void vocabularyLookups();
    void unicodeNormalizers();
    void splitWithRegex();
    void addedTokensAreCutOut();
};

void TestTokenizers::goldenTokenizers_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("index");
    const nlohmann::json expected = fixtures::readJson(fixtures::goldenDir() / "tokenizers" / "expected.json");
    for (auto it = expected.begin(); it != expected.end(); ++it)
        for (std::size_t i = 0; i < it.value().size(); ++i)
            QTest::newRow(QString("%1/%2").arg(QString::fromStdString(it.key())).arg(i).toUtf8().constData())
                << QString::fromStdString(it.key()) << static_cast<int>(i);
}

void TestTokenizers::goldenTokenizers() {
    QFETCH(QString, kind);
    QFETCH(int, index);
    const fs::path dir = fixtures::goldenDir() / "tokenizers";
    static const nlohmann::json expected = fixtures::readJson(dir / "expected.json");
    const nlohmann::json& c = expected[kind.toStdString()][static_cast<std::size_t>(index)];
    const Tokenizer& tok = jsonTokenizer(dir / (kind.toStdString() + ".json"));
    const Encoding e = tok.encode(c["text"].get<std::string>());
    const auto tokens = toVector<std::string>(c["tokens"]);
    QVERIFY2(e.tokens == tokens, describe(e.tokens) + " != " + describe(tokens));
    QCOMPARE(e.ids, toVector<int>(c["ids"]));
}

// Every case of every golden folder and of every family fixture (tests/fixtures/<model_type>/,
// found without being listed): ids, tokens, offsets and type ids as the tokenizers library gave them.
void TestTokenizers::modelCases_data() {
    QTest::addColumn<QString>("folder");
    QTest::addColumn<int>("index");
    std::vector<fs::path> folders;
    for (const char* model : kModels) folders.push_back(fixtures::goldenDir() / model);
    for (const fs::path& f : fixtures::familyFixtureFolders()) folders.push_back(f);
    for (const fs::path& folder : folders) {
        const nlohmann::json expected = fixtures::readJson(folder / "expected.json");
        for (std::size_t i = 0; i < expected["cases"].size(); ++i) {
            if (!expected["cases"][i].contains("text")) continue;  // an image model's cases are images
            QTest::newRow(QString("%1/%2").arg(QString::fromStdString(folder.filename().string())).arg(i).toUtf8().constData())
                << QString::fromStdString(folder.string()) << static_cast<int>(i);
        }
    }
}

void TestTokenizers::modelCases() {
    QFETCH(QString, folder);
    QFETCH(int, index);
    const fs::path dir = folder.toStdString();
    const nlohmann::json c = fixtures::readJson(dir / "expected.json")["cases"][static_cast<std::size_t>(index)];
    const Tokenizer& tok = jsonTokenizer(dir / "model" / "tokenizer.json");
    std::optional<std::string> pair;
    if (c.contains("text_pair")) pair = c["text_pair"].get<std::string>();
    const Encoding e = tok.encode(c["text"].get<std::string>(), pair ? std::optional<std::string_view>(*pair) : std::nullopt);
    const auto tokens = toVector<std::string>(c["tokens"]);
    QVERIFY2(e.tokens == tokens, describe(e.tokens) + " != " + describe(tokens));
    QCOMPARE(e.ids, toVector<int>(c["ids"]));
    if (c.contains("offsets")) QCOMPARE(e.offsets, toOffsets(c["offsets"]));
    if (c.contains("type_ids")) QCOMPARE(e.typeIds, toVector<int>(c["type_ids"]));
    QCOMPARE(e.sequenceIds.size(), e.size());
    QCOMPARE(e.specialTokensMask.size(), e.size());
}

void TestTokenizers::legacyFilesGiveSameIds_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("index");
    for (const char* model : kModels) {
        if (!hasLegacyFiles(fixtures::goldenDir() / model / "model")) continue;
        const nlohmann::json expected = fixtures::readJson(fixtures::goldenDir() / model / "expected.json");
        for (std::size_t i = 0; i < expected["cases"].size(); ++i)
            QTest::newRow(QString("%1/%2").arg(model).arg(i).toUtf8().constData()) << QString(model) << static_cast<int>(i);
    }
}

void TestTokenizers::legacyFilesGiveSameIds() {
    QFETCH(QString, model);
    QFETCH(int, index);
    const fs::path dir = fixtures::goldenDir() / model.toStdString();
    const nlohmann::json c = fixtures::readJson(dir / "expected.json")["cases"][static_cast<std::size_t>(index)];

    // The same checkpoint without its tokenizer.json, in a temporary folder.
    static std::map<std::string, std::unique_ptr<QTemporaryDir>> folders;
    auto& folder = folders[model.toStdString()];
    if (!folder) {
        fs::create_directories(fixtures::tmpDir());
        folder = std::make_unique<QTemporaryDir>(QString::fromStdString((fixtures::tmpDir() / "legacy-XXXXXX").string()));
        QVERIFY(folder->isValid());
        for (const char* name : {"vocab.txt", "vocab.json", "merges.txt", "tokenizer_config.json", "config.json"})
            if (fs::exists(dir / "model" / name))
                fs::copy_file(dir / "model" / name, fs::path(folder->path().toStdString()) / name);
    }
    const fs::path legacyDir = folder->path().toStdString();
    QVERIFY(!fs::exists(legacyDir / "tokenizer.json"));
    const Tokenizer& tok = cachedTokenizer(legacyDir, [&] { return Tokenizer::fromModelFolder(legacyDir); });
    std::optional<std::string> pair;
    if (c.contains("text_pair")) pair = c["text_pair"].get<std::string>();
    const Encoding e = tok.encode(c["text"].get<std::string>(), pair ? std::optional<std::string_view>(*pair) : std::nullopt);
    QCOMPARE(e.ids, toVector<int>(c["ids"]));
    QCOMPARE(e.tokens, toVector<std::string>(c["tokens"]));
}

void TestTokenizers::stories260kTokenCount() {
    const fs::path dir = fixtures::modelsDir() / "stories260k";
    const auto tok = Tokenizer::fromModelFolder(dir);
    QVERIFY(tok);
    const Encoding e = tok->encode(
        "Tom and his dog went to the park. They played with a ball and had a lot of fun. Then they went home and ate "
        "dinner. Tom was happy.");
    QCOMPARE(e.size(), std::size_t(53));
    QCOMPARE(e.tokens.front(), std::string("<s>"));
    QCOMPARE(e.ids.front(), 1);
    QVERIFY(tok->isSpecial(1));
}

void TestTokenizers::malformedTokenizerJson_data() {
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("field");
    QTest::newRow("invalid JSON") << R"({"model": {"type": "BPE",)" << "invalid JSON";
    QTest::newRow("not an object") << "[1, 2]" << "expected an object";
    QTest::newRow("missing model") << R"({"normalizer": null})" << "model";
    QTest::newRow("unknown model type") << R"({"model": {"type": "Quantum", "vocab": {}}})" << "model.type";
    QTest::newRow("vocab wrong type") << R"({"model": {"type": "WordPiece", "vocab": [1, 2]}})" << "model.vocab";
    QTest::newRow("merge outside vocab") << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}})"
                                         << "model";
    QTest::newRow("unknown normalizer")
        << R"({"model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}, "normalizer": {"type": "Wobble"}})"
        << "normalizer.type";
    QTest::newRow("template without its special token")
        << R"({"model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}, "post_processor":
              {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}],
               "pair": [], "special_tokens": {}}})"
        << "post_processor.special_tokens";
    // The pipeline parts the LLM checkpoints use, each refused with the key that is wrong.
    const std::string wordLevel = R"("model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"})";
    const auto with = [&](const std::string& part) { return QString::fromStdString("{" + wordLevel + ", " + part + "}"); };
    const std::string split = R"({"type": "Split", "behavior": "Isolated", "invert": false, "pattern": )";
    QTest::newRow("Split regex not closed")
        << with(R"("pre_tokenizer": {"type": "Sequence", "pretokenizers": [)" + split + R"({"Regex": "(?i:'s|'t"}}]})")
        << "pre_tokenizer.pretokenizers[0].pattern.Regex";
    QTest::newRow("Split regex with a backreference") << with(R"("pre_tokenizer": )" + split + R"json({"Regex": "(a)\\1"}})json")
                                                      << "pre_tokenizer.pattern.Regex";
    QTest::newRow("Split regex {m,n} backwards") << with(R"("pre_tokenizer": )" + split + R"({"Regex": "\\p{N}{3,1}"}})")
                                                 << "pre_tokenizer.pattern.Regex";
    QTest::newRow("Split pattern of no kind") << with(R"("pre_tokenizer": )" + split + R"({"Glob": "*"}})") << "pre_tokenizer.pattern";
    QTest::newRow("Split behavior unknown")
        << with(R"("pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "Glued"})") << "pre_tokenizer.behavior";
    QTest::newRow("Split invert not a boolean")
        << with(R"("pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "invert": "no"})") << "pre_tokenizer.invert";
    QTest::newRow("ByteLevel use_regex not a boolean")
        << with(R"("pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "ByteLevel", "use_regex": 0}]})")
        << "pre_tokenizer.pretokenizers[0].use_regex";
    QTest::newRow("Metaspace prepend_scheme unknown")
        << with(R"("pre_tokenizer": {"type": "Metaspace", "replacement": "_", "prepend_scheme": "sometimes"})")
        << "pre_tokenizer.prepend_scheme";
    QTest::newRow("Metaspace add_prefix_space against prepend_scheme")
        << with(R"("pre_tokenizer": {"type": "Metaspace", "replacement": "_", "add_prefix_space": false, "prepend_scheme": "first"})")
        << "pre_tokenizer.add_prefix_space";
    QTest::newRow("Metaspace decoder prepend_scheme unknown")
        << with(R"("decoder": {"type": "Metaspace", "replacement": "_", "prepend_scheme": "once"})") << "decoder.prepend_scheme";
    QTest::newRow("BPE ignore_merges not a boolean")
        << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [], "ignore_merges": "yes"}})" << "model.ignore_merges";
    QTest::newRow("added token without id")
        << R"({"model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}, "added_tokens": [{"content": "x"}]})"
        << "added_tokens[0].id";
}

void TestTokenizers::malformedTokenizerJson() {
    QFETCH(QString, content);
    QFETCH(QString, field);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const fs::path file = fs::path(dir.path().toStdString()) / "tokenizer.json";
    writeFile(file, content.toStdString());
    for (int viaFolder = 0; viaFolder < 2; ++viaFolder) {
        try {
            if (viaFolder) Tokenizer::fromModelFolder(file.parent_path());
            else Tokenizer::fromTokenizerJson(file);
            QFAIL("no error thrown");
        } catch (const attnscope::Error& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains("tokenizer.json"), qPrintable(message));
            QVERIFY2(message.contains(field), qPrintable(message));
            QVERIFY2(!message.contains('\n'), qPrintable(message));
        }
    }
}

// Legacy tokenizer files (vocab.txt; vocab.json + merges.txt; tokenizer_config.json): each
// row writes the named files over a minimal valid set and expects the error to name the
// file and what is wrong in it.
void TestTokenizers::malformedLegacyFiles_data() {
    QTest::addColumn<QString>("kind");  // "wordpiece" or "bpe": which minimal set to start from
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("empty vocab.txt") << "wordpiece" << "vocab.txt" << QByteArray() << QStringList{"vocab.txt", "empty"};
    QTest::newRow("vocab.txt without [CLS]") << "wordpiece" << "vocab.txt" << QByteArray("[PAD]\n[UNK]\n[SEP]\na\n")
                                             << QStringList{"vocab.txt", "[CLS]"};
    QTest::newRow("vocab.txt not UTF-8") << "wordpiece" << "vocab.txt" << QByteArray("[CLS]\n[SEP]\n[UNK]\nab\xC3\n")
                                         << QStringList{"vocab.txt", "line 4"};
    QTest::newRow("tokenizer_config.json not JSON") << "wordpiece" << "tokenizer_config.json" << QByteArray("{\"do_lower_case\": ")
                                                    << QStringList{"tokenizer_config.json", "JSON"};
    QTest::newRow("tokenizer_config.json wrong type") << "wordpiece" << "tokenizer_config.json" << QByteArray(R"({"do_lower_case": "yes"})")
                                                      << QStringList{"tokenizer_config.json", "do_lower_case"};
    QTest::newRow("vocab.json not an object") << "bpe" << "vocab.json" << QByteArray("[1, 2]") << QStringList{"vocab.json", "object"};
    QTest::newRow("vocab.json id not an integer") << "bpe" << "vocab.json" << QByteArray(R"({"a": 0, "b": "one"})")
                                                  << QStringList{"vocab.json", "b", "integer"};
    QTest::newRow("merges.txt line with three tokens") << "bpe" << "merges.txt" << QByteArray("#version: 0.2\na b c\n")
                                                       << QStringList{"merges.txt", "line 2", "two tokens"};
    QTest::newRow("merges.txt merge outside the vocabulary") << "bpe" << "merges.txt" << QByteArray("#version: 0.2\na z\n")
                                                             << QStringList{"merges.txt", "z"};
    QTest::newRow("config.json not JSON") << "bpe" << "config.json" << QByteArray("{") << QStringList{"config.json", "JSON"};
}

void TestTokenizers::malformedLegacyFiles() {
    QFETCH(QString, kind);
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(QStringList, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const fs::path folder(dir.path().toStdString());
    if (kind == "wordpiece") {
        writeFile(folder / "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\n");
    } else {
        writeFile(folder / "vocab.json", R"({"a": 0, "b": 1, "ab": 2})");
        writeFile(folder / "merges.txt", "#version: 0.2\na b\n");
    }
    QVERIFY(Tokenizer::fromModelFolder(folder) != nullptr);  // the minimal set is valid
    writeFile(folder / file.toStdString(), content.toStdString());
    try {
        Tokenizer::fromModelFolder(folder);
        QFAIL("no error thrown");
    } catch (const attnscope::Error& e) {
        const QString message = QString::fromUtf8(e.what());
        for (const QString& part : expected) QVERIFY2(message.contains(part), qPrintable(part + " not in: " + message));
        QVERIFY2(!message.contains('\n'), qPrintable(message));
    }
}

// An id of two billion in a 30-byte vocabulary used to size an id -> token table by it.
void TestTokenizers::hugeIdsAreNotAllocated() {
    QTemporaryDir dir;
    const fs::path folder(dir.path().toStdString());
    writeFile(folder / "vocab.json", R"({"a": 0, "b": 1, "ab": 2000000000})");
    writeFile(folder / "merges.txt", "#version: 0.2\na b\n");
    const auto tok = Tokenizer::fromModelFolder(folder);
    QCOMPARE(tok->idToToken(2000000000), std::string("ab"));
    QCOMPARE(tok->encode("ab", std::nullopt, false).ids, std::vector<int>{2000000000});
    QCOMPARE(tok->idToToken(7), std::string());
}

// Byte-level BPE and byte-fallback BPE lose nothing: decode(encode(text)) is the text itself
// (the space llama's normalizer prepends is stripped again).
void TestTokenizers::byteLevelAndByteFallbackDecodeExactly_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("index");
    const nlohmann::json expected = fixtures::readJson(fixtures::goldenDir() / "tokenizers" / "expected.json");
    for (const char* kind : {"bytelevel_bpe", "roberta_bpe", "llama_bpe"})
        for (std::size_t i = 0; i < expected[kind].size(); ++i) QTest::addRow("%s/%zu", kind, i) << QString(kind) << int(i);
}

void TestTokenizers::byteLevelAndByteFallbackDecodeExactly() {
    QFETCH(QString, kind);
    QFETCH(int, index);
    const fs::path dir = fixtures::goldenDir() / "tokenizers";
    static const nlohmann::json expected = fixtures::readJson(dir / "expected.json");
    const std::string text = expected[kind.toStdString()][static_cast<std::size_t>(index)]["text"];
    const Tokenizer& tok = jsonTokenizer(dir / (kind.toStdString() + ".json"));
    const std::string decoded = tok.decode(tok.encode(text, std::nullopt, false).ids);
    QCOMPARE(decoded, text);
}

void TestTokenizers::decodersOfEveryKind() {
    const fs::path golden = fixtures::goldenDir();
    // WordPiece: pieces joined, the space before punctuation cleaned up, [CLS]/[SEP] skipped.
    const Tokenizer& bert = jsonTokenizer(golden / "bert" / "model" / "tokenizer.json");
    QCOMPARE(bert.decode(bert.encode("The cat sat on the mat because it was tired.").ids),
             std::string("the cat sat on the mat because it was tired."));
    QVERIFY(bert.decode(bert.encode("Hi").ids, false).starts_with("[CLS]"));
    // The legacy vocab.txt decodes the same way.
    const auto legacyBert = Tokenizer::fromModelFolder(golden / "bert" / "model");
    QCOMPARE(legacyBert->decode({2, 92, 238, 3}), bert.decode({2, 92, 238, 3}));
    // Metaspace (T5's Unigram): the replacement char is a space again; none leads.
    const Tokenizer& t5 = jsonTokenizer(golden / "t5" / "model" / "tokenizer.json");
    QCOMPARE(t5.decode(t5.encode("The cat sat on the mat.").ids), std::string("The cat sat on the mat."));
    // Each step on its own.
    QCOMPARE(ByteFallbackDecoder().decodeChain({"a", "<0xE2>", "<0x96>", "<0x81>", "b"}),
             (std::vector<std::string>{"a", "\u2581", "b"}));
    QCOMPARE(ByteFallbackDecoder().decodeChain({"<0xFF>", "<0xFE>"}),
             (std::vector<std::string>{"\uFFFD", "\uFFFD"}));
    QCOMPARE(StripDecoder(" ", 1, 0).decodeChain({"  a ", " b"}), (std::vector<std::string>{" a ", "b"}));
    QCOMPARE(FuseDecoder().decodeChain({"a", "b", "c"}), std::vector<std::string>{"abc"});
    QCOMPARE(WordPieceDecoder("##", true).decodeChain({"do", "n't", "##s", "?"}), (std::vector<std::string>{"do", "n't", "s", "?"}));
    // An unknown decoder stops decoding, with a clear error, but not tokenizing.
    QTemporaryDir dir;
    const fs::path file = fs::path(dir.path().toStdString()) / "tokenizer.json";
    writeFile(file, R"({"model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}, "decoder": {"type": "CTC"}})");
    const auto tok = Tokenizer::fromTokenizerJson(file);
    QCOMPARE(tok->encode("a", std::nullopt, false).ids, std::vector<int>{0});
    try {
        tok->decode({0});
        QFAIL("expected an error");
    } catch (const attnscope::Error& e) {
        QVERIFY2(QString(e.what()).contains("CTC"), e.what());
    }
}

void TestTokenizers::invalidUtf8Throws() {
    const Tokenizer& tok = jsonTokenizer(fixtures::goldenDir() / "bert" / "model" / "tokenizer.json");
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, tok.encode("ab\xC3"));
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, tok.encode("\xED\xA0\x80"));  // a surrogate
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, tok.encode("ok", std::string_view("\xFF")));
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, Tokenizer::fromTokenizerJson("/nonexistent/tokenizer.json"));
}

void TestTokenizers::folderWithoutTokenizerGivesNull() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(Tokenizer::fromModelFolder(dir.path().toStdString()) == nullptr);
    // A broken vocab.json is an error, not "no tokenizer".
    writeFile(fs::path(dir.path().toStdString()) / "vocab.json", "{oops");
    writeFile(fs::path(dir.path().toStdString()) / "merges.txt", "#version: 0.2\n");
    QVERIFY_THROWS_EXCEPTION(attnscope::Error, Tokenizer::fromModelFolder(dir.path().toStdString()));
}

void TestTokenizers::pairAndNoSpecialTokens() {
    const Tokenizer& bert = jsonTokenizer(fixtures::goldenDir() / "bert" / "model" / "tokenizer.json");
    const Encoding plain = bert.encode("Who was tired?", std::string_view("The cat."), false);
    QCOMPARE(plain.tokens.front(), std::string("wh"));
    QCOMPARE(plain.sequenceIds.front(), 0);
    QCOMPARE(plain.sequenceIds.back(), 1);
    QCOMPARE(plain.typeIds.back(), 1);
    QVERIFY(std::none_of(plain.specialTokensMask.begin(), plain.specialTokensMask.end(), [](bool b) { return b; }));

    const Encoding withSpecial = bert.encode("Who was tired?", std::string_view("The cat."));
    QCOMPARE(withSpecial.sequenceIds.front(), -1);
    QVERIFY(withSpecial.specialTokensMask.front());
    QCOMPARE(withSpecial.tokens.back(), std::string("[SEP]"));
    QCOMPARE(withSpecial.typeIds.back(), 1);
}

void TestTokenizers::vocabularyLookups() {
    const Tokenizer& bert = jsonTokenizer(fixtures::goldenDir() / "bert" / "model" / "tokenizer.json");
    QCOMPARE(bert.vocabSize(), std::size_t(400));
    QCOMPARE(bert.tokenToId("[CLS]"), std::optional<int>(2));
    QCOMPARE(bert.idToToken(2), std::string("[CLS]"));
    QCOMPARE(bert.idToToken(92), std::string("the"));
    QCOMPARE(bert.idToToken(100000), std::string());
    QVERIFY(bert.isSpecial(2));
    QVERIFY(!bert.isSpecial(92));
    QVERIFY(!bert.tokenToId("no-such-token"));
}

// NFC/NFKC/NFD through a tiny WordLevel pipeline whose vocabulary spells the expected forms.
void TestTokenizers::unicodeNormalizers() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto run = [&](const std::string& normalizer, const std::string& text) {
        const fs::path file = fs::path(dir.path().toStdString()) / "tokenizer.json";
        writeFile(file, R"({"normalizer": )" + normalizer +
                            R"(, "pre_tokenizer": {"type": "WhitespaceSplit"},
                "model": {"type": "WordLevel", "vocab": {"[UNK]": 0}, "unk_token": "[UNK]"}})");
        const Encoding e = Tokenizer::fromTokenizerJson(file)->encode(text);
        return e;
    };
    // The unknown token keeps offsets of the whole (normalized) word in the original text.
    Encoding e = run(R"({"type": "NFC"})", "e\xCC\x81t\xC3\xA9 x");  // "e" + U+0301 composes to é
    QCOMPARE(e.offsets.front(), std::make_pair(0, 4));
    QCOMPARE(e.offsets.back(), std::make_pair(5, 6));
    e = run(R"({"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}, {"type": "Lowercase"}]})",
            "\xC3\x89t\xC3\xA9 ok");
    QCOMPARE(e.offsets.front(), std::make_pair(0, 3));
    e = run(R"({"type": "NFKC"})", "\xEF\xAC\x81" "x y");  // the ligature "ﬁ" becomes "fi"
    QCOMPARE(e.offsets.front(), std::make_pair(0, 2));
}

void TestTokenizers::splitWithRegex() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const fs::path file = fs::path(dir.path().toStdString()) / "tokenizer.json";
    // A Llama-3 style split regex, then byte-level without its own regex.
    writeFile(file, R"({"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
         "behavior": "Isolated", "invert": false},
        {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]},
        "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "Hello": 1, "Ġworld": 2, "123": 3, "4": 4, "'S": 5, "!!": 6},
                  "unk_token": "[UNK]"}})");
    const auto tok = Tokenizer::fromTokenizerJson(file);
    const Encoding e = tok->encode("Hello world1234'S!!");
    const std::vector<std::string> expected{"Hello", "Ġworld", "123", "4", "'S", "!!"};
    QVERIFY2(e.tokens == expected, describe(e.tokens));
    QCOMPARE(e.ids, (std::vector<int>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(e.offsets[1], std::make_pair(5, 11));
}

void TestTokenizers::addedTokensAreCutOut() {
    const Tokenizer& roberta = jsonTokenizer(fixtures::goldenDir() / "roberta" / "model" / "tokenizer.json");
    const Encoding e = roberta.encode("a<mask>b</s>");
    const std::vector<std::string> expected{"<s>", "a", "<mask>", "b", "</s>", "</s>"};
    QVERIFY2(e.tokens == expected, describe(e.tokens));
    QCOMPARE(e.offsets[2], std::make_pair(1, 7));
    QCOMPARE(e.ids[2], 4);
}

QTEST_APPLESS_MAIN(TestTokenizers)
#include "test_tokenizers.moc"
