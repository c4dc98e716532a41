// Token strings as the vocabularies spell them, turned into readable axis labels.
#include <QtTest>

#include "TokenLabel.h"

using attnscope::ui::tokenLabel;
using attnscope::ui::tokenLabels;
using attnscope::ui::WordStart;

class TestTokenLabel : public QObject {
    Q_OBJECT
private slots:
    void labels_data();
    void labels();
    void stripsWordStartsWhenAsked();
    void convertsWholeSequences();
};

void TestTokenLabel::labels_data() {
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("label");
    // WordPiece and special tokens stay as they are.
    QTest::newRow("special") << "[CLS]" << "[CLS]";
    QTest::newRow("wordpiece continuation") << "##d" << "##d";
    QTest::newRow("sentencepiece special") << "<s>" << "<s>";
    QTest::newRow("gpt2 special") << "<|endoftext|>" << "<|endoftext|>";
    QTest::newRow("plain") << "cat" << "cat";
    QTest::newRow("latin-1 letter in a wordpiece vocab") << "é" << "é";
    QTest::newRow("cjk") << "猫" << "猫";
    // Byte-level BPE: the word-start space is marked, other bytes decoded.
    QTest::newRow("byte-level word start") << "Ġcat" << "␣cat";
    QTest::newRow("byte-level space alone") << "Ġ" << "␣";
    QTest::newRow("byte-level two spaces") << "ĠĠ" << "␣␣";
    QTest::newRow("byte-level newline") << "Ċ" << "↵";
    QTest::newRow("byte-level newlines") << "ĊĊ" << "↵↵";
    QTest::newRow("byte-level tab") << "ĉ" << "⇥";
    QTest::newRow("byte-level trailing newline") << "helloĊ" << "hello↵";
    QTest::newRow("byte-level accent") << "ĠcafÃ©" << "␣café";
    QTest::newRow("byte-level times sign") << "ÃĹ" << "×";
    QTest::newRow("byte-level emoji") << "ðŁĺĬ" << "😊";
    QTest::newRow("byte-level partial character kept") << "ðŁ" << "ðŁ";
    // SentencePiece: '▁' is a space; byte fallback for control bytes.
    QTest::newRow("sentencepiece word start") << "▁Tom" << "␣Tom";
    QTest::newRow("sentencepiece space alone") << "▁" << "␣";
    QTest::newRow("sentencepiece inner space kept") << "▁New▁York" << "␣New York";
    QTest::newRow("byte fallback newline") << "<0x0A>" << "↵";
    QTest::newRow("byte fallback letter") << "<0x41>" << "A";
    QTest::newRow("byte fallback high byte kept") << "<0xE2>" << "<0xE2>";
    // Raw whitespace and controls become visible.
    QTest::newRow("raw newline") << "\n" << "↵";
    QTest::newRow("raw carriage return") << "\r" << "␍";
    QTest::newRow("empty") << "" << "∅";
}

void TestTokenLabel::labels() {
    QFETCH(QString, token);
    QFETCH(QString, label);
    QCOMPARE(tokenLabel(token.toStdString()), label);
}

void TestTokenLabel::stripsWordStartsWhenAsked() {
    QCOMPARE(tokenLabel("Ġcat", WordStart::Strip), QStringLiteral("cat"));
    QCOMPARE(tokenLabel("▁Tom", WordStart::Strip), QStringLiteral("Tom"));
    QCOMPARE(tokenLabel("▁New▁York", WordStart::Strip), QStringLiteral("New York"));
    QCOMPARE(tokenLabel("ĠĠcat", WordStart::Strip), QStringLiteral("␣cat"));  // only the one word-start space goes
    QCOMPARE(tokenLabel("cat", WordStart::Strip), QStringLiteral("cat"));
    QCOMPARE(tokenLabel("Ġ", WordStart::Strip), QStringLiteral("␣"));  // a lone space stays visible
}

void TestTokenLabel::convertsWholeSequences() {
    const QStringList labels = tokenLabels({"<s>", "▁The", "▁cat", "<0x0A>"});
    QCOMPARE(labels, (QStringList{"<s>", "␣The", "␣cat", "↵"}));
}

QTEST_APPLESS_MAIN(TestTokenLabel)
#include "test_token_label.moc"
