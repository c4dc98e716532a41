// ELECTRA and ALBERT, checked against transformers' BERT references until fixtures of their own
// exist: ELECTRA with embeddings as wide as the encoder is BERT's maths under other names, and a
// factorised model whose tables are BERT's duplicated (LayerNorm of [x, x] is [LN(x), LN(x)])
// and projected back by [I/2 | I/2] is BERT again. ALBERT with one layer is BERT's first layer;
// with more, BERT whose layers all hold layer 0's weights. A projection or head that is read
// wrongly, or not at all, moves these results by far more than float rounding.
#include <QtTest>

#include "Error.h"
#include "GoldenFixtures.h"
#include "ModelRuns.h"
#include "SyntheticCheckpoints.h"
#include "analysis/Predictions.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"

using namespace attnscope;
namespace fs = std::filesystem;
using fixtures::maxDiff;
using fixtures::SyntheticCheckpoint;
using fixtures::SyntheticTensor;

namespace {

constexpr double kParity = 1e-4;   // against a transformers reference
constexpr double kSame = 1e-5;     // two spellings of one model, float rounding apart
constexpr double kChanged = 1e-3;  // what a missing or wrong part moves

SyntheticCheckpoint goldenCheckpoint(const std::string& family) { return fixtures::loadCheckpoint(fixtures::goldenDir() / family / "model"); }

SyntheticTensor goldenTensor(const std::string& family, const std::string& name) {
    const SafetensorsFile f(fixtures::goldenDir() / family / "expected.safetensors");
    const TensorInfo* t = f.find(name);
    if (!t) throw std::runtime_error("no golden tensor " + name);
    return {t->shape, f.toFloat(*t)};
}

std::vector<int> goldenIds(const std::string& family, int caseIndex) {
    return fixtures::readJson(fixtures::goldenDir() / family / "expected.json")["cases"][caseIndex]["ids"].get<std::vector<int>>();
}

double diffTo(const AttentionStack& a, const SyntheticTensor& expected) {
    const std::vector<float> values = a.toFloat32();
    if (std::int64_t(values.size()) != std::int64_t(expected.values.size())) return std::numeric_limits<double>::infinity();
    return fixtures::maxAbsDiff(values, expected.values);
}
double diffTo(const RowMatrix& m, const SyntheticTensor& expected) {
    if (expected.shape.size() != 2 || m.rows() != expected.shape[0] || m.cols() != expected.shape[1])
        return std::numeric_limits<double>::infinity();
    return fixtures::maxAbsDiff(m.data(), std::size_t(m.size()), expected.values.data(), expected.values.size());
}

// Each row [x] of a table becomes [x * s, x * s]; a vector [v] becomes [v, v].
SyntheticTensor duplicated(const SyntheticTensor& t, float s = 1.0f) {
    const std::int64_t rows = t.shape.size() == 1 ? 1 : t.rows(), width = t.shape.back();
    SyntheticTensor out{t.shape, {}};
    out.shape.back() = 2 * width;
    for (std::int64_t r = 0; r < rows; ++r)
        for (int copy = 0; copy < 2; ++copy)
            for (std::int64_t c = 0; c < width; ++c) out.values.push_back(t.values[std::size_t(r * width + c)] * s);
    return out;
}

// [out, in] = [h, 2h]: [I * a | I * b].
SyntheticTensor sideBySide(std::int64_t h, float a, float b) {
    SyntheticTensor t{{h, 2 * h}, std::vector<float>(std::size_t(2 * h * h), 0.0f)};
    for (std::int64_t i = 0; i < h; ++i) {
        t.values[std::size_t(i * 2 * h + i)] = a;
        t.values[std::size_t(i * 2 * h + h + i)] = b;
    }
    return t;
}
SyntheticTensor identity(std::int64_t h) {
    SyntheticTensor t{{h, h}, std::vector<float>(std::size_t(h * h), 0.0f)};
    for (std::int64_t i = 0; i < h; ++i) t.values[std::size_t(i * h + i)] = 1.0f;
    return t;
}
SyntheticTensor zeros(std::int64_t n) { return {{n}, std::vector<float>(std::size_t(n), 0.0f)}; }

// Renames `from` (a whole name or a prefix ending in '.') to `to` in every tensor name.
void rename(SyntheticCheckpoint& ck, const std::string& from, const std::string& to) {
    std::map<std::string, SyntheticTensor> out;
    for (auto& [name, t] : ck.tensors) {
        const auto at = name.find(from);
        out[at == std::string::npos ? name : name.substr(0, at) + to + name.substr(at + from.size())] = std::move(t);
    }
    ck.tensors = std::move(out);
}

// The embedding tables and their norm at twice the width, the tables scaled by `s`: LayerNorm
// does not see the scale, and gives [LN(x), LN(x)], which [I/2 | I/2] projects back to BERT's.
void widenEmbeddings(SyntheticCheckpoint& ck, const std::string& prefix, float s) {
    for (const char* table : {"word_embeddings", "position_embeddings", "token_type_embeddings"}) {
        SyntheticTensor& t = ck.at(prefix + "embeddings." + table + ".weight");
        t = duplicated(t, s);
    }
    for (const char* part : {".weight", ".bias"}) {
        SyntheticTensor& t = ck.at(prefix + "embeddings.LayerNorm" + part);
        t = duplicated(t);
    }
}

const std::vector<std::pair<std::string, std::string>> kAlbertLayerNames{
    {"attention.self.query", "attention.query"},      {"attention.self.key", "attention.key"},
    {"attention.self.value", "attention.value"},      {"attention.output.dense", "attention.dense"},
    {"attention.output.LayerNorm", "attention.LayerNorm"}, {"intermediate.dense", "ffn"},
    {"output.dense", "ffn_output"},                   {"output.LayerNorm", "full_layer_layer_norm"}};

// BERT's checkpoint (under `prefix`) as ALBERT's: layer 0 becomes the shared layer, the other
// layers are dropped, and an identity maps the embeddings (as wide as the encoder) in.
SyntheticCheckpoint albertFromBert(const SyntheticCheckpoint& bert, const std::string& prefix, int layers) {
    SyntheticCheckpoint ck{bert.config, {}};
    const std::string layer0 = prefix + "encoder.layer.0.", shared = prefix + "encoder.albert_layer_groups.0.albert_layers.0.";
    for (const auto& [name, t] : bert.tensors) {
        if (name.rfind(prefix + "encoder.layer.", 0) == 0 && name.rfind(layer0, 0) != 0) continue;
        std::string n = name;
        if (n.rfind(layer0, 0) == 0) {
            std::string rest = n.substr(layer0.size());
            for (const auto& [from, to] : kAlbertLayerNames)
                if (rest.rfind(from + ".", 0) == 0) rest = to + rest.substr(from.size());
            n = shared + rest;
        }
        ck.tensors[n] = t;
    }
    const std::int64_t h = bert.config["hidden_size"].get<int>();
    ck.tensors[prefix + "encoder.embedding_hidden_mapping_in.weight"] = identity(h);
    ck.tensors[prefix + "encoder.embedding_hidden_mapping_in.bias"] = zeros(h);
    ck.config["model_type"] = "albert";
    ck.config["embedding_size"] = h;
    ck.config["num_hidden_layers"] = layers;
    return ck;
}

// BERT whose every layer holds layer 0's weights.
SyntheticCheckpoint bertSharingLayerZero(SyntheticCheckpoint bert, const std::string& prefix) {
    const std::string layer0 = prefix + "encoder.layer.0.";
    for (int l = 1; l < bert.config["num_hidden_layers"].get<int>(); ++l) {
        const std::string layer = prefix + "encoder.layer." + std::to_string(l) + ".";
        for (auto& [name, t] : bert.tensors)
            if (name.rfind(layer, 0) == 0) t = bert.tensors.at(layer0 + name.substr(layer.size()));
    }
    return bert;
}

fs::path folder(const QTemporaryDir& tmp, const std::string& name) { return fs::path(tmp.path().toStdString()) / name; }

}  // namespace

