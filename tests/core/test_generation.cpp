// Predictions, generation with a key/value cache, and the logit lens, on the golden fixtures
// and on the trained stories260k model.
#include <QtTest>

#include <cmath>
#include <set>

#include "Error.h"
#include "GoldenFixtures.h"
#include "analysis/Generation.h"
#include "analysis/Predictions.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Checkpoint> open(const fs::path& folder) { return Checkpoint::open(folder); }
fs::path golden(const std::string& family) { return fixtures::goldenDir() / family / "model"; }
fs::path stories() { return fixtures::modelsDir() / "stories260k"; }

}  // namespace

class GenerationTest : public QObject {
    Q_OBJECT
private slots:
    void topKEqualsSoftmaxOfGoldenLogits_data();
    void topKEqualsSoftmaxOfGoldenLogits();
    void cachedStepsEqualRecompute_data();
    void cachedStepsEqualRecompute();
    void greedyFromBosReproducesTheStoriesSample();
    void seededSamplingIsReproducible();
    void feedingBetweenStepsChangesNothing();
    void cacheGrowsByDoubling();
    void newSamplingContinuesTheSequence();
    void samplingRespectsTopKAndTopP();
    void stopsAtEndOfSequence();
    void startTokenComesFromTheConfig();
    void logitLensLastLayerIsThePrediction_data();
    void logitLensLastLayerIsThePrediction();
    void badSettingsAndModelsAreErrors();
};

void GenerationTest::topKEqualsSoftmaxOfGoldenLogits_data() {
    QTest::addColumn<QString>("family");
    for (const char* f : {"gpt2", "llama", "gpt_neo", "gpt_neox", "bert_mlm", "roberta_mlm", "distilbert_mlm"}) QTest::newRow(f) << QString(f);
}

// Our logits' top 5 per position: the same ids as the golden logits' softmax, and the same
// probabilities to 1e-4.
void GenerationTest::topKEqualsSoftmaxOfGoldenLogits() {
    QFETCH(QString, family);
    const std::string f = family.toStdString();
    const auto cp = open(golden(f));
    SafetensorsFile expected(fixtures::goldenDir() / f / "expected.safetensors");
    const std::size_t cases = fixtures::readJson(fixtures::goldenDir() / f / "expected.json")["cases"].size();
    for (std::size_t c = 0; c < cases; ++c) {
        const auto spec = fixtures::readJson(fixtures::goldenDir() / f / "expected.json")["cases"][c];
        ForwardInput in;
        in.ids = spec["ids"].get<std::vector<int>>();
        if (spec.contains("text_pair") && spec.contains("type_ids")) in.typeIds = spec["type_ids"].get<std::vector<int>>();
        const auto result = cp->forward(in);
        const TensorInfo* info = expected.find("case" + std::to_string(c) + ".logits");
        QVERIFY(info);
        const std::vector<float> reference = expected.toFloat(*info);
        const int vocab = static_cast<int>(info->shape.back());
        QCOMPARE(result->record.logits.cols(), Eigen::Index(vocab));
        for (Eigen::Index pos = 0; pos < result->record.logits.rows(); ++pos) {
            const auto ours = topPredictions(result->record.logits.row(pos).data(), vocab, 5);
            const auto theirs = topPredictions(reference.data() + pos * vocab, vocab, 5);
            QCOMPARE(ours.size(), theirs.size());
            for (std::size_t k = 0; k < ours.size(); ++k) {
                QVERIFY2(std::abs(ours[k].probability - theirs[k].probability) <= 1e-4,
                         qPrintable(QString("case %1 position %2 rank %3: %4 (id %5) vs %6 (id %7)").arg(c).arg(pos).arg(k)
                                        .arg(ours[k].probability).arg(ours[k].id).arg(theirs[k].probability).arg(theirs[k].id)));
                // Near-ties may swap places; a swapped id must then be just as probable.
                if (ours[k].id != theirs[k].id) QVERIFY(std::abs(ours[k].probability - theirs[k].probability) <= 1e-4);
            }
            QCOMPARE(ours[0].id, theirs[0].id);
        }
    }
}

