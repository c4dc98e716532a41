#include "LensFigure.h"

#include <QFontMetricsF>
#include <QTransform>

#include <algorithm>
#include <cmath>

#include "ColorBarPainter.h"
#include "ColorMap.h"
#include "ColorScale.h"
#include "FigurePainting.h"
#include "LabelWidths.h"

namespace attnscope::ui {

namespace {

// The parts of the layout that do not depend on the cell size.
struct Frame : figure::AxisFrame {
    double pad = 3.0;
    double layerTitleWidth = 0.0;      // the rotated "layer" beside the layer labels
    double positionTitleHeight = 0.0;  // "input token" under the column labels
    double barBlock = 0.0;
    double barThickness = 0.0;
    double maxCellWidth = 120.0;   // wide cells say no more; the grid is centred instead
    double maxCellHeight = 26.0;   // rows only need room for a line of text
};

struct LensFigureLayout {
    QTransform toArea;  // logical -> area coordinates (a uniform shrink when the area is too small)
    QRectF bounds;      // the logical rectangle laid out
    QRectF grid;
    double cellWidth = 0.0;
    double cellHeight = 0.0;
    QFont labelFont;  // layer labels
    double lineHeight = 0.0;
    QFont columnFont;  // the input tokens: smaller than the layer labels where that lets them lie across
    QFont cellFont;   // the tokens in the cells: smaller than the labels where cells are narrow
    bool columnsHorizontal = true;
    bool cellText = true;  // rows tall enough for the tokens
    double rowLabelWidth = 0.0;
    double columnLabelHeight = 0.0;
    int rowStride = 1;
    int columnStride = 1;
    QRectF title;
    QRectF colorBar;
};

constexpr double kMinCell = 0.25;  // below this the figure is laid out larger and shrunk

QString layerLabel(int layer) { return QStringLiteral("L%1").arg(layer + 1); }

// A token as it fits `room`: whole; else without TokenLabel's word-start mark "␣" (the word
// matters more); else elided, keeping at least two characters; else nothing.
QString fittedToken(const QString& token, const QFontMetricsF& metrics, double room) {
    if (metrics.horizontalAdvance(token) <= room) return token;
    QString text = token;
    if (text.size() > 1 && text.front() == QChar(0x2423)) {
        text.remove(0, 1);
        if (metrics.horizontalAdvance(text) <= room) return text;
    }
    const QString elided = metrics.elidedText(text, Qt::ElideRight, room);
    return elided.size() >= 3 ? elided : QString();
}

}  // namespace

struct LensFigure::Impl {
    LensFigureData data;
    FigureStyle style;
    ColorMap colorMap = ColorMap::viridis();
    ColorScale scale;  // probabilities 0..1, linear: the colour bar's ticks
    figure::LabelWidths rowWidths;
    figure::LabelWidths columnWidths;
    figure::LabelWidths tokenWidths;  // the cells' top tokens, for the natural cell width

    int layers() const { return data.layers; }
    int positions() const { return data.positions(); }
    bool empty() const { return layers() <= 0 || positions() <= 0 || data.cells.size() < std::size_t(layers()) * positions(); }
    Frame frame() const;
    LensFigureLayout layout(const QRectF& area) const;
    LensFigureLayout layoutIn(const QRectF& bounds, bool* fits, QSizeF* needed) const;
    // Labels take the room of their bold form, which the selected layer and token get: a
    // click on a cell must not move the grid.
    double widestRow(double pixels) const { return rowWidths.widest(pixels, 0, -1, true); }
    double widestColumn(double pixels) const { return columnWidths.widest(pixels, 0, -1, true); }
    // The largest size, from `pixels` down to `minPixels`, at which nine tokens in ten fit `room`.
    double cellPixels(double pixels, double minPixels, double room) const {
        for (double p = pixels; p > minPixels; p -= 1.0) {
            const std::vector<double>& widths = tokenWidths.at(p);
            const auto fitting = std::count_if(widths.begin(), widths.end(), [&](double w) { return w <= room; });
            if (fitting >= 0.9 * static_cast<double>(widths.size())) return p;
        }
        return minPixels;
    }
    // Row index from the top of the grid: the last layer is the top row.
    int rowOf(int layer) const { return layers() - 1 - layer; }

