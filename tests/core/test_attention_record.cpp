// The attention record and its file (tensor/AttentionRecord.h, io/AttentionFile.h): what is
// written reads back exactly, whatever its stacks are called, files from before the "stacks"
// metadata still open, and malformed ones are refused naming the file. Also the option numbers
// (OptionNumbers.h) every front end parses its values with.
#include <QtTest>

#include <functional>
#include <limits>
#include <map>

#include "Error.h"
#include "ErrorText.h"
#include "GoldenFixtures.h"
#include "OptionNumbers.h"
#include "io/AttentionFile.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"

using namespace attnscope;
using fixtures::errorOf;
namespace fs = std::filesystem;

namespace {

// A stack of distinct probabilities, so a swapped layer, head or axis shows.
AttentionStack makeStack(int l, int h, int q, int k, int seed) {
    AttentionStack s;
    s.resize(l, h, q, k);
    float* v = s.data();
    for (std::size_t i = 0; i < s.count(); ++i) v[i] = static_cast<float>((i * 37 + static_cast<std::size_t>(seed) * 11) % 101) / 100.0f;
    return s;
}

TokenSequence tokens(std::string name, std::vector<std::string> names, std::vector<int> ids, std::vector<bool> special) {
    TokenSequence t;
    t.name = std::move(name);
    t.names = std::move(names);
    t.ids = std::move(ids);
    t.special = std::move(special);
    return t;
}

TokenSequence plainTokens(std::string name, int n, int firstId) {
    std::vector<std::string> names;
    std::vector<int> ids;
    for (int i = 0; i < n; ++i) {
        names.push_back(name.substr(0, 3) + std::to_string(i));
        ids.push_back(firstId + i);
    }
    return tokens(std::move(name), std::move(names), std::move(ids), std::vector<bool>(std::size_t(n), false));
}

fs::path tmpFile(const std::string& name) {
    const fs::path dir = fixtures::tmpDir() / "attention_record";
    fs::create_directories(dir);
    return dir / (name + ".safetensors");
}

QString describeStacks(const AttentionRecord& r) {
    QStringList out;
    for (const NamedStack& s : r.stacks)
        out << QString("%1:%2>%3[%4,%5,%6,%7]")
                   .arg(QString::fromStdString(s.name), QString::fromStdString(r.queriesOf(s).name), QString::fromStdString(r.keysOf(s).name))
                   .arg(s.attention.layers)
                   .arg(s.attention.heads)
                   .arg(s.attention.queries)
                   .arg(s.attention.keys);
    return out.join(' ');
}

// Everything a record holds, compared shapes first: a failure returns early (check
// QTest::currentTestFailed() after calling).
void verifySameRecord(const AttentionRecord& got, const AttentionRecord& want) {
    QCOMPARE(got.sequences.size(), want.sequences.size());
    for (std::size_t i = 0; i < want.sequences.size(); ++i) {
        const TokenSequence &g = got.sequences[i], &w = want.sequences[i];
        QCOMPARE(g.name, w.name);
        QCOMPARE(g.names, w.names);
        QCOMPARE(g.ids, w.ids);
        QCOMPARE(g.special, w.special);
        QCOMPARE(g.named, w.named);
    }
    QCOMPARE(describeStacks(got), describeStacks(want));
    for (std::size_t i = 0; i < want.stacks.size(); ++i) {
        QCOMPARE(got.stacks[i].querySequence, want.stacks[i].querySequence);
        QCOMPARE(got.stacks[i].keySequence, want.stacks[i].keySequence);
        QCOMPARE(got.stacks[i].attention.toFloat32(), want.stacks[i].attention.toFloat32());  // bit for bit
    }
    QCOMPARE(got.logits.rows(), want.logits.rows());
    QCOMPARE(got.logits.cols(), want.logits.cols());
    QVERIFY(got.logits == want.logits);
    QCOMPARE(got.logitsPerInput, want.logitsPerInput);
    QCOMPARE((std::vector<int>{got.pixels.channels, got.pixels.height, got.pixels.width}),
             (std::vector<int>{want.pixels.channels, want.pixels.height, want.pixels.width}));
    QCOMPARE(got.pixels.values, want.pixels.values);
    QCOMPARE(got.modelType, want.modelType);
}

// Writes `record`, reads it back and compares everything; a refused file fails the test with
// its message instead of ending the run. Check QTest::currentTestFailed() after calling.
AttentionRecord verifyRoundTrip(const AttentionRecord& record, const std::string& name) {
    const fs::path path = tmpFile(name);
    AttentionRecord back;
    try {
        writeAttentionFile(path, record);
        back = readAttentionFile(path);
    } catch (const Error& e) {
        QTest::qFail(e.what(), __FILE__, __LINE__);
        return back;
    }
    verifySameRecord(back, record);
    return back;
}

RowMatrix makeLogits(int rows, int cols) {
    RowMatrix m(rows, cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) m(r, c) = 0.25f * static_cast<float>(r * cols + c) - 3.0f;
    return m;
}

// A T5-like record: 5 source tokens, 3 target tokens, three stacks over them.
AttentionRecord encoderDecoderRecord() {
    AttentionRecord r;
    r.sequences = {tokens(kInputSequence, {"\xe2\x96\x81" "The", "\xe2\x96\x81" "cat", "\xe2\x96\x81" "sat", ".", "</s>"}, {60, 28, 49, 5, 1},
                          {false, false, false, false, true}),
                   tokens(kDecoderSequence, {"<pad>", "\xe2\x96\x81" "Le", "\xe2\x96\x81" "chat"}, {0, 3, 180}, {true, false, false})};
    r.stacks = {{"encoder", 0, 0, makeStack(2, 4, 5, 5, 1)}, {"decoder", 1, 1, makeStack(3, 4, 3, 3, 2)}, {"cross", 1, 0, makeStack(3, 4, 3, 5, 3)}};
    r.logits = makeLogits(3, 11);
    r.modelType = "t5";
    return r;
}

// A safetensors file written directly: these tensors (filled with `fill`) and this metadata.
struct FileSpec {
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> tensors;
    std::map<std::string, std::string> metadata;
    float fill = 0.1f;
};

void writeFile(const fs::path& path, const FileSpec& spec) {
    SafetensorsWriter w;
    for (const auto& [name, shape] : spec.tensors) {
        std::size_t n = 1;
        for (const std::int64_t d : shape) n *= static_cast<std::size_t>(d);
        const std::vector<float> values(n, spec.fill);
        w.add(name, shape, values.data());
    }
    for (const auto& [key, value] : spec.metadata) w.setMetadata(key, value);
    w.write(path);
}

const std::vector<std::pair<std::string, std::vector<std::int64_t>>> kT5Tensors{
    {"encoder_attentions", {2, 4, 5, 5}}, {"decoder_attentions", {2, 4, 3, 3}}, {"cross_attentions", {2, 4, 3, 5}}};

// The message of an option value the parser refuses, or "" when it accepts it (value set).
template <typename T, typename Parse>
QString parsed(Parse parse, T& value) {
    return errorOf([&] { value = parse(); });
}

}  // namespace

