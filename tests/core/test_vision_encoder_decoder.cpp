// A vision-encoder-decoder (an image captioner: ViT encoder, GPT-2 decoder with cross-attention)
// before a transformers fixture exists for it (parity waits for a device machine): built from
// the golden ViT and GPT-2, its encoder attends exactly as transformers' ViT and, with the
// cross-attention's output silenced, its decoder is exactly transformers' GPT-2, so only the
// cross-attention sublayer is new; what the image adds changes the prediction; cached caption
// steps are the teacher-forced pass; enc_to_dec_proj maps the encoder's width to the decoder's;
// configs that cannot be a captioner are refused with the key that says why.
#include <QtTest>

#include "Error.h"
#include "GoldenFixtures.h"
#include "RespelledCheckpoints.h"
#include "SyntheticCheckpoints.h"
#include "analysis/Generation.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"
#include "model/PreparedInput.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;
using fixtures::SyntheticCheckpoint;
using fixtures::SyntheticTensor;

namespace {

constexpr double kTolerance = 1e-4;
constexpr int kImageTokens = 17;  // [CLS] and 16 patches of the golden ViT

ForwardInput goldenImage(int c) {
    const SafetensorsFile expected(fixtures::goldenDir() / "vit" / "expected.safetensors");
    ForwardInput in;
    in.pixels.channels = 3;
    in.pixels.height = in.pixels.width = 32;
    in.pixels.values = expected.toFloat(*expected.find("case" + std::to_string(c) + ".pixel_values"));
    return in;
}

std::vector<float> expectedTensor(const char* family, const std::string& name) {
    const SafetensorsFile expected(fixtures::goldenDir() / family / "expected.safetensors");
    const TensorInfo* t = expected.find(name);
    if (!t) throw std::runtime_error(std::string(family) + " reference has no " + name);
    return expected.toFloat(*t);
}

std::vector<int> goldenGpt2Ids(int c) {
    return fixtures::readJson(fixtures::goldenDir() / "gpt2" / "expected.json")["cases"][c]["ids"].get<std::vector<int>>();
}

const AttentionStack& stackNamed(const AttentionRecord& r, const char* name) { return r.stacks.at(std::size_t(r.indexOf(name))).attention; }

std::vector<float> logitsOf(const AttentionRecord& r) { return {r.logits.data(), r.logits.data() + r.logits.size()}; }

fs::path folder(const std::string& name) {
    const fs::path dir = fixtures::tmpDir() / "vision_encoder_decoder" / name;
    fs::remove_all(dir);
    return dir;
}

std::unique_ptr<Checkpoint> openCaptioner(const SyntheticCheckpoint& ck, const std::string& name) {
    return Checkpoint::open(fixtures::writeCaptioner(ck, folder(name)));
}

// The golden ViT cut to its first 16 channels (4 heads of 4): a narrower encoder, so that the
// captioner needs enc_to_dec_proj to reach GPT-2's 32.
SyntheticCheckpoint narrowEncoder(SyntheticCheckpoint ck) {
    for (auto& [name, t] : ck.tensors) {
        if (name.rfind("encoder.", 0) != 0) continue;
        std::vector<std::int64_t> shape = t.shape;
        for (auto& d : shape) d = d == 32 ? 16 : d;
        std::vector<float> cut;
        // Keeps each index below the new extent, walking the old shape in row-major order.
        std::vector<std::int64_t> index(t.shape.size(), 0);
        for (std::size_t i = 0; i < t.values.size(); ++i) {
            bool keep = true;
            for (std::size_t d = 0; d < shape.size(); ++d) keep = keep && index[d] < shape[d];
            if (keep) cut.push_back(t.values[i]);
            for (std::size_t d = shape.size(); d-- > 0;)
                if (++index[d] < t.shape[d]) break;
                else index[d] = 0;
        }
        t = {shape, cut};
    }
    ck.config["encoder"]["hidden_size"] = 16;
    return ck;
}

}  // namespace

class VisionEncoderDecoderTest : public QObject {
    Q_OBJECT
private slots:
    void capabilitiesDescribeACaptioner();
    void encoderIsTransformersVit();
    void silencedCrossAttentionIsTransformersGpt2();
    void theImageChangesThePrediction();
    void crossAttentionReadsTheEncoderOutput();
    void cachedCaptionStepsAreTheTeacherForcedPass();
    void projectionMapsTheEncoderWidth();
    void configsThatAreNoCaptionerAreRefused();
};

