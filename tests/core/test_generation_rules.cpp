// The generation config's logit rules (forced tokens, banned words and repeats, minimum
// lengths, repetition penalty), each as transformers' logits processors apply it, read from
// generation_config.json or config.json, and applied by generate() to what it picks.
#include <QtTest>

#include <cmath>
#include <fstream>
#include <limits>

#include "Error.h"
#include "GoldenFixtures.h"
#include "analysis/Generation.h"
#include "analysis/GenerationRules.h"
#include "model/Checkpoint.h"

using namespace attnscope;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<float> applied(const GenerationRules& r, std::vector<float> logits, const std::vector<int>& ids, int prompt, bool last = false) {
    r.apply(logits, ids, prompt, last);
    return logits;
}

bool banned(const std::vector<float>& logits, int id) { return logits[static_cast<std::size_t>(id)] == -kInf; }

int countBanned(const std::vector<float>& logits) { return static_cast<int>(std::count(logits.begin(), logits.end(), -kInf)); }

}  // namespace

class GenerationRulesTest : public QObject {
    Q_OBJECT
private slots:
    void readsEveryKey();
    void malformedValuesNameTheirKey_data();
    void malformedValuesNameTheirKey();
    void repetitionPenaltyDividesOrMultiplies();
    void noRepeatNgramBansTheCompletingToken();
    void badWordsAreBannedAfterTheirPrefix();
    void minimumLengthsHoldBackTheEnd();
    void forcedTokensAndSuppression();
    void generationConfigFileComesFirst();
    void generatePicksByTheRules();
};

void GenerationRulesTest::readsEveryKey() {
    const GenerationRules r = GenerationRules::fromJson(
        json{{"forced_bos_token_id", 0}, {"forced_eos_token_id", {2, 3}}, {"bad_words_ids", {{58100}, {4, 5}}},
             {"suppress_tokens", {7, 8}}, {"begin_suppress_tokens", 9}, {"eos_token_id", 2}, {"min_length", 3}, {"min_new_tokens", 1},
             {"no_repeat_ngram_size", 3}, {"repetition_penalty", 1.2}, {"num_beams", 4}},
        "generation_config.json");
    QCOMPARE(r.forcedBos, std::optional<int>(0));
    QCOMPARE(r.forcedEos, std::optional<int>(2));
    QCOMPARE(r.badWords, (std::vector<std::vector<int>>{{58100}, {4, 5}}));
    QCOMPARE(r.suppressed, (std::vector<int>{7, 8}));
    QCOMPARE(r.suppressedFirst, std::vector<int>{9});
    QCOMPARE(r.endOfSequence, std::vector<int>{2});
    QCOMPARE(r.minLength, 3);
    QCOMPARE(r.minNewTokens, 1);
    QCOMPARE(r.noRepeatNgramSize, 3);
    QCOMPARE(r.repetitionPenalty, 1.2f);
    QVERIFY(!r.empty());
    QVERIFY(GenerationRules::fromJson(json{{"bos_token_id", 1}, {"eos_token_id", 2}, {"forced_eos_token_id", nullptr}}, "x").empty());
}

void GenerationRulesTest::malformedValuesNameTheirKey_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("key");
    QTest::newRow("forced bos text") << R"({"forced_bos_token_id": "a"})" << "forced_bos_token_id";
    QTest::newRow("bad words flat") << R"({"bad_words_ids": [1, 2]})" << "bad_words_ids";
    QTest::newRow("bad words empty word") << R"({"bad_words_ids": [[]]})" << "bad_words_ids";
    QTest::newRow("suppress text") << R"({"suppress_tokens": ["a"]})" << "suppress_tokens";
    QTest::newRow("negative min length") << R"({"min_length": -1})" << "min_length";
    QTest::newRow("zero penalty") << R"({"repetition_penalty": 0})" << "repetition_penalty";
}

void GenerationRulesTest::malformedValuesNameTheirKey() {
    QFETCH(QString, config);
    QFETCH(QString, key);
    try {
        GenerationRules::fromJson(json::parse(config.toStdString()), "generation_config.json");
        QFAIL("accepted");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains(key) && QString(e.what()).contains("generation_config.json"), e.what());
    }
}

// Seen tokens: a positive logit divided by the penalty, a negative one multiplied.
void GenerationRulesTest::repetitionPenaltyDividesOrMultiplies() {
    GenerationRules r;
    r.repetitionPenalty = 2.0f;
    QCOMPARE(applied(r, {2.0f, -2.0f, 1.0f}, {0, 1, 1}, 3), (std::vector<float>{1.0f, -4.0f, 1.0f}));
}

void GenerationRulesTest::noRepeatNgramBansTheCompletingToken() {
    GenerationRules r;
    r.noRepeatNgramSize = 2;
    // After ... 5: the bigrams (5, 6) and (5, 8) were seen, so 6 and 8 would repeat one.
    const auto l = applied(r, std::vector<float>(10, 0.0f), {5, 6, 7, 5, 8, 5}, 1);
    QVERIFY(banned(l, 6) && banned(l, 8));
    QCOMPARE(countBanned(l), 2);
    r.noRepeatNgramSize = 3;  // (7, 5) was followed by 8
    const auto tri = applied(r, std::vector<float>(10, 0.0f), {5, 6, 7, 5, 8, 7, 5}, 1);
    QVERIFY(banned(tri, 8));
    QCOMPARE(countBanned(tri), 1);
}