    // The parts of the drawing, in the layout's coordinates (LensFigure::paint).
    void paintCells(QPainter& painter, const LensFigureLayout& l) const;
    void paintCellTokens(QPainter& painter, const LensFigureLayout& l, const Frame& f) const;
    void paintSelectedCell(QPainter& painter, const LensFigureLayout& l, std::optional<int> layer, std::optional<int> position) const;
    void paintLabels(QPainter& painter, const LensFigureLayout& l, const Frame& f, std::optional<int> selectedLayer,
                     std::optional<int> selectedPosition) const;
    void paintTitles(QPainter& painter, const LensFigureLayout& l, const Frame& f) const;
};

LensFigure::LensFigure(LensFigureData data, FigureStyle style) {
    auto impl = std::make_shared<Impl>();
    selectedLayer_ = data.selectedLayer;
    selectedPosition_ = data.selectedPosition;
    data.selectedLayer.reset();  // the figure's own selection is the one that counts
    data.selectedPosition.reset();
    impl->data = std::move(data);
    impl->style = std::move(style);
    impl->colorMap = ColorMap::byName(impl->style.colorMap);
    impl->scale = ColorScale(AttentionMatrix{}, ValueScale::Linear, Normalization::Global, 1.0f);
    QStringList rows, tokens;
    for (int l = 0; l < impl->layers(); ++l) rows << layerLabel(l);
    for (const LensCell& cell : impl->data.cells) tokens << cell.topToken;
    impl->rowWidths = figure::LabelWidths(rows);
    impl->columnWidths = figure::LabelWidths(impl->data.positionLabels);
    impl->tokenWidths = figure::LabelWidths(tokens);
    d_ = std::move(impl);
}

const LensFigureData& LensFigure::data() const { return d_->data; }
const FigureStyle& LensFigure::style() const { return d_->style; }
int LensFigure::layers() const { return d_->layers(); }
int LensFigure::positions() const { return d_->positions(); }

LensFigure LensFigure::withSelection(std::optional<int> layer, std::optional<int> position) const {
    LensFigure copy = *this;
    copy.selectedLayer_ = layer;
    copy.selectedPosition_ = position;
    return copy;
}

Frame LensFigure::Impl::frame() const {
    Frame f;
    static_cast<figure::AxisFrame&>(f) = figure::axisFrame(style, !data.title.isEmpty());
    const double base = f.base;
    f.pad = std::max(2.0, base * 0.3);
    f.layerTitleWidth = data.layerAxisTitle.isEmpty() ? 0.0 : f.axisTitleHeight;
    f.positionTitleHeight = data.positionAxisTitle.isEmpty() ? 0.0 : f.axisTitleHeight;
    if (style.showColorBar) {
        const ColorBarPainter bar(colorMap, scale, style, QStringLiteral("probability"));
        f.barThickness = bar.thickness();
        f.barBlock = base * 1.2 + f.barThickness + bar.besideWidth();
    }
    f.maxCellWidth = std::round(base * 10.0);
    f.maxCellHeight = std::round(base * 3.6);
    return f;
}

LensFigureLayout LensFigure::Impl::layoutIn(const QRectF& bounds, bool* fits, QSizeF* needed) const {
    LensFigureLayout l;
    l.bounds = bounds;
    const Frame f = frame();
    const int rows = layers();
    const int columns = positions();
    const double width = bounds.width() - 2 * f.margin;
    const double height = bounds.height() - 2 * f.margin;
    const double columnLabelCap = std::clamp(height * 0.3, f.base * 3.0, f.base * 12.0);
    const double fixedHeightBase = f.titleHeight + f.labelGap + f.positionTitleHeight;

    // The label size follows the row height, and the row height the room the labels leave:
    // start from the largest size and iterate until it stops changing.
    double pixels = f.maxPixels;
    double cellWidth = 0.0, cellHeight = 0.0;
    double columnPixels = pixels;
    for (int round = 0; round < 6; ++round) {
        l.lineHeight = QFontMetricsF(figure::font(pixels)).height();
        l.rowLabelWidth = widestRow(pixels) + f.pad;
        const double columnWidest = widestColumn(pixels) + f.pad;
        const double gridWidth = width - f.layerTitleWidth - l.rowLabelWidth - f.labelGap - f.barBlock;
        cellWidth = std::min(gridWidth / columns, f.maxCellWidth);
        // Input tokens lie across their columns at the largest size that fits, else stand
        // rotated at the label size.
        columnPixels = pixels;
        while (columnPixels > f.minPixels && cellWidth < widestColumn(columnPixels) + f.pad) columnPixels -= 1.0;
        l.columnsHorizontal = cellWidth >= widestColumn(columnPixels) + f.pad;
        if (!l.columnsHorizontal) columnPixels = pixels;
        l.columnLabelHeight = l.columnsHorizontal ? QFontMetricsF(figure::font(columnPixels)).height() : std::min(columnWidest, columnLabelCap);
        cellHeight = std::min((height - fixedHeightBase - l.columnLabelHeight) / rows, f.maxCellHeight);
        const double fitting = std::clamp(std::floor(cellHeight * 0.6), f.minPixels, f.maxPixels);
        if (std::abs(fitting - pixels) < 0.5) break;
        pixels = fitting;
    }
    l.labelFont = figure::font(pixels);
    l.lineHeight = QFontMetricsF(l.labelFont).height();
    l.columnFont = figure::font(columnPixels);
    const double fixedWidth = 2 * f.margin + f.layerTitleWidth + l.rowLabelWidth + f.labelGap + f.barBlock;
    const double fixedHeight = 2 * f.margin + fixedHeightBase + l.columnLabelHeight;
    *needed = QSizeF(fixedWidth + kMinCell * columns, fixedHeight + std::max(kMinCell * rows, f.base * 3.0));
    *fits = cellWidth >= kMinCell && cellHeight >= kMinCell && needed->width() <= bounds.width() + 0.5 &&
            needed->height() <= bounds.height() + 0.5;
    cellWidth = std::max(cellWidth, kMinCell);
    cellHeight = std::max(cellHeight, kMinCell);
    if (cellWidth >= 4.0) cellWidth = std::floor(cellWidth);  // whole pixels: every cell the same size on screen
    if (cellHeight >= 4.0) cellHeight = std::floor(cellHeight);
    l.cellWidth = cellWidth;
    l.cellHeight = cellHeight;
    l.cellFont = figure::font(cellPixels(pixels, f.minPixels, cellWidth - 2.0 * std::min(f.pad, cellWidth * 0.1)));
    l.cellText = cellHeight >= QFontMetricsF(l.cellFont).height() * 0.9;
    l.rowStride = std::max(1, static_cast<int>(std::ceil(l.lineHeight * 0.95 / cellHeight)));
    l.columnStride = l.columnsHorizontal ? 1 : std::max(1, static_cast<int>(std::ceil(l.lineHeight * 0.95 / cellWidth)));

    const double gridWidth = cellWidth * columns;
    const double gridHeight = cellHeight * rows;
    const double contentWidth = f.layerTitleWidth + l.rowLabelWidth + f.labelGap + gridWidth + f.barBlock;
    const double contentHeight = fixedHeightBase + gridHeight + l.columnLabelHeight;
    const double left = bounds.left() + f.margin + std::max(0.0, (width - contentWidth) / 2.0);
    const double top = bounds.top() + f.margin + std::max(0.0, (height - contentHeight) / 2.0);
    l.grid = QRectF(left + f.layerTitleWidth + l.rowLabelWidth + f.labelGap, top + f.titleHeight, gridWidth, gridHeight);
    // The title is centred on the grid but may use the whole width.
    const QFontMetricsF titleMetrics(f.titleFont);
    const double titleWidth = std::min(bounds.width() - 2 * f.margin, titleMetrics.horizontalAdvance(data.title) + 4.0);
    const double titleLeft = std::clamp(l.grid.center().x() - titleWidth / 2.0, bounds.left() + f.margin,
                                        std::max(bounds.left() + f.margin, bounds.right() - f.margin - titleWidth));
    l.title = QRectF(titleLeft, top, titleWidth, titleMetrics.height());
    if (style.showColorBar) l.colorBar = QRectF(l.grid.right() + f.base * 1.2, l.grid.top(), f.barThickness, gridHeight);
    return l;
}

LensFigureLayout LensFigure::Impl::layout(const QRectF& area) const {
    return figure::layoutShrunkToFit(area, [&](const QRectF& bounds, bool* fits, QSizeF* needed) { return layoutIn(bounds, fits, needed); });
}

QSizeF LensFigure::naturalSize() const {
    const Impl& d = *d_;
    const Frame f = d.frame();
    if (d.empty()) return {std::round(f.base * 30.0), std::round(f.base * 12.0)};
    // Rows with room for a line of text, columns as wide as the widest top token (within
    // reason: a rare long token is elided rather than widening every column).
    const double pixels = f.maxPixels;
    const double lineHeight = QFontMetricsF(figure::font(pixels)).height();
    const double cellHeight = std::round(f.base * 2.0);
    const double rowLabelWidth = d.widestRow(pixels) + f.pad;
    const double columnWidest = d.widestColumn(pixels) + f.pad;
    const double cellWidth =
        std::clamp(std::ceil(std::max(d.tokenWidths.widest(pixels) + 2 * f.pad, columnWidest + f.pad)), f.base * 3.0, f.base * 8.0);
    const double columnLabelHeight = cellWidth >= columnWidest + f.pad ? lineHeight : std::min(columnWidest, f.base * 12.0);
    double width = 2 * f.margin + f.layerTitleWidth + rowLabelWidth + f.labelGap + cellWidth * d.positions() + f.barBlock;
    const double height = 2 * f.margin + f.titleHeight + std::max(cellHeight * d.layers(), f.base * 6.0) + f.labelGap +
                          columnLabelHeight + f.positionTitleHeight;
    if (!d.data.title.isEmpty()) width = std::max(width, 4 * f.margin + QFontMetricsF(f.titleFont).horizontalAdvance(d.data.title));
    return {std::ceil(width), std::ceil(height)};
}

void LensFigure::paint(QPainter& painter, const QRectF& area) const {
    const Impl& d = *d_;
    figure::PaintScope scope(painter, area, d.style, d.empty(), QStringLiteral("No lens to show"));
    if (scope.empty()) return;
    const LensFigureLayout l = d.layout(area);
    const Frame f = d.frame();
    scope.enterLayout(l.toArea, false);
    d.paintCells(painter, l);
    d.paintCellTokens(painter, l, f);
    d.paintSelectedCell(painter, l, selectedLayer_, selectedPosition_);
    d.paintLabels(painter, l, f, selectedLayer_, selectedPosition_);
    d.paintTitles(painter, l, f);
}

// Cells, with a hairline of background between them where they are large enough to read as
// a table (neighbours of one colour stay apart).
void LensFigure::Impl::paintCells(QPainter& painter, const LensFigureLayout& l) const {
    const int rows = layers(), columns = positions();
    const double cw = l.cellWidth, ch = l.cellHeight;
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(Qt::NoPen);
    const double gap = std::min(cw, ch) >= 8.0 ? 1.0 : 0.0;
    const double overlapX = std::min(1.0, cw * 0.25);
    const double overlapY = std::min(1.0, ch * 0.25);
    for (int r = 0; r < rows; ++r) {
        const int layer = rowOf(r);
        for (int c = 0; c < columns; ++c) {
            // Without a gap each rectangle reaches a little under its right and lower neighbours,
            // which paint over it, so anti-aliasing viewers show no seams.
            const double right = gap > 0.0 || c + 1 == columns ? 0.0 : overlapX;
            const double below = gap > 0.0 || r + 1 == rows ? 0.0 : overlapY;
            const QRectF cell(l.grid.left() + c * cw + gap / 2.0, l.grid.top() + r * ch + gap / 2.0, cw - gap + right, ch - gap + below);
            painter.setBrush(colorMap.colorAt(data.cell(layer, c).probability));
            painter.drawRect(cell);
        }
    }
    painter.restore();
}

// The top tokens, where they fit: whole, else without the word-start mark, else elided to at
// least two characters.
void LensFigure::Impl::paintCellTokens(QPainter& painter, const LensFigureLayout& l, const Frame& f) const {
    if (!l.cellText) return;
    const double cw = l.cellWidth, ch = l.cellHeight;
    painter.setFont(l.cellFont);
    const QFontMetricsF metrics(l.cellFont);
    const double room = cw - 2.0 * std::min(f.pad, cw * 0.1);
    for (int r = 0; r < layers(); ++r) {
        const int layer = rowOf(r);
        for (int c = 0; c < positions(); ++c) {
            const LensCell& cell = data.cell(layer, c);
            const QString text = fittedToken(cell.topToken, metrics, room);
            if (text.isEmpty()) continue;
            painter.setPen(figure::textColorOn(colorMap.colorAt(cell.probability)));
            painter.drawText(QRectF(l.grid.left() + c * cw, l.grid.top() + r * ch, cw, ch), Qt::AlignCenter, text);
        }
    }
}

// The selected cell: two rings so the mark shows on the darkest and the lightest colours.
void LensFigure::Impl::paintSelectedCell(QPainter& painter, const LensFigureLayout& l, std::optional<int> layer, std::optional<int> position) const {
    if (!layer || !position || *layer < 0 || *layer >= layers() || *position < 0 || *position >= positions()) return;
    const QRectF cell(l.grid.left() + *position * l.cellWidth, l.grid.top() + rowOf(*layer) * l.cellHeight, l.cellWidth, l.cellHeight);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, true);
    figure::drawSelectionOutline(painter, cell, style);
    painter.restore();
}

