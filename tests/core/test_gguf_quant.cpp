// A trained model quantized by llama.cpp runs in AttnScope as it runs in llama.cpp: the same
// next-token argmax at most positions and the same mean negative log-likelihood of four
// stories, for Q8_0 and Q4_0 (stories260k, widths 64 and 172) and for Q8_0, Q6_K, Q5_K_M and
// Q4_K_M (the same network with every width padded to 256, so that the K-quants cover every
// matrix; see pad_to_256 in tools/gguf_quant_reference.py).
//
// The references (tests/fixtures/gguf_quant/) are llama.cpp's: its converter, its
// llama_model_quantize and its probabilities, through node-llama-cpp 3.21.1. The quantized files
// are derived from ../shared/models/stories260k, which is not committed, so this test rebuilds
// each file from it — the converter's tensor layout, the padding, and ggml's reference
// quantizers (tests/support/GgmlQuantizer.h) — and requires every tensor's bytes to have the
// SHA-256 of llama.cpp's file before it runs the model.
#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <map>

#include "GgmlQuantizer.h"
#include "GgufBuilder.h"
#include "GoldenFixtures.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

using namespace attnscope;
using fixtures::GgufBuilder;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Weight {
    std::vector<std::int64_t> shape;  // PyTorch order, as the reference lists it
    std::vector<float> values;
};

// The Hugging Face tensor llama.cpp's converter writes under a GGUF name.
std::string huggingFaceName(const std::string& gguf) {
    if (gguf == "token_embd.weight") return "model.embed_tokens.weight";
    if (gguf == "output_norm.weight") return "model.norm.weight";
    static const std::map<std::string, std::string> roles = {
        {"attn_norm", "input_layernorm"}, {"ffn_norm", "post_attention_layernorm"}, {"attn_q", "self_attn.q_proj"},
        {"attn_k", "self_attn.k_proj"}, {"attn_v", "self_attn.v_proj"}, {"attn_output", "self_attn.o_proj"},
        {"ffn_gate", "mlp.gate_proj"}, {"ffn_up", "mlp.up_proj"}, {"ffn_down", "mlp.down_proj"}};
    const auto dot = gguf.find('.', 4);
    const auto role = roles.find(gguf.substr(dot + 1, gguf.size() - dot - 1 - std::string(".weight").size()));
    if (gguf.rfind("blk.", 0) != 0 || role == roles.end()) throw std::runtime_error("unexpected GGUF tensor " + gguf);
    return "model.layers." + gguf.substr(4, dot - 4) + "." + role->second + ".weight";
}

std::uint32_t metadataUnsigned(const json& reference, const std::string& key) {
    for (const auto& kv : reference["metadata"])
        if (kv[0] == key) return kv[2].get<std::uint32_t>();
    throw std::runtime_error("no " + key + " in the reference");
}

// The F32 tensors of llama.cpp's F32 file, made from the checkpoint: padded with zeros to the
// reference's shapes (norm weights scaled by sqrt(64/256) as the padding requires), and query and
// key rows permuted into rotary pairs as the converter's LlamaModel.permute does.
std::map<std::string, Weight> converterWeights(const json& reference, const fs::path& folder) {
    SafetensorsFile checkpoint(folder / "model.safetensors");
    const auto* embed = checkpoint.find("model.embed_tokens.weight");
    const std::uint32_t hidden = metadataUnsigned(reference, "llama.embedding_length");
    const float normScale = std::sqrt(float(embed->shape[1]) / float(hidden));
    std::map<std::string, Weight> out;
    for (const auto& t : reference["files"]["F32"]["tensors"]) {
        const std::string name = t["name"];
        const auto* info = checkpoint.find(huggingFaceName(name));
        if (!info) throw std::runtime_error("stories260k has no " + huggingFaceName(name));
        const std::vector<float> original = checkpoint.toFloat(*info);
        Weight w{t["shape"].get<std::vector<std::int64_t>>(), {}};
        const std::int64_t rows = w.shape[0], cols = w.shape.size() > 1 ? w.shape[1] : 1;
        const std::int64_t oRows = info->shape[0], oCols = info->shape.size() > 1 ? info->shape[1] : 1;
        w.values.assign(std::size_t(rows * cols), 0.0f);
        for (std::int64_t r = 0; r < oRows; ++r)
            for (std::int64_t c = 0; c < oCols; ++c) w.values[std::size_t(r * cols + c)] = original[std::size_t(r * oCols + c)];
        if (name.find("norm") != std::string::npos)
            for (float& v : w.values) v *= normScale;
        const bool q = name.find("attn_q") != std::string::npos, k = name.find("attn_k") != std::string::npos;
        if (q || k) {
            const std::int64_t heads = metadataUnsigned(reference, q ? "llama.attention.head_count" : "llama.attention.head_count_kv");
            const std::int64_t dim = rows / heads, half = dim / 2;
            std::vector<float> permuted(w.values.size());
            for (std::int64_t h = 0; h < heads; ++h)
                for (std::int64_t j = 0; j < half; ++j)
                    for (std::int64_t p = 0; p < 2; ++p)
                        std::copy_n(w.values.begin() + (h * dim + p * half + j) * cols, cols, permuted.begin() + (h * dim + j * 2 + p) * cols);
            w.values = std::move(permuted);
        }
        out[name] = std::move(w);
    }
    return out;
}

QString sha256(const std::string& bytes) {
    return QCryptographicHash::hash(QByteArray::fromRawData(bytes.data(), qsizetype(bytes.size())), QCryptographicHash::Sha256).toHex();
}

}  // namespace

class GgufQuantTest : public QObject {
    Q_OBJECT
private slots:
    void agreesWithLlamaCpp_data();
    void agreesWithLlamaCpp();

private:
    QTemporaryDir dir_;
};

