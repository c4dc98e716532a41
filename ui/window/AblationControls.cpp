#include "AblationControls.h"

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope::ui {

AblationControls::AblationControls(QWidget* parent) : QWidget(parent) {
    auto* group = new QGroupBox(tr("Heads off"), this);
    list_ = new QLabel(group);
    list_->setObjectName(QStringLiteral("ablationList"));
    list_->setWordWrap(true);
    mode_ = new QComboBox(group);
    mode_->setObjectName(QStringLiteral("ablationMode"));
    mode_->addItem(tr("Zeroed"), static_cast<int>(AblationMode::Zero));
    mode_->addItem(tr("Mean over tokens"), static_cast<int>(AblationMode::Mean));
    mode_->setToolTip(tr("How a switched-off head's output is replaced before the layer's output projection"));
    clear_ = new QPushButton(tr("All on"), group);
    clear_->setToolTip(tr("Switch every head on again"));
    clear_->setObjectName(QStringLiteral("ablationClear"));
    auto* inner = new QVBoxLayout(group);
    inner->addWidget(list_);
    auto* row = new QHBoxLayout;
    row->addWidget(mode_, 1);
    row->addWidget(clear_);
    inner->addLayout(row);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(group);

    connect(mode_, &QComboBox::activated, this, [this] {
        HeadAblation next = ablation_;
        next.mode = static_cast<AblationMode>(mode_->currentData().toInt());
        emit ablationRequested(next);
    });
    connect(clear_, &QPushButton::clicked, this, [this] {
        HeadAblation next;
        next.mode = ablation_.mode;
        emit ablationRequested(next);
    });
    setAblation({});
    setVisible(false);
}

void AblationControls::setAblation(const HeadAblation& ablation) {
    ablation_ = ablation;
    list_->setText(ablation.empty() ? tr("Every head is on. Ctrl+click a head in the Model view to switch it off and see "
                                         "what the predictions lose.")
                                    : tr("Switched off: %1").arg(QString::fromStdString(ablation.list())));
    mode_->setCurrentIndex(mode_->findData(static_cast<int>(ablation.mode)));
    clear_->setEnabled(!ablation.empty());
}

void AblationControls::setAvailable(bool available) { setVisible(available); }

void AblationControls::toggleHead(AblatedStack stack, int layer, int head) { emit ablationRequested(ablation_.toggled(stack, layer, head)); }

}  // namespace attnscope::ui
