#include "HeatmapView.h"

#include <QFontMetricsF>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {

constexpr double kMargin = 10.0;
constexpr double kLabelGap = 6.0;      // between labels and the grid
constexpr double kTitleGap = 4.0;      // between an axis title and its labels
constexpr double kBarGap = 16.0;       // between the grid and the colour bar
constexpr double kBarWidth = 14.0;
constexpr double kTickLength = 4.0;
constexpr int kMinLabelPixels = 9;     // smaller token labels are not readable
constexpr int kMaxLabelPixels = 15;

// Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten.
std::vector<double> niceTicks(double lo, double hi, int* decimals) {
    *decimals = 0;
    if (!(hi > lo)) return {lo};
    const double raw = (hi - lo) / 4.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / magnitude;
    const double step = (norm < 1.5 ? 1.0 : norm < 3.0 ? 2.0 : norm < 7.0 ? 5.0 : 10.0) * magnitude;
    *decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
    std::vector<double> ticks;
    for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-6; v += step) ticks.push_back(v);
    return ticks;
}

double widestText(const QStringList& texts, const QFontMetricsF& metrics) {
    double widest = 0.0;
    for (const QString& text : texts) widest = std::max(widest, metrics.horizontalAdvance(text));
    return widest;
}

}  // namespace

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent), colorStrip_(colorMap_.verticalStrip()) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    relayout();
}

QSize HeatmapView::sizeHint() const { return {720, 600}; }

QSize HeatmapView::minimumSizeHint() const { return {240, 200}; }

float HeatmapView::value(int row, int column) const {
    if (row < 0 || row >= rows_ || column < 0 || column >= columns_) return 0.0f;
    return values_[static_cast<std::size_t>(row) * columns_ + column];
}

double HeatmapView::scalePosition(float value) const {
    const double span = static_cast<double>(rangeMax_) - rangeMin_;
    return span > 0.0 ? (value - rangeMin_) / span : (value >= rangeMax_ ? 1.0 : 0.0);
}

QColor HeatmapView::colorOf(float value) const { return colorMap_.colorAt(scalePosition(value)); }

HeatmapView::Cell HeatmapView::cellAt(const QPoint& pos) const {
    const QRectF& grid = layout_.grid;
    if (rows_ == 0 || columns_ == 0 || layout_.cell <= 0.0) return {};
    if (pos.x() < grid.left() || pos.y() < grid.top() || pos.x() >= grid.right() || pos.y() >= grid.bottom()) return {};
    const int column = std::clamp(static_cast<int>((pos.x() - grid.left()) / layout_.cell), 0, columns_ - 1);
    const int row = std::clamp(static_cast<int>((pos.y() - grid.top()) / layout_.cell), 0, rows_ - 1);
    return {row, column};
}

QRectF HeatmapView::cellRect(int row, int column) const {
    const double cell = layout_.cell;
    return {layout_.grid.left() + column * cell, layout_.grid.top() + row * cell, cell, cell};
}

QString HeatmapView::toolTipFor(int row, int column) const {
    const QString query = rowLabels_.value(row, QStringLiteral("#%1").arg(row));
    const QString key = columnLabels_.value(column, QStringLiteral("#%1").arg(column));
    return QStringLiteral("%1 → %2: %3").arg(query, key, QString::number(value(row, column), 'f', 4));
}

void HeatmapView::setMatrix(int rows, int columns, std::vector<float> values) {
    if (rows <= 0 || columns <= 0 || values.size() != static_cast<std::size_t>(rows) * columns) {
        rows = columns = 0;
        values.clear();
    }
    rows_ = rows;
    columns_ = columns;
    values_ = std::move(values);
    hovered_ = {};
    updateRange();
    recolor();
    relayout();
    update();
}

void HeatmapView::setTokens(const QStringList& rowLabels, const QStringList& columnLabels) {
    rowLabels_ = rowLabels;
    columnLabels_ = columnLabels;
    relayout();
    update();
}

void HeatmapView::setAxisTitles(const QString& rowTitle, const QString& columnTitle) {
    rowTitle_ = rowTitle;
    columnTitle_ = columnTitle;
    relayout();
    update();
}

void HeatmapView::setTitle(const QString& title) {
    title_ = title;
    relayout();
    update();
}

void HeatmapView::setColorMap(const ColorMap& map) {
    colorMap_ = map;
    colorStrip_ = colorMap_.verticalStrip();
    recolor();
    rescaleImage();
    update();
}

void HeatmapView::setValueRange(float min, float max) {
    autoRange_ = false;
    rangeMin_ = min;
    rangeMax_ = max;
    recolor();
    relayout();  // the colour bar's tick labels change
    update();
}