Q_DECLARE_METATYPE(FileSpec)

class AttentionRecordTest : public QObject {
    Q_OBJECT
private slots:
    void singleStackRoundTrips();
    void encoderDecoderRoundTrips();
    void imageRecordRoundTrips();
    void otherStackNamesRoundTrip();
    void sequenceOrderAndUnspannedSequencesRoundTrip();
    void legacyFilesWithoutStacksMetadata();
    void malformedFilesAreRefused_data();
    void malformedFilesAreRefused();
    void sequenceHelpers();
    void unknownStackIsNamed();
    void wholeNumbers_data();
    void wholeNumbers();
    void numbers_data();
    void numbers();
    void fractions_data();
    void fractions();
    void idLists_data();
    void idLists();
};

void AttentionRecordTest::singleStackRoundTrips() {
    AttentionRecord r;
    r.sequences = {tokens(kInputSequence, {"[CLS]", "the", "cat", "[SEP]"}, {2, 92, 238, 3}, {true, false, false, true})};
    r.stacks = {{kSelfStack, 0, 0, makeStack(2, 3, 4, 4, 0)}};
    r.logits = makeLogits(4, 7);
    r.modelType = "bert";
    const AttentionRecord back = verifyRoundTrip(r, "single");
    if (QTest::currentTestFailed()) return;
    // The single stack is transformers' plain "attentions" tensor.
    SafetensorsFile f(tmpFile("single"));
    QVERIFY(f.find("attentions"));
    QCOMPARE(f.find("logits")->shape, (std::vector<std::int64_t>{4, 7}));
    QCOMPARE(back.attention().layers, 2);
}

