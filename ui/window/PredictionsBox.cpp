#include "PredictionsBox.h"

#include <QPushButton>
#include <QVBoxLayout>

#include "Analysis.h"
#include "PredictionsPanel.h"

namespace attnscope::ui {

PredictionsBox::PredictionsBox(QWidget* parent) : QWidget(parent) {
    panel_ = new PredictionsPanel(this);
    panel_->setObjectName(QStringLiteral("predictionsPanel"));
    mask_ = new QPushButton(this);
    mask_->setObjectName(QStringLiteral("maskButton"));
    mask_->setVisible(false);
    mask_->setToolTip(tr("Replace the token by the mask token and see what the model would put there "
                         "(or double-click a token in the Tokens view)"));
    connect(mask_, &QPushButton::clicked, this, &PredictionsBox::toggleMask);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(panel_);
    layout->addWidget(mask_);
    setVisible(false);
}

void PredictionsBox::show(const std::shared_ptr<const Analysis>& analysis, bool modelOpen, int stack, int query) {
    analysis_ = analysis;
    modelOpen_ = modelOpen;
    query_ = query;
    mask_->setVisible(false);
    // Image classifiers show their classes under the views; attention files have no model.
    if (!analysis || analysis->hasImage() || !modelOpen) {
        setVisible(false);
        return;
    }
    setVisible(true);
    // A text classifier: its labels for the whole text, whichever token is selected.
    // With heads switched off the lists compare: the title says which heads.
    const QString off = analysis->ablation.empty() ? QString()
                                                   : tr(" — %1, before→after").arg(QString::fromStdString(analysis->ablation.describe()));
    if (!analysis->predictions.empty()) {
        panel_->setEntries(tr("The classifier's labels for this text") + off, analysis->predictions);
        return;
    }
    if (analysis->tokenPredictions.empty() || !analysis->asksFromPredicted(stack) || query < 0 ||
        query >= static_cast<int>(analysis->tokenPredictions.size())) {
        panel_->setNote(analysis->predictionsNote);
        return;
    }
    const QString token = analysis->predictedLabels().value(query);
    QString title = analysis->tokenPredictionKind == Analysis::TokenPredictionKind::TokenLabels
                        ? tr("The model's labels for “%1”").arg(token)
                        : tr("Next token after “%1”").arg(token);
    if (analysis->tokenPredictionKind == Analysis::TokenPredictionKind::MaskedToken) {
        const auto hidden = analysis->maskedTokens.constFind(query);
        const bool masked = hidden != analysis->maskedTokens.constEnd();
        title = masked ? tr("The model's guess for %1, hiding “%2”").arg(token, *hidden) : tr("The model's guess at “%1”").arg(token);
        mask_->setText(masked ? tr("Unmask “%1” (Ctrl+M)").arg(*hidden) : tr("Mask “%1” (Ctrl+M)").arg(token));
        mask_->setEnabled(!analysis->isSpecial(query) || masked);
        mask_->setVisible(true);
    }
    panel_->setEntries(title + off, analysis->tokenPredictions[static_cast<std::size_t>(query)]);
}

void PredictionsBox::toggleMask() {
    const Analysis* analysis = analysis_.get();
    if (!analysis || analysis->tokenPredictionKind != Analysis::TokenPredictionKind::MaskedToken || !modelOpen_)
        return emit hint(tr("Masking is for masked language models (BERT, RoBERTa, DistilBERT)"));
    if (query_ < 0 || query_ >= analysis->tokenCount()) return;
    if (analysis->isSpecial(query_) && !analysis->maskedTokens.contains(query_))
        return emit hint(tr("“%1” is a special token; select an ordinary one to mask").arg(analysis->tokenLabels().value(query_)));
    AnalysisRequest request;
    request.text = analysis->text;  // the analysed text, whose token positions these are
    request.pair = analysis->pair;
    for (auto it = analysis->maskedTokens.constBegin(); it != analysis->maskedTokens.constEnd(); ++it)
        if (it.key() != query_) request.maskedPositions.push_back(it.key());
    if (!analysis->maskedTokens.contains(query_)) request.maskedPositions.push_back(query_);
    emit analysisRequested(request);
}

}  // namespace attnscope::ui