void HeatmapView::setAutoValueRange() {
    autoRange_ = true;
    updateRange();
    recolor();
    relayout();
    update();
}

void HeatmapView::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    update();
}

void HeatmapView::clear() {
    title_.clear();
    setTokens({}, {});
    setMatrix(0, 0, {});
}

void HeatmapView::updateRange() {
    if (!autoRange_) return;
    // Attention weights are probabilities: the scale starts at 0 so a cell's colour is
    // comparable within the map, and ends at the map's largest weight so weak heads still show.
    float lo = 0.0f;
    float hi = 0.0f;
    for (float v : values_) {
        if (std::isnan(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (!(hi > lo)) hi = lo + 1.0f;
    rangeMin_ = lo;
    rangeMax_ = hi;
}

void HeatmapView::recolor() {
    if (rows_ == 0) {
        cells_ = {};
        return;
    }
    cells_ = QImage(columns_, rows_, QImage::Format_RGB32);
    for (int r = 0; r < rows_; ++r) {
        auto* line = reinterpret_cast<QRgb*>(cells_.scanLine(r));
        const float* row = values_.data() + static_cast<std::size_t>(r) * columns_;
        for (int c = 0; c < columns_; ++c) line[c] = colorMap_.rgbAt(scalePosition(row[c]));
    }
}

void HeatmapView::relayout() {
    Layout layout;
    layout.tickFont = font();
    layout.titleFont = font();
    layout.labelFont = font();
    layout.headingFont = font();
    layout.headingFont.setBold(true);
    layout.headingFont.setPointSizeF(font().pointSizeF() * 1.15);

    int decimals = 0;
    const std::vector<double> tickValues = niceTicks(rangeMin_, rangeMax_, &decimals);
    QStringList tickTexts;
    for (double v : tickValues) tickTexts.append(QString::number(v, 'f', decimals));
    const QFontMetricsF tickMetrics(layout.tickFont);
    const double barBlock = kBarGap + kBarWidth + kTickLength + 4.0 + widestText(tickTexts, tickMetrics);

    const QFontMetricsF titleMetrics(layout.titleFont);
    const double rowTitleWidth = rowTitle_.isEmpty() ? 0.0 : titleMetrics.height() + kTitleGap;
    const double headingHeight = title_.isEmpty() ? 0.0 : QFontMetricsF(layout.headingFont).height() + 2 * kTitleGap;
    const double columnTitleHeight = headingHeight + (columnTitle_.isEmpty() ? 0.0 : titleMetrics.height() + kTitleGap);

    const double width = this->width() - 2 * kMargin;
    const double height = this->height() - 2 * kMargin;
    const double rowLabelCap = std::clamp(width * 0.22, 60.0, 220.0);
    const double columnLabelCap = std::clamp(height * 0.22, 60.0, 220.0);

    // Label size depends on cell size and cell size on the space labels leave: iterate
    // from the largest font until the font that fits the cells stops changing.
    int pixels = kMaxLabelPixels;
    double cell = 0.0;
    for (int round = 0; round < 4 && rows_ > 0; ++round) {
        layout.labelFont.setPixelSize(pixels);
        const QFontMetricsF metrics(layout.labelFont);
        layout.rowLabelWidth = std::min(widestText(rowLabels_, metrics) + 2.0, rowLabelCap);
        layout.columnLabelHeight = std::min(widestText(columnLabels_, metrics) + 2.0, columnLabelCap);
        const double gridWidth = width - rowTitleWidth - layout.rowLabelWidth - kLabelGap - barBlock;
        const double gridHeight = height - columnTitleHeight - layout.columnLabelHeight - kLabelGap;
        cell = std::max(0.0, std::min(gridWidth / columns_, gridHeight / rows_));
        const int fitting = std::clamp(static_cast<int>(cell * 0.62), kMinLabelPixels, kMaxLabelPixels);
        if (fitting == pixels) break;
        pixels = fitting;
    }
    layout.labelFont.setPixelSize(pixels);
    if (cell >= 4.0) cell = std::floor(cell);  // whole pixels keep every cell the same size
    layout.cell = cell;

    const double gridWidth = cell * columns_;
    const double gridHeight = cell * rows_;
    const double contentWidth = rowTitleWidth + layout.rowLabelWidth + kLabelGap + gridWidth + barBlock;
    const double contentHeight = columnTitleHeight + layout.columnLabelHeight + kLabelGap + gridHeight;
    const double left = kMargin + std::max(0.0, (width - contentWidth) / 2.0);
    const double top = kMargin + std::max(0.0, (height - contentHeight) / 2.0);
    layout.grid = QRectF(left + rowTitleWidth + layout.rowLabelWidth + kLabelGap,
                         top + columnTitleHeight + layout.columnLabelHeight + kLabelGap, gridWidth, gridHeight);

    const QFontMetricsF labelMetrics(layout.labelFont);
    for (const QString& label : rowLabels_) layout.rowTexts.append(labelMetrics.elidedText(label, Qt::ElideRight, layout.rowLabelWidth));
    for (const QString& label : columnLabels_)
        layout.columnTexts.append(labelMetrics.elidedText(label, Qt::ElideRight, layout.columnLabelHeight));
    const double lineHeight = labelMetrics.height();
    layout.heading = QRectF(layout.grid.left(), top, gridWidth, headingHeight - kTitleGap);
    layout.stride = cell > 0.0 ? std::max(1, static_cast<int>(std::ceil(lineHeight * 0.85 / cell))) : 1;

    layout.colorBar = QRectF(layout.grid.right() + kBarGap, layout.grid.top(), kBarWidth, gridHeight);
    const double span = static_cast<double>(rangeMax_) - rangeMin_;
    for (std::size_t i = 0; i < tickValues.size(); ++i) {
        const double t = span > 0.0 ? (tickValues[i] - rangeMin_) / span : 0.0;
        layout.ticks.push_back({layout.colorBar.bottom() - t * gridHeight, tickTexts[static_cast<qsizetype>(i)]});
    }

    layout_ = std::move(layout);
    rescaleImage();
}

void HeatmapView::rescaleImage() {
    const QSize size(static_cast<int>(std::lround(layout_.grid.width())), static_cast<int>(std::lround(layout_.grid.height())));
    if (cells_.isNull() || size.isEmpty()) {
        scaledCells_ = {};
        return;
    }
    scaledCells_ = QPixmap::fromImage(cells_.scaled(size, Qt::IgnoreAspectRatio, Qt::FastTransformation));
}

void HeatmapView::setHovered(Cell cell) {
    if (cell == hovered_) return;
    hovered_ = cell;
    emit cellHovered(cell.row, cell.column);
    update();
}

bool HeatmapView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const Cell cell = cellAt(help->pos());
        if (cell.isValid()) {
            QToolTip::showText(help->globalPos(), toolTipFor(cell.row, cell.column), this,
                               cellRect(cell.row, cell.column).toAlignedRect());
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return QWidget::event(event);
}

void HeatmapView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    relayout();
}

void HeatmapView::mouseMoveEvent(QMouseEvent* event) {
    setHovered(cellAt(event->position().toPoint()));
    QWidget::mouseMoveEvent(event);
}

void HeatmapView::leaveEvent(QEvent* event) {
    setHovered({});
    QWidget::leaveEvent(event);
}

void HeatmapView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) relayout();
    QWidget::changeEvent(event);
}

