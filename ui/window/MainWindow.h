#pragma once
#include <QMainWindow>

#include <optional>

#include "AttentionSelection.h"
#include "AttentionSession.h"
#include "RecentModels.h"
#include "SessionFile.h"
#include "ViewExport.h"
#include "ViewTabs.h"

class QAction;
class QLabel;
class QMenu;
class QPushButton;
class QScrollArea;
class QStackedWidget;
class QToolBar;

namespace attnscope::ui {

class AblationControls;
class ComparisonControls;
class AttentionControls;
class AutoPlay;
class ClassroomMode;
class ExportCommands;
class FigureView;
class GenerationCommands;
class GenerationControls;
class ImageInputBar;
class InputPanel;
class AttributionTab;
class InsideHeadTab;
class LensTab;
class LensView;
class PredictionsBox;
class PredictionsPanel;
class SamplesMenu;
class StatusLine;
class TextInputBar;

// The app window, which only wires its parts, as Window does in Qt's basicdrawing example: the
// session (the open model, off-GUI-thread work) and the shared selection; the input panel; the
// side panel (selection controls, predictions, the Generate box); the view tabs and the logit
// lens tab; classroom mode; export; the status line; and the File, View and Predict menus that
// reach them. Each part keeps its own state.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    AttentionSession& session() { return session_; }
    AttentionSelection& selection() { return selection_; }
    RecentModels& recentModels() { return recent_; }
    // The parts.
    InputPanel* inputPanel() const { return input_; }
    ViewTabs* tabs() const { return tabs_; }
    LensTab* lensTab() const { return lens_; }
    AttributionTab* attributionTab() const { return attribution_; }
    InsideHeadTab* insideTab() const { return inside_; }
    ClassroomMode* classroom() const { return classroom_; }
    PredictionsBox* predictions() const { return predictions_; }
    AblationControls* ablationControls() const { return ablation_; }
    ComparisonControls* comparisonControls() const { return comparison_; }
    GenerationCommands* generation() const { return generation_; }
    AttentionControls* controls() const { return controls_; }
    GenerationControls* generationControls() const { return generationControls_; }
    QMenu* recentMenu() const { return recentMenu_; }
    SamplesMenu* samplesMenu() const { return samples_; }
    // Shortcuts into the parts, for the command line and tests.
    TextInputBar* inputBar() const;
    ImageInputBar* imageBar() const;
    HeatmapView* heatmap() const { return tabs_->heatmap(); }
    HeadsView* headsView() const { return tabs_->headsView(); }
    HeadToggles* headToggles() const { return tabs_->headToggles(); }
    ModelView* modelView() const { return tabs_->modelView(); }
    TokenStripView* tokenStripView() const { return tabs_->tokenStripView(); }
    ImageOverlayView* overlayView() const { return tabs_->overlayView(); }
    ImageOverlayControls* overlayControls() const { return tabs_->overlayControls(); }
    PredictionsPanel* predictionsPanel() const;
    QPushButton* maskButton() const;
    LensView* lensView() const;
    AutoPlay* autoPlay() const;
    QLabel* explanationStrip() const;
    QAction* classroomAction() const;
    bool isClassroomMode() const;
    // Whether the logit lens tab is the one shown (currentView() then names the matrix).
    bool isLensShown() const;

    // Opens a model as the start screen (the built-in model when no model is given): a
    // failure leaves the welcome page without an error box.
    void openStartModel(const QString& reference, const QString& text);

    // What is on screen, as a session file stores it (the model must be open).
    SessionState currentSession() const;
    // Writes the session atomically; an error box and false when it cannot.
    bool saveSessionTo(const QString& path);
    // Opens the session's model, computes its inputs and restores its view once the analysis
    // arrives. A bad file or a missing model: an error box, false, and nothing changes.
    bool openSession(const QString& path);

    void setText(const QString& text);
    // The pair of a text model, or the target of an encoder-decoder.
    void setPairText(const QString& text);
    // The image an image model analyses once it is open (command line).
    void setImageFile(const QString& path);
    // A captioner's caption so far (what its decoder reads with the image).
    void setCaption(const QString& text);
    // The query token to select once the first analysis arrives (command line).
    void setInitialQuery(int token) { initialQuery_ = token; }
    // Heads to switch off once the next model opens (the command line's --heads-off, a session's).
    void setInitialAblation(const attnscope::HeadAblation& ablation) { pendingAblation_ = ablation; }
    // The input every view's difference map compares with, run once the model opens.
    void setInitialOtherInput(const attnscope::ui::AnalysisRequest& request) { pendingOther_ = request; }
    static QString noAblationHint();
    // The view to show once a model is open (command line); without one, an image model
    // opens on the image overlay and a text model on the matrix.
    void setPreferredView(ViewKind kind) { preferredView_ = kind; }
    // The logit lens tab instead, when the model has one (command line: --view lens).
    void openOnLens() { preferLens_ = true; }
    void openOnAttribution() { preferAttribution_ = true; }
    void openOnInside() { preferInside_ = true; }

