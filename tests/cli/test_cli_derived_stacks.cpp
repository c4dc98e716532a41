// attnscope-cli with the stacks a model adds beside its attention: DeBERTa's score terms alone
// (c2c, c2p, p2c) are rendered by name and written by `attention`, SigLIP's pooling probe
// renders on the image and rolls out from itself, which other cross-attention may not, and a
// vision-encoder-decoder captions an image with each caption token's cross-attention over it.
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

#include "CliRunner.h"
#include "GoldenFixtures.h"
#include "ImageChecks.h"
#include "NpyReading.h"
#include "RespelledCheckpoints.h"
#include "io/SafetensorsFile.h"

namespace fs = std::filesystem;
using fixtures::runCli;

namespace {

QString path(const fs::path& p) { return QString::fromStdString(p.string()); }

// The golden masked-LM BERT as a DeBERTa with both position terms, log buckets and a normed
// table, and the golden BERT's tokenizer.
QString writeDeberta(const QTemporaryDir& tmp) {
    using namespace fixtures::respelled;
    fixtures::SyntheticCheckpoint ck = fixtures::debertaFromBert();
    ck.config.update({{"relative_attention", true}, {"pos_att_type", {"p2c", "c2p"}}, {"position_buckets", 4},
                      {"max_relative_positions", 16}, {"share_att_key", true}, {"norm_rel_ebd", "layer_norm"}});
    ck.tensors["deberta.encoder.rel_embeddings.weight"] = {{8, kDebertaHidden}, fixtures::synthetic::values("table", 8 * kDebertaHidden, 0.0f)};
    ck.tensors["deberta.encoder.LayerNorm.weight"] = {{kDebertaHidden}, fixtures::synthetic::values("norm", kDebertaHidden, 1.0f)};
    ck.tensors["deberta.encoder.LayerNorm.bias"] = {{kDebertaHidden}, fixtures::synthetic::values("bias", kDebertaHidden, 0.0f)};
    const fs::path dir = ck.write(fs::path(tmp.path().toStdString()) / "deberta");
    for (const char* file : {"tokenizer.json", "tokenizer_config.json"})
        fs::copy_file(fixtures::goldenDir() / "bert_mlm" / "model" / file, dir / file);
    return path(dir);
}

// The golden ViT as a SigLIP tower with its pooling probe, and the ViT's image processor.
QString writeSiglip(const QTemporaryDir& tmp) {
    const fixtures::SyntheticCheckpoint ck = fixtures::towerFromVit(fixtures::towerConfig("siglip_vision_model", "gelu_pytorch_tanh"), false);
    const fs::path dir = ck.write(fs::path(tmp.path().toStdString()) / "siglip");
    fs::copy_file(fixtures::goldenDir() / "vit" / "model" / "preprocessor_config.json", dir / "preprocessor_config.json");
    return path(dir);
}

// The golden ViT and GPT-2 as a captioner (RespelledCheckpoints.h).
QString writeCaptioner(const QTemporaryDir& tmp) {
    return path(fixtures::writeCaptioner(fixtures::captionerFromGolden(), fs::path(tmp.path().toStdString()) / "captioner"));
}

const QString kText = QStringLiteral("the cat sat on the mat");

}  // namespace

class CliDerivedStacksTest : public QObject {
    Q_OBJECT
private slots:
    void debertaTermsRenderByName();
    void siglipProbeRollsOutFromItself();
    void captionerCaptionsAnImage();
};

void CliDerivedStacksTest::debertaTermsRenderByName() {
    QTemporaryDir tmp;
    const QString model = writeDeberta(tmp);
    const QString att = tmp.filePath("att.safetensors");
    fixtures::CliRun r = runCli({"attention", model, "--text", kText, "--out", att});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const attnscope::SafetensorsFile file(att.toStdString());
    for (const char* name : {"attentions", "c2c_attentions", "c2p_attentions", "p2c_attentions"}) QVERIFY2(file.find(name), name);
    const QString npy = tmp.filePath("c2p.npy");
    r = runCli({"render", model, "--text", kText, "--attention", "c2p", "--layer", "1", "--head", "2", "--out", npy});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const fixtures::NpyFile shown = fixtures::readNpy(npy);
    QVERIFY(shown.ok);
    const std::vector<float> all = file.toFloat(*file.find("c2p_attentions"));
    const auto n = shown.shape.at(0);
    QCOMPARE(shown.shape, (std::vector<std::int64_t>{n, n}));
    const std::size_t map = std::size_t(n * n), offset = (1 * 4 + 2) * map;
    for (std::size_t i = 0; i < map; ++i) QVERIFY(std::abs(shown.values[i] - all[offset + i]) < 1e-6f);
    // The PNG's title names the term and how much of the head it reproduces.
    const QString svg = tmp.filePath("c2p.svg");
    r = runCli({"render", model, "--text", kText, "--attention", "c2p", "--layer", "1", "--head", "2", "--out", svg});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QFile f(svg);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString content = QString::fromUtf8(f.readAll());
    QVERIFY(content.contains(QStringLiteral("Content→position term")));
    QVERIFY(content.contains(QStringLiteral("of the head's pattern")));
    r = runCli({"render", model, "--text", kText, "--attention", "c3p", "--out", npy});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("c2c") && r.err.contains("p2c"), r.err.constData());
}

