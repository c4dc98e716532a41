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

MatrixFigureData buildMatrixData(const FigureSource& source, const ViewRequest& request);
HeadsFigureData buildHeadsData(const FigureSource& source, const ViewRequest& request);
GridFigureData buildGridData(const FigureSource& source, const ViewRequest& request);
TokenStripFigureData buildTokenStripData(const FigureSource& source, const ViewRequest& request);

std::unique_ptr<Figure> buildFigure(const FigureSource& source, const ViewRequest& request, const FigureStyle& style);

// A short description of the selection, used as figure titles: "Layer 3 · head 5 · hard top-1".
QString describeRequest(const ViewRequest& request);

}  // namespace attnscope::ui
