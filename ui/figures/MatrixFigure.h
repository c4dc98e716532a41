#pragma once
#include "Figure.h"
#include "FigureData.h"

namespace attnscope::ui {

// Heatmap of one attention matrix: keys on x (labels rotated and elided as needed), queries
// on y, a colour bar with ticks, an optional highlighted query row.
class MatrixFigure : public Figure {
public:
    struct Hit {
        int row = -1;     // matrix row (query) under the point, -1 outside the cells
        int column = -1;  // matrix column (key)
        bool isValid() const { return row >= 0 && column >= 0; }
    };

    MatrixFigure(MatrixFigureData data, FigureStyle style);

    // Zoom and pan: paint only this window of cells (default: all of them).
    void setVisibleCells(int firstRow, int rowCount, int firstColumn, int columnCount);

    QSizeF naturalSize() const override;
    void paint(QPainter& painter, const QRectF& area) const override;

    Hit hitTest(const QRectF& area, const QPointF& pos) const;
    QRectF cellRect(const QRectF& area, int row, int column) const;
    // 1 when every query and key label is drawn in `area`; n when only every n-th fits.
    int labelStride(const QRectF& area) const;
    // "query → key: 0.1234"
    QString toolTip(int row, int column) const;
    const MatrixFigureData& data() const;
    const FigureStyle& style() const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d_;  // shared: figures are cheap to copy between views and exports
    int firstRow_ = 0, rowCount_ = -1, firstColumn_ = 0, columnCount_ = -1;
};

}  // namespace attnscope::ui
