#include "ViewTabs.h"

#include <QVBoxLayout>

#include <algorithm>

#include "AlignmentView.h"
#include "Analysis.h"
#include "HeadToggles.h"
#include "HeadsView.h"
#include "HeatmapView.h"
#include "ImageOverlayControls.h"
#include "ImageOverlayView.h"
#include "ModelView.h"
#include "TokenStripView.h"

namespace attnscope::ui {

namespace {

// A page of a control strip above a view.
QWidget* stacked(QWidget* top, QWidget* view, int margin, QWidget* parent) {
    auto* page = new QWidget(parent);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(margin, margin, margin, 0);
    layout->setSpacing(margin == 0 ? 0 : layout->spacing());
    layout->addWidget(top);
    layout->addWidget(view, 1);
    return page;
}

}  // namespace

ViewTabs::ViewTabs(AttentionSelection* selection, QWidget* parent) : QTabWidget(parent) {
    setObjectName(QStringLiteral("viewTabs"));
    setDocumentMode(true);
    matrix_ = new HeatmapView(selection, this);
    matrix_->setObjectName(QStringLiteral("heatmap"));
    heads_ = new HeadsView(selection, this);
    heads_->setObjectName(QStringLiteral("headsView"));
    headToggles_ = new HeadToggles(selection, this);
    model_ = new ModelView(selection, this);
    model_->setObjectName(QStringLiteral("modelView"));
    tokens_ = new TokenStripView(selection, this);
    tokens_->setObjectName(QStringLiteral("tokenStripView"));
    overlay_ = new ImageOverlayView(selection, this);
    overlay_->setObjectName(QStringLiteral("overlayView"));
    overlayControls_ = new ImageOverlayControls(selection, this);
    overlayControls_->setObjectName(QStringLiteral("overlayControls"));
    alignment_ = new AlignmentView(selection, this);
    alignment_->setObjectName(QStringLiteral("alignmentView"));
    headsPage_ = stacked(headToggles_, heads_, 6, this);
    overlayPage_ = stacked(overlayControls_, overlay_, 0, this);
    connect(model_, &ModelView::headOpened, this, [this] { emit headOpened(); });

    addPage(matrix_, tr("Matrix"), tr("The selected attention matrix: queries down, keys across (Ctrl+1)"));
    addPage(headsPage_, tr("Heads"), tr("Lines from the query token to the keys, one colour per head (Ctrl+2)"));
    addPage(model_, tr("Model"), tr("Every layer and head at a glance; click one to focus it (Ctrl+3)"));
    addPage(tokens_, tr("Tokens"), tr("The text shaded by the attention the query gives each token (Ctrl+4)"));
    addPage(overlayPage_, tr("Image"), tr("The image with each patch shaded by the attention the query gives it (Ctrl+5)"));
    addPage(alignment_, tr("Alignment"),
            tr("Cross-attention: lines from each target token to the source tokens it reads (Ctrl+7)"));
    for (QWidget* page : {static_cast<QWidget*>(matrix_), headsPage_, static_cast<QWidget*>(model_), static_cast<QWidget*>(tokens_)})
        setPageAvailable(page, true);
    setPlaceholderText(tr("Type a text above and press Enter to see its attention."));
}

std::vector<FigureView*> ViewTabs::views() const { return {matrix_, heads_, model_, tokens_, overlay_, alignment_}; }

FigureView* ViewTabs::view(ViewKind kind) const {
    switch (kind) {
    case ViewKind::Matrix: return matrix_;
    case ViewKind::Heads: return heads_;
    case ViewKind::Grid: return model_;
    case ViewKind::Tokens: return tokens_;
    case ViewKind::Overlay: return overlay_;
    case ViewKind::Alignment: return alignment_;
    }
    return matrix_;
}

QWidget* ViewTabs::pageOf(ViewKind kind) const {
    if (kind == ViewKind::Heads) return headsPage_;
    if (kind == ViewKind::Overlay) return overlayPage_;
    return view(kind);
}

std::optional<ViewKind> ViewTabs::shownView() const {
    for (const ViewKind kind : {ViewKind::Matrix, ViewKind::Heads, ViewKind::Grid, ViewKind::Tokens, ViewKind::Overlay, ViewKind::Alignment})
        if (currentWidget() == pageOf(kind)) return kind;
    return std::nullopt;
}

bool ViewTabs::isAvailable(ViewKind kind) const { return isPageAvailable(pageOf(kind)); }

void ViewTabs::showView(ViewKind kind) {
    if (isAvailable(kind)) setCurrentWidget(pageOf(kind));
}

void ViewTabs::setImageAvailable(bool available) { offerView(ViewKind::Overlay, available); }

void ViewTabs::offerView(ViewKind kind, bool available) {
    QWidget* page = pageOf(kind);
    if (!available && currentWidget() == page) showView(ViewKind::Matrix);
    setPageAvailable(page, available);
}

void ViewTabs::addPage(QWidget* page, const QString& title, const QString& toolTip) {
    const int tab = addTab(page, title);
    setTabToolTip(tab, toolTip);
    setTabVisible(tab, false);
}

void ViewTabs::setPageAvailable(QWidget* page, bool available) { setTabVisible(indexOf(page), available); }

bool ViewTabs::isPageAvailable(QWidget* page) const { return indexOf(page) >= 0 && isTabVisible(indexOf(page)); }

void ViewTabs::setAnalysis(const std::shared_ptr<const Analysis>& analysis) {
    overlayControls_->setAnalysis(analysis.get());
    if (analysis) {
        // Alignment links two texts; a probe reading an image's patches is drawn on the image instead.
        const AttentionRecord& record = analysis->record;
        offerView(ViewKind::Alignment, std::any_of(record.stacks.begin(), record.stacks.end(), [&](const NamedStack& stack) {
                      return !stack.isSelfAttention() && !record.keysOf(stack).patches.isValid();
                  }));
    }
    for (FigureView* v : views()) v->setAnalysis(analysis);
}

void ViewTabs::setOtherInput(const std::shared_ptr<const Analysis>& other) {
    for (FigureView* v : views()) v->setOtherInput(other);
}

void ViewTabs::setPlaceholderText(const QString& text) {
    for (FigureView* v : views()) v->setPlaceholderText(text);
}

}  // namespace attnscope::ui
