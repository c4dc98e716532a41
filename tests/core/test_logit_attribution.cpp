// Direct logit attribution (issue #19): every head's, MLP's, the embedding's and the biases'
// share of one logit, through the norms after them with their scales frozen. The shares must
// add up to the model's own logit on every family with a head (decoders, masked LMs, text and
// image classifiers, softcapped Gemma 2, DeiT's two classifiers); a last-layer head's share
// must equal what switching it off removes from the final norm's input, read through that norm
// by hand; and the flip search must find the induction head of builtin:induction.
#include <QtTest>

#include <cmath>
#include <random>

#include "ErrorText.h"
#include "GoldenFixtures.h"
#include "RespelledCheckpoints.h"
#include "SequenceClassifierFixtures.h"
#include "SyntheticCheckpoints.h"
#include "analysis/LogitAttribution.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

const std::vector<int> kIds{3, 17, 42, 9, 5, 33, 60, 21};

ForwardInput inputFor(const Checkpoint& cp) {
    ForwardInput in;
    // An encoder-decoder's logits are its decoder's: a source and a teacher-forced target.
    if (cp.capabilities().hasDecoder()) in.decoderIds = {cp.config().decoderStartTokenId, 7, 12, 30, 4};
    if (cp.capabilities().readsImages()) {
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
        in.pixels.channels = cp.config().imageConfig().channels;
        in.pixels.height = in.pixels.width = cp.config().imageConfig().imageSize;
        in.pixels.values.resize(std::size_t(in.pixels.channels) * in.pixels.height * in.pixels.width);
        for (float& v : in.pixels.values) v = dist(rng);
        return in;
    }
    in.ids = kIds;
    return in;
}

// The tokens the head reads: the decoder's for an encoder-decoder.
int positionsOf(const ForwardInput& in) { return static_cast<int>((in.decoderIds.empty() ? in.ids : in.decoderIds).size()); }

fs::path folderFor(const QString& family) {
    const std::string f = family.toStdString();
    const fs::path golden = fixtures::goldenDir() / f / "model";
    if (fs::exists(golden)) return golden;
    if (fs::exists(fixtures::modelsDir() / f)) return fixtures::modelsDir() / f;  // trained: logits of real size
    const fs::path dir = fixtures::tmpDir() / "attribution" / f;
    if (f.rfind("classifier-", 0) == 0) {
        fixtures::writeSequenceClassifier(dir, fixtures::classifierLayout(f.substr(11)));
        return dir;
    }
    if (f == "electra-discriminator") {
        fs::remove_all(dir);
        fixtures::writeElectraDiscriminator(fixtures::goldenDir() / "bert" / "model", dir);
        return dir;
    }
    if (f == "deberta-v2") return fixtures::debertaFromBert().write(dir);
    if (f == "bart") return fixtures::bartFromBert().write(dir);
    if (f == "marian") return fixtures::marianFromBert().write(dir);
    if (f == "t5-lm") return fixtures::writeT5WithLmHead(dir);
    if (f == "vision-encoder-decoder") return fixtures::writeCaptioner(fixtures::captionerFromGolden(), dir);
    return fixtures::synthesize(fixtures::tinyConfig(f)).write(dir);
}

}  // namespace

class LogitAttributionTest : public QObject {
    Q_OBJECT
private slots:
    void sharesAddUpToTheLogit_data();
    void sharesAddUpToTheLogit();
    void lastLayerHeadIsWhatSwitchingItOffRemoves();
    void distractorIsTargetLessDistractor();
    void crossHeadsAreWhatTheSourceWrites();
    void refusesWhatItCannotAttribute();
    void flipSearchFindsTheInductionHead();
    void flipSearchOfAnEncoderDecoderNeedsEveryHeadItFound_data();
    void flipSearchOfAnEncoderDecoderNeedsEveryHeadItFound();
};

