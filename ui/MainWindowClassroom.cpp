// MainWindow's classroom mode: full screen, large type, thick lines, light on dark, a
// caption strip, presenter keys and auto-play. Kept apart from MainWindow.cpp, which builds
// the window and talks to the session.
#include <QAbstractSpinBox>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QComboBox>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QScreen>
#include <QScrollArea>
#include <QShortcut>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextEdit>
#include <QToolBar>

#include "AttentionControls.h"
#include "AutoPlay.h"
#include "ClassroomStyle.h"
#include "ExplanationText.h"
#include "HeatmapView.h"
#include "GenerationControls.h"
#include "MainWindow.h"
#include "SelectionStepper.h"

namespace attnscope::ui {

namespace {

// Widgets whose own keys the presenter keys must not steal: typing, spinning, choosing.
bool ownsKeys(const QWidget* widget) {
    return qobject_cast<const QLineEdit*>(widget) || qobject_cast<const QAbstractSpinBox*>(widget) ||
           qobject_cast<const QComboBox*>(widget) || qobject_cast<const QTextEdit*>(widget) ||
           qobject_cast<const QPlainTextEdit*>(widget);
}

}  // namespace

void MainWindow::buildClassroomActions(QMenu* view) {
    classroomAction_ = view->addAction(tr("&Classroom Mode"));
    classroomAction_->setObjectName(QStringLiteral("classroomAction"));
    classroomAction_->setCheckable(true);
    classroomAction_->setShortcut(QKeySequence(Qt::Key_F11));
    classroomAction_->setToolTip(tr("Full screen with large type and a dark theme, for a projector (F11)"));
    connect(classroomAction_, &QAction::toggled, this, &MainWindow::setClassroomMode);

    sidePanelAction_ = view->addAction(tr("Side &Panel"));
    sidePanelAction_->setObjectName(QStringLiteral("sidePanelAction"));
    sidePanelAction_->setCheckable(true);
    sidePanelAction_->setChecked(true);
    sidePanelAction_->setShortcut(QKeySequence(Qt::Key_F9));
    connect(sidePanelAction_, &QAction::toggled, controlsScroll_, &QWidget::setVisible);

    autoPlay_ = new AutoPlay(&selection_, this);
    QAction* play = view->addAction(tr("&Auto-play Layers and Heads"));
    play->setObjectName(QStringLiteral("autoPlayAction"));
    play->setCheckable(true);
    play->setShortcut(QKeySequence(Qt::Key_P));
    play->setShortcutContext(Qt::WindowShortcut);
    connect(play, &QAction::toggled, autoPlay_, &AutoPlay::setPlaying);
    connect(autoPlay_, &AutoPlay::playingChanged, play, &QAction::setChecked);
    QMenu* pace = view->addMenu(tr("Auto-play &Pace"));
    auto* paces = new QActionGroup(this);
    for (const int seconds : {1, 2, 4}) {
        QAction* choice = pace->addAction(seconds == 1 ? tr("1 second per step") : tr("%1 seconds per step").arg(seconds));
        choice->setCheckable(true);
        choice->setChecked(seconds * 1000 == autoPlay_->intervalMs());
        paces->addAction(choice);
        connect(choice, &QAction::triggered, this, [this, seconds] { autoPlay_->setIntervalMs(seconds * 1000); });
    }

    // Presenter keys. WindowShortcut: they work wherever the focus is in the window; a text
    // field keeps its own keys (QLineEdit claims them through ShortcutOverride, and
    // presenterKey() hands the rest back).
    using namespace stepper;
    const std::pair<int, std::function<void()>> keys[] = {
        {Qt::Key_Left, [this] { stepHead(selection_, -1); }},  {Qt::Key_Right, [this] { stepHead(selection_, 1); }},
        {Qt::Key_Up, [this] { stepLayer(selection_, -1); }},   {Qt::Key_Down, [this] { stepLayer(selection_, 1); }},
        {Qt::Key_Space, [this] { toggleHard(selection_); }},   {Qt::Key_A, [this] { toggleHeadMean(selection_); }},
        {Qt::Key_R, [this] { toggleRollout(selection_); }},
    };
    for (const auto& [key, step] : keys) {
        auto* shortcut = new QShortcut(QKeySequence(key), this);
        shortcut->setObjectName(QStringLiteral("presenterKey%1").arg(key));
        shortcut->setContext(Qt::WindowShortcut);
        connect(shortcut, &QShortcut::activated, this, [this, shortcut, key = key, step = step] { presenterKey(shortcut, key, step); });
    }
}

void MainWindow::presenterKey(QShortcut* shortcut, int key, const std::function<void()>& step) {
    QWidget* focus = QApplication::focusWidget();
    // Outside classroom mode the matrix keeps Up/Down for moving the query row.
    const bool matrixRows = !classroom_ && focus == matrixView_ && (key == Qt::Key_Up || key == Qt::Key_Down);
    if (focus && focus->window() == this && (ownsKeys(focus) || matrixRows)) {
        // Delivered with the shortcut off: a key event sent while it is on would trigger it again.
        QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier, key == Qt::Key_Space ? QStringLiteral(" ") : QString());
        shortcut->setEnabled(false);
        QCoreApplication::sendEvent(focus, &press);
        shortcut->setEnabled(true);
        return;
    }
    if (!session_.checkpoint()) return;  // nothing to step through yet
    step();
}

