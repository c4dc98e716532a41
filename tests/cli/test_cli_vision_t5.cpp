// attnscope-cli attention for vision transformers (--image, --pixel-values) and T5
// (--target, --decoder-ids): the written tensors match the reference.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "CliRunner.h"
#include "GoldenFixtures.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"

using attnscope::SafetensorsFile;

namespace {

using Run = fixtures::CliRun;
using fixtures::runCli;

QString path(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

// The largest difference of two tensors of the same shape (infinity for another shape, a
// missing tensor, or NaN or Inf in either).
double maxDiff(const SafetensorsFile& a, const std::string& nameA, const SafetensorsFile& b, const std::string& nameB) {
    const auto* ta = a.find(nameA);
    const auto* tb = b.find(nameB);
    if (!ta || !tb || ta->shape != tb->shape) return INFINITY;
    return fixtures::maxAbsDiff(a.toFloat(*ta), b.toFloat(*tb));
}

bool builtWithImageReaders() {
    // A vision model with an image the CLI cannot read reports exit 3; without readers, 2.
    return runCli({"attention", path(fixtures::goldenDir() / "vit" / "model"), "--image", "/nonexistent.png", "--out",
                   "/tmp/unused.safetensors"})
               .exitCode == 3;
}

}  // namespace

class CliVisionT5Test : public QObject {
    Q_OBJECT
private slots:
    void pixelValuesGiveReferenceAttention_data();
    void pixelValuesGiveReferenceAttention();
    void imageIsPreprocessedLikeTheReference();
    void t5DecoderIdsGiveAllThreeAttentions_data();
    void t5DecoderIdsGiveAllThreeAttentions();
    void t5TargetIsTeacherForced();
    void t5WithoutTargetReadsTheStartToken();
    void wrongInputsForTheModelKind_data();
    void wrongInputsForTheModelKind();
};

void CliVisionT5Test::pixelValuesGiveReferenceAttention_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<int>("caseIndex");
    for (const char* f : {"vit", "deit"})
        for (int i = 0; i < 3; ++i) QTest::addRow("%s/case%d", f, i) << QString(f) << i;
}