void LogitAttributionTest::sharesAddUpToTheLogit_data() {
    QTest::addColumn<QString>("family");
    for (const char* f : {"gpt2", "llama", "gpt_neo", "gpt_neox", "bert_mlm", "distilbert_mlm", "roberta_mlm", "vit", "deit", "qwen3",
                          "gemma", "gemma2", "gemma3_text", "phi3", "olmo2", "smollm3", "classifier-bert", "classifier-roberta",
                          "classifier-distilbert", "classifier-gpt2", "classifier-llama", "electra-discriminator", "deberta-v2", "stories260k", "vit-mnist3",
                          "bart", "marian", "t5-lm", "vision-encoder-decoder"})
        QTest::newRow(f) << QString(f);
}

// At every position (a classifier: its one row) and for several entries, the shares add up to
// the forward pass's own logit (through the softcap where the family has one) within 1e-4.
void LogitAttributionTest::sharesAddUpToTheLogit() {
    QFETCH(QString, family);
    const auto cp = Checkpoint::open(folderFor(family));
    const TransformerModel& model = cp->model();
    const ForwardInput in = inputFor(*cp);
    const RowMatrix logits = cp->forward(in)->record.logits;
    const int rows = model.isClassifier() ? 1 : positionsOf(in);
    double worst = 0.0;
    int checked = 0;
    bool someHeadMatters = false, someCrossHeadMatters = false;
    for (int position = 0; position < rows; ++position)
        for (const int entry : {0, 1, static_cast<int>(logits.cols()) - 1}) {
            const auto a = attributeLogit(model, in, {position, entry, std::nullopt});
            QVERIFY(a.has_value());
            QCOMPARE(a->heads.size(), std::size_t(a->layers * a->headsPerLayer));
            // An encoder-decoder's grid is its decoder's, with the cross-attention heads apart.
            QCOMPARE(a->hasCrossHeads(), cp->capabilities().hasDecoder());
            if (a->hasCrossHeads()) QCOMPARE(a->crossHeads.size(), a->heads.size());
            const double total = a->softcap > 0 ? a->softcap * std::tanh(a->total() / a->softcap) : a->total();
            QVERIFY(std::isfinite(total));
            QCOMPARE(a->logit, double(logits(position, entry)));
            worst = std::max(worst, std::abs(total - a->logit));
            for (const double h : a->heads) someHeadMatters |= std::abs(h) > 1e-3;
            for (const double h : a->crossHeads) someCrossHeadMatters |= std::abs(h) > 1e-3;
            ++checked;
        }
    qInfo("%s: %d logits, worst |sum of shares - logit| %.2g", qPrintable(family), checked, worst);
    QVERIFY2(worst <= 1e-4, qPrintable(QString::number(worst)));
    QVERIFY(someHeadMatters);  // not a sum that holds because every share is 0
    QCOMPARE(someCrossHeadMatters, cp->capabilities().hasDecoder());
}

