#pragma once
#include <QImage>
#include <QPointF>

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

// Cells of a raster device smaller than a pixel: drawn as a block-max image (see cellImage)
// instead of rectangles, which would sample and could drop thin structure. Returns false
// (and draws nothing) where rectangles are right: vector devices and cells of a pixel or more.
bool paintCellsAsImage(QPainter& painter, const QPointF& topLeft, double cell, const AttentionMatrix& matrix, const CellWindow& window,
                       const ColorScale& scale, const ColorMap& map);

}  // namespace attnscope::ui