void GenerationTest::cachedStepsEqualRecompute_data() {
    QTest::addColumn<QString>("model");
    for (const char* f : {"gpt2", "llama", "gpt_neo", "gpt_neox"}) QTest::newRow(f) << QString::fromStdString(golden(f).string());
    QTest::newRow("stories260k") << QString::fromStdString(stories().string());
}

// Every attention row a cached step computes equals the same row of a full forward pass
// over the whole sequence, to 1e-5; so do the logits that pick each token.
void GenerationTest::cachedStepsEqualRecompute() {
    QFETCH(QString, model);
    const auto cp = open(model.toStdString());
    const TransformerModel& m = cp->model();
    std::vector<int> prompt{1, 5, 9, 17};
    Generator g(m, prompt, SamplingSettings{0.8f, 0, 1.0f, 3});
    for (int i = 0; i < 12; ++i) {
        g.step();
        ForwardInput full;
        full.ids.assign(g.ids().begin(), g.ids().end() - 1);  // what the step fed
        const auto reference = cp->forward(full);
        const auto& row = reference->record.logits.row(reference->record.logits.rows() - 1);
        QVERIFY(fixtures::maxAbsDiff(g.lastLogits(), std::vector<float>(row.data(), row.data() + row.size())) <= 1e-4);
    }
    g.feedPending();
    ForwardInput full;
    full.ids = g.ids();
    const auto reference = cp->forward(full);
    const AttentionStack cached = g.attentions();
    QCOMPARE(cached.queries, int(g.ids().size()));
    const double diff = fixtures::maxAbsDiff(cached.toFloat32(), reference->record.attention().toFloat32());
    QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
}

void GenerationTest::greedyFromBosReproducesTheStoriesSample() {
    const auto cp = open(stories());
    const std::vector<int> expected = cp->encode(fixtures::kStoriesSample).ids;  // begins with <s>
    QCOMPARE(expected.front(), 1);
    const auto result = generate(cp->model(), {1}, SamplingSettings{}, static_cast<int>(expected.size()) - 1,
                                 endOfSequenceIds(cp->config()));
    QCOMPARE(result.ids, expected);
    QCOMPARE(result.promptLength, 1);
    QCOMPARE(cp->tokenizer()->decode(result.ids), std::string(fixtures::kStoriesSample));
}

// The app feeds each new token at once (to show its attention row) before the next step
// picks: the tokens must be those of plain steps, and each feed's logits those of a full pass.
void GenerationTest::feedingBetweenStepsChangesNothing() {
    const auto cp = open(stories());
    const std::vector<int> prompt = cp->encode("Once upon a time").ids;
    const SamplingSettings sampling{0.9f, 40, 0.95f, 11};
    Generator plain(cp->model(), prompt, sampling);
    Generator fed(cp->model(), prompt, sampling);
    fed.feedPending();
    QCOMPARE(int(fed.lastFedLogits().rows()), int(prompt.size()));
    ForwardInput input;
    input.ids = prompt;
    const auto reference = cp->forward(input);
    const RowMatrix& promptLogits = fed.lastFedLogits();
    QVERIFY(((promptLogits - reference->record.logits).cwiseAbs().maxCoeff()) <= 1e-4f);
    for (int i = 0; i < 15; ++i) {
        QCOMPARE(fed.step(), plain.step());
        fed.feedPending();
        QCOMPARE(int(fed.lastFedLogits().rows()), 1);
        QCOMPARE(fed.fedLength(), int(fed.ids().size()));
    }
    QCOMPARE(fed.ids(), plain.ids());
    QCOMPARE(fed.attentions().queries, int(fed.ids().size()));
}

