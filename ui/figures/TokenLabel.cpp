#include "TokenLabel.h"

#include <QStringDecoder>

#include <optional>

namespace attnscope::ui {

namespace {

// GPT-2's byte-level alphabet keeps the printable bytes as themselves and moves the
// other 68 (controls, space, DEL, NBSP, soft hyphen) to U+0100 onwards, in byte order.
bool isPrintableByte(int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); }

std::optional<char> byteOfBytelevelChar(char16_t c) {
    if (c < 0x100) {
        if (isPrintableByte(c)) return static_cast<char>(c);
        return std::nullopt;
    }
    int n = c - 0x100;
    for (int b = 0; b < 256; ++b) {
        if (isPrintableByte(b)) continue;
        if (n-- == 0) return static_cast<char>(b);
    }
    return std::nullopt;
}

// The text a byte-level BPE token stands for, or nullopt when the token is not made of
// byte-level characters or its bytes are not complete UTF-8 (a piece of a character).
std::optional<QString> decodeBytelevel(const QString& token) {
    QByteArray bytes;
    bool changed = false;
    for (QChar ch : token) {
        auto byte = byteOfBytelevelChar(ch.unicode());
        if (!byte) return std::nullopt;
        changed = changed || ch.unicode() >= 0x80;
        bytes.append(*byte);
    }
    if (!changed) return std::nullopt;
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = utf8.decode(bytes);
    if (utf8.hasError()) return std::nullopt;
    return text;
}

// SentencePiece byte fallback: "<0x0A>" is the byte 0x0A.
std::optional<QString> decodeByteFallback(const QString& token) {
    if (token.size() != 6 || !token.startsWith(QLatin1String("<0x")) || !token.endsWith(QLatin1Char('>'))) return std::nullopt;
    bool ok = false;
    const int byte = token.mid(3, 2).toInt(&ok, 16);
    if (!ok || byte >= 0x80) return std::nullopt;  // a piece of a multi-byte character: keep as written
    return QString(QChar(byte));
}

bool isBlank(QChar c) { return c.isSpace() || c.category() == QChar::Other_Control; }

QChar visible(QChar c) {
    switch (c.unicode()) {
    case ' ': return QChar(0x2423);   // ␣
    case '\n': return QChar(0x21B5);  // ↵
    case '\t': return QChar(0x21E5);  // ⇥
    case 0x7F: return QChar(0x2421);  // ␡
    default: break;
    }
    if (c.unicode() < 0x20) return QChar(0x2400 + c.unicode());  // Unicode control pictures
    if (c.isSpace()) return QChar(0x2423);
    return c;
}

}  // namespace

QString tokenLabel(std::string_view token, WordStart wordStart) {
    QString text = QString::fromUtf8(token.data(), static_cast<qsizetype>(token.size()));
    if (text.isEmpty()) return QStringLiteral("∅");

    if (auto byte = decodeByteFallback(text)) text = *byte;
    else if (auto decoded = decodeBytelevel(text)) text = *decoded;
    text.replace(QChar(0x2581), QLatin1Char(' '));  // SentencePiece '▁'

    qsizetype first = 0;
    while (first < text.size() && isBlank(text[first])) ++first;
    if (first == text.size()) {  // whitespace only: show every character
        for (QChar& c : text) c = visible(c);
        return text;
    }
    if (wordStart == WordStart::Strip && text.startsWith(QLatin1Char(' '))) {
        text.remove(0, 1);
        --first;
    }
    qsizetype last = text.size() - 1;
    while (isBlank(text[last])) --last;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const bool inside = i >= first && i <= last;
        if (!inside || (isBlank(text[i]) && text[i] != QLatin1Char(' '))) text[i] = visible(text[i]);
    }
    return text;
}

QStringList tokenLabels(const std::vector<std::string>& tokens, WordStart wordStart) {
    QStringList labels;
    labels.reserve(static_cast<qsizetype>(tokens.size()));
    for (const auto& token : tokens) labels.append(tokenLabel(token, wordStart));
    return labels;
}

}  // namespace attnscope::ui
