// BART and Marian before transformers fixtures exist for them (their parity stays open until a
// device machine makes them): a BART encoder holding BERT's weights must give transformers'
// BERT attention (post-norm blocks, the position table read from row 2, the embedding norm);
// Marian's sinusoids must be the published table; final_logits_bias, scale_embedding and the
// decoder start must do what transformers does with them; and every decoder step through the
// cache must equal a teacher-forced pass.
#include <QtTest>

#include <cmath>

#include "Error.h"
#include "GoldenFixtures.h"
#include "RespelledCheckpoints.h"
#include "SyntheticCheckpoints.h"
#include "analysis/Generation.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"
#include "model/Embeddings.h"
#include "model/PreparedInput.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;
using fixtures::SyntheticCheckpoint;
using fixtures::SyntheticTensor;

namespace {

constexpr int kHidden = fixtures::respelled::kBartHidden, kVocab = fixtures::respelled::kBartVocab,
              kPositions = fixtures::respelled::kBartPositions;
using fixtures::bartFromBert;
using fixtures::marianFromBert;

std::unique_ptr<Checkpoint> openWritten(const SyntheticCheckpoint& ck, const QTemporaryDir& tmp, const std::string& name) {
    return Checkpoint::open(ck.write(fs::path(tmp.path().toStdString()) / name));
}

ForwardInput sourceAndTarget(std::vector<int> source, std::vector<int> target) {
    ForwardInput in;
    in.ids = std::move(source);
    in.decoderIds = std::move(target);
    return in;
}

const std::vector<int> kSource{0, 31, 7, 250, 19, 88, 2};
const std::vector<int> kTarget{2, 0, 45, 12, 301, 9};

double stackDiff(const AttentionRecord& a, const AttentionRecord& b, const char* stack) {
    return fixtures::maxAbsDiff(a.find(stack)->attention.toFloat32(), b.find(stack)->attention.toFloat32());
}

}  // namespace

class Seq2SeqFamiliesTest : public QObject {
    Q_OBJECT
private slots:
    void bartEncoderIsTransformersBert();
    void bartReadsItsPositionTableFromRowTwo();
    void finalLogitsBiasIsAddedToEveryRow();
    void marianPositionsAreThePublishedSinusoids();
    void scaleEmbeddingScalesTheTokenRows();
    void decoderStepsEqualTheTeacherForcedPass_data();
    void decoderStepsEqualTheTeacherForcedPass();
    void decodersStartWhereTheConfigSays();
    void unequalStacksAreRefused();
    void marianFolderTeacherForcesThroughTargetSpm();
};

// Cases 0-3 of the golden BERT (one segment, token types all 0): the BART encoder's attention
// is transformers' BERT attention (BART's fixed 1e-5 norm epsilon against BERT's 1e-12 moves
// it far less than the tolerance).
void Seq2SeqFamiliesTest::bartEncoderIsTransformersBert() {
    QTemporaryDir tmp;
    const auto bart = openWritten(bartFromBert(), tmp, "bart");
    QVERIFY(bart->capabilities().hasDecoder());
    QVERIFY(bart->capabilities().canGenerate);
    const nlohmann::json cases = fixtures::readJson(fixtures::goldenDir() / "bert" / "expected.json")["cases"];
    SafetensorsFile expected(fixtures::goldenDir() / "bert" / "expected.safetensors");
    for (std::size_t c = 0; c < 4; ++c) {
        const auto result = bart->forward(sourceAndTarget(cases[c]["ids"].get<std::vector<int>>(), {2}));
        const TensorInfo* ref = expected.find("case" + std::to_string(c) + ".attentions");
        QVERIFY(ref);
        const double diff = fixtures::maxAbsDiff(result->record.find("encoder")->attention.toFloat32(), expected.toFloat(*ref));
        QVERIFY2(diff <= 1e-4, qPrintable(QString("case %1: %2").arg(c).arg(diff)));
    }
}