    // The attention view shown; Matrix while the logit lens tab is shown.
    ViewKind currentView() const { return tabs_->shownView().value_or(ViewKind::Matrix); }
    // Null while the logit lens tab is shown.
    FigureView* currentFigureView() const;

    // Exports without asking (the Export dialog and tests both end here). Shows an error
    // box and returns false when the file cannot be written or nothing is computed yet.
    bool exportTo(const ExportChoice& choice);

public slots:
    void openModel(const QString& folder);
    void chooseModelFolder();
    void chooseModelFile();
    // File ▸ Open Model…: the models in the Hugging Face cache, with Folder… and Download….
    // File ▸ Download Model…: fetches one from the hub and opens it.
    void chooseModel();
    void showDownloadDialog();
    void compute();
    // Analyses an image file with the open image model (errors show in a message box and
    // leave the current analysis as it is).
    void openImage(const QString& path);
    // Shows an attention file (attnscope-cli attention's format, or transformers' attentions
    // saved as in README) in every view, without a model; errors show in a message box.
    void openAttentionFile(const QString& path);
    void chooseAttentionFile();
    void cancel();
    void setCurrentView(attnscope::ui::ViewKind kind) { tabs_->showView(kind); }
    void showExportDialog();
    void copyFigure();
    // Full screen, large type, thick lines, light on dark, the caption strip shown.
    void setClassroomMode(bool on);
    void chooseSessionToOpen();
    void chooseSessionToSave();
    // A causal language model: up to `count` more tokens after the typed text.
    void generateTokens(int count);
    void generate();
    void stepGeneration();
    // A masked language model: masks the selected token (or unmasks it) and recomputes.
    void toggleMaskAtSelection();
    // Shows the logit lens tab (a language model with an output head), computing the lens.
    void showLens();

signals:
    // Emitted with every error message box, which is shown without blocking (open()).
    void errorShown(const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QString modelPickerStart() const;
    QWidget* buildAnalysisPage();
    QWidget* buildSidePanel();
    void connectParts();
    void buildFileMenu();
    void buildViewMenu();
    void buildPredictMenu();
    void buildToolBar();
    void rebuildRecentMenu();
    void onModelChanged();
    void onAnalysisChanged();
    void onFailed(AttentionSession::Activity activity, const QString& message);
    // The input panel, the selection's stacks, the tabs and the side panel in the shape the
    // open model (or the attention file shown) needs.
    void adaptToModel();
    void adaptToAttentionFile();
    // The image tab for image inputs only; the first image input opens on it.
    void showTabsFor(bool wasImage, bool image);
    // Shows the view the command line asked for once it is offered; false while it is not.
    bool showPreferredView();
    void applyPendingSession();
    void updatePredictions();
    void showError(const QString& summary, const QString& details);
    void showHint(const QString& message, int timeoutMs = 4000);

    AttentionSession session_;
    AttentionSelection selection_;
    RecentModels recent_;
    QStackedWidget* pages_ = nullptr;
    InputPanel* input_ = nullptr;
    AttentionControls* controls_ = nullptr;
    PredictionsBox* predictions_ = nullptr;
    std::optional<attnscope::HeadAblation> pendingAblation_;
    std::optional<AnalysisRequest> pendingOther_;
    AblationControls* ablation_ = nullptr;
    ComparisonControls* comparison_ = nullptr;
    GenerationControls* generationControls_ = nullptr;
    QScrollArea* sidePanel_ = nullptr;
    ViewTabs* tabs_ = nullptr;
    LensTab* lens_ = nullptr;
    AttributionTab* attribution_ = nullptr;
    InsideHeadTab* inside_ = nullptr;
    ClassroomMode* classroom_ = nullptr;
    StatusLine* status_ = nullptr;
    GenerationCommands* generation_ = nullptr;
    ExportCommands* export_ = nullptr;
    SamplesMenu* samples_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QToolBar* toolBar_ = nullptr;
    QList<QAction*> analysisActions_;  // enabled only once there is something to export
    std::optional<int> initialQuery_;
    std::optional<ViewKind> preferredView_;
    bool preferLens_ = false;
    bool preferAttribution_ = false;
    bool preferInside_ = false;
    bool imageInput_ = false;        // the input shown is an image (the image tab is offered)
    bool quietOpenFailure_ = false;  // the start model: fall back to the welcome page silently
    std::optional<SessionState> pendingSession_;  // restored once its analysis arrives
};

}  // namespace attnscope::ui
