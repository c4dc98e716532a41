#include "ClassroomMode.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QComboBox>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QPlainTextEdit>
#include <QScreen>
#include <QShortcut>
#include <QStatusBar>
#include <QTextEdit>
#include <QToolBar>

#include "Analysis.h"
#include "AttentionControls.h"
#include "AttentionSelection.h"
#include "AutoPlay.h"
#include "ClassroomStyle.h"
#include "ExplanationText.h"
#include "HeatmapView.h"
#include "ImageOverlayView.h"
#include "LensTab.h"
#include "SelectionStepper.h"
#include "ViewTabs.h"

namespace attnscope::ui {

namespace {

// Widgets whose own keys the presenter keys must not steal: typing, spinning, choosing.
bool ownsKeys(const QWidget* widget) {
    return qobject_cast<const QLineEdit*>(widget) || qobject_cast<const QAbstractSpinBox*>(widget) ||
           qobject_cast<const QComboBox*>(widget) || qobject_cast<const QTextEdit*>(widget) ||
           qobject_cast<const QPlainTextEdit*>(widget);
}

}  // namespace

ClassroomMode::ClassroomMode(QMainWindow* window, AttentionSelection* selection, ViewTabs* tabs, LensTab* lens)
    : QObject(window), window_(window), selection_(selection), tabs_(tabs), lens_(lens) {
    caption_ = new QLabel(window);
    caption_->setObjectName(QStringLiteral("explanationStrip"));
    caption_->setWordWrap(true);
    caption_->setTextFormat(Qt::RichText);
    caption_->setMargin(10);
    caption_->setAutoFillBackground(true);
    caption_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    // Beside the views, not under them: a projector's wide screen has room across, and the
    // heatmap, which is as tall as the room allows, keeps the height.
    caption_->setMinimumWidth(320);
    caption_->setMaximumWidth(480);
    caption_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
    caption_->setVisible(false);

    toggle_ = new QAction(tr("&Classroom Mode"), this);
    toggle_->setObjectName(QStringLiteral("classroomAction"));
    toggle_->setCheckable(true);
    toggle_->setShortcut(QKeySequence(Qt::Key_F11));
    toggle_->setToolTip(tr("Full screen with large type and a dark theme, for a projector (F11)"));
    connect(toggle_, &QAction::toggled, this, &ClassroomMode::setOn);

    sidePanelAction_ = new QAction(tr("Side &Panel"), this);
    sidePanelAction_->setObjectName(QStringLiteral("sidePanelAction"));
    sidePanelAction_->setCheckable(true);
    sidePanelAction_->setChecked(true);
    sidePanelAction_->setShortcut(QKeySequence(Qt::Key_F9));

    autoPlay_ = new AutoPlay(selection, this);
    playAction_ = new QAction(tr("&Auto-play Layers and Heads"), this);
    playAction_->setObjectName(QStringLiteral("autoPlayAction"));
    playAction_->setCheckable(true);
    playAction_->setShortcut(QKeySequence(Qt::Key_P));
    playAction_->setShortcutContext(Qt::WindowShortcut);
    connect(playAction_, &QAction::toggled, autoPlay_, &AutoPlay::setPlaying);
    connect(autoPlay_, &AutoPlay::playingChanged, playAction_, &QAction::setChecked);

    addPresenterKeys();
    connect(selection, &AttentionSelection::changed, this, &ClassroomMode::updateCaption);
    connect(tabs, &QTabWidget::currentChanged, this, &ClassroomMode::updateCaption);
    updateCaption();
}

void ClassroomMode::addActionsTo(QMenu* view) {
    view->addAction(toggle_);
    view->addAction(sidePanelAction_);
    view->addAction(playAction_);
    QMenu* pace = view->addMenu(tr("Auto-play &Pace"));
    auto* paces = new QActionGroup(this);
    for (const int seconds : {1, 2, 4}) {
        QAction* choice = pace->addAction(seconds == 1 ? tr("1 second per step") : tr("%1 seconds per step").arg(seconds));
        choice->setCheckable(true);
        choice->setChecked(seconds * 1000 == autoPlay_->intervalMs());
        paces->addAction(choice);
        connect(choice, &QAction::triggered, this, [this, seconds] { autoPlay_->setIntervalMs(seconds * 1000); });
    }
}

void ClassroomMode::setFoldedParts(QWidget* sidePanel, AttentionControls* sidePanelContent, QToolBar* toolBar) {
    sidePanel_ = sidePanel;
    sidePanelContent_ = sidePanelContent;
    toolBar_ = toolBar;
    connect(sidePanelAction_, &QAction::toggled, sidePanel, &QWidget::setVisible);
    resizeSidePanel();
}

void ClassroomMode::resizeSidePanel() {
    if (sidePanel_ && sidePanelContent_) sidePanel_->setFixedWidth(sidePanelContent_->panelWidth() + 16 + (on_ ? 16 : 0));
}

void ClassroomMode::addPresenterKeys() {
    // WindowShortcut: they work wherever the focus is in the window; a text field keeps its
    // own keys (QLineEdit claims them through ShortcutOverride, and presenterKey() hands the
    // rest back).
    using namespace stepper;
    const std::pair<int, std::function<void()>> keys[] = {
        {Qt::Key_Left, [this] { stepHead(*selection_, -1); }},  {Qt::Key_Right, [this] { stepHead(*selection_, 1); }},
        {Qt::Key_Up, [this] { stepLayer(*selection_, -1); }},   {Qt::Key_Down, [this] { stepLayer(*selection_, 1); }},
        {Qt::Key_Space, [this] {
             if (!spaceStep_ || !spaceStep_()) toggleHard(*selection_);
         }},   {Qt::Key_A, [this] { toggleHeadMean(*selection_); }},
        {Qt::Key_R, [this] { toggleRollout(*selection_); }},
    };
    for (const auto& [key, step] : keys) {
        auto* shortcut = new QShortcut(QKeySequence(key), window_);
        shortcut->setObjectName(QStringLiteral("presenterKey%1").arg(key));
        shortcut->setContext(Qt::WindowShortcut);
        connect(shortcut, &QShortcut::activated, this, [this, shortcut, key = key, step = step] { presenterKey(shortcut, key, step); });
    }
}

void ClassroomMode::presenterKey(QShortcut* shortcut, int key, const std::function<void()>& step) {
    QWidget* focus = QApplication::focusWidget();
    // Outside classroom mode the matrix keeps Up/Down for moving the query row; the image view
    // keeps them for stepping through a caption's words in either mode (its layers are on the side).
    const bool upDown = key == Qt::Key_Up || key == Qt::Key_Down;
    const bool matrixRows = upDown && ((!on_ && focus == tabs_->heatmap()) || (focus == tabs_->overlayView() && tabs_->overlayView()->stepsQueries()));
    if (focus && focus->window() == window_ && (ownsKeys(focus) || matrixRows)) {
        // Delivered with the shortcut off: a key event sent while it is on would trigger it again.
        QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier, key == Qt::Key_Space ? QStringLiteral(" ") : QString());
        shortcut->setEnabled(false);
        QCoreApplication::sendEvent(focus, &press);
        shortcut->setEnabled(true);
        return;
    }
    if (canStep_ && !canStep_()) return;  // nothing to step through yet
    step();
}

