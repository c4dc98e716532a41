// From what a user gives to a forward input (model/PreparedInput.h): which inputs fit which
// models, and what prepareInput makes of them: ids, token types, named tokens, masks, the
// decoder's input, an image's tokens. The command line, `render` and the app share these rules,
// so the messages are pinned by a fragment that tells the user what to do.
#include <QtTest>

#include <functional>
#include <map>

#include "Error.h"
#include "ErrorText.h"
#include "GoldenFixtures.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"
#include "model/PreparedInput.h"

using namespace attnscope;
using fixtures::errorOf;
namespace fs = std::filesystem;

Q_DECLARE_METATYPE(attnscope::UserInput)

namespace {

fs::path goldenModel(const std::string& family) { return fixtures::goldenDir() / family / "model"; }

std::unique_ptr<Checkpoint> open(const std::string& family) { return Checkpoint::open(goldenModel(family)); }

// The capabilities of a golden family with the head its checkpoint stores, from its config alone.
ModelCapabilities capabilities(const std::string& family) {
    static const std::map<std::string, HeadKind> heads{{"bert", HeadKind::None},   {"bert_mlm", HeadKind::MaskedLm},
                                                       {"gpt2", HeadKind::CausalLm}, {"t5", HeadKind::None},
                                                       {"vit", HeadKind::ImageClassifier}};
    return capabilitiesOf(ModelConfig::fromFile(goldenModel(family) / "config.json"), heads.at(family));
}

UserInput textInput(std::string text) {
    UserInput in;
    in.text = std::move(text);
    return in;
}

// golden/vit's (or deit's) reference pixel values for case 0, written as a pixel-values file.
fs::path writePixelValuesFile(const std::string& family, const fs::path& dir, std::vector<float>* values = nullptr) {
    SafetensorsFile golden(fixtures::goldenDir() / family / "expected.safetensors");
    const TensorInfo* px = golden.find("case0.pixel_values");
    if (!px) throw std::runtime_error("no golden pixel values for " + family);
    const std::vector<float> v = golden.toFloat(*px);
    SafetensorsWriter w;
    w.add("pixel_values", px->shape, v.data());
    fs::create_directories(dir);
    const fs::path file = dir / (family + "_pixels.safetensors");
    w.write(file);
    if (values) *values = v;
    return file;
}

}  // namespace

class PreparedInputTest : public QObject {
    Q_OBJECT
private slots:
    void mismatchIsNamed_data();
    void mismatchIsNamed();
    void fittingInputHasNoMismatch_data();
    void fittingInputHasNoMismatch();
    void textPairGivesTypeIdsAndNamedTokens();
    void maskedPositionsHideTheirTokens_data();
    void maskedPositionsHideTheirTokens();
    void badMasksAreRefused_data();
    void badMasksAreRefused();
    void encoderDecoderWithoutTargetReadsStartToken();
    void encoderDecoderTargetIsTeacherForced();
    void pixelValuesFileGivesNamedPatches_data();
    void pixelValuesFileGivesNamedPatches();
    void imageFileNeedsADecoder();
    void emptyTextIsRefused();
    void folderWithoutTokenizerAsksForIds();
};

void PreparedInputTest::mismatchIsNamed_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<UserInput>("input");
    QTest::addColumn<QString>("expected");
    UserInput in;
    QTest::newRow("text to vit") << "vit" << textInput("a cat") << "vit is a vision model: it reads an image, not text";
    QTest::newRow("nothing to vit") << "vit" << UserInput{} << "give it an image or a pixel-values file";
    in = {};
    in.imageFile = "cat.png";
    QTest::newRow("image to bert") << "bert" << in << "bert is a text model";
    in.pixelValuesFile = "cat.safetensors";
    QTest::newRow("image and pixel values") << "vit" << in << "give an image or a pixel-values file, not both";
    in = textInput("a cat");
    in.ids = std::vector<int>{2, 3};
    QTest::newRow("text and ids") << "bert" << in << "give a text or token ids, not both";
    in = {};
    QTest::newRow("nothing to bert") << "bert" << in << "bert reads text: give it a text or token ids";
    in.ids = std::vector<int>{2, 3};
    in.pair = "a dog";
    QTest::newRow("pair with ids") << "bert" << in << "a second segment goes with a text, not with token ids";
    in = textInput("a cat");
    in.target = "un chat";
    QTest::newRow("target to gpt2") << "gpt2" << in << "a target is for encoder-decoder models, which read a source and a target; this is gpt2";
    in = textInput("a cat");
    in.decoderIds = std::vector<int>{0};
    QTest::newRow("decoder ids to gpt2") << "gpt2" << in << "a target is for encoder-decoder models";
    in.target = "un chat";
    QTest::newRow("target and decoder ids") << "t5" << in << "give a target or decoder ids, not both";
    in = textInput("a cat sat");
    in.maskedPositions = {1};
    QTest::newRow("mask on gpt2") << "gpt2" << in << "masking a token is for masked language models; this gpt2 checkpoint is not one";
    QTest::newRow("mask on plain bert") << "bert" << in << "this bert checkpoint is not one";
    in = {};
    in.ids = std::vector<int>{2, 5, 3};
    in.maskedPositions = {1};
    QTest::newRow("mask on ids") << "bert_mlm" << in << "masking needs a text, not token ids";
}

