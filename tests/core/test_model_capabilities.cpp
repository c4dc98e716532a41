// What each golden checkpoint can do (model/ModelCapabilities.h): the front ends decide what to
// offer from this alone, so every field is pinned per family, checked against what a forward
// pass actually produces, and the family table (model/FamilySpec.h) and its generic config
// reader are checked on the spellings real configs use.
#include <QtTest>

#include <algorithm>
#include <cstring>

#include "GoldenFixtures.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

using namespace attnscope;

Q_DECLARE_METATYPE(attnscope::InputKind)
Q_DECLARE_METATYPE(attnscope::PredictionKind)

namespace {

ModelConfig goldenConfig(const char* family) { return ModelConfig::fromFile(fixtures::goldenDir() / family / "model" / "config.json"); }

// "name:query,key,layers,heads" per stack, joined by ';' so a table row can state all of them.
QString describeStacks(const std::vector<StackShape>& stacks) {
    QStringList parts;
    for (const StackShape& s : stacks)
        parts << QString("%1:%2,%3,%4,%5").arg(QString::fromStdString(s.name)).arg(s.querySequence).arg(s.keySequence).arg(s.layers).arg(s.heads);
    return parts.join(';');
}

QString describeStacks(const AttentionRecord& r) {
    QStringList parts;
    for (const NamedStack& s : r.stacks)
        parts << QString("%1:%2,%3,%4,%5")
                     .arg(QString::fromStdString(s.name))
                     .arg(s.querySequence)
                     .arg(s.keySequence)
                     .arg(s.attention.layers)
                     .arg(s.attention.heads);
    return parts.join(';');
}

QString joined(const std::vector<std::string>& names) {
    QStringList out;
    for (const std::string& n : names) out << QString::fromStdString(n);
    return out.join(',');
}

// A forward input each kind of model reads: ids for text (and T5's source), the reference
// preprocessor's pixel values for images.
ForwardInput sampleInput(const char* family, const ModelCapabilities& m) {
    ForwardInput in;
    if (m.readsImages()) {
        SafetensorsFile golden(fixtures::goldenDir() / family / "expected.safetensors");
        const TensorInfo* px = golden.find("case0.pixel_values");
        if (!px) throw std::runtime_error(std::string("no golden pixel values for ") + family);
        in.pixels = {int(px->shape[0]), int(px->shape[1]), int(px->shape[2]), golden.toFloat(*px)};
    } else {
        in.ids = fixtures::readJson(fixtures::goldenDir() / family / "expected.json")["cases"][0]["ids"].get<std::vector<int>>();
        if (m.hasDecoder()) in.decoderIds = {0, 3, 180};
    }
    return in;
}

}  // namespace

class ModelCapabilitiesTest : public QObject {
    Q_OBJECT
private slots:
    void goldenFamilies_data();
    void goldenFamilies();
    void forwardPassMatchesCapabilities_data();
    void forwardPassMatchesCapabilities();
    void headDecidesGenerationAndLens_data();
    void headDecidesGenerationAndLens();
    void stackIndexFindsByName();
    void supportedModelTypesInTableOrder();
    void findFamilyRefusesUnknownTypes();
    void oldStyleGptNeoxRotaryKeys();
    void qwen2SlidingWindowFromMaxWindowLayers();
};

