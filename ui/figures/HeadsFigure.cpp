#include "HeadsFigure.h"

#include <QFontMetricsF>
#include <QPainterPath>
#include <QTransform>

#include <algorithm>
#include <array>
#include <cmath>

#include "FigurePainting.h"
#include "LabelWidths.h"

namespace attnscope::ui {

namespace {

constexpr float kSelectedFloor = 0.005f;  // weights below this draw no line (invisible anyway)
constexpr float kAllRowsFloor = 0.02f;    // with every row drawn faintly, skip the faintest

struct LegendItem {
    int head;
    QRectF box;  // swatch and text
};

struct HeadsFigureLayout {
    QTransform toArea;
    QRectF bounds;
    QRectF title;
    std::vector<LegendItem> legend;
    double legendSwatch = 0.0;
    QFont titleFont, legendFont, headerFont, labelFont, boldLabelFont;
    QRectF leftColumn;   // label boxes, right-aligned inside
    QRectF rightColumn;  // label boxes, left-aligned inside
    double headerY = 0.0;
    double rowHeight = 0.0;
    double top = 0.0;    // y of the first row's top
    int stride = 1;
    double lineGap = 0.0;  // between a label and where its lines start

    double rowCentre(int i) const { return top + (i + 0.5) * rowHeight; }
};

}  // namespace

struct HeadsFigure::Impl {
    HeadsFigureData data;
    FigureStyle style;
    figure::LabelWidths leftWidths, rightWidths;

