#pragma once
#include <QImage>
#include <QString>
#include <QStringList>

#include <vector>

#include "analysis/AttentionQuery.h"
#include "tensor/AttentionRecord.h"  // PatchGrid

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

// The alignment view of a cross-attention stack (a translation's or a caption's): the source
// tokens in a row above the target tokens, and a line from each target token to the source
// tokens it attends to, darker and wider for more weight. In the hard view the matrix keeps
// only the selected cells (top-1: each target token's one source token).
struct AlignmentFigureData {
    AttentionMatrix matrix;     // rows: target tokens (queries); columns: source tokens (keys)
    QStringList targetLabels;   // one per matrix row
    QStringList sourceLabels;   // one per matrix column
    int selectedRow = -1;       // the target token whose lines stand out, -1 none
    bool hard = false;          // the matrix is a hard selection: its kept cells are drawn solid
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
    std::vector<bool> generated;         // one per label (or empty): written by the model, drawn dashed
    int queryToken = -1;                 // outlined
    bool difference = false;             // the weights are a difference A − B (signed)
    QString title;
};

// A classifier's answer: one of the top-k labels with its softmax probability (from the
// engine's topPredictions), most probable first.
struct ClassPrediction {
    QString label;
    float probability = 0.0f;
    // With heads switched off: the probability the model gave it with every head on (-1: not compared).
    float before = -1.0f;
    bool compared() const { return before >= 0.0f; }
};

// The image overlay: the image the model saw with its patch grid shaded by the attention the
// query pays to each patch; attention to the other keys ([CLS], [DIST]) as labelled swatches.
struct ImageOverlayFigureData {
    QImage image;                      // the model's input image (after resize and crop), 8-bit
    PatchGrid grid;
    std::vector<float> patchWeights;   // grid.count(), row-major: the query's weight on each patch
    struct OtherKey {
        QString label;                 // "[CLS]", "[DIST]"
        float weight = 0.0f;
        int token = -1;                // index into the full token list
    };
    std::vector<OtherKey> otherKeys;
    int queryToken = -1;               // index into the full token list
    int queryPatch = -1;               // the query's patch (outlined), -1 when the query is [CLS]/[DIST]
    bool difference = false;           // the weights are a difference A − B (signed)
    QString queryLabel;
    std::vector<ClassPrediction> predictions;  // empty: the model has no classifier
    QString title;
};

}  // namespace attnscope::ui
