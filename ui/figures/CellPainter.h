#pragma once
#include <QImage>
#include <QPointF>

#include <mutex>

#include "ColorMap.h"
#include "ColorScale.h"
#include "analysis/AttentionQuery.h"

class QPainter;

namespace attnscope::ui {

// Paints a window of a matrix as square cells. Each run of equal colour along a row is one
// filled rectangle (vector output in SVG and PDF), and every rectangle reaches a little under
// its right and lower neighbours, which paint over it, so viewers show no seams.
struct CellWindow {
    int firstRow = 0, rows = 0, firstColumn = 0, columns = 0;
};

void paintCells(QPainter& painter, const QPointF& topLeft, double cell, const AttentionMatrix& matrix, const CellWindow& window,
                const ColorScale& scale, const ColorMap& map);

// The whole matrix as an image for thumbnails smaller than their cell count: one pixel per
// cell, or, when the matrix has more than maxSide rows or columns, one pixel per block of
// cells coloured by the block's largest value, so thin structure (a diagonal) stays visible.
QImage cellImage(const AttentionMatrix& matrix, const ColorScale& scale, const ColorMap& map, int maxSide = 0);
QImage cellImage(const AttentionMatrix& matrix, const CellWindow& window, const ColorScale& scale, const ColorMap& map, int maxSide);

// The last cell image made for one window and size, so a repaint (hovering, a moved overlay)
// costs one drawImage instead of recolouring every cell. Figures are painted from the GUI
// thread and from export threads, hence the lock.
class CellImageCache {
public:
    QImage image(const AttentionMatrix& matrix, const CellWindow& window, const ColorScale& scale, const ColorMap& map,
                 int maxSide) const;

private:
    mutable std::mutex mutex_;
    mutable QImage image_;
    mutable CellWindow window_;
    mutable int maxSide_ = -1;
};

// On a raster device the cells are drawn as one image: one pixel per cell scaled up without
// smoothing when a cell covers a pixel or more (sharp edges, one blit instead of a rectangle
// per run), and a block-max image (see cellImage) when cells are smaller than a pixel, so
// thin structure is not sampled away. Returns false (and draws nothing) on vector devices
// (SVG, PDF), where rectangles are right.
bool paintCellsAsImage(QPainter& painter, const QPointF& topLeft, double cell, const AttentionMatrix& matrix, const CellWindow& window,
                       const ColorScale& scale, const ColorMap& map, const CellImageCache* cache = nullptr);

}  // namespace attnscope::ui
