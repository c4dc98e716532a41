#include "AlignmentFigure.h"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <cmath>

#include "ColorMap.h"
#include "FigurePainting.h"

namespace attnscope::ui {

namespace {

constexpr float kSoftFloor = 0.01f;  // softer lines than this are invisible; skipping them keeps long inputs fast

// Where everything goes at the figure's natural size; paint() and targetAt() scale this into
// the area they are given, so the two always agree.
struct AlignmentFigureLayout {
    double width = 0.0, height = 0.0;
    QFont titleFont, captionFont, labelFont, boldFont;
    QRectF title, sourceCaption, targetCaption;
    std::vector<QRectF> source, target;  // one chip per token

    QTransform toArea(const QRectF& area) const {
        const double s = std::min({1.0, area.width() / width, area.height() / height});
        return QTransform::fromTranslate(area.left() + (area.width() - width * s) / 2.0, area.top() + (area.height() - height * s) / 2.0)
            .scale(s, s);
    }
};

// The width of a row of chips, one per label, `gap` apart.
double rowWidth(const QStringList& labels, const QFontMetricsF& metrics, double pad, double gap) {
    double w = -gap;
    for (const QString& label : labels) w += metrics.horizontalAdvance(label) + 2 * pad + gap;
    return std::max(w, 0.0);
}

// That row's chips, centred in `width` at height `top`.
std::vector<QRectF> chipRow(const QStringList& labels, const QFontMetricsF& metrics, double pad, double gap, double chipHeight,
                            double top, double width) {
    std::vector<QRectF> chips;
    double x = (width - rowWidth(labels, metrics, pad, gap)) / 2.0;
    for (const QString& label : labels) {
        const double w = metrics.horizontalAdvance(label) + 2 * pad;
        chips.emplace_back(x, top, w, chipHeight);
        x += w + gap;
    }
    return chips;
}

}  // namespace

struct AlignmentFigure::Impl {
    AlignmentFigureData data;
    FigureStyle style;
    AlignmentFigureLayout layout;