void ModelCapabilitiesTest::goldenFamilies_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("modelType");
    QTest::addColumn<InputKind>("input");
    QTest::addColumn<QString>("sequences");
    QTest::addColumn<QString>("stacks");
    QTest::addColumn<int>("forwardLayers");
    QTest::addColumn<int>("leading");
    QTest::addColumn<int>("gridSide");
    QTest::addColumn<bool>("canGenerate");
    QTest::addColumn<bool>("hasLogitLens");
    QTest::addColumn<PredictionKind>("predictions");
    const QString self = "self:0,0,2,4";
    const auto text = InputKind::Text;
    // family, model_type, input, sequences, stacks, forward layers, leading tokens, grid side, generate, lens, predictions
    for (const char* f : {"bert", "distilbert", "roberta"})  // base models: attention only
        QTest::newRow(f) << f << f << text << "input" << self << 2 << 0 << 0 << false << false << PredictionKind::None;
    for (const char* f : {"gpt2", "llama", "gpt_neo", "gpt_neox"})
        QTest::newRow(f) << f << f << text << "input" << self << 2 << 0 << 0 << true << true << PredictionKind::NextToken;
    for (const char* f : {"bert_mlm", "roberta_mlm", "distilbert_mlm"}) {
        const std::string type(f, std::strlen(f) - 4);
        QTest::newRow(f) << f << QString::fromStdString(type) << text << "input" << self << 2 << 0 << 0 << false << true
                         << PredictionKind::MaskedToken;
    }
    // 32x32 images in 8x8 patches: a 4x4 grid after [CLS] (and DeiT's [DIST]).
    QTest::newRow("vit") << "vit" << "vit" << InputKind::Image << "input" << self << 2 << 1 << 4 << false << false << PredictionKind::Labels;
    QTest::newRow("deit") << "deit" << "deit" << InputKind::Image << "input" << self << 2 << 2 << 4 << false << false << PredictionKind::Labels;
    QTest::newRow("t5") << "t5" << "t5" << InputKind::SourceTarget << "input,decoder" << "encoder:0,0,2,4;decoder:1,1,2,4;cross:1,0,2,4"
                        << 4 << 0 << 0 << false << false << PredictionKind::None;
}

void ModelCapabilitiesTest::goldenFamilies() {
    QFETCH(QString, family);
    QFETCH(QString, modelType);
    QFETCH(InputKind, input);
    QFETCH(QString, sequences);
    QFETCH(QString, stacks);
    QFETCH(int, forwardLayers);
    QFETCH(int, leading);
    QFETCH(int, gridSide);
    QFETCH(bool, canGenerate);
    QFETCH(bool, hasLogitLens);
    QFETCH(PredictionKind, predictions);
    const auto cp = Checkpoint::open(fixtures::goldenDir() / family.toStdString() / "model");
    const ModelCapabilities& m = cp->capabilities();
    // The checkpoint, its model and capabilitiesOf on its config and stored head agree.
    QCOMPARE(&m, &cp->model().capabilities());
    const ModelCapabilities derived = capabilitiesOf(cp->config(), cp->model().headKind());
    QCOMPARE(describeStacks(derived.stacks), describeStacks(m.stacks));

    QCOMPARE(QString::fromStdString(m.modelType), modelType);
    QCOMPARE(m.input, input);
    QCOMPARE(joined(m.sequences), sequences);
    QCOMPARE(describeStacks(m.stacks), stacks);
    QCOMPARE(m.forwardLayers, forwardLayers);
    QCOMPARE(m.leadingSpecialTokens, leading);
    QCOMPARE(m.patches.rows, gridSide);
    QCOMPARE(m.patches.columns, gridSide);
    QCOMPARE(m.patches.firstPatchToken, leading);
    QCOMPARE(m.canGenerate, canGenerate);
    QCOMPARE(m.hasLogitLens, hasLogitLens);
    QCOMPARE(m.predictions, predictions);
    QCOMPARE(m.readsImages(), input == InputKind::Image);
    QCOMPARE(m.hasDecoder(), input == InputKind::SourceTarget);
    // The "why not" sentences are empty exactly when the capability holds, and name the model.
    QCOMPARE(m.whyNoGeneration.empty(), canGenerate);
    QCOMPARE(m.whyNoLogitLens.empty(), hasLogitLens);
    if (!canGenerate) QVERIFY2(QString::fromStdString(m.whyNoGeneration).contains(modelType), m.whyNoGeneration.c_str());
    if (!hasLogitLens) QVERIFY2(QString::fromStdString(m.whyNoLogitLens).contains(modelType), m.whyNoLogitLens.c_str());
}

void ModelCapabilitiesTest::forwardPassMatchesCapabilities_data() {
    QTest::addColumn<QString>("family");
    for (const char* f : {"bert", "gpt2", "vit", "deit", "t5"}) QTest::newRow(f) << QString(f);
}

