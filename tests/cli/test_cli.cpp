// The attnscope-cli contract: commands, JSON shapes, the attention file, exit codes and
// one-line errors, driven through the real binary.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>

#include "CliRunner.h"
#include "GoldenFixtures.h"
#include "io/SafetensorsFile.h"

using attnscope::SafetensorsFile;

namespace {

using Run = fixtures::CliRun;
using fixtures::copyFolder;
using fixtures::runCli;

QString golden(const char* rel) { return QString::fromStdString((fixtures::goldenDir() / rel).string()); }

// A failure is exactly one stderr line that starts with "error:".
void verifyOneErrorLine(const Run& r) {
    QVERIFY2(r.err.startsWith("error: "), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
}

// One data row per golden case of the five text families.
void addGoldenCaseRows() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<int>("caseIndex");
    for (const char* family : {"bert", "distilbert", "roberta", "gpt2", "llama"}) {
        const auto expected = fixtures::readJson(fixtures::goldenDir() / family / "expected.json");
        for (std::size_t i = 0; i < expected["cases"].size(); ++i)
            QTest::addRow("%s/case%zu", family, i) << QString(family) << int(i);
    }
}

}  // namespace

class CliTest : public QObject {
    Q_OBJECT
private slots:
    void infoReportsModelFacts_data();
    void infoReportsModelFacts();
    void tokenizeMatchesGolden_data();
    void tokenizeMatchesGolden();
    void tokenizeAcceptsTokenizerJson();
    void tokenizeReadsMarianSourceAndTarget();
    void attentionFileMatchesGolden_data();
    void attentionFileMatchesGolden();
    void attentionFromIdsHasLogits();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void missingFolderIsInputError();
    void malformedConfigIsInputError();
    void unknownModelTypeNamesSupportedTypes();
    void truncatedSafetensorsIsInputError();
    void missingTensorIsNamed();
    void unwritableOutputIsInputError();
    void tooLongInputIsRefused();
};

void CliTest::infoReportsModelFacts_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<int>("hidden");
    QTest::addColumn<int>("vocab");
    QTest::addColumn<int>("maxPositions");
    QTest::newRow("bert") << "bert" << 2 << 4 << 4 << 32 << 400 << 64;
    QTest::newRow("distilbert") << "distilbert" << 2 << 4 << 4 << 32 << 400 << 64;
    QTest::newRow("roberta") << "roberta" << 2 << 4 << 4 << 32 << 600 << 80;
    QTest::newRow("gpt2") << "gpt2" << 2 << 4 << 4 << 32 << 600 << 64;
    QTest::newRow("llama") << "llama" << 2 << 4 << 2 << 32 << 756 << 128;
}

void CliTest::infoReportsModelFacts() {
    QFETCH(QString, family);
    const Run r = runCli({"info", golden((family + "/model").toUtf8().constData())});
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(QString::fromStdString(j["model_type"].get<std::string>()), family);
    QTEST(j["layers"].get<int>(), "layers");
    QTEST(j["heads"].get<int>(), "heads");
    QTEST(j["kv_heads"].get<int>(), "kvHeads");
    QTEST(j["hidden"].get<int>(), "hidden");
    QTEST(j["vocab_size"].get<int>(), "vocab");
    QTEST(j["max_positions"].get<int>(), "maxPositions");
    QVERIFY(j["parameters"].get<long long>() > 0);
    QVERIFY(!j.contains("id2label"));
    // How the attention is computed (model/ModelDescription.h): every golden model here has head_dim 8.
    QCOMPARE(j["attention"]["head_dim"].get<int>(), 8);
    QCOMPARE(j["attention"]["layers"].size(), std::size_t(2));
    QCOMPARE(j["attention"].contains("rope"), family == "llama");
}

void CliTest::tokenizeMatchesGolden_data() { addGoldenCaseRows(); }

void CliTest::tokenizeMatchesGolden() {
    QFETCH(QString, family);
    QFETCH(int, caseIndex);
    const auto expected = fixtures::readJson(fixtures::goldenDir() / family.toStdString() / "expected.json");
    const auto& c = expected["cases"][caseIndex];
    QStringList args{"tokenize", golden((family + "/model").toUtf8().constData()), "--text",
                     QString::fromStdString(c["text"].get<std::string>())};
    if (c.contains("text_pair")) args << "--pair" << QString::fromStdString(c["text_pair"].get<std::string>());
    const Run r = runCli(args);
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QVERIFY(j["ids"] == c["ids"]);
    QVERIFY(j["tokens"] == c["tokens"]);
    QVERIFY(j["offsets"] == c["offsets"]);
    QVERIFY(j["type_ids"] == c["type_ids"]);
}