// Layer labels right-aligned against the grid, and the input tokens under their columns
// (across when they fit, else rotated to read upwards); the selected ones in bold.
void LensFigure::Impl::paintLabels(QPainter& painter, const LensFigureLayout& l, const Frame& f, std::optional<int> selectedLayer,
                                   std::optional<int> selectedPosition) const {
    QFont bold = l.labelFont;
    bold.setBold(true);
    painter.setPen(style.foreground);
    for (int layer = 0; layer < layers(); ++layer) {
        const bool isSelected = selectedLayer == layer;
        if ((layers() - 1 - layer) % l.rowStride != 0 && !isSelected) continue;  // keep the top (last) layer's label
        painter.setFont(isSelected ? bold : l.labelFont);
        const double centre = l.grid.top() + (rowOf(layer) + 0.5) * l.cellHeight;
        const QRectF box(l.grid.left() - f.labelGap - l.rowLabelWidth, centre - l.lineHeight / 2.0, l.rowLabelWidth, l.lineHeight);
        painter.drawText(box, Qt::AlignRight | Qt::AlignVCenter, layerLabel(layer));
    }
    const double cw = l.cellWidth;
    for (int c = 0; c < positions(); ++c) {
        const bool isSelected = selectedPosition == c;
        if (c % l.columnStride != 0 && !isSelected) continue;
        QFont font = l.columnFont;
        font.setBold(isSelected);
        painter.setFont(font);
        const QFontMetricsF m(font);
        const double centre = l.grid.left() + (c + 0.5) * cw;
        const double top = l.grid.bottom() + f.labelGap;
        if (l.columnsHorizontal) {
            painter.drawText(QRectF(centre - cw / 2.0, top, cw, l.columnLabelHeight), Qt::AlignCenter,
                             m.elidedText(data.positionLabels[c], Qt::ElideRight, cw));
            continue;
        }
        painter.save();
        painter.translate(centre, top + l.columnLabelHeight);
        painter.rotate(-90.0);
        painter.drawText(QRectF(0.0, -l.lineHeight / 2.0, l.columnLabelHeight, l.lineHeight), Qt::AlignRight | Qt::AlignVCenter,
                         m.elidedText(data.positionLabels[c], Qt::ElideRight, l.columnLabelHeight));
        painter.restore();
    }
}

