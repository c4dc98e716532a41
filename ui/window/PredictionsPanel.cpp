#include "PredictionsPanel.h"

#include <QPainter>

#include <algorithm>

namespace attnscope::ui {

namespace {
constexpr int kMargin = 4;
constexpr int kRowsShown = 8;
}  // namespace

PredictionsPanel::PredictionsPanel(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
}

int PredictionsPanel::rowHeight() const { return fontMetrics().height() + 6; }

int PredictionsPanel::titleHeight(int width) const {
    QFont bold = font();
    bold.setBold(true);
    const QString text = entries_.empty() ? note_ : title_;
    if (text.isEmpty()) return 0;
    const QFontMetrics fm(entries_.empty() ? font() : bold);
    return fm.boundingRect(QRect(0, 0, std::max(width - 2 * kMargin, 10), 10000), Qt::TextWordWrap, text).height() + kMargin;
}

QSize PredictionsPanel::sizeHint() const {
    const int width = 200;
    const int rows = entries_.empty() ? 0 : static_cast<int>(std::min<std::size_t>(entries_.size(), kRowsShown));
    return {width, titleHeight(width) + rows * rowHeight() + 2 * kMargin};
}

QSize PredictionsPanel::minimumSizeHint() const { return {120, sizeHint().height()}; }

void PredictionsPanel::setEntries(const QString& title, const std::vector<ClassPrediction>& entries) {
    title_ = title;
    entries_ = entries;
    note_.clear();
    updateGeometry();
    update();
}

void PredictionsPanel::setNote(const QString& note) {
    note_ = note;
    title_.clear();
    entries_.clear();
    updateGeometry();
    update();
}

void PredictionsPanel::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const int w = width() - 2 * kMargin;
    if (entries_.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(kMargin, kMargin, w, height() - 2 * kMargin), Qt::TextWordWrap | Qt::AlignTop | Qt::AlignLeft, note_);
        return;
    }
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(palette().color(QPalette::WindowText));
    const int top = titleHeight(width());
    p.drawText(QRect(kMargin, kMargin, w, top), Qt::TextWordWrap | Qt::AlignTop | Qt::AlignLeft, title_);
    p.setFont(font());
    const QFontMetrics fm = fontMetrics();
    const int labelWidth = w * 2 / 5;
    // Compared lists (heads switched off) read "before→after": the bar is the after, its outline the before.
    const bool compared = std::any_of(entries_.begin(), entries_.end(), [](const ClassPrediction& e) { return e.compared(); });
    const int percentWidth = fm.horizontalAdvance(compared ? QStringLiteral("100→100%") : QStringLiteral("100.0%")) + kMargin;
    const int barWidth = std::max(w - labelWidth - percentWidth - kMargin, 10);
    const int rh = rowHeight();
    const int rows = static_cast<int>(std::min<std::size_t>(entries_.size(), kRowsShown));
    for (int i = 0; i < rows; ++i) {
        const ClassPrediction& e = entries_[static_cast<std::size_t>(i)];
        const int y = kMargin + top + i * rh;
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(kMargin, y, labelWidth - kMargin, rh), Qt::AlignVCenter | Qt::AlignLeft,
                   fm.elidedText(e.label, Qt::ElideRight, labelWidth - kMargin));
        const QRectF track(kMargin + labelWidth, y + 3, barWidth, rh - 6);
        p.fillRect(track, palette().color(QPalette::AlternateBase));
        p.fillRect(QRectF(track.left(), track.top(), track.width() * std::clamp(double(e.probability), 0.0, 1.0), track.height()),
                   palette().color(QPalette::Highlight));
        if (e.compared()) {
            p.setPen(QPen(palette().color(QPalette::WindowText), 1.0, Qt::DashLine));
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRectF(track.left(), track.top(), track.width() * std::clamp(double(e.before), 0.0, 1.0), track.height()));
            p.setPen(palette().color(QPalette::WindowText));
        }
        const QString percent = e.compared() ? QStringLiteral("%1→%2%").arg(100.0 * e.before, 0, 'f', 0).arg(100.0 * e.probability, 0, 'f', 0)
                                             : QStringLiteral("%1%").arg(100.0 * e.probability, 0, 'f', 1);
        p.drawText(QRect(kMargin + labelWidth + barWidth, y, percentWidth, rh), Qt::AlignVCenter | Qt::AlignRight, percent);
    }
}

}  // namespace attnscope::ui
