#pragma once
#include <QColor>

#include <memory>

#include "Figure.h"
#include "FigureData.h"

namespace attnscope::ui {

// The image overlay of a vision model: the image the model saw, scaled up with square pixels,
// its patch grid shaded by the attention the query pays to each patch (the colours cover the
// image by style.overlayOpacity), the query's patch outlined, a colour bar, the attention to
// the non-patch keys ([CLS], [DIST]) as labelled swatches and, for a classifier, the top
// predictions with probability bars. The panel of swatches and predictions sits beside the
// image, or under it when that leaves the image more room.
//
// Colours are scaled to the largest patch weight (not to [CLS]'s, which is often far larger
// and would leave every patch dark); a swatch above that maximum shows the top colour.
class ImageOverlayFigure : public Figure {
public:
    // A patch or a non-patch key's swatch under a point.
    struct Hit {
        int patch = -1;  // row-major patch index, -1 for a swatch
        int token = -1;  // the key's index into the full token list; -1: nothing there
        bool isValid() const { return token >= 0; }
    };

    ImageOverlayFigure(ImageOverlayFigureData data, FigureStyle style);

    QSizeF naturalSize() const override;
    void paint(QPainter& painter, const QRectF& area) const override;

    Hit hitTest(const QRectF& area, const QPointF& pos) const;
    QRectF patchRect(const QRectF& area, int patch) const;
    // The row of data().otherKeys[index] (swatch, label and weight) in the panel.
    QRectF otherKeyRect(const QRectF& area, int index) const;
    // Where the model's image is drawn.
    QRectF imageRect(const QRectF& area) const;
    // "patch r,c: 0.1234", "[CLS]: 0.1234".
    QString toolTip(const Hit& hit) const;
    // The colour a patch is shaded with, before it is laid over the image at the opacity.
    QColor patchColor(int patch) const;
    // The weight of the patch or key hit (0 when nothing is hit).
    float weight(const Hit& hit) const;

    const ImageOverlayFigureData& data() const;
    const FigureStyle& style() const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d_;  // shared: cheap to copy between the view and exports
};

}  // namespace attnscope::ui
