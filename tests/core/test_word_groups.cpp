// Words, not pieces: word boundaries from each vocabulary's spelling, and a matrix regrouped
// so that a word receives the sum of its pieces' attention and attends with their mean,
// before any hard rule.
#include <QtTest>

#include <numeric>

#include "Error.h"
#include "analysis/AttentionQuery.h"
#include "analysis/WordGroups.h"

using namespace attnscope;

namespace {

const std::string kSp = "\xE2\x96\x81";  // ▁
const std::string kBl = "\xC4\xA0";      // Ġ

AttentionStack oneHead(int queries, int keys, const std::vector<float>& values) {
    AttentionStack s;
    s.resize(1, 1, queries, keys);
    std::copy(values.begin(), values.end(), s.map(0, 0));
    return s;
}

}  // namespace

class WordGroupsTest : public QObject {
    Q_OBJECT
private slots:
    void sentencePieceWordsStartAtTheMarker();
    void byteLevelWordsStartAtTheSpace();
    void wordPieceContinuesAtHashes();
    void withoutMarkersEveryTokenIsAWord();
    void keysSumAndQueriesAverage();
    void hardRuleKeepsWords();
    void groupsMustCoverTheTokens();
};

void WordGroupsTest::sentencePieceWordsStartAtTheMarker() {
    const std::vector<std::string> names{kSp + "The", kSp + "ca", "t", ".", kSp, "<unk>", "</s>"};
    const std::vector<bool> special{false, false, false, false, false, true, true};
    const std::vector<int> words = wordsOfTokens(names, special);
    QCOMPARE(words, (std::vector<int>{0, 1, 1, 1, 2, 3, 4}));
    QCOMPARE(wordTexts(names, words), (std::vector<std::string>{"The", "cat.", kSp, "<unk>", "</s>"}));
}

void WordGroupsTest::byteLevelWordsStartAtTheSpace() {
    // GPT-2 spells the first word without a space; a token after a special one starts a word.
    const std::vector<std::string> names{"<s>", "Un", "believ", "able", kBl + "cat", kBl + "s", "at", "</s>"};
    const std::vector<bool> special{true, false, false, false, false, false, false, true};
    const std::vector<int> words = wordsOfTokens(names, special);
    QCOMPARE(words, (std::vector<int>{0, 1, 1, 1, 2, 3, 3, 4}));
    QCOMPARE(wordTexts(names, words)[1], std::string("Unbelievable"));
    QCOMPARE(wordTexts(names, words)[3], std::string("sat"));
}

void WordGroupsTest::wordPieceContinuesAtHashes() {
    const std::vector<std::string> names{"[CLS]", "the", "un", "##bel", "##ievable", "cat", ".", "[SEP]"};
    const std::vector<bool> special{true, false, false, false, false, false, false, true};
    const std::vector<int> words = wordsOfTokens(names, special);
    QCOMPARE(words, (std::vector<int>{0, 1, 2, 2, 2, 3, 4, 5}));
    QCOMPARE(wordTexts(names, words)[2], std::string("unbelievable"));
}

void WordGroupsTest::withoutMarkersEveryTokenIsAWord() {
    QCOMPARE(wordsOfTokens({"a", "b", "c"}, {}), (std::vector<int>{0, 1, 2}));
    QCOMPARE(wordsOfTokens({}, {}), std::vector<int>{});
}

// Queries [q0 | q1 q2] as words A, B; keys [k0 k1 | k2] as words X, Y.
void WordGroupsTest::keysSumAndQueriesAverage() {
    const AttentionStack s = oneHead(3, 3, {0.1f, 0.2f, 0.7f,  //
                                            0.5f, 0.3f, 0.2f,  //
                                            0.3f, 0.3f, 0.4f});
    AttentionQuery q;
    q.words = true;
    const TokenWords words{{0, 1, 1}, {0, 0, 1}};
    const AttentionMatrix m = computeAttentionMatrix(s, q, {}, &words);
    QCOMPARE(m.rows, 2);
    QCOMPARE(m.cols, 2);
    QCOMPARE(m.rowTokens, (std::vector<int>{0, 1}));
    QCOMPARE(m.colTokens, (std::vector<int>{0, 2}));
    const std::vector<float> expected{0.3f, 0.7f, (0.8f + 0.6f) / 2, (0.2f + 0.4f) / 2};
    for (std::size_t i = 0; i < expected.size(); ++i) QVERIFY(std::abs(m.values[i] - expected[i]) < 1e-6f);
    for (int r = 0; r < m.rows; ++r) QVERIFY(std::abs(m.at(r, 0) + m.at(r, 1) - 1.0f) < 1e-6f);
    // Without the switch, or without words, tokens as before.
    q.words = false;
    QCOMPARE(computeAttentionMatrix(s, q, {}, &words).cols, 3);
    q.words = true;
    QCOMPARE(computeAttentionMatrix(s, q).cols, 3);
}

// A word made of two middling pieces outweighs one strong piece: top-1 keeps the word.
void WordGroupsTest::hardRuleKeepsWords() {
    const AttentionStack s = oneHead(1, 3, {0.3f, 0.3f, 0.4f});
    AttentionQuery q;
    q.hard = true;
    const AttentionMatrix tokens = computeAttentionMatrix(s, q);
    QCOMPARE(tokens.values, (std::vector<float>{0.0f, 0.0f, 0.4f}));
    q.words = true;
    const TokenWords words{{0}, {0, 0, 1}};
    const AttentionMatrix grouped = computeAttentionMatrix(s, q, {}, &words);
    QCOMPARE(grouped.cols, 2);
    QVERIFY(std::abs(grouped.values[0] - 0.6f) < 1e-6f);
    QCOMPARE(grouped.values[1], 0.0f);
}

void WordGroupsTest::groupsMustCoverTheTokens() {
    const AttentionStack s = oneHead(2, 2, {0.5f, 0.5f, 0.5f, 0.5f});
    AttentionQuery q;
    q.words = true;
    const TokenWords tooFew{{0}, {0, 0}};
    QVERIFY_THROWS_EXCEPTION(Error, computeAttentionMatrix(s, q, {}, &tooFew));
}

QTEST_APPLESS_MAIN(WordGroupsTest)
#include "test_word_groups.moc"
