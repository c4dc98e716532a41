// Numerical parity with Hugging Face transformers (eager attention, float32) on the golden
// checkpoints: every case of every text family, attention probabilities to 1e-4.
#include <QtTest>

#include <cmath>

#include "GoldenFixtures.h"
#include "io/SafetensorsFile.h"
#include "model/TransformerModel.h"

using namespace attnscope;

namespace {

double maxAbsDiff(const float* a, const std::vector<float>& b) {
    double m = 0;
    for (std::size_t i = 0; i < b.size(); ++i) m = std::max(m, std::abs(double(a[i]) - double(b[i])));
    return m;
}

std::unique_ptr<TransformerModel> loadModel(const std::filesystem::path& dir) {
    return std::make_unique<TransformerModel>(ModelConfig::fromFile(dir / "config.json"),
                                              std::make_unique<CheckpointWeights>(dir));
}

}  // namespace

class ModelParityTest : public QObject {
    Q_OBJECT
private slots:
    void goldenCase_data();
    void goldenCase();
    void prefixedMaskedLmCheckpointsHaveHeads_data();
    void prefixedMaskedLmCheckpointsHaveHeads();
    void t5EncoderDecoderAndCrossAttention_data();
    void t5EncoderDecoderAndCrossAttention();
    void causalMaskZeroesFuture();
    void parameterCountCountsStoredTensors();
};

void ModelParityTest::goldenCase_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<int>("caseIndex");
    for (const char* family : {"bert", "distilbert", "roberta", "gpt2", "llama", "gpt_neo", "gpt_neox", "vit", "deit", "bert_mlm", "roberta_mlm", "distilbert_mlm"}) {
        const auto expected = fixtures::readJson(fixtures::goldenDir() / family / "expected.json");
        for (std::size_t i = 0; i < expected["cases"].size(); ++i)
            QTest::addRow("%s/case%zu", family, i) << QString(family) << int(i);
    }
}

void ModelParityTest::goldenCase() {
    QFETCH(QString, family);
    QFETCH(int, caseIndex);
    const auto dir = fixtures::goldenDir() / family.toStdString();
    const auto expected = fixtures::readJson(dir / "expected.json");
    const auto& c = expected["cases"][caseIndex];
    SafetensorsFile golden(dir / "expected.safetensors");
    const std::string key = "case" + std::to_string(caseIndex) + ".";

    auto model = loadModel(dir / "model");
    ForwardInput in;
    if (model->config().isVision()) {
        // Vision models are fed the reference preprocessor's pixel values.
        const TensorInfo* px = golden.find(key + "pixel_values");
        QVERIFY(px);
        in.pixels = {int(px->shape[0]), int(px->shape[1]), int(px->shape[2]), golden.toFloat(*px)};
    } else {
        in.ids = c["ids"].get<std::vector<int>>();
        if (c.contains("text_pair") && c.contains("type_ids")) in.typeIds = c["type_ids"].get<std::vector<int>>();
    }
    auto result = model->forward(in);
    QVERIFY(result.has_value());

    const TensorInfo* att = golden.find(key + "attentions");
    QVERIFY(att);
    const int n = result->attentions.queries;
    QCOMPARE(att->shape, (std::vector<std::int64_t>{model->config().layers, model->config().heads, n, n}));
    QCOMPARE(result->attentions.layers, model->config().layers);
    const double attDiff = maxAbsDiff(result->attentions.data(), golden.toFloat(*att));
    QVERIFY2(attDiff <= 1e-4, qPrintable(QString("attention max abs diff %1").arg(attDiff)));

    const TensorInfo* hidden = golden.find(key + "last_hidden_state");
    QVERIFY(hidden);
    const double hiddenDiff = maxAbsDiff(result->lastHiddenState.data(), golden.toFloat(*hidden));
    QVERIFY2(hiddenDiff <= 1e-4, qPrintable(QString("last_hidden_state max abs diff %1").arg(hiddenDiff)));
    qInfo("attention max abs diff %.3g, last_hidden_state %.3g", attDiff, hiddenDiff);

    if (const TensorInfo* logits = golden.find(key + "logits")) {
        QVERIFY2(model->hasHead(), "the golden case has logits but the model found no head");
        QCOMPARE(std::int64_t(result->logits.size()), logits->elementCount());
        const double logitDiff = maxAbsDiff(result->logits.data(), golden.toFloat(*logits));
        QVERIFY2(logitDiff <= 1e-4, qPrintable(QString("logits max abs diff %1").arg(logitDiff)));
        qInfo("logits max abs diff %.3g", logitDiff);
    } else {
        QVERIFY2(result->logits.size() == 0, "a model without a stored head must not invent logits");
    }
}