// 200 single-token steps move the cache's buffers only a handful of times (growth by
// doubling), and what they attend over is still exactly the recomputed sequence.
void GenerationTest::cacheGrowsByDoubling() {
    const auto cp = open(stories());
    const TransformerModel& m = cp->model();
    KeyValueCache cache;
    std::vector<int> ids = cp->encode("Once upon a time").ids;
    StepResult r = m.forwardCached(ids, cache);
    int moves = 0;
    const float* buffer = cache.keys.front().data();
    for (int i = 0; i < 200; ++i) {
        const auto last = r.logits.row(r.logits.rows() - 1);
        const int next = static_cast<int>(std::max_element(last.data(), last.data() + last.size()) - last.data());
        ids.push_back(next);
        r = m.forwardCached({next}, cache);
        if (cache.keys.front().data() != buffer) {
            ++moves;
            buffer = cache.keys.front().data();
        }
        QVERIFY(cache.keys.front().rows() >= cache.length);
    }
    QCOMPARE(cache.length, int(ids.size()));
    QVERIFY2(moves <= 7, qPrintable(QString::number(moves)));  // 5 tokens to 205: 6 doublings
    QVERIFY(cache.keys.front().rows() < 2 * cache.length);
    ForwardInput full;
    full.ids = ids;
    const auto reference = cp->forward(full);
    std::vector<float> mine(r.attention.toFloat32()), theirs;
    const std::vector<float> all = reference->record.attention().toFloat32();
    // The last step's row of every map: the last query row of the full pass.
    const int n = static_cast<int>(ids.size());
    for (int map = 0; map < cp->config().layers * cp->config().heads; ++map)
        theirs.insert(theirs.end(), all.begin() + (static_cast<std::ptrdiff_t>(map) * n + n - 1) * n,
                      all.begin() + (static_cast<std::ptrdiff_t>(map) * n + n) * n);
    const double diff = fixtures::maxAbsDiff(mine, theirs);
    QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
}

// Changing the settings mid-way keeps the cache and seeds a new sampler: the same tokens as a
// fresh generator started from the sequence so far with those settings.
void GenerationTest::newSamplingContinuesTheSequence() {
    const auto cp = open(stories());
    const std::vector<int> prompt = cp->encode("Once upon a time").ids;
    Generator g(cp->model(), prompt, SamplingSettings{});
    for (int i = 0; i < 3; ++i) g.step();
    const SamplingSettings sampling{1.2f, 0, 0.9f, 5};
    g.setSampling(sampling);
    QCOMPARE(g.sampling().seed, std::uint64_t{5});
    Generator fresh(cp->model(), g.ids(), sampling);
    for (int i = 0; i < 8; ++i) QCOMPARE(g.step(), fresh.step());
    QVERIFY_THROWS_EXCEPTION(Error, g.setSampling(SamplingSettings{-1.0f, 0, 1.0f, 0}));
    QCOMPARE(g.sampling().seed, std::uint64_t{5});  // a refused setting changes nothing
}

void GenerationTest::seededSamplingIsReproducible() {
    const auto cp = open(stories());
    const SamplingSettings settings{1.0f, 40, 0.95f, 1234};
    const auto a = generate(cp->model(), {1}, settings, 40, {});
    const auto b = generate(cp->model(), {1}, settings, 40, {});
    QCOMPARE(a.ids, b.ids);
    QCOMPARE(a.ids.size(), std::size_t(41));
    SamplingSettings other = settings;
    other.seed = 4321;
    QVERIFY(generate(cp->model(), {1}, other, 40, {}).ids != a.ids);
    // Sampling at temperature 1 does not just repeat the greedy text.
    QVERIFY(generate(cp->model(), {1}, SamplingSettings{}, 40, {}).ids != a.ids);
}

void GenerationTest::samplingRespectsTopKAndTopP() {
    const float logits[5] = {2.0f, 1.0f, 4.0f, 3.0f, 0.0f};
    // top-k 1 and a tiny top-p both leave only the most probable token.
    TokenSampler topOne(SamplingSettings{1.5f, 1, 1.0f, 9});
    TokenSampler nucleus(SamplingSettings{1.5f, 0, 0.01f, 9});
    for (int i = 0; i < 50; ++i) {
        QCOMPARE(topOne.next(logits, 5), 2);
        QCOMPARE(nucleus.next(logits, 5), 2);
    }
    // top-k 2 draws only ids 2 and 3, both of them over many draws.
    TokenSampler topTwo(SamplingSettings{1.0f, 2, 1.0f, 9});
    std::set<int> seen;
    for (int i = 0; i < 200; ++i) seen.insert(topTwo.next(logits, 5));
    QCOMPARE(seen, (std::set<int>{2, 3}));
    // Greedy is argmax.
    TokenSampler greedy(SamplingSettings{});
    QCOMPARE(greedy.next(logits, 5), 2);
}

