// `attnscope-cli render`: every format and view through the real binary, the NPY against the
// `attention` command's raw weights, and the exit codes of bad command lines.
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include <cmath>
#include <cstring>

#include "GoldenFixtures.h"
#include "ImageChecks.h"
#include "NpyReading.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList& args) {
    QProcess p;
    p.start(QString(ATTNSCOPE_CLI_PATH), args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        return {};
    }
    Run r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString bert() { return QString::fromStdString((fixtures::goldenDir() / "bert" / "model").string()); }
QString stories() { return QString::fromStdString((fixtures::modelsDir() / "stories260k").string()); }
QString golden(const std::string& path) { return QString::fromStdString((fixtures::goldenDir() / path).string()); }
QString mnist() { return QString::fromStdString((fixtures::modelsDir() / "vit-mnist3").string()); }
const QString kText = QStringLiteral("the cat sat on the mat");

void verifyOneErrorLine(const Run& r) {
    QVERIFY2(r.err.startsWith("error: "), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
}

// Width and height from a PNG's IHDR chunk.
QSize pngSize(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray head = f.read(24);
    if (head.size() < 24 || !head.startsWith("\x89PNG\r\n\x1a\n") || head.mid(12, 4) != "IHDR") return {};
    auto be32 = [&](int at) {
        return (static_cast<unsigned char>(head[at]) << 24) | (static_cast<unsigned char>(head[at + 1]) << 16) |
               (static_cast<unsigned char>(head[at + 2]) << 8) | static_cast<unsigned char>(head[at + 3]);
    };
    return {be32(16), be32(20)};
}

using Npy = fixtures::NpyFile;
using fixtures::readNpy;

int countTexts(const QString& svgPath, const QString& content) {
    QFile f(svgPath);
    if (!f.open(QIODevice::ReadOnly)) return -1;
    QXmlStreamReader xml(&f);
    int n = 0;
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("text") &&
            xml.readElementText(QXmlStreamReader::IncludeChildElements) == content)
            ++n;
    return xml.hasError() ? -1 : n;
}

}  // namespace

class CliRenderTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void everyViewAndFormat_data();
    void everyViewAndFormat();
    void sizeSetsTheLongerSide();
    void npyIsTheDisplayedMatrix();
    void npyHardAndRollout();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void inputErrorsExitThree_data();
    void inputErrorsExitThree();
    void otherCommandsRefuseRenderOptions();
    void overlayOfAnImage_data();
    void overlayOfAnImage();
    void overlayOfPixelValues();
    void visionNpyIsTheDisplayedMatrix();
    void encoderDecoderStacks();
    void alignmentDrawsCrossAttentionOnly();
    void attentionFileRendersWithoutTheModel();
    void ggufFileRendersAsAModel();
    void visionAndEncoderDecoderUsageErrors_data();
    void visionAndEncoderDecoderUsageErrors();
    void logitLensFigure();
    void attributionFigure();
    void differenceMaps();

private:
    QTemporaryDir tmp_;
};

void CliRenderTest::initTestCase() {
    QVERIFY(tmp_.isValid());
    const Run r = runCli({"render", bert(), "--text", "hi", "--out", tmp_.filePath("probe.png")});
    if (r.err.contains("built without")) QSKIP("this attnscope-cli has no render command (built without the GUI)");
    QVERIFY2(r.exitCode == 0, r.err.constData());
}

void CliRenderTest::everyViewAndFormat_data() {
    QTest::addColumn<QString>("view");
    QTest::addColumn<QString>("format");
    for (const char* view : {"matrix", "heads", "grid", "tokens"})
        for (const char* format : {"png", "svg", "pdf", "npy"}) QTest::addRow("%s.%s", view, format) << QString(view) << QString(format);
}

