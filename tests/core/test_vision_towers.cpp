// CLIP's and SigLIP's image encoders before transformers fixtures exist for them (parity waits
// for a device machine): CLIP holding the golden ViT's weights attends in its first layer as
// transformers' ViT does (its extra norm over the embeddings is undone by the first block's
// own norm up to epsilon), the layouts of their class token and position tables read the
// numbers ViT's do, SigLIP has no class token, a whole CLIP checkpoint opens on its vision
// tower, and CLIP's processors read one number as the short side.
#include <QtTest>

#include <cmath>

#include "Error.h"
#include "GoldenFixtures.h"
#include "RespelledCheckpoints.h"
#include "SyntheticCheckpoints.h"
#include "io/AttentionFile.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"
#include "model/Layers.h"
#include "vision/ImagePreprocessor.h"

using namespace attnscope;
namespace fs = std::filesystem;
using fixtures::SyntheticCheckpoint;
using fixtures::SyntheticTensor;

namespace {

const fs::path kVit = fixtures::goldenDir() / "vit" / "model";
constexpr int kHidden = fixtures::respelled::kTowerHidden, kPatches = fixtures::respelled::kTowerPatches;
using fixtures::towerConfig;
using fixtures::towerFromVit;

// CLIP's pre_layrnorm as a plain normalisation (weight 1, bias 0).
SyntheticCheckpoint clipFromVit() {
    SyntheticCheckpoint ck = towerFromVit(towerConfig("clip_vision_model", "gelu"), true);
    ck.tensors["vision_model.pre_layrnorm.weight"] = {{kHidden}, std::vector<float>(kHidden, 1.0f)};
    ck.tensors["vision_model.pre_layrnorm.bias"] = {{kHidden}, std::vector<float>(kHidden, 0.0f)};
    ck.tensors.erase("vision_model.embeddings.patch_embedding.bias");  // CLIP's convolution has none...
    return ck;
}

ForwardInput goldenPixels(int c) {
    SafetensorsFile expected(fixtures::goldenDir() / "vit" / "expected.safetensors");
    const TensorInfo* px = expected.find("case" + std::to_string(c) + ".pixel_values");
    ForwardInput in;
    in.pixels.channels = 3;
    in.pixels.height = in.pixels.width = 32;
    in.pixels.values = expected.toFloat(*px);
    return in;
}

std::vector<float> layerMaps(const AttentionStack& s, int layer) {
    std::vector<float> out;
    std::vector<float> map(s.mapSize());
    for (int h = 0; h < s.heads; ++h) {
        s.copyMap(layer, h, map.data());
        out.insert(out.end(), map.begin(), map.end());
    }
    return out;
}

}  // namespace

class VisionTowersTest : public QObject {
    Q_OBJECT
private slots:
    void clipFirstLayerIsTransformersVit();
    void siglipHasNoClassToken();
    void siglipProbeReadsTheLastHiddenState();
    void wholeClipCheckpointOpensItsVisionTower();
    void quickGeluIsXSigmoid1702X();
    void clipProcessorsReadOneNumberAsTheShortSide();
};

