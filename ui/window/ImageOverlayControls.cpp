#include "ImageOverlayControls.h"

#include "Analysis.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>

#include <cmath>

#include "AttentionSelection.h"

namespace attnscope::ui {

ImageOverlayControls::ImageOverlayControls(AttentionSelection* selection, QWidget* parent) : QWidget(parent), selection_(selection) {
    auto* queryLabel = new QLabel(tr("Query:"), this);
    buttons_ = new QButtonGroup(this);
    buttons_->setExclusive(false);  // a patch query leaves every button up
    buttonRow_ = new QHBoxLayout;
    buttonRow_->setSpacing(2);
    queryNote_ = new QLabel(this);
    queryNote_->setObjectName(QStringLiteral("overlayQueryNote"));
    queryNote_->setForegroundRole(QPalette::PlaceholderText);

    opacity_ = new QSlider(Qt::Horizontal, this);
    opacity_->setObjectName(QStringLiteral("overlayOpacitySlider"));
    opacity_->setRange(0, 100);
    opacity_->setSingleStep(5);
    opacity_->setPageStep(10);
    opacity_->setFixedWidth(160);
    opacity_->setToolTip(tr("How strongly the attention colours cover the image: 0 % shows the image alone, 100 % the colours alone"));
    auto* opacityLabel = new QLabel(tr("&Opacity:"), this);
    opacityLabel->setBuddy(opacity_);
    opacityValue_ = new QLabel(this);
    opacityValue_->setMinimumWidth(opacityValue_->fontMetrics().horizontalAdvance(QStringLiteral("100 %")) + 4);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 0);
    layout->addWidget(queryLabel);
    layout->addLayout(buttonRow_);
    layout->addSpacing(6);
    layout->addWidget(queryNote_);
    layout->addStretch();
    layout->addWidget(opacityLabel);
    layout->addWidget(opacity_);
    layout->addWidget(opacityValue_);

    connect(buttons_, &QButtonGroup::idClicked, selection_, [this](int token) { selection_->setSelectedQuery(token); });
    connect(opacity_, &QSlider::valueChanged, selection_, [this](int percent) { selection_->setOverlayOpacity(percent / 100.0); });
    connect(selection_, &AttentionSelection::changed, this, &ImageOverlayControls::syncFromSelection);
    syncFromSelection();
}

QToolButton* ImageOverlayControls::queryButton(int token) const { return qobject_cast<QToolButton*>(buttons_->button(token)); }

void ImageOverlayControls::setAnalysis(const Analysis* analysis) {
    stackQueryLabels_.clear();
    if (!analysis || !analysis->hasImage()) return setTokens({}, {});
    for (int s = 0; s < analysis->stackCount(); ++s)
        stackQueryLabels_.push_back(analysis->asksFromInput(s) ? QStringList() : analysis->queryLabels(s));
    const QStringList& labels = analysis->tokenLabels();
    setTokens(labels.mid(0, analysis->patches().firstPatchToken), labels);
}

void ImageOverlayControls::setTokens(const QStringList& specialLabels, const QStringList& allLabels) {
    labels_ = allLabels;
    for (QToolButton* button : buttonList_) {
        buttons_->removeButton(button);
        delete button;
    }
    buttonList_.clear();
    for (int token = 0; token < specialLabels.size(); ++token) {
        auto* button = new QToolButton(this);
        button->setObjectName(QStringLiteral("overlayQueryButton%1").arg(token));
        button->setText(specialLabels[token]);
        button->setCheckable(true);
        button->setAutoRaise(false);
        button->setToolTip(specialLabels[token] == QLatin1String("[DIST]")
                               ? tr("What DeiT's distillation token attends to (it is trained to match a teacher model)")
                               : tr("What %1 attends to: the token the classifier reads").arg(specialLabels[token]));
        buttons_->addButton(button, token);
        buttonRow_->addWidget(button);
        buttonList_.append(button);
    }
    syncFromSelection();
}

void ImageOverlayControls::syncFromSelection() {
    const int query = selection_->selectedQuery() < 0 ? 0 : selection_->selectedQuery();  // none: [CLS], as the overlay shows
    for (QToolButton* button : buttonList_) {
        const QSignalBlocker block(button);
        button->setChecked(buttons_->id(button) == query);
    }
    const bool special = query < static_cast<int>(buttonList_.size());
    // A caption's cross-attention asks from its own tokens: the image's buttons do not apply.
    const std::size_t stack = static_cast<std::size_t>(std::max(0, selection_->stack()));
    const QStringList words = stack < stackQueryLabels_.size() ? stackQueryLabels_[stack] : QStringList();
    for (QToolButton* button : buttonList_) button->setVisible(words.isEmpty() && !selection_->isCrossStack());
    if (labels_.isEmpty()) queryNote_->clear();
    else if (words.size() > 1 && query < words.size())
        queryNote_->setText(tr("what “%1” (token %2 of %3) reads in each patch — Up and Down step through them")
                                .arg(words[query])
                                .arg(query + 1)
                                .arg(words.size()));
    else if (selection_->isCrossStack()) queryNote_->setText(tr("what this attention's query reads in each patch"));
    else if (special) queryNote_->setText(tr("or click a patch in the image"));
    else queryNote_->setText(tr("patch %1 — click another patch, or choose a token").arg(labels_.value(query)));
    const int percent = static_cast<int>(std::lround(selection_->style().overlayOpacity * 100.0));
    {
        const QSignalBlocker block(opacity_);
        opacity_->setValue(percent);
    }
    opacityValue_->setText(QStringLiteral("%1 %").arg(percent));
}

}  // namespace attnscope::ui