void CliTest::tokenizeAcceptsTokenizerJson() {
    const auto expected = fixtures::readJson(fixtures::goldenDir() / "tokenizers" / "expected.json");
    const auto& c = expected["wordpiece"][2];
    const Run r = runCli({"tokenize", golden("tokenizers/wordpiece.json"), "--text", QString::fromStdString(c["text"])});
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QVERIFY(j["ids"] == c["ids"]);
}

// An OPUS-MT folder has no tokenizer.json: source.spm reads --text, target.spm --target
// (reference ids from spm_encode, tests/fixtures/sentencepiece/).
void CliTest::tokenizeReadsMarianSourceAndTarget() {
    const auto dir = std::filesystem::path(ATTNSCOPE_FIXTURES_DIR) / "sentencepiece";
    const auto reference = fixtures::readJson(dir / "reference.json")["marian"];
    const std::string text = reference["source"][0]["text"];
    QCOMPARE(reference["target"][0]["text"].get<std::string>(), text);
    const Run r = runCli({"tokenize", QString::fromStdString((dir / "marian").string()), "--text", QString::fromStdString(text),
                          "--target", QString::fromStdString(text)});
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QVERIFY(j["ids"] == reference["source"][0]["ids"]);
    QVERIFY(j["target"]["ids"] == reference["target"][0]["ids"]);
    QVERIFY(j["ids"] != j["target"]["ids"]);  // the two SentencePiece models differ on it
}

void CliTest::attentionFileMatchesGolden_data() { addGoldenCaseRows(); }

void CliTest::attentionFileMatchesGolden() {
    QFETCH(QString, family);
    QFETCH(int, caseIndex);
    const auto dir = fixtures::goldenDir() / family.toStdString();
    const auto expected = fixtures::readJson(dir / "expected.json");
    const auto& c = expected["cases"][caseIndex];
    QTemporaryDir tmp;
    const QString out = tmp.filePath("att.safetensors");
    QStringList args{"attention", golden((family + "/model").toUtf8().constData()), "--text",
                     QString::fromStdString(c["text"].get<std::string>()), "--out", out};
    if (c.contains("text_pair")) args << "--pair" << QString::fromStdString(c["text_pair"].get<std::string>());
    const Run r = runCli(args);
    QVERIFY2(r.exitCode == 0, r.err.constData());

    SafetensorsFile file(out.toStdString());
    SafetensorsFile ref(dir / "expected.safetensors");
    const std::string key = "case" + std::to_string(caseIndex) + ".";
    const auto* att = file.find("attentions");
    const auto* refAtt = ref.find(key + "attentions");
    QVERIFY(att && refAtt);
    QCOMPARE(att->dtype, attnscope::DType::F32);
    QCOMPARE(att->shape, refAtt->shape);
    const auto a = file.toFloat(*att), b = ref.toFloat(*refAtt);
    double diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::abs(double(a[i]) - b[i]));
    QVERIFY2(diff <= 1e-4, qPrintable(QString::number(diff)));

    QVERIFY(nlohmann::json::parse(file.metadata().at("tokens")) == c["tokens"]);
    QCOMPARE(file.find("logits") != nullptr, ref.find(key + "logits") != nullptr);
}