// The patch convolution's bias moves into the position rows (it is added to every patch, the
// class row excepted), which the golden ViT's own layout adds the same way.
void VisionTowersTest::clipFirstLayerIsTransformersVit() {
    QTemporaryDir tmp;
    SyntheticCheckpoint ck = clipFromVit();
    const SyntheticTensor bias = fixtures::loadCheckpoint(kVit).tensors.at("vit.embeddings.patch_embeddings.projection.bias");
    SyntheticTensor& positions = ck.at("vision_model.embeddings.position_embedding.weight");
    for (int row = 1; row <= kPatches; ++row)
        for (int j = 0; j < kHidden; ++j) positions.values[std::size_t(row * kHidden + j)] += bias.values[std::size_t(j)];
    const auto cp = Checkpoint::open(ck.write(fs::path(tmp.path().toStdString()) / "clip"));
    QVERIFY(cp->capabilities().readsImages());
    QCOMPARE(cp->capabilities().leadingSpecialTokens, 1);
    QCOMPARE(cp->capabilities().head, HeadKind::None);
    SafetensorsFile expected(fixtures::goldenDir() / "vit" / "expected.safetensors");
    for (int c = 0; c < 3; ++c) {
        const auto result = cp->forward(goldenPixels(c));
        const AttentionStack& ours = result->record.attention();
        QCOMPARE(ours.queries, kPatches + 1);
        const std::vector<float> reference = expected.toFloat(*expected.find("case" + std::to_string(c) + ".attentions"));
        const std::vector<float> theirs(reference.begin(), reference.begin() + static_cast<std::ptrdiff_t>(ours.heads * ours.mapSize()));
        const double diff = fixtures::maxAbsDiff(layerMaps(ours, 0), theirs);
        QVERIFY2(diff <= 1e-4, qPrintable(QString("case %1: %2").arg(c).arg(diff)));
        // Layer 1 reads a normalised residual stream, which ViT's does not: it must differ.
        const std::vector<float> second(reference.begin() + static_cast<std::ptrdiff_t>(ours.heads * ours.mapSize()), reference.end());
        QVERIFY(fixtures::maxAbsDiff(layerMaps(ours, 1), second) > 1e-3);
    }
    // pre_layrnorm is applied: a bias there changes layer 0.
    // Not a constant, which the first block's own norm would take away.
    for (std::size_t j = 0; j < ck.at("vision_model.pre_layrnorm.bias").values.size(); ++j)
        ck.at("vision_model.pre_layrnorm.bias").values[j] = float(j % 3) - 1.0f;
    const auto shifted = Checkpoint::open(ck.write(fs::path(tmp.path().toStdString()) / "clip-shifted"))->forward(goldenPixels(0));
    const auto plain = Checkpoint::open(fs::path(tmp.path().toStdString()) / "clip")->forward(goldenPixels(0));
    QVERIFY(fixtures::maxAbsDiff(layerMaps(shifted->record.attention(), 0), layerMaps(plain->record.attention(), 0)) > 1e-4);
}

void VisionTowersTest::siglipHasNoClassToken() {
    QTemporaryDir tmp;
    const SyntheticCheckpoint ck = towerFromVit(towerConfig("siglip_vision_model", "gelu_pytorch_tanh"), false);
    const auto cp = Checkpoint::open(ck.write(fs::path(tmp.path().toStdString()) / "siglip"));
    QCOMPARE(cp->capabilities().leadingSpecialTokens, 0);
    QCOMPARE(cp->capabilities().patches.firstPatchToken, 0);
    const auto result = cp->forward(goldenPixels(1));
    const AttentionStack& a = result->record.attention();
    QCOMPARE(a.queries, kPatches);
    QCOMPARE(result->record.input().size(), kPatches);
    std::vector<float> map(a.mapSize());
    a.copyMap(1, 3, map.data());
    for (int q = 0; q < a.queries; ++q) {
        double sum = 0;
        for (int k = 0; k < a.keys; ++k) sum += map[std::size_t(q * a.keys + k)];
        QVERIFY(std::abs(sum - 1.0) < 1e-5);
    }
    // Its attention file reads back as an image of patches only.
    const fs::path file = fs::path(tmp.path().toStdString()) / "siglip.safetensors";
    writeAttentionFile(file, result->record);
    const AttentionRecord back = readAttentionFile(file);
    QVERIFY(back.patches().isValid());
    QCOMPARE(back.patches().firstPatchToken, 0);
    QCOMPARE(back.input().size(), kPatches);
    // post_layernorm is part of SigLIP's last hidden state (not of CLIP's): its bias shifts it.
    SyntheticCheckpoint shifted = ck;
    for (float& v : shifted.at("vision_model.post_layernorm.bias").values) v += 0.5f;
    const auto moved = Checkpoint::open(shifted.write(fs::path(tmp.path().toStdString()) / "shifted"))->forward(goldenPixels(1));
    QVERIFY(((moved->lastHiddenState - result->lastHiddenState).array() - 0.5f).abs().maxCoeff() < 1e-5f);
    SyntheticCheckpoint clip = clipFromVit();
    const auto clipBase = Checkpoint::open(clip.write(fs::path(tmp.path().toStdString()) / "clip"))->forward(goldenPixels(1));
    for (float& v : clip.at("vision_model.post_layernorm.bias").values) v += 0.5f;
    const auto clipMoved = Checkpoint::open(clip.write(fs::path(tmp.path().toStdString()) / "clip-moved"))->forward(goldenPixels(1));
    QCOMPARE(clipMoved->lastHiddenState, clipBase->lastHiddenState);
    // A class embedding in a SigLIP folder is not read; a table of the wrong length is an error.
    SyntheticCheckpoint wrong = ck;
    wrong.at("vision_model.embeddings.position_embedding.weight").shape = {kPatches / 2, 2 * kHidden};
    QVERIFY_THROWS_EXCEPTION(Error, Checkpoint::open(wrong.write(fs::path(tmp.path().toStdString()) / "wrong")));
}

