// MainWindow's session files, start model and sample inputs: everything that restores or
// prepares what the window shows, apart from building it (MainWindow.cpp).
#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTextStream>

#include <stdexcept>

#include "HeatmapView.h"
#include "ImageInputBar.h"
#include "Analysis.h"
#include "MainWindow.h"
#include "TextInputBar.h"
#include "model/Checkpoint.h"
#include "hub/HubId.h"
#include "model/ModelReference.h"

namespace attnscope::ui {

namespace {

const char* const kLastSessionFolderKey = "lastSessionFolder";

QString sessionFilter() { return QObject::tr("AttnScope sessions (*.%1)").arg(QLatin1String(kSessionSuffix)); }

// A Hugging Face id ("org/name[@revision]") rather than a folder: a path that exists wins.
bool isHubIdReference(const QString& model) {
    return !QFileInfo::exists(model) && hub::parseHubId(model.toStdString()).has_value();
}

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
    if (visionModel_) {
        state.image = imageBar_->imagePath();
    } else {
        state.text = inputBar_->text();
        state.pair = inputBar_->pairText();
        // Masks belong to the analysed text: kept while the fields still hold it.
        if (const auto analysis = session_.analysis(); analysis && analysis->text == state.text && analysis->pair == state.pair)
            state.maskedTokens.assign(analysis->maskedTokens.keyBegin(), analysis->maskedTokens.keyEnd());
    }
    state.view = currentView();
    state.lens = isLensShown();
    captureSelection(selection_, state);
    state.zoom = matrixView_->zoom();
    state.firstRow = matrixView_->visibleCells().top();
    state.firstColumn = matrixView_->visibleCells().left();
    state.classroom = classroom_;
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
    inputBar_->setText(state.text);
    inputBar_->setPairText(state.pair);
    pendingImage_ = state.image;
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
    matrixView_->setZoomWindow(state.zoom, state.firstRow, state.firstColumn);
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
    if (!text.isEmpty() && inputBar_->text().isEmpty()) inputBar_->setText(text);
    openModel(reference);
}

// File ▸ Samples: resources/samples' sentences (grouped under their "# " titles) and shape
// images, each one click from its attention; the model it suits is opened when needed.
void MainWindow::buildSamplesMenu() {
    const std::filesystem::path folder = findResourceFolder("samples");
    if (folder.empty()) return;
    const QDir samples(QString::fromStdString(folder.string()));
    samplesMenu_ = menuBar()->addMenu(tr("&Samples"));
    samplesMenu_->setObjectName(QStringLiteral("samplesMenu"));

    QFile sentences(samples.filePath(QStringLiteral("sentences.txt")));
    if (sentences.open(QIODevice::ReadOnly | QIODevice::Text)) {
        QTextStream in(&sentences);
        QString title;        // the first "# " line of the comment block above the next inputs
        bool newBlock = true;  // after a blank line (or at the start), a "# " line starts a block
        while (!in.atEnd()) {
            const QString line = in.readLine();
            if (line.trimmed().isEmpty()) {
                newBlock = true;
                continue;
            }
            if (line.startsWith(QLatin1Char('#'))) {
                if (newBlock) title = line.mid(1).trimmed();
                newBlock = false;
                continue;
            }
            newBlock = false;
            if (!title.isEmpty()) samplesMenu_->addSection(title.section(QLatin1Char('('), 0, 0).section(QLatin1Char(':'), 0, 0).trimmed());
            title.clear();
            QAction* action = samplesMenu_->addAction(line.size() > 70 ? line.left(67) + QStringLiteral("…") : line);
            action->setToolTip(line);
            connect(action, &QAction::triggered, this, [this, line] {
                inputBar_->setText(line);
                inputBar_->setPairText({});
                const auto checkpoint = session_.checkpoint();
                if (checkpoint && !checkpoint->config().isVision()) compute();
                else openModel(QStringLiteral("builtin:induction"));  // computes the text once open
            });
        }
    }

    const QStringList images = QDir(samples.filePath(QStringLiteral("shapes"))).entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name);
    if (!images.isEmpty()) samplesMenu_->addSection(tr("Shapes (builtin:shapes)"));
    for (const QString& name : images) {
        const QString path = samples.filePath(QStringLiteral("shapes/") + name);
        connect(samplesMenu_->addAction(name), &QAction::triggered, this, [this, path] {
            const auto checkpoint = session_.checkpoint();
            if (checkpoint && checkpoint->config().isVision()) {
                openImage(path);
            } else {
                pendingImage_ = path;
                openModel(QStringLiteral("builtin:shapes"));
            }
        });
    }
}

}  // namespace attnscope::ui
