// Text classification heads (*ForSequenceClassification): the label logits against a hand
// computation from the head's own weights, attention untouched by the head, the position each
// family pools, the label-count check, look-alike heads that are not classifiers, and the
// analyses a classifier cannot give (generation, the logit lens).
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "Error.h"
#include "ErrorText.h"
#include "GoldenFixtures.h"
#include "SequenceClassifierFixtures.h"
#include "analysis/Generation.h"
#include "analysis/LogitLens.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

using namespace attnscope;
using fixtures::errorOf;
namespace fs = std::filesystem;
using fixtures::ClassifierLayout;
using fixtures::HeadTensor;

namespace {

std::unique_ptr<TransformerModel> loadModel(const fs::path& dir) {
    return std::make_unique<TransformerModel>(ModelConfig::fromFile(dir / "config.json"), std::make_unique<CheckpointWeights>(dir));
}

fs::path scratch(const std::string& name) { return fixtures::tmpDir() / "sequence_classifiers" / name; }

std::vector<int> goldenIds(const std::string& family) {
    return fixtures::readJson(fixtures::goldenDir() / family / "expected.json")["cases"][0]["ids"].get<std::vector<int>>();
}

std::vector<double> linear(const std::vector<double>& x, const HeadTensor& weight, const HeadTensor* bias) {
    const auto rows = static_cast<std::size_t>(weight.shape[0]), cols = static_cast<std::size_t>(weight.shape[1]);
    std::vector<double> y(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        double sum = bias ? bias->values[r] : 0.0;
        for (std::size_t c = 0; c < cols; ++c) sum += double(weight.values[r * cols + c]) * x[c];
        y[r] = sum;
    }
    return y;
}

// transformers' formulas, written out: logits = classifier(act(dense(h[position]))), where the
// dense layer is BERT's pooler (tanh), RoBERTa's classifier.dense (tanh), DistilBERT's
// pre_classifier (ReLU), and decoders have none.
std::vector<double> expectedLogits(const ClassifierLayout& layout, const std::map<std::string, HeadTensor>& head,
                                   const RowMatrix& hidden, int position) {
    std::vector<double> x(static_cast<std::size_t>(hidden.cols()));
    for (std::size_t c = 0; c < x.size(); ++c) x[c] = hidden(position, static_cast<Eigen::Index>(c));
    const std::string dense = layout.family == "bert" ? layout.basePrefix + "pooler.dense" : layout.dense;
    if (!dense.empty()) {
        x = linear(x, head.at(dense + ".weight"), &head.at(dense + ".bias"));
        for (double& v : x) v = layout.family == "distilbert" ? std::max(v, 0.0) : std::tanh(v);
    }
    const auto bias = head.find(layout.classifier + ".bias");
    return linear(x, head.at(layout.classifier + ".weight"), bias != head.end() ? &bias->second : nullptr);
}

double maxAbsDiff(const RowMatrix& logits, const std::vector<double>& expected) {
    return fixtures::maxAbsDiff(logits.data(), static_cast<std::size_t>(logits.size()), expected.data(), expected.size());
}

double maxAbsDiff(const RowMatrix& a, const RowMatrix& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return INFINITY;
    return fixtures::maxAbsDiff(a.data(), static_cast<std::size_t>(a.size()), b.data(), static_cast<std::size_t>(b.size()));
}

RowMatrix logitsOf(const TransformerModel& model, const std::vector<int>& ids) {
    ForwardInput in;
    in.ids = ids;
    return model.forward(in)->record.logits;
}

// An id the text does not use, to pad it with.
int unusedId(const std::vector<int>& ids) {
    int id = 5;
    while (std::find(ids.begin(), ids.end(), id) != ids.end()) ++id;
    return id;
}

}  // namespace

class SequenceClassifiersTest : public QObject {
    Q_OBJECT
private slots:
    void logitsFollowTheHeadAndAttentionIsUnchanged_data();
    void logitsFollowTheHeadAndAttentionIsUnchanged();
    void decoderPoolsAtTheLastNonPadToken_data();
    void decoderPoolsAtTheLastNonPadToken();
    void decoderWithoutPadTokenPoolsAtTheLastToken();
    void labelCountMustMatchId2label_data();
    void labelCountMustMatchId2label();
    void labelCountComesFromTheWeightsWithoutId2label();
    void lookAlikeHeadsAreNotClassifiers();
    void generationAndLensRefuseTheClassifier_data();
    void generationAndLensRefuseTheClassifier();
};

void SequenceClassifiersTest::logitsFollowTheHeadAndAttentionIsUnchanged_data() {
    QTest::addColumn<QString>("family");
    for (const auto& layout : fixtures::classifierLayouts()) QTest::newRow(layout.family.c_str()) << QString::fromStdString(layout.family);
}

