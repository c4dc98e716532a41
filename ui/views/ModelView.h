#pragma once
#include <optional>

#include "FigureView.h"
#include "GridFigure.h"

namespace attnscope::ui {

// The model view: every layer x head as a small heatmap, the selected one outlined.
// Clicking a thumbnail focuses that layer and head in the selection; double-clicking also
// asks to open it (the window switches to the matrix view); Ctrl+click asks to switch the head
// off (or on again). Heads the analysis ran without are crossed out.
class ModelView : public FigureView {
    Q_OBJECT
public:
    explicit ModelView(AttentionSelection* selection, QWidget* parent = nullptr);

    const GridFigure* gridFigure();
    GridFigure::Hit thumbnailAt(const QPointF& pos) const;
    QRectF thumbnailRect(int layer, int head) const;

signals:
    void headOpened(int layer, int head);
    void headAblationToggled(int layer, int head);

protected:
    void buildFigure(const FigureSource& source, const ViewRequest& request) override;
    void clearFigure() override;
    const Figure* currentFigure() const override;
    void paintOverlay(QPainter& painter) const override;
    HoverSpot spotAt(const QPointF& pos) const override;
    void hoverChanged(const HoverSpot& spot) override;

    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:

    std::optional<GridFigure> figure_;
    // What figure_'s maps were built from, to tell a focus move from a real change.
    // (Holding the analysis keeps its stack's address from being reused by a new one.)
    std::shared_ptr<const Analysis> builtAnalysis_;
    std::shared_ptr<const Analysis> builtOther_;
    const AttentionStack* builtFrom_ = nullptr;
    std::optional<ViewRequest> builtRequest_;
    std::optional<FigureStyle> builtStyle_;
};

}  // namespace attnscope::ui