void PreparedInputTest::mismatchIsNamed() {
    QFETCH(QString, family);
    QFETCH(UserInput, input);
    QFETCH(QString, expected);
    const auto mismatch = inputMismatch(capabilities(family.toStdString()), input);
    QVERIFY2(mismatch.has_value(), "the input was accepted");
    QVERIFY2(QString::fromStdString(*mismatch).contains(expected), mismatch->c_str());
}

void PreparedInputTest::fittingInputHasNoMismatch_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<UserInput>("input");
    UserInput in = textInput("Who was tired?");
    in.pair = "The cat was.";
    QTest::newRow("text and pair to bert") << "bert" << in;
    QTest::newRow("text to t5") << "t5" << textInput("The cat sat.");
    in = textInput("The cat sat.");
    in.target = "Le chat.";
    QTest::newRow("source and target to t5") << "t5" << in;
    in = textInput("The cat sat.");
    in.decoderIds = std::vector<int>{0, 3};
    QTest::newRow("source and decoder ids to t5") << "t5" << in;
    in = {};
    in.imageFile = "cat.png";
    QTest::newRow("image to vit") << "vit" << in;
    in = {};
    in.pixelValuesFile = "cat.safetensors";
    QTest::newRow("pixel values to vit") << "vit" << in;
    in = textInput("the cat sat");
    in.maskedPositions = {2};
    QTest::newRow("mask on bert_mlm") << "bert_mlm" << in;
    in = {};
    in.ids = std::vector<int>{5, 6};
    QTest::newRow("ids to gpt2") << "gpt2" << in;
}

void PreparedInputTest::fittingInputHasNoMismatch() {
    QFETCH(QString, family);
    QFETCH(UserInput, input);
    const auto mismatch = inputMismatch(capabilities(family.toStdString()), input);
    QVERIFY2(!mismatch, mismatch ? mismatch->c_str() : "");
}

// The pair case of golden/bert: ids, tokens and token types as the reference tokenizer gives.
void PreparedInputTest::textPairGivesTypeIdsAndNamedTokens() {
    const nlohmann::json expected = fixtures::readJson(fixtures::goldenDir() / "bert" / "expected.json");
    const nlohmann::json& ref = expected["cases"][4];
    QVERIFY(ref.contains("text_pair"));
    UserInput in = textInput(ref["text"].get<std::string>());
    in.pair = ref["text_pair"].get<std::string>();
    const auto cp = open("bert");
    const PreparedInput p = prepareInput(*cp, in);
    QCOMPARE(p.forward.ids, ref["ids"].get<std::vector<int>>());
    QCOMPARE(p.forward.typeIds, ref["type_ids"].get<std::vector<int>>());
    QCOMPARE(p.sequences.size(), std::size_t(1));
    const TokenSequence& s = p.sequences[0];
    QCOMPARE(s.name, std::string(kInputSequence));
    QVERIFY(s.named);
    QCOMPARE(s.names, ref["tokens"].get<std::vector<std::string>>());
    QCOMPARE(s.ids, p.forward.ids);
    QCOMPARE(s.special.size(), s.names.size());
    for (int i = 0; i < s.size(); ++i) {
        const std::string& name = s.names[std::size_t(i)];
        QCOMPARE(s.isSpecial(i), name == "[CLS]" || name == "[SEP]");
    }
    QVERIFY(p.maskedTokens.empty());
}

void PreparedInputTest::maskedPositionsHideTheirTokens_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("maskName");
    QTest::newRow("bert_mlm") << "bert_mlm" << "[MASK]";
    QTest::newRow("roberta_mlm") << "roberta_mlm" << "<mask>";
    QTest::newRow("distilbert_mlm") << "distilbert_mlm" << "[MASK]";
}