void CliTest::attentionFromIdsHasLogits() {
    QTemporaryDir tmp;
    const QString out = tmp.filePath("ids.safetensors");
    const Run r = runCli({"attention", golden("gpt2/model"), "--ids", "5,17,42", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    SafetensorsFile file(out.toStdString());
    QCOMPARE(file.find("attentions")->shape, (std::vector<std::int64_t>{2, 4, 3, 3}));
    QCOMPARE(file.find("logits")->shape, (std::vector<std::int64_t>{3, 600}));
    QCOMPARE(nlohmann::json::parse(file.metadata().at("tokens")).size(), std::size_t(3));
}

void CliTest::usageErrorsExitTwo_data() {
    QTest::addColumn<QStringList>("args");
    const QString bert = golden("bert/model");
    QTest::newRow("no arguments") << QStringList{};
    QTest::newRow("unknown command") << QStringList{"explode", bert};
    QTest::newRow("missing model") << QStringList{"info"};
    QTest::newRow("unknown option") << QStringList{"info", bert, "--frobnicate"};
    QTest::newRow("tokenize without text") << QStringList{"tokenize", bert};
    QTest::newRow("attention without out") << QStringList{"attention", bert, "--text", "hi"};
    QTest::newRow("attention with text and ids") << QStringList{"attention", bert, "--text", "hi", "--ids", "1", "--out", "x"};
    QTest::newRow("malformed ids") << QStringList{"attention", bert, "--ids", "1,x,3", "--out", "x"};
    QTest::newRow("extra argument") << QStringList{"info", bert, "more"};
}

void CliTest::usageErrorsExitTwo() {
    QFETCH(QStringList, args);
    const Run r = runCli(args);
    QCOMPARE(r.exitCode, 2);
    verifyOneErrorLine(r);
}

void CliTest::missingFolderIsInputError() {
    const Run r = runCli({"info", "/nonexistent/model"});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY(r.err.contains("/nonexistent/model"));
}

void CliTest::malformedConfigIsInputError() {
    QTemporaryDir tmp;
    const auto dir = std::filesystem::path(tmp.path().toStdString()) / "m";
    copyFolder(fixtures::goldenDir() / "bert" / "model", dir);
    std::ofstream(dir / "config.json", std::ios::trunc) << "{\"model_type\": \"bert\", \"hidden_size\": ";
    const Run r = runCli({"info", QString::fromStdString(dir.string())});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY(r.err.contains("config.json"));

    std::ofstream(dir / "config.json", std::ios::trunc) << R"({"model_type": "bert", "num_hidden_layers": 2})";
    const Run missingKey = runCli({"info", QString::fromStdString(dir.string())});
    QCOMPARE(missingKey.exitCode, 3);
    verifyOneErrorLine(missingKey);
    QVERIFY(missingKey.err.contains("num_attention_heads"));
}

void CliTest::unknownModelTypeNamesSupportedTypes() {
    QTemporaryDir tmp;
    const auto dir = std::filesystem::path(tmp.path().toStdString());
    std::ofstream(dir / "config.json") << R"({"model_type": "mamba"})";
    const Run r = runCli({"info", tmp.path()});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY(r.err.contains("mamba"));
    QVERIFY(r.err.contains("bert"));
    QVERIFY(r.err.contains("llama"));
}

void CliTest::truncatedSafetensorsIsInputError() {
    QTemporaryDir tmp;
    const auto dir = std::filesystem::path(tmp.path().toStdString()) / "m";
    copyFolder(fixtures::goldenDir() / "bert" / "model", dir);
    const auto weights = dir / "model.safetensors";
    std::filesystem::resize_file(weights, std::filesystem::file_size(weights) / 2);
    for (const char* command : {"info", "attention"}) {
        QStringList args{command, QString::fromStdString(dir.string())};
        if (QString(command) == "attention") args << "--text" << "hello" << "--out" << tmp.filePath("o.safetensors");
        const Run r = runCli(args);
        QCOMPARE(r.exitCode, 3);
        verifyOneErrorLine(r);
        QVERIFY(r.err.contains("model.safetensors"));
        QVERIFY(r.err.contains("truncated"));
    }
    std::filesystem::resize_file(weights, 5);
    const Run tiny = runCli({"info", QString::fromStdString(dir.string())});
    QCOMPARE(tiny.exitCode, 3);
    verifyOneErrorLine(tiny);
}

void CliTest::missingTensorIsNamed() {
    // The masked-LM checkpoint stores its encoder under "bert."; a config claiming more layers
    // than stored must name the first tensor it cannot find.
    QTemporaryDir tmp;
    const auto dir = std::filesystem::path(tmp.path().toStdString()) / "m";
    copyFolder(fixtures::goldenDir() / "bert_mlm" / "model", dir);
    auto config = fixtures::readJson(dir / "config.json");
    config["num_hidden_layers"] = 3;
    std::ofstream(dir / "config.json", std::ios::trunc) << config.dump();
    const Run r = runCli({"info", QString::fromStdString(dir.string())});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY2(r.err.contains("bert.encoder.layer.2."), r.err.constData());
}

void CliTest::unwritableOutputIsInputError() {
    const Run r = runCli({"attention", golden("bert/model"), "--text", "hi", "--out", "/nonexistent/dir/out.safetensors"});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY(r.err.contains("/nonexistent/dir/out.safetensors"));
}

void CliTest::tooLongInputIsRefused() {
    QStringList ids;
    for (int i = 0; i < 65; ++i) ids << "5";
    const Run r = runCli({"attention", golden("bert/model"), "--ids", ids.join(','), "--out", "/tmp/unused.safetensors"});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY(r.err.contains("64"));
}

QTEST_GUILESS_MAIN(CliTest)
#include "test_cli.moc"