void AttentionRecordTest::encoderDecoderRoundTrips() {
    const AttentionRecord r = encoderDecoderRecord();
    const AttentionRecord back = verifyRoundTrip(r, "t5");
    if (QTest::currentTestFailed()) return;
    // Stored under transformers' names, so files from either side read the same.
    SafetensorsFile f(tmpFile("t5"));
    for (const char* name : {"encoder_attentions", "decoder_attentions", "cross_attentions"}) QVERIFY2(f.find(name), name);
    QVERIFY(!f.find("attentions"));
    QCOMPARE(f.metadata().at("decoder_ids"), std::string("[0,3,180]"));
    QCOMPARE(back.keysOf(*back.find("cross")).size(), 5);
    QCOMPARE(back.queriesOf(*back.find("cross")).size(), 3);
}

void AttentionRecordTest::imageRecordRoundTrips() {
    AttentionRecord r;
    r.sequences = {imageSequence(1, 2, 2)};
    r.stacks = {{kSelfStack, 0, 0, makeStack(1, 2, 5, 5, 4)}};
    r.pixels = {3, 16, 16, std::vector<float>(3 * 16 * 16)};
    for (std::size_t i = 0; i < r.pixels.values.size(); ++i) r.pixels.values[i] = static_cast<float>(i % 13) * 0.3f - 1.5f;
    r.logits = makeLogits(1, 3);
    r.logitsPerInput = true;  // a classifier scores the whole image
    r.modelType = "vit";
    const AttentionRecord back = verifyRoundTrip(r, "image");
    if (QTest::currentTestFailed()) return;
    QCOMPARE(SafetensorsFile(tmpFile("image")).find("logits")->shape, std::vector<std::int64_t>{3});  // [labels], as transformers gives
    const PatchGrid& grid = back.patches();
    QCOMPARE((std::vector<int>{grid.rows, grid.columns, grid.firstPatchToken}), (std::vector<int>{2, 2, 1}));
}

// Stacks other than the engine's own read back exactly thanks to the "stacks" metadata:
// a "vision" stack whose queries are the decoder tokens, and sequences other than "decoder".
void AttentionRecordTest::otherStackNamesRoundTrip() {
    AttentionRecord r;
    r.sequences = {plainTokens(kInputSequence, 4, 10), plainTokens(kDecoderSequence, 3, 20)};
    r.stacks = {{"decoder", 1, 1, makeStack(2, 2, 3, 3, 5)}, {"vision", 1, 0, makeStack(2, 2, 3, 4, 6)}, {"encoder", 0, 0, makeStack(1, 2, 4, 4, 7)}};
    verifyRoundTrip(r, "vision");
    if (QTest::currentTestFailed()) return;

    AttentionRecord image;
    image.sequences = {plainTokens(kInputSequence, 4, 10), plainTokens("image", 6, 30)};
    image.stacks = {{"text", 0, 0, makeStack(2, 2, 4, 4, 8)}, {"image", 1, 1, makeStack(3, 2, 6, 6, 9)}, {"text_to_image", 0, 1, makeStack(2, 2, 4, 6, 10)}};
    verifyRoundTrip(image, "image_sequence");
    if (QTest::currentTestFailed()) return;
    QCOMPARE(SafetensorsFile(tmpFile("image_sequence")).metadata().count("image_tokens"), std::size_t(1));
}

