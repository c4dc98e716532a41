#pragma once
#include <optional>

#include "FigureView.h"
#include "HeadsFigure.h"

namespace attnscope::ui {

// The head view, in the manner of BertViz: the tokens twice, queries on the left and keys on
// the right, with lines from a query to every key weighted by attention, one colour per
// enabled head. Hovering a left token previews its lines; clicking it selects it as the
// query for every view. (The head toggles are HeadToggles, next to this view.)
class HeadsView : public FigureView {
    Q_OBJECT
public:
    explicit HeadsView(AttentionSelection* selection, QWidget* parent = nullptr);

    const HeadsFigure* headsFigure();
    // The left-side row whose lines are drawn (the hovered one while hovering), -1 none.
    int shownRow() const;
    // The left-side token rectangle's hit for a point (for tests and tooltips).
    HeadsFigure::Hit tokenAt(const QPointF& pos) const;

protected:
    void buildFigure(const FigureSource& source, const ViewRequest& request) override;
    void clearFigure() override;
    const Figure* currentFigure() const override;
    double maxMagnification() const override { return 1.6; }
    // The token rows stop growing at a comfortable height, so a taller area would only part
    // the column headers from their tokens.
    bool alignsTop() const override { return true; }

    // Hovering a left token previews its lines.
    HoverSpot spotAt(const QPointF& pos) const override;
    void hoverChanged(const HoverSpot& spot) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    // Redraws with `row`'s lines (-1: back to the selected query) without asking the engine again.
    void preview(int row);
    int tokenOfRow(int row) const;

    std::optional<HeadsFigureData> data_;
    std::optional<HeadsFigure> figure_;
    int previewRow_ = -1;
};

}  // namespace attnscope::ui
