// The window's logit lens tab: computed on demand (for the analysis shown, when the tab is
// open), and linked to the attention views: a click on a cell selects its layer and position.
#include <QStatusBar>
#include <QTabWidget>

#include "Analysis.h"
#include "Error.h"
#include "FigureExporter.h"
#include "LensView.h"
#include "MainWindow.h"
#include "ViewExport.h"
#include "analysis/LogitLens.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

void MainWindow::buildLensTab() {
    lensView_ = new LensView(this);
    lensView_->setObjectName(QStringLiteral("lensView"));
    const int tab = tabs_->addTab(lensView_, tr("Lens"));
    tabs_->setTabToolTip(tab, tr("The logit lens: what each layer would predict at each position, read through the model's own "
                                 "output head (Ctrl+6)"));
    tabs_->setTabVisible(tab, false);  // language models with an output head only
    connect(lensView_, &LensView::cellClicked, this, [this](int layer, int position) {
        selection_.setAttentionKind(AttentionKind::Encoder);
        selection_.setLayer(layer);
        selection_.setSelectedQuery(position);
        statusBar()->showMessage(tr("Layer %1 and token %2 are now selected in the attention views").arg(layer).arg(position), 4000);
    });
    connect(tabs_, &QTabWidget::currentChanged, this, &MainWindow::requestLensIfShown);
    connect(&session_, &AttentionSession::lensChanged, this, &MainWindow::updateLensView);
}

bool MainWindow::isLensShown() const { return tabs_->currentWidget() == lensView_; }

void MainWindow::showLens() {
    if (tabs_->isTabVisible(tabs_->indexOf(lensView_))) tabs_->setCurrentWidget(lensView_);
}

void MainWindow::adaptLensToModel() {
    const bool can = session_.canComputeLens();
    if (!can && isLensShown()) setCurrentView(ViewKind::Matrix);
    tabs_->setTabVisible(tabs_->indexOf(lensView_), can);
}

void MainWindow::requestLensIfShown() {
    // Only while the tab is open and nothing runs: a generation's every token would
    // otherwise ask for a lens that the next token makes stale.
    if (isLensShown() && !session_.isBusy() && session_.analysis() && !session_.lens()) session_.computeLens();
    updateLensView();
}

void MainWindow::updateLensView() {
    const auto lens = session_.lens();
    const auto analysis = session_.analysis();
    lensView_->setStyle(selection_.style());
    if (!lens || !analysis) {
        lensView_->clear();
        lensView_->setPlaceholderText(!analysis                ? tr("Type a text above and press Enter to see its logit lens.")
                                      : session_.isBusy()      ? tr("Computing the logit lens…")
                                                               : tr("The logit lens is computed when this tab is open."));
        return;
    }
    if (lensView_->lens() != lens) {
        const auto checkpoint = session_.checkpoint();
        lensView_->setLens(lens, analysis->tokenLabels, vocabularyLabels(checkpoint ? checkpoint->tokenizer() : nullptr));
    }
    const bool onSource = analysis->effectiveKind(selection_.attentionKind()) == AttentionKind::Encoder;
    lensView_->setSelection(onSource ? selection_.layer() : -1, onSource ? selection_.selectedQuery() : -1);
}

bool MainWindow::exportLens(const QString& path, int longSide) {
    const LensFigure* figure = lensView_->figure();
    if (!figure) {
        showError(tr("There is no logit lens to export yet."), tr("Open the Lens tab and wait for it to be computed."));
        return false;
    }
    try {
        const ExportFormat format = exportFormatFor(path);
        if (format == ExportFormat::Npy) throw Error("NPY export is for attention matrices; save the logit lens as PNG, SVG or PDF");
        exportFigure(*figure, path, format, format == ExportFormat::Png ? exportPixelSize(*figure, longSide) : QSize());
    } catch (const std::exception& e) {
        showError(tr("AttnScope could not export the figure."), QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

}  // namespace attnscope::ui
