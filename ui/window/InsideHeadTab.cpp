#include "InsideHeadTab.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "Analysis.h"
#include "AttentionSelection.h"
#include "AttentionSession.h"
#include "InsideHeadView.h"
#include "ViewExport.h"
#include "ViewTabs.h"

namespace attnscope::ui {

InsideHeadTab::InsideHeadTab(AttentionSession* session, AttentionSelection* selection, ViewTabs* tabs)
    : QObject(tabs), session_(session), selection_(selection), tabs_(tabs) {
    page_ = new QWidget(tabs);
    page_->setObjectName(QStringLiteral("insidePage"));
    view_ = new InsideHeadView(page_);
    view_->setObjectName(QStringLiteral("insideView"));
    previous_ = new QPushButton(tr("◀ Step"), page_);
    previous_->setObjectName(QStringLiteral("insidePrevious"));
    next_ = new QPushButton(tr("Step ▶"), page_);
    next_->setObjectName(QStringLiteral("insideNext"));
    next_->setToolTip(tr("The next step of the head's computation (Space in classroom mode)"));
    auto* all = new QPushButton(tr("All steps"), page_);
    stepLabel_ = new QLabel(page_);
    auto* bar = new QHBoxLayout;
    bar->addWidget(previous_);
    bar->addWidget(next_);
    bar->addWidget(all);
    bar->addWidget(stepLabel_, 1);
    auto* layout = new QVBoxLayout(page_);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(view_, 1);
    tabs->addPage(page_, tr("Inside"), tr("The selected head opened up at the selected token: q·k, scaling, softmax, the hard rule and the weighted sum of values, with the model's own numbers"));

    connect(previous_, &QPushButton::clicked, this, &InsideHeadTab::previousStep);
    connect(next_, &QPushButton::clicked, this, &InsideHeadTab::nextStep);
    connect(all, &QPushButton::clicked, this, [this] { setStep(InsideStep::Output); });
    connect(tabs, &QTabWidget::currentChanged, this, &InsideHeadTab::requestIfShown);
    connect(session, &AttentionSession::insideHeadChanged, this, &InsideHeadTab::update);
    connect(selection, &AttentionSelection::changed, this, &InsideHeadTab::requestIfShown);
}

bool InsideHeadTab::isShown() const { return tabs_->currentWidget() == page_; }

bool InsideHeadTab::isAvailable() const { return tabs_->isPageAvailable(page_); }

void InsideHeadTab::show() {
    if (isAvailable()) tabs_->setCurrentWidget(page_);
}

void InsideHeadTab::adaptToModel() {
    const bool can = session_->canOpenHead();
    if (!can && isShown()) tabs_->showView(ViewKind::Matrix);
    tabs_->setPageAvailable(page_, can);
}

int InsideHeadTab::query() const {
    const auto analysis = session_->analysis();
    if (!analysis) return 0;
    const int n = analysis->tokenLabels().size();
    const int selected = analysis->asksFromInput(selection_->stack()) ? selection_->selectedQuery() : -1;
    return selected >= 0 && selected < n ? selected : std::max(0, n - 1);
}

void InsideHeadTab::requestIfShown() {
    if (!isShown()) return;
    const auto analysis = session_->analysis();
    // One head of the input's own attention: the first stack, a single head.
    if (analysis && !analysis->isGeneration() && !session_->isBusy() && selection_->stack() == 0 && selection_->headMode() == HeadMode::Single &&
        !selection_->rollout())
        session_->computeInsideHead(selection_->layer(), selection_->head(), query());
    update();
}

void InsideHeadTab::update() {
    const auto analysis = session_->analysis();
    const auto inside = session_->insideHead();
    view_->setStyle(selection_->style());
    stepLabel_->setText(tr("Step %1 of %2").arg(static_cast<int>(step_) + 1).arg(kInsideSteps));
    if (!inside || !analysis) {
        view_->clear();
        view_->setPlaceholderText(!analysis ? tr("Type a text above and press Enter, then choose a head and a token to open it up.")
                                  : selection_->headMode() != HeadMode::Single || selection_->rollout()
                                      ? tr("Choose one head (not the mean, the maximum or rollout) to open it up.")
                                  : session_->isBusy() ? tr("Opening the head…")
                                                       : tr("The head is opened when this tab is open."));
        return;
    }
    view_->setData(insideHeadFigureData(*inside, analysis->tokenLabels(), selection_->query().hardSelection, step_));
}

void InsideHeadTab::setStep(InsideStep step) {
    if (step == step_) return;
    step_ = step;
    view_->setStep(step);
    stepLabel_->setText(tr("Step %1 of %2").arg(static_cast<int>(step_) + 1).arg(kInsideSteps));
    emit stepChanged(step);
}

void InsideHeadTab::nextStep() { setStep(static_cast<InsideStep>((static_cast<int>(step_) + 1) % kInsideSteps)); }

void InsideHeadTab::previousStep() { setStep(static_cast<InsideStep>((static_cast<int>(step_) + kInsideSteps - 1) % kInsideSteps)); }

QString InsideHeadTab::fileStem() const {
    return QStringLiteral("inside-layer%1-head%2-token%3").arg(selection_->layer()).arg(selection_->head()).arg(query());
}

void InsideHeadTab::exportTo(const QString& path, int longSide) const {
    exportPageFigure(view_->figure(), QStringLiteral("inside of a head"), QStringLiteral("open the Inside tab and wait for it"), path, longSide);
}

void InsideHeadTab::copyToClipboard() const { copyPageFigure(view_->figure()); }

}  // namespace attnscope::ui