void CliVisionT5Test::pixelValuesGiveReferenceAttention() {
    QFETCH(QString, family);
    QFETCH(int, caseIndex);
    const auto dir = fixtures::goldenDir() / family.toStdString();
    SafetensorsFile golden(dir / "expected.safetensors");
    const std::string key = "case" + std::to_string(caseIndex) + ".";
    QTemporaryDir tmp;
    const auto* px = golden.find(key + "pixel_values");
    attnscope::SafetensorsWriter w;
    w.add("pixel_values", px->shape, golden.toFloat(*px).data());
    w.write(tmp.filePath("px.safetensors").toStdString());

    const QString out = tmp.filePath("out.safetensors");
    const Run r = runCli({"attention", path(dir / "model"), "--pixel-values", tmp.filePath("px.safetensors"), "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    SafetensorsFile file(out.toStdString());
    QVERIFY(maxDiff(file, "attentions", golden, key + "attentions") <= 1e-4);
    QVERIFY(maxDiff(file, "logits", golden, key + "logits") <= 1e-4);
    QCOMPARE(file.find("logits")->shape, golden.find(key + "logits")->shape);
    QCOMPARE(file.find("pixel_values")->shape, px->shape);
    const auto tokens = nlohmann::json::parse(file.metadata().at("tokens"));
    QCOMPARE(tokens.size(), std::size_t(file.find("attentions")->shape[2]));
    QCOMPARE(tokens[0].get<std::string>(), std::string("[CLS]"));
}

void CliVisionT5Test::imageIsPreprocessedLikeTheReference() {
    if (!builtWithImageReaders()) QSKIP("attnscope-cli was built without Qt's image readers");
    const auto dir = fixtures::goldenDir() / "deit";
    QTemporaryDir tmp;
    const QString out = tmp.filePath("out.safetensors");
    const Run r = runCli({"attention", path(dir / "model"), "--image", path(dir / "image0.png"), "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    SafetensorsFile file(out.toStdString()), golden(dir / "expected.safetensors");
    // Within one 8-bit step before normalisation (std 0.224..0.229).
    QVERIFY(maxDiff(file, "pixel_values", golden, "case0.pixel_values") <= 1.0 / 255 / 0.224 + 1e-5);
}

void CliVisionT5Test::t5DecoderIdsGiveAllThreeAttentions_data() {
    QTest::addColumn<int>("caseIndex");
    for (int i = 0; i < 4; ++i) QTest::addRow("case%d", i) << i;
}

void CliVisionT5Test::t5DecoderIdsGiveAllThreeAttentions() {
    QFETCH(int, caseIndex);
    const auto dir = fixtures::goldenDir() / "t5";
    const auto expected = fixtures::readJson(dir / "expected.json");
    const auto& c = expected["cases"][caseIndex];
    QStringList ids;
    for (int id : c["decoder_input_ids"]) ids << QString::number(id);
    QTemporaryDir tmp;
    const QString out = tmp.filePath("t5.safetensors");
    const Run r = runCli({"attention", path(dir / "model"), "--text", QString::fromStdString(c["text"].get<std::string>()),
                          "--decoder-ids", ids.join(','), "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    SafetensorsFile file(out.toStdString()), golden(dir / "expected.safetensors");
    const std::string key = "case" + std::to_string(caseIndex) + ".";
    for (const char* name : {"encoder_attentions", "decoder_attentions", "cross_attentions"}) {
        QCOMPARE(file.find(name)->shape, golden.find(key + name)->shape);
        QVERIFY2(maxDiff(file, name, golden, key + name) <= 1e-4, name);
    }
    QVERIFY(nlohmann::json::parse(file.metadata().at("tokens")) == c["tokens"]);
}

void CliVisionT5Test::t5TargetIsTeacherForced() {
    const auto dir = fixtures::goldenDir() / "t5";
    QTemporaryDir tmp;
    const QString out = tmp.filePath("t5.safetensors");
    const Run r = runCli({"attention", path(dir / "model"), "--text", "The cat sat.", "--target", "Attention is all you need.",
                          "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    // The decoder sees the start token, then the target's ids without the final </s>.
    const auto expected = fixtures::readJson(dir / "expected.json");
    std::vector<int> targetIds = expected["cases"][1]["ids"];  // "Attention is all you need." + </s>
    std::vector<int> decoder{0};
    decoder.insert(decoder.end(), targetIds.begin(), targetIds.end() - 1);
    SafetensorsFile file(out.toStdString());
    QVERIFY(nlohmann::json::parse(file.metadata().at("decoder_ids")) == nlohmann::json(decoder));
    QCOMPARE(file.find("cross_attentions")->shape[2], std::int64_t(decoder.size()));
}

// As in the app and render: without a target the decoder reads its start token alone.
void CliVisionT5Test::t5WithoutTargetReadsTheStartToken() {
    QTemporaryDir tmp;
    const QString out = tmp.filePath("t5.safetensors");
    const Run r = runCli({"attention", path(fixtures::goldenDir() / "t5" / "model"), "--text", "The cat sat.", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    SafetensorsFile file(out.toStdString());
    QVERIFY(nlohmann::json::parse(file.metadata().at("decoder_ids")) == nlohmann::json(std::vector<int>{0}));
    QCOMPARE(file.find("decoder_attentions")->shape, (std::vector<std::int64_t>{2, 4, 1, 1}));
    QCOMPARE(file.find("cross_attentions")->shape[2], std::int64_t(1));
}

void CliVisionT5Test::wrongInputsForTheModelKind_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    const QString vit = path(fixtures::goldenDir() / "vit" / "model");
    const QString bert = path(fixtures::goldenDir() / "bert" / "model");
    const QString t5 = path(fixtures::goldenDir() / "t5" / "model");
    QTest::newRow("text to a vision model") << QStringList{"attention", vit, "--text", "hi", "--out", "/tmp/x"} << 2;
    QTest::newRow("image to a text model") << QStringList{"attention", bert, "--pixel-values", "/tmp/x", "--out", "/tmp/x"} << 2;
    QTest::newRow("target to bert") << QStringList{"attention", bert, "--text", "hi", "--target", "x", "--out", "/tmp/x"} << 2;
    QTest::newRow("bad decoder ids") << QStringList{"attention", t5, "--text", "hi", "--decoder-ids", "0,x", "--out", "/tmp/x"} << 2;
    QTest::newRow("missing pixel file") << QStringList{"attention", vit, "--pixel-values", "/nonexistent.st", "--out", "/tmp/x"} << 3;
    QTest::newRow("image for info") << QStringList{"info", vit, "--image", "/tmp/x.png"} << 2;
}

void CliVisionT5Test::wrongInputsForTheModelKind() {
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    const Run r = runCli(args);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.startsWith("error: ") && r.err.count('\n') == 1, r.err.constData());
}

QTEST_GUILESS_MAIN(CliVisionT5Test)
#include "test_cli_vision_t5.moc"
