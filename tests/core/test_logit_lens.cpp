// The logit lens: its last layer is the model's own prediction (golden gpt2 and llama, the
// trained stories260k), its shape and progress, cancelling, the models it refuses, and what a
// trained model's lens shows.
#include <QtTest>

#include <atomic>
#include <cmath>

#include "Error.h"
#include "GoldenFixtures.h"
#include "analysis/LogitLens.h"
#include "analysis/Predictions.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

fs::path golden(const std::string& family) { return fixtures::goldenDir() / family / "model"; }
fs::path stories() { return fixtures::modelsDir() / "stories260k"; }

const char* const kStoriesReadme =
    "Tom and his dog went to the park. They played with a ball and had a lot of fun. Then they went home and ate dinner. Tom was happy.";

// The ids of golden case `c`, or of `text` through the checkpoint's tokenizer.
std::vector<int> idsOf(const Checkpoint& cp, const QString& family, int c, const char* text) {
    if (family.isEmpty()) return cp.encode(text).ids;
    const auto spec = fixtures::readJson(fixtures::goldenDir() / family.toStdString() / "expected.json")["cases"][c];
    return spec["ids"].get<std::vector<int>>();
}

std::string messageOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

// How often the top-1 of layer `a` equals that of layer `b`.
double top1Agreement(const LogitLens& lens, int a, int b) {
    int same = 0;
    for (int i = 0; i < lens.positions; ++i) same += lens.at(a, i)[0].id == lens.at(b, i)[0].id;
    return same / double(lens.positions);
}

QString joined(const std::vector<double>& values) {
    QStringList parts;
    for (double v : values) parts << QString::number(v, 'f', 2);
    return parts.join(' ');
}

// How often layer l's top-1 is the token that really comes next (a causal model's task).
double nextTokenAccuracy(const LogitLens& lens, int l, const std::vector<int>& ids) {
    int right = 0;
    for (int i = 0; i + 1 < lens.positions; ++i) right += lens.at(l, i)[0].id == ids[static_cast<std::size_t>(i) + 1];
    return right / double(lens.positions - 1);
}

}  // namespace

class LogitLensTest : public QObject {
    Q_OBJECT
private slots:
    void lastLayerIsTheModelsPrediction_data();
    void lastLayerIsTheModelsPrediction();
    void shapeAndProgress();
    void maskedLanguageModelsHaveALens();
    void cancelReturnsNothing();
    void modelsWithoutALensAreErrors();
    void trainedModelLensReadsUpwards();
};

void LogitLensTest::lastLayerIsTheModelsPrediction_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("family");  // golden fixture whose case ids and logits to use; empty: stories260k
    QTest::addColumn<int>("goldenCase");
    QTest::newRow("stories260k") << QString::fromStdString(stories().string()) << QString() << 0;
    for (const char* f : {"gpt2", "llama"})
        for (int c : {0, 2}) QTest::addRow("%s case %d", f, c) << QString::fromStdString(golden(f).string()) << QString(f) << c;
}

// The last lens layer reads the last block's output through the final norm and head: the same
// top 5 as the forward pass's logits, and (golden fixtures) the same top token as transformers.
void LogitLensTest::lastLayerIsTheModelsPrediction() {
    QFETCH(QString, model);
    QFETCH(QString, family);
    QFETCH(int, goldenCase);
    const auto cp = Checkpoint::open(model.toStdString());
    ForwardInput in;
    in.ids = idsOf(*cp, family, goldenCase, fixtures::kStoriesSample);
    in.keepHiddenStates = true;
    const auto forward = cp->forward(in);
    const auto lens = computeLogitLens(cp->model(), forward->hiddenStates, 5);
    QVERIFY(lens);
    const int vocab = static_cast<int>(forward->record.logits.cols());
    std::optional<std::vector<float>> reference;
    if (!family.isEmpty()) {
        SafetensorsFile expected(fixtures::goldenDir() / family.toStdString() / "expected.safetensors");
        reference = expected.toFloat(*expected.find("case" + std::to_string(goldenCase) + ".logits"));
    }
    for (int i = 0; i < lens->positions; ++i) {
        const auto ours = lens->at(lens->layers - 1, i);
        const auto model = topPredictions(forward->record.logits.row(i).data(), vocab, 5);
        QCOMPARE(ours.size(), model.size());
        for (std::size_t k = 0; k < ours.size(); ++k) {
            QCOMPARE(ours[k].id, model[k].id);
            QVERIFY2(std::abs(ours[k].probability - model[k].probability) <= 1e-5, qPrintable(QString("position %1 rank %2").arg(i).arg(k)));
        }
        if (reference) QCOMPARE(ours[0].id, topPredictions(reference->data() + std::size_t(i) * vocab, vocab, 1)[0].id);
    }
    // The checkpoint convenience runs the same forward pass: the same lens.
    const auto direct = computeLogitLens(*cp, in.ids, 5);
    QVERIFY(direct);
    QCOMPARE(direct->top.size(), lens->top.size());
    for (std::size_t j = 0; j < lens->top.size(); ++j) {
        QCOMPARE(direct->top[j].id, lens->top[j].id);
        QVERIFY(std::abs(direct->top[j].probability - lens->top[j].probability) <= 1e-6);
    }
}