    bool empty() const { return data.matrix.rows == 0 || data.matrix.cols == 0; }
    void lay();
};

void AlignmentFigure::Impl::lay() {
    AlignmentFigureLayout& l = layout;
    const double base = figure::basePixels(style);
    const double margin = std::round(base * 0.8);
    l.titleFont = figure::font(base * 1.25, true);
    l.captionFont = figure::font(base * 0.9);
    l.labelFont = figure::font(base * 1.05);
    l.boldFont = figure::font(base * 1.05, true);
    const QFontMetricsF titleMetrics(l.titleFont), captionMetrics(l.captionFont), boldMetrics(l.boldFont);
    const double pad = base * 0.45, gap = base * 0.35, chipHeight = boldMetrics.height() + base * 0.4;
    // Bold widths for both rows, so that selecting a target token moves nothing.
    const double content = std::max(rowWidth(data.sourceLabels, boldMetrics, pad, gap), rowWidth(data.targetLabels, boldMetrics, pad, gap));
    l.width = std::ceil(std::max(content + 2 * margin, base * 30.0));
    const double inner = l.width - 2 * margin;
    double y = margin;
    if (!data.title.isEmpty()) {
        l.title = QRectF(margin, y, inner, titleMetrics.height());
        y += titleMetrics.height() + base * 0.6;
    }
    l.sourceCaption = QRectF(margin, y, inner, captionMetrics.height());
    y += captionMetrics.height() + base * 0.2;
    l.source = chipRow(data.sourceLabels, boldMetrics, pad, gap, chipHeight, y, l.width);
    // The lines' zone grows with the widest row, so long sentences keep readable slopes.
    y += chipHeight + std::clamp(content * 0.18, base * 7.0, base * 16.0);
    l.target = chipRow(data.targetLabels, boldMetrics, pad, gap, chipHeight, y, l.width);
    y += chipHeight + base * 0.2;
    l.targetCaption = QRectF(margin, y, inner, captionMetrics.height());
    l.height = std::ceil(y + captionMetrics.height() + margin);
}

AlignmentFigure::AlignmentFigure(AlignmentFigureData data, FigureStyle style) {
    auto impl = std::make_shared<Impl>();
    impl->data = std::move(data);
    impl->style = std::move(style);
    impl->lay();
    d_ = std::move(impl);
}

const AlignmentFigureData& AlignmentFigure::data() const { return d_->data; }

QSizeF AlignmentFigure::naturalSize() const {
    if (d_->empty()) return {400.0, 200.0};
    return {d_->layout.width, d_->layout.height};
}

int AlignmentFigure::targetAt(const QRectF& area, const QPointF& pos) const {
    if (d_->empty()) return -1;
    bool invertible = false;
    const QPointF p = d_->layout.toArea(area).inverted(&invertible).map(pos);
    if (!invertible) return -1;
    const auto& chips = d_->layout.target;
    for (std::size_t i = 0; i < chips.size(); ++i)
        if (chips[i].contains(p)) return static_cast<int>(i);
    return -1;
}

void AlignmentFigure::paint(QPainter& painter, const QRectF& area) const {
    const AlignmentFigureData& data = d_->data;
    const FigureStyle& style = d_->style;
    figure::PaintScope scope(painter, area, style, d_->empty(), QStringLiteral("No cross-attention to align"));
    if (scope.empty()) return;
    const AlignmentFigureLayout& l = d_->layout;
    scope.enterLayout(l.toArea(area));

    painter.setPen(style.foreground);
    if (!data.title.isEmpty()) figure::drawCenteredText(painter, l.title, data.title, l.titleFont);
    painter.setFont(l.captionFont);
    painter.setPen(figure::mix(style.foreground, style.background, 0.45));
    painter.drawText(l.sourceCaption, Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("Source (keys)"));
    painter.drawText(l.targetCaption, Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("Target (queries)"));

    // The lines: every row's, fainter when one target token is selected, then its own on top.
    const QColor ink = ColorMap::byName(style.colorMap).colorAt(0.2);
    const AttentionMatrix& m = data.matrix;
    const auto drawRow = [&](int r, double fade) {
        const QPointF to(l.target[static_cast<std::size_t>(r)].center().x(), l.target[static_cast<std::size_t>(r)].top());
        for (int c = 0; c < m.cols; ++c) {
            const float w = m.difference ? std::abs(m.at(r, c)) : m.at(r, c);
            if (!(w > (data.hard ? 0.0f : kSoftFloor))) continue;
            const QColor lineInk = m.difference ? figure::signedInk(m.at(r, c)) : ink;
            const double strength = data.hard ? 1.0 : std::min(1.0, static_cast<double>(w));
            const QPointF from(l.source[static_cast<std::size_t>(c)].center().x(), l.source[static_cast<std::size_t>(c)].bottom());
            painter.setPen(QPen(figure::withAlpha(lineInk, (data.hard ? 0.85 : 0.15 + 0.85 * strength) * fade),
                                style.lineWidth * (data.hard ? 2.2 : 0.6 + 3.0 * strength), Qt::SolidLine, Qt::RoundCap));
            painter.drawLine(from, to);
        }
    };
    // The views always have a query selected, so the other rows stay legible: the hard view's
    // one line per target token is the alignment itself.
    const bool focused = data.selectedRow >= 0 && data.selectedRow < m.rows;
    const double fade = data.hard ? 0.4 : 0.25;
    for (int r = 0; r < m.rows; ++r)
        if (!focused || r != data.selectedRow) drawRow(r, focused ? fade : 1.0);
    if (focused) drawRow(data.selectedRow, 1.0);

    // The tokens, the selected target token bold and outlined.
    const auto drawChips = [&](const std::vector<QRectF>& chips, const QStringList& labels, int selected) {
        for (std::size_t i = 0; i < chips.size(); ++i) {
            const bool bold = static_cast<int>(i) == selected;
            if (bold) {
                painter.setPen(QPen(ink, style.lineWidth * 1.5));
                painter.setBrush(Qt::NoBrush);
                painter.drawRoundedRect(chips[i], 3.0, 3.0);
            }
            painter.setPen(style.foreground);
            painter.setFont(bold ? l.boldFont : l.labelFont);
            painter.drawText(chips[i], Qt::AlignCenter, labels.value(static_cast<int>(i)));
        }
    };
    drawChips(l.source, data.sourceLabels, -1);
    drawChips(l.target, data.targetLabels, focused ? data.selectedRow : -1);
}

}  // namespace attnscope::ui
