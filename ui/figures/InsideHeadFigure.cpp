#include "InsideHeadFigure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QTransform>

#include <algorithm>
#include <cmath>

#include "ColorMap.h"
#include "ColorScale.h"
#include "FigurePainting.h"

namespace attnscope::ui {

namespace {

// "0.12", "−0.40": a typographic minus, as the other figures' numbers.
QString number(double v, int decimals = 2) {
    const QString digits = QString::number(std::abs(v), 'f', decimals);
    return v < 0 && digits.toDouble() != 0.0 ? QStringLiteral("−") + digits : digits;
}

constexpr int kShownNumbers = 2;  // a vector's first numbers written beside its strip

// The columns, left to right, and the step each appears at.
enum Column { Label, Key, Dot, Scaled, Position, Softmax, Kept, Value, ColumnCount };

struct InsideHeadFigureLayout {
    QTransform toArea;
    QRectF bounds;
    QRectF title, stepLine;
    double left[ColumnCount + 1] = {};  // column edges
    double headerTop = 0.0, rowHeight = 0.0, firstRowTop = 0.0;
    QFont font, bold;
    bool rowText = true;
};

}  // namespace

InsideHeadFigureData insideHeadFigureData(const HeadCapture& capture, const QStringList& tokens, const HardSelection& selection,
                                          InsideStep step) {
    InsideHeadFigureData d;
    d.capture = capture;
    d.step = step;
    d.keyLabels = tokens;
    d.queryLabel = tokens.value(capture.query);
    d.title = QStringLiteral("Inside layer %1, head %2 — query “%3” (token %4)").arg(capture.layer).arg(capture.head).arg(d.queryLabel).arg(capture.query);
    // The engine's hard rule on the softmax row: what the hard view keeps of it.
    std::vector<float> row = capture.probabilities;
    applyHardSelection(row, 1, static_cast<int>(row.size()), selection);
    for (std::size_t i = 0; i < row.size(); ++i) d.kept.push_back(row[i] > 0.0f);
    switch (selection.rule) {
    case HardRule::TopK: d.ruleName = QStringLiteral("the top %1").arg(selection.k); break;
    case HardRule::Threshold: d.ruleName = QStringLiteral("weights ≥ %1").arg(number(selection.threshold)); break;
    case HardRule::Mass: d.ruleName = QStringLiteral("the fewest keys with %1% of the weight").arg(number(100.0 * selection.mass, 0)); break;
    }
    return d;
}

QString insideStepText(const InsideHeadFigureData& d) {
    const HeadCapture& c = d.capture;
    const QString query = d.queryLabel.isEmpty() ? QStringLiteral("the query") : QStringLiteral("“%1”").arg(d.queryLabel);
    switch (d.step) {
    case InsideStep::Vectors:
        return QStringLiteral("Step 1 of 6: %1 asks with its query vector q; every token offers a key vector k (%2 numbers each).")
            .arg(query)
            .arg(c.headDim);
    case InsideStep::DotProducts:
        return QStringLiteral("Step 2 of 6: each key's score is the dot product q·k — large when the two point the same way.");
    case InsideStep::Scaling: {
        QString text = QStringLiteral("Step 3 of 6: each score is multiplied by %1").arg(number(c.scale, 3));
        if (c.headDim > 0 && std::abs(c.scale - 1.0 / std::sqrt(double(c.headDim))) < 1e-6)
            text += QStringLiteral(" = 1/√%1").arg(c.headDim);
        if (c.softcap > 0) text += QStringLiteral(", then capped at ±%1 (tanh)").arg(number(c.softcap, 1));
        if (c.positionTerm) text += QStringLiteral(", and the position term is added");
        return text + QStringLiteral(".");
    }
    case InsideStep::Softmax:
        return QStringLiteral("Step 4 of 6: softmax turns the scores into weights that sum to 1 over the keys %1 may see.").arg(query);
    case InsideStep::Selection:
        return QStringLiteral("Step 5 of 6: hard attention keeps only the keys its rule picks (%1) and drops the rest.").arg(d.ruleName);
    case InsideStep::Output:
        return QStringLiteral("Step 6 of 6: the output is the weighted sum of the value vectors: Σ weight × v.");
    }
    return {};
}

struct InsideHeadFigure::Impl {
    InsideHeadFigureData data;
    FigureStyle style;
    ColorMap colorMap = ColorMap::diverging();
    float keySpan = 1.0f, valueSpan = 1.0f;  // the strips' symmetric ranges

