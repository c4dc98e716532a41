#pragma once
#include <QObject>

#include <functional>
#include <memory>

#include "ModelNotes.h"

class QAction;
class QLabel;
class QMainWindow;
class QMenu;
class QShortcut;
class QToolBar;

namespace attnscope::ui {

struct Analysis;
class AttentionControls;
class AttentionSelection;
class AutoPlay;
class LensTab;
class ViewTabs;

// Classroom mode: full screen, large type, thick lines, light on dark, a caption strip saying
// what is on screen, presenter keys (←/→ head, ↑/↓ layer, Space soft/hard, A head mean,
// R rollout) and auto-play through layers and heads. The caption follows the view and the
// selection in every mode; it is shown in classroom mode only.
class ClassroomMode : public QObject {
    Q_OBJECT
public:
    ClassroomMode(QMainWindow* window, AttentionSelection* selection, ViewTabs* tabs, LensTab* lens);

    QLabel* caption() const { return caption_; }
    AutoPlay* autoPlay() const { return autoPlay_; }
    QAction* toggleAction() const { return toggle_; }
    bool isOn() const { return on_; }
    // The View menu's classroom entries: the mode, the side panel, auto-play and its pace.
    void addActionsTo(QMenu* view);
    // What classroom mode folds away (the side panel, resized with the type) and hides (the
    // tool bar); `canStep` says whether the presenter keys have anything to step through.
    void setFoldedParts(QWidget* sidePanel, AttentionControls* sidePanelContent, QToolBar* toolBar);
    void setCanStep(std::function<bool()> canStep) { canStep_ = std::move(canStep); }
    // A page with steps of its own (the inside of a head) takes Space while it is shown:
    // `spaceStep` returns whether it did, else Space toggles soft and hard. `pageCaption`
    // gives such a page's caption ("" for none: the view's own).
    void setPageSteps(std::function<bool()> spaceStep, std::function<QString()> pageCaption) {
        spaceStep_ = std::move(spaceStep);
        pageCaption_ = std::move(pageCaption);
    }

public slots:
    void setOn(bool on);
    // What sets the open model's attention apart, for the caption (empty for none).
    void setModelNotes(const attnscope::ui::ModelNotes& notes);
    // The analysis shown: the caption names a caption word that looks at the image.
    void setAnalysis(std::shared_ptr<const attnscope::ui::Analysis> analysis);
    void updateCaption();

signals:
    void toggled(bool on);

private:
    void addPresenterKeys();
    // A presenter key: forwarded to a focused text field, spin box or combo box (whose own key
    // it is), otherwise it steps the selection.
    void presenterKey(QShortcut* shortcut, int key, const std::function<void()>& step);
    void resizeSidePanel();

    QMainWindow* window_;
    AttentionSelection* selection_;
    ViewTabs* tabs_;
    LensTab* lens_;
    QLabel* caption_;
    AutoPlay* autoPlay_;
    QAction* toggle_;
    QAction* sidePanelAction_;
    QAction* playAction_;
    QWidget* sidePanel_ = nullptr;
    AttentionControls* sidePanelContent_ = nullptr;
    QToolBar* toolBar_ = nullptr;
    std::function<bool()> canStep_;
    std::function<bool()> spaceStep_;
    std::function<QString()> pageCaption_;
    ModelNotes notes_;
    std::shared_ptr<const Analysis> analysis_;
    bool on_ = false;
    bool wasMaximized_ = false;
};

}  // namespace attnscope::ui