void PreparedInputTest::maskedPositionsHideTheirTokens() {
    QFETCH(QString, family);
    QFETCH(QString, maskName);
    const auto cp = open(family.toStdString());
    const PreparedInput plain = prepareInput(*cp, textInput("The cat sat on the mat."));
    UserInput in = textInput("The cat sat on the mat.");
    in.maskedPositions = {2, 4};
    const PreparedInput masked = prepareInput(*cp, in);
    const std::optional<int> maskId = cp->tokenizer()->maskTokenId();
    QVERIFY(maskId);
    QCOMPARE(QString::fromStdString(cp->tokenizer()->idToToken(*maskId)), maskName);
    QCOMPARE(masked.forward.ids.size(), plain.forward.ids.size());
    QVERIFY(plain.forward.ids.size() > 5);
    // Only the masked positions change; each records the token it hid.
    const TokenSequence& before = plain.sequences.at(0);
    const TokenSequence& after = masked.sequences.at(0);
    for (std::size_t i = 0; i < plain.forward.ids.size(); ++i) {
        const bool hidden = i == 2 || i == 4;
        QCOMPARE(masked.forward.ids[i], hidden ? *maskId : plain.forward.ids[i]);
        QCOMPARE(QString::fromStdString(after.names[i]), hidden ? maskName : QString::fromStdString(before.names[i]));
    }
    QCOMPARE(after.ids, masked.forward.ids);
    const std::map<int, std::string> expected{{2, before.names[2]}, {4, before.names[4]}};
    QCOMPARE(masked.maskedTokens, expected);
    QVERIFY(before.names[2] != maskName.toStdString());
}

void PreparedInputTest::badMasksAreRefused_data() {
    QTest::addColumn<int>("position");
    QTest::addColumn<QString>("expected");
    QTest::newRow("[CLS]") << 0 << "token 0 ([CLS]) is a special token";
    QTest::newRow("past the end") << 50 << "cannot mask token 50: the text has";
    QTest::newRow("negative") << -1 << "cannot mask token -1";
}

void PreparedInputTest::badMasksAreRefused() {
    QFETCH(int, position);
    QFETCH(QString, expected);
    const auto cp = open("bert_mlm");
    UserInput in = textInput("the cat sat");
    in.maskedPositions = {position};
    const QString err = errorOf([&] { prepareInput(*cp, in); });
    QVERIFY2(err.contains(expected), qPrintable(err));
}

void PreparedInputTest::encoderDecoderWithoutTargetReadsStartToken() {
    const auto cp = open("t5");
    const auto ref = fixtures::readJson(fixtures::goldenDir() / "t5" / "expected.json")["cases"][0];
    const PreparedInput p = prepareInput(*cp, textInput(ref["text"].get<std::string>()));
    QCOMPARE(p.forward.ids, ref["ids"].get<std::vector<int>>());
    // golden/t5's config says decoder_start_token_id 0.
    QCOMPARE(cp->config().decoderStartTokenId, 0);
    QCOMPARE(p.forward.decoderIds, std::vector<int>{0});
    QCOMPARE(p.sequences.size(), std::size_t(2));
    QCOMPARE(p.sequences[0].name, std::string(kInputSequence));
    QCOMPARE(p.sequences[0].size(), int(p.forward.ids.size()));
    QCOMPARE(p.sequences[1].name, std::string(kDecoderSequence));
    QCOMPARE(p.sequences[1].ids, std::vector<int>{0});
    QCOMPARE(p.sequences[1].size(), 1);
    QVERIFY(p.sequences[1].isSpecial(0));  // the start token is T5's <pad>
}

void PreparedInputTest::encoderDecoderTargetIsTeacherForced() {
    const auto cp = open("t5");
    UserInput in = textInput("The cat sat on the mat.");
    in.target = "The cat was tired.";
    const PreparedInput p = prepareInput(*cp, in);
    const std::vector<int> forced = teacherForcedDecoderIds(*cp, *in.target);
    QCOMPARE(p.forward.decoderIds, forced);
    // The start token, then the target's ids without its final </s>.
    const std::vector<int> target = cp->encode(*in.target).ids;
    QCOMPARE(forced.size(), target.size());
    QCOMPARE(forced.front(), cp->config().decoderStartTokenId);
    QVERIFY(std::equal(forced.begin() + 1, forced.end(), target.begin()));
    QCOMPARE(p.sequences.size(), std::size_t(2));
    QCOMPARE(p.sequences[1].ids, forced);
    QCOMPARE(p.sequences[1].names.size(), forced.size());
    // Decoder ids given directly are used as they are.
    UserInput direct = textInput("The cat sat on the mat.");
    direct.decoderIds = std::vector<int>{0, 3, 180};
    QCOMPARE(prepareInput(*cp, direct).forward.decoderIds, (std::vector<int>{0, 3, 180}));
    // A target for a model without a decoder, or an empty one, is refused.
    QVERIFY(errorOf([&] { teacherForcedDecoderIds(*open("gpt2"), "x"); }).contains("this is gpt2"));
    QVERIFY(errorOf([&] { teacherForcedDecoderIds(*cp, ""); }).contains("the target text is empty"));
}

void PreparedInputTest::pixelValuesFileGivesNamedPatches_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<int>("leading");
    QTest::newRow("vit") << "vit" << 1;
    QTest::newRow("deit") << "deit" << 2;
}