class FactorisedEncodersTest : public QObject {
    Q_OBJECT
private slots:
    void electraAsWideAsItsEncoderIsBert();
    void electraProjectsFactorisedEmbeddings();
    void electraWithoutItsProjectionNamesIt();
    void electraGeneratorIsBertsMaskedLmHead();
    void electraClassifierUsesGelu();
    void electraDiscriminatorScoresEveryToken();
    void albertWithOneLayerIsBertsFirstLayer();
    void albertSharesItsLayerWeights();
    void albertMaskedLmWorksAtTheEmbeddingWidth();
    void configDefaultsAndRefusals();
};

// ElectraModel without embeddings_project is BertModel: transformers' BERT reference holds.
void FactorisedEncodersTest::electraAsWideAsItsEncoderIsBert() {
    QTemporaryDir tmp;
    SyntheticCheckpoint electra = goldenCheckpoint("bert");
    electra.config["model_type"] = "electra";
    electra.config["embedding_size"] = electra.config["hidden_size"];
    const auto model = fixtures::loadModel(electra.write(folder(tmp, "electra")));
    for (int i = 0; i < 2; ++i) {
        const auto run = fixtures::runModel(*model, goldenIds("bert", i));
        const std::string c = "case" + std::to_string(i) + ".";
        QVERIFY2(diffTo(run.attention, goldenTensor("bert", c + "attentions")) <= kParity, c.c_str());
        QVERIFY2(diffTo(run.lastHiddenState, goldenTensor("bert", c + "last_hidden_state")) <= kParity, c.c_str());
    }
}

