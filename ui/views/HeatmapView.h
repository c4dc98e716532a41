#pragma once
#include <QPoint>

#include <optional>

#include "FigureView.h"
#include "MatrixFigure.h"

namespace attnscope::ui {

// The matrix view: the selected attention matrix as a heatmap (keys across, queries down,
// a colour bar), painted by MatrixFigure. Wheel or Ctrl+wheel and +/- zoom about the
// pointer, dragging pans, 0 shows everything again; clicking a cell selects its row's
// query token, Up/Down move that selection; hovering shows "query → key: 0.1234".
class HeatmapView : public FigureView {
    Q_OBJECT
public:
    explicit HeatmapView(AttentionSelection* selection, QWidget* parent = nullptr);

    // The figure as shown (zoom applied); nullptr when empty. Brings a hidden view up to date.
    const MatrixFigure* matrixFigure();
    int rows() const;
    int columns() const;
    float value(int row, int column) const;

    MatrixFigure::Hit cellAt(const QPointF& pos) const;
    QRectF cellRect(int row, int column) const;
    // 1 when every token label is drawn; n when only every n-th fits.
    int labelStride() const;
    QString toolTipFor(int row, int column) const;
    MatrixFigure::Hit hoveredCell() const { return {hovered().first, hovered().second}; }

    // The window of cells on screen: first row/column and how many.
    QRect visibleCells() const { return {firstColumn_, firstRow_, visibleColumns(), visibleRows()}; }
    bool isZoomed() const { return zoom_ > 1.0; }
    double zoom() const { return zoom_; }

public slots:
    void zoomIn();
    void zoomOut();
    void resetZoom();
    // Zooms by `factor` (> 1 in) keeping the cell under `pos` where it is.
    void zoomAt(const QPointF& pos, double factor);
    // Moves the window by whole cells.
    void panBy(int rows, int columns);
    // Restores a saved zoom window (a session): the factor and the first row and column.
    void setZoomWindow(double zoom, int firstRow, int firstColumn);

signals:
    // (-1, -1) when the pointer leaves the cells.
    void cellHovered(int row, int column);
    // The zoom window moved or changed size (x: first key column, y: first query row).
    void visibleCellsChanged(const QRect& window);

protected:
    void buildFigure(const FigureSource& source, const ViewRequest& request) override;
    void clearFigure() override;
    const Figure* currentFigure() const override;
    void paintOverlay(QPainter& painter) const override;
    HoverSpot spotAt(const QPointF& pos) const override;
    void hoverChanged(const HoverSpot& spot) override;

    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    int visibleRows() const;
    int visibleColumns() const;
    void applyWindow();
    void selectRow(int row);
    void stepSelectedQuery(int step);

    std::optional<MatrixFigure> figure_;
    double zoom_ = 1.0;  // 1: every cell; 2: half the rows and columns; ...
    int firstRow_ = 0;
    int firstColumn_ = 0;
    QSize windowShape_;  // the matrix shape the zoom window was made for
    QRect announcedWindow_;

    // A press becomes a click (select the row) unless it moves far enough to be a drag (pan).
    std::optional<QPointF> pressPos_;
    QPoint pressWindow_;  // firstColumn_, firstRow_ at the press
    bool dragging_ = false;
};

}  // namespace attnscope::ui
