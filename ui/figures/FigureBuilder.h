#pragma once
#include <QStringList>

#include <memory>
#include <vector>

#include "Figure.h"
#include "FigureData.h"
#include "analysis/AttentionDifference.h"
#include "tensor/AttentionStack.h"

namespace attnscope::ui {

// Overlay (the image overlay) exists for vision models only, Alignment for cross-attention.
enum class ViewKind { Matrix, Heads, Grid, Tokens, Overlay, Alignment };

// What the shared selection asks a view to show.
struct ViewRequest {
    ViewKind kind = ViewKind::Matrix;
    int stack = 0;                   // which of the record's attention stacks FigureSource was made from
    AttentionQuery query;            // layer, head/mean/max, rollout, soft/hard, hide special
    int selectedQuery = -1;          // query token (index into the full token list); -1 none
    std::vector<bool> enabledHeads;  // head view; empty = all
};

// Turns an analysis and a selection into figure data, asking the engine (core/analysis) for
// every number. The GUI views and `attnscope-cli render` both go through here, so what is
// exported is exactly what is shown.
struct FigureSource {
    const AttentionStack* attentions = nullptr;
    QStringList tokenLabels;            // display labels, one per key token (and per query when queryLabels is empty)
    std::vector<bool> specialTokens;    // one per key token
    // Cross-attention: the queries are other tokens (the decoder's) than the keys (the
    // encoder's); empty for self-attention, where one token list labels both axes. (The engine
    // hides special tokens only on square self-attention, so the queries need no mask.)
    QStringList queryLabels;
    // Records with several stacks: which one this is ("Cross-attention"), put before titles.
    QString attentionName;
    // A score term's stack (DeBERTa's c2c, c2p, p2c): the head's full attention, which titles
    // compare the term with (PatternAgreement). Null for every other stack.
    const AttentionStack* wholeAttention = nullptr;
    // A stack whose queries ask after the model's last layer (SigLIP's pooling probe): the
    // self-attention its rollout runs through (rolloutThrough). Null for every other stack.
    const AttentionStack* rolloutBase = nullptr;
    // What the model ran under, added to every title ("heads 1.0, 2.3 off (zero)"); empty: as trained.
    QString condition;
    // Axis titles of the matrix; empty: "Query (attending token)", "Key (token attended to)".
    QString queryAxisTitle;
    QString keyAxisTitle;
    // Vision models: the image the model saw, how its tokens tile it, and the class prediction.
    QImage image;
    PatchGrid patches;
    std::vector<ClassPrediction> predictions;
    // A generation: tokens from this index on were written by the model (-1: none).
    int firstGeneratedToken = -1;
    // Words, not pieces (AttentionQuery::words): each token's word on each axis, and each
    // word's label by word index (queryWordLabels empty for self-attention). Empty: no words.
    TokenWords words;
    QStringList keyWordLabels;
    QStringList queryWordLabels;
    // A difference from another input (AttentionQuery::compare with Input): that input's source
    // for the same stack, how its tokens match this one's on each axis (one alignment for both
    // in self-attention), and how titles name it ("“the dog sat”"). Null: none given.
    std::shared_ptr<const FigureSource> otherInput;
    TokenAlignment queryAlignment;
    TokenAlignment keyAlignment;
    QString otherInputName;

    const QStringList& rowLabels() const { return queryLabels.isEmpty() ? tokenLabels : queryLabels; }
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
// The same without the maps: sizes, focus and title. With sameGridMaps it lets the model view
// move its outline on a layer or head switch without recomputing every map.
GridFigureData buildGridHeader(const FigureSource& source, const ViewRequest& request);
// Whether two requests give the same grid maps (they may differ in layer, head and aggregate,
// which only move the focus).
bool sameGridMaps(const ViewRequest& a, const ViewRequest& b);
// The selected query's row of the current matrix. With no query selected (or a hidden one):
// the last row for a causal model (detected from layer 0: nothing above the diagonal), whose
// last token sees the whole text, else the first row ([CLS], <s>).
TokenStripFigureData buildTokenStripData(const FigureSource& source, const ViewRequest& request);
// Vision models: the selected query's row of the current matrix laid on the patch grid. With
// no query selected, [CLS]. Throws attnscope::Error for a model without patches, and when
// hidden special tokens leave the query ([CLS], [DIST]) out of the matrix.
ImageOverlayFigureData buildImageOverlayData(const FigureSource& source, const ViewRequest& request);

// Cross-attention as an alignment: the current matrix (target rows, source columns) with the
// selected query's row singled out. Throws attnscope::Error for self-attention.
AlignmentFigureData buildAlignmentData(const FigureSource& source, const ViewRequest& request);

std::unique_ptr<Figure> buildFigure(const FigureSource& source, const ViewRequest& request, const FigureStyle& style);

// A short description of the selection, used as figure titles: "Layer 3 · head 5 · hard top-1".
QString describeRequest(const ViewRequest& request);
// The same, after the source's attention name when it has one: "Cross-attention · Layer 3 · head 5".
QString describeRequest(const FigureSource& source, const ViewRequest& request);

}  // namespace attnscope::ui
