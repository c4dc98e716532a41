#pragma once
#include <QStringList>

#include <memory>
#include <vector>

#include "Figure.h"
#include "FigureData.h"
#include "model/AttentionStack.h"

namespace attnscope::ui {

enum class ViewKind { Matrix, Heads, Grid, Tokens };

// What the shared selection asks a view to show.
struct ViewRequest {
    ViewKind kind = ViewKind::Matrix;
    AttentionQuery query;            // layer, head/mean/max, rollout, soft/hard, hide special
    int selectedQuery = -1;          // query token (index into the full token list); -1 none
    std::vector<bool> enabledHeads;  // head view; empty = all
};

// Turns an analysis and a selection into figure data, asking the engine (core/analysis) for
// every number. The GUI views and `attnscope-cli render` both go through here, so what is
// exported is exactly what is shown.
struct FigureSource {
    const AttentionStack* attentions = nullptr;
    QStringList tokenLabels;            // display labels, one per token
    std::vector<bool> specialTokens;    // one per token
};

// All of these throw attnscope::Error when the source has no attention or the query names a
// layer or head the model does not have.

// The current matrix (computeAttentionMatrix of request.query); selectedRow is the matrix row
// of request.selectedQuery (-1 when none or hidden).
MatrixFigureData buildMatrixData(const FigureSource& source, const ViewRequest& request);
// Every head of request.query.layer, one head each (never rollout or an aggregate), keeping
// soft/hard and hidden special tokens; enabledHeads of the wrong size enables all.
HeadsFigureData buildHeadsData(const FigureSource& source, const ViewRequest& request);
// Every layer x head the same way; the focus is the request's layer and head (head -1, the
// whole layer, for mean, max and rollout).
GridFigureData buildGridData(const FigureSource& source, const ViewRequest& request);
// The selected query's row of the current matrix. With no query selected (or a hidden one):
// the last row for a causal model (detected from layer 0: nothing above the diagonal), whose
// last token sees the whole text, else the first row ([CLS], <s>).
TokenStripFigureData buildTokenStripData(const FigureSource& source, const ViewRequest& request);

std::unique_ptr<Figure> buildFigure(const FigureSource& source, const ViewRequest& request, const FigureStyle& style);

// A short description of the selection, used as figure titles: "Layer 3 · head 5 · hard top-1".
QString describeRequest(const ViewRequest& request);

}  // namespace attnscope::ui