// The "sequences" metadata keeps the record's order even when the stacks name the sequences
// in another order, and keeps a sequence no stack spans (its length comes from its tokens).
void AttentionRecordTest::sequenceOrderAndUnspannedSequencesRoundTrip() {
    AttentionRecord reordered;
    reordered.sequences = {plainTokens(kDecoderSequence, 3, 20), plainTokens(kInputSequence, 4, 10)};  // not the input first
    reordered.stacks = {{"decoder", 0, 0, makeStack(2, 2, 3, 3, 11)}, {"cross", 0, 1, makeStack(2, 2, 3, 4, 12)}, {"encoder", 1, 1, makeStack(2, 2, 4, 4, 13)}};
    verifyRoundTrip(reordered, "reordered");
    if (QTest::currentTestFailed()) return;

    // Only the decoder is spanned; the input (4 tokens, the unprefixed keys) is still there.
    AttentionRecord unspanned;
    unspanned.sequences = {plainTokens(kInputSequence, 4, 10), plainTokens(kDecoderSequence, 3, 20)};
    unspanned.stacks = {{"decoder", 1, 1, makeStack(2, 2, 3, 3, 14)}};
    const AttentionRecord back = verifyRoundTrip(unspanned, "unspanned");
    if (QTest::currentTestFailed()) return;
    QCOMPARE(back.sequences[0].size(), 4);
    QCOMPARE(back.queriesOf(back.stacks[0]).name, std::string(kDecoderSequence));
}

void AttentionRecordTest::legacyFilesWithoutStacksMetadata() {
    // transformers' attentions alone: one self stack over tokens known by position.
    const fs::path single = tmpFile("legacy_single");
    writeFile(single, {{{"attentions", {2, 3, 4, 4}}}, {}});
    const AttentionRecord a = readAttentionFile(single);
    QCOMPARE(describeStacks(a), QString("self:input>input[2,3,4,4]"));
    QCOMPARE(a.input().names, (std::vector<std::string>{"0", "1", "2", "3"}));
    QVERIFY(!a.input().named);
    QVERIFY(a.input().ids.empty());
    QCOMPARE(a.input().special, std::vector<bool>(4, false));

    // T5's three tensors, with the tokens of both sequences.
    const fs::path t5 = tmpFile("legacy_t5");
    writeFile(t5, {kT5Tensors, {{"tokens", R"(["a","b","c","d","</s>"])"}, {"decoder_tokens", R"(["<pad>","x","y"])"}}});
    const AttentionRecord b = readAttentionFile(t5);
    QCOMPARE(describeStacks(b), QString("encoder:input>input[2,4,5,5] decoder:decoder>decoder[2,4,3,3] cross:decoder>input[2,4,3,5]"));
    QCOMPARE(b.sequences.size(), std::size_t(2));
    QCOMPARE(b.sequences[1].names, (std::vector<std::string>{"<pad>", "x", "y"}));
    // Without a mask, special tokens are guessed from their names.
    QCOMPARE(b.sequences[0].special, (std::vector<bool>{false, false, false, false, true}));
    QCOMPARE(b.sequences[1].special, (std::vector<bool>{true, false, false}));
    QCOMPARE(b.attention("cross").toFloat32(), std::vector<float>(2 * 4 * 3 * 5, 0.1f));
}

