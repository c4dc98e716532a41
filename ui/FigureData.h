#pragma once
#include <QString>
#include <QStringList>

#include <vector>

#include "analysis/AttentionQuery.h"

namespace attnscope::ui {

// Everything a figure shows, computed by the engine (core/analysis) before any painting.
// Labels are display strings (tokenLabel()) for the rows and columns the matrix keeps.

struct MatrixFigureData {
    AttentionMatrix matrix;     // computeAttentionMatrix(...) for the current selection
    QStringList rowLabels;      // one per matrix row (query)
    QStringList columnLabels;   // one per matrix column (key)
    QString title;              // e.g. "Layer 3 · head 5 · hard top-1"
    QString rowAxisTitle = QStringLiteral("Query (attending token)");
    QString columnAxisTitle = QStringLiteral("Key (token attended to)");
    int selectedRow = -1;       // highlighted query row, -1 none
};

// BertViz-style head view: tokens in two columns, lines from a query token to every key,
// one colour per head, only the enabled heads drawn.
struct HeadsFigureData {
    std::vector<AttentionMatrix> heads;  // one per head of the layer, all the same shape
    std::vector<bool> enabled;           // per head
    QStringList leftLabels;              // queries
    QStringList rightLabels;             // keys
    int selectedToken = -1;              // left-side row whose lines are drawn; -1: all rows, faint
    QString title;
};

// The model view: every layer x head as a small heatmap.
struct GridFigureData {
    int layers = 0;
    int heads = 0;
    std::vector<AttentionMatrix> maps;   // layers * heads, index layer * heads + head
    int focusedLayer = -1;               // outlined cell
    int focusedHead = -1;
    QString title;
};

// The token strip: the text as tokens, each shaded by the attention it receives from the
// selected query.
struct TokenStripFigureData {
    QStringList labels;
    std::vector<float> weights;          // one per label
    int queryToken = -1;                 // outlined
    QString title;
};

}  // namespace attnscope::ui
