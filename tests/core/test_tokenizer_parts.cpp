// The tokenizer parts the LLM pipelines lean on, one at a time: the Split regexes as
// Oniguruma (the crate's regex engine) reads them, the decoders, and lossy UTF-8. Expected
// values follow from the definitions (leftmost-first alternation, backtracking, Unicode case
// folding, Unicode's maximal-subpart rule for ill-formed UTF-8), worked out in comments.
#include <QtTest>

#include <string>
#include <vector>

#include "Error.h"
#include "ErrorText.h"
#include "text/Decoders.h"
#include "text/Regex.h"
#include "text/Utf8.h"

using attnscope::ByteLevelDecoder;
using attnscope::MetaspaceDecoder;
using attnscope::Regex;

namespace {

using Pieces = std::vector<std::string>;

// The text of each match, in order.
Pieces pieces(const std::string& pattern, const std::string& text) {
    Pieces out;
    for (const auto& [start, end] : Regex(pattern).findAll(text)) out.push_back(text.substr(start, end - start));
    return out;
}

QByteArray show(const Pieces& p) {
    QByteArray out;
    for (const auto& s : p) out += "[" + QByteArray::fromStdString(s) + "]";
    return out;
}

const char* const kLlama3 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// tiktoken's cl100k_base as it is written there, with possessive quantifiers.
const char* const kCl100k =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)";
// tiktoken's o200k_base (GPT-4o; Phi-4-mini's vocabulary is of its family).
const char* const kO200k =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

}  // namespace

class TestTokenizerParts : public QObject {
    Q_OBJECT

private slots:
    void llama3Whitespace_data();
    void llama3Whitespace();
    void caseInsensitiveFolds();
    void possessiveAndAtomic();
    void tiktokenPatterns();
    void malformedRegexNamesTheConstruct();
    void byteLevelDecoderKeepsForeignTokens();
    void lossyUtf8ReplacesMaximalSubparts();
    void metaspaceDecoderFirstToken();
};

void TestTokenizerParts::llama3Whitespace_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("expected");
    // \s*[\r\n]+ takes the spaces before a newline with it, giving back until a newline follows.
    QTest::newRow("spaces around newlines") << "x \n\n y" << QStringList{"x", " \n\n", " y"};
    QTest::newRow("spaces then newline") << "a   \nb" << QStringList{"a", "   \n", "b"};
    QTest::newRow("CRLF") << "a\r\nb" << QStringList{"a", "\r\n", "b"};
    // Before digits: \s+(?!\S) gives back the last space, which only \s+ then takes (no
    // alternative puts a space before a digit).
    QTest::newRow("spaces before digits") << "  1234" << QStringList{" ", " ", "123", "4"};
    // A tab is whitespace but not " ": it cannot lead a word.
    // [^\r\n\p{L}\p{N}]? lets one char other than a newline lead a word: a tab does. At " (c"
    // no word follows the space, so " ?[^\s\p{L}\p{N}]+" takes " (" and "c" is left alone.
    QTest::newRow("tab before a word") << "a\tb (c" << QStringList{"a", "\tb", " (", "c"};
    QTest::newRow("punctuation then newlines") << "ok?!\n\nNo" << QStringList{"ok", "?!\n\n", "No"};
    QTest::newRow("fullwidth space (U+3000)") << "東\u3000京" << QStringList{"東", "\u3000京"};
}

void TestTokenizerParts::llama3Whitespace() {
    QFETCH(QString, text);
    QFETCH(QStringList, expected);
    Pieces want;
    for (const QString& s : expected) want.push_back(s.toStdString());
    const Pieces got = pieces(kLlama3, text.toStdString());
    QVERIFY2(got == want, show(got) + " != " + show(want));
}

// Oniguruma matches (?i) by Unicode case folding: "ſ" (U+017F) and "s" fold alike though
// lowercasing leaves ſ as it is, and the Kelvin sign (U+212A) folds to "k".
void TestTokenizerParts::caseInsensitiveFolds() {
    QCOMPARE(pieces("(?i:'s|'ll)", "'S 'ſ 'lL"), (Pieces{"'S", "'\u017F", "'lL"}));
    QCOMPARE(pieces("(?i)k", "\u212Ak"), (Pieces{"\u212A", "k"}));
    QCOMPARE(pieces("(?i)[a-z]+", "Stra\u017Fe"), Pieces{"Stra\u017Fe"});
    QCOMPARE(pieces("'s", "'S'ſ"), Pieces{});  // without (?i) neither
}

// ?+ *+ ++ are possessive and (?>...) atomic: what they take is never given back. In
// Oniguruma's syntax a + after {m,n} is not possessive but repeats the interval again.
void TestTokenizerParts::possessiveAndAtomic() {
    QCOMPARE(pieces("a?a", "a"), Pieces{"a"});
    QCOMPARE(pieces("a?+a", "a"), Pieces{});
    QCOMPARE(pieces("a*+a", "aaa"), Pieces{});
    QCOMPARE(pieces("(?:ab)+ab", "abab"), Pieces{"abab"});
    QCOMPARE(pieces("(?:ab)++ab", "abab"), Pieces{});
    QCOMPARE(pieces("(?:ab)++b", "ababb"), Pieces{"ababb"});
    QCOMPARE(pieces("(?>a+)b", "aaab"), Pieces{"aaab"});
    QCOMPARE(pieces("(?>a+)a", "aaa"), Pieces{});
    QCOMPARE(pieces("(?>a|ab)c", "abc"), Pieces{});  // the group settles on "a"; "c" then fails
    QCOMPARE(pieces("\\d{1,3}+", "1234567"), Pieces{"1234567"});
    QCOMPARE(pieces("\\d{1,3}", "1234567"), (Pieces{"123", "456", "7"}));
}