void AttentionRecordTest::malformedFilesAreRefused_data() {
    QTest::addColumn<FileSpec>("spec");
    QTest::addColumn<QString>("expected");
    const std::vector<std::pair<std::string, std::vector<std::int64_t>>> self{{"attentions", {2, 4, 3, 3}}};
    const auto withStacks = [](auto tensors, const char* stacks) { return FileSpec{tensors, {{"stacks", stacks}}}; };
    QTest::newRow("stacks not a list") << withStacks(self, R"({"name":"self","queries":"input","keys":"input"})")
                                       << "metadata 'stacks' must be a JSON list";
    QTest::newRow("stacks not JSON") << withStacks(self, "[{") << "metadata 'stacks' must be a JSON list";
    QTest::newRow("stacks empty") << withStacks(self, "[]") << "metadata 'stacks' lists no stack";
    QTest::newRow("stack without keys") << withStacks(self, R"([{"name":"self","queries":"input"}])")
                                        << R"(must list objects with the strings "name", "queries" and "keys")";
    QTest::newRow("stack name not a string") << withStacks(self, R"([{"name":1,"queries":"input","keys":"input"}])") << R"(strings "name")";
    QTest::newRow("stack without tensor") << withStacks(self, R"([{"name":"vision","queries":"input","keys":"input"}])")
                                          << "names the stack 'vision', but there is no tensor 'vision_attentions'";
    QTest::newRow("lengths disagree")
        << FileSpec{{{"encoder_attentions", {2, 4, 5, 5}}, {"decoder_attentions", {2, 4, 3, 3}}, {"cross_attentions", {2, 4, 3, 6}}}, {}}
        << "'cross_attentions' has shape [2, 4, 3, 6], which does not fit 'encoder_attentions' [2, 4, 5, 5]: both span the input tokens";
    QTest::newRow("layers disagree from the same tokens")
        << FileSpec{{{"encoder_attentions", {2, 4, 5, 5}}, {"decoder_attentions", {2, 4, 3, 3}}, {"cross_attentions", {3, 4, 3, 5}}}, {}}
        << "stacks that attend from the same tokens have the same layers and heads";
    QTest::newRow("heads disagree, declared")
        << withStacks(std::vector<std::pair<std::string, std::vector<std::int64_t>>>{{"attentions", {2, 4, 3, 3}}, {"probe_attentions", {2, 2, 3, 3}}},
                      R"([{"name":"self","queries":"input","keys":"input"},{"name":"probe","queries":"input","keys":"input"}])")
        << "'probe_attentions' has shape [2, 2, 3, 3], which does not fit 'attentions' [2, 4, 3, 3]";
    QTest::newRow("self-attention not square") << FileSpec{{{"attentions", {2, 4, 3, 4}}}, {}} << "self-attention is square";
    QTest::newRow("token list too short") << FileSpec{self, {{"tokens", R"(["a","b"])"}}} << "metadata 'tokens' lists 2 entries for 3 tokens";
    QTest::newRow("decoder ids too long") << FileSpec{kT5Tensors, {{"decoder_ids", "[0,1,2,3]"}}} << "metadata 'decoder_ids' lists 4 entries for 3 tokens";
    QTest::newRow("both kinds of stacks") << FileSpec{{{"attentions", {2, 4, 5, 5}}, {"encoder_attentions", {2, 4, 5, 5}}}, {}} << "expected one or the other";
    QTest::newRow("half an encoder-decoder") << FileSpec{{{"encoder_attentions", {2, 4, 5, 5}}}, {}} << "needs all of encoder_attentions";
    const char* selfStack = R"([{"name":"self","queries":"input","keys":"input"}])";
    const auto withSequences = [&](const char* sequences) { return FileSpec{self, {{"stacks", selfStack}, {"sequences", sequences}}}; };
    QTest::newRow("sequences not a list") << withSequences(R"("input")") << "metadata 'sequences' must be a JSON list";
    QTest::newRow("sequence not a string") << withSequences("[1]") << "metadata 'sequences' must list non-empty strings";
    QTest::newRow("sequence named twice") << withSequences(R"(["input","input"])") << "metadata 'sequences' lists 'input' twice";
    QTest::newRow("stack's sequence not listed") << withSequences(R"(["decoder"])")
                                                 << "names the sequence 'input' for the stack 'self', but metadata 'sequences' does not list it";
    QTest::newRow("unspanned sequence without tokens") << withSequences(R"(["input","image"])")
                                                       << "metadata 'image_tokens' is missing; no stack spans the image tokens";
    QTest::newRow("no attention") << FileSpec{{{"logits", {3, 7}}}, {}} << "no attention in this file";
    QTest::newRow("not probabilities") << FileSpec{self, {}, 1.5f} << "attention values are probabilities in [0, 1]";
}

