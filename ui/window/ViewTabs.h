#pragma once
#include <QTabWidget>

#include <memory>
#include <vector>

#include "FigureBuilder.h"

namespace attnscope::ui {

struct Analysis;
class AlignmentView;
class AttentionSelection;
class FigureView;
class HeadToggles;
class HeadsView;
class HeatmapView;
class ImageOverlayControls;
class ImageOverlayView;
class ModelView;
class TokenStripView;

// The window's tabs: the attention views over the shared selection (the image tab only for
// inputs that are images, the alignment tab only for analyses with cross-attention) and,
// after them, whatever page is added (the logit lens). A tab is found by the page it shows,
// never by its position.
class ViewTabs : public QTabWidget {
    Q_OBJECT
public:
    explicit ViewTabs(AttentionSelection* selection, QWidget* parent = nullptr);

    HeatmapView* heatmap() const { return matrix_; }
    HeadsView* headsView() const { return heads_; }
    HeadToggles* headToggles() const { return headToggles_; }
    ModelView* modelView() const { return model_; }
    TokenStripView* tokenStripView() const { return tokens_; }
    ImageOverlayView* overlayView() const { return overlay_; }
    ImageOverlayControls* overlayControls() const { return overlayControls_; }
    AlignmentView* alignmentView() const { return alignment_; }
    // Every attention view, in tab order.
    std::vector<FigureView*> views() const;
    FigureView* view(ViewKind kind) const;

    // The attention view shown; nullopt while another page (the lens) is.
    std::optional<ViewKind> shownView() const;
    // Shows the view's tab, when it is available (the image tab needs an image).
    void showView(ViewKind kind);
    bool isAvailable(ViewKind kind) const;
    // Offers the image tab, for an image model or an attention file of an image.
    void setImageAvailable(bool available);
    // Adds a page after the views' tabs (hidden until setPageAvailable).
    void addPage(QWidget* page, const QString& title, const QString& toolTip);
    void setPageAvailable(QWidget* page, bool available);
    bool isPageAvailable(QWidget* page) const;

    // Every view shows `analysis` (null: none), or the placeholder while there is none; the
    // alignment tab is offered when the analysis has a cross-attention stack.
    void setAnalysis(const std::shared_ptr<const Analysis>& analysis);
    // The input every view's difference map compares with (null: none).
    void setOtherInput(const std::shared_ptr<const Analysis>& other);
    void setPlaceholderText(const QString& text);

signals:
    // A head the model view opened: show it in the matrix.
    void headOpened();

private:
    QWidget* pageOf(ViewKind kind) const;
    // Offers or withdraws a view's page; withdrawing the shown one shows the matrix.
    void offerView(ViewKind kind, bool available);

    HeatmapView* matrix_;
    HeadsView* heads_;
    HeadToggles* headToggles_;
    ModelView* model_;
    TokenStripView* tokens_;
    ImageOverlayView* overlay_;
    ImageOverlayControls* overlayControls_;
    AlignmentView* alignment_;
    QWidget* headsPage_;
    QWidget* overlayPage_;
};

}  // namespace attnscope::ui
