#include "HeadToggles.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPixmap>
#include <QSignalBlocker>
#include <QToolButton>

#include "AttentionSelection.h"
#include "HeadsFigure.h"

namespace attnscope::ui {

namespace {

constexpr int kPerRow = 16;

// A filled swatch of the head's line colour, so the box says which lines it controls.
QIcon swatch(const QColor& color) {
    QPixmap pixmap(14, 14);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(color.darker(140), 1.0));
    painter.setBrush(color);
    painter.drawRoundedRect(QRectF(0.5, 0.5, 13, 13), 3, 3);
    return QIcon(pixmap);
}

}  // namespace

HeadToggles::HeadToggles(AttentionSelection* selection, QWidget* parent) : QWidget(parent), selection_(selection) {
    auto* title = new QLabel(tr("Heads:"), this);
    auto* all = new QToolButton(this);
    all->setText(tr("All"));
    all->setObjectName(QStringLiteral("allHeadsButton"));
    all->setToolTip(tr("Draw every head"));
    auto* none = new QToolButton(this);
    none->setText(tr("None"));
    none->setObjectName(QStringLiteral("noHeadsButton"));
    none->setToolTip(tr("Draw no head (then tick the ones to compare)"));
    connect(all, &QToolButton::clicked, selection_, [this] { selection_->setAllHeadsEnabled(true); });
    connect(none, &QToolButton::clicked, selection_, [this] { selection_->setAllHeadsEnabled(false); });

    boxLayout_ = new QGridLayout;
    boxLayout_->setHorizontalSpacing(10);
    boxLayout_->setVerticalSpacing(2);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title, 0, Qt::AlignTop);
    layout->addLayout(boxLayout_);
    layout->addSpacing(8);
    layout->addWidget(all);
    layout->addWidget(none);
    layout->addStretch();

    connect(selection_, &AttentionSelection::changed, this, &HeadToggles::syncFromSelection);
    syncFromSelection();
}

QCheckBox* HeadToggles::toggle(int head) const {
    return head >= 0 && head < count() ? boxes_[static_cast<std::size_t>(head)] : nullptr;
}

void HeadToggles::rebuildBoxes(int heads) {
    for (QCheckBox* box : boxes_) delete box;
    boxes_.clear();
    for (int h = 0; h < heads; ++h) {
        auto* box = new QCheckBox(QString::number(h), this);
        box->setObjectName(QStringLiteral("headToggle%1").arg(h));
        box->setIcon(swatch(HeadsFigure::headColor(h, heads)));
        box->setToolTip(tr("Draw head %1's lines").arg(h));
        connect(box, &QCheckBox::toggled, selection_, [this, h](bool on) { selection_->setHeadEnabled(h, on); });
        boxLayout_->addWidget(box, h / kPerRow, h % kPerRow);
        boxes_.push_back(box);
    }
}

void HeadToggles::syncFromSelection() {
    const int heads = static_cast<int>(selection_->enabledHeads().size());
    if (heads != count()) rebuildBoxes(heads);
    for (int h = 0; h < heads; ++h) {
        const QSignalBlocker block(boxes_[static_cast<std::size_t>(h)]);
        boxes_[static_cast<std::size_t>(h)]->setChecked(selection_->isHeadEnabled(h));
    }
}

}  // namespace attnscope::ui