// LLaMA's last layer writes straight into the final RMSNorm: with that layer's MLP silenced
// (its down projection zeroed), switching one head off there removes exactly its output from
// the norm's input (ablation is checked against cut weights in test_head_ablation), and that
// difference, through the norm with the plain run's scale and the LM head's row, read from the
// checkpoint here, is the head's share.
void LogitAttributionTest::lastLayerHeadIsWhatSwitchingItOffRemoves() {
    const fs::path golden = fixtures::goldenDir() / "llama" / "model";
    fixtures::SyntheticCheckpoint ck = fixtures::loadCheckpoint(golden);
    auto& down = ck.at("model.layers.1.mlp.down_proj.weight");
    down.scaleRows(0, down.rows(), 0.0f);
    const fs::path folder = ck.write(fixtures::tmpDir() / "attribution" / "llama-silent-mlp");
    const auto cp = Checkpoint::open(folder);
    const ModelConfig& c = cp->config();
    SafetensorsFile weights(folder / "model.safetensors");
    const std::vector<float> gamma = weights.toFloat(*weights.find("model.norm.weight"));
    const std::vector<float> unembed = weights.toFloat(*weights.find("lm_head.weight"));
    ForwardInput in;
    in.ids = kIds;
    in.keepHiddenStates = true;  // the stream after each block, before the final norm
    const int position = 5, entry = 11;
    const ForwardResult plain = *cp->forward(in);
    const Eigen::RowVectorXd x = plain.hiddenStates.back().row(position).cast<double>();
    const double rms = std::sqrt(x.squaredNorm() / c.hidden + c.normEps);
    const auto shares = attributeLogit(cp->model(), in, {position, entry, std::nullopt});
    for (int h = 0; h < c.heads; ++h) {
        in.ablation = parseHeadAblation("1." + std::to_string(h));
        const Eigen::RowVectorXd removed = x - cp->forward(in)->hiddenStates.back().row(position).cast<double>();
        double expected = 0.0;
        for (int j = 0; j < c.hidden; ++j) expected += unembed[std::size_t(entry * c.hidden + j)] * gamma[std::size_t(j)] * removed[j] / rms;
        QVERIFY2(std::abs(shares->head(1, h) - expected) < 1e-5,
                 qPrintable(QString("head 1.%1: %2 vs %3").arg(h).arg(shares->head(1, h)).arg(expected)));
        QVERIFY(std::abs(expected) > 1e-4);
    }
}

void LogitAttributionTest::distractorIsTargetLessDistractor() {
    const auto cp = Checkpoint::open(fixtures::goldenDir() / "gpt2" / "model");
    ForwardInput in;
    in.ids = kIds;
    const auto t = attributeLogit(cp->model(), in, {2, 40, std::nullopt});
    const auto d = attributeLogit(cp->model(), in, {2, 7, std::nullopt});
    const auto both = attributeLogit(cp->model(), in, {2, 40, 7});
    for (std::size_t i = 0; i < t->heads.size(); ++i) QVERIFY(std::abs(both->heads[i] - (t->heads[i] - d->heads[i])) < 1e-9);
    QVERIFY(std::abs(both->logit - (t->logit - d->logit)) < 1e-6);
    QVERIFY(std::abs(both->total() - both->logit) < 1e-4);
}

// A captioner whose cross-attention output projection is zero reads nothing of its image: its
// cross heads' shares must be exactly zero, and the self-attention heads, MLPs and embedding
// then make the whole logit.
void LogitAttributionTest::crossHeadsAreWhatTheSourceWrites() {
    const auto cp = Checkpoint::open(fixtures::writeCaptioner(fixtures::captionerFromGolden(0.0f), fixtures::tmpDir() / "attribution" / "deaf-captioner"));
    const ForwardInput in = inputFor(*cp);
    const auto a = attributeLogit(cp->model(), in, {2, 5, std::nullopt});
    QVERIFY(a && a->hasCrossHeads());
    for (const double c : a->crossHeads) QCOMPARE(c, 0.0);
    QVERIFY(std::abs(a->total() - a->logit) < 1e-4);
    const auto heard = Checkpoint::open(folderFor(QStringLiteral("vision-encoder-decoder")));
    const auto b = attributeLogit(heard->model(), inputFor(*heard), {2, 5, std::nullopt});
    QVERIFY(std::any_of(b->crossHeads.begin(), b->crossHeads.end(), [](double c) { return std::abs(c) > 1e-3; }));
}

