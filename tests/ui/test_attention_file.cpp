// Attention files: attention computed elsewhere (attnscope-cli attention, or transformers'
// output_attentions saved as README shows), read back exactly, refused when malformed, and
// shown in every view of the window without a model.
#include <QtTest>

#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTemporaryDir>

#include <cmath>
#include <limits>

#include "Analysis.h"
#include "AttentionFileAnalysis.h"
#include "CliRunner.h"
#include "Error.h"
#include "GoldenFixtures.h"
#include "HeatmapView.h"
#include "MainWindow.h"
#include "ViewFixtures.h"
#include "io/AttentionFile.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"

using namespace attnscope;
using attnscope::ui::MainWindow;
namespace fs = std::filesystem;

namespace {

constexpr int kTimeoutMs = 60000;

struct Tensor {
    std::vector<std::int64_t> shape;
    std::vector<float> values;
};

Tensor goldenTensor(const std::string& family, const std::string& name) {
    SafetensorsFile f(fixtures::goldenDir() / family / "expected.safetensors");
    const TensorInfo* t = f.find(name);
    if (!t) throw std::runtime_error("no golden tensor " + name);
    return {t->shape, f.toFloat(*t)};
}

std::string tokensJson(const std::string& family, const char* key = "tokens") {
    return fixtures::readJson(fixtures::goldenDir() / family / "expected.json")["cases"][0][key].dump();
}

// What README's Python snippet writes: the stacked attentions and the tokens, nothing else.
QString writeLikeTransformers(const QTemporaryDir& dir, const std::string& family) {
    const QString path = dir.filePath(QString::fromStdString(family) + ".safetensors");
    SafetensorsWriter w;
    const Tensor a = goldenTensor(family, "case0.attentions");
    w.add("attentions", a.shape, a.values.data());
    if (family == "vit") {
        const Tensor px = goldenTensor(family, "case0.pixel_values");
        w.add("pixel_values", px.shape, px.values.data());
        const Tensor logits = goldenTensor(family, "case0.logits");
        w.add("logits", logits.shape, logits.values.data());
    } else {
        w.setMetadata("tokens", tokensJson(family));
    }
    w.write(path.toStdString());
    return path;
}

void verifyStackEquals(const AttentionStack& stack, const Tensor& golden) {
    QCOMPARE((std::vector<std::int64_t>{stack.layers, stack.heads, stack.queries, stack.keys}), golden.shape);
    QCOMPARE(stack.toFloat32(), golden.values);  // read back bit for bit
}

QString errorOf(const QString& path) {
    try {
        ui::analysisFromAttentionFile(path);
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

bool heatmapShowsFile(MainWindow& window, const Tensor& golden, int layer, int head) {
    auto* view = window.heatmap();
    const int n = static_cast<int>(golden.shape[2]);
    if (view->rows() != n || view->columns() != n) return false;
    const int heads = static_cast<int>(golden.shape[1]);
    for (int q = 0; q < n; ++q)
        for (int k = 0; k < n; ++k)
            if (view->value(q, k) != golden.values[((static_cast<std::size_t>(layer) * heads + head) * n + q) * n + k]) return false;
    return true;
}

}  // namespace

class AttentionFileTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void transformersFileReadsExactly();
    void encoderDecoderFileReadsExactly();
    void visionFileGetsItsPatchGrid();
    void cliFileRoundTrips();
    void budgetKeepsLargeFilesCompact();
    void badFilesAreRefused_data();
    void badFilesAreRefused();
    void windowShowsTheFileInEveryView();
    void badFileKeepsTheWindowAsItWas();
    void visionFileOpensOnTheOverlay();
};

void AttentionFileTest::transformersFileReadsExactly() {
    QTemporaryDir dir;
    const auto analysis = ui::analysisFromAttentionFile(writeLikeTransformers(dir, "bert"));
    verifyStackEquals(analysis->attention(0), goldenTensor("bert", "case0.attentions"));
    const auto tokens = fixtures::readJson(fixtures::goldenDir() / "bert" / "expected.json")["cases"][0]["tokens"];
    QCOMPARE(analysis->tokenCount(), static_cast<int>(tokens.size()));
    QCOMPARE(analysis->tokens().names.front(), std::string("[CLS]"));
    // No mask in the file: [CLS] and [SEP] are recognised by name, ordinary words are not.
    QVERIFY(analysis->isSpecial(0));
    QVERIFY(analysis->isSpecial(analysis->tokenCount() - 1));
    QVERIFY(!analysis->isSpecial(1));
    QVERIFY(!analysis->hasImage());
    QCOMPARE(analysis->stackCount(), 1);
}

void AttentionFileTest::encoderDecoderFileReadsExactly() {
    QTemporaryDir dir;
    const QString path = dir.filePath("t5.safetensors");
    SafetensorsWriter w;
    for (const char* name : {"encoder_attentions", "decoder_attentions", "cross_attentions"}) {
        const Tensor t = goldenTensor("t5", std::string("case0.") + name);
        w.add(name, t.shape, t.values.data());
    }
    w.setMetadata("tokens", tokensJson("t5"));
    w.write(path.toStdString());
    const auto analysis = ui::analysisFromAttentionFile(path);
    QVERIFY(analysis->stackCount() == 3);
    verifyStackEquals(analysis->attention(0), goldenTensor("t5", "case0.encoder_attentions"));
    verifyStackEquals(analysis->attention(1), goldenTensor("t5", "case0.decoder_attentions"));
    verifyStackEquals(analysis->attention(2), goldenTensor("t5", "case0.cross_attentions"));
    QCOMPARE(analysis->labels.at(1).size(), 16);
    QCOMPARE(analysis->labels.at(1).front(), QStringLiteral("0"));  // no decoder names: positions
}

void AttentionFileTest::visionFileGetsItsPatchGrid() {
    QTemporaryDir dir;
    const auto analysis = ui::analysisFromAttentionFile(writeLikeTransformers(dir, "vit"));
    QVERIFY(analysis->hasImage());
    QCOMPARE(analysis->patches().firstPatchToken, 1);
    QCOMPARE(analysis->patches().rows, 4);
    QCOMPARE(analysis->tokenLabels().front(), QStringLiteral("[CLS]"));
    QVERIFY(analysis->isSpecial(0));
    QCOMPARE(analysis->image.size(), QSize(32, 32));
    QCOMPARE(analysis->predictions.size(), std::size_t(5));
    QVERIFY(analysis->predictions.front().probability >= analysis->predictions.back().probability);
}

void AttentionFileTest::cliFileRoundTrips() {
    QTemporaryDir dir;
    const QString out = dir.filePath("gpt2.safetensors");
    const auto r = fixtures::runCli({"attention", viewfixtures::goldenModel("gpt2"), "--text", "Hello world, hello!", "--out", out});
    QCOMPARE(r.exitCode, 0);
    const auto fromFile = ui::analysisFromAttentionFile(out);
    const auto computed = viewfixtures::computed(viewfixtures::goldenModel("gpt2"), QStringLiteral("Hello world, hello!"));
    QCOMPARE(fromFile->tokens().names, computed->tokens().names);
    QCOMPARE(fromFile->tokens().ids, computed->tokens().ids);
    QCOMPARE(fromFile->tokens().special, computed->tokens().special);
    QCOMPARE(fromFile->tokenLabels(), computed->tokenLabels());
    QCOMPARE(fromFile->attention(0).toFloat32(), computed->attention(0).toFloat32());
}

void AttentionFileTest::budgetKeepsLargeFilesCompact() {
    QTemporaryDir dir;
    const QString path = writeLikeTransformers(dir, "bert");
    const Tensor golden = goldenTensor("bert", "case0.attentions");
    // A budget below the float32 size: kept as float16, within its documented error.
    const AttentionRecord file = readAttentionFile(path.toStdString(), golden.values.size() * 3);
    QCOMPARE(file.attention().precision(), AttentionPrecision::Float16);
    const auto values = file.attention().toFloat32();
    for (std::size_t i = 0; i < values.size(); ++i) QVERIFY(std::abs(values[i] - golden.values[i]) < 2.5e-4);
}

void AttentionFileTest::badFilesAreRefused_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("a model's weights") << "weights" << "no attention in this file";
    QTest::newRow("not square") << "not square" << "square";
    QTest::newRow("three dimensions") << "3d" << "expected [layers, heads, queries, keys]";
    QTest::newRow("token count") << "token count" << "lists 3 entries for 14 tokens";
    QTest::newRow("tokens not a list") << "tokens not a list" << "must be a JSON list";
    QTest::newRow("above one") << "above one" << "probabilities in [0, 1]";
    QTest::newRow("NaN") << "nan" << "probabilities in [0, 1]";
    QTest::newRow("negative") << "negative" << "probabilities in [0, 1]";
    QTest::newRow("integer dtype") << "integers" << "floating point";
    QTest::newRow("T5 without cross") << "t5 partial" << "needs all of";
    QTest::newRow("both kinds") << "both" << "has both";
    QTest::newRow("not safetensors") << "garbage" << "safetensors";
}