void AttentionRecordTest::malformedFilesAreRefused() {
    QFETCH(FileSpec, spec);
    QFETCH(QString, expected);
    const fs::path path = tmpFile(QTest::currentDataTag());
    writeFile(path, spec);
    const QString err = errorOf([&] { readAttentionFile(path); });
    QVERIFY2(!err.isEmpty(), "the file was accepted");
    QVERIFY2(err.startsWith(QString::fromStdString(path.string()) + ": "), qPrintable(err));  // names the file
    QVERIFY2(err.contains(expected), qPrintable(err));
}

void AttentionRecordTest::sequenceHelpers() {
    const TokenSequence ids = idSequence(kDecoderSequence, {5, 7, 9});
    QCOMPARE(ids.name, std::string(kDecoderSequence));
    QCOMPARE(ids.names, (std::vector<std::string>{"5", "7", "9"}));
    QCOMPARE(ids.ids, (std::vector<int>{5, 7, 9}));
    QCOMPARE(ids.special, std::vector<bool>(3, false));
    QVERIFY(!ids.named);
    QVERIFY(!ids.patches.isValid());

    const TokenSequence vit = imageSequence(1, 2, 3);
    QCOMPARE(vit.names, (std::vector<std::string>{"[CLS]", "0,0", "0,1", "0,2", "1,0", "1,1", "1,2"}));
    QCOMPARE(vit.special, (std::vector<bool>{true, false, false, false, false, false, false}));
    QVERIFY(vit.ids.empty());
    QCOMPARE((std::vector<int>{vit.patches.rows, vit.patches.columns, vit.patches.firstPatchToken}), (std::vector<int>{2, 3, 1}));
    QCOMPARE(vit.patches.patchOfToken(0), -1);
    QCOMPARE(vit.patches.patchOfToken(4), 3);  // "1,0"
    QCOMPARE(vit.patches.patchOfToken(7), -1);
    QCOMPARE(vit.patches.tokenOfPatch(5), 6);

    const TokenSequence deit = imageSequence(2, 2, 2);
    QCOMPARE(deit.names, (std::vector<std::string>{"[CLS]", "[DIST]", "0,0", "0,1", "1,0", "1,1"}));
    QCOMPARE(deit.special, (std::vector<bool>{true, true, false, false, false, false}));
    QCOMPARE(deit.patches.firstPatchToken, 2);
    QCOMPARE(deit.patches.patchOfToken(2), 0);
}

void AttentionRecordTest::unknownStackIsNamed() {
    const AttentionRecord r = encoderDecoderRecord();
    QCOMPARE(r.indexOf("cross"), 2);
    QCOMPARE(r.indexOf("self"), -1);
    QVERIFY(r.find("vision") == nullptr);
    QCOMPARE(r.attention("decoder").queries, 3);
    // The default, "self", is not one of T5's stacks: the message lists the ones there are.
    const QString err = errorOf([&] { r.attention(); });
    QVERIFY2(err.contains("there is no attention stack 'self' (this input has: encoder, decoder, cross)"), qPrintable(err));
    QVERIFY(errorOf([&] { r.attention("vision"); }).contains("'vision'"));
}