void PreparedInputTest::pixelValuesFileGivesNamedPatches() {
    QFETCH(QString, family);
    QFETCH(int, leading);
    const auto cp = open(family.toStdString());
    std::vector<float> values;
    UserInput in;
    in.pixelValuesFile = writePixelValuesFile(family.toStdString(), fixtures::tmpDir() / "prepared_input", &values);
    const PreparedInput p = prepareInput(*cp, in);
    QCOMPARE((std::vector<int>{p.forward.pixels.channels, p.forward.pixels.height, p.forward.pixels.width}), (std::vector<int>{3, 32, 32}));
    QCOMPARE(p.forward.pixels.values, values);
    QVERIFY(p.forward.ids.empty());
    QCOMPARE(p.sequences.size(), std::size_t(1));
    const TokenSequence& s = p.sequences[0];
    QCOMPARE(s.size(), leading + 16);  // a 4x4 grid of 8x8 patches
    QCOMPARE(s.names[0], std::string("[CLS]"));
    if (leading == 2) QCOMPARE(s.names[1], std::string("[DIST]"));
    QCOMPARE(s.names[std::size_t(leading)], std::string("0,0"));
    QCOMPARE(s.names[std::size_t(leading) + 1], std::string("0,1"));
    QCOMPARE(s.names[std::size_t(leading) + 4], std::string("1,0"));
    QCOMPARE(s.names.back(), std::string("3,3"));
    for (int i = 0; i < s.size(); ++i) QCOMPARE(s.isSpecial(i), i < leading);
    QCOMPARE((std::vector<int>{s.patches.rows, s.patches.columns, s.patches.firstPatchToken}), (std::vector<int>{4, 4, leading}));
    // What the model sees, back as an 8-bit image of the model's size.
    QCOMPARE(p.seenImage.width, 32);
    QCOMPARE(p.seenImage.height, 32);
    QCOMPARE(p.seenImage.pixels.size(), std::size_t(32 * 32 * 3));
}

void PreparedInputTest::imageFileNeedsADecoder() {
    const auto cp = open("vit");
    UserInput in;
    in.imageFile = "cat.png";
    const QString err = errorOf([&] { prepareInput(*cp, in); });
    QVERIFY2(err.contains("cat.png: this program cannot decode image files; give a pixel-values file instead"), qPrintable(err));
    // With a decoder, its image is preprocessed to the model's size.
    int calls = 0;
    const ImageDecoder decode = [&](const std::string& path) {
        ++calls;
        if (path != "cat.png") throw Error("unexpected path " + path);
        RgbImage img;
        img.width = 48;
        img.height = 40;
        img.pixels.assign(std::size_t(48 * 40 * 3), 200);
        return img;
    };
    const PreparedInput p = prepareInput(*cp, in, decode);
    QCOMPARE(calls, 1);
    QCOMPARE((std::vector<int>{p.forward.pixels.channels, p.forward.pixels.height, p.forward.pixels.width}), (std::vector<int>{3, 32, 32}));
    QCOMPARE(p.forward.pixels.values.size(), std::size_t(3 * 32 * 32));
    QCOMPARE(p.sequences.at(0).size(), 17);
}

void PreparedInputTest::emptyTextIsRefused() {
    const auto cp = open("bert");
    const QString err = errorOf([&] { prepareInput(*cp, textInput("")); });
    QVERIFY2(err.contains("the text is empty"), qPrintable(err));
    // And input that does not fit is refused with inputMismatch's message.
    UserInput image;
    image.imageFile = "cat.png";
    QVERIFY(errorOf([&] { prepareInput(*cp, image); }).contains("bert is a text model"));
}

void PreparedInputTest::folderWithoutTokenizerAsksForIds() {
    const fs::path dir = fixtures::tmpDir() / "prepared_input" / "bert_without_tokenizer";
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const char* f : {"config.json", "model.safetensors"}) fs::copy(goldenModel("bert") / f, dir / f);
    const auto cp = Checkpoint::open(dir);
    QVERIFY(!cp->tokenizer());
    const QString err = errorOf([&] { prepareInput(*cp, textInput("the cat sat")); });
    QVERIFY2(err.contains("no tokenizer"), qPrintable(err));
    QVERIFY2(err.contains("give token ids"), qPrintable(err));
    // Ids still work, named by their numbers.
    UserInput ids;
    ids.ids = std::vector<int>{2, 92, 3};
    const PreparedInput p = prepareInput(*cp, ids);
    QCOMPARE(p.forward.ids, (std::vector<int>{2, 92, 3}));
    QCOMPARE(p.sequences.at(0).names, (std::vector<std::string>{"2", "92", "3"}));
    QCOMPARE(p.sequences.at(0).special, (std::vector<bool>{false, false, false}));
}

QTEST_APPLESS_MAIN(PreparedInputTest)
#include "test_prepared_input.moc"