// The capabilities promise stacks and a layer count before anything runs; a forward pass must
// then produce exactly those stacks, over sequences of the promised number, and report
// progress over forwardLayers.
void ModelCapabilitiesTest::forwardPassMatchesCapabilities() {
    QFETCH(QString, family);
    const auto cp = Checkpoint::open(fixtures::goldenDir() / family.toStdString() / "model");
    const ModelCapabilities& m = cp->capabilities();
    int lastDone = -1, lastTotal = -1;
    const auto result = cp->forward(sampleInput(qPrintable(family), m), [&](int done, int total) {
        lastDone = done;
        lastTotal = total;
    });
    QVERIFY(result);
    QCOMPARE(result->record.sequences.size(), m.sequences.size());
    QCOMPARE(describeStacks(result->record), describeStacks(m.stacks));
    QCOMPARE(lastTotal, m.forwardLayers);
    QCOMPARE(lastDone, m.forwardLayers);
    if (m.readsImages()) {
        // An image's tokens: the leading ones, then the grid.
        QCOMPARE(result->record.attention().queries, m.leadingSpecialTokens + m.patches.count());
    }
}

void ModelCapabilitiesTest::headDecidesGenerationAndLens_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<int>("head");
    QTest::addColumn<bool>("canGenerate");
    QTest::addColumn<bool>("hasLogitLens");
    QTest::addColumn<QString>("whyNoGeneration");
    QTest::addColumn<QString>("whyNoLogitLens");
    // The same config with another head: the head, not the family, decides.
    QTest::newRow("gpt2 without head") << "gpt2" << int(HeadKind::None) << false << false << "this gpt2 checkpoint has no LM head"
                                       << "this gpt2 checkpoint has no output head";
    QTest::newRow("gpt2 classifier") << "gpt2" << int(HeadKind::SequenceClassifier) << false << false
                                     << "gpt2 checkpoint is a text classifier" << "gpt2 checkpoint is a text classifier";
    QTest::newRow("bert classifier") << "bert" << int(HeadKind::SequenceClassifier) << false << false
                                     << "this bert checkpoint is a text classifier" << "bert checkpoint is a text classifier";
    QTest::newRow("bert masked lm") << "bert" << int(HeadKind::MaskedLm) << false << true << "this bert checkpoint is not a causal language model"
                                    << "";
    QTest::newRow("llama lm") << "llama" << int(HeadKind::CausalLm) << true << true << "" << "";
    // An image classifier is no text classifier: it is not a language model at all.
    QTest::newRow("vit classifier") << "vit" << int(HeadKind::ImageClassifier) << false << false
                                    << "this vit checkpoint is not a causal language model" << "vit is a vision model";
    // An encoder-decoder generates its target for a source; without a head it cannot.
    QTest::newRow("t5 with tied lm head") << "t5" << int(HeadKind::CausalLm) << true << false << "" << "t5 is an encoder-decoder";
    QTest::newRow("t5 without head") << "t5" << int(HeadKind::None) << false << false << "t5 checkpoint has no LM head"
                                     << "t5 is an encoder-decoder";
}

void ModelCapabilitiesTest::headDecidesGenerationAndLens() {
    QFETCH(QString, family);
    QFETCH(int, head);
    QFETCH(bool, canGenerate);
    QFETCH(bool, hasLogitLens);
    QFETCH(QString, whyNoGeneration);
    QFETCH(QString, whyNoLogitLens);
    const ModelCapabilities m = capabilitiesOf(goldenConfig(qPrintable(family)), HeadKind(head));
    QCOMPARE(m.head, HeadKind(head));
    QCOMPARE(m.canGenerate, canGenerate);
    QCOMPARE(m.hasLogitLens, hasLogitLens);
    const QString gen = QString::fromStdString(m.whyNoGeneration), lens = QString::fromStdString(m.whyNoLogitLens);
    QCOMPARE(gen.isEmpty(), whyNoGeneration.isEmpty());
    QVERIFY2(gen.contains(whyNoGeneration), qPrintable(gen));
    QCOMPARE(lens.isEmpty(), whyNoLogitLens.isEmpty());
    QVERIFY2(lens.contains(whyNoLogitLens), qPrintable(lens));
}

void ModelCapabilitiesTest::stackIndexFindsByName() {
    const ModelCapabilities t5 = capabilitiesOf(goldenConfig("t5"), HeadKind::None);
    QCOMPARE(t5.stackIndex("encoder"), 0);
    QCOMPARE(t5.stackIndex("cross"), 2);
    QCOMPARE(t5.stackIndex("self"), -1);
    QCOMPARE(t5.layersOf(1), 2);
    const ModelCapabilities bert = capabilitiesOf(goldenConfig("bert"), HeadKind::None);
    QCOMPARE(bert.stackIndex(kSelfStack), 0);
    QCOMPARE(bert.stackIndex("encoder"), -1);
}