void GgufQuantTest::agreesWithLlamaCpp_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("argmaxPercent");
    QTest::addColumn<double>("nllTolerance");
    // The bounds: the same argmax at >= 97 % of positions for Q8_0, Q6_K and Q5_K, 90 %
    // for Q4_K and Q4_0, and mean NLL within 0.02. F32 is the same arithmetic.
    QTest::newRow("stories260k F32") << "stories260k" << "F32" << 100 << 1e-4;
    QTest::newRow("stories260k Q8_0") << "stories260k" << "Q8_0" << 97 << 0.02;
    QTest::newRow("stories260k Q4_0") << "stories260k" << "Q4_0" << 90 << 0.02;
    QTest::newRow("w256 F32") << "stories260k-w256" << "F32" << 100 << 1e-4;
    QTest::newRow("w256 Q8_0") << "stories260k-w256" << "Q8_0" << 97 << 0.02;
    QTest::newRow("w256 Q6_K") << "stories260k-w256" << "Q6_K" << 97 << 0.02;
    QTest::newRow("w256 Q5_K_M") << "stories260k-w256" << "Q5_K_M" << 97 << 0.02;
    QTest::newRow("w256 Q4_K_M") << "stories260k-w256" << "Q4_K_M" << 90 << 0.02;
}

void GgufQuantTest::agreesWithLlamaCpp() {
    QFETCH(QString, model);
    QFETCH(QString, file);
    QFETCH(int, argmaxPercent);
    QFETCH(double, nllTolerance);
    const json reference = fixtures::readJson(fs::path(ATTNSCOPE_FIXTURES_DIR) / "gguf_quant" / (model.toStdString() + ".json"));
    const json& expected = reference["files"][file.toStdString()];
    const auto weights = converterWeights(reference, fixtures::modelsDir() / "stories260k");

    GgufBuilder b;
    for (const auto& kv : reference["metadata"]) {
        const std::string key = kv[0], type = kv[1];
        if (type == "STRING") b.addString(key, kv[2].get<std::string>());
        else if (type == "UINT32") b.addU32(key, kv[2].get<std::uint32_t>());
        else if (type == "FLOAT32") b.addF32(key, kv[2].get<float>());
        else QFAIL(qPrintable(QString::fromStdString("metadata " + key + " of type " + type)));
    }
    for (const auto& t : expected["tensors"]) {
        const std::string name = t["name"], type = t["type"];
        const Weight& w = weights.at(name);
        const std::string bytes = fixtures::ggml::quantize(type, w.values);
        QVERIFY2(sha256(bytes) == QString::fromStdString(t["sha256"].get<std::string>()),
                 qPrintable(QString::fromStdString(name + " as " + type + " is not the tensor llama.cpp wrote")));
        b.addTensor(name, std::vector<std::uint64_t>(w.shape.rbegin(), w.shape.rend()), fixtures::ggml::typeId(type), bytes);
    }
    const fs::path path = fs::path(dir_.path().toStdString()) / (model + "-" + file + ".gguf").toStdString();
    b.write(path);

    auto checkpoint = Checkpoint::open(path);
    int positions = 0, sameArgmax = 0, nllPositions = 0;
    double ourNll = 0, theirNll = 0, worst = 0;
    for (std::size_t i = 0; i < reference["ids"].size(); ++i) {
        ForwardInput in;
        in.ids = reference["ids"][i].get<std::vector<int>>();
        const auto result = checkpoint->forward(in);
        QVERIFY(result);
        const RowMatrix& logits = result->record.logits;
        const json& c = expected["cases"][i];
        QCOMPARE(std::size_t(logits.rows()), in.ids.size());
        for (Eigen::Index pos = 0; pos < logits.rows(); ++pos) {
            const Eigen::RowVectorXd row = logits.row(pos).cast<double>();
            const double logSum = row.maxCoeff() + std::log((row.array() - row.maxCoeff()).exp().sum());
            Eigen::Index argmax;
            row.maxCoeff(&argmax);
            const json& top = c["top"][std::size_t(pos)];
            ++positions;
            sameArgmax += argmax == top[0][0].get<int>();
            for (const auto& entry : top) worst = std::max(worst, std::abs(std::exp(row(entry[0].get<int>()) - logSum) - entry[1].get<double>()));
            if (pos + 1 < logits.rows()) {
                const double theirs = c["next"][std::size_t(pos)].get<double>();
                QVERIFY(std::isfinite(row(in.ids[std::size_t(pos) + 1])) && theirs > 0);
                ourNll -= row(in.ids[std::size_t(pos) + 1]) - logSum;
                theirNll -= std::log(theirs);
                ++nllPositions;
            }
        }
    }
    ourNll /= nllPositions;
    theirNll /= nllPositions;
    qInfo("%s %s: same argmax at %d of %d positions; mean NLL %.4f (llama.cpp %.4f); largest top-8 probability difference %.3g",
          qPrintable(model), qPrintable(file), sameArgmax, positions, ourNll, theirNll, worst);
    QVERIFY2(sameArgmax * 100 >= positions * argmaxPercent, qPrintable(QString("same argmax at only %1 of %2 positions").arg(sameArgmax).arg(positions)));
    QVERIFY2(std::abs(ourNll - theirNll) <= nllTolerance, qPrintable(QString("mean NLL %1, llama.cpp's %2").arg(ourNll).arg(theirNll)));
    if (file == "F32") QVERIFY2(worst <= 1e-4, qPrintable(QString("probabilities differ from llama.cpp's by %1").arg(worst)));
}

QTEST_GUILESS_MAIN(GgufQuantTest)
#include "test_gguf_quant.moc"