void SequenceClassifiersTest::logitsFollowTheHeadAndAttentionIsUnchanged() {
    QFETCH(QString, family);
    const ClassifierLayout& layout = fixtures::classifierLayout(family.toStdString());
    const fs::path dir = scratch("plain_" + layout.family);
    const auto head = fixtures::writeSequenceClassifier(dir, layout);
    const auto base = loadModel(fixtures::goldenDir() / layout.family / "model");
    const auto classifier = loadModel(dir);

    QCOMPARE(classifier->headKind(), HeadKind::SequenceClassifier);
    QVERIFY(classifier->isClassifier());
    QVERIFY(!classifier->hasVocabularyHead());
    QVERIFY(!classifier->canGenerate());
    QCOMPARE(classifier->config().id2label.size(), std::size_t(3));

    ForwardInput in;
    in.ids = goldenIds(layout.family);
    const auto b = base->forward(in);
    const auto c = classifier->forward(in);
    QVERIFY(b && c);
    // The head reads the last hidden state; nothing before it may change.
    QCOMPARE(c->record.attention().count(), b->record.attention().count());
    QVERIFY(c->record.attention().exact() && b->record.attention().exact());
    QVERIFY(std::memcmp(c->record.attention().data(), b->record.attention().data(), b->record.attention().count() * sizeof(float)) == 0);
    QVERIFY(c->lastHiddenState == b->lastHiddenState);

    QCOMPARE(c->record.logits.rows(), Eigen::Index(1));
    QCOMPARE(c->record.logits.cols(), Eigen::Index(3));
    const bool decoder = classifier->config().causal;
    const int position = decoder ? static_cast<int>(in.ids.size()) - 1 : 0;  // the golden decoders set no pad token
    const double diff = maxAbsDiff(c->record.logits, expectedLogits(layout, head, c->lastHiddenState, position));
    QVERIFY2(diff <= 1e-5, qPrintable(QString("logits max abs diff %1").arg(diff)));
}

void SequenceClassifiersTest::decoderPoolsAtTheLastNonPadToken_data() {
    QTest::addColumn<QString>("family");
    for (const char* family : {"gpt2", "llama", "gpt_neo", "gpt_neox"}) QTest::newRow(family) << QString(family);
}

void SequenceClassifiersTest::decoderPoolsAtTheLastNonPadToken() {
    QFETCH(QString, family);
    const ClassifierLayout& layout = fixtures::classifierLayout(family.toStdString());
    const std::vector<int> ids = goldenIds(layout.family);
    const int pad = unusedId(ids);
    fixtures::ClassifierOptions options;
    options.configEdits = {{"pad_token_id", pad}};
    const fs::path dir = scratch("padded_" + layout.family);
    const auto head = fixtures::writeSequenceClassifier(dir, layout, options);
    const auto model = loadModel(dir);
    QCOMPARE(model->config().padTokenId, pad);

    // Right-padding leaves the label where it was: the causal mask keeps the last real token's
    // hidden state, and the head reads that token.
    const RowMatrix plain = logitsOf(*model, ids);
    std::vector<int> padded = ids;
    padded.insert(padded.end(), 3, pad);
    ForwardInput in;
    in.ids = padded;
    const auto r = model->forward(in);
    QVERIFY(maxAbsDiff(r->record.logits, plain) <= 1e-5);
    const int lastReal = static_cast<int>(ids.size()) - 1;
    QVERIFY(maxAbsDiff(r->record.logits, expectedLogits(layout, head, r->lastHiddenState, lastReal)) <= 1e-5);
    QVERIFY(maxAbsDiff(r->record.logits, expectedLogits(layout, head, r->lastHiddenState, int(padded.size()) - 1)) > 1e-3);

    // A pad token inside the text is skipped only when nothing real follows it.
    in.ids = {ids[0], pad, ids[1], pad};
    const auto inner = model->forward(in);
    QVERIFY(maxAbsDiff(inner->record.logits, expectedLogits(layout, head, inner->lastHiddenState, 2)) <= 1e-5);
    // All padding: transformers reads the first token.
    in.ids = {pad, pad, pad};
    const auto allPad = model->forward(in);
    QVERIFY(maxAbsDiff(allPad->record.logits, expectedLogits(layout, head, allPad->lastHiddenState, 0)) <= 1e-5);
}

void SequenceClassifiersTest::decoderWithoutPadTokenPoolsAtTheLastToken() {
    const ClassifierLayout& layout = fixtures::classifierLayout("gpt2");
    const fs::path dir = scratch("unpadded_gpt2");
    const auto head = fixtures::writeSequenceClassifier(dir, layout);  // the golden config's pad_token_id is null
    const auto model = loadModel(dir);
    QCOMPARE(model->config().padTokenId, -1);
    const std::vector<int> ids = goldenIds("gpt2");
    std::vector<int> padded = ids;
    padded.insert(padded.end(), 3, unusedId(ids));
    ForwardInput in;
    in.ids = padded;
    const auto r = model->forward(in);
    QVERIFY(maxAbsDiff(r->record.logits, expectedLogits(layout, head, r->lastHiddenState, int(padded.size()) - 1)) <= 1e-5);
    QVERIFY(maxAbsDiff(r->record.logits, logitsOf(*model, ids)) > 1e-3);
}

void SequenceClassifiersTest::labelCountMustMatchId2label_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("tensor");
    QTest::newRow("bert") << "bert" << "'classifier.weight'";
    QTest::newRow("roberta") << "roberta" << "'classifier.out_proj.weight'";
    QTest::newRow("gpt2") << "gpt2" << "'score.weight'";
}

