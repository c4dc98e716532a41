#pragma once
#include <QMainWindow>

#include <optional>

#include "AttentionSelection.h"
#include "AttentionSession.h"
#include "RecentModels.h"
#include "ViewExport.h"

class QLabel;
class QMenu;
class QStackedWidget;
class QTabWidget;

namespace attnscope::ui {

class AttentionControls;
class FigureView;
class HeadToggles;
class HeadsView;
class HeatmapView;
class JobProgress;
class ModelView;
class TextInputBar;
class TokenStripView;

// The app window: opens a model folder (dialog, drag and drop, Open Recent, command line),
// takes a text and an optional pair, and shows the attention in four views (matrix, heads,
// model grid, token strip) driven by one AttentionSelection that the side panel edits.
// The session computes off the GUI thread; the window only forwards requests and shows results.
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
    AttentionControls* controls() const { return controls_; }
    TextInputBar* inputBar() const { return inputBar_; }
    QMenu* recentMenu() const { return recentMenu_; }

    void setText(const QString& text);
    void setPairText(const QString& text);
    // The query token to select once the first analysis arrives (command line).
    void setInitialQuery(int token) { initialQuery_ = token; }

    ViewKind currentView() const;
    FigureView* currentFigureView() const;

    // Exports without asking (the Export dialog and tests both end here). Shows an error
    // box and returns false when the file cannot be written or nothing is computed yet.
    bool exportTo(const ExportChoice& choice);

public slots:
    void openModel(const QString& folder);
    void chooseModelFolder();
    void compute();
    void cancel();
    void setCurrentView(attnscope::ui::ViewKind kind);
    void showExportDialog();
    void copyFigure();

signals:
    // Emitted with every error message box, which is shown without blocking (open()).
    void errorShown(const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QWidget* buildAnalysisPage();
    void buildActions();
    void rebuildRecentMenu();
    void onModelChanged();
    void onAnalysisChanged();
    void onActivityChanged(AttentionSession::Activity activity);
    void onFailed(AttentionSession::Activity activity, const QString& message);
    void updateStatus();
    void updateZoomInfo();
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
    JobProgress* progress_ = nullptr;
    QLabel* modelInfo_ = nullptr;
    QLabel* zoomInfo_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QList<QAction*> analysisActions_;  // enabled only once there is something to export
    std::optional<int> initialQuery_;
};

}  // namespace attnscope::ui
