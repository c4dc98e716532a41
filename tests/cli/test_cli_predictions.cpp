// attnscope-cli predict, generate, lens, ablate and attribute: their JSON, their numbers against the golden
// logits and the trained stories260k model, and their one-line errors.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <set>

#include "CliRunner.h"
#include "GoldenFixtures.h"
#include "SequenceClassifierFixtures.h"
#include "SyntheticCheckpoints.h"
#include "analysis/Generation.h"
#include "analysis/Predictions.h"
#include "io/AttentionFile.h"
#include "io/SafetensorsFile.h"
#include "model/Checkpoint.h"

using fixtures::runCli;
namespace fs = std::filesystem;

namespace {

QString golden(const char* family) { return QString::fromStdString((fixtures::goldenDir() / family / "model").string()); }
QString stories() { return QString::fromStdString((fixtures::modelsDir() / "stories260k").string()); }

nlohmann::json jsonOf(const fixtures::CliRun& r) { return nlohmann::json::parse(r.out.toStdString()); }

QString idList(const std::vector<int>& ids) {
    QStringList parts;
    for (int id : ids) parts << QString::number(id);
    return parts.join(',');
}

// A text classifier made from a golden base model (see SequenceClassifierFixtures.h), written
// once per run; `named` false leaves id2label out of config.json.
QString textClassifier(const std::string& family, bool named = true) {
    static std::set<std::string> written;
    const std::string name = family + (named ? "" : "_unnamed");
    const fs::path dir = fixtures::tmpDir() / "cli_sequence_classifiers" / name;
    if (written.insert(name).second) {
        fixtures::ClassifierOptions options;
        if (!named) options.id2label = {};
        fixtures::writeSequenceClassifier(dir, fixtures::classifierLayout(family), options);
    }
    return QString::fromStdString(dir.string());
}

// The golden T5Model with its tied LM head, written once per run.
QString t5WithLmHead() {
    static const fs::path dir = fixtures::writeT5WithLmHead(fixtures::tmpDir() / "cli_t5_lm");
    return QString::fromStdString(dir.string());
}

// softmax of the engine's own logits for `text`, by label id.
std::vector<double> engineProbabilities(const QString& model, const std::string& text) {
    const auto cp = attnscope::Checkpoint::open(model.toStdString());
    const auto enc = cp->encode(text);
    attnscope::ForwardInput in;
    in.ids = enc.ids;
    in.typeIds = enc.typeIds;
    const auto logits = cp->forward(in)->record.logits;
    std::vector<double> p(static_cast<std::size_t>(logits.cols()));
    double total = 0;
    for (std::size_t i = 0; i < p.size(); ++i) total += (p[i] = std::exp(double(logits(0, Eigen::Index(i))) - logits.maxCoeff()));
    for (double& x : p) x /= total;
    return p;
}

}  // namespace

class CliPredictionsTest : public QObject {
    Q_OBJECT
private slots:
    void causalPredictEqualsGoldenSoftmax();
    void maskedPredictAnswersTheMasks();
    void classifierPredictListsLabels();
    void textClassifierPredictListsLabels_data();
    void textClassifierPredictListsLabels();
    void textClassifierWithoutId2labelNumbersItsClasses();
    void textClassifierAttentionFileKeepsOneRowOfLogits();
    void discriminatorPredictLabelsEveryToken();
    void generateReproducesTheStoriesSample();
    void seededGenerationRepeatsAndWritesAttention();
    void encoderDecoderGeneratesItsTarget();
    void lensLastLayerIsThePrediction();
    void ablateShowsPredictionsBeforeAndAfter();
    void attributeSplitsTheLogitAndFindsTheInductionHead();
    void attributeNamesTargetsAndLabels();
    void badArguments_data();
    void badArguments();
};