void CliRenderTest::everyViewAndFormat() {
    QFETCH(QString, view);
    QFETCH(QString, format);
    const QString out = tmp_.filePath(view + "." + format);
    const Run r = runCli({"render", bert(), "--text", kText, "--pair", "a dog ran", "--layer", "1", "--head", "2", "--view", view,
                          "--query", "3", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.err.isEmpty());
    QVERIFY(QFile::exists(out));
    if (format == "png") {
        const QSize size = pngSize(out);
        QVERIFY(size.width() > 100 && size.height() > 50);
        QVERIFY(imagechecks::showsDrawing(QImage(out)));
    } else if (format == "svg") {
        // Token labels are real text: "cat" once per axis or column (the grid has none).
        const int expected = view == "grid" ? 0 : view == "tokens" ? 1 : 2;
        QCOMPARE(countTexts(out, "cat"), expected);
    } else if (format == "pdf") {
        QProcess info;
        info.start("pdfinfo", {out});
        QVERIFY(info.waitForFinished(30000));
        QCOMPARE(info.exitCode(), 0);
        QVERIFY(info.readAllStandardOutput().contains("Pages:"));
    } else {
        const Npy npy = readNpy(out);
        QVERIFY(npy.ok);
        QCOMPARE(npy.shape, (std::vector<std::int64_t>{14, 14}));
    }
}

void CliRenderTest::ggufFileRendersAsAModel() {
    // A GGUF file is a model, not an attention file: it needs an input and draws its attention.
    const QString gguf = QString::fromStdString((std::filesystem::path(ATTNSCOPE_FIXTURES_DIR) / "gguf" / "llama-q8_0.gguf").string());
    const QString out = tmp_.filePath("gguf.npy");
    Run r = runCli({"render", gguf, "--text", "Attention is all you need.", "--layer", "1", "--head", "0", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const Npy npy = readNpy(out);
    QVERIFY(npy.ok);
    QCOMPARE(npy.shape.size(), std::size_t(2));
    QVERIFY(npy.shape[0] > 4 && npy.shape[0] == npy.shape[1]);
    r = runCli({"render", gguf, "--out", out});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("render needs --text"), r.err.constData());
}

void CliRenderTest::sizeSetsTheLongerSide() {
    const QString out = tmp_.filePath("sized.png");
    Run r = runCli({"render", stories(), "--text", "Tom and his dog went to the park.", "--layer", "1", "--head", "3", "--size", "1500",
                    "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QSize size = pngSize(out);
    QCOMPARE(std::max(size.width(), size.height()), 1500);
    QVERIFY(imagechecks::showsDrawing(QImage(out)));
    r = runCli({"render", stories(), "--text", "Tom", "--view", "tokens", "--size", "16", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    size = pngSize(out);
    QCOMPARE(std::max(size.width(), size.height()), 16);
}

void CliRenderTest::npyIsTheDisplayedMatrix() {
    // The soft matrix of one head equals the raw attention the `attention` command writes.
    const QString att = tmp_.filePath("att.safetensors");
    Run r = runCli({"attention", bert(), "--text", kText, "--out", att});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    attnscope::SafetensorsFile file(att.toStdString());
    const auto* info = file.find("attentions");
    const auto all = file.toFloat(*info);
    const int heads = int(info->shape[1]), n = int(info->shape[2]);
    const QString npyPath = tmp_.filePath("head.npy");
    r = runCli({"render", bert(), "--text", kText, "--layer", "1", "--head", "3", "--view", "heads", "--out", npyPath});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const Npy npy = readNpy(npyPath);
    QVERIFY(npy.ok);
    QCOMPARE(npy.shape, (std::vector<std::int64_t>{n, n}));
    const std::size_t offset = (std::size_t(1) * heads + 3) * n * n;
    QCOMPARE(npy.values, std::vector<float>(all.begin() + offset, all.begin() + offset + std::size_t(n) * n));

    // Head mean with special tokens hidden: rows renormalised, [CLS] and [SEP] gone.
    r = runCli({"render", bert(), "--text", kText, "--head", "mean", "--hide-special", "--out", npyPath});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const Npy hidden = readNpy(npyPath);
    QCOMPARE(hidden.shape, (std::vector<std::int64_t>{n - 2, n - 2}));
    for (int row = 0; row < n - 2; ++row) {
        double sum = 0;
        for (int c = 0; c < n - 2; ++c) sum += hidden.values[row * (n - 2) + c];
        QVERIFY(std::abs(sum - 1.0) < 1e-5);
    }

    // --heads: the mean of heads 0 and 2 of layer 0, nothing else; errors for a single head or a
    // head the model lacks.
    r = runCli({"render", bert(), "--text", kText, "--head", "mean", "--heads", "0,2", "--out", npyPath});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const Npy chosen = readNpy(npyPath);
    QCOMPARE(chosen.shape, (std::vector<std::int64_t>{n, n}));
    for (std::size_t i = 0; i < std::size_t(n) * n; ++i)
        QVERIFY(std::abs(chosen.values[i] - (all[i] + all[std::size_t(2) * n * n + i]) / 2) < 1e-6f);
    QCOMPARE(runCli({"render", bert(), "--text", kText, "--heads", "0,2", "--out", npyPath}).exitCode, 2);
    r = runCli({"render", bert(), "--text", kText, "--head", "max", "--heads", "0,9", "--out", npyPath});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains("head 9 does not exist"), r.err.constData());

    // Words, not pieces: one row and column per word ("unbelievable" is three WordPieces here).
    r = runCli({"render", bert(), "--text", "The unbelievable cat sat.", "--words", "--out", npyPath});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const Npy words = readNpy(npyPath);
    QCOMPARE(words.shape, (std::vector<std::int64_t>{7, 7}));  // [CLS] the unbelievable cat sat . [SEP]
    for (int row = 0; row < 7; ++row) {
        double sum = 0;
        for (int c = 0; c < 7; ++c) sum += words.values[row * 7 + c];
        QVERIFY(std::abs(sum - 1.0) < 1e-5);
    }
}

void CliRenderTest::npyHardAndRollout() {
    const QString out = tmp_.filePath("hard.npy");
    for (const QStringList& rule : {QStringList{"--top-k", "2"}, QStringList{"--mode", "hard", "--top-k", "2"}}) {
        const Run r = runCli(QStringList{"render", bert(), "--text", kText, "--layer", "0", "--head", "1"} + rule + QStringList{"--out", out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const Npy npy = readNpy(out);
        const int n = int(npy.shape[0]);
        for (int row = 0; row < n; ++row) {
            int nonZero = 0;
            for (int c = 0; c < n; ++c) nonZero += npy.values[row * n + c] != 0.0f;
            QCOMPARE(nonZero, 2);
        }
    }
    Run r = runCli({"render", bert(), "--text", kText, "--mode", "hard", "--out", out});  // default rule: top-1
    const Npy top1 = readNpy(out);
    int nonZero = 0;
    for (float v : top1.values) nonZero += v != 0.0f;
    QCOMPARE(nonZero, int(top1.shape[0]));
    r = runCli({"render", bert(), "--text", kText, "--rollout", "--layer", "1", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const Npy rollout = readNpy(out);
    const int n = int(rollout.shape[0]);
    for (int row = 0; row < n; ++row) {
        double sum = 0;
        for (int c = 0; c < n; ++c) sum += rollout.values[row * n + c];
        QVERIFY(std::abs(sum - 1.0) < 1e-5);
    }
}

void CliRenderTest::usageErrorsExitTwo_data() {
    QTest::addColumn<QStringList>("args");
    const QString out = QStringLiteral("/tmp/attnscope-render-never.png");
    const QStringList base{"render", bert(), "--text", kText};
    QTest::newRow("unknown view") << base + QStringList{"--view", "pie", "--out", out};
    QTest::newRow("top-k 0") << base + QStringList{"--top-k", "0", "--out", out};
    QTest::newRow("top-k not a number") << base + QStringList{"--top-k", "two", "--out", out};
    QTest::newRow("two hard rules") << base + QStringList{"--top-k", "2", "--mass", "0.9", "--out", out};
    QTest::newRow("threshold above 1") << base + QStringList{"--threshold", "1.5", "--out", out};
    QTest::newRow("mass 0") << base + QStringList{"--mass", "0", "--out", out};
    QTest::newRow("rule with soft mode") << base + QStringList{"--mode", "soft", "--top-k", "2", "--out", out};
    QTest::newRow("unknown mode") << base + QStringList{"--mode", "medium", "--out", out};
    QTest::newRow("size above 8000") << base + QStringList{"--size", "8001", "--out", out};
    QTest::newRow("size below 16") << base + QStringList{"--size", "15", "--out", out};
    QTest::newRow("unknown colormap") << base + QStringList{"--colormap", "jet", "--out", out};
    QTest::newRow("unknown scale") << base + QStringList{"--scale", "cubic", "--out", out};
    QTest::newRow("bad extension") << base + QStringList{"--out", "/tmp/figure.jpg"};
    QTest::newRow("no extension") << base + QStringList{"--out", "/tmp/figure"};
    QTest::newRow("missing out") << base;
    QTest::newRow("missing text") << QStringList{"render", bert(), "--out", out};
    QTest::newRow("ids instead of text") << QStringList{"render", bert(), "--ids", "1,2", "--out", out};
    QTest::newRow("head not a number") << base + QStringList{"--head", "first", "--out", out};
    QTest::newRow("rollout with a head") << base + QStringList{"--rollout", "--head", "1", "--out", out};
    QTest::newRow("layer not a number") << base + QStringList{"--layer", "x", "--out", out};
}

void CliRenderTest::usageErrorsExitTwo() {
    QFETCH(QStringList, args);
    const Run r = runCli(args);
    QCOMPARE(r.exitCode, 2);
    verifyOneErrorLine(r);
    QVERIFY(!QFile::exists("/tmp/attnscope-render-never.png"));
}

void CliRenderTest::inputErrorsExitThree_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const QString out = tmp_.filePath("never.png");
    const QStringList base{"render", bert(), "--text", kText};
    QTest::newRow("layer out of range") << base + QStringList{"--layer", "2", "--out", out} << "layer 2";
    QTest::newRow("negative layer") << base + QStringList{"--layer", "-1", "--out", out} << "layer -1";
    QTest::newRow("head out of range") << base + QStringList{"--head", "4", "--out", out} << "head 4";
    QTest::newRow("query out of range") << base + QStringList{"--query", "99", "--out", out} << "--query 99";
    QTest::newRow("missing model") << QStringList{"render", "/nonexistent/model", "--text", "x", "--out", out} << "/nonexistent/model";
    QTest::newRow("missing folder for the output") << base + QStringList{"--out", "/nonexistent/dir/x.png"} << "/nonexistent/dir/x.png";
}

void CliRenderTest::inputErrorsExitThree() {
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const Run r = runCli(args);
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY2(r.err.contains(mentions.toUtf8()), r.err.constData());
}

void CliRenderTest::otherCommandsRefuseRenderOptions() {
    const Run r = runCli({"info", bert(), "--layer", "1"});
    QCOMPARE(r.exitCode, 2);
    verifyOneErrorLine(r);
    QVERIFY(r.err.contains("--layer"));
    // and still work without them
    QCOMPARE(runCli({"info", bert()}).exitCode, 0);
}

void CliRenderTest::overlayOfAnImage_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("format");
    for (const char* format : {"png", "svg", "pdf"}) {
        QTest::addRow("vit-mnist3.%s", format) << mnist() << QString(format);
        QTest::addRow("deit.%s", format) << golden("deit/model") << QString(format);
    }
}

void CliRenderTest::overlayOfAnImage() {
    QFETCH(QString, model);
    QFETCH(QString, format);
    const QString out = tmp_.filePath(QFileInfo(model).fileName() + "-overlay." + format);
    // The golden colour image; vit-mnist3 sees it in grey, as its preprocessor says.
    const Run r = runCli({"render", model, "--image", golden("deit/image0.png"), "--view", "overlay", "--layer", "1", "--head", "mean",
                          "--opacity", "0.7", "--size", "900", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.err.isEmpty());
    if (format == "png") {
        QCOMPARE(std::max(pngSize(out).width(), pngSize(out).height()), 900);
        QVERIFY(imagechecks::showsDrawing(QImage(out)));
    } else if (format == "svg") {
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray svg = f.readAll();
        QVERIFY(svg.contains("<image"));
        QCOMPARE(countTexts(out, "[CLS]"), 1);  // the swatch of attention to [CLS]
        QCOMPARE(countTexts(out, "Prediction"), 1);
    } else {
        QProcess info;
        info.start("pdfinfo", {out});
        QVERIFY(info.waitForFinished(30000));
        QCOMPARE(info.exitCode(), 0);
    }
    // A patch as the query, and the distillation token of DeiT.
    const Run patch = runCli({"render", model, "--image", golden("deit/image0.png"), "--view", "overlay", "--query", "5", "--out",
                              tmp_.filePath("patch.png")});
    QVERIFY2(patch.exitCode == 0, patch.err.constData());
}

void CliRenderTest::overlayOfPixelValues() {
    // A ready tensor (the golden pixel_values) instead of an image: drawn denormalised.
    attnscope::SafetensorsFile expected((fixtures::goldenDir() / "vit" / "expected.safetensors").string());
    const auto* info = expected.find("case0.pixel_values");
    QVERIFY(info);
    const std::vector<float> values = expected.toFloat(*info);
    const QString pixels = tmp_.filePath("pixels.safetensors");
    attnscope::SafetensorsWriter writer;
    writer.add("pixel_values", {info->shape[0], info->shape[1], info->shape[2]}, values.data());
    writer.write(pixels.toStdString());
    const QString out = tmp_.filePath("pixels-overlay.png");
    const Run r = runCli({"render", golden("vit/model"), "--pixel-values", pixels, "--view", "overlay", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(pngSize(out).width() > 100);
}

void CliRenderTest::visionNpyIsTheDisplayedMatrix() {
    // The overlay's NPY is the matrix it takes its row from: [CLS] + 16 patches.
    const QString out = tmp_.filePath("vit.npy");
    const Run r = runCli({"render", golden("vit/model"), "--image", golden("vit/image0.png"), "--view", "overlay", "--layer", "1", "--head",
                          "2", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const Npy npy = readNpy(out);
    QVERIFY(npy.ok);
    QCOMPARE(npy.shape, (std::vector<std::int64_t>{17, 17}));
    // The same weights `attention` writes for that image.
    const QString att = tmp_.filePath("vit.safetensors");
    const Run a = runCli({"attention", golden("vit/model"), "--image", golden("vit/image0.png"), "--out", att});
    QVERIFY2(a.exitCode == 0, a.err.constData());
    attnscope::SafetensorsFile file(att.toStdString());
    const auto all = file.toFloat(*file.find("attentions"));
    const std::size_t offset = (std::size_t(1) * 4 + 2) * 17 * 17;
    QCOMPARE(npy.values, std::vector<float>(all.begin() + offset, all.begin() + offset + 17 * 17));
}

// A file written by `attention` (or by transformers) renders without the model: the same
// matrix as rendering from the model, and input options are refused.
void CliRenderTest::attentionFileRendersWithoutTheModel() {
    const QString att = tmp_.filePath("t5-file.safetensors");
    const QStringList input{"--text", "The cat sat on the mat.", "--target", "Attention is all you need."};
    Run r = runCli(QStringList{"attention", golden("t5/model")} + input + QStringList{"--out", att});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QStringList view{"--attention", "cross", "--layer", "1", "--head", "2"};
    const QString fromModel = tmp_.filePath("from-model.npy"), fromFile = tmp_.filePath("from-file.npy");
    r = runCli(QStringList{"render", golden("t5/model")} + input + view + QStringList{"--out", fromModel});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = runCli(QStringList{"render", att} + view + QStringList{"--out", fromFile});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(readNpy(fromFile).ok);
    QCOMPARE(readNpy(fromFile).values, readNpy(fromModel).values);
    const QString png = tmp_.filePath("from-file.png");
    r = runCli(QStringList{"render", att, "--view", "grid", "--out", png});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(imagechecks::showsDrawing(QImage(png)));

    r = runCli(QStringList{"render", att, "--text", "hi", "--out", png});
    QCOMPARE(r.exitCode, 2);
    verifyOneErrorLine(r);
    r = runCli(QStringList{"render", att, "--layer", "9", "--out", png});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY(r.err.contains("the attention file has 2 layers"));
    r = runCli(QStringList{"render", att, "--view", "overlay", "--out", png});
    QCOMPARE(r.exitCode, 2);
    verifyOneErrorLine(r);
}

void CliRenderTest::encoderDecoderStacks() {
    const QStringList base{"render", golden("t5/model"), "--text", "The cat sat on the mat.", "--target", "Attention is all you need."};
    const QString att = tmp_.filePath("t5.safetensors");
    const Run a = runCli({"attention", golden("t5/model"), "--text", "The cat sat on the mat.", "--target", "Attention is all you need.",
                          "--out", att});
    QVERIFY2(a.exitCode == 0, a.err.constData());
    attnscope::SafetensorsFile file(att.toStdString());
    const auto* cross = file.find("cross_attentions");
    const int m = int(cross->shape[2]), n = int(cross->shape[3]);
    QVERIFY(m != n);
    const auto crossValues = file.toFloat(*cross);

    // Cross-attention: [m, n], target rows and source columns, the same numbers.
    const QString npyPath = tmp_.filePath("cross.npy");
    Run r = runCli(base + QStringList{"--attention", "cross", "--layer", "1", "--head", "3", "--out", npyPath});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const Npy npy = readNpy(npyPath);
    QCOMPARE(npy.shape, (std::vector<std::int64_t>{m, n}));
    const std::size_t offset = (std::size_t(1) * 4 + 3) * m * n;
    QCOMPARE(npy.values, std::vector<float>(crossValues.begin() + offset, crossValues.begin() + offset + std::size_t(m) * n));
    // Decoder self-attention [m, m]; the encoder's (the default) [n, n].
    r = runCli(base + QStringList{"--attention", "decoder", "--out", npyPath});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(readNpy(npyPath).shape, (std::vector<std::int64_t>{m, m}));
    r = runCli(base + QStringList{"--out", npyPath});
    QCOMPARE(readNpy(npyPath).shape, (std::vector<std::int64_t>{n, n}));
    // Every view of the cross-attention draws; the SVG's row labels are the target's.
    for (const char* view : {"matrix", "heads", "grid", "tokens"}) {
        const QString out = tmp_.filePath(QString("cross-%1.svg").arg(view));
        r = runCli(base + QStringList{"--attention", "cross", "--view", view, "--out", out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }
    QCOMPARE(countTexts(tmp_.filePath("cross-matrix.svg"), "<pad>"), 1);  // the decoder start token: a row, never a column
}

// --view alignment: T5's cross-attention as two sentences joined by lines, its labels the
// target's and the source's; a self-attention stack or model is a usage error.
void CliRenderTest::alignmentDrawsCrossAttentionOnly() {
    const QStringList base{"render", golden("t5/model"), "--text", "The cat sat on the mat.", "--target", "Attention is all you need."};
    const QString png = tmp_.filePath("alignment.png"), hardPng = tmp_.filePath("alignment-hard.png"), svg = tmp_.filePath("alignment.svg");
    Run r = runCli(base + QStringList{"--attention", "cross", "--view", "alignment", "--out", png});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(imagechecks::showsDrawing(QImage(png)));
    r = runCli(base + QStringList{"--attention", "cross", "--view", "alignment", "--mode", "hard", "--out", hardPng});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(QImage(png) != QImage(hardPng));
    r = runCli(base + QStringList{"--attention", "cross", "--view", "alignment", "--out", svg});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(countTexts(svg, "<pad>"), 1);  // the decoder start token: a target token, never a source one
    QCOMPARE(countTexts(svg, "Source (keys)"), 1);

    for (const QStringList& args : {base + QStringList{"--view", "alignment", "--out", png},
                                    QStringList{"render", golden("bert/model"), "--text", "Hi.", "--view", "alignment", "--out", png}}) {
        r = runCli(args);
        QCOMPARE(r.exitCode, 2);
        verifyOneErrorLine(r);
        QVERIFY2(r.err.contains("cross-attention"), r.err.constData());
    }
}

void CliRenderTest::visionAndEncoderDecoderUsageErrors_data() {
    QTest::addColumn<QStringList>("args");
    const QString out = QStringLiteral("/tmp/attnscope-render-never.png");
    const QString image = golden("vit/image0.png");
    QTest::newRow("overlay on a text model") << QStringList{"render", bert(), "--text", kText, "--view", "overlay", "--out", out};
    QTest::newRow("image on a text model") << QStringList{"render", bert(), "--image", image, "--out", out};
    QTest::newRow("text on a vision model") << QStringList{"render", golden("vit/model"), "--text", kText, "--out", out};
    QTest::newRow("image and pixel values")
        << QStringList{"render", golden("vit/model"), "--image", image, "--pixel-values", "/tmp/x.safetensors", "--out", out};
    QTest::newRow("target on a text model") << QStringList{"render", bert(), "--text", kText, "--target", "x", "--out", out};
    QTest::newRow("cross on a text model") << QStringList{"render", bert(), "--text", kText, "--attention", "cross", "--out", out};
    QTest::newRow("unknown attention") << QStringList{"render", golden("t5/model"), "--text", kText, "--attention", "self", "--out", out};
    QTest::newRow("rollout of cross")
        << QStringList{"render", golden("t5/model"), "--text", kText, "--attention", "cross", "--rollout", "--out", out};
    QTest::newRow("opacity above 1") << QStringList{"render", golden("vit/model"), "--image", image, "--opacity", "1.5", "--out", out};
    QTest::newRow("decoder ids") << QStringList{"render", golden("t5/model"), "--text", kText, "--decoder-ids", "0,5", "--out", out};
    QTest::newRow("nothing to render") << QStringList{"render", golden("vit/model"), "--out", out};
}

void CliRenderTest::visionAndEncoderDecoderUsageErrors() {
    QFETCH(QStringList, args);
    const Run r = runCli(args);
    QCOMPARE(r.exitCode, 2);
    verifyOneErrorLine(r);
    QVERIFY(!QFile::exists("/tmp/attnscope-render-never.png"));
}

// --view lens: the app's Lens tab as a file, its cells the engine's lens (`lens` command).
void CliRenderTest::logitLensFigure() {
    const QString svg = tmp_.filePath("lens.svg");
    Run r = runCli({"render", stories(), "--text", "Once upon a time, there was a little", "--view", "lens", "--out", svg});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY(content.contains("Logit lens"));
    QVERIFY(content.contains(">L5<"));
    const Run lens = runCli({"lens", stories(), "--text", "Once upon a time, there was a little", "--top-k", "1"});
    QCOMPARE(lens.exitCode, 0);
    const QJsonArray layers = QJsonDocument::fromJson(lens.out).object().value("layers").toArray();
    QCOMPARE(layers.size(), 5);
    // The last layer's guess after the final "a" (position 8) is "little", shown as "␣little".
    const QString top = layers.last().toArray().at(8).toArray().at(0).toObject().value("token").toString();
    QCOMPARE(top, QStringLiteral("▁little"));
    QVERIFY(content.contains(QStringLiteral("␣little").toUtf8()));

    const QString png = tmp_.filePath("lens.png");
    r = runCli({"render", stories(), "--text", "Once upon a time", "--view", "lens", "--layer", "2", "--query", "3", "--size", "1500", "--out", png});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(std::max(pngSize(png).width(), pngSize(png).height()), 1500);
    QVERIFY(imagechecks::showsDrawing(QImage(png)));

    // What the lens cannot draw.
    const QString never = tmp_.filePath("never-lens.png");
    r = runCli({"render", bert(), "--text", kText, "--view", "lens", "--out", never});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY2(r.err.contains("output head"), r.err.constData());
    r = runCli({"render", stories(), "--text", "Once", "--view", "lens", "--out", tmp_.filePath("lens.npy")});
    QCOMPARE(r.exitCode, 2);
    verifyOneErrorLine(r);
    r = runCli({"render", stories(), "--text", "Once", "--view", "lens", "--query", "40", "--out", never});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY(!QFile::exists(never));
}

// --view attribution: the app's Attribution tab as a file; its numbers are `attribute`'s. And
// --view inside, the Inside tab at its last step.
void CliRenderTest::attributionFigure() {
    const QString text = QStringLiteral("qzvmxkwjbfhy qzvmxkwjbfhy");
    const QString svg = tmp_.filePath("attribution.svg");
    Run r = runCli({"render", "builtin:induction", "--text", text, "--view", "attribution", "--query", "20", "--out", svg});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    const Run json = runCli({"attribute", "builtin:induction", "--text", text, "--position", "20"});
    QCOMPARE(json.exitCode, 0);
    const QJsonObject a = QJsonDocument::fromJson(json.out).object();
    const double induction = a.value("heads").toArray().at(1).toArray().at(0).toDouble();
    QVERIFY(content.contains(QStringLiteral("+%1").arg(induction, 0, 'f', 2).toUtf8()));
    QVERIFY(content.contains(QStringLiteral("Logit of “%1”").arg(a.value("target").toObject().value("token").toString()).toUtf8()));
    QVERIFY(content.contains("share of the logit"));

    const QString png = tmp_.filePath("attribution.png");
    r = runCli({"render", "builtin:induction", "--text", text, "--view", "attribution", "--layer", "1", "--head", "0", "--size", "900", "--out", png});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(std::max(pngSize(png).width(), pngSize(png).height()), 900);
    QVERIFY(imagechecks::showsDrawing(QImage(png)));

    const QString never = tmp_.filePath("never-attribution.png");
    r = runCli({"render", bert(), "--text", kText, "--view", "attribution", "--out", never});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY2(r.err.contains("output head"), r.err.constData());
    r = runCli({"render", "builtin:induction", "--text", "ab", "--view", "attribution", "--out", tmp_.filePath("attribution.npy")});
    QCOMPARE(r.exitCode, 2);
    verifyOneErrorLine(r);
    QVERIFY(!QFile::exists(never));

    // --view inside: one head's numbers at the query, every step shown.
    const QString inside = tmp_.filePath("inside.svg");
    r = runCli({"render", "builtin:induction", "--text", text, "--view", "inside", "--layer", "1", "--head", "0", "--query", "20", "--out", inside});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QFile insideFile(inside);
    QVERIFY(insideFile.open(QIODevice::ReadOnly));
    const QByteArray drawn = insideFile.readAll();
    QVERIFY(drawn.contains(QStringLiteral("Inside layer 1, head 0 — query “w” (token 20)").toUtf8()));
    QVERIFY(drawn.contains(QStringLiteral("weight × v =").toUtf8()));  // "Σ weight × v =" (SVG splits it)
    QVERIFY(drawn.contains("masked: not seen"));  // a causal model's later tokens
    r = runCli({"render", "builtin:induction", "--text", text, "--view", "inside", "--head", "mean", "--out", never});
    QCOMPARE(r.exitCode, 2);
    verifyOneErrorLine(r);
    r = runCli({"render", "builtin:induction", "--text", text, "--view", "inside", "--query", "99", "--out", never});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r);
    QVERIFY(!QFile::exists(never));
}

QTEST_GUILESS_MAIN(CliRenderTest)
void CliRenderTest::differenceMaps() {
    // The model's own attention of both texts, from the `attention` command.
    const auto attentionOf = [this](const char* text, int& n) {
        const QString att = tmp_.filePath("diff-att.safetensors");
        const Run r = runCli({"attention", bert(), "--text", text, "--out", att});
        if (r.exitCode != 0) qWarning() << r.err;
        attnscope::SafetensorsFile file(att.toStdString());
        const auto* info = file.find("attentions");
        n = int(info->shape[2]);
        return file.toFloat(*info);
    };
    int n = 0, m = 0;
    const auto a = attentionOf("The cat sat.", n);
    const auto b = attentionOf("The big cat sat.", m);
    const int heads = 4;
    QCOMPARE(m, n + 2);  // "big" is two WordPieces here
    const auto at = [heads](const std::vector<float>& all, int size, int layer, int head, int q, int k) {
        return all[((std::size_t(layer) * heads + head) * size + q) * size + k];
    };
    const QString out = tmp_.filePath("diff.npy");

    // Two heads of one input: head 1.3 minus head 0.2, cell by cell.
    Run r = runCli({"render", bert(), "--text", "The cat sat.", "--layer", "1", "--head", "3", "--compare-head", "0.2", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    Npy d = readNpy(out);
    QCOMPARE(d.shape, (std::vector<std::int64_t>{n, n}));
    for (int q = 0; q < n; ++q)
        for (int k = 0; k < n; ++k) QCOMPARE(d.values[std::size_t(q) * n + k], at(a, n, 1, 3, q, k) - at(a, n, 0, 2, q, k));

    // Two inputs of different lengths: A's tokens all appear in B ("big" is the extra one), so the
    // difference has A's shape and each cell subtracts B's weight between the same two tokens.
    r = runCli({"render", bert(), "--text", "The cat sat.", "--compare-text", "The big cat sat.", "--layer", "1", "--head", "0", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    d = readNpy(out);
    QCOMPARE(d.shape, (std::vector<std::int64_t>{n, n}));
    const std::vector<int> inB{0, 1, 4, 5, 6, 7};  // [CLS] the cat sat . [SEP]
    QCOMPARE(int(inB.size()), n);
    float largest = 0.0f;
    for (int q = 0; q < n; ++q)
        for (int k = 0; k < n; ++k) {
            const float expected = at(a, n, 1, 0, q, k) - at(b, m, 1, 0, inB[std::size_t(q)], inB[std::size_t(k)]);
            QVERIFY(std::abs(d.values[std::size_t(q) * n + k] - expected) < 1e-6f);
            largest = std::max(largest, std::abs(expected));
        }
    QVERIFY(largest > 0.01f);  // the inserted word changes the encoder's attention

    // Every view draws a difference (and says so in its title, checked by the figure tests).
    for (const char* view : {"matrix", "heads", "grid", "tokens"}) {
        r = runCli({"render", bert(), "--text", "The cat sat.", "--compare-layer", "0", "--layer", "1", "--view", view, "--out",
                    tmp_.filePath(QStringLiteral("diff-%1.png").arg(view))});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    // Two images (the same token count: patch for patch), as a matrix and on the image.
    const auto imageAttention = [this](const char* image) {
        const QString att = tmp_.filePath("diff-image.safetensors");
        const Run r = runCli({"attention", golden("vit/model"), "--image", golden(image), "--out", att});
        if (r.exitCode != 0) qWarning() << r.err;
        attnscope::SafetensorsFile file(att.toStdString());
        return file.toFloat(*file.find("attentions"));
    };
    const auto first = imageAttention("vit/image0.png"), second = imageAttention("vit/image1.png");
    r = runCli({"render", golden("vit/model"), "--image", golden("vit/image0.png"), "--compare-image", golden("vit/image1.png"), "--layer", "1",
                "--head", "2", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    d = readNpy(out);
    const int t = int(d.shape[0]);
    for (int q = 0; q < t; ++q)
        for (int k = 0; k < t; ++k)
            QVERIFY(std::abs(d.values[std::size_t(q) * t + k] - (at(first, t, 1, 2, q, k) - at(second, t, 1, 2, q, k))) < 1e-6f);
    r = runCli({"render", golden("vit/model"), "--image", golden("vit/image0.png"), "--compare-image", golden("vit/image1.png"), "--view",
                "overlay", "--out", tmp_.filePath("diff-overlay.png")});
    QVERIFY2(r.exitCode == 0, r.err.constData());

    // Bad requests: one line each, usage errors exit 2, what the model lacks exits 3.
    const auto expect = [&](const QStringList& args, int code, const char* says) {
        const Run bad = runCli(QStringList{"render", bert(), "--text", "The cat sat.", "--out", out} + args);
        QVERIFY2(bad.exitCode == code, bad.err.constData());
        QVERIFY2(bad.err.contains(says), bad.err.constData());
        QCOMPARE(bad.err.count('\n'), 1);
    };
    expect({"--compare-layer", "0", "--compare-head", "1.1"}, 2, "one thing at a time");
    expect({"--compare-head", "1"}, 2, "LAYER.HEAD");
    expect({"--compare-image", "cat.png"}, 2, "use --compare-text");
    expect({"--compare-layer", "0", "--view", "lens", "--out", tmp_.filePath("diff-lens.png")}, 2, "difference maps");
    expect({"--compare-layer", "7"}, 3, "the layer to compare with, 7, does not exist");
    expect({"--compare-head", "1.9"}, 3, "the head to compare with, 9, does not exist");
    const QString att = tmp_.filePath("diff-att.safetensors");
    r = runCli({"render", att, "--compare-text", "The cat.", "--out", out});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("attention file has no model"), r.err.constData());
}

#include "test_cli_render.moc"
