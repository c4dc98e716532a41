#pragma once
#include <QString>
#include <QStringList>

#include <vector>

#include "FigureBuilder.h"
#include "model/AttentionStack.h"
#include "text/Encoding.h"

namespace attnscope::ui {

// One computed input: what was typed, how it was tokenized, and every layer's and head's
// attention. Immutable once made; views share it.
struct Analysis {
    QString text;
    QString pair;  // empty: no second segment
    Encoding encoding;
    QStringList tokenLabels;  // encoding.tokens as tokenLabel() shows them
    AttentionStack attentions;

    int tokenCount() const { return static_cast<int>(encoding.size()); }
    bool isSpecial(int token) const {
        return token >= 0 && token < static_cast<int>(encoding.specialTokensMask.size()) &&
               encoding.specialTokensMask[static_cast<std::size_t>(token)];
    }
    // What FigureBuilder needs; points into this analysis, so keep the analysis alive.
    FigureSource figureSource() const { return FigureSource{&attentions, tokenLabels, encoding.specialTokensMask}; }
};

}  // namespace attnscope::ui