    int rows() const { return data.heads.empty() ? 0 : data.heads.front().rows; }
    int cols() const { return data.heads.empty() ? 0 : data.heads.front().cols; }
    bool enabled(int h) const { return h >= 0 && (h >= static_cast<int>(data.enabled.size()) || data.enabled[h]); }
    QString leftLabel(int i) const { return data.leftLabels.value(i, QStringLiteral("#%1").arg(i)); }
    QString rightLabel(int i) const { return data.rightLabels.value(i, QStringLiteral("#%1").arg(i)); }
    HeadsFigureLayout layout(const QRectF& area) const;
    HeadsFigureLayout layoutIn(const QRectF& bounds, QSizeF* needed) const;
    QSizeF natural() const;
};

QColor HeadsFigure::headColor(int head, int headCount) {
    // Paul Tol's "muted" qualitative scheme: distinguishable with colour-vision deficiency.
    static const std::array<QRgb, 9> muted = {0x332288, 0xCC6677, 0x117733, 0x88CCEE, 0xAA4499,
                                              0x44AA99, 0x999933, 0x882255, 0xDDCC77};
    if (head < 0) return Qt::gray;
    if (headCount <= static_cast<int>(muted.size())) return QColor::fromRgb(muted[static_cast<std::size_t>(head) % muted.size()]);
    // More heads than any qualitative scheme can keep apart: evenly spaced hues, alternating
    // lightness so neighbours differ.
    const double hue = std::fmod(head / static_cast<double>(headCount), 1.0);
    return QColor::fromHslF(static_cast<float>(hue), 0.65f, head % 2 == 0 ? 0.42f : 0.55f);
}

HeadsFigure::HeadsFigure(HeadsFigureData data, FigureStyle style) {
    auto impl = std::make_shared<Impl>();
    impl->data = std::move(data);
    impl->style = std::move(style);
    QStringList left, right;
    for (int i = 0; i < impl->rows(); ++i) left << impl->leftLabel(i);
    for (int i = 0; i < impl->cols(); ++i) right << impl->rightLabel(i);
    impl->leftWidths = figure::LabelWidths(left);
    impl->rightWidths = figure::LabelWidths(right);
    d_ = std::move(impl);
}

const HeadsFigureData& HeadsFigure::data() const { return d_->data; }

HeadsFigureLayout HeadsFigure::Impl::layoutIn(const QRectF& bounds, QSizeF* needed) const {
    HeadsFigureLayout l;
    l.bounds = bounds;
    const double base = figure::basePixels(style);
    const double margin = std::round(base * 0.8);
    l.titleFont = figure::font(base * 1.25, true);
    l.legendFont = figure::font(base * 0.9);
    l.headerFont = figure::font(base);
    const QFontMetricsF titleMetrics(l.titleFont);
    const QFontMetricsF legendMetrics(l.legendFont);
    const QFontMetricsF headerMetrics(l.headerFont);
    const double width = bounds.width() - 2 * margin;
    double y = bounds.top() + margin;
    if (!data.title.isEmpty()) {
        l.title = QRectF(bounds.left() + margin, y, width, titleMetrics.height());
        y += titleMetrics.height() + base * 0.5;
    }

    // Legend: one swatch and "head h" per enabled head, wrapped and centred.
    l.legendSwatch = std::round(base * 0.8);
    const double itemGap = base * 1.2;
    std::vector<std::vector<LegendItem>> lines(1);
    double lineWidth = 0.0;
    const int headCount = static_cast<int>(data.heads.size());
    for (int h = 0; h < headCount; ++h) {
        if (!enabled(h)) continue;
        const double w = l.legendSwatch + base * 0.35 + legendMetrics.horizontalAdvance(QStringLiteral("head %1").arg(h));
        if (!lines.back().empty() && lineWidth + itemGap + w > width) {
            lines.emplace_back();
            lineWidth = 0.0;
        }
        lineWidth += (lines.back().empty() ? 0.0 : itemGap) + w;
        lines.back().push_back({h, QRectF(0, 0, w, legendMetrics.height())});
    }
    double legendWidest = 0.0;
    for (auto& line : lines) {
        if (line.empty()) continue;
        double total = -itemGap;
        for (const auto& item : line) total += item.box.width() + itemGap;
        legendWidest = std::max(legendWidest, total);
        double x = bounds.left() + margin + std::max(0.0, (width - total) / 2.0);
        for (auto& item : line) {
            item.box.moveTo(x, y);
            x += item.box.width() + itemGap;
            l.legend.push_back(item);
        }
        y += legendMetrics.height() * 1.2;
    }
    if (!l.legend.empty()) y += base * 0.4;

    // Column headers, then the token rows.
    l.headerY = y;
    y += headerMetrics.height() + base * 0.3;
    const int n = std::max(rows(), cols());
    const double rowsHeight = bounds.bottom() - margin - y;
    l.rowHeight = n > 0 ? std::min(rowsHeight / n, base * 1.7) : 0.0;
    const double pixels = std::clamp(std::floor(l.rowHeight * 0.72), std::max(5.0, std::round(base * 0.65)), std::round(base * 1.1));
    l.labelFont = figure::font(pixels);
    l.boldLabelFont = figure::font(pixels, true);
    const QFontMetricsF labelMetrics(l.labelFont);
    l.stride = l.rowHeight > 0 ? std::max(1, static_cast<int>(std::ceil(labelMetrics.height() * 0.95 / l.rowHeight))) : 1;
    l.top = y;
    l.lineGap = base * 0.5;

    const double cap = std::clamp(width * 0.3, base * 4.0, base * 14.0);
    // The selected token is bold: leave room for bold on the left.
    const double leftWidth = std::min(leftWidths.widest(pixels, 0, -1, true) + base * 0.5, cap);
    const double rightWidth = std::min(rightWidths.widest(pixels) + base * 0.3, cap);
    const double minZone = base * 6.0;
    const double zone = std::clamp(width - leftWidth - rightWidth - 2 * l.lineGap, minZone, base * 24.0);
    const double total = leftWidth + rightWidth + 2 * l.lineGap + zone;
    const double left = bounds.left() + margin + std::max(0.0, (width - total) / 2.0);
    l.leftColumn = QRectF(left, l.top, leftWidth, l.rowHeight * n);
    l.rightColumn = QRectF(left + leftWidth + 2 * l.lineGap + zone, l.top, rightWidth, l.rowHeight * n);

    // Centre everything vertically when the rows leave room to spare.
    const double spare = std::max(0.0, (rowsHeight - l.rowHeight * n) / 2.0);
    if (spare > 0.0) {
        l.title.translate(0.0, spare);
        for (auto& item : l.legend) item.box.translate(0.0, spare);
        l.headerY += spare;
        l.top += spare;
        l.leftColumn.translate(0.0, spare);
        l.rightColumn.translate(0.0, spare);
    }
    const double minRow = 1.0;
    *needed = QSizeF(std::max(2 * margin + leftWidth + rightWidth + 2 * l.lineGap + minZone, 2 * margin + legendWidest),
                     (y - bounds.top()) + margin + minRow * n);
    return l;
}

HeadsFigureLayout HeadsFigure::Impl::layout(const QRectF& area) const {
    QSizeF needed;
    HeadsFigureLayout l = layoutIn(area, &needed);
    if (needed.width() <= area.width() + 0.5 && needed.height() <= area.height() + 0.5) return l;
    const double s = std::min({1.0, area.width() / needed.width(), area.height() / needed.height()});
    if (!(s > 0.0)) return l;
    l = layoutIn(QRectF(0, 0, area.width() / s, area.height() / s), &needed);
    l.toArea = QTransform(s, 0, 0, s, area.left(), area.top());
    return l;
}

QSizeF HeadsFigure::Impl::natural() const {
    const double base = figure::basePixels(style);
    const int n = std::max(rows(), cols());
    const double pixels = std::round(base * 1.1);
    const double leftWidth = std::min(leftWidths.widest(pixels, 0, -1, true) + base * 0.5, base * 14.0);
    const double rightWidth = std::min(rightWidths.widest(pixels) + base * 0.3, base * 14.0);
    const double width = std::max(base * 36.0, 2 * base * 0.8 + leftWidth + rightWidth + base * 19.0);
    // The fixed part (title, legend, headers) measured by a layout at that width.
    QSizeF needed;
    layoutIn(QRectF(0, 0, width, 100000.0), &needed);
    return {std::ceil(width), std::ceil(needed.height() - n * 1.0 + n * base * 1.7)};
}

QSizeF HeadsFigure::naturalSize() const { return d_->natural(); }

void HeadsFigure::paint(QPainter& painter, const QRectF& area) const {
    const Impl& d = *d_;
    figure::PaintScope scope(painter, area, d.style, d.rows() == 0 || d.cols() == 0, QStringLiteral("No tokens to show"));
    if (scope.empty()) return;
    const HeadsFigureLayout l = d.layout(area);
    scope.enterLayout(l.toArea);
    const QColor muted = figure::mix(d.style.foreground, d.style.background, 0.3);
    const int headCount = static_cast<int>(d.data.heads.size());

    if (!d.data.title.isEmpty()) {
        painter.setPen(d.style.foreground);
        figure::drawCenteredText(painter, l.title, d.data.title, l.titleFont);
    }
    painter.setFont(l.legendFont);
    for (const auto& item : l.legend) {
        const QRectF swatch(item.box.left(), item.box.center().y() - l.legendSwatch / 2.0, l.legendSwatch, l.legendSwatch);
        painter.fillRect(swatch, headColor(item.head, headCount));
        painter.setPen(d.style.foreground);
        painter.drawText(QRectF(swatch.right() + l.legendSwatch * 0.45, item.box.top(), item.box.width(), item.box.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("head %1").arg(item.head));
    }
    if (l.legend.empty()) {
        painter.setPen(muted);
        painter.drawText(QRectF(l.bounds.left(), l.headerY - QFontMetricsF(l.legendFont).height() * 1.3, l.bounds.width(),
                                QFontMetricsF(l.legendFont).height()),
                         Qt::AlignCenter, QStringLiteral("No heads selected"));
    }
    const QFontMetricsF headerMetrics(l.headerFont);
    painter.setPen(muted);
    painter.setFont(l.headerFont);
    painter.drawText(QRectF(l.leftColumn.left() - l.bounds.width(), l.headerY, l.leftColumn.width() + l.bounds.width(), headerMetrics.height()),
                     Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("Query"));
    painter.drawText(QRectF(l.rightColumn.left(), l.headerY, l.rightColumn.width() + l.bounds.width(), headerMetrics.height()),
                     Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("Key"));

    // Lines: from the selected query to every key, or from every query faintly.
    const int selected = d.data.selectedToken >= 0 && d.data.selectedToken < d.rows() ? d.data.selectedToken : -1;
    const double x0 = l.leftColumn.right() + l.lineGap;
    const double x1 = l.rightColumn.left() - l.lineGap;
    const double baseWidth = std::max(0.5, d.style.lineWidth) * std::clamp(l.rowHeight / 12.0, 0.5, 1.5);
    for (int h = 0; h < headCount; ++h) {
        if (!d.enabled(h)) continue;
        const AttentionMatrix& m = d.data.heads[static_cast<std::size_t>(h)];
        const int firstRow = selected >= 0 ? selected : 0;
        const int lastRow = selected >= 0 ? selected + 1 : m.rows;
        for (int r = firstRow; r < lastRow; ++r) {
            for (int c = 0; c < m.cols; ++c) {
                // A difference's line says by its colour which input (or head, or layer) gives
                // the key more weight, and by its width how much more.
                const float w = m.difference ? std::abs(m.at(r, c)) : m.at(r, c);
                const QColor colour = m.difference ? figure::signedInk(m.at(r, c)) : headColor(h, headCount);
                if (w < (selected >= 0 ? kSelectedFloor : kAllRowsFloor)) continue;
                const double alpha = selected >= 0 ? 0.15 + 0.85 * w : 0.08 + 0.35 * w;
                painter.setPen(QPen(figure::withAlpha(colour, alpha), baseWidth * (selected >= 0 ? 0.8 + 2.2 * w : 0.6 + w),
                                    Qt::SolidLine, Qt::RoundCap));
                painter.drawLine(QPointF(x0, l.rowCentre(r)), QPointF(x1, l.rowCentre(c)));
            }
        }
    }

    // Token labels.
    const QFontMetricsF labelMetrics(l.labelFont);
    const double lineHeight = labelMetrics.height();
    for (int i = 0; i < d.rows(); ++i) {
        const bool isSelected = i == selected;
        if (i % l.stride != 0 && !isSelected) continue;
        const QFont& f = isSelected ? l.boldLabelFont : l.labelFont;
        const QFontMetricsF metrics(f);
        const QRectF box(l.leftColumn.left(), l.rowCentre(i) - lineHeight / 2.0, l.leftColumn.width(), lineHeight);
        const QString text = metrics.elidedText(d.leftLabel(i), Qt::ElideRight, box.width());
        if (isSelected) {
            const double w = metrics.horizontalAdvance(text) + lineHeight * 0.5;
            painter.setPen(Qt::NoPen);
            painter.setBrush(figure::mix(d.style.foreground, d.style.background, 0.85));
            painter.drawRoundedRect(QRectF(box.right() - w + lineHeight * 0.15, box.top(), w, box.height()), lineHeight * 0.2, lineHeight * 0.2);
        }
        painter.setFont(f);
        painter.setPen(d.style.foreground);
        painter.drawText(box, Qt::AlignRight | Qt::AlignVCenter, text);
    }
    painter.setFont(l.labelFont);
    painter.setPen(d.style.foreground);
    for (int i = 0; i < d.cols(); ++i) {
        if (i % l.stride != 0) continue;
        const QRectF box(l.rightColumn.left(), l.rowCentre(i) - lineHeight / 2.0, l.rightColumn.width(), lineHeight);
        painter.drawText(box, Qt::AlignLeft | Qt::AlignVCenter, labelMetrics.elidedText(d.rightLabel(i), Qt::ElideRight, box.width()));
    }
}

HeadsFigure::Hit HeadsFigure::hitTest(const QRectF& area, const QPointF& pos) const {
    const Impl& d = *d_;
    if (d.rows() == 0) return {};
    const HeadsFigureLayout l = d.layout(area);
    const QPointF p = l.toArea.inverted().map(pos);
    const int i = l.rowHeight > 0 ? static_cast<int>(std::floor((p.y() - l.top) / l.rowHeight)) : -1;
    const double slack = l.lineGap;
    if (p.x() >= l.leftColumn.left() - slack && p.x() <= l.leftColumn.right() + slack && i >= 0 && i < d.rows())
        return {Side::Left, i};
    if (p.x() >= l.rightColumn.left() - slack && p.x() <= l.rightColumn.right() + slack && i >= 0 && i < d.cols())
        return {Side::Right, i};
    return {};
}

}  // namespace attnscope::ui