void HeatmapView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    if (rows_ == 0 || columns_ == 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    painter.drawPixmap(layout_.grid.topLeft(), scaledCells_);
    paintHeading(painter);
    paintAxisTitles(painter);
    paintRowLabels(painter);
    paintColumnLabels(painter);
    paintColorBar(painter);
    paintHover(painter);
}

void HeatmapView::paintRowLabels(QPainter& painter) const {
    painter.setFont(layout_.labelFont);
    const QFontMetricsF metrics(layout_.labelFont);
    const double lineHeight = metrics.height();
    const double width = layout_.rowLabelWidth;
    for (int r = 0; r < rows_ && r < layout_.rowTexts.size(); ++r) {
        const bool hovered = r == hovered_.row;
        if (r % layout_.stride != 0 && !hovered) continue;
        const double centre = layout_.grid.top() + (r + 0.5) * layout_.cell;
        const QRectF box(layout_.grid.left() - kLabelGap - width, centre - lineHeight / 2.0, width, lineHeight);
        if (hovered) {
            const double textWidth = metrics.horizontalAdvance(layout_.rowTexts[r]);
            painter.fillRect(QRectF(box.right() - textWidth - 3.0, box.top(), textWidth + 5.0, box.height()),
                             palette().color(QPalette::Highlight));
            painter.setPen(palette().color(QPalette::HighlightedText));
        } else {
            painter.setPen(palette().color(QPalette::Text));
        }
        painter.drawText(box, Qt::AlignRight | Qt::AlignVCenter, layout_.rowTexts[r]);
    }
}

