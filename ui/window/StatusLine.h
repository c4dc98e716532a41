#pragma once
#include <QObject>

class QLabel;
class QStatusBar;

namespace attnscope::ui {

class AttentionSelection;
class AttentionSession;
class HeatmapView;
class JobProgress;

// The status bar's permanent parts: what is open and shown (model or attention file, layers,
// heads, tokens, the query, a compact attention's precision), a classifier's prediction,
// where a zoomed matrix is, and the running job with its progress and Cancel.
class StatusLine : public QObject {
    Q_OBJECT
public:
    StatusLine(QStatusBar* bar, AttentionSession* session, AttentionSelection* selection, HeatmapView* matrix);

    JobProgress* progress() const { return progress_; }

public slots:
    // What is open and shown, after any change of model, analysis or selection.
    void update();
    // Where the zoomed matrix is, shown while the matrix is (`matrixShown`).
    void updateZoom(bool matrixShown);

private:
    void showActivity();

    AttentionSession* session_;
    AttentionSelection* selection_;
    HeatmapView* matrix_;
    QLabel* model_;
    QLabel* prediction_;
    QLabel* zoom_;
    JobProgress* progress_;
};

}  // namespace attnscope::ui