void ModelCapabilitiesTest::supportedModelTypesInTableOrder() {
    // The order is what `--help` and the unknown-model_type message list.
    const std::vector<std::string> expected{"bert",  "roberta", "distilbert",  "electra", "albert", "deberta-v2", "modernbert", "gpt2", "gpt_neo", "gpt_neox", "llama",
                                            "mistral", "qwen2", "qwen3",       "gemma",  "gemma2",  "gemma3_text", "gemma3",
                                            "phi3",  "olmo2",   "smollm3",     "vit",    "deit",    "clip_vision_model", "clip", "siglip_vision_model", "siglip", "t5", "bart", "marian"};
    std::vector<std::string> withComposed = expected;
    withComposed.push_back("vision-encoder-decoder");  // two families in one folder: ComposedFamilies, not a FamilySpec
    QCOMPARE(supportedModelTypes(), withComposed);
    QVERIFY(findComposed("vision-encoder-decoder"));
    QVERIFY(!findFamily("vision-encoder-decoder"));
    for (const std::string& type : expected) {
        const FamilySpec* f = findFamily(type);
        QVERIFY2(f, type.c_str());
        QVERIFY2(std::find(f->modelTypes.begin(), f->modelTypes.end(), type) != f->modelTypes.end(), type.c_str());
    }
    // Variants are entries of their own, not aliases of llama.
    QVERIFY(findFamily("mistral") != findFamily("llama"));
    QVERIFY(findFamily("qwen2") != findFamily("llama"));
}

void ModelCapabilitiesTest::findFamilyRefusesUnknownTypes() {
    for (const char* type : {"mamba", "", "bert ", "gpt-2", "t5_v1"}) QVERIFY2(findFamily(type) == nullptr, type);
    QVERIFY(findFamily("bert") != nullptr);
}

// Configs written before transformers 5 keep GPT-NeoX's rotary settings at the top level under
// the family's own keys; both must be read, not replaced by the defaults (10000, 0.25).
void ModelCapabilitiesTest::oldStyleGptNeoxRotaryKeys() {
    auto j = fixtures::readJson(fixtures::goldenDir() / "gpt_neox" / "model" / "config.json");
    QVERIFY(j.contains("rope_parameters"));
    j.erase("rope_parameters");
    j["rotary_emb_base"] = 20000;
    j["rotary_pct"] = 0.5;
    const ModelConfig c = ModelConfig::fromJson(j, "config.json");
    QCOMPARE(c.ropes.at(0).theta, 20000.0);
    QCOMPARE(c.ropes.at(0).fraction, 0.5);
    QCOMPARE(c.ropes.at(0).rotaryDims, 4);  // half of head_dim 8
    // Without either key the family's defaults apply.
    j.erase("rotary_emb_base");
    j.erase("rotary_pct");
    const ModelConfig defaults = ModelConfig::fromJson(j, "config.json");
    QCOMPARE(defaults.ropes.at(0).theta, 10000.0);
    QCOMPARE(defaults.ropes.at(0).fraction, 0.25);
    QCOMPARE(defaults.ropes.at(0).rotaryDims, 2);
}

// Qwen2 slides its window only with use_sliding_window, and only from max_window_layers on.
void ModelCapabilitiesTest::qwen2SlidingWindowFromMaxWindowLayers() {
    auto j = fixtures::readJson(fixtures::goldenDir() / "llama" / "model" / "config.json");
    j["model_type"] = "qwen2";
    j["sliding_window"] = 3;
    j["max_window_layers"] = 1;
    QCOMPARE(ModelConfig::fromJson(j, "config.json").layerWindow, (std::vector<int>{0, 0}));  // use_sliding_window defaults to false
    j["use_sliding_window"] = true;
    const ModelConfig c = ModelConfig::fromJson(j, "config.json");
    QCOMPARE(c.layers, 2);
    QCOMPARE(c.layerWindow, (std::vector<int>{0, 3}));
    j["max_window_layers"] = 0;
    QCOMPARE(ModelConfig::fromJson(j, "config.json").layerWindow, (std::vector<int>{3, 3}));
}

QTEST_APPLESS_MAIN(ModelCapabilitiesTest)
#include "test_model_capabilities.moc"
