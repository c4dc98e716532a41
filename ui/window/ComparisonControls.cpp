#include "ComparisonControls.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "Analysis.h"
#include "AnalysisJob.h"
#include "AttentionSelection.h"
#include "AttentionSession.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

ComparisonControls::ComparisonControls(AttentionSession* session, AttentionSelection* selection, QWidget* parent)
    : QWidget(parent), session_(session), selection_(selection) {
    auto* group = new QGroupBox(tr("Difference (A − B)"), this);
    with_ = new QComboBox(group);
    with_->setObjectName(QStringLiteral("compareWith"));
    with_->addItem(tr("Off"), static_cast<int>(CompareWith::Nothing));
    with_->addItem(tr("Minus another layer"), static_cast<int>(CompareWith::Layer));
    with_->addItem(tr("Minus another head"), static_cast<int>(CompareWith::Head));
    with_->addItem(tr("Minus another input"), static_cast<int>(CompareWith::Input));
    with_->setToolTip(tr("Every view shows what it shows now (A) minus the same of another layer, head or input (B): "
                         "red where A gives more weight, blue where B does"));

    referenceRow_ = new QWidget(group);
    layer_ = new QSpinBox(referenceRow_);
    layer_->setObjectName(QStringLiteral("compareLayer"));
    head_ = new QSpinBox(referenceRow_);
    head_->setObjectName(QStringLiteral("compareHead"));
    auto* reference = new QFormLayout(referenceRow_);
    reference->setContentsMargins(0, 0, 0, 0);
    reference->addRow(tr("B: layer"), layer_);
    reference->addRow(tr("B: head"), head_);

    inputRow_ = new QWidget(group);
    otherText_ = new QLineEdit(inputRow_);
    otherText_->setObjectName(QStringLiteral("compareText"));
    otherText_->setPlaceholderText(tr("Text B, then Enter"));
    otherText_->setClearButtonEnabled(true);
    keep_ = new QPushButton(tr("Use this input as B"), inputRow_);
    keep_->setObjectName(QStringLiteral("compareKeep"));
    keep_->setToolTip(tr("Keep the input shown now as B, then change A: type another text or drop another image"));
    otherLabel_ = new QLabel(inputRow_);
    otherLabel_->setObjectName(QStringLiteral("compareOther"));
    otherLabel_->setWordWrap(true);
    auto* input = new QVBoxLayout(inputRow_);
    input->setContentsMargins(0, 0, 0, 0);
    input->addWidget(otherText_);
    input->addWidget(keep_);
    input->addWidget(otherLabel_);

    auto* inner = new QVBoxLayout(group);
    inner->addWidget(with_);
    inner->addWidget(referenceRow_);
    inner->addWidget(inputRow_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(group);

    connect(with_, &QComboBox::activated, this, [this] { request(static_cast<CompareWith>(with_->currentData().toInt())); });
    connect(layer_, &QSpinBox::valueChanged, this, [this] { request(selection_->comparison().with); });
    connect(head_, &QSpinBox::valueChanged, this, [this] { request(selection_->comparison().with); });
    connect(otherText_, &QLineEdit::returnPressed, this, [this] {
        const auto analysis = session_->analysis();
        AnalysisRequest other = analysis ? requestOf(*analysis) : AnalysisRequest{};
        other.text = otherText_->text();
        other.maskedPositions.clear();  // the positions were A's tokens
        session_->compareWithInput(other);
        request(CompareWith::Input);
    });
    connect(keep_, &QPushButton::clicked, this, [this] {
        session_->compareWithCurrent();
        request(CompareWith::Input);
    });
    connect(selection_, &AttentionSelection::changed, this, &ComparisonControls::showState);
    connect(session_, &AttentionSession::otherInputChanged, this, &ComparisonControls::showState);
    connect(session_, &AttentionSession::analysisChanged, this, &ComparisonControls::showState);
    connect(session_, &AttentionSession::modelChanged, this, &ComparisonControls::showState);
    showState();
}

void ComparisonControls::request(CompareWith with) {
    if (with == CompareWith::Nothing) return selection_->setComparison({});
    selection_->setComparison({with, layer_->value(), with == CompareWith::Head ? head_->value() : 0});
}

void ComparisonControls::showState() {
    const Comparison& c = selection_->comparison();
    const QSignalBlocker blockLayer(layer_), blockHead(head_);
    with_->setCurrentIndex(with_->findData(static_cast<int>(c.with)));
    layer_->setRange(0, std::max(0, selection_->layers() - 1));
    head_->setRange(0, std::max(0, selection_->heads() - 1));
    if (c.with == CompareWith::Layer || c.with == CompareWith::Head) layer_->setValue(c.layer);
    if (c.with == CompareWith::Head) head_->setValue(c.head);
    referenceRow_->setVisible(c.with == CompareWith::Layer || c.with == CompareWith::Head);
    head_->setEnabled(c.with == CompareWith::Head);
    // A typed B needs a model to run it (an attention file has none); an image model's B is
    // an image kept with the button.
    const auto checkpoint = session_->checkpoint();
    const bool text = checkpoint && !checkpoint->capabilities().readsImages();
    inputRow_->setVisible(c.with == CompareWith::Input);
    otherText_->setVisible(text);
    keep_->setEnabled(session_->analysis() != nullptr);
    const auto other = session_->otherInput();
    otherLabel_->setText(other ? tr("B is %1").arg(other->inputName())
                               : tr("No input B yet: type one, or keep the input shown now as B."));
}

}  // namespace attnscope::ui