void TestTokenizerParts::tiktokenPatterns() {
    // cl100k: "'LL" by '(?i:ll); " don"; "'t"; "!!\n" by ?[^\s\p{L}\p{N}]++[\r\n]*.
    QCOMPARE(pieces(kCl100k, "I'LL don't!!\n"), (Pieces{"I", "'LL", " don", "'t", "!!\n"}));
    // o200k splits camel case: "Hello" stops at the capital W; "World's" takes its
    // contraction; " CAFÉ" has no lowercase letter, so only the second alternative takes it.
    QCOMPARE(pieces(kO200k, "HelloWorld's CAFÉ don'T"), (Pieces{"Hello", "World's", " CAF\u00C9", " don'T"}));
    QCOMPARE(pieces(kO200k, "a/b\n/\n"), (Pieces{"a", "/b", "\n", "/\n"}));
}

// The loader puts these messages after the tokenizer.json key (test_tokenizers checks that).
void TestTokenizerParts::malformedRegexNamesTheConstruct() {
    const auto message = [](const char* pattern) { return fixtures::errorOf([&] { Regex r(pattern); }); };
    const std::vector<std::pair<const char*, const char*>> cases = {
        {"(?i:'s|'t", "malformed: a group is not closed"},
        {"[a-", "malformed: a character class is not closed"},
        {"++", "malformed: a quantifier has nothing to repeat"},
        {"\\p{N}{3,1}", "malformed: a `{m,n}` has m larger than n"},
        {"a)", "malformed: a `)` closes no group"},
        {"(a)\\1", "the escape \\1 is not supported"},  // a backreference
        {"\\p{Klingon}", "the Unicode class \\p{Klingon} is not supported"},
    };
    for (const auto& [pattern, what] : cases) {
        const QString m = message(pattern);
        QVERIFY2(m.contains(what) && m.contains(pattern), qPrintable(m));
    }
}

// The crate reads a token's chars as bytes only when every char is a byte's stand-in; a
// token with any other char (an added token spelled outside the alphabet) keeps its UTF-8.
void TestTokenizerParts::byteLevelDecoderKeepsForeignTokens() {
    QCOMPARE(ByteLevelDecoder().decodeChain({"Hello", "\u0120world", "\u010A"}), std::vector<std::string>{"Hello world\n"});
    // "Ā" is the stand-in of byte 00, but "€" is no stand-in: "Ā€" stays as it is.
    QCOMPARE(ByteLevelDecoder().decodeChain({"\u0100\u20AC"}), std::vector<std::string>{"\u0100\u20AC"});
    QCOMPARE(ByteLevelDecoder().decodeChain({"<\uFF5Cend\u2581of\uFF5C>", "\u0120a"}),
             std::vector<std::string>{"<\uFF5Cend\u2581of\uFF5C> a"});
}

// String::from_utf8_lossy (what the ByteLevel decoder calls) puts one U+FFFD for each maximal
// subpart of an ill-formed sequence (Unicode 3.9, table 3-8): the longest start of a
// well-formed sequence, or else one byte.
void TestTokenizerParts::lossyUtf8ReplacesMaximalSubparts() {
    const std::string r = "\uFFFD";
    QCOMPARE(attnscope::utf8::lossy("\xF0\x9F\x99\x82"), std::string("🙂"));
    QCOMPARE(attnscope::utf8::lossy("\xF0\x9F\x99"), r);
    QCOMPARE(attnscope::utf8::lossy("a\xE2\x82"), "a" + r);
    QCOMPARE(attnscope::utf8::lossy("Hello \xF0\x90\x80World"), "Hello " + r + "World");
    QCOMPARE(attnscope::utf8::lossy("\xE0\x80" "A"), r + r + "A");        // E0 needs A0..BF next
    QCOMPARE(attnscope::utf8::lossy("\xED\xA0\x80"), r + r + r);          // a surrogate
    QCOMPARE(attnscope::utf8::lossy("\xF4\x90\x80\x80"), r + r + r + r);  // past U+10FFFF
    QCOMPARE(attnscope::utf8::lossy("\xC0\xAF"), r + r);                  // overlong
    QCOMPARE(attnscope::utf8::lossy("\x9F\x9F"), r + r);
}

// The crate's Metaspace decoder drops every replacement char of the first token, not only a
// leading one, unless the pre-tokenizer never prepends.
void TestTokenizerParts::metaspaceDecoderFirstToken() {
    QCOMPARE(MetaspaceDecoder("\u2581", true).decodeChain({"\u2581\u2581a\u2581", "\u2581b"}), (std::vector<std::string>{"a", " b"}));
    QCOMPARE(MetaspaceDecoder("\u2581", false).decodeChain({"\u2581\u2581a\u2581", "\u2581b"}), (std::vector<std::string>{"  a ", " b"}));
}

QTEST_APPLESS_MAIN(TestTokenizerParts)
#include "test_tokenizer_parts.moc"