void ModelParityTest::prefixedMaskedLmCheckpointsHaveHeads_data() {
    QTest::addColumn<QString>("family");
    for (const char* family : {"bert_mlm", "roberta_mlm", "distilbert_mlm"}) QTest::newRow(family) << QString(family);
}

void ModelParityTest::prefixedMaskedLmCheckpointsHaveHeads() {
    QFETCH(QString, family);
    auto model = loadModel(fixtures::goldenDir() / family.toStdString() / "model");
    QVERIFY(model->hasHead());
    // The unprefixed twins share the encoder weights but store no head.
    auto base = loadModel(fixtures::goldenDir() / family.toStdString().substr(0, family.size() - 4) / "model");
    QVERIFY(!base->hasHead());
}

void ModelParityTest::t5EncoderDecoderAndCrossAttention_data() {
    QTest::addColumn<int>("caseIndex");
    const auto expected = fixtures::readJson(fixtures::goldenDir() / "t5" / "expected.json");
    for (std::size_t i = 0; i < expected["cases"].size(); ++i) QTest::addRow("case%zu", i) << int(i);
}

void ModelParityTest::t5EncoderDecoderAndCrossAttention() {
    QFETCH(int, caseIndex);
    const auto dir = fixtures::goldenDir() / "t5";
    const auto expected = fixtures::readJson(dir / "expected.json");
    const auto& c = expected["cases"][caseIndex];
    SafetensorsFile golden(dir / "expected.safetensors");
    auto model = loadModel(dir / "model");
    ForwardInput in;
    in.ids = c["ids"].get<std::vector<int>>();
    in.decoderIds = c["decoder_input_ids"].get<std::vector<int>>();
    const auto r = model->forward(in);
    QVERIFY(r);
    const std::string key = "case" + std::to_string(caseIndex) + ".";
    for (auto [name, stack] : {std::pair{"encoder_attentions", &r->attentions},
                               {"decoder_attentions", &r->decoderAttentions},
                               {"cross_attentions", &r->crossAttentions}}) {
        const TensorInfo* t = golden.find(key + name);
        QVERIFY(t);
        QCOMPARE(t->shape, (std::vector<std::int64_t>{stack->layers, stack->heads, stack->queries, stack->keys}));
        const double diff = maxAbsDiff(stack->data(), golden.toFloat(*t));
        QVERIFY2(diff <= 1e-4, qPrintable(QString("%1 max abs diff %2").arg(name).arg(diff)));
        qInfo("%s max abs diff %.3g", name, diff);
    }
}

void ModelParityTest::causalMaskZeroesFuture() {
    auto model = loadModel(fixtures::goldenDir() / "gpt2" / "model");
    ForwardInput in;
    in.ids = {5, 17, 42, 99, 3};
    auto r = model->forward(in);
    QVERIFY(r);
    for (int l = 0; l < r->attentions.layers; ++l)
        for (int h = 0; h < r->attentions.heads; ++h)
            for (int q = 0; q < 5; ++q) {
                double sum = 0;
                for (int k = 0; k < 5; ++k) {
                    const float p = r->attentions.at(l, h, q, k);
                    if (k > q) QCOMPARE(p, 0.0f);
                    sum += p;
                }
                QVERIFY(std::abs(sum - 1.0) < 1e-5);
            }
}

void ModelParityTest::parameterCountCountsStoredTensors() {
    auto model = loadModel(fixtures::goldenDir() / "bert" / "model");
    // embeddings 400*32 + 64*32 + 2*32 + LN 64; per layer 4*(32*32+32) + LN 64 + 32*64+64 + 64*32+32 + LN 64; pooler 32*32+32
    const std::int64_t perLayer = 4 * (32 * 32 + 32) + 64 + (32 * 64 + 64) + (64 * 32 + 32) + 64;
    QCOMPARE(model->parameterCount(), std::int64_t(400 * 32 + 64 * 32 + 2 * 32 + 64 + 2 * perLayer + 32 * 32 + 32));
}

QTEST_APPLESS_MAIN(ModelParityTest)
#include "test_model_parity.moc"
