#include "AttributionFigure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QTransform>

#include <algorithm>
#include <cmath>

#include "ColorBarPainter.h"
#include "ColorMap.h"
#include "ColorScale.h"
#include "FigurePainting.h"
#include "analysis/LogitAttribution.h"
#include "model/HeadAblation.h"

namespace attnscope::ui {

namespace {

// "+3.35", "−0.07": the sign always shown (it is the point), two decimals below 10.
QString signedNumber(double v) {
    const QString digits = QString::number(std::abs(v), 'f', std::abs(v) < 10.0 ? 2 : 1);
    return (v < 0 ? QStringLiteral("−") : QStringLiteral("+")) + digits;
}

struct AttributionFigureLayout {
    QTransform toArea;
    QRectF bounds;
    QRectF title, summary;
    QRectF heads;  // the head columns, from the first layer's row down (the embedding row is above)
    QRectF cross;  // the cross-attention head columns (empty without them), the same rows
    QRectF mlps;   // the MLP column, the same rows
    double cellWidth = 0.0, cellHeight = 0.0;
    double rowLabelWidth = 0.0;
    QFont labelFont, cellFont;
    bool cellText = true;
    QRectF colorBar;
};

constexpr double kMinCell = 2.0;

}  // namespace

AttributionFigureData attributionFigureData(const LogitAttribution& a, const QString& target, const QString& distractor,
                                            const QString& positionLabel, const HeadAblation& switchedOff) {
    AttributionFigureData d;
    const QString what = distractor.isEmpty() ? QStringLiteral("“%1”").arg(target) : QStringLiteral("“%1” − “%2”").arg(target, distractor);
    d.title = positionLabel.isEmpty() ? QStringLiteral("Logit of %1, head by head").arg(what)
                                      : QStringLiteral("Logit of %1 at “%2”, head by head").arg(what, positionLabel);
    double heads = 0.0, cross = 0.0, mlps = 0.0;
    for (const double h : a.heads) heads += h;
    for (const double h : a.crossHeads) cross += h;
    for (const double m : a.mlps) mlps += m;
    const QString crossPart = a.hasCrossHeads() ? QStringLiteral(" + cross heads %1").arg(signedNumber(cross)) : QString();
    d.summary = QStringLiteral("logit %1 = heads %2%3 + MLPs %4 + embedding %5 + biases %6")
                    .arg(QString::number(a.total(), 'f', 2), signedNumber(heads), crossPart, signedNumber(mlps), signedNumber(a.embedding),
                         signedNumber(a.biases));
    if (a.softcap > 0) d.summary += QStringLiteral(" (before the softcap)");
    if (!switchedOff.empty()) d.summary += QStringLiteral(" · ") + QString::fromStdString(switchedOff.describe());
    d.layers = a.layers;
    d.heads = a.headsPerLayer;
    d.headShares = a.heads;
    d.crossShares = a.crossHeads;
    d.mlpShares = a.mlps;
    d.embedding = a.embedding;
    d.logit = a.total();
    // An encoder-decoder's grid is its decoder's: its decoder and cross heads are the ones shown.
    d.switchedOff = a.hasCrossHeads() ? switchedOff.decoderHeads : switchedOff.heads;
    d.switchedOffCross = switchedOff.crossHeads;
    return d;
}

struct AttributionFigure::Impl {
    AttributionFigureData data;
    FigureStyle style;
    ColorMap colorMap = ColorMap::diverging();
    ColorScale scale;

