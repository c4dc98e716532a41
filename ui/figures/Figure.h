#pragma once
#include <QPainter>
#include <QRectF>
#include <QSizeF>

#include "FigureStyle.h"

namespace attnscope::ui {

// A view's drawing, independent of any widget. A widget paints it on screen; FigureExporter
// paints the very same object onto a PNG, SVG or PDF, so an export is what the view shows.
class Figure {
public:
    virtual ~Figure() = default;
    // The size (in logical pixels at style.scale 1) at which labels are comfortably readable.
    virtual QSizeF naturalSize() const = 0;
    // Paints into `area`, which may have any size; nothing may be drawn outside it.
    virtual void paint(QPainter& painter, const QRectF& area) const = 0;
};

}  // namespace attnscope::ui
