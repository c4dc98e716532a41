// config.json parsing and the llama-path variants (mistral's sliding window, qwen2's biases).
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>

#include "Error.h"
#include "GoldenFixtures.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

nlohmann::json llamaConfig() { return fixtures::readJson(fixtures::goldenDir() / "llama" / "model" / "config.json"); }

QString configError(const nlohmann::json& j) {
    try {
        ModelConfig::fromJson(j, "config.json");
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

// A copy of the golden llama checkpoint with another config, plus optional extra tensors.
fs::path llamaVariant(const QTemporaryDir& tmp, const nlohmann::json& config,
                      const std::map<std::string, std::vector<float>>& extra = {}) {
    const fs::path dir = fs::path(tmp.path().toStdString()) / "variant";
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << config.dump();
    SafetensorsFile src(fixtures::goldenDir() / "llama" / "model" / "model.safetensors");
    SafetensorsWriter w;
    for (const auto& t : src.tensors()) w.add(t.name, t.shape, src.toFloat(t).data());
    for (const auto& [name, values] : extra) w.add(name, {std::int64_t(values.size())}, values.data());
    w.write(dir / "model.safetensors");
    return dir;
}

AttentionStack run(const fs::path& dir, int n) {
    TransformerModel m(ModelConfig::fromFile(dir / "config.json"), std::make_unique<CheckpointWeights>(dir));
    ForwardInput in;
    for (int i = 0; i < n; ++i) in.ids.push_back(1 + (i * 37) % 700);
    return m.forward(in)->record.attention();
}

}  // namespace

class ModelConfigTest : public QObject {
    Q_OBJECT
private slots:
    void readsEachFamily();
    void invalidConfigsAreNamed_data();
    void invalidConfigsAreNamed();
    void mistralSlidingWindowRestrictsKeys();
    void mistralWithWideWindowEqualsLlama();
    void qwen2UsesQkvBiases();
    void id2labelIsRead();
};

void ModelConfigTest::readsEachFamily() {
    for (const char* f : {"bert", "distilbert", "roberta", "gpt2", "llama"}) {
        const auto c = ModelConfig::fromFile(fixtures::goldenDir() / f / "model" / "config.json");
        QCOMPARE(c.layers, 2);
        QCOMPARE(c.heads, 4);
        QCOMPARE(c.hidden, 32);
        QCOMPARE(c.headDim, 8);
    }
    const auto llama = ModelConfig::fromFile(fixtures::goldenDir() / "llama" / "model" / "config.json");
    QCOMPARE(llama.kvHeads, 2);
    QVERIFY(llama.causal);
    QCOMPARE(llama.ropes.at(0).theta, 10000.0);
    // The older top-level rope_theta spelling (transformers 4) is read too.
    const auto stories = ModelConfig::fromFile(fixtures::modelsDir() / "stories260k" / "config.json");
    QCOMPARE(stories.kvHeads, 4);
    QVERIFY(stories.tieWordEmbeddings);
}

void ModelConfigTest::invalidConfigsAreNamed_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    auto llamaWith = [](const char* key, nlohmann::json value) {
        auto j = llamaConfig();
        if (value.is_null()) j.erase(key);
        else j[key] = value;
        return QString::fromStdString(j.dump());
    };
    QTest::newRow("not an object") << "[]" << "JSON object";
    QTest::newRow("no model_type") << "{}" << "model_type";
    QTest::newRow("unknown model_type") << R"({"model_type":"mamba"})" << "'mamba' is not supported (supported: bert, roberta";
    QTest::newRow("missing heads") << llamaWith("num_attention_heads", nullptr) << "missing key 'num_attention_heads'";
    QTest::newRow("zero layers") << llamaWith("num_hidden_layers", 0) << "'num_hidden_layers' is 0";
    QTest::newRow("negative hidden") << llamaWith("hidden_size", -32) << "'hidden_size' is -32";
    QTest::newRow("string heads") << llamaWith("num_attention_heads", "4") << "'num_attention_heads' must be an integer";
    QTest::newRow("huge vocab") << llamaWith("vocab_size", 1LL << 40) << "'vocab_size'";
    QTest::newRow("kv heads do not divide") << llamaWith("num_key_value_heads", 3) << "does not divide 4";
    QTest::newRow("unknown activation") << llamaWith("hidden_act", "mish") << "'hidden_act' names activation 'mish'";
    QTest::newRow("unsupported rope") << llamaWith("rope_parameters", {{"rope_type", "mrope"}})
                                      << "rope_parameters: rope_type 'mrope' is not supported (supported: default, linear, dynamic, yarn";
    QTest::newRow("llama3 rope without its factors") << llamaWith("rope_parameters", {{"rope_type", "llama3"}, {"factor", 8.0}})
                                                     << "rope_parameters: missing key 'low_freq_factor'";
    QTest::newRow("linear rope without factor") << llamaWith("rope_scaling", {{"type", "linear"}}) << "rope_scaling: missing key 'factor'";
    QTest::newRow("negative rope factor") << llamaWith("rope_parameters", {{"rope_type", "dynamic"}, {"factor", -2.0}})
                                          << "key 'factor' is -2; it must be positive";
    QTest::newRow("longrope factors of the wrong length")
        << llamaWith("rope_parameters", {{"rope_type", "longrope"}, {"short_factor", {1.0, 1.0}}, {"long_factor", {1.0, 2.0, 3.0, 4.0}}})
        << "key 'short_factor' lists 2 factors; the rotary dimensions need 4";
    QTest::newRow("rope factor not a number") << llamaWith("rope_parameters", {{"rope_type", "linear"}, {"factor", "8"}})
                                              << "key 'factor' must be a number";
    auto bert = fixtures::readJson(fixtures::goldenDir() / "bert" / "model" / "config.json");
    bert["num_attention_heads"] = 5;
    QTest::newRow("hidden not divisible") << QString::fromStdString(bert.dump()) << "not divisible by 5";
}