// Axis titles (centred on the grid, allowed past a small grid's ends), the title and the colour bar.
void LensFigure::Impl::paintTitles(QPainter& painter, const LensFigureLayout& l, const Frame& f) const {
    const QFontMetricsF axisMetrics(f.axisFont);
    painter.setPen(figure::mix(style.foreground, style.background, 0.3));
    figure::drawAxisTitle(painter, data.positionAxisTitle, f.axisFont, Qt::Horizontal, l.grid.center().x(),
                          l.grid.bottom() + f.labelGap + l.columnLabelHeight + f.titleGap, l.bounds.left() + f.margin,
                          l.bounds.right() - f.margin);
    figure::drawAxisTitle(painter, data.layerAxisTitle, f.axisFont, Qt::Vertical, l.grid.center().y(),
                          l.grid.left() - f.labelGap - l.rowLabelWidth - f.titleGap - axisMetrics.height() / 2.0,
                          l.bounds.top() + f.margin, l.bounds.bottom() - f.margin);
    if (!data.title.isEmpty()) {
        painter.setPen(style.foreground);
        figure::drawCenteredText(painter, l.title, data.title, f.titleFont);
    }
    if (style.showColorBar) {
        painter.setRenderHint(QPainter::Antialiasing, true);
        ColorBarPainter(colorMap, scale, style, QStringLiteral("probability")).paintVertical(painter, l.colorBar);
    }
}

