#pragma once
#include <optional>

#include "AlignmentFigure.h"
#include "FigureView.h"

namespace attnscope::ui {

// The alignment view of a cross-attention stack: the source sentence above the target, with
// lines from each target token to the source tokens it reads. Clicking a target token selects
// it as the query for every view (its lines stand out). A self-attention stack gets the
// engine's note instead of a figure.
class AlignmentView : public FigureView {
    Q_OBJECT
public:
    explicit AlignmentView(AttentionSelection* selection, QWidget* parent = nullptr);

    const AlignmentFigure* alignmentFigure();
    // The target token (index into the full query token list) under a widget position, -1 none.
    int targetTokenAt(const QPointF& pos) const;

protected:
    void buildFigure(const FigureSource& source, const ViewRequest& request) override;
    void clearFigure() override;
    const Figure* currentFigure() const override;
    double maxMagnification() const override { return 1.6; }
    bool alignsTop() const override { return true; }

    HoverSpot spotAt(const QPointF& pos) const override;
    void hoverChanged(const HoverSpot& spot) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    std::optional<AlignmentFigure> figure_;
};

}  // namespace attnscope::ui