void ModelConfigTest::invalidConfigsAreNamed() {
    QFETCH(QString, json);
    QFETCH(QString, expected);
    const QString err = configError(nlohmann::json::parse(json.toStdString()));
    QVERIFY2(err.contains(expected), qPrintable(err));
    QVERIFY2(err.startsWith("config.json"), qPrintable(err));
}

void ModelConfigTest::mistralSlidingWindowRestrictsKeys() {
    QTemporaryDir tmp;
    auto cfg = llamaConfig();
    cfg["model_type"] = "mistral";
    cfg["sliding_window"] = 3;
    const int n = 8;
    const auto windowed = run(llamaVariant(tmp, cfg), n);
    const auto full = run(fixtures::goldenDir() / "llama" / "model", n);
    // Layer 0 sees the same scores, so the windowed row is the full causal row restricted to
    // keys q-2..q and renormalised; other keys get exactly zero.
    for (int h = 0; h < 4; ++h)
        for (int q = 0; q < n; ++q) {
            double mass = 0;
            for (int k = std::max(0, q - 2); k <= q; ++k) mass += full.at(0, h, q, k);
            for (int k = 0; k < n; ++k) {
                const bool visible = k <= q && k >= q - 2;
                if (!visible) QCOMPARE(windowed.at(0, h, q, k), 0.0f);
                else QVERIFY(std::abs(windowed.at(0, h, q, k) - full.at(0, h, q, k) / mass) < 1e-5);
            }
        }
}

void ModelConfigTest::mistralWithWideWindowEqualsLlama() {
    QTemporaryDir tmp;
    auto cfg = llamaConfig();
    cfg["model_type"] = "mistral";
    cfg["sliding_window"] = 4096;
    QCOMPARE(run(llamaVariant(tmp, cfg), 10).toFloat32(), run(fixtures::goldenDir() / "llama" / "model", 10).toFloat32());
}

void ModelConfigTest::qwen2UsesQkvBiases() {
    QTemporaryDir tmp;
    auto cfg = llamaConfig();
    cfg["model_type"] = "qwen2";
    cfg["sliding_window"] = 2;           // ignored: use_sliding_window is false by default
    // Without the biases a qwen2 checkpoint is incomplete, and the error names the tensor.
    try {
        run(llamaVariant(tmp, cfg), 4);
        QFAIL("expected a missing-tensor error");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("model.layers.0.self_attn.q_proj.bias"), e.what());
    }
    std::map<std::string, std::vector<float>> zeros, ones;
    for (int l = 0; l < 2; ++l)
        for (auto [proj, width] : {std::pair{"q_proj", 32}, {"k_proj", 16}, {"v_proj", 16}}) {
            const std::string name = "model.layers." + std::to_string(l) + ".self_attn." + proj + ".bias";
            zeros[name] = std::vector<float>(width, 0.0f);
            ones[name] = std::vector<float>(width, 0.5f);
        }
    QTemporaryDir tmpZero, tmpOnes;
    const auto llama = run(fixtures::goldenDir() / "llama" / "model", 6).toFloat32();
    QCOMPARE(run(llamaVariant(tmpZero, cfg, zeros), 6).toFloat32(), llama);  // zero biases: same maths as llama
    QVERIFY(run(llamaVariant(tmpOnes, cfg, ones), 6).toFloat32() != llama);   // and biases are applied
}

void ModelConfigTest::id2labelIsRead() {
    auto j = fixtures::readJson(fixtures::goldenDir() / "bert" / "model" / "config.json");
    j["id2label"] = {{"0", "negative"}, {"1", "positive"}};
    const auto c = ModelConfig::fromJson(j, "config.json");
    QCOMPARE(c.id2label.size(), std::size_t(2));
    QCOMPARE(c.id2label.at(1), std::string("positive"));
    j["id2label"] = {{"zero", "negative"}};
    QVERIFY(configError(j).contains("id2label"));
}

QTEST_APPLESS_MAIN(ModelConfigTest)
#include "test_model_config.moc"
