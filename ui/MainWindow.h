#pragma once
#include <QMainWindow>

#include <functional>
#include <optional>

#include "AttentionSelection.h"
#include "AttentionSession.h"
#include "RecentModels.h"
#include "SessionFile.h"
#include "ViewExport.h"

class QAction;
class QLabel;
class QMenu;
class QPushButton;
class QScrollArea;
class QShortcut;
class QToolBar;
class QStackedWidget;
class QTabWidget;

namespace attnscope::ui {

class PredictionsPanel;
class AttentionControls;
class GenerationControls;
class AutoPlay;
class FigureView;
class HeadToggles;
class HeadsView;
class HeatmapView;
class ImageInputBar;
class ImageOverlayControls;
class ImageOverlayView;
class JobProgress;
class LensView;
class ModelView;
class TextInputBar;
class TokenStripView;

// The app window: opens a model folder (dialog, drag and drop, Open Recent, command line),
// takes a text and an optional pair (an encoder-decoder: a source and a target; a vision
// model: an image file, opened or dropped), and shows the attention in views (matrix, heads,
// model grid, token strip, and for a vision model the image overlay) driven by one
// AttentionSelection that the side panel edits. The session computes off the GUI thread;
// the window only forwards requests and shows results.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    AttentionSession& session() { return session_; }
    AttentionSelection& selection() { return selection_; }
    RecentModels& recentModels() { return recent_; }
    HeatmapView* heatmap() const { return matrixView_; }
    HeadsView* headsView() const { return headsView_; }
    HeadToggles* headToggles() const { return headToggles_; }
    ModelView* modelView() const { return modelView_; }
    TokenStripView* tokenStripView() const { return tokenStripView_; }
    ImageOverlayView* overlayView() const { return overlayView_; }
    ImageOverlayControls* overlayControls() const { return overlayControls_; }
    AttentionControls* controls() const { return controls_; }
    TextInputBar* inputBar() const { return inputBar_; }
    ImageInputBar* imageBar() const { return imageBar_; }
    QMenu* recentMenu() const { return recentMenu_; }
    AutoPlay* autoPlay() const { return autoPlay_; }
    // Classroom mode's caption strip (its text follows the view and selection in every mode;
    // it is shown in classroom mode only).
    QLabel* explanationStrip() const { return explanation_; }
    bool isClassroomMode() const { return classroom_; }
    QAction* classroomAction() const { return classroomAction_; }
    QMenu* samplesMenu() const { return samplesMenu_; }
    PredictionsPanel* predictionsPanel() const { return predictionsPanel_; }
    GenerationControls* generationControls() const { return generationControls_; }
    QPushButton* maskButton() const { return maskButton_; }
    LensView* lensView() const { return lensView_; }
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
    // The image a vision model analyses once it is open (command line).
    void setImageFile(const QString& path);
    // The query token to select once the first analysis arrives (command line).
    void setInitialQuery(int token) { initialQuery_ = token; }
    // The view to show once a model is open (command line); without one, a vision model
    // opens on the image overlay and a text model on the matrix.
    void setPreferredView(ViewKind kind) { preferredView_ = kind; }
    // The logit lens tab instead, when the model has one (command line: --view lens).
    void openOnLens() { preferLens_ = true; }

    // The attention view shown; Matrix while the logit lens tab is shown.
    ViewKind currentView() const;
    // Null while the logit lens tab is shown.
    FigureView* currentFigureView() const;