void FactorisedEncodersTest::electraProjectsFactorisedEmbeddings() {
    QTemporaryDir tmp;
    SyntheticCheckpoint electra = goldenCheckpoint("bert");
    const int h = electra.config["hidden_size"].get<int>();
    electra.config["model_type"] = "electra";
    electra.config["embedding_size"] = 2 * h;
    widenEmbeddings(electra, "", 0.5f);
    electra.tensors["embeddings_project.weight"] = sideBySide(h, 0.5f, 0.5f);
    electra.tensors["embeddings_project.bias"] = zeros(h);
    const auto ids = goldenIds("bert", 0);
    const auto run = fixtures::runModel(electra.write(folder(tmp, "electra")), ids);
    const double attention = diffTo(run.attention, goldenTensor("bert", "case0.attentions"));
    QVERIFY2(attention <= kParity, qPrintable(QString::number(attention)));
    QVERIFY(diffTo(run.lastHiddenState, goldenTensor("bert", "case0.last_hidden_state")) <= kParity);

    // Twice the projection gives other attention: it is applied, not skipped.
    electra.tensors["embeddings_project.weight"] = sideBySide(h, 1.0f, 1.0f);
    const auto other = fixtures::runModel(electra.write(folder(tmp, "electra-other")), ids);
    QVERIFY(diffTo(other.attention, goldenTensor("bert", "case0.attentions")) > kChanged);
}

void FactorisedEncodersTest::electraWithoutItsProjectionNamesIt() {
    QTemporaryDir tmp;
    SyntheticCheckpoint electra = goldenCheckpoint("bert");
    electra.config["model_type"] = "electra";
    electra.config["embedding_size"] = 2 * electra.config["hidden_size"].get<int>();
    widenEmbeddings(electra, "", 1.0f);
    const fs::path dir = electra.write(folder(tmp, "electra"));
    const QString error = [&] {
        try {
            fixtures::loadModel(dir);
        } catch (const Error& e) {
            return QString::fromStdString(e.what());
        }
        return QString();
    }();
    QVERIFY2(error.contains("embeddings_project.weight"), qPrintable(error));
}