void ClassroomMode::setOn(bool on) {
    if (on_ == on) return;
    on_ = on;
    if (toggle_->isChecked() != on) toggle_->setChecked(on);
    if (on) {
        wasMaximized_ = window_->isMaximized();
        window_->setPalette(classroomPalette());
        window_->setFont(classroomFont(QApplication::font()));
        selection_->setStyle(classroomFigureStyle(selection_->style()));
        window_->showFullScreen();
        // Without a window manager (a kiosk, Xvfb) nothing resizes a full-screen window.
        if (QScreen* screen = window_->screen(); screen && !QGuiApplication::platformName().contains(QLatin1String("offscreen")))
            window_->setGeometry(screen->geometry());
    } else {
        window_->setPalette(QPalette());
        window_->setFont(QFont());
        selection_->setStyle(normalFigureStyle(selection_->style()));
        if (wasMaximized_) window_->showMaximized();
        else window_->showNormal();
    }
    // The panel's widgets grew or shrank with the type; the room needs the figure more than
    // the panel, so classroom mode folds it away (F9 brings it back).
    resizeSidePanel();
    sidePanelAction_->setChecked(!on);
    if (toolBar_) toolBar_->setVisible(!on);
    // The caption says what the status line would; its height goes to the figure.
    window_->statusBar()->setVisible(!on);
    caption_->setVisible(on);
    // Amber rule beside the caption, so the eye finds it on a projector. A style sheet replaces
    // the palette and font the label would inherit, so it names them itself.
    caption_->setStyleSheet(on ? QStringLiteral("QLabel#explanationStrip { border-left: 4px solid #ffc828; color: #f5f5f0;"
                                                " background: #121216; font-size: %1pt; padding: 6px; }")
                                     .arg(kClassroomFontPointSize)
                               : QString());
    updateCaption();
    emit toggled(on);
}

void ClassroomMode::updateCaption() {
    if (const QString page = pageCaption_ ? pageCaption_() : QString(); !page.isEmpty()) {
        caption_->setText(page);
        return;
    }
    if (lens_->isShown()) {
        caption_->setText(tr("<b>Logit lens.</b> Each row reads one layer's output through the model's own output head: "
                             "the word it would predict there if it stopped at that layer. Brighter cells are surer guesses; "
                             "the top row is the model's real prediction."));
        return;
    }
    ExplanationContext context = explanationContext(tabs_->shownView().value_or(ViewKind::Matrix), *selection_);
    if (selection_->stack() == 0) context.layerNote = notes_.layer(selection_->layer());  // the notes are the first stack's layers
    context.scoreNote = notes_.scores;
    // A captioner's word over the image: the classroom's "the word dog looks here".
    if (analysis_ && analysis_->hasImage() && context.crossStack && selection_->stack() < analysis_->stackCount()) {
        const QStringList& words = analysis_->queryLabels(selection_->stack());
        // Without the mark a token label puts for its leading space.
        if (const int q = selection_->selectedQuery(); q >= 0 && q < words.size()) context.queryWord = words[q].trimmed().remove(QChar(0x2423));
    }
    caption_->setText(explanationText(context));
}

void ClassroomMode::setAnalysis(std::shared_ptr<const Analysis> analysis) {
    analysis_ = std::move(analysis);
    updateCaption();
}

void ClassroomMode::setModelNotes(const ModelNotes& notes) {
    notes_ = notes;
    updateCaption();
}

}  // namespace attnscope::ui
