#include "HeadPicker.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>

namespace attnscope::ui {

HeadPicker::HeadPicker(QWidget* parent) : QWidget(parent) {
    layer_ = new QSpinBox(this);
    layer_->setObjectName(QStringLiteral("layerSpin"));
    layer_->setToolTip(tr("Layer (0 = closest to the input)"));
    head_ = new QSpinBox(this);
    head_->setObjectName(QStringLiteral("headSpin"));
    head_->setToolTip(tr("Attention head within the layer"));
    for (QSpinBox* box : {layer_, head_}) {
        box->setRange(0, 0);
        box->setAccelerated(true);
        box->setMinimumWidth(box->fontMetrics().horizontalAdvance(QStringLiteral("000")) + 36);
    }

    auto* layerLabel = new QLabel(tr("&Layer"), this);
    layerLabel->setBuddy(layer_);
    auto* headLabel = new QLabel(tr("&Head"), this);
    headLabel->setBuddy(head_);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(layerLabel);
    layout->addWidget(layer_);
    layout->addSpacing(12);
    layout->addWidget(headLabel);
    layout->addWidget(head_);

    auto changed = [this] { emit selectionChanged(layer(), head()); };
    connect(layer_, &QSpinBox::valueChanged, this, changed);
    connect(head_, &QSpinBox::valueChanged, this, changed);
}

int HeadPicker::layer() const { return layer_->value(); }

int HeadPicker::head() const { return head_->value(); }

void HeadPicker::setShape(int layers, int heads) {
    const int before[2] = {layer(), head()};
    {
        const QSignalBlocker blockLayer(layer_);
        const QSignalBlocker blockHead(head_);
        layer_->setRange(0, std::max(0, layers - 1));
        head_->setRange(0, std::max(0, heads - 1));
        layer_->setToolTip(tr("Layer, 0 to %1 (0 is closest to the input)").arg(layer_->maximum()));
        head_->setToolTip(tr("Attention head within the layer, 0 to %1").arg(head_->maximum()));
    }
    if (layer() != before[0] || head() != before[1]) emit selectionChanged(layer(), head());
}

void HeadPicker::setLayer(int layer) { layer_->setValue(layer); }

void HeadPicker::setHead(int head) { head_->setValue(head); }

}  // namespace attnscope::ui
