#include "MatrixFigure.h"

#include <QFontMetricsF>
#include <QTransform>

#include <algorithm>
#include <cmath>

#include "CellPainter.h"
#include "ColorBarPainter.h"
#include "ColorMap.h"
#include "ColorScale.h"
#include "FigurePainting.h"
#include "LabelWidths.h"

namespace attnscope::ui {

namespace {

// Which cells are shown (zoom and pan), clamped to the matrix.
struct Window {
    int firstRow = 0, rows = 0, firstColumn = 0, columns = 0;
};

// The parts of the layout that do not depend on the cell size.
struct Frame : figure::AxisFrame {
    double pad = 2.0;
    double columnTitleHeight = 0.0;
    double rowTitleWidth = 0.0;
    double barBlock = 0.0;
    double barThickness = 0.0;
};

struct MatrixFigureLayout {
    QTransform toArea;  // logical -> area coordinates (a uniform shrink when the area is too small)
    QRectF bounds;      // the logical rectangle laid out
    QRectF grid;
    double cell = 0.0;
    int rowStride = 1;
    int columnStride = 1;
    bool columnsHorizontal = false;  // labels fit across their cells without rotating
    QFont labelFont, titleFont, axisFont;
    double rowLabelWidth = 0.0;
    double columnLabelHeight = 0.0;
    double labelGap = 0.0;
    double titleGap = 0.0;
    double margin = 0.0;
    QRectF title;
    QRectF colorBar;
};

}  // namespace

struct MatrixFigure::Impl {
    MatrixFigureData data;
    FigureStyle style;
    ColorMap colorMap = ColorMap::viridis();
    ColorScale scale;
    figure::LabelWidths rowWidths;     // label widths, measured once per font size
    figure::LabelWidths columnWidths;
    CellImageCache cells;

