#include "AttributionTab.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "Analysis.h"
#include "AnalysisJob.h"
#include "AttentionSelection.h"
#include "AttentionSession.h"
#include "AttributionView.h"
#include "ViewExport.h"
#include "ViewTabs.h"
#include "analysis/Predictions.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

namespace {

constexpr int kChoices = 5;  // the top predictions offered as targets and distractors

}  // namespace

AttributionTab::AttributionTab(AttentionSession* session, AttentionSelection* selection, ViewTabs* tabs)
    : QObject(tabs), session_(session), selection_(selection), tabs_(tabs) {
    page_ = new QWidget(tabs);
    page_->setObjectName(QStringLiteral("attributionPage"));
    view_ = new AttributionView(page_);
    view_->setObjectName(QStringLiteral("attributionView"));
    target_ = new QComboBox(page_);
    target_->setObjectName(QStringLiteral("attributionTarget"));
    target_->setToolTip(tr("The prediction whose logit is split into the heads' shares"));
    distractor_ = new QComboBox(page_);
    distractor_->setObjectName(QStringLiteral("attributionDistractor"));
    target_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    distractor_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    distractor_->setToolTip(tr("Split the target's logit less this one's: what decides between the two"));
    flip_ = new QPushButton(tr("Find heads that flip it"), page_);
    flip_->setObjectName(QStringLiteral("flipButton"));
    flip_->setToolTip(tr("Switch heads off, the largest share first, until the top prediction changes; then keep only the heads that needed"));
    switchOff_ = new QPushButton(tr("Switch them off"), page_);
    switchOff_->setObjectName(QStringLiteral("switchOffFoundButton"));
    switchOff_->setEnabled(false);
    flipLabel_ = new QLabel(page_);
    flipLabel_->setObjectName(QStringLiteral("flipLabel"));
    flipLabel_->setWordWrap(true);

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Target:"), page_));
    bar->addWidget(target_);
    bar->addWidget(new QLabel(tr("less"), page_));
    bar->addWidget(distractor_);
    bar->addSpacing(12);
    bar->addWidget(flip_);
    bar->addWidget(switchOff_);
    bar->addWidget(flipLabel_, 1);
    auto* layout = new QVBoxLayout(page_);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(view_, 1);
    tabs->addPage(page_, tr("Attribution"),
                  tr("Direct logit attribution: how much each head, MLP and the embedding adds to the prediction at the selected token"));

    connect(view_, &AttributionView::headClicked, this, [this](int layer, int head, bool cross) {
        selection_->setStack(attributedStack(cross));
        selection_->setLayer(layer);
        selection_->setHead(head);
        emit hint((cross ? tr("Layer %1, cross-attention head %2 is now selected in every view") : tr("Layer %1, head %2 is now selected in every view"))
                      .arg(layer)
                      .arg(head));
    });
    connect(target_, &QComboBox::activated, this, &AttributionTab::requestIfShown);
    connect(distractor_, &QComboBox::activated, this, &AttributionTab::requestIfShown);
    connect(flip_, &QPushButton::clicked, this, [this] {
        flipLabel_->setText(tr("Searching…"));
        session_->findFlippingHeads(position());
    });
    connect(switchOff_, &QPushButton::clicked, this, [this] {
        if (const auto found = session_->flipSearch(); found && found->found()) session_->setAblation(found->heads);
    });
    connect(tabs, &QTabWidget::currentChanged, this, &AttributionTab::requestIfShown);
    connect(session, &AttentionSession::attributionChanged, this, &AttributionTab::update);
    connect(session, &AttentionSession::flipSearchFinished, this, &AttributionTab::showFlip);
    connect(session, &AttentionSession::analysisChanged, this, [this] {
        flipLabel_->clear();
        switchOff_->setEnabled(false);
    });
    connect(selection, &AttentionSelection::changed, this, &AttributionTab::requestIfShown);
}

bool AttributionTab::isShown() const { return tabs_->currentWidget() == page_; }

bool AttributionTab::isAvailable() const { return tabs_->isPageAvailable(page_); }

void AttributionTab::show() {
    if (isAvailable()) tabs_->setCurrentWidget(page_);
}

void AttributionTab::adaptToModel() {
    const bool can = session_->canAttribute();
    if (!can && isShown()) tabs_->showView(ViewKind::Matrix);
    tabs_->setPageAvailable(page_, can);
}

int AttributionTab::attributedStack(bool cross) const {
    const auto analysis = session_->analysis();
    if (!analysis) return 0;
    // The heads of the stream the head reads (an encoder-decoder's decoder), or those that read
    // the source into it (its cross-attention).
    const int predicted = analysis->predictedSequence;
    for (int s = 0; s < analysis->stackCount(); ++s) {
        const NamedStack& stack = analysis->stack(s);
        if (stack.querySequence == predicted && stack.keySequence == (cross ? 0 : predicted)) return s;
    }
    return 0;
}