void LogitLensTest::shapeAndProgress() {
    const auto cp = Checkpoint::open(golden("gpt2"));
    const std::vector<int> ids = idsOf(*cp, "gpt2", 0, nullptr);
    const int n = static_cast<int>(ids.size());
    const int layers = cp->config().layers;
    std::vector<std::pair<int, int>> calls;
    const auto lens = computeLogitLens(*cp, ids, 3, [&](int done, int total) { calls.emplace_back(done, total); });
    QVERIFY(lens);
    QCOMPARE(lens->layers, layers);
    QCOMPARE(lens->positions, n);
    QCOMPARE(lens->topK, 3);
    QCOMPARE(lens->top.size(), std::size_t(layers) * n * 3);
    // Progress: the forward's layers, then the lens's, out of twice the layers.
    QCOMPARE(int(calls.size()), 2 * layers);
    for (int j = 0; j < 2 * layers; ++j) QCOMPARE(calls[std::size_t(j)], std::make_pair(j + 1, 2 * layers));
    bool someLayerDiffers = false;
    for (int l = 0; l < layers; ++l)
        for (int i = 0; i < n; ++i) {
            const auto cell = lens->at(l, i);
            QCOMPARE(int(cell.size()), 3);
            QVERIFY(cell[0].probability >= cell[1].probability && cell[1].probability >= cell[2].probability);
            QVERIFY(cell[0].probability > 0.0f && cell[0].probability <= 1.0f);
            someLayerDiffers = someLayerDiffers || cell[0].id != lens->at(layers - 1, i)[0].id;
        }
    QVERIFY(someLayerDiffers);  // the early layers are not the model's answer
    // A k larger than the vocabulary keeps the whole vocabulary, most probable first.
    const auto wide = computeLogitLens(*cp, std::vector<int>{5, 6}, 1 << 20);
    QCOMPARE(wide->topK, static_cast<int>(cp->config().vocabSize));
    float total = 0.0f;
    for (const auto& p : wide->at(0, 1)) total += p.probability;
    QVERIFY(std::abs(total - 1.0f) < 1e-4f);
}

// Masked LMs have a head too: their lens answers for each position itself.
void LogitLensTest::maskedLanguageModelsHaveALens() {
    const auto cp = Checkpoint::open(golden("bert_mlm"));
    const std::vector<int> ids = idsOf(*cp, "bert_mlm", 0, nullptr);
    const auto lens = computeLogitLens(*cp, ids, 2);
    QVERIFY(lens);
    QCOMPARE(lens->layers, cp->config().layers);
    QCOMPARE(lens->positions, int(ids.size()));
}

void LogitLensTest::cancelReturnsNothing() {
    const auto cp = Checkpoint::open(stories());
    const std::vector<int> ids = cp->encode(fixtures::kStoriesSample).ids;
    std::atomic<bool> cancel{true};
    QVERIFY(!computeLogitLens(*cp, ids, 5, {}, &cancel));
    // Cancelled after the forward pass, between lens layers.
    ForwardInput in;
    in.ids = ids;
    in.keepHiddenStates = true;
    const auto forward = cp->forward(in);
    cancel = false;
    int layersDone = 0;
    const auto lens = computeLogitLens(cp->model(), forward->hiddenStates, 5,
                                       [&](int done, int) {
                                           layersDone = done;
                                           if (done == 2) cancel = true;
                                       },
                                       &cancel);
    QVERIFY(!lens);
    QCOMPARE(layersDone, 2);  // stopped at the next layer
    // Cancelled while the forward pass runs, through the convenience.
    cancel = false;
    QVERIFY(!computeLogitLens(*cp, ids, 5, [&](int done, int) { cancel = done >= 1; }, &cancel));
}