    Window window(int firstRow, int rowCount, int firstColumn, int columnCount) const;
    MatrixFigureLayout layout(const QRectF& area, const Window& w) const;
    MatrixFigureLayout layoutIn(const QRectF& bounds, const Window& w, bool* fits, QSizeF* needed) const;
    Frame frame() const;
    QString rowLabel(int r) const { return data.rowLabels.value(r, QStringLiteral("#%1").arg(r)); }
    QString columnLabel(int c) const { return data.columnLabels.value(c, QStringLiteral("#%1").arg(c)); }
    double widest(const figure::LabelWidths& widths, int first, int count, double pixels) const {
        return widths.widest(pixels, first, count);
    }
    // Row labels are as wide as the widest one, or the selected row's in bold.
    double widestRow(const Window& w, double pixels) const {
        double widest = rowWidths.widest(pixels, w.firstRow, w.rows);
        const int s = data.selectedRow;
        if (s >= w.firstRow && s < w.firstRow + w.rows) widest = std::max(widest, rowWidths.at(pixels, true)[static_cast<std::size_t>(s)]);
        return widest;
    }
};

MatrixFigure::MatrixFigure(MatrixFigureData data, FigureStyle style) {
    auto impl = std::make_shared<Impl>();
    impl->data = std::move(data);
    impl->style = std::move(style);
    impl->colorMap = ColorMap::forValues(impl->style.colorMap, impl->data.matrix.difference);
    impl->scale = ColorScale(impl->data.matrix, impl->style.scale, impl->style.normalization);
    QStringList rowLabels, columnLabels;
    for (int r = 0; r < impl->data.matrix.rows; ++r) rowLabels << impl->rowLabel(r);
    for (int c = 0; c < impl->data.matrix.cols; ++c) columnLabels << impl->columnLabel(c);
    impl->rowWidths = figure::LabelWidths(rowLabels);
    impl->columnWidths = figure::LabelWidths(columnLabels);
    d_ = std::move(impl);
}

const MatrixFigureData& MatrixFigure::data() const { return d_->data; }
const FigureStyle& MatrixFigure::style() const { return d_->style; }

void MatrixFigure::setVisibleCells(int firstRow, int rowCount, int firstColumn, int columnCount) {
    firstRow_ = firstRow;
    rowCount_ = rowCount;
    firstColumn_ = firstColumn;
    columnCount_ = columnCount;
}

Window MatrixFigure::Impl::window(int firstRow, int rowCount, int firstColumn, int columnCount) const {
    Window w;
    const int rows = data.matrix.rows;
    const int cols = data.matrix.cols;
    w.firstRow = std::clamp(firstRow, 0, std::max(0, rows - 1));
    w.rows = rowCount < 0 ? rows - w.firstRow : std::clamp(rowCount, 0, rows - w.firstRow);
    w.firstColumn = std::clamp(firstColumn, 0, std::max(0, cols - 1));
    w.columns = columnCount < 0 ? cols - w.firstColumn : std::clamp(columnCount, 0, cols - w.firstColumn);
    if (rows == 0 || cols == 0) w.rows = w.columns = 0;
    return w;
}

Frame MatrixFigure::Impl::frame() const {
    Frame f;
    static_cast<figure::AxisFrame&>(f) = figure::axisFrame(style, !data.title.isEmpty());
    const double base = f.base;
    f.pad = base * 0.2;
    f.columnTitleHeight = data.columnAxisTitle.isEmpty() ? 0.0 : f.axisTitleHeight;
    f.rowTitleWidth = data.rowAxisTitle.isEmpty() ? 0.0 : f.axisTitleHeight;
    if (style.showColorBar) {
        const ColorBarPainter bar(colorMap, scale, style);
        f.barThickness = bar.thickness();
        f.barBlock = base * 1.2 + f.barThickness + bar.besideWidth();
    }
    return f;
}

MatrixFigureLayout MatrixFigure::Impl::layoutIn(const QRectF& bounds, const Window& w, bool* fits, QSizeF* needed) const {
    MatrixFigureLayout l;
    l.bounds = bounds;
    const Frame f = frame();
    const double base = f.base;
    const double margin = f.margin;
    l.labelGap = f.labelGap;
    l.titleGap = f.titleGap;
    l.margin = f.margin;
    l.titleFont = f.titleFont;
    l.axisFont = f.axisFont;
    const QFontMetricsF titleMetrics(l.titleFont);
    const double titleHeight = f.titleHeight;
    const double columnTitleHeight = f.columnTitleHeight;
    const double rowTitleWidth = f.rowTitleWidth;
    const double barBlock = f.barBlock;
    const double barThickness = f.barThickness;

    const double width = bounds.width() - 2 * margin;
    const double height = bounds.height() - 2 * margin;
    const double rowLabelCap = std::clamp(width * 0.25, base * 3.0, base * 14.0);
    const double columnLabelCap = std::clamp(height * 0.25, base * 3.0, base * 14.0);
    const double maxPixels = f.maxPixels;
    const double minPixels = f.minPixels;
    const double pad = f.pad;

    // Label size depends on cell size, and cell size on the room labels leave: start from
    // the largest font and iterate until the font that suits the cells stops changing.
    double pixels = maxPixels;
    double cell = 0.0;
    for (int round = 0; round < 6; ++round) {
        const double lineHeight = QFontMetricsF(figure::font(pixels)).height();
        l.rowLabelWidth = std::min(widestRow(w, pixels) + pad, rowLabelCap);
        const double columnWidest = widest(columnWidths, w.firstColumn, w.columns, pixels) + pad;
        const double gridWidth = width - rowTitleWidth - l.rowLabelWidth - l.labelGap - barBlock;
        // Try horizontal column labels first (only when every one fits across its cell).
        double gridHeight = height - titleHeight - columnTitleHeight - lineHeight - l.labelGap;
        cell = std::min(gridWidth / std::max(1, w.columns), gridHeight / std::max(1, w.rows));
        l.columnsHorizontal = cell >= columnWidest + pad && cell > 0.0;
        if (l.columnsHorizontal) {
            l.columnLabelHeight = lineHeight;
        } else {
            l.columnLabelHeight = std::min(columnWidest, columnLabelCap);
            gridHeight = height - titleHeight - columnTitleHeight - l.columnLabelHeight - l.labelGap;
            cell = std::min(gridWidth / std::max(1, w.columns), gridHeight / std::max(1, w.rows));
        }
        const double fitting = std::clamp(std::floor(cell * 0.72), minPixels, maxPixels);
        if (std::abs(fitting - pixels) < 0.5) break;
        pixels = fitting;
    }
    l.labelFont = figure::font(pixels);
    const double lineHeight = QFontMetricsF(l.labelFont).height();
    // The smallest sensible figure has quarter-pixel cells (a raster device draws those as a
    // block-max image); needing more than the area means shrinking the whole figure.
    const double minCell = 0.25;
    const double fixedWidth = 2 * margin + rowTitleWidth + l.rowLabelWidth + l.labelGap + barBlock;
    const double fixedHeight = 2 * margin + titleHeight + columnTitleHeight + l.columnLabelHeight + l.labelGap;
    *needed = QSizeF(fixedWidth + minCell * w.columns, std::max(fixedHeight + minCell * w.rows, fixedHeight + base * 4.0));
    *fits = cell >= minCell && needed->width() <= bounds.width() + 0.5 && needed->height() <= bounds.height() + 0.5;
    cell = std::max(cell, minCell);
    if (cell >= 4.0) cell = std::floor(cell);  // whole pixels keep every cell the same size on screen
    l.cell = cell;
    l.rowStride = std::max(1, static_cast<int>(std::ceil(lineHeight * 0.95 / cell)));
    l.columnStride = l.columnsHorizontal ? 1 : l.rowStride;

    const double gridWidth = cell * w.columns;
    const double gridHeight = cell * w.rows;
    // A matrix of a row or two (a pooling probe) keeps a colour bar tall enough to read, within
    // the room the layout reserved for it (needed's base * 4).
    const double barHeight = std::max(gridHeight, std::min(base * 4.0, height - (fixedHeight - 2 * margin)));
    const double contentWidth = rowTitleWidth + l.rowLabelWidth + l.labelGap + gridWidth + barBlock;
    const double contentHeight = titleHeight + columnTitleHeight + l.columnLabelHeight + l.labelGap + std::max(gridHeight, barHeight);
    const double left = bounds.left() + margin + std::max(0.0, (width - contentWidth) / 2.0);
    const double top = bounds.top() + margin + std::max(0.0, (height - contentHeight) / 2.0);
    l.grid = QRectF(left + rowTitleWidth + l.rowLabelWidth + l.labelGap, top + titleHeight + columnTitleHeight + l.columnLabelHeight + l.labelGap,
                    gridWidth, gridHeight);
    // The title is centred on the grid but may use the whole width.
    const double titleWidth = std::min(bounds.width() - 2 * margin, titleMetrics.horizontalAdvance(data.title) + 4.0);
    const double titleLeft = std::clamp(l.grid.center().x() - titleWidth / 2.0, bounds.left() + margin,
                                        std::max(bounds.left() + margin, bounds.right() - margin - titleWidth));
    l.title = QRectF(titleLeft, top, titleWidth, titleMetrics.height());
    if (style.showColorBar) l.colorBar = QRectF(l.grid.right() + base * 1.2, l.grid.top(), barThickness, barHeight);
    return l;
}

MatrixFigureLayout MatrixFigure::Impl::layout(const QRectF& area, const Window& w) const {
    return figure::layoutShrunkToFit(area, [&](const QRectF& bounds, bool* fits, QSizeF* needed) { return layoutIn(bounds, w, fits, needed); });
}

QSizeF MatrixFigure::naturalSize() const {
    const Impl& d = *d_;
    const Window w = d.window(firstRow_, rowCount_, firstColumn_, columnCount_);
    const Frame f = d.frame();
    // Cells big enough for labels at the base size; everything else as layoutIn() places it.
    const double cell = std::round(std::max(f.base * 1.5, 12.0));
    const double pixels = std::clamp(std::floor(cell * 0.72), f.minPixels, f.maxPixels);
    const double lineHeight = QFontMetricsF(figure::font(pixels)).height();
    const double rowLabelWidth = std::min(d.widestRow(w, pixels) + f.pad, f.base * 14.0);
    const double columnWidest = d.widest(d.columnWidths, w.firstColumn, w.columns, pixels) + f.pad;
    const double columnLabelHeight = cell >= columnWidest + f.pad ? lineHeight : std::min(columnWidest, f.base * 14.0);
    double width = 2 * f.margin + f.rowTitleWidth + rowLabelWidth + f.labelGap + cell * w.columns + f.barBlock;
    const QFontMetricsF axisMetrics(f.axisFont);
    const double height = std::max(2 * f.margin + f.titleHeight + f.columnTitleHeight + columnLabelHeight + f.labelGap +
                                       std::max(cell * w.rows, f.base * 8.0),
                                   2 * f.margin + f.titleHeight + f.columnTitleHeight + axisMetrics.horizontalAdvance(d.data.rowAxisTitle) + f.base);
    width = std::max(width, 2 * f.margin + axisMetrics.horizontalAdvance(d.data.columnAxisTitle) + f.base);
    if (!d.data.title.isEmpty())
        width = std::max(width, 4 * f.margin + QFontMetricsF(f.titleFont).horizontalAdvance(d.data.title));
    return {std::ceil(width), std::ceil(height)};
}

void MatrixFigure::paint(QPainter& painter, const QRectF& area) const {
    const Impl& d = *d_;
    const Window w = d.window(firstRow_, rowCount_, firstColumn_, columnCount_);
    figure::PaintScope scope(painter, area, d.style, w.rows == 0 || w.columns == 0, QStringLiteral("No tokens to show"));
    if (scope.empty()) return;
    const MatrixFigureLayout l = d.layout(area, w);
    scope.enterLayout(l.toArea);

    const CellWindow cells{w.firstRow, w.rows, w.firstColumn, w.columns};
    if (!paintCellsAsImage(painter, l.grid.topLeft(), l.cell, d.data.matrix, cells, d.scale, d.colorMap, &d.cells))
        paintCells(painter, l.grid.topLeft(), l.cell, d.data.matrix, cells, d.scale, d.colorMap);

    const QColor muted = figure::mix(d.style.foreground, d.style.background, 0.3);
    const int selected = d.data.selectedRow;
    const bool selectedVisible = selected >= w.firstRow && selected < w.firstRow + w.rows;
    if (selectedVisible) {
        const QRectF row(l.grid.left(), l.grid.top() + (selected - w.firstRow) * l.cell, l.grid.width(), l.cell);
        figure::drawSelectionOutline(painter, row, d.style);
    }

    // Row labels (queries), right-aligned against the grid.
    const QFontMetricsF metrics(l.labelFont);
    const double lineHeight = metrics.height();
    QFont boldLabel = l.labelFont;
    boldLabel.setBold(true);
    for (int i = 0; i < w.rows; ++i) {
        const int r = w.firstRow + i;
        const bool isSelected = r == selected;
        if (r % l.rowStride != 0 && !isSelected) continue;
        const QFont& f = isSelected ? boldLabel : l.labelFont;
        painter.setFont(f);
        painter.setPen(d.style.foreground);
        const double centre = l.grid.top() + (i + 0.5) * l.cell;
        const QRectF box(l.grid.left() - l.labelGap - l.rowLabelWidth, centre - lineHeight / 2.0, l.rowLabelWidth, lineHeight);
        painter.drawText(box, Qt::AlignRight | Qt::AlignVCenter, QFontMetricsF(f).elidedText(d.rowLabel(r), Qt::ElideRight, box.width()));
    }

    // Column labels (keys): across their cells when they fit, else rotated to read upwards.
    painter.setFont(l.labelFont);
    painter.setPen(d.style.foreground);
    for (int j = 0; j < w.columns; ++j) {
        const int c = w.firstColumn + j;
        if (c % l.columnStride != 0) continue;
        const QString text = metrics.elidedText(d.columnLabel(c), Qt::ElideRight, l.columnsHorizontal ? l.cell : l.columnLabelHeight);
        const double centre = l.grid.left() + (j + 0.5) * l.cell;
        if (l.columnsHorizontal) {
            painter.drawText(QRectF(centre - l.cell / 2.0, l.grid.top() - l.labelGap - lineHeight, l.cell, lineHeight), Qt::AlignCenter, text);
            continue;
        }
        painter.save();
        painter.translate(centre, l.grid.top() - l.labelGap);
        painter.rotate(-90.0);
        painter.drawText(QRectF(0.0, -lineHeight / 2.0, l.columnLabelHeight, lineHeight), Qt::AlignLeft | Qt::AlignVCenter, text);
        painter.restore();
    }

    // Axis titles and the figure title.
    const QFontMetricsF axisMetrics(l.axisFont);
    painter.setPen(muted);
    // Axis titles are centred on the grid but may run past a small grid's ends.
    figure::drawAxisTitle(painter, d.data.columnAxisTitle, l.axisFont, Qt::Horizontal, l.grid.center().x(),
                          l.grid.top() - l.labelGap - l.columnLabelHeight - l.titleGap - axisMetrics.height(),
                          l.bounds.left() + l.margin, l.bounds.right() - l.margin);
    figure::drawAxisTitle(painter, d.data.rowAxisTitle, l.axisFont, Qt::Vertical, l.grid.center().y(),
                          l.grid.left() - l.labelGap - l.rowLabelWidth - l.titleGap - axisMetrics.height() / 2.0,
                          l.grid.top() - l.labelGap - l.columnLabelHeight, l.bounds.bottom() - l.margin);
    if (!d.data.title.isEmpty()) {
        painter.setPen(d.style.foreground);
        figure::drawCenteredText(painter, l.title, d.data.title, l.titleFont);
    }
    if (d.style.showColorBar) ColorBarPainter(d.colorMap, d.scale, d.style).paintVertical(painter, l.colorBar);
}

MatrixFigure::Hit MatrixFigure::hitTest(const QRectF& area, const QPointF& pos) const {
    const Window w = d_->window(firstRow_, rowCount_, firstColumn_, columnCount_);
    if (w.rows == 0 || w.columns == 0) return {};
    const MatrixFigureLayout l = d_->layout(area, w);
    const QPointF p = l.toArea.inverted().map(pos);
    if (l.cell <= 0.0 || p.x() < l.grid.left() || p.y() < l.grid.top() || p.x() >= l.grid.right() || p.y() >= l.grid.bottom()) return {};
    const int column = std::clamp(static_cast<int>((p.x() - l.grid.left()) / l.cell), 0, w.columns - 1);
    const int row = std::clamp(static_cast<int>((p.y() - l.grid.top()) / l.cell), 0, w.rows - 1);
    return {w.firstRow + row, w.firstColumn + column};
}

QRectF MatrixFigure::cellRect(const QRectF& area, int row, int column) const {
    const Window w = d_->window(firstRow_, rowCount_, firstColumn_, columnCount_);
    if (w.rows == 0 || w.columns == 0) return {};
    const MatrixFigureLayout l = d_->layout(area, w);
    const QRectF logical(l.grid.left() + (column - w.firstColumn) * l.cell, l.grid.top() + (row - w.firstRow) * l.cell, l.cell, l.cell);
    return l.toArea.mapRect(logical);
}

int MatrixFigure::labelStride(const QRectF& area) const {
    const Window w = d_->window(firstRow_, rowCount_, firstColumn_, columnCount_);
    if (w.rows == 0 || w.columns == 0) return 1;
    const MatrixFigureLayout l = d_->layout(area, w);
    return std::max(l.rowStride, l.columnStride);
}

QString MatrixFigure::toolTip(int row, int column) const {
    const auto& m = d_->data.matrix;
    if (row < 0 || row >= m.rows || column < 0 || column >= m.cols) return {};
    return QStringLiteral("%1 → %2: %3").arg(d_->rowLabel(row), d_->columnLabel(column), QString::number(m.at(row, column), 'f', 4));
}

}  // namespace attnscope::ui
