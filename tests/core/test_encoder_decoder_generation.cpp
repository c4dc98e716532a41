// Generation for encoder-decoders: the source is encoded once, the decoder steps through its
// key/value cache with the cross-attention keys and values made once; every step must give the
// numbers of a teacher-forced forward pass over the same target (whose parity with
// transformers the golden T5 fixture checks).
#include <QtTest>

#include "Error.h"
#include "GoldenFixtures.h"
#include "analysis/Generation.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

fs::path goldenT5() { return fixtures::goldenDir() / "t5" / "model"; }

fs::path t5WithLmHead(const QTemporaryDir& tmp) { return fixtures::writeT5WithLmHead(fs::path(tmp.path().toStdString()) / "t5-lm"); }

std::vector<int> sourceIds() { return fixtures::readJson(fixtures::goldenDir() / "t5" / "expected.json")["cases"][0]["ids"].get<std::vector<int>>(); }

int argmax(const RowMatrix& logits, Eigen::Index row) {
    Eigen::Index best = 0;
    logits.row(row).maxCoeff(&best);
    return static_cast<int>(best);
}

}  // namespace

class EncoderDecoderGenerationTest : public QObject {
    Q_OBJECT
private slots:
    void stepsEqualTheTeacherForcedForward();
    void stopsAtTheEndOfSequenceToken();
    void aTypedTargetIsContinued();
    void modelsAndPromptsThatCannotGenerateAreErrors();
};

// Every greedy token is the argmax of the full forward pass's logits at the position before it,
// and the assembled decoder, cross and encoder attention equal that pass's to float rounding.
void EncoderDecoderGenerationTest::stepsEqualTheTeacherForcedForward() {
    QTemporaryDir tmp;
    const auto cp = Checkpoint::open(t5WithLmHead(tmp));
    const TransformerModel& m = cp->model();
    QVERIFY(m.canGenerate());
    QVERIFY(cp->capabilities().whyNoGeneration.empty());
    const std::vector<int> source = sourceIds();
    Generator g(m, GenerationPrompt{{cp->config().decoderStartTokenId}, source, {}}, SamplingSettings{});
    QCOMPARE(g.encoderAttention().queries, int(source.size()));
    for (int i = 0; i < 10; ++i) g.step();
    g.feedPending();

    ForwardInput full;
    full.ids = source;
    full.decoderIds = g.ids();
    const auto reference = m.forward(full);
    QVERIFY(reference);
    const AttentionRecord& record = reference->record;
    for (int i = 1; i < static_cast<int>(g.ids().size()); ++i)
        QCOMPARE(g.ids()[static_cast<std::size_t>(i)], argmax(record.logits, i - 1));
    // The last fed token's logits: what would pick the next one.
    const auto last = record.logits.row(record.logits.rows() - 1);
    QVERIFY(fixtures::maxAbsDiff(g.lastLogits(), std::vector<float>(last.data(), last.data() + last.size())) <= 1e-4);

    const auto same = [](const AttentionStack& ours, const NamedStack* theirs, const char* name) {
        QVERIFY2(theirs, name);
        const double diff = fixtures::maxAbsDiff(ours.toFloat32(), theirs->attention.toFloat32());
        QVERIFY2(diff <= 1e-5, qPrintable(QString("%1: %2").arg(name).arg(diff)));
    };
    same(g.attentions(), record.find("decoder"), "decoder");
    same(g.crossAttentions(), record.find("cross"), "cross");
    same(g.encoderAttention(), record.find("encoder"), "encoder");
    QCOMPARE(g.crossAttentions().keys, int(source.size()));
}

void EncoderDecoderGenerationTest::stopsAtTheEndOfSequenceToken() {
    QTemporaryDir tmp;
    const auto cp = Checkpoint::open(t5WithLmHead(tmp));
    const GenerationPrompt prompt{{cp->config().decoderStartTokenId}, sourceIds(), {}};
    const auto free = generate(cp->model(), prompt, SamplingSettings{}, 6, {});
    QCOMPARE(free.ids.size(), std::size_t{7});
    QCOMPARE(free.promptLength, 1);
    // Stopping at the third new token's id keeps it and ends there (unless an earlier one has it).
    const int stop = free.ids[3];
    const auto stopped = generate(cp->model(), prompt, SamplingSettings{}, 6, {stop});
    const auto first = std::find(free.ids.begin() + 1, free.ids.end(), stop);
    QCOMPARE(stopped.ids, std::vector<int>(free.ids.begin(), first + 1));
}

// A target typed before generating is a prefix the decoder continues: the same tokens follow
// as when the generation made that prefix itself.
void EncoderDecoderGenerationTest::aTypedTargetIsContinued() {
    QTemporaryDir tmp;
    const auto cp = Checkpoint::open(t5WithLmHead(tmp));
    const std::vector<int> source = sourceIds();
    const auto free = generate(cp->model(), GenerationPrompt{{cp->config().decoderStartTokenId}, source, {}}, SamplingSettings{}, 8, {});
    const std::vector<int> prefix(free.ids.begin(), free.ids.begin() + 4);
    const auto continued = generate(cp->model(), GenerationPrompt{prefix, source, {}}, SamplingSettings{}, 5, {});
    QCOMPARE(continued.promptLength, 4);
    QCOMPARE(continued.ids, free.ids);
}

void EncoderDecoderGenerationTest::modelsAndPromptsThatCannotGenerateAreErrors() {
    // T5Model has no LM head: nothing to pick tokens with.
    const auto bare = Checkpoint::open(goldenT5());
    QVERIFY(!bare->model().canGenerate());
    QVERIFY(bare->capabilities().whyNoGeneration.find("no LM head") != std::string::npos);
    QVERIFY_THROWS_EXCEPTION(Error, Generator(bare->model(), GenerationPrompt{{0}, sourceIds(), {}}, SamplingSettings{}));

    QTemporaryDir tmp;
    const auto cp = Checkpoint::open(t5WithLmHead(tmp));
    // No source, or an empty one; no decoder start.
    QVERIFY_THROWS_EXCEPTION(Error, Generator(cp->model(), std::vector<int>{0}, SamplingSettings{}));
    QVERIFY_THROWS_EXCEPTION(Error, Generator(cp->model(), GenerationPrompt{{}, sourceIds(), {}}, SamplingSettings{}));
    KeyValueCache cache;
    QVERIFY_THROWS_EXCEPTION(Error, cp->model().encodeSource({}, cache));
    // Decoder steps before the source is encoded.
    QVERIFY_THROWS_EXCEPTION(Error, cp->model().forwardCached({0}, cache));

    // A decoder-only model has no encoder to read a source with.
    const auto gpt2 = Checkpoint::open(fixtures::goldenDir() / "gpt2" / "model");
    QVERIFY_THROWS_EXCEPTION(Error, Generator(gpt2->model(), GenerationPrompt{{1, 2}, {3, 4}, {}}, SamplingSettings{}));
    KeyValueCache other;
    QVERIFY_THROWS_EXCEPTION(Error, gpt2->model().encodeSource({3, 4}, other));
}

QTEST_APPLESS_MAIN(EncoderDecoderGenerationTest)
#include "test_encoder_decoder_generation.moc"
