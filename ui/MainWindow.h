#pragma once
#include <QMainWindow>

#include <optional>
#include <utility>

#include "AttentionSession.h"

class QLabel;
class QStackedWidget;

namespace attnscope::ui {

class HeadPicker;
class HeatmapView;
class JobProgress;
class TextInputBar;

// The app window: opens a model folder, takes a text, and shows one layer's and head's
// attention. The session does the work; the window only forwards requests and shows results.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    AttentionSession& session() { return session_; }
    HeatmapView* heatmap() const { return heatmap_; }
    HeadPicker* headPicker() const { return headPicker_; }
    TextInputBar* inputBar() const { return inputBar_; }

    void setText(const QString& text);
    void setPairText(const QString& text);
    // The layer and head to show once the next model opens (the pickers have no range before).
    void setInitialHead(int layer, int head);

public slots:
    void openModel(const QString& folder);
    void chooseModelFolder();
    void compute();
    void cancel();

signals:
    // Emitted with every error message box, which is shown without blocking (open()).
    void errorShown(const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildActions();
    void onModelChanged();
    void onAnalysisChanged();
    void onActivityChanged(AttentionSession::Activity activity);
    void onFailed(AttentionSession::Activity activity, const QString& message);
    void showSelectedHead();
    void updateStatus();
    void showError(const QString& summary, const QString& details);

    AttentionSession session_;
    QStackedWidget* pages_ = nullptr;
    TextInputBar* inputBar_ = nullptr;
    HeadPicker* headPicker_ = nullptr;
    HeatmapView* heatmap_ = nullptr;
    JobProgress* progress_ = nullptr;
    QLabel* modelInfo_ = nullptr;
    std::optional<std::pair<int, int>> initialHead_;
};

}  // namespace attnscope::ui