void CliDerivedStacksTest::siglipProbeRollsOutFromItself() {
    QTemporaryDir tmp;
    const QString model = writeSiglip(tmp);
    const QString image = path(fixtures::goldenDir() / "vit" / "image0.png");
    const QString npy = tmp.filePath("probe.npy");
    fixtures::CliRun r = runCli({"render", model, "--image", image, "--attention", "probe", "--rollout", "--out", npy});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const fixtures::NpyFile rolled = fixtures::readNpy(npy);
    QVERIFY(rolled.ok);
    QCOMPARE(rolled.shape, (std::vector<std::int64_t>{1, fixtures::respelled::kTowerPatches}));
    double sum = 0;
    for (const float v : rolled.values) sum += v;
    QVERIFY(std::abs(sum - 1.0) < 1e-5);
    r = runCli({"render", model, "--image", image, "--attention", "probe", "--out", npy});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(fixtures::readNpy(npy).values != rolled.values);  // the rollout is not the probe's own row
    const QString png = tmp.filePath("probe.png");
    r = runCli({"render", model, "--image", image, "--attention", "probe", "--view", "overlay", "--rollout", "--out", png});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(imagechecks::showsDrawing(QImage(png)));
}

void CliDerivedStacksTest::captionerCaptionsAnImage() {
    QTemporaryDir tmp;
    const QString model = writeCaptioner(tmp);
    const QString image = path(fixtures::goldenDir() / "vit" / "image0.png");
    fixtures::CliRun r = runCli({"info", model});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const nlohmann::json info = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(info["encoder"]["model_type"].get<std::string>(), std::string("vit"));
    QCOMPARE(info["stacks"][2]["name"].get<std::string>(), std::string("cross"));
    QCOMPARE(info["image_size"].get<int>(), 32);

    const QString out = tmp.filePath("caption.safetensors");
    r = runCli({"generate", model, "--image", image, "--max-new-tokens", "4", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const nlohmann::json caption = nlohmann::json::parse(r.out.toStdString());
    const std::vector<int> ids = caption["ids"];
    QCOMPARE(ids.front(), 0);  // decoder_start_token_id
    QVERIFY(!caption["new_ids"].empty());
    QVERIFY(!caption.contains("source_ids"));
    QVERIFY(caption["text"].is_string());
    const attnscope::SafetensorsFile file(out.toStdString());
    // The encoder is the golden ViT's own attention on the same image.
    const QString vitOut = tmp.filePath("vit.safetensors");
    r = runCli({"attention", path(fixtures::goldenDir() / "vit" / "model"), "--image", image, "--out", vitOut});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const attnscope::SafetensorsFile vit(vitOut.toStdString());
    QVERIFY(fixtures::maxAbsDiff(file.toFloat(*file.find("encoder_attentions")), vit.toFloat(*vit.find("attentions"))) <= 1e-6);
    QCOMPARE(file.find("cross_attentions")->shape, (std::vector<std::int64_t>{2, 4, std::int64_t(ids.size()), 17}));

    // Teacher forcing: the typed caption after the start token.
    r = runCli({"attention", model, "--image", image, "--target", "the cat", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(attnscope::SafetensorsFile(out.toStdString()).find("decoder_attentions")->shape[2] >= 2);
    const QString png = tmp.filePath("cross.png");
    r = runCli({"render", model, "--image", image, "--target", "the cat", "--attention", "cross", "--view", "overlay", "--query", "1",
                "--out", png});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(imagechecks::showsDrawing(QImage(png)));
    // A captioner reads an image, not a text.
    r = runCli({"generate", model, "--text", "a cat", "--max-new-tokens", "2"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("reads an image"), r.err.constData());
}

QTEST_GUILESS_MAIN(CliDerivedStacksTest)
#include "test_cli_derived_stacks.moc"