void AttentionRecordTest::wholeNumbers_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("min");
    QTest::addColumn<int>("max");
    QTest::addColumn<int>("value");
    QTest::addColumn<QString>("error");  // empty: accepted as `value`
    constexpr int lo = std::numeric_limits<int>::min(), hi = std::numeric_limits<int>::max();
    QTest::newRow("plain") << "3" << lo << hi << 3 << "";
    QTest::newRow("spaces") << " 7\t" << lo << hi << 7 << "";
    QTest::newRow("negative") << "-2" << lo << hi << -2 << "";
    QTest::newRow("lowest allowed") << "0" << 0 << 4 << 0 << "";
    QTest::newRow("highest allowed") << "4" << 0 << 4 << 4 << "";
    QTest::newRow("int max") << "2147483647" << 0 << hi << hi << "";
    QTest::newRow("trailing junk") << "1x" << lo << hi << 0 << "--layer: '1x' is not a whole number";
    QTest::newRow("empty") << "" << lo << hi << 0 << "--layer: '' is not a whole number";
    QTest::newRow("fraction") << "1.5" << lo << hi << 0 << "--layer: '1.5' is not a whole number";
    QTest::newRow("word") << "two" << lo << hi << 0 << "is not a whole number";
    QTest::newRow("below min") << "-1" << 0 << hi << 0 << "--layer must be at least 0, not -1";
    QTest::newRow("above max") << "9" << lo << 8 << 0 << "--layer must be at most 8, not 9";
    QTest::newRow("outside range") << "5" << 0 << 4 << 0 << "--layer must be from 0 to 4, not 5";
    // Past int but within long long: the message must not claim the bound it meets.
    QTest::newRow("past int, min given") << "99999999999" << 0 << hi << 0 << "--layer must be from 0 to 2147483647, not 99999999999";
    QTest::newRow("past int, no bounds") << "99999999999" << lo << hi << 0 << "--layer must be at most 2147483647, not 99999999999";
    QTest::newRow("below int, max given") << "-99999999999" << lo << 5 << 0 << "--layer must be from -2147483648 to 5, not -99999999999";
    QTest::newRow("past long long") << "99999999999999999999" << lo << hi << 0 << "--layer";
}

void AttentionRecordTest::wholeNumbers() {
    QFETCH(QString, text);
    QFETCH(int, min);
    QFETCH(int, max);
    QFETCH(int, value);
    QFETCH(QString, error);
    int got = -12345;
    const QString err = parsed([&] { return parseWholeNumber("layer", text.toStdString(), min, max); }, got);
    if (error.isEmpty()) {
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QCOMPARE(got, value);
    } else {
        QVERIFY2(err.contains(error), qPrintable(err));
        QCOMPARE(got, -12345);
    }
}

void AttentionRecordTest::numbers_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("error");
    constexpr double lo = -std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::max();
    QTest::newRow("decimal") << "0.5" << lo << hi << 0.5 << "";
    QTest::newRow("negative") << "-3" << lo << hi << -3.0 << "";
    QTest::newRow("exponent") << "1e2" << lo << hi << 100.0 << "";
    QTest::newRow("spaces") << " 2.5 " << lo << hi << 2.5 << "";
    QTest::newRow("at min") << "0" << 0.0 << hi << 0.0 << "";
    QTest::newRow("nan") << "nan" << lo << hi << 0.0 << "--temperature: 'nan' is not a number";
    QTest::newRow("inf") << "inf" << lo << hi << 0.0 << "--temperature: 'inf' is not a number";
    QTest::newRow("-inf") << "-inf" << lo << hi << 0.0 << "is not a number";
    QTest::newRow("overflow") << "1e999" << lo << hi << 0.0 << "is not a number";
    QTest::newRow("comma decimal") << "0,5" << lo << hi << 0.0 << "--temperature: '0,5' is not a number";
    QTest::newRow("empty") << "" << lo << hi << 0.0 << "is not a number";
    QTest::newRow("below min") << "-0.1" << 0.0 << hi << 0.0 << "--temperature must be at least 0, not -0.1";
    QTest::newRow("above max") << "3" << lo << 2.0 << 0.0 << "--temperature must be at most 2, not 3";
    QTest::newRow("outside range") << "3" << 0.0 << 2.0 << 0.0 << "--temperature must be from 0 to 2, not 3";
}