// bos_token_id: a number, or null (BERT), or absent.
void GenerationTest::startTokenComesFromTheConfig() {
    QCOMPARE(beginningOfSequenceId(open(stories())->config()), std::optional<int>(1));
    QCOMPARE(beginningOfSequenceId(open(golden("gpt2"))->config()), std::optional<int>(0));
    QCOMPARE(beginningOfSequenceId(open(golden("bert"))->config()), std::nullopt);
    ModelConfig config = open(golden("gpt2"))->config();
    config.raw.erase("bos_token_id");
    QCOMPARE(beginningOfSequenceId(config), std::nullopt);
}

void GenerationTest::stopsAtEndOfSequence() {
    const auto cp = open(stories());
    const auto free = generate(cp->model(), {1}, SamplingSettings{}, 5, {});
    QCOMPARE(free.ids.size(), std::size_t(6));
    // Declaring the third new token an end of sequence stops right after it.
    const auto stopped = generate(cp->model(), {1}, SamplingSettings{}, 5, {free.ids[3]});
    QCOMPARE(stopped.ids, std::vector<int>(free.ids.begin(), free.ids.begin() + 4));
    std::atomic<bool> cancel{true};
    const auto cancelled = generate(cp->model(), {1}, SamplingSettings{}, 5, {}, {}, &cancel);
    QVERIFY(cancelled.cancelled);
    QCOMPARE(cancelled.ids, std::vector<int>{1});
}

void GenerationTest::logitLensLastLayerIsThePrediction_data() {
    QTest::addColumn<QString>("model");
    for (const char* f : {"gpt2", "llama", "gpt_neox", "bert_mlm", "distilbert_mlm"})
        QTest::newRow(f) << QString::fromStdString(golden(f).string());
    QTest::newRow("stories260k") << QString::fromStdString(stories().string());
}

void GenerationTest::logitLensLastLayerIsThePrediction() {
    QFETCH(QString, model);
    const auto cp = open(model.toStdString());
    ForwardInput in;
    in.ids = {1, 7, 12, 30, 2};
    in.keepHiddenStates = true;
    const auto result = cp->forward(in);
    QCOMPARE(int(result->hiddenStates.size()), cp->config().layers);
    const RowMatrix last = cp->model().logitsFromResidual(result->hiddenStates.back());
    QCOMPARE(last.rows(), result->record.logits.rows());
    QVERIFY(((last - result->record.logits).cwiseAbs().maxCoeff()) <= 1e-5f);
    // Earlier layers predict something else (the lens is not the identity).
    const RowMatrix first = cp->model().logitsFromResidual(result->hiddenStates.front());
    QVERIFY(((first - result->record.logits).cwiseAbs().maxCoeff()) > 1e-3f);
}

void GenerationTest::badSettingsAndModelsAreErrors() {
    QVERIFY_THROWS_EXCEPTION(Error, TokenSampler(SamplingSettings{-0.5f, 0, 1.0f, 0}));
    QVERIFY_THROWS_EXCEPTION(Error, TokenSampler(SamplingSettings{1.0f, -1, 1.0f, 0}));
    QVERIFY_THROWS_EXCEPTION(Error, TokenSampler(SamplingSettings{1.0f, 0, 0.0f, 0}));
    QVERIFY_THROWS_EXCEPTION(Error, TokenSampler(SamplingSettings{1.0f, 0, 1.5f, 0}));
    // bert has no LM head and is not causal; bert_mlm has a head but is not causal.
    for (const char* f : {"bert", "bert_mlm", "vit"}) {
        const auto cp = open(golden(f));
        QVERIFY(!cp->model().canGenerate());
        QVERIFY_THROWS_EXCEPTION(Error, Generator(cp->model(), {2, 5}, SamplingSettings{}));
    }
    QVERIFY_THROWS_EXCEPTION(Error, open(golden("bert"))->model().logitsFromResidual(RowMatrix::Zero(2, 32)));
    const auto cp = open(stories());
    QVERIFY_THROWS_EXCEPTION(Error, Generator(cp->model(), std::vector<int>{}, SamplingSettings{}));
    // Past the model's 512 positions: a clear error, not a silent wrap.
    QVERIFY_THROWS_EXCEPTION(Error, generate(cp->model(), std::vector<int>(510, 5), SamplingSettings{}, 10, {}));
}

QTEST_APPLESS_MAIN(GenerationTest)
#include "test_generation.moc"