// The pooling probe's attention, per head: softmax of (probe Wq + bq) against the normalised
// last hidden state's keys (x Wk + bk) over sqrt(head_dim), the in-projection's first rows
// giving the query and the next the keys; a stack of its own over a one-token sequence, kept
// by attention files. vision_use_head false: no head, no stack; a missing probe is an error.
void VisionTowersTest::siglipProbeReadsTheLastHiddenState() {
    QTemporaryDir tmp;
    const SyntheticCheckpoint ck = towerFromVit(towerConfig("siglip_vision_model", "gelu_pytorch_tanh"), false);
    const auto cp = Checkpoint::open(ck.write(fs::path(tmp.path().toStdString()) / "siglip"));
    QCOMPARE(cp->capabilities().stackIndex(kProbeStack), 1);
    QCOMPARE(cp->capabilities().stacks[1].querySequence, 1);
    const auto result = cp->forward(goldenPixels(2));
    const NamedStack* probe = result->record.find(kProbeStack);
    QVERIFY(probe);
    QCOMPARE(result->record.queriesOf(*probe).names, std::vector<std::string>{kProbeSequence});
    QCOMPARE(probe->attention.layers, 1);
    QCOMPARE(probe->attention.queries, 1);
    QCOMPARE(probe->attention.keys, kPatches);
    const std::vector<float>& w = ck.tensors.at("vision_model.head.attention.in_proj_weight").values;
    const std::vector<float>& b = ck.tensors.at("vision_model.head.attention.in_proj_bias").values;
    const std::vector<float>& p = ck.tensors.at("vision_model.head.probe").values;
    const RowMatrix& x = result->lastHiddenState;
    const int d = kHidden / 4;
    double worst = 0.0;
    for (int h = 0; h < 4; ++h) {
        std::vector<double> scores(kPatches);
        double top = -1e300;
        for (int k = 0; k < kPatches; ++k) {
            double s = 0.0;
            for (int i = h * d; i < (h + 1) * d; ++i) {
                double q = b[std::size_t(i)], key = b[std::size_t(kHidden + i)];
                for (int j = 0; j < kHidden; ++j) {
                    q += double(w[std::size_t(i * kHidden + j)]) * p[std::size_t(j)];
                    key += double(w[std::size_t((kHidden + i) * kHidden + j)]) * x(k, j);
                }
                s += q * key;
            }
            scores[std::size_t(k)] = s / std::sqrt(double(d));
            top = std::max(top, scores[std::size_t(k)]);
        }
        double sum = 0.0;
        for (double& s : scores) sum += s = std::exp(s - top);
        for (int k = 0; k < kPatches; ++k) worst = std::max(worst, std::abs(probe->attention.at(0, h, 0, k) - scores[std::size_t(k)] / sum));
    }
    QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
    const fs::path file = fs::path(tmp.path().toStdString()) / "probe.safetensors";
    writeAttentionFile(file, result->record);
    const AttentionRecord back = readAttentionFile(file);
    QVERIFY(back.find(kProbeStack));
    QCOMPARE(back.find(kProbeStack)->attention.toFloat32(), probe->attention.toFloat32());

    SyntheticCheckpoint headless = ck;
    headless.config["vision_use_head"] = false;
    for (const char* name : {"head.probe", "head.attention.in_proj_weight", "head.attention.in_proj_bias"}) headless.tensors.erase(std::string("vision_model.") + name);
    const auto noHead = Checkpoint::open(headless.write(fs::path(tmp.path().toStdString()) / "headless"));
    QCOMPARE(noHead->capabilities().stacks.size(), std::size_t(1));
    QVERIFY(noHead->forward(goldenPixels(2))->record.find(kProbeStack) == nullptr);
    headless.config.erase("vision_use_head");
    try {
        Checkpoint::open(headless.write(fs::path(tmp.path().toStdString()) / "missing"));
        QFAIL("a SigLIP tower without its probe opened");
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find("vision_model.head.probe") != std::string::npos, e.what());
    }
}