    bool empty() const {
        return data.layers <= 0 || data.heads <= 0 || data.headShares.size() != std::size_t(data.layers) * data.heads ||
               data.mlpShares.size() != std::size_t(data.layers) || (hasCross() && data.crossShares.size() != data.headShares.size());
    }
    bool hasCross() const { return !data.crossShares.empty(); }
    // Heads, the cross heads half a cell apart, then the MLP column half a cell apart.
    double columns() const { return data.heads + (hasCross() ? data.heads + 0.5 : 0.0) + 1.5; }
    bool holds(const AttributionCell& c) const {
        return c.layer < data.layers && c.head < data.heads && !(c.layer < 0 && c.head >= 0) && !(c.cross && (!hasCross() || c.head < 0));
    }
    int rows() const { return data.layers + 1; }  // the embedding's row first
    figure::AxisFrame frame() const { return figure::axisFrame(style, !data.title.isEmpty()); }
    double barBlock(const figure::AxisFrame& f) const {
        if (!style.showColorBar) return 0.0;
        const ColorBarPainter bar(colorMap, scale, style, scale.caption());
        return f.base * 1.2 + bar.thickness() + bar.besideWidth();
    }
    double summaryHeight(const figure::AxisFrame& f) const { return data.summary.isEmpty() ? 0.0 : f.axisTitleHeight + f.labelGap; }
    // A short grid (a two-layer model) still gets a colour bar tall enough for its ticks and caption.
    double barHeight(const figure::AxisFrame& f) const { return style.showColorBar ? f.base * 10.0 : 0.0; }
    double rowLabelWidth(const QFont& font) const {
        const QFontMetricsF m(font);
        double w = m.horizontalAdvance(QStringLiteral("embedding"));
        w = std::max(w, m.horizontalAdvance(QStringLiteral("layer %1").arg(data.layers - 1)));
        return std::ceil(w) + 4.0;
    }
    AttributionFigureLayout layoutIn(const QRectF& bounds, bool* fits, QSizeF* needed) const;
    AttributionFigureLayout layout(const QRectF& area) const {
        return figure::layoutShrunkToFit(area, [&](const QRectF& b, bool* fits, QSizeF* needed) { return layoutIn(b, fits, needed); });
    }
    QRectF cellIn(const AttributionFigureLayout& l, const AttributionCell& c) const {
        const double top = l.heads.top() + (c.layer + 1) * l.cellHeight;
        if (c.head < 0) return QRectF(l.mlps.left(), top, l.cellWidth, l.cellHeight);
        return QRectF((c.cross ? l.cross : l.heads).left() + c.head * l.cellWidth, top, l.cellWidth, l.cellHeight);
    }
    double share(const AttributionCell& c) const {
        if (c.layer < 0) return data.embedding;
        if (c.head < 0) return data.mlpShares[std::size_t(c.layer)];
        return (c.cross ? data.crossShares : data.headShares)[std::size_t(c.layer * data.heads + c.head)];
    }
    std::vector<AttributionCell> cells() const {
        std::vector<AttributionCell> out{{-1, -1}};
        for (int l = 0; l < data.layers; ++l) {
            for (int h = 0; h < data.heads; ++h) out.push_back({l, h});
            if (hasCross())
                for (int h = 0; h < data.heads; ++h) out.push_back({l, h, true});
            out.push_back({l, -1});
        }
        return out;
    }
};

AttributionFigure::AttributionFigure(AttributionFigureData data, FigureStyle style) {
    auto impl = std::make_shared<Impl>();
    impl->data = std::move(data);
    impl->style = std::move(style);
    double maxAbs = std::abs(impl->data.embedding);
    for (const double v : impl->data.headShares) maxAbs = std::max(maxAbs, std::abs(v));
    for (const double v : impl->data.crossShares) maxAbs = std::max(maxAbs, std::abs(v));
    for (const double v : impl->data.mlpShares) maxAbs = std::max(maxAbs, std::abs(v));
    impl->scale = ColorScale::symmetric(static_cast<float>(maxAbs > 0.0 ? maxAbs : 1.0), QStringLiteral("share of the logit"));
    d_ = std::move(impl);
}

const AttributionFigureData& AttributionFigure::data() const { return d_->data; }

double AttributionFigure::share(const AttributionCell& cell) const { return d_->share(cell); }

AttributionFigureLayout AttributionFigure::Impl::layoutIn(const QRectF& bounds, bool* fits, QSizeF* needed) const {
    AttributionFigureLayout l;
    l.bounds = bounds;
    const figure::AxisFrame f = frame();
    l.labelFont = figure::font(f.maxPixels);
    const QFontMetricsF labels(l.labelFont);
    l.rowLabelWidth = rowLabelWidth(l.labelFont);
    const double columnLabels = labels.height() + f.labelGap;
    const double top = bounds.top() + f.margin;
    const double fixedWidth = 2 * f.margin + l.rowLabelWidth + f.labelGap + barBlock(f);
    const double fixedHeight = 2 * f.margin + f.titleHeight + summaryHeight(f) + columnLabels;
    const double columns = this->columns();
    l.cellWidth = std::min((bounds.width() - fixedWidth) / columns, f.base * 6.0);
    l.cellHeight = std::min((bounds.height() - fixedHeight) / rows(), f.base * 2.6);
    *needed = QSizeF(fixedWidth + kMinCell * columns, fixedHeight + std::max(kMinCell * rows(), barHeight(f)));
    *fits = l.cellWidth >= kMinCell && l.cellHeight >= kMinCell;
    l.cellWidth = std::max(kMinCell, l.cellWidth >= 4.0 ? std::floor(l.cellWidth) : l.cellWidth);
    l.cellHeight = std::max(kMinCell, l.cellHeight >= 4.0 ? std::floor(l.cellHeight) : l.cellHeight);
    // The numbers at the label size where they fit, smaller down to the smallest label size.
    double pixels = f.maxPixels;
    while (pixels > f.minPixels && QFontMetricsF(figure::font(pixels)).horizontalAdvance(QStringLiteral("−0.00")) > l.cellWidth - 4.0)
        pixels -= 1.0;
    l.cellFont = figure::font(pixels);
    const QFontMetricsF cellMetrics(l.cellFont);
    l.cellText = cellMetrics.horizontalAdvance(QStringLiteral("−0.00")) <= l.cellWidth - 2.0 && cellMetrics.height() <= l.cellHeight;

    const double gridWidth = l.cellWidth * columns;
    const double contentWidth = l.rowLabelWidth + f.labelGap + gridWidth + barBlock(f);
    const double left = bounds.left() + f.margin + std::max(0.0, (bounds.width() - 2 * f.margin - contentWidth) / 2.0);
    const double gridTop = top + f.titleHeight + summaryHeight(f) + columnLabels;
    l.heads = QRectF(left + l.rowLabelWidth + f.labelGap, gridTop, l.cellWidth * data.heads, l.cellHeight * rows());
    const double afterHeads = hasCross() ? l.heads.right() + l.cellWidth * (data.heads + 1.0) : l.heads.right() + l.cellWidth * 0.5;
    if (hasCross()) l.cross = QRectF(l.heads.right() + l.cellWidth * 0.5, gridTop, l.cellWidth * data.heads, l.cellHeight * rows());
    l.mlps = QRectF(afterHeads, gridTop, l.cellWidth, l.cellHeight * rows());
    const double width = bounds.width() - 2 * f.margin;
    l.title = QRectF(bounds.left() + f.margin, top, width, f.titleHeight);
    l.summary = QRectF(bounds.left() + f.margin, top + f.titleHeight, width, f.axisTitleHeight);
    if (style.showColorBar)
        l.colorBar = QRectF(l.mlps.right() + f.base * 1.2, gridTop, ColorBarPainter(colorMap, scale, style).thickness(),
                            std::max(l.heads.height(), std::min(barHeight(f), bounds.bottom() - f.margin - gridTop)));
    return l;
}

QSizeF AttributionFigure::naturalSize() const {
    const Impl& d = *d_;
    const figure::AxisFrame f = d.frame();
    if (d.empty()) return {std::round(f.base * 30.0), std::round(f.base * 12.0)};
    const QFont font = figure::font(f.maxPixels);
    const double cellWidth = std::ceil(QFontMetricsF(font).horizontalAdvance(QStringLiteral("−00.00")) + f.base);
    const double cellHeight = std::round(f.base * 2.0);
    double width = 2 * f.margin + d.rowLabelWidth(font) + f.labelGap + cellWidth * d.columns() + d.barBlock(f);
    width = std::max(width, 2 * f.margin + QFontMetricsF(f.titleFont).horizontalAdvance(d.data.title) + 8.0);
    width = std::max(width, 2 * f.margin + QFontMetricsF(f.axisFont).horizontalAdvance(d.data.summary) + 8.0);
    const double height = 2 * f.margin + f.titleHeight + d.summaryHeight(f) + QFontMetricsF(font).height() + f.labelGap +
                          std::max(cellHeight * d.rows(), d.barHeight(f));
    return {std::ceil(width), std::ceil(height)};
}

void AttributionFigure::paint(QPainter& painter, const QRectF& area) const {
    const Impl& d = *d_;
    figure::PaintScope scope(painter, area, d.style, d.empty(), QStringLiteral("No attribution to show"));
    if (scope.empty()) return;
    const AttributionFigureLayout l = d.layout(area);
    const figure::AxisFrame f = d.frame();
    scope.enterLayout(l.toArea);

    // Cells with a hairline of background between them, and their numbers where they fit.
    const double gap = std::min(l.cellWidth, l.cellHeight) >= 8.0 ? 1.0 : 0.0;
    painter.setFont(l.cellFont);
    for (const AttributionCell& c : d.cells()) {
        const QRectF cell = d.cellIn(l, c);
        const QColor fill = d.colorMap.colorAt(d.scale.position(0, static_cast<float>(d.share(c))));
        painter.fillRect(cell.adjusted(gap / 2, gap / 2, -gap / 2, -gap / 2), fill);
        if (l.cellText) {
            painter.setPen(figure::textColorOn(fill));
            painter.drawText(cell, Qt::AlignCenter, signedNumber(d.share(c)));
        }
    }
    // Heads switched off: crossed out, as in the model view.
    painter.setPen(QPen(figure::withAlpha(d.style.foreground, 0.6), std::max(1.0, d.style.lineWidth)));
    const auto crossOut = [&](const std::vector<std::pair<int, int>>& heads, bool cross) {
        for (const auto& [layer, head] : heads) {
            if (!d.holds({layer, head, cross})) continue;
            const QRectF cell = d.cellIn(l, {layer, head, cross}).adjusted(3, 3, -3, -3);
            painter.drawLine(cell.topLeft(), cell.bottomRight());
            painter.drawLine(cell.topRight(), cell.bottomLeft());
        }
    };
    crossOut(d.data.switchedOff, false);
    crossOut(d.data.switchedOffCross, true);
    if (d.data.selected && d.holds({d.data.selected->first, d.data.selected->second, d.data.selectedCross}))
        figure::drawSelectionOutline(painter, d.cellIn(l, {d.data.selected->first, d.data.selected->second, d.data.selectedCross}), d.style);

    // Row labels, column labels, title, summary and colour bar.
    painter.setPen(d.style.foreground);
    painter.setFont(l.labelFont);
    const double lineHeight = QFontMetricsF(l.labelFont).height();
    const double labelLeft = l.heads.left() - f.labelGap - l.rowLabelWidth;
    for (int row = 0; row < d.rows(); ++row) {
        const QString text = row == 0 ? QStringLiteral("embedding") : QStringLiteral("layer %1").arg(row - 1);
        const double centre = l.heads.top() + (row + 0.5) * l.cellHeight;
        if (l.cellHeight >= lineHeight * 0.8 || row % 2 == 1)
            painter.drawText(QRectF(labelLeft, centre - lineHeight / 2, l.rowLabelWidth, lineHeight), Qt::AlignRight | Qt::AlignVCenter, text);
    }
    const double labelTop = l.heads.top() - f.labelGap - lineHeight;
    const QFontMetricsF metrics(l.labelFont);
    const auto labelHeads = [&](const QRectF& columns, const QString& wide, const QString& narrow) {
        for (int h = 0; h < d.data.heads; ++h) {
            const QString text = l.cellWidth >= metrics.horizontalAdvance(wide.arg(QStringLiteral("00"))) ? wide.arg(h) : narrow.arg(h);
            if (metrics.horizontalAdvance(text) <= l.cellWidth * 1.8 || h % 2 == 0)
                painter.drawText(QRectF(columns.left() + h * l.cellWidth - l.cellWidth, labelTop, l.cellWidth * 3, lineHeight), Qt::AlignCenter, text);
        }
    };
    labelHeads(l.heads, QStringLiteral("head %1"), QStringLiteral("%1"));
    if (d.hasCross()) labelHeads(l.cross, QStringLiteral("cross %1"), QStringLiteral("×%1"));
    painter.drawText(QRectF(l.mlps.left() - l.cellWidth, labelTop, l.cellWidth * 3, lineHeight), Qt::AlignCenter, QStringLiteral("MLP"));
    if (!d.data.title.isEmpty()) figure::drawCenteredText(painter, l.title, QFontMetricsF(f.titleFont).elidedText(d.data.title, Qt::ElideRight, l.title.width()), f.titleFont);
    painter.setPen(figure::mix(d.style.foreground, d.style.background, 0.3));
    if (!d.data.summary.isEmpty())
        figure::drawCenteredText(painter, l.summary, QFontMetricsF(f.axisFont).elidedText(d.data.summary, Qt::ElideRight, l.summary.width()), f.axisFont);
    if (d.style.showColorBar) ColorBarPainter(d.colorMap, d.scale, d.style, d.scale.caption()).paintVertical(painter, l.colorBar);
}

std::optional<AttributionCell> AttributionFigure::hitTest(const QRectF& area, const QPointF& pos) const {
    const Impl& d = *d_;
    if (d.empty()) return std::nullopt;
    const AttributionFigureLayout l = d.layout(area);
    const QPointF p = l.toArea.inverted().map(pos);
    for (const AttributionCell& c : d.cells())
        if (d.cellIn(l, c).contains(p)) return c;
    return std::nullopt;
}

QRectF AttributionFigure::cellRect(const QRectF& area, const AttributionCell& cell) const {
    const Impl& d = *d_;
    if (d.empty() || !d.holds(cell)) return {};
    const AttributionFigureLayout l = d.layout(area);
    return l.toArea.mapRect(d.cellIn(l, cell));
}

QString AttributionFigure::toolTip(const AttributionCell& cell) const {
    const Impl& d = *d_;
    if (d.empty() || !d.holds(cell)) return {};
    const QString what = cell.layer < 0  ? QStringLiteral("The embedding")
                         : cell.head < 0 ? QStringLiteral("Layer %1's MLP").arg(cell.layer)
                         : cell.cross    ? QStringLiteral("Layer %1, cross-attention head %2").arg(cell.layer).arg(cell.head)
                                         : QStringLiteral("Layer %1, head %2").arg(cell.layer).arg(cell.head);
    const double v = d.share(cell);
    QString text = QStringLiteral("%1: %2").arg(what, signedNumber(v));
    if (std::abs(d.data.logit) > 1e-9)
        text += QStringLiteral(" (%1% of the logit %2)").arg(QString::number(100.0 * v / d.data.logit, 'f', 0), QString::number(d.data.logit, 'f', 2));
    if (cell.head >= 0) text += QStringLiteral("\nClick to select it in every view");
    return text;
}

}  // namespace attnscope::ui
