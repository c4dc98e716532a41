#include "LensTab.h"

#include "Analysis.h"
#include "AttentionSelection.h"
#include "AttentionSession.h"
#include "Error.h"
#include "FigureExporter.h"
#include "LensView.h"
#include "ViewExport.h"
#include "ViewTabs.h"
#include "analysis/LogitLens.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

LensTab::LensTab(AttentionSession* session, AttentionSelection* selection, ViewTabs* tabs)
    : QObject(tabs), session_(session), selection_(selection), tabs_(tabs) {
    view_ = new LensView(tabs);
    view_->setObjectName(QStringLiteral("lensView"));
    tabs->addPage(view_, tr("Lens"),
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

bool LensTab::isShown() const { return tabs_->currentWidget() == view_; }

bool LensTab::isAvailable() const { return tabs_->isPageAvailable(view_); }

void LensTab::show() {
    if (isAvailable()) tabs_->setCurrentWidget(view_);
}

void LensTab::adaptToModel() {
    const bool can = session_->canComputeLens();
    if (!can && isShown()) tabs_->showView(ViewKind::Matrix);
    tabs_->setPageAvailable(view_, can);
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
    view_->setStyle(selection_->style());
    if (!lens || !analysis) {
        view_->clear();
        view_->setPlaceholderText(!analysis             ? tr("Type a text above and press Enter to see its logit lens.")
                                  : session_->isBusy() ? tr("Computing the logit lens…")
                                                       : tr("The logit lens is computed when this tab is open."));
        return;
    }
    if (view_->lens() != lens) {
        const auto checkpoint = session_->checkpoint();
        view_->setLens(lens, analysis->tokenLabels(), vocabularyLabels(checkpoint ? checkpoint->tokenizer() : nullptr));
    }
    const bool onInput = analysis->asksFromInput(selection_->stack());
    view_->setSelection(onInput ? selection_->layer() : -1, onInput ? selection_->selectedQuery() : -1);
}

void LensTab::exportTo(const QString& path, int longSide) const {
    const LensFigure* figure = view_->figure();
    if (!figure) throw Error("there is no logit lens to export yet: open the Lens tab and wait for it to be computed");
    const ExportFormat format = exportFormatFor(path);
    if (format == ExportFormat::Npy) throw Error("NPY export is for attention matrices; save the logit lens as PNG, SVG or PDF");
    exportFigure(*figure, path, format, format == ExportFormat::Png ? exportPixelSize(*figure, longSide) : QSize());
}

void LensTab::copyToClipboard() const {
    if (const LensFigure* figure = view_->figure()) copyFigureToClipboard(*figure, exportPixelSize(*figure, 2000));
}

}  // namespace attnscope::ui
