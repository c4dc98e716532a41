// The attnscope-cli error contract for every kind of bad input a user can hand it: exit 3,
// exactly one "error: ..." line on stderr that names what is wrong, nothing on stdout, no
// output file left behind, and no crash or hang. One data row per bad input.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>

#include "CliRunner.h"
#include "CraftedPng.h"
#include "GoldenFixtures.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"

namespace fs = std::filesystem;
using fixtures::runCli;

namespace {

QString str(const fs::path& p) { return QString::fromStdString(p.string()); }

fs::path copyGoldenModel(const char* family, const fs::path& to) {
    fixtures::copyFolder(fixtures::goldenDir() / family / "model", to);
    return to;
}

void writeBytes(const fs::path& file, const QByteArray& bytes) {
    QFile f(str(file));
    if (!f.open(QIODevice::WriteOnly)) throw std::runtime_error("cannot write " + file.string());
    f.write(bytes);
}

QByteArray readBytes(const fs::path& file) {
    QFile f(str(file));
    if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error("cannot read " + file.string());
    return f.readAll();
}

void editConfig(const fs::path& folder, const std::function<void(nlohmann::json&)>& edit) {
    auto config = fixtures::readJson(folder / "config.json");
    edit(config);
    std::ofstream(folder / "config.json", std::ios::trunc) << config.dump();
}

// Rewrites a checkpoint's weights as float32, letting `edit` change any tensor's values.
void rewriteWeights(const fs::path& folder, const std::function<void(const std::string&, std::vector<float>&)>& edit) {
    std::vector<std::pair<attnscope::TensorInfo, std::vector<float>>> tensors;
    {
        attnscope::SafetensorsFile in(folder / "model.safetensors");
        for (const auto& t : in.tensors()) tensors.emplace_back(t, in.toFloat(t));
    }
    attnscope::SafetensorsWriter out;
    for (auto& [info, values] : tensors) {
        edit(info.name, values);
        out.add(info.name, info.shape, values.data());
    }
    out.write(folder / "model.safetensors");
}

void writePixelValues(const fs::path& file, std::vector<std::int64_t> shape, float fill) {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<float> values(static_cast<std::size_t>(n), 0.25f);
    values[values.size() / 2] = fill;
    attnscope::SafetensorsWriter w;
    w.add("pixel_values", shape, values.data());
    w.write(file);
}

// A pickle that calls os.system as soon as it is loaded, the classic malicious
// pytorch_model.bin; `marker` exists afterwards only if it ran.
QByteArray osSystemPickle(const fs::path& marker) {
    const QByteArray command = QByteArray("touch ") + marker.string().c_str();
    QByteArray p("\x80\x02", 2);
    p += "cposix\nsystem\n";
    p += 'X';
    const quint32 n = quint32(command.size());
    for (int i = 0; i < 4; ++i) p += char((n >> (8 * i)) & 0xff);
    p += command;
    p += "\x85R.";
    return p;
}

struct BadInput {
    const char* name;
    // Makes the bad input under `dir` and returns the arguments; `out` is the output path.
    std::function<QStringList(const fs::path& dir, const QString& out)> prepare;
    QStringList mustContain;  // fragments the one error line must hold
};

// Broken checkpoints: weights and tokenizers.
std::vector<BadInput> badCheckpoints() {
    return {
        {"tensor with the wrong shape",
         [](const fs::path& dir, const QString& out) {
             const auto m = copyGoldenModel("bert", dir / "m");
             editConfig(m, [](auto& c) { c["intermediate_size"] = 48; });
             return QStringList{"attention", str(m), "--text", "hello", "--out", out};
         },
         {"model.safetensors", "intermediate.dense.weight", "expected [48, 32]", "config.json"}},
        {"NaN weight in layer 1",
         [](const fs::path& dir, const QString& out) {
             const auto m = copyGoldenModel("bert", dir / "m");
             rewriteWeights(m, [](const std::string& name, std::vector<float>& v) {
                 if (name == "encoder.layer.1.attention.self.query.weight") v[3] = std::numeric_limits<float>::quiet_NaN();
             });
             return QStringList{"attention", str(m), "--text", "hello world", "--out", out};
         },
         {"layer 1", "non-finite"}},
        {"infinite embedding",
         [](const fs::path& dir, const QString& out) {
             const auto m = copyGoldenModel("gpt2", dir / "m");
             rewriteWeights(m, [](const std::string& name, std::vector<float>& v) {
                 if (name.find("wte.weight") != std::string::npos) std::fill(v.begin(), v.end(), INFINITY);
             });
             return QStringList{"attention", str(m), "--ids", "5,6,7", "--out", out};
         },
         {"layer 0", "non-finite"}},
        {"no tokenizer, text given",
         [](const fs::path& dir, const QString& out) {
             const auto m = copyGoldenModel("gpt2", dir / "m");
             for (const char* f : {"tokenizer.json", "vocab.json", "merges.txt"}) fs::remove(m / f);
             return QStringList{"attention", str(m), "--text", "hello", "--out", out};
         },
         {"no tokenizer", "token ids"}},
        {"broken tokenizer.json, text given",
         [](const fs::path& dir, const QString& out) {
             const auto m = copyGoldenModel("bert", dir / "m");
             std::ofstream(m / "tokenizer.json", std::ios::trunc) << R"({"model": {"type": "WordPiece", "vocab": 7}})";
             return QStringList{"attention", str(m), "--text", "hello", "--out", out};
         },
         {"tokenizer.json", "model.vocab", "token ids"}},
        {"merges.txt line with one token",
         [](const fs::path& dir, const QString&) {
             const auto m = copyGoldenModel("gpt2", dir / "m");
             fs::remove(m / "tokenizer.json");
             std::ofstream(m / "merges.txt", std::ios::app) << "lonely\n";
             return QStringList{"tokenize", str(m), "--text", "hello"};
         },
         {"merges.txt", "line", "two tokens"}},
        {"empty vocab.txt",
         [](const fs::path& dir, const QString&) {
             const auto m = copyGoldenModel("bert", dir / "m");
             fs::remove(m / "tokenizer.json");
             std::ofstream(m / "vocab.txt", std::ios::trunc);
             return QStringList{"tokenize", str(m), "--text", "hello"};
         },
         {"vocab.txt", "empty"}},
    };
}

// Bad inputs: texts, ids, images, pixel values, a code-running pickle, paths.
std::vector<BadInput> badArguments() {
    return {
        {"empty text",
         [](const fs::path&, const QString& out) {
             return QStringList{"attention", str(fixtures::goldenDir() / "gpt2" / "model"), "--text", "", "--out", out};
         },
         {"text is empty"}},
        {"text longer than the model's positions",
         [](const fs::path&, const QString& out) {
             QStringList words;
             for (int i = 0; i < 200; ++i) words << "hello";
             return QStringList{"attention", str(fixtures::goldenDir() / "gpt2" / "model"), "--text", words.join(' '), "--out", out};
         },
         {"maximum", "64"}},
        {"token id outside the vocabulary",
         [](const fs::path&, const QString& out) {
             return QStringList{"attention", str(fixtures::goldenDir() / "bert" / "model"), "--ids", "2,999999,3", "--out", out};
         },
         {"999999", "out of range"}},
        {"image that is not an image",
         [](const fs::path& dir, const QString& out) {
             writeBytes(dir / "notes.png", "these are my notes, not a picture");
             return QStringList{"attention", str(fixtures::goldenDir() / "vit" / "model"), "--image", str(dir / "notes.png"), "--out", out};
         },
         {"notes.png"}},
        {"truncated image",
         [](const fs::path& dir, const QString& out) {
             const QByteArray png = readBytes(fixtures::goldenDir() / "vit" / "image2.png");
             writeBytes(dir / "cut.png", png.left(png.size() / 2));
             return QStringList{"attention", str(fixtures::goldenDir() / "vit" / "model"), "--image", str(dir / "cut.png"), "--out", out};
         },
         {"cut.png"}},
        {"truncated image, rendered",
         [](const fs::path& dir, const QString&) {
             const QByteArray png = readBytes(fixtures::goldenDir() / "vit" / "image2.png");
             writeBytes(dir / "cut.png", png.left(png.size() / 2));
             return QStringList{"render", str(fixtures::goldenDir() / "vit" / "model"), "--image", str(dir / "cut.png"),
                                "--out", str(dir / "out.safetensors.png")};
         },
         {"cut.png"}},
        {"image claiming 100000 x 100000 pixels",
         [](const fs::path& dir, const QString& out) {
             writeBytes(dir / "huge.png", fixtures::pngHeaderClaiming(100000, 100000));
             return QStringList{"attention", str(fixtures::goldenDir() / "vit" / "model"), "--image", str(dir / "huge.png"), "--out", out};
         },
         {"huge.png", "100000 x 100000"}},
        {"pixel values holding NaN",
         [](const fs::path& dir, const QString& out) {
             writePixelValues(dir / "px.safetensors", {3, 32, 32}, std::numeric_limits<float>::quiet_NaN());
             return QStringList{"attention", str(fixtures::goldenDir() / "vit" / "model"), "--pixel-values", str(dir / "px.safetensors"), "--out", out};
         },
         {"px.safetensors", "NaN or Inf"}},
        {"pixel values of the wrong size",
         [](const fs::path& dir, const QString& out) {
             writePixelValues(dir / "px.safetensors", {3, 8, 8}, 0.5f);
             return QStringList{"attention", str(fixtures::goldenDir() / "vit" / "model"), "--pixel-values", str(dir / "px.safetensors"), "--out", out};
         },
         {"8"}},
        {"pytorch_model.bin calling os.system",
         [](const fs::path& dir, const QString& out) {
             const auto m = copyGoldenModel("bert", dir / "m");
             fs::remove(m / "model.safetensors");
             writeBytes(m / "pytorch_model.bin", osSystemPickle(dir / "pwned"));
             return QStringList{"attention", str(m), "--text", "hello", "--out", out};
         },
         {"pytorch_model.bin", "refused", "posix.system"}},
        {"model reference that is a file",
         [](const fs::path&, const QString&) {
             return QStringList{"info", str(fixtures::goldenDir() / "bert" / "model" / "config.json")};
         },
         {"not a model folder or a GGUF file"}},
        {"output path that is a folder",
         [](const fs::path& dir, const QString&) {
             return QStringList{"attention", str(fixtures::goldenDir() / "bert" / "model"), "--text", "hi", "--out", str(dir)};
         },
         {"is a folder"}},
    };
}

const std::vector<BadInput>& badInputs() {
    static const std::vector<BadInput> cases = [] {
        std::vector<BadInput> all = badCheckpoints();
        for (BadInput& b : badArguments()) all.push_back(std::move(b));
        return all;
    }();
    return cases;
}

}  // namespace