// Rows 0 and 1 of the position tables are never read (junk there changes nothing); row 2 is
// position 0's.
void Seq2SeqFamiliesTest::bartReadsItsPositionTableFromRowTwo() {
    QTemporaryDir tmp;
    SyntheticCheckpoint ck = bartFromBert();
    const auto base = openWritten(ck, tmp, "base")->forward(sourceAndTarget(kSource, kTarget));
    for (const char* stack : {"model.encoder.embed_positions.weight", "model.decoder.embed_positions.weight"})
        for (int j = 0; j < 2 * kHidden; ++j) ck.at(stack).values[std::size_t(j)] = -40.0f + float(j);
    const auto junk = openWritten(ck, tmp, "junk")->forward(sourceAndTarget(kSource, kTarget));
    for (const char* stack : {"encoder", "decoder", "cross"}) QCOMPARE(stackDiff(base->record, junk->record, stack), 0.0);
    QCOMPARE(base->record.logits, junk->record.logits);
    // Not a constant shift, which the embedding norm would take away.
    for (int j = 0; j < kHidden; ++j) ck.at("model.decoder.embed_positions.weight").values[std::size_t(2 * kHidden + j)] += float(j % 3) - 1.0f;
    const auto moved = openWritten(ck, tmp, "moved")->forward(sourceAndTarget(kSource, kTarget));
    QCOMPARE(stackDiff(base->record, moved->record, "encoder"), 0.0);  // the decoder's table is its own
    QVERIFY(stackDiff(base->record, moved->record, "decoder") > 1e-3);
}

void Seq2SeqFamiliesTest::finalLogitsBiasIsAddedToEveryRow() {
    QTemporaryDir tmp;
    SyntheticCheckpoint ck = bartFromBert();
    const std::vector<float> bias = ck.at("final_logits_bias").values;
    const auto with = openWritten(ck, tmp, "with")->forward(sourceAndTarget(kSource, kTarget));
    std::fill(ck.at("final_logits_bias").values.begin(), ck.at("final_logits_bias").values.end(), 0.0f);
    const auto without = openWritten(ck, tmp, "without")->forward(sourceAndTarget(kSource, kTarget));
    QCOMPARE(with->record.logits.rows(), Eigen::Index(kTarget.size()));
    QCOMPARE(with->record.logits.cols(), Eigen::Index(kVocab));
    const RowMatrix shift = with->record.logits - without->record.logits;
    for (Eigen::Index r = 0; r < shift.rows(); ++r)
        QVERIFY(fixtures::maxAbsDiff(std::vector<float>(shift.row(r).data(), shift.row(r).data() + kVocab), bias) <= 1e-5);
    // Without the buffer in the checkpoint the head still works, with no bias.
    ck.tensors.erase("final_logits_bias");
    const auto absent = openWritten(ck, tmp, "absent")->forward(sourceAndTarget(kSource, kTarget));
    QCOMPARE(absent->record.logits, without->record.logits);
}

// Marian's position p, column j < d/2: sin(p / 10000^(2j/d)); column d/2 + j: its cosine.
void Seq2SeqFamiliesTest::marianPositionsAreThePublishedSinusoids() {
    QTemporaryDir tmp;
    SyntheticCheckpoint ck = marianFromBert();
    ck.config["scale_embedding"] = false;
    std::fill(ck.at("model.shared.weight").values.begin(), ck.at("model.shared.weight").values.end(), 0.0f);
    const auto cp = openWritten(ck, tmp, "marian");
    WeightBinder bind(cp->model().weights(), cp->config());
    const Embeddings embeddings(bind);
    std::vector<int> positions;
    const RowMatrix x = embeddings.text(std::vector<int>(kPositions, 7), {}, positions);
    constexpr int half = kHidden / 2;
    for (int p : {0, 1, 2, 17, kPositions - 1})
        for (int j = 0; j < half; ++j) {
            const double angle = p / std::pow(10000.0, 2.0 * j / kHidden);
            QVERIFY(std::abs(x(p, j) - std::sin(angle)) <= 1e-6);
            QVERIFY(std::abs(x(p, half + j) - std::cos(angle)) <= 1e-6);
        }
    QCOMPARE(x(1, 0), float(std::sin(1.0)));
    QCOMPARE(x(0, half), 1.0f);
    // After a cache of 5 tokens, the next token's row is position 5's.
    const RowMatrix next = embeddings.text({7}, {}, positions, 5);
    QCOMPARE(positions, std::vector<int>{5});
    QCOMPARE(next.row(0), x.row(5));
}