void SequenceClassifiersTest::labelCountMustMatchId2label() {
    QFETCH(QString, family);
    QFETCH(QString, tensor);
    fixtures::ClassifierOptions options;
    options.labels = 4;  // id2label keeps its 3 names
    const fs::path dir = scratch("miscounted_" + family.toStdString());
    fixtures::writeSequenceClassifier(dir, fixtures::classifierLayout(family.toStdString()), options);
    const QString message = errorOf([&] { loadModel(dir); });
    QVERIFY2(message.contains(tensor) && message.contains("4 rows") && message.contains("id2label has 3 labels"),
             qPrintable(message));
    QVERIFY(!message.contains('\n'));
}

void SequenceClassifiersTest::labelCountComesFromTheWeightsWithoutId2label() {
    fixtures::ClassifierOptions options;
    options.labels = 5;
    options.id2label = {};
    const fs::path dir = scratch("unnamed_roberta");
    fixtures::writeSequenceClassifier(dir, fixtures::classifierLayout("roberta"), options);
    const auto model = loadModel(dir);
    QVERIFY(model->config().id2label.empty());
    QCOMPARE(model->headKind(), HeadKind::SequenceClassifier);
    QCOMPARE(logitsOf(*model, goldenIds("roberta")).cols(), Eigen::Index(5));
}

void SequenceClassifiersTest::lookAlikeHeadsAreNotClassifiers() {
    // A plain BertModel stores the pooler, but the pooler alone classifies nothing.
    const auto bert = loadModel(fixtures::goldenDir() / "bert" / "model");
    QVERIFY(bert->weights().has("pooler.dense.weight"));
    QCOMPARE(bert->headKind(), HeadKind::None);
    QCOMPARE(logitsOf(*bert, goldenIds("bert")).size(), Eigen::Index(0));

    // BertForTokenClassification and DistilBertForTokenClassification: a `classifier` without the
    // pooler / pre_classifier. They label every token, which is not this head.
    fixtures::ClassifierOptions noDense;
    noDense.withDense = false;
    for (const char* family : {"bert", "distilbert"}) {
        const fs::path dir = scratch(std::string("token_classifier_") + family);
        fixtures::writeSequenceClassifier(dir, fixtures::classifierLayout(family), noDense);
        const auto model = loadModel(dir);
        QVERIFY2(!model->hasHead(), family);
    }

    // LlamaForTokenClassification: a `score` with a bias (the sequence classifier's has none).
    fixtures::ClassifierOptions biased;
    biased.extraClassifierBias = true;
    const fs::path dir = scratch("token_classifier_llama");
    fixtures::writeSequenceClassifier(dir, fixtures::classifierLayout("llama"), biased);
    const auto llama = loadModel(dir);
    QVERIFY(!llama->hasHead());

    // BertForMultipleChoice: the very tensors of a classifier with one label, scoring each
    // choice of a batch; a single input is nothing to classify.
    fixtures::ClassifierOptions choice;
    choice.labels = 1;
    choice.id2label = {};
    choice.configEdits = {{"architectures", {"BertForMultipleChoice"}}};
    const fs::path choiceDir = scratch("multiple_choice_bert");
    fixtures::writeSequenceClassifier(choiceDir, fixtures::classifierLayout("bert"), choice);
    QVERIFY(!loadModel(choiceDir)->hasHead());
}

void SequenceClassifiersTest::generationAndLensRefuseTheClassifier_data() {
    QTest::addColumn<QString>("family");
    for (const char* family : {"gpt2", "bert"}) QTest::newRow(family) << QString(family);
}

void SequenceClassifiersTest::generationAndLensRefuseTheClassifier() {
    QFETCH(QString, family);
    const fs::path dir = scratch("refusing_" + family.toStdString());
    fixtures::writeSequenceClassifier(dir, fixtures::classifierLayout(family.toStdString()));
    const auto checkpoint = Checkpoint::open(dir);
    const TransformerModel& model = checkpoint->model();
    const std::vector<int> ids = goldenIds(family.toStdString());

    QVERIFY(!model.canGenerate());
    const QString generation = errorOf([&] { generate(model, ids, SamplingSettings{}, 3, {}); });
    QVERIFY2(generation.contains("generation needs a causal language model") && generation.contains("text classifier"),
             qPrintable(generation));

    const QString lens = errorOf([&] { requireLogitLens(model); });
    QVERIFY2(lens.contains("logit lens") && lens.contains("text classifier"), qPrintable(lens));
    const QString lensRun = errorOf([&] { computeLogitLens(*checkpoint, ids, 3); });
    QVERIFY2(lensRun.contains("text classifier"), qPrintable(lensRun));
    const QString residual = errorOf([&] { model.logitsFromResidual(RowMatrix::Zero(2, model.config().hidden)); });
    QVERIFY2(residual.contains("classifier"), qPrintable(residual));
}

QTEST_GUILESS_MAIN(SequenceClassifiersTest)
#include "test_sequence_classifiers.moc"