    // Exports without asking (the Export dialog and tests both end here). Shows an error
    // box and returns false when the file cannot be written or nothing is computed yet.
    bool exportTo(const ExportChoice& choice);

public slots:
    void openModel(const QString& folder);
    void chooseModelFolder();
    // File ▸ Open Model…: the models in the Hugging Face cache, with Folder… and Download…
    // (MainWindowHub.cpp). File ▸ Download Model…: fetches one from the hub and opens it.
    void chooseModel();
    void showDownloadDialog();
    void compute();
    // Analyses an image file with the open vision model (errors show in a message box and
    // leave the current analysis as it is).
    void openImage(const QString& path);
    // Shows an attention file (attnscope-cli attention's format, or transformers' attentions
    // saved as in README) in every view, without a model; errors show in a message box.
    void openAttentionFile(const QString& path);
    void chooseAttentionFile();
    void cancel();
    void setCurrentView(attnscope::ui::ViewKind kind);
    void showExportDialog();
    void copyFigure();
    // Full screen, large type, thick lines, light on dark, the caption strip shown.
    void setClassroomMode(bool on);
    void chooseSessionToOpen();
    void chooseSessionToSave();
    // A causal language model (MainWindowGeneration.cpp): up to `count` more tokens after the
    // typed text, or after the generation shown when it grew from that text, with the
    // Generate box's settings; each token shows in every view as it comes.
    void generateTokens(int count);
    void generate();
    void stepGeneration();
    // A masked language model: masks the selected token (or unmasks it) and recomputes, so
    // the predictions panel shows what the model would put there.
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
    QWidget* buildAnalysisPage();
    void buildActions();
    void buildClassroomActions(QMenu* view);
    void buildSamplesMenu();
    // Predict ▸ Generate, Step, Mask (MainWindowGeneration.cpp).
    void buildPredictMenu();
    // A presenter key: forwarded to a focused text field, spin box or combo box (whose own
    // key it is), otherwise it steps the selection.
    void presenterKey(QShortcut* shortcut, int key, const std::function<void()>& step);
    void updateExplanation();
    void applyPendingSession();
    void rebuildRecentMenu();
    void onModelChanged();
    void onAnalysisChanged();
    void onSelectionChanged();
    // Puts the input bar, tabs and controls in the shape the open model needs.
    void adaptToModel();
    // The same for an attention file: its stacks' shapes, no input to edit.
    void adaptToAttentionFile();
    // The image overlay tab for vision inputs only; the first vision input opens on it.
    void showTabsFor(bool wasVision);
    int defaultQuery(const Analysis& analysis, AttentionKind kind) const;
    void onActivityChanged(AttentionSession::Activity activity);
    void onFailed(AttentionSession::Activity activity, const QString& message);
    void updateStatus();
    void updateZoomInfo();
    // The language model's top tokens for the selected query position, and the mask button.
    void updatePredictionsPanel();
    void onGenerationFinished(GenerationRun::Stop why, int newTokens);
    // The Generate box for models that can generate (adaptToModel).
    void adaptGenerationToModel();
    // The logit lens tab (MainWindowLens.cpp): for models that have one; computed while shown.
    void buildLensTab();
    void adaptLensToModel();
    void requestLensIfShown();
    void updateLensView();
    bool exportLens(const QString& path, int longSide);
    void showError(const QString& summary, const QString& details);
    QString suggestedExportPath() const;
    std::vector<FigureView*> views() const;

    AttentionSession session_;
    AttentionSelection selection_;
    RecentModels recent_;
    QStackedWidget* pages_ = nullptr;
    TextInputBar* inputBar_ = nullptr;
    AttentionControls* controls_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    HeatmapView* matrixView_ = nullptr;
    HeadsView* headsView_ = nullptr;
    HeadToggles* headToggles_ = nullptr;
    ModelView* modelView_ = nullptr;
    TokenStripView* tokenStripView_ = nullptr;
    ImageOverlayView* overlayView_ = nullptr;
    ImageOverlayControls* overlayControls_ = nullptr;
    QStackedWidget* inputs_ = nullptr;
    ImageInputBar* imageBar_ = nullptr;
    QLabel* attentionFileBar_ = nullptr;  // in place of the input bars while a file is shown
    PredictionsPanel* predictionsPanel_ = nullptr;
    GenerationControls* generationControls_ = nullptr;
    QPushButton* maskButton_ = nullptr;
    LensView* lensView_ = nullptr;
    JobProgress* progress_ = nullptr;
    QLabel* modelInfo_ = nullptr;
    QLabel* predictionInfo_ = nullptr;
    QLabel* zoomInfo_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QList<QAction*> analysisActions_;  // enabled only once there is something to export
    std::optional<int> initialQuery_;
    std::optional<ViewKind> preferredView_;
    bool preferLens_ = false;
    QString pendingImage_;                       // to analyse once a vision model is open
    AttentionKind shownKind_ = AttentionKind::Encoder;  // the stack whose tokens the controls list
    bool visionModel_ = false;

    QScrollArea* controlsScroll_ = nullptr;
    QToolBar* toolBar_ = nullptr;
    QLabel* explanation_ = nullptr;
    QAction* classroomAction_ = nullptr;
    QAction* sidePanelAction_ = nullptr;
    QMenu* samplesMenu_ = nullptr;
    AutoPlay* autoPlay_ = nullptr;
    bool classroom_ = false;
    bool wasMaximized_ = false;
    bool quietOpenFailure_ = false;              // the start model: fall back to the welcome page silently
    std::optional<SessionState> pendingSession_;  // restored once its analysis arrives
};

}  // namespace attnscope::ui