void CliPredictionsTest::causalPredictEqualsGoldenSoftmax() {
    const auto expected = fixtures::readJson(fixtures::goldenDir() / "gpt2" / "expected.json")["cases"][0];
    const std::vector<int> ids = expected["ids"].get<std::vector<int>>();
    const auto r = runCli({"predict", golden("gpt2"), "--ids", idList(ids), "--top-k", "3"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto j = jsonOf(r);
    QCOMPARE(j["predictions"].size(), ids.size());  // one list per position: the next token's
    attnscope::SafetensorsFile file(fixtures::goldenDir() / "gpt2" / "expected.safetensors");
    const auto* info = file.find("case0.logits");
    const auto logits = file.toFloat(*info);
    const int vocab = static_cast<int>(info->shape.back());
    for (std::size_t pos = 0; pos < ids.size(); ++pos) {
        const auto reference = attnscope::topPredictions(logits.data() + pos * vocab, vocab, 3);
        const auto& list = j["predictions"][pos];
        QCOMPARE(list.size(), std::size_t(3));
        QCOMPARE(list[0]["id"].get<int>(), reference[0].id);
        for (std::size_t k = 0; k < 3; ++k) QVERIFY(std::abs(list[k]["prob"].get<double>() - reference[k].probability) <= 1e-4);
        QVERIFY(list[0]["token"].is_string());
    }
    // --position keeps one list.
    const auto one = runCli({"predict", golden("gpt2"), "--ids", idList(ids), "--position", "2"});
    QCOMPARE(one.exitCode, 0);
    QCOMPARE(jsonOf(one)["predictions"].size(), std::size_t(1));
    QCOMPARE(jsonOf(one)["positions"], nlohmann::json::array({2}));
    QCOMPARE(jsonOf(one)["predictions"][0].size(), std::size_t(5));  // the default top-k
}

void CliPredictionsTest::maskedPredictAnswersTheMasks() {
    const auto r = runCli({"predict", golden("bert_mlm"), "--text", "The [MASK] sat on the [MASK]."});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto j = jsonOf(r);
    QCOMPARE(j["tokens"][2].get<std::string>(), std::string("[MASK]"));
    QCOMPARE(j["positions"], nlohmann::json::array({2, 6}));
    QCOMPARE(j["predictions"].size(), std::size_t(2));
    // Without a mask, every position gets its list.
    const auto all = jsonOf(runCli({"predict", golden("bert_mlm"), "--text", "The cat sat."}));
    QCOMPARE(all["predictions"].size(), all["tokens"].size());
    // --position must name a mask when there are masks.
    const auto wrong = runCli({"predict", golden("bert_mlm"), "--text", "The [MASK] sat.", "--position", "1"});
    QCOMPARE(wrong.exitCode, 3);
    QVERIFY(wrong.err.startsWith("error: ") && wrong.err.contains("not a masked token"));
}

void CliPredictionsTest::classifierPredictListsLabels() {
    const QString image = QString::fromStdString((fixtures::goldenDir() / "vit" / "image0.png").string());
    const auto r = runCli({"predict", golden("vit"), "--image", image, "--top-k", "2"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto j = jsonOf(r);
    QCOMPARE(j["predictions"].size(), std::size_t(1));
    QCOMPARE(j["predictions"][0].size(), std::size_t(2));
    QVERIFY(j["predictions"][0][0]["token"].get<std::string>().starts_with("class_"));  // id2label of the fixture
    QVERIFY(j["predictions"][0][0]["prob"].get<double>() >= j["predictions"][0][1]["prob"].get<double>());
}

void CliPredictionsTest::textClassifierPredictListsLabels_data() {
    QTest::addColumn<QString>("family");
    for (const auto& layout : fixtures::classifierLayouts()) QTest::newRow(layout.family.c_str()) << QString::fromStdString(layout.family);
}

void CliPredictionsTest::textClassifierPredictListsLabels() {
    QFETCH(QString, family);
    const QString model = textClassifier(family.toStdString());
    const std::string text = "The film was a quiet delight.";
    const auto r = runCli({"predict", model, "--text", QString::fromStdString(text)});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto j = jsonOf(r);
    QVERIFY(!j["tokens"].empty());
    QVERIFY(!j.contains("positions"));  // one list for the whole text, as for an image
    QCOMPARE(j["predictions"].size(), std::size_t(1));
    const auto& list = j["predictions"][0];
    QCOMPARE(list.size(), std::size_t(3));  // the default top-5, but there are 3 labels
    const auto expected = engineProbabilities(model, text);
    double total = 0;
    for (std::size_t k = 0; k < list.size(); ++k) {
        const int id = list[k]["id"].get<int>();
        QVERIFY(id >= 0 && id < 3);
        QCOMPARE(list[k]["token"].get<std::string>(), fixtures::threeLabels()[static_cast<std::size_t>(id)]);
        const double prob = list[k]["prob"].get<double>();
        QVERIFY(std::abs(prob - expected[static_cast<std::size_t>(id)]) <= 1e-6);
        if (k > 0) QVERIFY(prob <= list[k - 1]["prob"].get<double>());
        total += prob;
    }
    QVERIFY(std::abs(total - 1.0) <= 1e-5);
    // --top-k cuts the list (--position, which has nothing to choose from, is a bad argument).
    QCOMPARE(jsonOf(runCli({"predict", model, "--text", "fine", "--top-k", "1"}))["predictions"][0].size(), std::size_t(1));
}

void CliPredictionsTest::textClassifierWithoutId2labelNumbersItsClasses() {
    const auto r = runCli({"predict", textClassifier("roberta", false), "--text", "So so."});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto j = jsonOf(r);
    const auto& list = j["predictions"][0];
    QCOMPARE(list.size(), std::size_t(3));
    for (const auto& p : list) QCOMPARE(p["token"].get<std::string>(), "class " + std::to_string(p["id"].get<int>()));
}

void CliPredictionsTest::textClassifierAttentionFileKeepsOneRowOfLogits() {
    QTemporaryDir tmp;
    const QString out = tmp.filePath("cls.safetensors");
    const auto r = runCli({"attention", textClassifier("bert"), "--text", "Good.", "--out", out});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    attnscope::SafetensorsFile file(out.toStdString());
    const auto* logits = file.find("logits");
    QVERIFY(logits);
    QCOMPARE(logits->shape, (std::vector<std::int64_t>{3}));  // [labels], as for an image classifier
}

// ElectraForPreTraining (golden BERT's encoder under ELECTRA's names, with a discriminator
// head): one list per token, "original" and "replaced", whose probabilities sum to 1.
void CliPredictionsTest::discriminatorPredictLabelsEveryToken() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "electra";
    fixtures::writeElectraDiscriminator(fixtures::goldenDir() / "bert" / "model", dir);

    const auto r = runCli({"predict", QString::fromStdString(dir.string()), "--text", "The cat sat on the mat."});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto j = jsonOf(r);
    QCOMPARE(j["positions"].size(), j["tokens"].size());
    QCOMPARE(j["predictions"].size(), j["tokens"].size());
    for (const auto& list : j["predictions"]) {
        QCOMPARE(list.size(), std::size_t(2));
        std::set<std::string> names;
        for (const auto& p : list) names.insert(p["token"].get<std::string>());
        QCOMPARE(names, (std::set<std::string>{"original", "replaced"}));
        QVERIFY(std::abs(list[0]["prob"].get<double>() + list[1]["prob"].get<double>() - 1.0) < 1e-5);
    }
    const auto lens = runCli({"lens", QString::fromStdString(dir.string()), "--text", "The cat."});
    QCOMPARE(lens.exitCode, 3);
    QVERIFY2(lens.err.contains("labels each token"), lens.err.constData());
}

void CliPredictionsTest::generateReproducesTheStoriesSample() {
    const auto r = runCli({"generate", stories(), "--ids", "1", "--max-new-tokens", "40"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto j = jsonOf(r);
    QVERIFY2(j["text"].get<std::string>().starts_with(fixtures::kStoriesSample), j["text"].get<std::string>().c_str());
    QCOMPARE(j["ids"][0].get<int>(), 1);
    QCOMPARE(j["new_ids"].size() + 1, j["ids"].size());
    QCOMPARE(j["new_ids"].size(), std::size_t(40));
}

void CliPredictionsTest::seededGenerationRepeatsAndWritesAttention() {
    QTemporaryDir tmp;
    const QStringList args{"generate", stories(), "--text", "Tom and his dog", "--max-new-tokens", "20", "--temperature", "0.9",
                           "--top-k", "40", "--top-p", "0.95", "--seed", "7"};
    const auto a = runCli(args + QStringList{"--out", tmp.filePath("gen.safetensors")});
    const auto b = runCli(args);
    QVERIFY2(a.exitCode == 0, a.err.constData());
    QCOMPARE(jsonOf(a)["ids"], jsonOf(b)["ids"]);
    const auto other = runCli(QStringList(args.mid(0, args.size() - 1)) << "8");
    QVERIFY(jsonOf(other)["ids"] != jsonOf(a)["ids"]);
    // --out: the whole final sequence's attention, as `attention` writes it for these ids.
    const std::vector<int> ids = jsonOf(a)["ids"].get<std::vector<int>>();
    const auto att = runCli({"attention", stories(), "--ids", idList(ids), "--out", tmp.filePath("att.safetensors")});
    QCOMPARE(att.exitCode, 0);
    attnscope::SafetensorsFile gen(tmp.filePath("gen.safetensors").toStdString()), ref(tmp.filePath("att.safetensors").toStdString());
    const auto* g = gen.find("attentions");
    QVERIFY(g);
    QCOMPARE(g->shape, (std::vector<std::int64_t>{5, 8, std::int64_t(ids.size()), std::int64_t(ids.size())}));
    QCOMPARE(gen.toFloat(*g), ref.toFloat(*ref.find("attentions")));
    QCOMPARE(gen.metadata().at("tokens"), ref.metadata().at("tokens"));
}

// generate on an encoder-decoder: the target for the source, the engine's greedy tokens; a
// given target is continued; --out holds all three stacks over the final target.
void CliPredictionsTest::encoderDecoderGeneratesItsTarget() {
    const QString t5 = t5WithLmHead();
    const auto cp = attnscope::Checkpoint::open(t5.toStdString());
    const std::vector<int> source = cp->encode("The cat sat on the mat.").ids;
    const auto expected = attnscope::generate(cp->model(), attnscope::GenerationPrompt{{0}, source, {}}, {}, 6,
                                              attnscope::endOfSequenceIds(cp->config()));
    QTemporaryDir tmp;
    const auto r = runCli({"generate", t5, "--text", "The cat sat on the mat.", "--max-new-tokens", "6", "--out", tmp.filePath("t5.safetensors")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto j = jsonOf(r);
    QCOMPARE(j["source_ids"].get<std::vector<int>>(), source);
    QCOMPARE(j["ids"].get<std::vector<int>>(), expected.ids);
    QCOMPARE(j["ids"][0].get<int>(), 0);  // the decoder start token (T5's pad)
    QCOMPARE(j["new_ids"].size() + 1, j["ids"].size());
    const attnscope::AttentionRecord file = attnscope::readAttentionFile(tmp.filePath("t5.safetensors").toStdString());
    const attnscope::NamedStack* cross = file.find("cross");
    QVERIFY(cross && file.find("encoder") && file.find("decoder"));
    QCOMPARE(cross->attention.queries, int(expected.ids.size()));
    QCOMPARE(cross->attention.keys, int(source.size()));

    // A target typed first is where the decoder starts: its tokens (without </s>) follow the start.
    const auto typed = runCli({"generate", t5, "--text", "The cat sat on the mat.", "--target", "Die Katze", "--max-new-tokens", "2"});
    QVERIFY2(typed.exitCode == 0, typed.err.constData());
    std::vector<int> start{0};
    for (int id : cp->encode("Die Katze").ids)
        if (id != 1) start.push_back(id);
    const auto ids = jsonOf(typed)["ids"].get<std::vector<int>>();
    QCOMPARE(std::vector<int>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(start.size())), start);
    QCOMPARE(ids.size(), start.size() + 2);

    // The checkpoint's generation_config.json rules what is picked, as transformers' generate.
    const fs::path ruled = fixtures::writeT5WithLmHead(fs::path(tmp.path().toStdString()) / "t5-ruled");
    std::ofstream(ruled / "generation_config.json") << R"({"decoder_start_token_id": 0, "forced_bos_token_id": 42, "forced_eos_token_id": 1})";
    const auto forced = runCli({"generate", QString::fromStdString(ruled.string()), "--text", "The cat sat.", "--max-new-tokens", "3"});
    QVERIFY2(forced.exitCode == 0, forced.err.constData());
    const auto forcedIds = jsonOf(forced)["ids"].get<std::vector<int>>();
    QCOMPARE(forcedIds.size(), std::size_t{4});
    QCOMPARE(forcedIds[1], 42);
    QCOMPARE(forcedIds[3], 1);
}

void CliPredictionsTest::lensLastLayerIsThePrediction() {
    const QStringList input{stories(), "--text", "Tom and his dog went to the park."};
    const auto lens = runCli(QStringList{"lens"} + input + QStringList{"--top-k", "1"});
    const auto predict = runCli(QStringList{"predict"} + input + QStringList{"--top-k", "1"});
    QVERIFY2(lens.exitCode == 0, lens.err.constData());
    const auto l = jsonOf(lens), p = jsonOf(predict);
    QCOMPARE(l["layers"].size(), std::size_t(5));
    const auto& last = l["layers"].back();
    QCOMPARE(last.size(), p["predictions"].size());
    for (std::size_t pos = 0; pos < last.size(); ++pos) {
        QCOMPARE(last[pos][0]["id"], p["predictions"][pos][0]["id"]);
        QVERIFY(std::abs(last[pos][0]["prob"].get<double>() - p["predictions"][pos][0]["prob"].get<double>()) <= 1e-5);
    }
}

// Switching off the induction model's induction head (1.0): "before" is predict's list, and
// the repeated letter it predicted loses most of its probability; mean ablation runs too.
void CliPredictionsTest::ablateShowsPredictionsBeforeAndAfter() {
    const QStringList input{"builtin:induction", "--text", "qzvmxkwjqzvmxkwj", "--position", "12", "--top-k", "3"};
    const auto r = runCli(QStringList{"ablate"} + input + QStringList{"--heads", "1.0"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto predict = jsonOf(runCli(QStringList{"predict"} + input));
    const auto a = jsonOf(r);
    QCOMPARE(a["heads"], nlohmann::json::array({"1.0"}));
    QCOMPARE(a["ablated"].get<std::string>(), std::string("head 1.0 off (zero)"));
    QCOMPARE(a["positions"], nlohmann::json::array({12}));
    const auto& at = a["predictions"][0];
    QCOMPARE(at["before"], predict["predictions"][0]);
    QCOMPARE(at["before"][0]["token"].get<std::string>(), std::string("x"));  // the letter after "m" in the first half
    QVERIFY(at["after"][0]["token"] != at["before"][0]["token"]);
    const auto& changed = at["tokens"][0];
    QCOMPARE(changed["token"].get<std::string>(), std::string("x"));
    QVERIFY(changed["change"].get<double>() < -0.5);
    QVERIFY(std::abs(changed["before"].get<double>() - at["before"][0]["prob"].get<double>()) < 1e-7);
    const auto mean = runCli(QStringList{"ablate"} + input + QStringList{"--heads", "1.0,0.1", "--mode", "mean"});
    QVERIFY2(mean.exitCode == 0, mean.err.constData());
    QCOMPARE(jsonOf(mean)["ablated"].get<std::string>(), std::string("heads 0.1, 1.0 off (mean)"));

    // An encoder-decoder: its target's predictions, with heads of any of its stacks off. With
    // every cross-attention head off the decoder reads nothing of the source, so two sources
    // give the same predictions.
    QString allCross;
    for (int l = 0; l < 2; ++l)
        for (int h = 0; h < 4; ++h) allCross += QStringLiteral("%1cross:%2.%3").arg(allCross.isEmpty() ? "" : ",").arg(l).arg(h);
    const auto deaf = [&](const char* source) {
        const auto run = runCli({"ablate", t5WithLmHead(), "--text", source, "--target", "Das Haus", "--heads", allCross, "--top-k", "3"});
        if (run.exitCode != 0) qWarning() << run.err;
        return jsonOf(run);
    };
    const auto one = deaf("The house is small."), other = deaf("A cat.");
    QCOMPARE(one["heads"].size(), std::size_t(8));
    QCOMPARE(one["heads"][0].get<std::string>(), std::string("cross:0.0"));
    QCOMPARE(one["tokens"], other["tokens"]);  // the target's tokens
    QVERIFY(one["predictions"][0]["before"] != other["predictions"][0]["before"]);
    QCOMPARE(one["predictions"][0]["after"], other["predictions"][0]["after"]);
    const auto lacking = runCli({"ablate", t5WithLmHead(), "--text", "hi", "--heads", "decoder:2.0"});
    QCOMPARE(lacking.exitCode, 3);
    QVERIFY2(lacking.err.contains("head decoder:2.0: the decoder has 2 layers"), lacking.err.constData());
}

// The induction model's prediction of the repeated letter: the shares add up to the logit, the
// induction head (1.0) has the largest, and --flip finds that head alone.
void CliPredictionsTest::attributeSplitsTheLogitAndFindsTheInductionHead() {
    const auto r = runCli({"attribute", "builtin:induction", "--text", "qzvmxkwjqzvmxkwj", "--position", "12", "--flip"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto a = jsonOf(r);
    QCOMPARE(a["position"].get<int>(), 12);
    QCOMPARE(a["target"]["token"].get<std::string>(), std::string("x"));  // the top prediction by default
    QVERIFY(a["distractor"].is_null());
    double sum = a["embedding"].get<double>() + a["biases"].get<double>();
    for (const auto& m : a["mlp"]) sum += m.get<double>();
    double best = -1e9;
    std::string bestHead;
    for (std::size_t l = 0; l < a["heads"].size(); ++l)
        for (std::size_t h = 0; h < a["heads"][l].size(); ++h) {
            const double share = a["heads"][l][h].get<double>();
            sum += share;
            if (share > best) best = share, bestHead = std::to_string(l) + "." + std::to_string(h);
        }
    QVERIFY(std::abs(sum - a["logit"].get<double>()) < 1e-4);
    QVERIFY(std::abs(a["sum"].get<double>() - a["logit"].get<double>()) < 1e-4);
    QCOMPARE(bestHead, std::string("1.0"));
    QCOMPARE(a["flip"]["heads"], nlohmann::json::array({"1.0"}));
    QCOMPARE(a["flip"]["before"]["token"].get<std::string>(), std::string("x"));
    QVERIFY(a["flip"]["after"]["token"] != a["flip"]["before"]["token"]);
}

// A target and distractor by spelling or #id: the shares are the target's less the
// distractor's; a classifier's by label; a text of several tokens is refused in one line.
void CliPredictionsTest::attributeNamesTargetsAndLabels() {
    const QStringList input{"attribute", "builtin:induction", "--text", "qzvmxkwjqzvmxkwj", "--position", "12"};
    const auto x = jsonOf(runCli(input + QStringList{"--target", "x"}));
    const auto k = jsonOf(runCli(input + QStringList{"--target", "k"}));
    const int kId = k["target"]["id"].get<int>();
    const auto both = jsonOf(runCli(input + QStringList{"--target", "x", "--distractor", "#" + QString::number(kId)}));
    QCOMPARE(both["distractor"]["token"].get<std::string>(), std::string("k"));
    QVERIFY(std::abs(both["logit"].get<double>() - (x["logit"].get<double>() - k["logit"].get<double>())) < 1e-5);
    QVERIFY(std::abs(both["heads"][1][0].get<double>() - (x["heads"][1][0].get<double>() - k["heads"][1][0].get<double>())) < 1e-6);
    const auto several = runCli(input + QStringList{"--target", "xk"});
    QCOMPARE(several.exitCode, 3);
    QVERIFY2(several.err.contains("is not one token of the vocabulary"), several.err.constData());
    QCOMPARE(several.err.count('\n'), 1);
    const auto labelled = runCli({"attribute", textClassifier("bert"), "--text", "a fine day", "--target", "positive", "--distractor", "negative"});
    QVERIFY2(labelled.exitCode == 0, labelled.err.constData());
    const auto l = jsonOf(labelled);
    QCOMPARE(l["target"]["id"].get<int>(), 2);
    QVERIFY(!l.contains("position"));
    QVERIFY(std::abs(l["sum"].get<double>() - l["logit"].get<double>()) < 1e-4);
    const auto unknown = runCli({"attribute", textClassifier("bert"), "--text", "a fine day", "--target", "happy"});
    QCOMPARE(unknown.exitCode, 3);
    QVERIFY2(unknown.err.contains("negative, neutral, positive"), unknown.err.constData());

    // An encoder-decoder: the logit at a target position (--decoder-ids; the last by default),
    // its decoder's heads and, apart, its cross-attention heads, which carry the source in.
    const auto t5 = runCli({"attribute", t5WithLmHead(), "--text", "The cat sat.", "--decoder-ids", "0,37,9", "--flip"});
    QVERIFY2(t5.exitCode == 0, t5.err.constData());
    const auto t = jsonOf(t5);
    QCOMPARE(t["position"].get<int>(), 2);
    QCOMPARE(t["tokens"].size(), std::size_t(3));
    QVERIFY(t["source_tokens"].size() > 3);
    QCOMPARE(t["cross_heads"].size(), t["heads"].size());
    QCOMPARE(t["cross_heads"][0].size(), t["heads"][0].size());
    QVERIFY(std::abs(t["sum"].get<double>() - t["logit"].get<double>()) < 1e-4);
    double cross = 0.0;
    for (const auto& row : t["cross_heads"])
        for (const auto& v : row) cross += std::abs(v.get<double>());
    QVERIFY(cross > 1e-3);
    // --flip's heads are the decoder's and cross-attention's, spelled as --heads takes them.
    QVERIFY(!t["flip"]["heads"].empty());
    for (const auto& head : t["flip"]["heads"]) {
        const std::string name = head.get<std::string>();
        QVERIFY2(name.starts_with("decoder:") || name.starts_with("cross:"), name.c_str());
    }
}

void CliPredictionsTest::badArguments_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    const QString s = stories();
    QTest::newRow("top-k 0") << QStringList{"predict", s, "--text", "hi", "--top-k", "0"} << 2 << "--top-k";
    QTest::newRow("top-k text") << QStringList{"lens", s, "--text", "hi", "--top-k", "many"} << 2 << "--top-k";
    QTest::newRow("negative temperature") << QStringList{"generate", s, "--text", "hi", "--max-new-tokens", "3", "--temperature", "-1"}
                                          << 2 << "--temperature";
    QTest::newRow("top-p above 1") << QStringList{"generate", s, "--text", "hi", "--max-new-tokens", "3", "--top-p", "1.5"} << 2
                                   << "--top-p";
    QTest::newRow("no max-new-tokens") << QStringList{"generate", s, "--text", "hi"} << 2 << "--max-new-tokens";
    QTest::newRow("max-new-tokens 0") << QStringList{"generate", s, "--text", "hi", "--max-new-tokens", "0"} << 2 << "--max-new-tokens";
    QTest::newRow("position out of range") << QStringList{"predict", s, "--text", "hi", "--position", "99"} << 3 << "--position 99";
    QTest::newRow("negative position") << QStringList{"predict", s, "--text", "hi", "--position", "-1"} << 2 << "--position";
    QTest::newRow("no input") << QStringList{"predict", s} << 2 << "--text";
    QTest::newRow("generate without LM head") << QStringList{"generate", golden("bert"), "--text", "hi", "--max-new-tokens", "3"} << 3
                                              << "causal language model";
    QTest::newRow("generate from a masked LM") << QStringList{"generate", golden("bert_mlm"), "--text", "hi", "--max-new-tokens", "3"}
                                               << 3 << "causal language model";
    QTest::newRow("generate from T5Model") << QStringList{"generate", golden("t5"), "--text", "hi", "--max-new-tokens", "3"} << 3
                                           << "has no LM head";
    QTest::newRow("target for a decoder") << QStringList{"generate", s, "--text", "hi", "--target", "yo", "--max-new-tokens", "3"} << 2
                                          << "encoder-decoder";
    QTest::newRow("predict without head") << QStringList{"predict", golden("bert"), "--text", "hi"} << 3 << "no output head";
    QTest::newRow("lens of a vision model") << QStringList{"lens", golden("vit"), "--ids", "1"} << 2 << "language models";
    QTest::newRow("temperature for predict") << QStringList{"predict", s, "--text", "hi", "--temperature", "1"} << 2 << "only for generate";
    QTest::newRow("position for lens") << QStringList{"lens", s, "--text", "hi", "--position", "1"} << 2 << "only for predict";
    QTest::newRow("top-k for attention") << QStringList{"attention", s, "--text", "hi", "--top-k", "3", "--out", "x"} << 2 << "--top-k";
    QTest::newRow("out for predict") << QStringList{"predict", s, "--text", "hi", "--out", "x"} << 2 << "--out";
    QTest::newRow("ablate without heads") << QStringList{"ablate", s, "--text", "hi"} << 2 << "needs --heads";
    QTest::newRow("ablate a malformed head") << QStringList{"ablate", s, "--text", "hi", "--heads", "1,2"} << 2 << "is not layer.head";
    QTest::newRow("ablate a head the model lacks") << QStringList{"ablate", s, "--text", "hi", "--heads", "0.99"} << 3 << "head 0.99";
    QTest::newRow("ablate with a bad mode") << QStringList{"ablate", s, "--text", "hi", "--heads", "0.0", "--mode", "soft"} << 2
                                            << "not zero or mean";
    QTest::newRow("attribute without head") << QStringList{"attribute", golden("bert"), "--text", "hi"} << 3 << "no output head";
    QTest::newRow("attribute mode without flip") << QStringList{"attribute", s, "--text", "hi", "--mode", "mean"} << 2 << "give --flip";
    QTest::newRow("attribute out of range") << QStringList{"attribute", s, "--text", "hi", "--target", "#99999"} << 3 << "outputs";
    QTest::newRow("distractor for predict") << QStringList{"predict", s, "--text", "hi", "--distractor", "a"} << 2 << "only for attribute";
    QTest::newRow("heads for predict") << QStringList{"predict", s, "--text", "hi", "--heads", "0.0"} << 2 << "only for render, ablate";
    const QString gpt2Classifier = textClassifier("gpt2"), bertClassifier = textClassifier("bert");
    QTest::newRow("generate from a text classifier")
        << QStringList{"generate", gpt2Classifier, "--text", "hi", "--max-new-tokens", "3"} << 3 << "text classifier";
    QTest::newRow("lens of a decoder classifier") << QStringList{"lens", gpt2Classifier, "--text", "hi"} << 3 << "text classifier";
    QTest::newRow("lens of an encoder classifier") << QStringList{"lens", bertClassifier, "--text", "hi"} << 3 << "text classifier";
    QTest::newRow("position for a text classifier") << QStringList{"predict", bertClassifier, "--text", "hi", "--position", "0"} << 2
                                                    << "--position";
}

void CliPredictionsTest::badArguments() {
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const auto r = runCli(args);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.startsWith("error: "), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(CliPredictionsTest)
#include "test_cli_predictions.moc"