void VisionEncoderDecoderTest::capabilitiesDescribeACaptioner() {
    const auto cp = openCaptioner(fixtures::captionerFromGolden(), "caps");
    const ModelCapabilities& m = cp->capabilities();
    QVERIFY(m.readsImages());
    QVERIFY(m.hasDecoder());
    QVERIFY(m.canGenerate);
    QVERIFY(!m.hasLogitLens);
    QCOMPARE(m.patches.rows, 4);
    QCOMPARE(m.patches.firstPatchToken, 1);
    QCOMPARE(m.stackIndex("cross"), 2);
    QCOMPARE(m.stacks[2].querySequence, 1);
    QCOMPARE(m.stacks[2].keySequence, 0);
    QCOMPARE(m.forwardLayers, 4);
    QCOMPARE(cp->config().modelType, std::string("vision-encoder-decoder"));
    QCOMPARE(cp->config().imageConfig().imageSize, 32);
    QCOMPARE(cp->config().decoderStartTokenId, 0);
    // A typed caption is read whole after the start token: GPT-2's tokenizer adds no end token to drop.
    std::vector<int> caption{0};
    for (const int id : cp->encode("the cat sat").ids) caption.push_back(id);
    QVERIFY(caption.size() > 3);
    QCOMPARE(teacherForcedDecoderIds(*cp, "the cat sat"), caption);
}

void VisionEncoderDecoderTest::encoderIsTransformersVit() {
    const auto cp = openCaptioner(fixtures::captionerFromGolden(), "encoder");
    for (int c = 0; c < 3; ++c) {
        const auto result = cp->model().forward(goldenImage(c));
        QVERIFY(result);
        const AttentionStack& encoder = stackNamed(result->record, "encoder");
        QCOMPARE(encoder.queries, kImageTokens);
        const double d = fixtures::maxAbsDiff(encoder.toFloat32(), expectedTensor("vit", "case" + std::to_string(c) + ".attentions"));
        QVERIFY2(d <= kTolerance, qPrintable(QString("case %1: %2").arg(c).arg(d)));
    }
}

void VisionEncoderDecoderTest::silencedCrossAttentionIsTransformersGpt2() {
    const auto cp = openCaptioner(fixtures::captionerFromGolden(0.0f), "silenced");
    for (int c = 0; c < 2; ++c) {
        ForwardInput in = goldenImage(c);
        in.decoderIds = goldenGpt2Ids(c);
        const auto result = cp->model().forward(in);
        QVERIFY(result);
        const std::string k = "case" + std::to_string(c);
        const double attention = fixtures::maxAbsDiff(stackNamed(result->record, "decoder").toFloat32(), expectedTensor("gpt2", k + ".attentions"));
        const double logits = fixtures::maxAbsDiff(logitsOf(result->record), expectedTensor("gpt2", k + ".logits"));
        QVERIFY2(attention <= kTolerance, qPrintable(QString::number(attention)));
        QVERIFY2(logits <= kTolerance, qPrintable(QString::number(logits)));
        // The cross-attention still looks at the image: one row over its tokens per caption token.
        const AttentionStack& cross = stackNamed(result->record, "cross");
        QCOMPARE(cross.layers, 2);
        QCOMPARE(cross.queries, static_cast<int>(in.decoderIds.size()));
        QCOMPARE(cross.keys, kImageTokens);
        for (int q = 0; q < cross.queries; ++q) {
            double sum = 0;
            for (int key = 0; key < cross.keys; ++key) sum += cross.at(1, 3, q, key);
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
        }
    }
}

void VisionEncoderDecoderTest::theImageChangesThePrediction() {
    const auto cp = openCaptioner(fixtures::captionerFromGolden(), "live");
    std::vector<std::vector<float>> logits, cross;
    for (int c = 0; c < 2; ++c) {
        ForwardInput in = goldenImage(c);
        in.decoderIds = goldenGpt2Ids(0);
        const auto result = cp->model().forward(in);
        logits.push_back(logitsOf(result->record));
        cross.push_back(stackNamed(result->record, "cross").toFloat32());
    }
    QVERIFY(fixtures::maxAbsDiff(logits[0], expectedTensor("gpt2", "case0.logits")) > 1e-2);
    QVERIFY(fixtures::maxAbsDiff(logits[0], logits[1]) > 1e-3);
    QVERIFY(fixtures::maxAbsDiff(cross[0], cross[1]) > 1e-3);
}

