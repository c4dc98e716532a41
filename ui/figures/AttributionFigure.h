#pragma once
#include <QString>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "Figure.h"
#include "FigureStyle.h"

namespace attnscope {
struct LogitAttribution;
struct HeadAblation;
}  // namespace attnscope

namespace attnscope::ui {

// Everything AttributionFigure draws, as plain data: each head's, MLP's and the embedding's
// share of one logit (analysis/LogitAttribution.h).
struct AttributionFigureData {
    QString title;    // what was split: the target (less the distractor) at a position
    QString summary;  // how the logit is made up: heads, MLPs, embedding and biases
    int layers = 0, heads = 0;
    std::vector<double> headShares;  // [layer * heads + head]
    std::vector<double> crossShares; // an encoder-decoder's cross-attention heads, [layer * heads + head]; else empty
    std::vector<double> mlpShares;   // [layer]
    double embedding = 0.0;
    double logit = 0.0;
    std::vector<std::pair<int, int>> switchedOff;       // heads drawn crossed out
    std::vector<std::pair<int, int>> switchedOffCross;  // cross-attention heads drawn crossed out
    std::optional<std::pair<int, int>> selected;   // the outlined head
    bool selectedCross = false;                    // ... among the cross-attention heads
};

// The figure data of an attribution: `target` (and `distractor`, empty for none) and the
// position's label name what was split; `switchedOff` lists the heads the pass ran without.
AttributionFigureData attributionFigureData(const LogitAttribution& attribution, const QString& target, const QString& distractor,
                                            const QString& positionLabel, const HeadAblation& switchedOff);

// A cell of the grid: a head (a cross-attention head with `cross`), a layer's MLP (head -1) or
// the embedding (layer -1, head -1).
struct AttributionCell {
    int layer = -1;
    int head = -1;
    bool cross = false;
    bool operator==(const AttributionCell&) const = default;
};

// Direct logit attribution as a grid: one row per layer (layer 0 at the top, after a row for
// the embedding, in the order the residual stream is written), one column per head, an
// encoder-decoder's cross-attention heads apart beside them, and apart one for the layer's MLP. Each cell's colour is its share on a diverging map with zero at its
// white centre (red adds to the logit, blue takes from it); the number is written in the cell
// where it fits. Heads switched off are crossed out; the selected head is outlined.
class AttributionFigure : public Figure {
public:
    AttributionFigure(AttributionFigureData data, FigureStyle style);

    QSizeF naturalSize() const override;
    void paint(QPainter& painter, const QRectF& area) const override;

    std::optional<AttributionCell> hitTest(const QRectF& area, const QPointF& pos) const;
    QRectF cellRect(const QRectF& area, const AttributionCell& cell) const;
    // "Layer 1, head 0: +3.35 (42% of the logit 7.91)".
    QString toolTip(const AttributionCell& cell) const;
    const AttributionFigureData& data() const;
    // The share a cell shows (the embedding's for layer -1).
    double share(const AttributionCell& cell) const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d_;
};

}  // namespace attnscope::ui
