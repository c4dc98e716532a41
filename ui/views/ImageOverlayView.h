#pragma once
#include <optional>

#include "FigureView.h"
#include "ImageOverlayFigure.h"

namespace attnscope::ui {

// The image overlay of a vision model (ImageOverlayFigure): clicking a patch makes it the
// query for every view, as does clicking the [CLS] or [DIST] swatch; hovering a patch marks
// it and tells its weight ("patch r,c: 0.1234"). Where the queries are other tokens than the
// image's (a caption's cross-attention), Up and Down step through them.
class ImageOverlayView : public FigureView {
    Q_OBJECT
public:
    explicit ImageOverlayView(AttentionSelection* selection, QWidget* parent = nullptr);

    // The figure as shown; nullptr when empty. Brings a hidden view up to date.
    const ImageOverlayFigure* overlayFigure();
    ImageOverlayFigure::Hit hitAt(const QPointF& pos) const;
    // Where a patch is drawn, in widget coordinates.
    QRectF patchRect(int patch) const;
    QString toolTipFor(const ImageOverlayFigure::Hit& hit) const;
    ImageOverlayFigure::Hit hoveredHit() const { return {hovered().first, hovered().second}; }
    // Whether the queries are tokens of their own (a caption's), which Up and Down step through.
    bool stepsQueries() const { return queryCount_ > 0; }
    // The query `step` tokens on (clamped to the first and last).
    void stepSelectedQuery(int step);

protected:
    void buildFigure(const FigureSource& source, const ViewRequest& request) override;
    void clearFigure() override;
    const Figure* currentFigure() const override;
    void paintOverlay(QPainter& painter) const override;
    HoverSpot spotAt(const QPointF& pos) const override;
    void hoverChanged(const HoverSpot& spot) override;

    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    int queryCount_ = 0;  // a cross stack's query tokens; 0 where the image's tokens are the queries

    std::optional<ImageOverlayFigure> figure_;
};

}  // namespace attnscope::ui
