// MainWindow's session files and start model: what restores or prepares what the window
// shows, apart from building it (MainWindow.cpp).
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>

#include <stdexcept>

#include "Analysis.h"
#include "ClassroomMode.h"
#include "HeatmapView.h"
#include "ImageInputBar.h"
#include "InputPanel.h"
#include "LensTab.h"
#include "MainWindow.h"
#include "TextInputBar.h"
#include "hub/HubId.h"
#include "model/ModelReference.h"

namespace attnscope::ui {

namespace {

const char* const kLastSessionFolderKey = "lastSessionFolder";

QString sessionFilter() { return QObject::tr("AttnScope sessions (*.%1)").arg(QLatin1String(kSessionSuffix)); }

// A Hugging Face id ("org/name[@revision]") rather than a folder: a path that exists wins.
bool isHubIdReference(const QString& model) { return !QFileInfo::exists(model) && hub::parseHubId(model.toStdString()).has_value(); }

// Empty when the model can be opened, else why not (the session is then refused whole).
QString modelProblem(const QString& model) {
    if (model.startsWith(QLatin1String(kBuiltinPrefix)) || isHubIdReference(model)) {
        try {
            resolveModelReference(model.toStdString());
        } catch (const std::exception& e) {
            return QString::fromStdString(e.what());
        }
        return {};
    }
    return QFileInfo(model).isDir() ? QString() : QObject::tr("The model folder %1 does not exist.").arg(QDir::toNativeSeparators(model));
}

QString sessionFolder() {
    QString folder = QSettings().value(kLastSessionFolderKey).toString();
    if (folder.isEmpty()) folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return folder.isEmpty() ? QDir::homePath() : folder;
}

}  // namespace

SessionState MainWindow::currentSession() const {
    SessionState state;
    state.model = session_.modelFolder();
    if (!state.model.startsWith(QLatin1String(kBuiltinPrefix)) && !isHubIdReference(state.model))
        state.model = QFileInfo(state.model).absoluteFilePath();
    if (input_->readsImages()) {
        state.image = input_->imageBar()->imagePath();
        state.pair = input_->imageBar()->caption();  // a captioner's caption, kept where a target is
    } else {
        state.text = input_->textBar()->text();
        state.pair = input_->textBar()->pairText();
        // Masks belong to the analysed text: kept while the fields still hold it.
        if (const auto analysis = session_.analysis(); analysis && analysis->text == state.text && analysis->pair == state.pair)
            state.maskedTokens.assign(analysis->maskedTokens.keyBegin(), analysis->maskedTokens.keyEnd());
    }
    state.headsOff = QString::fromStdString(session_.ablation().list());
    state.headsOffMode = QString::fromLatin1(ablationModeName(session_.ablation().mode));
    state.view = currentView();
    state.lens = isLensShown();
    captureSelection(selection_, state);
    state.zoom = heatmap()->zoom();
    state.firstRow = heatmap()->visibleCells().top();
    state.firstColumn = heatmap()->visibleCells().left();
    state.classroom = isClassroomMode();
    return state;
}

bool MainWindow::saveSessionTo(const QString& path) {
    if (!session_.checkpoint()) {
        showError(tr("There is no session to save yet."), tr("Open a model first."));
        return false;
    }
    try {
        writeSessionFile(path, currentSession());
    } catch (const std::exception& e) {
        showError(tr("AttnScope could not save the session."), QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

bool MainWindow::openSession(const QString& path) {
    SessionState state;
    try {
        state = readSessionFile(path);
    } catch (const std::exception& e) {
        showError(tr("AttnScope could not open this session file."), QString::fromStdString(e.what()));
        return false;
    }
    if (const QString problem = modelProblem(state.model); !problem.isEmpty()) {
        showError(tr("AttnScope could not open this session's model."), problem);
        return false;
    }
    pendingSession_ = state;
    setPreferredView(state.view);
    if (state.lens) openOnLens();
    setText(state.text);
    setPairText(state.pair);
    if (!state.image.isEmpty()) setCaption(state.pair);
    input_->setPendingImage(state.image);
    input_->setPendingMasks(state.maskedTokens);  // a session's masked tokens come back
    if (!state.headsOff.isEmpty())
        setInitialAblation(parseHeadAblation(state.headsOff.toStdString(), *ablationModeNamed(state.headsOffMode.toStdString())));
    setClassroomMode(state.classroom);
    openModel(state.model);
    return true;
}

void MainWindow::applyPendingSession() {
    if (!pendingSession_) return;
    const SessionState state = *std::exchange(pendingSession_, std::nullopt);
    applySelection(state, selection_);
    if (state.lens && session_.canComputeLens()) showLens();
    else setCurrentView(state.view);
    heatmap()->setZoomWindow(state.zoom, state.firstRow, state.firstColumn);
}

void MainWindow::chooseSessionToOpen() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Session"), sessionFolder(), sessionFilter());
    if (path.isEmpty()) return;
    QSettings().setValue(kLastSessionFolderKey, QFileInfo(path).absolutePath());
    openSession(path);
}

void MainWindow::chooseSessionToSave() {
    const QString name = QFileInfo(session_.modelFolder()).fileName().remove(QLatin1Char(':'));
    const QString suggested = QDir(sessionFolder()).filePath(name + QLatin1Char('.') + QLatin1String(kSessionSuffix));
    QString path = QFileDialog::getSaveFileName(this, tr("Save Session"), suggested, sessionFilter());
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += QLatin1Char('.') + QLatin1String(kSessionSuffix);
    QSettings().setValue(kLastSessionFolderKey, QFileInfo(path).absolutePath());
    if (saveSessionTo(path)) statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
}

void MainWindow::openStartModel(const QString& reference, const QString& text) {
    quietOpenFailure_ = true;
    if (!text.isEmpty() && input_->textBar()->text().isEmpty()) setText(text);
    openModel(reference);
}

}  // namespace attnscope::ui