// CLIPModel: the vision settings nest under vision_config (with the class's defaults for what
// is left out); the text tower's tensors are there and unused.
void VisionTowersTest::wholeClipCheckpointOpensItsVisionTower() {
    QTemporaryDir tmp;
    SyntheticCheckpoint tower = clipFromVit();
    const auto alone = Checkpoint::open(tower.write(fs::path(tmp.path().toStdString()) / "tower"))->forward(goldenPixels(2));
    nlohmann::json vision = tower.config;
    vision.erase("num_channels");  // CLIPVisionConfig's default, 3
    SyntheticCheckpoint whole = tower;
    whole.config = {{"model_type", "clip"},
                    {"architectures", {"CLIPModel"}},
                    {"vision_config", vision},
                    {"text_config", {{"model_type", "clip_text_model"}, {"hidden_size", 16}}}};
    whole.tensors["text_model.embeddings.token_embedding.weight"] = {{8, 16}, std::vector<float>(128, 0.1f)};
    whole.tensors["visual_projection.weight"] = {{8, kHidden}, std::vector<float>(8 * kHidden, 0.1f)};
    const auto cp = Checkpoint::open(whole.write(fs::path(tmp.path().toStdString()) / "whole"));
    const auto result = cp->forward(goldenPixels(2));
    QCOMPARE(fixtures::maxAbsDiff(result->record.attention().toFloat32(), alone->record.attention().toFloat32()), 0.0);
}

void VisionTowersTest::quickGeluIsXSigmoid1702X() {
    RowMatrix x(1, 5);
    x << -3.0f, -0.5f, 0.0f, 0.7f, 4.0f;
    const RowMatrix in = x;
    applyActivation(Activation::QuickGelu, x);
    for (int i = 0; i < 5; ++i) QVERIFY(std::abs(x(0, i) - in(0, i) / (1.0f + std::exp(-1.702f * in(0, i)))) < 1e-6f);
    QVERIFY_THROWS_EXCEPTION(Error, ModelConfig::fromJson(towerConfig("clip_vision_model", "quick_gelu_2"), "config.json"));
}

void VisionTowersTest::clipProcessorsReadOneNumberAsTheShortSide() {
    const auto clip = ImagePreprocessor::fromJson({{"image_processor_type", "CLIPImageProcessor"}, {"size", 224}, {"crop_size", 224},
                                                   {"do_center_crop", true}},
                                                  "preprocessor_config.json");
    QCOMPARE(clip.size.shortestEdge, 224);
    QCOMPARE(clip.cropSize.height, 224);
    QCOMPARE(clip.cropSize.width, 224);
    const RgbImage wide{300, 200, std::vector<std::uint8_t>(300 * 200 * 3, 128)};
    const RgbImage seen = clip.resizeAndCrop(wide);
    QCOMPARE(seen.width, 224);
    QCOMPARE(seen.height, 224);
    const auto vit = ImagePreprocessor::fromJson({{"image_processor_type", "ViTImageProcessor"}, {"size", 224}}, "preprocessor_config.json");
    QCOMPARE(vit.size.shortestEdge, 0);
    QCOMPARE(vit.size.height, 224);
}

QTEST_APPLESS_MAIN(VisionTowersTest)
#include "test_vision_towers.moc"