void AttentionFileTest::badFilesAreRefused() {
    QFETCH(QString, kind);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const QString path = dir.filePath("bad.safetensors");
    Tensor a = goldenTensor("bert", "case0.attentions");
    SafetensorsWriter w;
    if (kind == "weights") {
        QVERIFY(QFile::copy(viewfixtures::goldenModel("bert") + "/model.safetensors", path));
    } else if (kind == "garbage") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a safetensors file at all");
    } else {
        if (kind == "not square") a.shape = {2, 4, 28, 7};
        if (kind == "3d") a.shape = {8, 14, 14};
        if (kind == "above one") a.values[5] = 1.5f;
        if (kind == "nan") a.values[7] = std::numeric_limits<float>::quiet_NaN();
        if (kind == "negative") a.values[9] = -0.25f;
        if (kind == "integers") {
            std::vector<std::int32_t> ints(a.values.size(), 0);
            w.addBytes("attentions", DType::I32, a.shape, ints.data(), ints.size() * 4);
        } else if (kind == "t5 partial") {
            w.add("encoder_attentions", a.shape, a.values.data());
            w.add("decoder_attentions", a.shape, a.values.data());
        } else {
            w.add("attentions", a.shape, a.values.data());
            if (kind == "both") w.add("cross_attentions", a.shape, a.values.data());
        }
        if (kind == "token count") w.setMetadata("tokens", R"(["a", "b", "c"])");
        if (kind == "tokens not a list") w.setMetadata("tokens", R"({"a": 1})");
        w.write(path.toStdString());
    }
    const QString error = errorOf(path);
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY2(error.contains("bad.safetensors"), qPrintable(error));
}