// ElectraForMaskedLM's generator head is BERT's masked-LM transform under other names, at
// equal widths: transformers' BertForMaskedLM logits hold.
void FactorisedEncodersTest::electraGeneratorIsBertsMaskedLmHead() {
    QTemporaryDir tmp;
    SyntheticCheckpoint electra = goldenCheckpoint("bert_mlm");
    rename(electra, "bert.", "electra.");
    rename(electra, "cls.predictions.transform.dense", "generator_predictions.dense");
    rename(electra, "cls.predictions.transform.LayerNorm", "generator_predictions.LayerNorm");
    rename(electra, "cls.predictions.bias", "generator_lm_head.bias");
    electra.config["model_type"] = "electra";
    electra.config["embedding_size"] = electra.config["hidden_size"];
    electra.config["architectures"] = {"ElectraForMaskedLM"};
    QCOMPARE(electra.config["hidden_act"].get<std::string>(), std::string("gelu"));  // the generator's fixed activation
    const auto model = fixtures::loadModel(electra.write(folder(tmp, "electra")));
    QCOMPARE(model->capabilities().head, HeadKind::MaskedLm);
    for (int i = 0; i < 2; ++i) {
        const auto run = fixtures::runModel(*model, goldenIds("bert_mlm", i));
        const double d = diffTo(run.logits, goldenTensor("bert_mlm", "case" + std::to_string(i) + ".logits"));
        QVERIFY2(d <= kParity, qPrintable(QString::number(d)));
    }
}

// ElectraClassificationHead: [CLS] -> dense -> GELU (not BERT's tanh) -> out_proj.
void FactorisedEncodersTest::electraClassifierUsesGelu() {
    QTemporaryDir tmp;
    SyntheticCheckpoint electra = goldenCheckpoint("bert");
    const int h = electra.config["hidden_size"].get<int>();
    electra.config["model_type"] = "electra";
    electra.config["embedding_size"] = h;
    electra.config["id2label"] = {{"0", "NEGATIVE"}, {"1", "POSITIVE"}};
    const SyntheticTensor dense{{h, h}, fixtures::synthetic::values("dense", std::size_t(h) * h, 0.0f)};
    const SyntheticTensor denseBias{{h}, fixtures::synthetic::values("dense bias", std::size_t(h), 0.0f)};
    const SyntheticTensor out{{2, h}, fixtures::synthetic::values("out", std::size_t(2) * h, 0.0f)};
    electra.tensors["classifier.dense.weight"] = dense;
    electra.tensors["classifier.dense.bias"] = denseBias;
    electra.tensors["classifier.out_proj.weight"] = out;
    electra.tensors["classifier.out_proj.bias"] = zeros(2);
    const auto run = fixtures::runModel(electra.write(folder(tmp, "electra")), goldenIds("bert", 0));
    QCOMPARE(run.logits.rows(), 1);
    QCOMPARE(run.logits.cols(), 2);
    // By hand, from the reference's last hidden state at [CLS] (exact GELU: x * Phi(x)).
    const SyntheticTensor last = goldenTensor("bert", "case0.last_hidden_state");
    std::vector<double> a(std::size_t(h), 0.0);
    for (int o = 0; o < h; ++o) {
        double z = denseBias.values[std::size_t(o)];
        for (int i = 0; i < h; ++i) z += double(dense.values[std::size_t(o * h + i)]) * last.values[std::size_t(i)];
        a[std::size_t(o)] = 0.5 * z * (1.0 + std::erf(z / std::sqrt(2.0)));
    }
    for (int label = 0; label < 2; ++label) {
        double logit = 0.0;
        for (int i = 0; i < h; ++i) logit += double(out.values[std::size_t(label * h + i)]) * a[std::size_t(i)];
        QVERIFY2(std::abs(logit - run.logits(0, label)) <= kParity, qPrintable(QString::number(logit - run.logits(0, label))));
    }
}