void HeatmapView::paintColumnLabels(QPainter& painter) const {
    painter.setFont(layout_.labelFont);
    const QFontMetricsF metrics(layout_.labelFont);
    const double lineHeight = metrics.height();
    const double length = layout_.columnLabelHeight;
    for (int c = 0; c < columns_ && c < layout_.columnTexts.size(); ++c) {
        const bool hovered = c == hovered_.column;
        if (c % layout_.stride != 0 && !hovered) continue;
        painter.save();
        // Rotated to read upwards, starting at the grid's top edge.
        painter.translate(layout_.grid.left() + (c + 0.5) * layout_.cell, layout_.grid.top() - kLabelGap);
        painter.rotate(-90.0);
        const QRectF box(0.0, -lineHeight / 2.0, length, lineHeight);
        if (hovered) {
            const double textWidth = metrics.horizontalAdvance(layout_.columnTexts[c]);
            painter.fillRect(QRectF(-2.0, box.top(), textWidth + 5.0, box.height()), palette().color(QPalette::Highlight));
            painter.setPen(palette().color(QPalette::HighlightedText));
        } else {
            painter.setPen(palette().color(QPalette::Text));
        }
        painter.drawText(box, Qt::AlignLeft | Qt::AlignVCenter, layout_.columnTexts[c]);
        painter.restore();
    }
}

void HeatmapView::paintHeading(QPainter& painter) const {
    if (title_.isEmpty()) return;
    painter.setFont(layout_.headingFont);
    painter.setPen(palette().color(QPalette::Text));
    const QFontMetricsF metrics(layout_.headingFont);
    const QRectF& box = layout_.heading;
    // Centred on the grid, but allowed to be wider than a narrow grid.
    const double room = std::max(0.0, this->width() - 2 * kMargin);
    const double width = std::min(metrics.horizontalAdvance(title_) + 2.0, room);
    const double left = std::clamp(box.center().x() - width / 2.0, kMargin, std::max(kMargin, this->width() - kMargin - width));
    painter.drawText(QRectF(left, box.top(), width, box.height()), Qt::AlignCenter, metrics.elidedText(title_, Qt::ElideRight, width));
}

void HeatmapView::paintAxisTitles(QPainter& painter) const {
    painter.setFont(layout_.titleFont);
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const QFontMetricsF metrics(layout_.titleFont);
    const double lineHeight = metrics.height();
    const QRectF& grid = layout_.grid;
    if (!columnTitle_.isEmpty()) {
        const double y = grid.top() - kLabelGap - layout_.columnLabelHeight - kTitleGap - lineHeight;
        const QRectF box(grid.left(), y, grid.width(), lineHeight);
        painter.drawText(box, Qt::AlignCenter, metrics.elidedText(columnTitle_, Qt::ElideRight, box.width()));
    }
    if (!rowTitle_.isEmpty()) {
        const double x = grid.left() - kLabelGap - layout_.rowLabelWidth - kTitleGap - lineHeight / 2.0;
        painter.save();
        painter.translate(x, grid.center().y());
        painter.rotate(-90.0);
        const QRectF box(-grid.height() / 2.0, -lineHeight / 2.0, grid.height(), lineHeight);
        painter.drawText(box, Qt::AlignCenter, metrics.elidedText(rowTitle_, Qt::ElideRight, box.width()));
        painter.restore();
    }
}

void HeatmapView::paintColorBar(QPainter& painter) const {
    const QRectF& bar = layout_.colorBar;
    painter.save();
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(bar, colorStrip_);
    painter.restore();
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(bar);

    painter.setFont(layout_.tickFont);
    const QFontMetricsF metrics(layout_.tickFont);
    for (const Tick& tick : layout_.ticks) {
        painter.setPen(palette().color(QPalette::Text));
        painter.drawLine(QPointF(bar.right(), tick.y), QPointF(bar.right() + kTickLength, tick.y));
        const QRectF box(bar.right() + kTickLength + 4.0, tick.y - metrics.height() / 2.0, metrics.horizontalAdvance(tick.text) + 2.0,
                         metrics.height());
        painter.drawText(box, Qt::AlignLeft | Qt::AlignVCenter, tick.text);
    }
}

void HeatmapView::paintHover(QPainter& painter) const {
    if (!hovered_.isValid()) return;
    const QColor fill = colorOf(value(hovered_.row, hovered_.column));
    const bool dark = fill.lightnessF() < 0.55;
    painter.setPen(QPen(dark ? Qt::white : Qt::black, layout_.cell >= 8.0 ? 2.0 : 1.0));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(cellRect(hovered_.row, hovered_.column).adjusted(1, 1, -1, -1));
}

}  // namespace attnscope::ui