// Layer 0's cross-attention worked out from transformers' numbers: the ViT's last hidden state
// (before its final norm) normalised as ViTModel does, keys from the first half of c_attn
// (Conv1D, [in, out]), queries from q_attn over ln_cross_attn of the embeddings (layer 0's
// self-attention silenced, so the embeddings are what reaches it).
void VisionEncoderDecoderTest::crossAttentionReadsTheEncoderOutput() {
    SyntheticCheckpoint ck = fixtures::captionerFromGolden();
    for (const char* t : {"decoder.transformer.h.0.attn.c_proj.weight", "decoder.transformer.h.0.attn.c_proj.bias"})
        for (float& v : ck.at(t).values) v = 0.0f;
    const auto cp = openCaptioner(ck, "by_hand");
    ForwardInput in = goldenImage(0);
    in.decoderIds = goldenGpt2Ids(0);
    const auto result = cp->model().forward(in);
    QVERIFY(result);
    const AttentionStack& cross = stackNamed(result->record, "cross");

    using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const auto matrix = [&](const std::string& name) {
        const SyntheticTensor& t = ck.at(name);
        const Eigen::Index rows = t.shape.size() == 1 ? 1 : t.shape[t.shape.size() - 2], cols = t.shape.back();
        return Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(t.values.data(), rows, cols)
            .cast<double>()
            .eval();
    };
    const auto layerNorm = [&](Matrix x, const std::string& module, double eps) {
        const Matrix w = matrix(module + ".weight"), b = matrix(module + ".bias");
        for (Eigen::Index r = 0; r < x.rows(); ++r) {
            const double mean = x.row(r).mean();
            const double var = (x.row(r).array() - mean).square().mean();
            x.row(r) = ((x.row(r).array() - mean) / std::sqrt(var + eps)).matrix().cwiseProduct(w.row(0)) + b.row(0);
        }
        return x;
    };
    const std::vector<float> hidden = expectedTensor("vit", "case0.last_hidden_state");
    const Matrix encoder = layerNorm(Eigen::Map<const Eigen::Matrix<float, kImageTokens, 32, Eigen::RowMajor>>(hidden.data()).cast<double>(),
                                     "encoder.layernorm", 1e-12);
    const Matrix wte = matrix("decoder.transformer.wte.weight"), wpe = matrix("decoder.transformer.wpe.weight");
    const int m = static_cast<int>(in.decoderIds.size());
    Matrix x(m, 32);
    for (int i = 0; i < m; ++i) x.row(i) = wte.row(in.decoderIds[std::size_t(i)]) + wpe.row(i);
    const std::string layer = "decoder.transformer.h.0.";
    const Matrix q = (layerNorm(x, layer + "ln_cross_attn", 1e-5) * matrix(layer + "crossattention.q_attn.weight")).rowwise() +
                     matrix(layer + "crossattention.q_attn.bias").row(0);
    const Matrix kv = (encoder * matrix(layer + "crossattention.c_attn.weight")).rowwise() + matrix(layer + "crossattention.c_attn.bias").row(0);
    double worst = 0;
    for (int h = 0; h < 4; ++h) {
        Matrix scores = q.middleCols(8 * h, 8) * kv.middleCols(8 * h, 8).transpose() / std::sqrt(8.0);
        for (Eigen::Index i = 0; i < scores.rows(); ++i) {
            scores.row(i) = (scores.row(i).array() - scores.row(i).maxCoeff()).exp().matrix();
            scores.row(i) /= scores.row(i).sum();
            for (int j = 0; j < kImageTokens; ++j) worst = std::max(worst, std::abs(scores(i, j) - cross.at(0, h, int(i), j)));
        }
    }
    QVERIFY2(worst <= kTolerance, qPrintable(QString::number(worst)));
}

void VisionEncoderDecoderTest::cachedCaptionStepsAreTheTeacherForcedPass() {
    const auto cp = openCaptioner(fixtures::captionerFromGolden(), "cached");
    GenerationPrompt prompt;
    prompt.ids = {cp->config().decoderStartTokenId};
    prompt.image = goldenImage(1).pixels;
    Generator g(cp->model(), prompt, SamplingSettings{});
    for (int i = 0; i < 6; ++i) g.step();
    g.feedPending();
    ForwardInput in = goldenImage(1);
    in.decoderIds = g.ids();
    const auto whole = cp->model().forward(in);
    QVERIFY(whole);
    const AttentionRecord& r = whole->record;
    QVERIFY(fixtures::maxAbsDiff(g.encoderAttention().toFloat32(), stackNamed(r, "encoder").toFloat32()) < 1e-5);
    QVERIFY(fixtures::maxAbsDiff(g.attentions().toFloat32(), stackNamed(r, "decoder").toFloat32()) < 1e-5);
    QVERIFY(fixtures::maxAbsDiff(g.crossAttentions().toFloat32(), stackNamed(r, "cross").toFloat32()) < 1e-5);
    // Greedy: every caption token is the teacher-forced pass's argmax at the position before it.
    for (std::size_t i = 1; i < g.ids().size(); ++i) {
        Eigen::Index best = 0;
        r.logits.row(static_cast<Eigen::Index>(i - 1)).maxCoeff(&best);
        QCOMPARE(g.ids()[i], static_cast<int>(best));
    }
    // A captioner generates from an image only.
    GenerationPrompt noImage{{0}, {}, {}};
    QVERIFY_THROWS_EXCEPTION(Error, Generator(cp->model(), noImage, SamplingSettings{}));
    GenerationPrompt text{{0}, {5, 6}, goldenImage(0).pixels};
    QVERIFY_THROWS_EXCEPTION(Error, Generator(cp->model(), text, SamplingSettings{}));
}