int AttributionTab::position() const {
    const auto analysis = session_->analysis();
    const auto checkpoint = session_->checkpoint();
    if (!analysis || !checkpoint || checkpoint->capabilities().isClassifier()) return 0;
    // A position of the tokens the head predicts for: an encoder-decoder's target.
    const int n = analysis->predictedLabels().size();
    const int selected = analysis->asksFromPredicted(selection_->stack()) ? selection_->selectedQuery() : -1;
    if (selected >= 0 && selected < n) return selected;
    if (checkpoint->capabilities().predictions == PredictionKind::MaskedToken && !analysis->maskedTokens.isEmpty())
        return analysis->maskedTokens.firstKey();
    return checkpoint->capabilities().predictions == PredictionKind::MaskedToken ? 0 : std::max(0, n - 1);
}

// The boxes list the top predictions at the position, the first chosen; they are filled
// again only when the position or the analysis changes, so a choice stays while it holds.
void AttributionTab::fillTargets() {
    const auto analysis = session_->analysis();
    const auto checkpoint = session_->checkpoint();
    const int at = position();
    if (analysis.get() == filledAnalysis_ && at == filledFor_) return;
    filledAnalysis_ = analysis.get();
    filledFor_ = at;
    target_->clear();
    distractor_->clear();
    distractor_->addItem(tr("nothing"), -1);
    if (!analysis || !checkpoint || analysis->record.logits.rows() <= (checkpoint->capabilities().isClassifier() ? 0 : at)) return;
    const int row = checkpoint->capabilities().isClassifier() ? 0 : at;
    const auto& logits = analysis->record.logits;
    for (const Prediction& p : topPredictions(logits.row(row).data(), static_cast<int>(logits.cols()), kChoices)) {
        const QString text = QStringLiteral("%1  %2%").arg(entryLabel(*checkpoint, p.id), QString::number(100.0 * p.probability, 'f', 1));
        target_->addItem(text, p.id);
        distractor_->addItem(text, p.id);
    }
}

std::optional<AttributionTarget> AttributionTab::chosenTarget() const {
    if (target_->count() == 0) return std::nullopt;
    AttributionTarget t{position(), target_->currentData().toInt(), std::nullopt};
    const int distractor = distractor_->currentData().toInt();
    if (distractor >= 0 && distractor != t.entry) t.distractor = distractor;
    return t;
}

void AttributionTab::requestIfShown() {
    if (!isShown()) return;
    fillTargets();
    if (const auto target = chosenTarget(); target && !session_->isBusy() && session_->analysis() && !session_->analysis()->isGeneration())
        session_->computeAttribution(*target);
    update();
}

void AttributionTab::update() {
    const auto analysis = session_->analysis();
    const auto checkpoint = session_->checkpoint();
    const auto a = session_->attribution();
    view_->setStyle(selection_->style());
    const bool canSearch = analysis && !analysis->isGeneration() && !session_->isBusy();
    flip_->setEnabled(canSearch);
    if (!a || !analysis || !checkpoint) {
        view_->clear();
        view_->setPlaceholderText(!analysis                  ? tr("Type a text above and press Enter to see which heads make its prediction.")
                                  : analysis->isGeneration() ? tr("Attribution is for typed input; analyse the generated text to split its logits.")
                                  : session_->isBusy()       ? tr("Splitting the logit…")
                                                             : tr("The attribution is computed when this tab is open."));
        return;
    }
    const AttributionTarget& t = a->target;
    const QString positionLabel =
        checkpoint->capabilities().isClassifier() ? QString() : analysis->predictedLabels().value(t.position);
    AttributionFigureData data = attributionFigureData(*a, entryLabel(*checkpoint, t.entry),
                                                       t.distractor ? entryLabel(*checkpoint, *t.distractor) : QString(), positionLabel,
                                                       analysis->ablation);
    const bool crossShown = a->hasCrossHeads() && selection_->stack() == attributedStack(true);
    if ((selection_->stack() == attributedStack(false) || crossShown) && selection_->layer() >= 0 && selection_->head() >= 0 &&
        selection_->headMode() == HeadMode::Single) {
        data.selected = std::pair{selection_->layer(), selection_->head()};
        data.selectedCross = crossShown;
    }
    view_->setData(data);
}

void AttributionTab::showFlip() {
    const auto found = session_->flipSearch();
    const auto checkpoint = session_->checkpoint();
    if (!found || !checkpoint) return;
    switchOff_->setEnabled(found->found());
    if (!found->found()) {
        flipLabel_->setText(tr("Even with every head off “%1” stays on top (%2 passes)")
                                .arg(entryLabel(*checkpoint, found->before))
                                .arg(found->forwardPasses));
        return;
    }
    flipLabel_->setText(tr("Switching off %1 turns “%2” into “%3” (%4 passes)")
                            .arg(QString::fromStdString(found->heads.list()), entryLabel(*checkpoint, found->before),
                                 entryLabel(*checkpoint, found->after))
                            .arg(found->forwardPasses));
    emit hint(tr("Heads %1 carry the prediction; “Switch them off” shows the model without them").arg(QString::fromStdString(found->heads.list())));
}

void AttributionTab::exportTo(const QString& path, int longSide) const {
    exportPageFigure(view_->figure(), QStringLiteral("attribution"), QStringLiteral("open the Attribution tab and wait for it to be computed"),
                     path, longSide);
}

void AttributionTab::copyToClipboard() const { copyPageFigure(view_->figure()); }

}  // namespace attnscope::ui