void LogitAttributionTest::refusesWhatItCannotAttribute() {
    const auto gpt2 = Checkpoint::open(fixtures::goldenDir() / "gpt2" / "model");
    ForwardInput in;
    in.ids = kIds;
    QVERIFY(fixtures::errorOf([&] { attributeLogit(gpt2->model(), in, {8, 1, std::nullopt}); }).startsWith("position 8 does not exist"));
    QVERIFY(fixtures::errorOf([&] { attributeLogit(gpt2->model(), in, {0, 1000, std::nullopt}); }).startsWith("entry 1000 is not one"));
    QVERIFY(fixtures::errorOf([&] { attributeLogit(gpt2->model(), in, {0, 1, -1}); }).startsWith("distractor -1"));
    const auto bert = Checkpoint::open(fixtures::goldenDir() / "bert" / "model");  // BertModel: no head
    QVERIFY(fixtures::errorOf([&] { attributeLogit(bert->model(), in, {0, 1, std::nullopt}); }).contains("needs an output head"));
    // An encoder-decoder's positions are its target's.
    const auto t5 = Checkpoint::open(fixtures::writeT5WithLmHead(fixtures::tmpDir() / "attribution" / "t5-refusals"));
    in.decoderIds = {t5->config().decoderStartTokenId, 5};
    QVERIFY(fixtures::errorOf([&] { attributeLogit(t5->model(), in, {2, 1, std::nullopt}); }).startsWith("position 2 does not exist"));
}

// On a random sequence repeated, the model predicts each next letter of the second copy from
// the first through its induction head (layer 1 head 0): the search must find that head alone.
void LogitAttributionTest::flipSearchFindsTheInductionHead() {
    const auto cp = Checkpoint::open("builtin:induction");
    const std::string half = "qzvmxkwjbfhy";
    ForwardInput in;
    in.ids = cp->encode(half + half).ids;
    const int n = static_cast<int>(in.ids.size());
    const int position = n - 4;
    int passes = 0;
    const auto search = findFlippingHeads(cp->model(), in, position, AblationMode::Zero, [&](int p) { passes = p; });
    QVERIFY(search.has_value());
    QCOMPARE(search->before, in.ids[std::size_t(position + 1)]);  // it predicts the repeat
    QVERIFY(search->found());
    QCOMPARE(search->heads.list(), std::string("1.0"));
    QVERIFY(search->after != search->before);
    QCOMPARE(passes, search->forwardPasses);
    qInfo("flip search: %s in %d forward passes", search->heads.list().c_str(), search->forwardPasses);
    // And the largest share of that prediction is the induction head's.
    const auto a = attributeLogit(cp->model(), in, {position, search->before, std::nullopt});
    const auto best = std::max_element(a->heads.begin(), a->heads.end()) - a->heads.begin();
    QCOMPARE(int(best), cp->config().heads);  // layer 1, head 0
}

void LogitAttributionTest::flipSearchOfAnEncoderDecoderNeedsEveryHeadItFound_data() {
    QTest::addColumn<QString>("family");
    for (const char* f : {"t5-lm", "bart"}) QTest::newRow(f) << QString(f);
}

// Its candidates are the decoder's and the cross-attention's heads. Checked by running the
// model again: with the set off the top token changes, and with any one of them back on it
// does not (the search's pruning, seen from outside).
void LogitAttributionTest::flipSearchOfAnEncoderDecoderNeedsEveryHeadItFound() {
    QFETCH(QString, family);
    const auto cp = Checkpoint::open(folderFor(family));
    const ForwardInput in = inputFor(*cp);
    const int position = 3;
    const auto search = findFlippingHeads(cp->model(), in, position);
    QVERIFY(search && search->found());
    QVERIFY(search->heads.heads.empty());  // no encoder head: they have no share to rank
    qInfo("%s: %s in %d passes", qPrintable(family), search->heads.list().c_str(), search->forwardPasses);
    const auto topWith = [&](const HeadAblation& off) {
        ForwardInput run = in;
        run.ablation = off;
        const RowMatrix logits = cp->forward(run)->record.logits;
        Eigen::Index best = 0;
        logits.row(position).maxCoeff(&best);
        return int(best);
    };
    QCOMPARE(topWith({}), search->before);
    QCOMPARE(topWith(search->heads), search->after);
    QVERIFY(search->after != search->before);
    for (const AblatedStack stack : {AblatedStack::Decoder, AblatedStack::Cross})
        for (const auto& [l, h] : search->heads.of(stack)) QCOMPARE(topWith(search->heads.toggled(stack, l, h)), search->before);
}

QTEST_APPLESS_MAIN(LogitAttributionTest)
#include "test_logit_attribution.moc"