void MainWindow::setClassroomMode(bool on) {
    if (classroom_ == on) return;
    classroom_ = on;
    if (classroomAction_->isChecked() != on) classroomAction_->setChecked(on);
    generationControls_->setAnimate(on);  // a room follows a generation token by token
    if (on) {
        wasMaximized_ = isMaximized();
        setPalette(classroomPalette());
        setFont(classroomFont(QApplication::font()));
        selection_.setStyle(classroomFigureStyle(selection_.style()));
        showFullScreen();
        // Without a window manager (a kiosk, Xvfb) nothing resizes a full-screen window.
        if (QScreen* screen = this->screen(); screen && !QGuiApplication::platformName().contains(QLatin1String("offscreen")))
            setGeometry(screen->geometry());
    } else {
        setPalette(QPalette());
        setFont(QFont());
        selection_.setStyle(normalFigureStyle(selection_.style()));
        if (wasMaximized_) showMaximized();
        else showNormal();
    }
    // The panel's widgets grew or shrank with the type; the room needs the figure more than
    // the panel, so classroom mode folds it away (F9 brings it back).
    controlsScroll_->setFixedWidth(controls_->sizeHint().width() + 16 + (on ? 16 : 0));
    sidePanelAction_->setChecked(!on);
    toolBar_->setVisible(!on);
    explanation_->setVisible(on);
    if (on) {
        // Amber rule above the caption, so the eye finds it on a projector. A style sheet
        // replaces the palette and font the label would inherit, so it names them itself.
        explanation_->setStyleSheet(QStringLiteral("QLabel#explanationStrip { border-top: 4px solid #ffc828; color: #f5f5f0;"
                                                   " background: #121216; font-size: %1pt; padding: 6px; }")
                                        .arg(kClassroomFontPointSize));
    } else {
        explanation_->setStyleSheet({});
    }
    updateExplanation();
}

void MainWindow::updateExplanation() {
    if (!explanation_) return;
    if (isLensShown()) {
        explanation_->setText(tr("<b>Logit lens.</b> Each row reads one layer's output through the model's own output head: "
                                 "the word it would predict there if it stopped at that layer. Brighter cells are surer guesses; "
                                 "the top row is the model's real prediction."));
        return;
    }
    explanation_->setText(explanationText(explanationContext(currentView(), selection_)));
}

}  // namespace attnscope::ui