    int keys() const { return static_cast<int>(data.capture.keys.rows()); }
    bool empty() const { return !data.capture.filled || keys() == 0; }
    bool shows(InsideStep step) const { return static_cast<int>(data.step) >= static_cast<int>(step); }
    bool visible(int k) const { return k >= data.capture.firstVisible && k < data.capture.lastVisible; }
    // Column widths in units of the label size; a hidden step's column keeps its room, so the
    // table does not move as the steps come.
    double width(Column c, double base, double labelWidth) const {
        switch (c) {
        case Label: return labelWidth;
        case Key: case Value: return base * 17.0;
        case Dot: case Scaled: return base * 4.6;
        case Position: return data.capture.positionTerm ? base * 4.6 : 0.0;
        case Softmax: return base * 9.0;
        case Kept: return base * 3.2;
        case ColumnCount: break;
        }
        return 0.0;
    }
    double labelWidth(const QFont& font) const {
        const QFontMetricsF m(font);
        double w = m.horizontalAdvance(QStringLiteral("output"));
        w = std::max(w, m.horizontalAdvance(QStringLiteral("q: ") + data.queryLabel));
        for (const QString& label : data.keyLabels) w = std::max(w, m.horizontalAdvance(label));
        return std::min(std::ceil(w) + 8.0, m.height() * 12.0);
    }
    InsideHeadFigureLayout layoutIn(const QRectF& bounds, bool* fits, QSizeF* needed) const;
    InsideHeadFigureLayout layout(const QRectF& area) const {
        return figure::layoutShrunkToFit(area, [&](const QRectF& b, bool* fits, QSizeF* needed) { return layoutIn(b, fits, needed); });
    }
    void paintVector(QPainter& painter, const QRectF& box, const float* values, int count, float span, bool text, const QFont& font) const;
};

InsideHeadFigure::InsideHeadFigure(InsideHeadFigureData data, FigureStyle style) {
    auto impl = std::make_shared<Impl>();
    impl->data = std::move(data);
    impl->style = std::move(style);
    const HeadCapture& c = impl->data.capture;
    const auto span = [](float s, const auto& values) {
        for (const float v : values) s = std::max(s, std::abs(v));
        return s;
    };
    float keySpan = span(0.0f, c.queryVector), valueSpan = span(0.0f, c.output);
    for (Eigen::Index k = 0; k < c.keys.rows(); ++k) {
        for (Eigen::Index j = 0; j < c.keys.cols(); ++j) keySpan = std::max(keySpan, std::abs(c.keys(k, j)));
        for (Eigen::Index j = 0; j < c.values.cols(); ++j) valueSpan = std::max(valueSpan, std::abs(c.values(k, j)));
    }
    impl->keySpan = keySpan > 0 ? keySpan : 1.0f;
    impl->valueSpan = valueSpan > 0 ? valueSpan : 1.0f;
    d_ = std::move(impl);
}

const InsideHeadFigureData& InsideHeadFigure::data() const { return d_->data; }

InsideHeadFigureLayout InsideHeadFigure::Impl::layoutIn(const QRectF& bounds, bool* fits, QSizeF* needed) const {
    InsideHeadFigureLayout l;
    l.bounds = bounds;
    const figure::AxisFrame f = figure::axisFrame(style, !data.title.isEmpty());
    const double headerLine = QFontMetricsF(figure::font(f.maxPixels)).height();
    const double top = bounds.top() + f.margin;
    l.title = QRectF(bounds.left() + f.margin, top, bounds.width() - 2 * f.margin, f.titleHeight);
    l.stepLine = QRectF(bounds.left() + f.margin, top + f.titleHeight, bounds.width() - 2 * f.margin, headerLine * 1.3);
    l.headerTop = l.stepLine.bottom() + f.labelGap;
    l.firstRowTop = l.headerTop + headerLine * 1.2;
    // Rows: the query, every key, a gap, the output. The numbers take the largest size that
    // fits a row, down to the smallest label size, so a classroom's large type still shows them.
    const int rows = keys() + 3;
    const double room = bounds.bottom() - f.margin - l.firstRowTop;
    l.rowHeight = std::min(room / rows, headerLine * 1.5);
    const double pixels = std::clamp(std::floor(l.rowHeight / 1.25), f.minPixels, f.maxPixels);
    l.font = figure::font(pixels);
    l.bold = figure::font(pixels, true);
    const double lineHeight = QFontMetricsF(l.font).height();
    l.rowText = l.rowHeight >= lineHeight * 0.9;
    // Columns in units of the numbers' size.
    const double labelWidth = this->labelWidth(l.font);
    double tableWidth = 0.0;
    for (int c = 0; c < ColumnCount; ++c) tableWidth += width(Column(c), pixels, labelWidth) + (c ? pixels * 0.6 : 0.0);
    const double left = bounds.left() + f.margin + std::max(0.0, (bounds.width() - 2 * f.margin - tableWidth) / 2.0);
    l.left[0] = left;
    for (int c = 0; c < ColumnCount; ++c) l.left[c + 1] = l.left[c] + width(Column(c), pixels, labelWidth) + pixels * 0.6;
    const double fixedHeight = l.firstRowTop - bounds.top() + f.margin;
    *needed = QSizeF(tableWidth + 2 * f.margin, fixedHeight + rows * 2.0);
    *fits = l.rowHeight >= 2.0 && tableWidth + 2 * f.margin <= bounds.width() + 0.5;
    l.rowHeight = std::max(l.rowHeight, 2.0);
    return l;
}

// A vector as a colour strip of all its numbers (diverging, zero white) with its first ones
// written after it, where the row has room for text.
void InsideHeadFigure::Impl::paintVector(QPainter& painter, const QRectF& box, const float* values, int count, float span, bool text,
                                         const QFont& font) const {
    if (count <= 0) return;
    const double stripWidth = text ? box.width() * 0.38 : box.width();
    const double cell = stripWidth / count;
    const ColorScale scale = ColorScale::symmetric(span, {});
    const QRectF strip(box.left(), box.top() + box.height() * 0.18, stripWidth, box.height() * 0.64);
    for (int j = 0; j < count; ++j)
        painter.fillRect(QRectF(strip.left() + j * cell, strip.top(), cell + 0.3, strip.height()), colorMap.colorAt(scale.position(0, values[j])));
    if (!text) return;
    QStringList shown;
    for (int j = 0; j < std::min(count, kShownNumbers); ++j) shown << number(values[j]);
    if (count > kShownNumbers) shown << QStringLiteral("…");
    painter.setFont(font);
    const QRectF room(strip.right() + 6.0, box.top(), box.right() - strip.right() - 6.0, box.height());
    painter.drawText(room, Qt::AlignLeft | Qt::AlignVCenter, QFontMetricsF(font).elidedText(shown.join(QLatin1Char(' ')), Qt::ElideRight, room.width()));
}

QSizeF InsideHeadFigure::naturalSize() const {
    const Impl& d = *d_;
    const figure::AxisFrame f = figure::axisFrame(d.style, !d.data.title.isEmpty());
    if (d.empty()) return {std::round(f.base * 30.0), std::round(f.base * 12.0)};
    const QFont font = figure::font(f.maxPixels);
    const double lineHeight = QFontMetricsF(font).height();
    double width = 2 * f.margin;
    for (int c = 0; c < ColumnCount; ++c) width += d.width(Column(c), f.maxPixels, d.labelWidth(font)) + (c ? f.maxPixels * 0.6 : 0.0);
    const double height = 2 * f.margin + f.titleHeight + lineHeight * 2.5 + f.labelGap + (d.keys() + 3) * lineHeight * 1.5;
    return {std::ceil(width), std::ceil(height)};
}

void InsideHeadFigure::paint(QPainter& painter, const QRectF& area) const {
    const Impl& d = *d_;
    figure::PaintScope scope(painter, area, d.style, d.empty(), QStringLiteral("Nothing inside to show"));
    if (scope.empty()) return;
    const InsideHeadFigureLayout l = d.layout(area);
    const figure::AxisFrame f = figure::axisFrame(d.style, !d.data.title.isEmpty());
    scope.enterLayout(l.toArea);
    const HeadCapture& c = d.data.capture;
    const QColor text = d.style.foreground;
    const QColor faint = figure::mix(d.style.foreground, d.style.background, 0.55);
    const double gap = l.font.pixelSize() * 0.6;
    const auto cell = [&](Column column, double top) { return QRectF(l.left[column], top, l.left[column + 1] - l.left[column] - gap, l.rowHeight); };

    painter.setPen(text);
    if (!d.data.title.isEmpty()) figure::drawCenteredText(painter, l.title, d.data.title, f.titleFont);
    const QFont stepFont = figure::font(f.maxPixels);
    painter.setFont(stepFont);
    painter.drawText(l.stepLine, Qt::AlignCenter, QFontMetricsF(stepFont).elidedText(insideStepText(d.data), Qt::ElideRight, l.stepLine.width()));

    // Headers, each with its step, at the numbers' size so that they keep to their columns.
    painter.setFont(l.bold);
    const double headerHeight = l.firstRowTop - l.headerTop;
    const QString scaledHeader = c.softcap > 0 ? QStringLiteral("capped × %1").arg(number(c.scale, 3)) : QStringLiteral("× %1").arg(number(c.scale, 3));
    const std::pair<Column, std::pair<InsideStep, QString>> headers[] = {
        {Label, {InsideStep::Vectors, QStringLiteral("token")}},      {Key, {InsideStep::Vectors, QStringLiteral("key k")}},
        {Dot, {InsideStep::DotProducts, QStringLiteral("q·k")}},      {Scaled, {InsideStep::Scaling, scaledHeader}},
        {Position, {InsideStep::Scaling, QStringLiteral("+ position")}}, {Softmax, {InsideStep::Softmax, QStringLiteral("softmax")}},
        {Kept, {InsideStep::Selection, QStringLiteral("hard")}},      {Value, {InsideStep::Output, QStringLiteral("value v")}},
    };
    for (const auto& [column, header] : headers) {
        if (!d.shows(header.first) || (column == Position && !c.positionTerm)) continue;
        const QRectF box(l.left[column], l.headerTop, l.left[column + 1] - l.left[column] - gap, headerHeight);
        painter.drawText(box, Qt::AlignLeft | Qt::AlignBottom, QFontMetricsF(l.bold).elidedText(header.second, Qt::ElideRight, box.width()));
    }

    // The query's row: its vector heads the key column.
    painter.setFont(l.bold);
    double top = l.firstRowTop;
    if (l.rowText) painter.drawText(cell(Label, top), Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("q: ") + d.data.queryLabel);
    d.paintVector(painter, cell(Key, top), c.queryVector.data(), c.headDim, d.keySpan, l.rowText, l.bold);

    // One row per key.
    const double barWidth = (l.left[Softmax + 1] - l.left[Softmax]) * 0.55;
    for (int k = 0; k < d.keys(); ++k) {
        top = l.firstRowTop + (k + 1) * l.rowHeight;
        const std::size_t i = static_cast<std::size_t>(k);
        const bool visible = d.visible(k);
        painter.setPen(visible ? text : faint);
        painter.setFont(l.font);
        if (l.rowText) painter.drawText(cell(Label, top), Qt::AlignLeft | Qt::AlignVCenter, d.data.keyLabels.value(k));
        d.paintVector(painter, cell(Key, top), c.keys.row(k).data(), c.headDim, d.keySpan, l.rowText, l.font);
        if (!visible) {
            if (d.shows(InsideStep::DotProducts) && l.rowText)
                painter.drawText(cell(Dot, top).united(cell(Scaled, top)), Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("masked: not seen"));
            continue;
        }
        painter.setFont(l.font);
        if (d.shows(InsideStep::DotProducts) && l.rowText) painter.drawText(cell(Dot, top), Qt::AlignRight | Qt::AlignVCenter, number(c.dots[i]));
        if (d.shows(InsideStep::Scaling) && l.rowText) {
            painter.drawText(cell(Scaled, top), Qt::AlignRight | Qt::AlignVCenter, number(c.scaled[i]));
            if (c.positionTerm) painter.drawText(cell(Position, top), Qt::AlignRight | Qt::AlignVCenter, number(c.scores[i] - c.scaled[i]));
        }
        if (d.shows(InsideStep::Softmax)) {
            const QRectF box = cell(Softmax, top);
            const double p = c.probabilities[i];
            const bool dropped = d.shows(InsideStep::Selection) && i < d.data.kept.size() && !d.data.kept[i];
            painter.fillRect(QRectF(box.left(), box.top() + box.height() * 0.2, barWidth, box.height() * 0.6), figure::withAlpha(faint, 0.35));
            painter.fillRect(QRectF(box.left(), box.top() + box.height() * 0.2, barWidth * p, box.height() * 0.6),
                             dropped ? faint : d.colorMap.colorAt(0.85));
            if (l.rowText)
                painter.drawText(QRectF(box.left() + barWidth + 6.0, box.top(), box.width() - barWidth - 6.0, box.height()),
                                 Qt::AlignLeft | Qt::AlignVCenter, number(100.0 * p, 1) + QStringLiteral("%"));
        }
        if (d.shows(InsideStep::Selection) && l.rowText && i < d.data.kept.size())
            painter.drawText(cell(Kept, top), Qt::AlignCenter, d.data.kept[i] ? QStringLiteral("✓") : QStringLiteral("·"));
        if (d.shows(InsideStep::Output)) d.paintVector(painter, cell(Value, top), c.values.row(k).data(), c.headDim, d.valueSpan, l.rowText, l.font);
    }

    // The output: the weighted sum, under the values.
    if (d.shows(InsideStep::Output)) {
        top = l.firstRowTop + (d.keys() + 2) * l.rowHeight;
        painter.setPen(QPen(text, std::max(1.0, d.style.lineWidth)));
        painter.drawLine(QPointF(l.left[Value], top - l.rowHeight * 0.3), QPointF(l.left[Value + 1] - gap, top - l.rowHeight * 0.3));
        painter.setFont(l.bold);
        if (l.rowText) {
            painter.drawText(cell(Label, top), Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("output"));
            painter.drawText(QRectF(l.left[Dot], top, l.left[Value] - l.left[Dot] - 2 * gap, l.rowHeight), Qt::AlignRight | Qt::AlignVCenter,
                             QStringLiteral("Σ weight × v ="));
        }
        d.paintVector(painter, cell(Value, top), c.output.data(), c.headDim, d.valueSpan, l.rowText, l.bold);
    }
}

}  // namespace attnscope::ui
