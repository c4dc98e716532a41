#include "LensTab.h"

#include <QHBoxLayout>

#include "Analysis.h"
#include "AttentionSelection.h"
#include "AttentionSession.h"
#include "LensView.h"
#include "SideBySideFigure.h"
#include "ViewExport.h"
#include "ViewTabs.h"
#include "analysis/LogitLens.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

LensTab::LensTab(AttentionSession* session, AttentionSelection* selection, ViewTabs* tabs)
    : QObject(tabs), session_(session), selection_(selection), tabs_(tabs) {
    page_ = new QWidget(tabs);
    view_ = new LensView(page_);
    view_->setObjectName(QStringLiteral("lensView"));
    before_ = new LensView(page_);
    before_->setObjectName(QStringLiteral("lensBeforeView"));
    before_->setVisible(false);
    auto* layout = new QHBoxLayout(page_);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(before_);
    layout->addWidget(view_);
    tabs->addPage(page_, tr("Lens"),
                  tr("The logit lens: what each layer would predict at each position, read through the model's own output head (Ctrl+6)"));
    connect(view_, &LensView::cellClicked, this, [this](int layer, int position) {
        selection_->setStack(0);
        selection_->setLayer(layer);
        selection_->setSelectedQuery(position);
        emit hint(tr("Layer %1 and token %2 are now selected in the attention views").arg(layer).arg(position));
    });
    connect(tabs, &QTabWidget::currentChanged, this, &LensTab::requestIfShown);
    connect(session, &AttentionSession::lensChanged, this, &LensTab::update);
    connect(selection, &AttentionSelection::changed, this, &LensTab::update);
}

bool LensTab::isShown() const { return tabs_->currentWidget() == page_; }

bool LensTab::isAvailable() const { return tabs_->isPageAvailable(page_); }

void LensTab::show() {
    if (isAvailable()) tabs_->setCurrentWidget(page_);
}

void LensTab::adaptToModel() {
    const bool can = session_->canComputeLens();
    if (!can && isShown()) tabs_->showView(ViewKind::Matrix);
    tabs_->setPageAvailable(page_, can);
}

void LensTab::requestIfShown() {
    // Only while the tab is open and nothing runs: a generation's every token would
    // otherwise ask for a lens that the next token makes stale.
    if (isShown() && !session_->isBusy() && session_->analysis() && !session_->lens()) session_->computeLens();
    update();
}

void LensTab::update() {
    const auto lens = session_->lens();
    const auto analysis = session_->analysis();
    const auto before = session_->lensBefore();
    view_->setStyle(selection_->style());
    before_->setStyle(selection_->style());
    before_->setVisible(lens && analysis && before);
    if (!lens || !analysis) {
        view_->clear();
        view_->setPlaceholderText(!analysis             ? tr("Type a text above and press Enter to see its logit lens.")
                                  : session_->isBusy() ? tr("Computing the logit lens…")
                                                       : tr("The logit lens is computed when this tab is open."));
        return;
    }
    const auto checkpoint = session_->checkpoint();
    const auto names = vocabularyLabels(checkpoint ? checkpoint->tokenizer() : nullptr);
    // Heads switched off: the lens with every head on beside it, each titled.
    if (view_->lens() != lens)
        view_->setLens(lens, analysis->tokenLabels(), names,
                       before ? tr("Logit lens, %1").arg(QString::fromStdString(analysis->ablation.describe())) : QString());
    if (before && before_->lens() != before) before_->setLens(before, analysis->tokenLabels(), names, tr("Logit lens, every head on"));
    const bool onInput = analysis->asksFromInput(selection_->stack());
    view_->setSelection(onInput ? selection_->layer() : -1, onInput ? selection_->selectedQuery() : -1);
    before_->setSelection(onInput ? selection_->layer() : -1, onInput ? selection_->selectedQuery() : -1);
}

std::shared_ptr<const Figure> LensTab::shownFigure() const {
    const LensFigure* after = view_->figure();
    if (!after) return nullptr;
    const LensFigure* before = before_->isVisible() ? before_->figure() : nullptr;
    if (!before) return std::make_shared<LensFigure>(*after);
    // Before and after in one picture, as the tab shows them.
    return std::make_shared<SideBySideFigure>(std::vector<std::shared_ptr<const Figure>>{std::make_shared<LensFigure>(*before),
                                                                                         std::make_shared<LensFigure>(*after)});
}

void LensTab::exportTo(const QString& path, int longSide) const {
    exportPageFigure(shownFigure().get(), QStringLiteral("logit lens"), QStringLiteral("open the Lens tab and wait for it to be computed"), path,
                     longSide);
}

void LensTab::copyToClipboard() const { copyPageFigure(shownFigure().get()); }

}  // namespace attnscope::ui
