// Numerical parity with Hugging Face transformers (eager attention, float32) on the golden
// checkpoints: every case of every text family, attention probabilities to 1e-4.
#include <QtTest>

#include <cmath>

#include "GoldenFixtures.h"
#include "analysis/Generation.h"
#include "io/SafetensorsFile.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

// Compares a result with its reference: the shape first, then every value (NaN or Inf in
// either fails); returns the largest absolute difference.
double verifyClose(const char* what, const std::vector<std::int64_t>& shape, const float* values, const SafetensorsFile& golden,
                   const std::string& name) {
    const TensorInfo* t = golden.find(name);
    if (!t) throw std::runtime_error("no golden tensor " + name);
    if (t->shape != shape) throw std::runtime_error(std::string(what) + ": shape differs from the reference " + t->shapeString());
    const std::vector<float> expected = golden.toFloat(*t);
    std::size_t count = 1;
    for (const std::int64_t d : shape) count *= static_cast<std::size_t>(d);
    return fixtures::maxAbsDiff(values, count, expected.data(), expected.size());
}

std::vector<std::int64_t> shapeOf(const AttentionStack& a) { return {a.layers, a.heads, a.queries, a.keys}; }
std::vector<std::int64_t> shapeOf(const RowMatrix& m) { return {m.rows(), m.cols()}; }

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
    void causalMaskZeroesFuture();
    void parameterCountCountsStoredTensors();
};

void ModelParityTest::goldenCase_data() {
    // Every reference folder: the shared golden families, and each family's own fixture under
    // tests/fixtures/<model_type>/ (the same layout), found by looking, so that adding a family
    // needs no change here.
    QTest::addColumn<QString>("folder");
    QTest::addColumn<int>("caseIndex");
    std::vector<fs::path> folders;
    for (const char* family : {"bert", "distilbert", "roberta", "gpt2", "llama", "gpt_neo", "gpt_neox", "vit", "deit", "t5", "bert_mlm",
                               "roberta_mlm", "distilbert_mlm"})
        folders.push_back(fixtures::goldenDir() / family);
    for (const fs::path& folder : fixtures::familyFixtureFolders()) folders.push_back(folder);
    for (const fs::path& folder : folders) {
        const auto expected = fixtures::readJson(folder / "expected.json");
        for (std::size_t i = 0; i < expected["cases"].size(); ++i)
            QTest::addRow("%s/case%zu", folder.filename().c_str(), i) << QString::fromStdString(folder.string()) << int(i);
    }
}

void ModelParityTest::goldenCase() {
    QFETCH(QString, folder);
    QFETCH(int, caseIndex);
    const fs::path dir = folder.toStdString();
    const auto expected = fixtures::readJson(dir / "expected.json");
    const auto& c = expected["cases"][caseIndex];
    SafetensorsFile golden(dir / "expected.safetensors");
    const std::string key = "case" + std::to_string(caseIndex) + ".";

    auto model = loadModel(dir / "model");
    ForwardInput in;
    if (model->capabilities().readsImages()) {
        // Vision models are fed the reference preprocessor's pixel values.
        const TensorInfo* px = golden.find(key + "pixel_values");
        QVERIFY(px);
        in.pixels = {int(px->shape[0]), int(px->shape[1]), int(px->shape[2]), golden.toFloat(*px)};
    } else {
        in.ids = c["ids"].get<std::vector<int>>();
        if (c.contains("text_pair") && c.contains("type_ids")) in.typeIds = c["type_ids"].get<std::vector<int>>();
    }
    // An encoder-decoder's teacher-forced target (a captioner's caption, beside its image).
    if (c.contains("decoder_input_ids")) in.decoderIds = c["decoder_input_ids"].get<std::vector<int>>();
    auto result = model->forward(in);
    QVERIFY(result.has_value());

    // Every stack of the record against the reference's tensor of the same name, as the
    // attention file names them: attentions for the only stack, NAME_attentions for the others.
    QCOMPARE(result->record.stacks.size(), model->capabilities().stacks.size());
    for (const NamedStack& stack : result->record.stacks) {
        const std::string name = stack.name == kSelfStack ? "attentions" : stack.name + "_attentions";
        // DeBERTa's terms alone are AttnScope's view of the total's parts; transformers keeps only the total.
        if (isScoreTermStack(stack.name) && !golden.find(key + name)) {
            qInfo("%s: not in the reference (transformers returns only the total)", name.c_str());
            continue;
        }
        const double diff = verifyClose(name.c_str(), shapeOf(stack.attention), stack.attention.data(), golden, key + name);
        QVERIFY2(diff <= 1e-4, qPrintable(QString("%1 max abs diff %2").arg(name.c_str()).arg(diff)));
        qInfo("%s max abs diff %.3g", name.c_str(), diff);
    }
    if (golden.find(key + "last_hidden_state")) {
        const double hiddenDiff = verifyClose("last_hidden_state", shapeOf(result->lastHiddenState), result->lastHiddenState.data(), golden,
                                              key + "last_hidden_state");
        QVERIFY2(hiddenDiff <= 1e-4, qPrintable(QString("last_hidden_state max abs diff %1").arg(hiddenDiff)));
    }
    if (golden.find(key + "logits")) {
        QVERIFY2(model->hasHead(), "the golden case has logits but the model found no head");
        const RowMatrix& logits = result->record.logits;
        // A classifier's reference is [labels], transformers' output without the batch.
        const std::vector<std::int64_t> shape = result->record.logitsPerInput ? std::vector<std::int64_t>{logits.size()} : shapeOf(logits);
        const double logitDiff = verifyClose("logits", shape, logits.data(), golden, key + "logits");
        QVERIFY2(logitDiff <= 1e-4, qPrintable(QString("logits max abs diff %1").arg(logitDiff)));
        qInfo("logits max abs diff %.3g", logitDiff);
    } else {
        QVERIFY2(result->record.logits.size() == 0, "a model without a stored head must not invent logits");
    }
    // Greedy generation, where the reference has transformers' generate(num_beams=1) output:
    // the same tokens, with the checkpoint's generation rules (an encoder-decoder's ids are the
    // decoder's, from its start token).
    if (c.contains("generated")) {
        const std::vector<int> reference = c["generated"].get<std::vector<int>>();
        const int newTokens = c["max_new_tokens"].get<int>();
        GenerationPrompt prompt{in.ids, {}, {}};
        if (model->capabilities().hasDecoder()) prompt = {{model->config().decoderStartTokenId}, in.ids, in.pixels};
        const auto ours = generate(*model, prompt, SamplingSettings{}, newTokens, endOfSequenceIds(model->config()), {}, nullptr,
                                   GenerationRules::forModel(dir / "model", model->config().raw));
        QCOMPARE(ours.ids, reference);
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

void ModelParityTest::causalMaskZeroesFuture() {
    auto model = loadModel(fixtures::goldenDir() / "gpt2" / "model");
    ForwardInput in;
    in.ids = {5, 17, 42, 99, 3};
    auto r = model->forward(in);
    QVERIFY(r);
    for (int l = 0; l < r->record.attention().layers; ++l)
        for (int h = 0; h < r->record.attention().heads; ++h)
            for (int q = 0; q < 5; ++q) {
                double sum = 0;
                for (int k = 0; k < 5; ++k) {
                    const float p = r->record.attention().at(l, h, q, k);
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