// ElectraForPreTraining: per token z = w . act(W h + b) + c, the logit that the token was
// replaced; the engine's logits are [0, z] so that the softmax gives sigmoid(z) to "replaced".
void FactorisedEncodersTest::electraDiscriminatorScoresEveryToken() {
    QTemporaryDir tmp;
    const fs::path dir = folder(tmp, "electra");
    SyntheticCheckpoint electra = fixtures::writeElectraDiscriminator(fixtures::goldenDir() / "bert" / "model", dir);
    const int h = electra.config["hidden_size"].get<int>();
    const SyntheticTensor& dense = electra.at("discriminator_predictions.dense.weight");
    const SyntheticTensor& denseBias = electra.at("discriminator_predictions.dense.bias");
    const SyntheticTensor& prediction = electra.at("discriminator_predictions.dense_prediction.weight");
    const float predictionBias = electra.at("discriminator_predictions.dense_prediction.bias").values.front();

    const auto checkpoint = Checkpoint::open(dir);
    const ModelCapabilities& m = checkpoint->capabilities();
    QCOMPARE(m.head, HeadKind::TokenClassifier);
    QCOMPARE(m.predictions, PredictionKind::TokenLabels);
    QVERIFY(!m.isClassifier());
    QVERIFY(!m.hasLogitLens);
    QVERIFY2(QString::fromStdString(m.whyNoLogitLens).contains("labels each token"), m.whyNoLogitLens.c_str());
    QVERIFY(!m.canGenerate);

    const std::vector<int> ids = goldenIds("bert", 0);
    const auto run = fixtures::runModel(checkpoint->model(), ids);
    const int n = static_cast<int>(ids.size());
    QCOMPARE(int(run.logits.rows()), n);
    QCOMPARE(int(run.logits.cols()), 2);
    const SyntheticTensor last = goldenTensor("bert", "case0.last_hidden_state");
    for (int t = 0; t < n; ++t) {
        double z = predictionBias;
        for (int o = 0; o < h; ++o) {
            double a = denseBias.values[std::size_t(o)];
            for (int i = 0; i < h; ++i) a += double(dense.values[std::size_t(o * h + i)]) * last.values[std::size_t(t * h + i)];
            z += double(prediction.values[std::size_t(o)]) * 0.5 * a * (1.0 + std::erf(a / std::sqrt(2.0)));
        }
        QCOMPARE(run.logits(t, 0), 0.0f);
        QVERIFY2(std::abs(run.logits(t, 1) - z) <= kParity, qPrintable(QString("token %1: %2 vs %3").arg(t).arg(run.logits(t, 1)).arg(z)));
        const auto named = namedPredictions(*checkpoint, run.logits.row(t).data(), 2, 5);
        QCOMPARE(int(named.size()), 2);
        const auto replaced = named[0].id == 1 ? named[0] : named[1];
        QCOMPARE(replaced.name, std::string("replaced"));
        QCOMPARE((named[0].id == 0 ? named[0] : named[1]).name, std::string("original"));
        QVERIFY(std::abs(replaced.probability - 1.0 / (1.0 + std::exp(-z))) <= kParity);
    }
}

// With one layer, ALBERT's attention is the reference BERT's first layer.
void FactorisedEncodersTest::albertWithOneLayerIsBertsFirstLayer() {
    QTemporaryDir tmp;
    const SyntheticCheckpoint albert = albertFromBert(goldenCheckpoint("bert"), "", 1);
    const auto run = fixtures::runModel(albert.write(folder(tmp, "albert")), goldenIds("bert", 0));
    const SyntheticTensor expected = goldenTensor("bert", "case0.attentions");
    const std::size_t layerSize = expected.values.size() / std::size_t(expected.shape[0]);
    const SyntheticTensor first{{1, expected.shape[1], expected.shape[2], expected.shape[3]},
                                {expected.values.begin(), expected.values.begin() + std::ptrdiff_t(layerSize)}};
    QCOMPARE(run.attention.layers, 1);
    QVERIFY(diffTo(run.attention, first) <= kParity);
}

void FactorisedEncodersTest::albertSharesItsLayerWeights() {
    QTemporaryDir tmp;
    const SyntheticCheckpoint bert = goldenCheckpoint("bert");
    const auto ids = goldenIds("bert", 1);
    const auto albert = fixtures::runModel(albertFromBert(bert, "", 2).write(folder(tmp, "albert")), ids);
    const auto shared = fixtures::runModel(bertSharingLayerZero(bert, "").write(folder(tmp, "bert")), ids);
    QVERIFY(maxDiff(albert.attention, shared.attention) <= kSame);
    QVERIFY(maxDiff(albert.lastHiddenState, shared.lastHiddenState) <= kSame);
    // ...and that is not the reference, whose second layer has weights of its own.
    QVERIFY(diffTo(albert.attention, goldenTensor("bert", "case1.attentions")) > kChanged);
}