void AttentionRecordTest::numbers() {
    QFETCH(QString, text);
    QFETCH(double, min);
    QFETCH(double, max);
    QFETCH(double, value);
    QFETCH(QString, error);
    double got = -12345.0;
    const QString err = parsed([&] { return parseNumber("temperature", text.toStdString(), min, max); }, got);
    if (error.isEmpty()) {
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QCOMPARE(got, value);
    } else {
        QVERIFY2(err.contains(error), qPrintable(err));
        QCOMPARE(got, -12345.0);
    }
}

void AttentionRecordTest::fractions_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("allowZero");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("error");
    QTest::newRow("zero allowed") << "0" << true << 0.0 << "";
    QTest::newRow("one") << "1" << false << 1.0 << "";
    QTest::newRow("quarter") << "0.25" << false << 0.25 << "";
    QTest::newRow("zero refused") << "0" << false << 0.0 << "--mass must be in (0, 1], not 0";
    QTest::newRow("above one") << "1.01" << true << 0.0 << "--mass must be in [0, 1], not 1.01";
    QTest::newRow("negative") << "-0.5" << true << 0.0 << "--mass must be in [0, 1], not -0.5";
    QTest::newRow("nan") << "nan" << true << 0.0 << "--mass: 'nan' is not a number";
    QTest::newRow("percent") << "50%" << true << 0.0 << "--mass: '50%' is not a number";
}

void AttentionRecordTest::fractions() {
    QFETCH(QString, text);
    QFETCH(bool, allowZero);
    QFETCH(double, value);
    QFETCH(QString, error);
    double got = -12345.0;
    const QString err = parsed([&] { return parseFraction("mass", text.toStdString(), allowZero); }, got);
    if (error.isEmpty()) {
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QCOMPARE(got, value);
    } else {
        QVERIFY2(err.contains(error), qPrintable(err));
    }
}

void AttentionRecordTest::idLists_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<int>>("ids");
    QTest::addColumn<QString>("error");
    QTest::newRow("three") << "101,2023,102" << QList<int>{101, 2023, 102} << "";
    QTest::newRow("one") << "7" << QList<int>{7} << "";
    QTest::newRow("zero") << "0" << QList<int>{0} << "";
    const char* shape = " is not a non-negative integer (expected a list like 101,2023,102)";
    QTest::newRow("empty") << "" << QList<int>{} << QString("--ids: ''") + shape;
    QTest::newRow("empty item") << "1,,2" << QList<int>{} << QString("--ids: ''") + shape;
    QTest::newRow("trailing comma") << "1,2," << QList<int>{} << "--ids: ''";
    QTest::newRow("leading comma") << ",1" << QList<int>{} << "--ids: ''";
    QTest::newRow("negative") << "5,-1" << QList<int>{} << "--ids: '-1'";
    QTest::newRow("fraction") << "1.5" << QList<int>{} << "--ids: '1.5'";
    QTest::newRow("word") << "101,cat" << QList<int>{} << "--ids: 'cat'";
    QTest::newRow("past int") << "99999999999" << QList<int>{} << "--ids: '99999999999'";
}

void AttentionRecordTest::idLists() {
    QFETCH(QString, text);
    QFETCH(QList<int>, ids);
    QFETCH(QString, error);
    std::vector<int> got{-1};
    const QString err = parsed([&] { return parseIdList("ids", text.toStdString()); }, got);
    if (error.isEmpty()) {
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QCOMPARE(got, std::vector<int>(ids.begin(), ids.end()));
    } else {
        QVERIFY2(err.contains(error), qPrintable(err));
        QCOMPARE(got, std::vector<int>{-1});
    }
}

QTEST_APPLESS_MAIN(AttentionRecordTest)
#include "test_attention_record.moc"