void VisionEncoderDecoderTest::projectionMapsTheEncoderWidth() {
    const SyntheticCheckpoint narrow = narrowEncoder(fixtures::captionerFromGolden());
    try {
        openCaptioner(narrow, "no_projection");
        QFAIL("a 16-wide encoder before a 32-wide decoder opened without enc_to_dec_proj");
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find("'enc_to_dec_proj.weight'") != std::string::npos, e.what());
    }
    SyntheticCheckpoint projected = narrow;
    projected.tensors["enc_to_dec_proj.weight"] = {{32, 16}, fixtures::synthetic::values("proj", 32 * 16, 0.0f)};
    projected.tensors["enc_to_dec_proj.bias"] = {{32}, fixtures::synthetic::values("projb", 32, 0.0f)};
    // Twice the projection (weight and bias) read through half the cross keys' and values'
    // weights is the same model: the projection's output is what those weights read.
    SyntheticCheckpoint doubled = projected;
    for (const char* t : {"enc_to_dec_proj.weight", "enc_to_dec_proj.bias"})
        for (float& v : doubled.at(t).values) v *= 2.0f;
    for (int l = 0; l < 2; ++l)
        for (float& v : doubled.at("decoder.transformer.h." + std::to_string(l) + ".crossattention.c_attn.weight").values) v *= 0.5f;
    SyntheticCheckpoint other = projected;
    for (float& v : other.at("enc_to_dec_proj.bias").values) v += 0.5f;

    std::vector<std::vector<float>> logits, cross;
    for (const auto& [ck, name] : {std::pair{&projected, "projected"}, std::pair{&doubled, "doubled"}, std::pair{&other, "other"}}) {
        const auto cp = openCaptioner(*ck, name);
        ForwardInput in = goldenImage(2);
        in.decoderIds = goldenGpt2Ids(1);
        const auto result = cp->model().forward(in);
        QVERIFY(result);
        QCOMPARE(stackNamed(result->record, "encoder").heads, 4);
        logits.push_back(logitsOf(result->record));
        cross.push_back(stackNamed(result->record, "cross").toFloat32());
    }
    QVERIFY(fixtures::maxAbsDiff(logits[0], logits[1]) < 1e-4);
    QVERIFY(fixtures::maxAbsDiff(cross[0], cross[1]) < 1e-5);
    QVERIFY(fixtures::maxAbsDiff(logits[0], logits[2]) > 1e-4);
}

void VisionEncoderDecoderTest::configsThatAreNoCaptionerAreRefused() {
    const nlohmann::json good = fixtures::captionerFromGolden().config;
    const auto refusal = [&](nlohmann::json j) {
        try {
            ModelConfig::fromJson(j, "config.json");
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("(accepted)");
    };
    QVERIFY(refusal(good) == "(accepted)");
    nlohmann::json j = good;
    j.erase("decoder");
    QVERIFY2(refusal(j).find("missing key 'decoder'") != std::string::npos, refusal(j).c_str());
    j = good;
    j["decoder"]["add_cross_attention"] = false;
    QVERIFY2(refusal(j).find("add_cross_attention") != std::string::npos, refusal(j).c_str());
    j = good;
    j["encoder"] = fixtures::readJson(fixtures::goldenDir() / "bert" / "model" / "config.json");
    QVERIFY2(refusal(j).find("must be a vision model; bert reads text") != std::string::npos, refusal(j).c_str());
    j = good;
    j["decoder"] = fixtures::tinyConfig("llama");
    QVERIFY2(refusal(j).find("must be a causal language model with cross-attention") != std::string::npos, refusal(j).c_str());
    j = good;
    j.erase("decoder_start_token_id");
    j["decoder"].erase("bos_token_id");
    QVERIFY2(refusal(j).find("decoder_start_token_id") != std::string::npos, refusal(j).c_str());
    j = good;
    j["encoder"]["model_type"] = "vision-encoder-decoder";
    QVERIFY(refusal(j) != "(accepted)");
}

QTEST_GUILESS_MAIN(VisionEncoderDecoderTest)
#include "test_vision_encoder_decoder.moc"