class CliBadInputTest : public QObject {
    Q_OBJECT
private slots:
    void badInputGetsOneErrorLine_data();
    void badInputGetsOneErrorLine();
    void modelWithoutTokenizerRunsFromIds();
};

void CliBadInputTest::badInputGetsOneErrorLine_data() {
    QTest::addColumn<int>("index");
    for (std::size_t i = 0; i < badInputs().size(); ++i) QTest::newRow(badInputs()[i].name) << int(i);
}

void CliBadInputTest::badInputGetsOneErrorLine() {
    QFETCH(int, index);
    const BadInput& bad = badInputs()[static_cast<std::size_t>(index)];
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const fs::path dir(tmp.path().toStdString());
    const QString out = tmp.filePath("out.safetensors");
    const auto r = runCli(bad.prepare(dir, out));

    QVERIFY2(r.exitCode != -1, "attnscope-cli did not finish in time");
    QVERIFY2(r.exitCode != -2, "attnscope-cli crashed");
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.startsWith("error: "), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(r.out.isEmpty());
    for (const QString& fragment : bad.mustContain)
        QVERIFY2(QString::fromUtf8(r.err).contains(fragment), qPrintable(fragment + " not in: " + r.err));
    QVERIFY(!QFile::exists(out));
    QVERIFY2(!fs::exists(dir / "pwned"), "the pickle ran os.system");
    // No temporary output file is left behind either.
    for (const auto& e : fs::directory_iterator(dir))
        QVERIFY2(e.path().filename().string().find("out.safetensors") == std::string::npos, e.path().c_str());
}

void CliBadInputTest::modelWithoutTokenizerRunsFromIds() {
    QTemporaryDir tmp;
    const auto m = copyGoldenModel("gpt2", fs::path(tmp.path().toStdString()) / "m");
    for (const char* f : {"tokenizer.json", "vocab.json", "merges.txt"}) fs::remove(m / f);
    const QString out = tmp.filePath("out.safetensors");
    const auto r = runCli({"attention", str(m), "--ids", "5,6,7", "--out", out});
    QCOMPARE(r.exitCode, 0);
    attnscope::SafetensorsFile file(out.toStdString());
    QCOMPARE(file.find("attentions")->shape, (std::vector<std::int64_t>{2, 4, 3, 3}));
    QCOMPARE(file.metadata().at("tokens"), std::string(R"(["5","6","7"])"));
}

QTEST_GUILESS_MAIN(CliBadInputTest)
#include "test_cli_bad_inputs.moc"