// scale_embedding multiplies the token rows (not the positions) by sqrt(d_model): the same
// model with its table pre-multiplied and the switch off attends identically.
void Seq2SeqFamiliesTest::scaleEmbeddingScalesTheTokenRows() {
    QTemporaryDir tmp;
    SyntheticCheckpoint scaled = marianFromBert();
    SyntheticCheckpoint folded = scaled;
    folded.config["scale_embedding"] = false;
    for (float& v : folded.at("model.shared.weight").values) v *= std::sqrt(float(kHidden));
    const auto a = openWritten(scaled, tmp, "scaled")->forward(sourceAndTarget(kSource, {5, 0, 45, 12}));
    const auto b = openWritten(folded, tmp, "folded")->forward(sourceAndTarget(kSource, {5, 0, 45, 12}));
    for (const char* stack : {"encoder", "decoder", "cross"}) QVERIFY2(stackDiff(a->record, b->record, stack) <= 1e-5, stack);
    SyntheticCheckpoint off = scaled;
    off.config["scale_embedding"] = false;
    const auto c = openWritten(off, tmp, "off")->forward(sourceAndTarget(kSource, {5, 0, 45, 12}));
    QVERIFY(stackDiff(a->record, c->record, "encoder") > 1e-3);
}

void Seq2SeqFamiliesTest::decoderStepsEqualTheTeacherForcedPass_data() {
    QTest::addColumn<QString>("family");
    QTest::newRow("bart") << "bart";
    QTest::newRow("marian") << "marian";
}

// Greedy steps through the cache (positions continuing after it, cross keys made once) give
// the tokens and attention of one teacher-forced pass over the same target.
void Seq2SeqFamiliesTest::decoderStepsEqualTheTeacherForcedPass() {
    QFETCH(QString, family);
    QTemporaryDir tmp;
    const auto cp = openWritten(family == "bart" ? bartFromBert() : marianFromBert(), tmp, family.toStdString());
    Generator g(cp->model(), GenerationPrompt{{cp->config().decoderStartTokenId}, kSource, {}}, SamplingSettings{});
    for (int i = 0; i < 8; ++i) g.step();
    g.feedPending();
    const auto full = cp->forward(sourceAndTarget(kSource, g.ids()));
    for (std::size_t i = 1; i < g.ids().size(); ++i) {
        Eigen::Index best = 0;
        full->record.logits.row(Eigen::Index(i) - 1).maxCoeff(&best);
        QCOMPARE(g.ids()[i], int(best));
    }
    AttentionRecord stepped;
    stepped.stacks = {{"encoder", 0, 0, g.encoderAttention()}, {"decoder", 1, 1, g.attentions()}, {"cross", 1, 0, g.crossAttentions()}};
    for (const char* stack : {"encoder", "decoder", "cross"}) {
        const double diff = stackDiff(stepped, full->record, stack);
        QVERIFY2(diff <= 1e-5, qPrintable(QString("%1: %2").arg(stack).arg(diff)));
    }
    // The decoder is causal; every row of each stack is a distribution.
    const AttentionStack& decoder = full->record.find("decoder")->attention;
    std::vector<float> map(decoder.mapSize());
    decoder.copyMap(1, 2, map.data());
    for (int q = 0; q < decoder.queries; ++q) {
        double sum = 0;
        for (int k = 0; k < decoder.keys; ++k) {
            if (k > q) QCOMPARE(map[std::size_t(q * decoder.keys + k)], 0.0f);
            sum += map[std::size_t(q * decoder.keys + k)];
        }
        QVERIFY(std::abs(sum - 1.0) <= 1e-5);
    }
}

