#pragma once
#include <QString>
#include <QStringList>

#include <string>
#include <string_view>
#include <vector>

namespace attnscope::ui {

// What to do with the space that byte-level BPE ('Ġ') and SentencePiece ('▁') put in
// front of a word-initial token.
enum class WordStart {
    Mark,   // "Ġcat" -> "␣cat": shows where words begin, so "␣do g" reads as one word
    Strip,  // "Ġcat" -> "cat": the plainest labels
};

// A vocabulary token as a person should read it on an axis: byte-level BPE bytes decoded
// ("Ã©" -> "é", "Ċ" -> "↵"), SentencePiece '▁' and byte-fallback "<0x0A>" made readable,
// whitespace-only tokens made visible (␣ ↵ ⇥); WordPiece "##" and special tokens kept.
QString tokenLabel(std::string_view token, WordStart wordStart = WordStart::Mark);

QStringList tokenLabels(const std::vector<std::string>& tokens, WordStart wordStart = WordStart::Mark);

}  // namespace attnscope::ui