// AlbertForMaskedLM maps down to embedding_size before its norm and tied decoder. At twice
// the encoder's width with BERT's tables halved and duplicated, the dense layer duplicated and
// the decoder reading [E/2, E/2], it computes BERT's masked-LM logits (on shared layers).
void FactorisedEncodersTest::albertMaskedLmWorksAtTheEmbeddingWidth() {
    QTemporaryDir tmp;
    const SyntheticCheckpoint bert = goldenCheckpoint("bert_mlm");
    const int h = bert.config["hidden_size"].get<int>();
    SyntheticCheckpoint albert = albertFromBert(bert, "bert.", 2);
    rename(albert, "bert.", "albert.");
    rename(albert, "cls.predictions.transform.dense", "predictions.dense");
    rename(albert, "cls.predictions.transform.LayerNorm", "predictions.LayerNorm");
    rename(albert, "cls.predictions.bias", "predictions.bias");
    albert.config["architectures"] = {"AlbertForMaskedLM"};
    albert.config["embedding_size"] = 2 * h;
    widenEmbeddings(albert, "albert.", 0.5f);
    albert.tensors["albert.encoder.embedding_hidden_mapping_in.weight"] = sideBySide(h, 0.5f, 0.5f);
    for (const char* part : {"predictions.dense.weight", "predictions.dense.bias", "predictions.LayerNorm.weight",
                             "predictions.LayerNorm.bias"}) {
        SyntheticTensor& t = albert.at(part);
        SyntheticTensor twice{t.shape, t.values};
        twice.shape.front() *= 2;
        twice.values.insert(twice.values.end(), t.values.begin(), t.values.end());
        t = std::string(part).find("LayerNorm") != std::string::npos ? duplicated(t) : twice;
    }
    const auto model = fixtures::loadModel(albert.write(folder(tmp, "albert")));
    QCOMPARE(model->capabilities().head, HeadKind::MaskedLm);
    const auto ids = goldenIds("bert_mlm", 0);
    const auto a = fixtures::runModel(*model, ids);
    const auto b = fixtures::runModel(bertSharingLayerZero(bert, "bert.").write(folder(tmp, "bert")), ids);
    QVERIFY2(maxDiff(a.logits, b.logits) <= kSame * 10, qPrintable(QString::number(maxDiff(a.logits, b.logits))));
    QVERIFY(maxDiff(a.attention, b.attention) <= kSame);
}

void FactorisedEncodersTest::configDefaultsAndRefusals() {
    nlohmann::json j = fixtures::readJson(fixtures::goldenDir() / "bert" / "model" / "config.json");
    for (const char* type : {"electra", "albert"}) {
        j["model_type"] = type;
        QCOMPARE(ModelConfig::fromJson(j, "config.json").embeddingSize, 128);  // the config classes' default
        j["embedding_size"] = 16;
        QCOMPARE(ModelConfig::fromJson(j, "config.json").embeddingSize, 16);
        j.erase("embedding_size");
    }
    j.erase("hidden_act");
    QCOMPARE(ModelConfig::fromJson(j, "config.json").activation, Activation::GeluTanh);  // AlbertConfig's gelu_new
    j["num_hidden_groups"] = 1;
    QVERIFY(ModelConfig::fromJson(j, "config.json").layers == 2);
    for (const char* key : {"num_hidden_groups", "inner_group_num"}) {
        nlohmann::json k = j;
        k[key] = 2;
        try {
            ModelConfig::fromJson(k, "config.json");
            QFAIL("two layer groups were accepted");
        } catch (const Error& e) {
            const QString message = QString::fromStdString(e.what());
            QVERIFY2(message.startsWith("config.json: key '" + QString(key) + "' is 2;"), qPrintable(message));
        }
    }
}

QTEST_APPLESS_MAIN(FactorisedEncodersTest)
#include "test_factorised_encoders.moc"