void AttentionFileTest::windowShowsTheFileInEveryView() {
    QTemporaryDir dir;
    const QString path = writeLikeTransformers(dir, "bert");
    const Tensor golden = goldenTensor("bert", "case0.attentions");
    MainWindow window;
    window.show();
    window.openAttentionFile(path);
    QTRY_VERIFY_WITH_TIMEOUT(window.session().analysis() && !window.session().isBusy(), kTimeoutMs);
    QVERIFY(!window.session().checkpoint());
    QCOMPARE(window.session().attentionFile(), path);
    QCOMPARE(window.windowTitle(), QStringLiteral("bert.safetensors — AttnScope"));
    QVERIFY(window.heatmap()->isVisible());
    auto* bar = window.findChild<QLabel*>(QStringLiteral("attentionFileBar"));
    QVERIFY(bar && bar->isVisible());
    QVERIFY(bar->text().contains("bert.safetensors"));
    QVERIFY(heatmapShowsFile(window, golden, 0, 0));
    // The selection reaches every layer and head of the file, and the views follow it.
    window.selection().setLayer(1);
    window.selection().setHead(3);
    QVERIFY(heatmapShowsFile(window, golden, 1, 3));
    for (const auto kind : {ui::ViewKind::Heads, ui::ViewKind::Grid, ui::ViewKind::Tokens}) {
        window.setCurrentView(kind);
        QVERIFY(window.currentFigureView()->isVisible());
        QVERIFY(window.currentFigureView()->analysis() == window.session().analysis());
    }
    auto* status = window.findChild<QLabel*>(QStringLiteral("modelInfo"));
    QVERIFY(status);
    QVERIFY2(status->text().contains("attention file bert.safetensors") && status->text().contains("2 layers") &&
                 status->text().contains("4 heads"),
             qPrintable(status->text()));

    // Opening a model afterwards brings the text input back.
    window.setText(QStringLiteral("The cat sat."));
    window.openModel(viewfixtures::goldenModel("bert"));
    QTRY_VERIFY_WITH_TIMEOUT(window.session().checkpoint() && window.session().analysis() && !window.session().isBusy(), kTimeoutMs);
    QVERIFY(window.session().attentionFile().isEmpty());
    QVERIFY(!bar->isVisible());
}

void AttentionFileTest::badFileKeepsTheWindowAsItWas() {
    QTemporaryDir dir;
    MainWindow window;
    window.show();
    window.setText(QStringLiteral("The cat sat on the mat."));
    window.openModel(viewfixtures::goldenModel("bert"));
    QTRY_VERIFY_WITH_TIMEOUT(window.session().analysis() && !window.session().isBusy(), kTimeoutMs);
    const auto checkpoint = window.session().checkpoint();
    const auto analysis = window.session().analysis();
    const QString title = window.windowTitle();

    QSignalSpy errors(&window, &MainWindow::errorShown);
    window.openAttentionFile(viewfixtures::goldenModel("bert") + "/model.safetensors");
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
    QVERIFY2(errors.first().at(0).toString().contains("no attention"), qPrintable(errors.first().at(0).toString()));
    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = window.findChild<QMessageBox*>(QStringLiteral("errorBox"))) != nullptr);
    QCOMPARE(box->text(), QStringLiteral("AttnScope could not open this attention file."));
    box->button(QMessageBox::Ok)->click();
    QCOMPARE(window.session().checkpoint(), checkpoint);
    QCOMPARE(window.session().analysis(), analysis);
    QCOMPARE(window.windowTitle(), title);
    QVERIFY(window.session().attentionFile().isEmpty());
}

void AttentionFileTest::visionFileOpensOnTheOverlay() {
    QTemporaryDir dir;
    MainWindow window;
    window.show();
    window.openAttentionFile(writeLikeTransformers(dir, "vit"));
    QTRY_VERIFY_WITH_TIMEOUT(window.session().analysis() && !window.session().isBusy(), kTimeoutMs);
    QCOMPARE(window.currentView(), ui::ViewKind::Overlay);
    QVERIFY(window.currentFigureView()->isVisible());
    QCOMPARE(window.currentFigureView()->analysis(), window.session().analysis());
    QVERIFY(window.session().analysis()->hasImage());
}

QTEST_MAIN(AttentionFileTest)
#include "test_attention_file.moc"