void LogitLensTest::modelsWithoutALensAreErrors() {
    // bert without its masked-LM head (and so without logits in the golden folder).
    const auto bert = Checkpoint::open(golden("bert"));
    const std::string noHead = messageOf([&] { computeLogitLens(*bert, std::vector<int>{2, 5, 3}, 5); });
    QVERIFY2(noHead.find("no output head") != std::string::npos, noHead.c_str());
    QVERIFY2(noHead.find(golden("bert").string()) != std::string::npos, noHead.c_str());
    QVERIFY_THROWS_EXCEPTION(Error, requireLogitLens(bert->model()));
    QVERIFY_THROWS_EXCEPTION(Error, computeLogitLens(bert->model(), {}, 5));

    const auto vit = Checkpoint::open(golden("vit"));
    const std::string vision = messageOf([&] { computeLogitLens(*vit, std::vector<int>{1}, 5); });
    QVERIFY2(vision.find("language models") != std::string::npos && vision.find("vision model") != std::string::npos, vision.c_str());

    const auto t5 = Checkpoint::open(golden("t5"));
    const std::string encoderDecoder = messageOf([&] { computeLogitLens(*t5, std::vector<int>{5, 6}, 5); });
    QVERIFY2(encoderDecoder.find("encoder-decoder") != std::string::npos, encoderDecoder.c_str());

    // Hidden states that do not come from this model, and a k of 0.
    const auto cp = Checkpoint::open(stories());
    const std::string wrongCount = messageOf([&] { computeLogitLens(cp->model(), {RowMatrix::Zero(3, 64)}, 5); });
    QVERIFY2(wrongCount.find("keepHiddenStates") != std::string::npos, wrongCount.c_str());
    const std::vector<RowMatrix> narrow(5, RowMatrix::Zero(3, 32));
    QVERIFY_THROWS_EXCEPTION(Error, computeLogitLens(cp->model(), narrow, 5));
    QVERIFY_THROWS_EXCEPTION(Error, computeLogitLens(*cp, std::vector<int>{1, 5}, 0));
}

// On a trained model the lens shows the prediction forming upwards. With tied embeddings the
// residual after block 1 still reads as the input token itself; the next-token guess settles
// only in the top layers, and the last layer continues the story.
void LogitLensTest::trainedModelLensReadsUpwards() {
    const auto cp = Checkpoint::open(stories());
    const auto nameOf = [&](const Prediction& p) { return cp->tokenizer()->idToToken(p.id); };

    const auto little = cp->encode("Once upon a time, there was a little");
    QCOMPARE(little.tokens, (std::vector<std::string>{"<s>", "▁Once", "▁upon", "▁a", "▁time", ",", "▁there", "▁was", "▁a", "▁little"}));
    const auto lens = computeLogitLens(*cp, little.ids, 5);
    const int last = lens->layers - 1;
    QCOMPARE(nameOf(lens->at(last, 3)[0]), std::string("▁time"));  // "upon a" -> time
    QVERIFY(lens->at(last, 3)[0].probability > 0.99f);
    QCOMPARE(nameOf(lens->at(last, 8)[0]), std::string("▁little"));  // "was a" -> little
    QVERIFY(lens->at(last, 8)[0].probability > 0.5f);
    QCOMPARE(nameOf(lens->at(0, 8)[0]), std::string("▁a"));  // layer 1 still sees the input

    // A longer text (53 tokens): per layer, how often its top-1 is the input token itself, the
    // token that really comes next, and the last layer's top-1.
    const auto story = cp->encode(kStoriesReadme);
    const auto readme = computeLogitLens(*cp, story.ids, 1);
    const int n = readme->positions;
    std::vector<double> echo, accuracy, agreement;
    for (int l = 0; l < readme->layers; ++l) {
        int same = 0;
        for (int i = 0; i < n; ++i) same += readme->at(l, i)[0].id == story.ids[static_cast<std::size_t>(i)];
        echo.push_back(same / double(n));
        accuracy.push_back(nextTokenAccuracy(*readme, l, story.ids));
        agreement.push_back(top1Agreement(*readme, l, last));
    }
    qInfo("stories260k, %d tokens; per layer: input echoed %s; next token right %s; same top-1 as the last layer %s", n,
          qPrintable(joined(echo)), qPrintable(joined(accuracy)), qPrintable(joined(agreement)));
    QVERIFY(echo.front() >= 0.9);  // measured 51 of 53
    QCOMPARE(echo.back(), 0.0);
    for (int l = 1; l <= last; ++l) {
        QVERIFY2(accuracy[l] >= accuracy[l - 1], qPrintable(QString("layer %1").arg(l + 1)));
        QVERIFY2(agreement[l] > agreement[l - 1], qPrintable(QString("layer %1").arg(l + 1)));
    }
    QVERIFY(accuracy.front() <= 0.1 && accuracy.back() >= 0.6);  // measured 0.00 and 0.62
    // The last block still changes about half of the guesses (measured 27 of 53 kept).
    QVERIFY(agreement[last - 1] > 0.4 && agreement[last - 1] < 0.7);
}

QTEST_APPLESS_MAIN(LogitLensTest)
#include "test_logit_lens.moc"