std::optional<LensCellIndex> LensFigure::hitTest(const QRectF& area, const QPointF& pos) const {
    const Impl& d = *d_;
    if (d.empty()) return std::nullopt;
    const LensFigureLayout l = d.layout(area);
    const QPointF p = l.toArea.inverted().map(pos);
    if (p.x() < l.grid.left() || p.y() < l.grid.top() || p.x() >= l.grid.right() || p.y() >= l.grid.bottom()) return std::nullopt;
    const int column = std::clamp(static_cast<int>((p.x() - l.grid.left()) / l.cellWidth), 0, d.positions() - 1);
    const int row = std::clamp(static_cast<int>((p.y() - l.grid.top()) / l.cellHeight), 0, d.layers() - 1);
    return LensCellIndex{d.rowOf(row), column};
}

QRectF LensFigure::cellRect(const QRectF& area, int layer, int position) const {
    const Impl& d = *d_;
    if (d.empty() || layer < 0 || layer >= d.layers() || position < 0 || position >= d.positions()) return {};
    const LensFigureLayout l = d.layout(area);
    const QRectF logical(l.grid.left() + position * l.cellWidth, l.grid.top() + d.rowOf(layer) * l.cellHeight, l.cellWidth, l.cellHeight);
    return l.toArea.mapRect(logical);
}

QString LensFigure::toolTip(int layer, int position) const {
    const Impl& d = *d_;
    if (d.empty() || layer < 0 || layer >= d.layers() || position < 0 || position >= d.positions()) return {};
    const auto percent = [](float p) { return QString::number(100.0 * p, 'f', p >= 0.001f ? 1 : 3) + QLatin1Char('%'); };
    const LensCell& cell = d.data.cell(layer, position);
    QStringList lines{QStringLiteral("Layer %1 of %2, position %3 (“%4”)")
                          .arg(layer + 1)
                          .arg(d.layers())
                          .arg(position)
                          .arg(d.data.positionLabels[position])};
    lines << QStringLiteral("%1  %2").arg(cell.topToken, percent(cell.probability));
    for (const LensCandidate& c : cell.runnersUp) lines << QStringLiteral("%1  %2").arg(c.token, percent(c.probability));
    return lines.join(QLatin1Char('\n'));
}

}  // namespace attnscope::ui
