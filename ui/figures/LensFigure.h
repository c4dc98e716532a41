#pragma once
#include <memory>
#include <optional>

#include "Figure.h"
#include "LensFigureData.h"

namespace attnscope::ui {

struct LensCellIndex {
    int layer = -1;
    int position = -1;
    bool operator==(const LensCellIndex&) const = default;
};

// The logit lens as a grid: one row per layer, read upwards (layer 1 at the bottom, the last
// layer, the model's own prediction, at the top, as logit-lens plots are usually drawn), one
// column per input token (named under the grid). Each cell is coloured by its top token's
// probability (0..1, linear, on the style's colour map) and shows that token in black or
// white, whichever reads on the fill, elided or left out where the cell is too narrow. A
// colour bar and an outline around the selected cell complete it.
class LensFigure : public Figure {
public:
    LensFigure(LensFigureData data, FigureStyle style);

    QSizeF naturalSize() const override;
    void paint(QPainter& painter, const QRectF& area) const override;

    // The cell under `pos` when the figure is painted into `area`.
    std::optional<LensCellIndex> hitTest(const QRectF& area, const QPointF& pos) const;
    // Where a cell lies when the figure is painted into `area` (empty for a cell it lacks).
    QRectF cellRect(const QRectF& area, int layer, int position) const;
    // "Layer 3, position 8 (“a”)" and the cell's guesses with percentages, one a line.
    QString toolTip(int layer, int position) const;

    // The cells and labels (the selection is selectedLayer() and selectedPosition()).
    const LensFigureData& data() const;
    const FigureStyle& style() const;
    int layers() const;
    int positions() const;
    std::optional<int> selectedLayer() const { return selectedLayer_; }
    std::optional<int> selectedPosition() const { return selectedPosition_; }

    // This figure with another selection, sharing its data and measurements: a click on a
    // cell costs a repaint, not a rebuild.
    LensFigure withSelection(std::optional<int> layer, std::optional<int> position) const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d_;
    std::optional<int> selectedLayer_;
    std::optional<int> selectedPosition_;
};

}  // namespace attnscope::ui