void GenerationRulesTest::badWordsAreBannedAfterTheirPrefix() {
    GenerationRules r;
    r.badWords = {{3}, {4, 9}};
    const auto after4 = applied(r, std::vector<float>(10, 0.0f), {1, 4}, 1);
    QVERIFY(banned(after4, 3) && banned(after4, 9));
    const auto other = applied(r, std::vector<float>(10, 0.0f), {1, 5}, 1);
    QVERIFY(banned(other, 3) && !banned(other, 9));
}

void GenerationRulesTest::minimumLengthsHoldBackTheEnd() {
    GenerationRules r;
    r.endOfSequence = {2};
    r.minLength = 4;
    QVERIFY(banned(applied(r, std::vector<float>(5, 0.0f), {0, 1, 3}, 1), 2));
    QVERIFY(!banned(applied(r, std::vector<float>(5, 0.0f), {0, 1, 3, 4}, 1), 2));
    r.minLength = 0;
    r.minNewTokens = 2;
    QVERIFY(banned(applied(r, std::vector<float>(5, 0.0f), {0, 1, 3, 4}, 3), 2));  // one new token so far
    QVERIFY(!banned(applied(r, std::vector<float>(5, 0.0f), {0, 1, 3, 4, 4}, 3), 2));
}

void GenerationRulesTest::forcedTokensAndSuppression() {
    GenerationRules r;
    r.forcedBos = 3;
    r.forcedEos = 2;
    const auto first = applied(r, std::vector<float>(6, 1.0f), {0}, 1);
    QCOMPARE(first, (std::vector<float>{-kInf, -kInf, -kInf, 0.0f, -kInf, -kInf}));
    QCOMPARE(applied(r, std::vector<float>(6, 1.0f), {0, 3}, 1), std::vector<float>(6, 1.0f));  // nothing forced mid-run
    QCOMPARE(applied(r, std::vector<float>(6, 1.0f), {0, 3}, 1, true), (std::vector<float>{-kInf, -kInf, 0.0f, -kInf, -kInf, -kInf}));
    GenerationRules s;
    s.suppressed = {4};
    s.suppressedFirst = {5};
    const auto firstNew = applied(s, std::vector<float>(6, 1.0f), {0, 1}, 2);
    QVERIFY(banned(firstNew, 4) && banned(firstNew, 5));
    const auto later = applied(s, std::vector<float>(6, 1.0f), {0, 1, 3}, 2);
    QVERIFY(banned(later, 4) && !banned(later, 5));
    // Out-of-vocabulary ids in a config are ignored, not written past the logits.
    s.suppressed = {99, -1};
    QCOMPARE(countBanned(applied(s, std::vector<float>(6, 1.0f), {0, 1, 3}, 2)), 0);
}

void GenerationRulesTest::generationConfigFileComesFirst() {
    QTemporaryDir tmp;
    const fs::path dir(tmp.path().toStdString());
    const json config{{"forced_eos_token_id", 2}, {"no_repeat_ngram_size", 3}};
    QCOMPARE(GenerationRules::forModel(dir, config).forcedEos, std::optional<int>(2));  // no file: config.json's keys
    std::ofstream(dir / "generation_config.json") << R"({"forced_bos_token_id": 7})";
    const GenerationRules r = GenerationRules::forModel(dir, config);
    QCOMPARE(r.forcedBos, std::optional<int>(7));
    QVERIFY(!r.forcedEos);  // the file replaces config.json's keys, as in transformers
    QCOMPARE(r.noRepeatNgramSize, 0);
    std::ofstream(dir / "generation_config.json") << "{not json";
    QVERIFY_THROWS_EXCEPTION(Error, GenerationRules::forModel(dir, config));
}

// generate() picks by the rules: a forced first token, a suppressed greedy pick, and the end
// token forced as the budget's last.
void GenerationRulesTest::generatePicksByTheRules() {
    QTemporaryDir tmp;
    const auto cp = Checkpoint::open(fixtures::writeT5WithLmHead(fs::path(tmp.path().toStdString()) / "t5"));
    const GenerationPrompt prompt{{0}, cp->encode("The cat sat on the mat.").ids, {}};
    const auto free = generate(cp->model(), prompt, SamplingSettings{}, 5, {});
    GenerationRules forced;
    forced.forcedBos = 42;
    forced.forcedEos = 1;
    const auto ruled = generate(cp->model(), prompt, SamplingSettings{}, 5, {}, {}, nullptr, forced);
    QCOMPARE(ruled.ids.size(), std::size_t{6});
    QCOMPARE(ruled.ids[1], 42);
    QCOMPARE(ruled.ids.back(), 1);
    GenerationRules suppress;
    suppress.suppressed = {free.ids[1]};
    const auto other = generate(cp->model(), prompt, SamplingSettings{}, 5, {}, {}, nullptr, suppress);
    QVERIFY(std::find(other.ids.begin() + 1, other.ids.end(), free.ids[1]) == other.ids.end());
}

QTEST_APPLESS_MAIN(GenerationRulesTest)
#include "test_generation_rules.moc"