void Seq2SeqFamiliesTest::decodersStartWhereTheConfigSays() {
    QTemporaryDir tmp;
    const auto bart = openWritten(bartFromBert(), tmp, "bart");
    const auto marian = openWritten(marianFromBert(), tmp, "marian");
    QCOMPARE(bart->config().decoderStartTokenId, 2);    // </s>
    QCOMPARE(marian->config().decoderStartTokenId, 5);  // the pad token
    ForwardInput source;
    source.ids = kSource;
    QCOMPARE(marian->forward(source)->record.sequences.at(1).ids, std::vector<int>{5});
    // BartModel (no head) and MarianModel attend but cannot generate.
    SyntheticCheckpoint bare = bartFromBert();
    bare.config["architectures"] = {"BartModel"};
    const auto base = openWritten(bare, tmp, "bart-base");
    QVERIFY(!base->capabilities().canGenerate);
    QVERIFY(base->forward(source)->record.logits.size() == 0);
}

void Seq2SeqFamiliesTest::unequalStacksAreRefused() {
    QTemporaryDir tmp;
    for (const auto& [key, value] : std::vector<std::pair<std::string, int>>{{"decoder_attention_heads", 2}, {"decoder_ffn_dim", 48}}) {
        SyntheticCheckpoint ck = bartFromBert();
        ck.config[key] = value;
        try {
            openWritten(ck, tmp, key);
            QFAIL("an unequal decoder opened");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(key) != std::string::npos, e.what());
        }
    }
}

// An OPUS-MT folder (source.spm, target.spm, vocab.json; no tokenizer.json): the source reads
// through source.spm, the target a user types through target.spm, as MarianTokenizer's
// text_target does, for teacher forcing and for a generation's prompt alike (reference ids:
// spm_encode's pieces through vocab.json, tests/fixtures/sentencepiece/).
void Seq2SeqFamiliesTest::marianFolderTeacherForcesThroughTargetSpm() {
    // Written under the build's test folder (not a temporary one) to be opened in the app too.
    const fs::path dir = fixtures::tmpDir() / "opus-mt";
    fs::remove_all(dir);
    marianFromBert().write(dir);
    const fs::path spm = fs::path(ATTNSCOPE_FIXTURES_DIR) / "sentencepiece";
    for (const char* f : {"source.spm", "target.spm", "vocab.json", "tokenizer_config.json"}) fs::copy(spm / "marian" / f, dir / f);
    const auto cp = Checkpoint::open(dir);
    const nlohmann::json reference = fixtures::readJson(spm / "reference.json")["marian"];
    const std::string text = reference["source"][0]["text"];
    std::vector<int> target = reference["target"][0]["ids"];
    QCOMPARE(target.back(), 0);  // </s>, which teacher forcing leaves out
    target.pop_back();
    target.insert(target.begin(), 5);  // the decoder starts from <pad>
    UserInput in;
    in.text = text;
    in.target = text;
    const PreparedInput prepared = prepareInput(*cp, in);
    QCOMPARE(prepared.forward.ids, reference["source"][0]["ids"].get<std::vector<int>>());
    QCOMPARE(prepared.forward.decoderIds, target);
    QCOMPARE(decoderPromptIds(*cp, text), target);
    QVERIFY(cp->run(prepared).has_value());
}

QTEST_APPLESS_MAIN(Seq2SeqFamiliesTest)
#include "test_seq2seq_families.moc"
