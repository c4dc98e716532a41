#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QShortcut>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

#include "AblationControls.h"
#include "ComparisonControls.h"
#include "Analysis.h"
#include "AttentionControls.h"
#include "AttributionTab.h"
#include "CachedModelsDialog.h"
#include "ClassroomMode.h"
#include "DownloadDialog.h"
#include "ExportCommands.h"
#include "GenerationCommands.h"
#include "GenerationControls.h"
#include "HeatmapView.h"
#include "ImageInputBar.h"
#include "InputPanel.h"
#include "InsideHeadTab.h"
#include "InsideHeadView.h"
#include "LensTab.h"
#include "PredictionsBox.h"
#include "SamplesMenu.h"
#include "StatusLine.h"
#include "TextInputBar.h"
#include "ModelView.h"
#include "TokenStripView.h"
#include "WelcomePage.h"
#include "model/Checkpoint.h"
#include "model/GgufModel.h"

namespace attnscope::ui {

namespace {

const char* const kLastFolderKey = "lastModelFolder";
const char* const kLastAttentionFolderKey = "lastAttentionFileFolder";

// The one local file or folder a drag carries; empty for none, several, or remote URLs.
QString singleLocalPath(const QMimeData* mime) {
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1) return {};
    return mime->urls().front().toLocalFile();
}

// What a dropped path is to the window.
enum class Dropped { Nothing, Model, AttentionFile, Session, Image };

Dropped droppedKind(const QString& path) {
    if (path.isEmpty()) return Dropped::Nothing;
    const QFileInfo info(path);
    if (info.isDir()) return Dropped::Model;
    if (!info.isFile()) return Dropped::Nothing;
    // By its first bytes: Ollama's blobs have no extension.
    if (isGgufFile(path.toStdString())) return Dropped::Model;
    if (path.endsWith(QStringLiteral(".safetensors"), Qt::CaseInsensitive)) return Dropped::AttentionFile;
    if (path.endsWith(QLatin1Char('.') + QLatin1String(kSessionSuffix), Qt::CaseInsensitive)) return Dropped::Session;
    return ImageInputBar::isImageFile(path) ? Dropped::Image : Dropped::Nothing;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    auto* welcome = new WelcomePage(this);
    connect(welcome, &WelcomePage::openRequested, this, &MainWindow::chooseModelFolder);
    connect(welcome, &WelcomePage::recentRequested, this, &MainWindow::openModel);
    connect(&recent_, &RecentModels::changed, welcome, [this, welcome] { welcome->setRecentFolders(recent_.folders()); });
    welcome->setRecentFolders(recent_.folders());

    pages_ = new QStackedWidget(this);
    pages_->addWidget(welcome);
    pages_->addWidget(buildAnalysisPage());
    setCentralWidget(pages_);
    status_ = new StatusLine(statusBar(), &session_, &selection_, tabs_->heatmap());
    export_ = new ExportCommands(&session_, &selection_, tabs_, {lens_, attribution_, inside_}, this);
    generation_ = new GenerationCommands(&session_, generationControls_, input_, this);

    buildFileMenu();
    buildViewMenu();
    buildPredictMenu();
    buildToolBar();
    classroom_->setFoldedParts(sidePanel_, controls_, toolBar_);
    connectParts();

    status_->updateZoom(true);
    setAcceptDrops(true);
    setWindowTitle(QStringLiteral("AttnScope"));
    resize(1280, 860);
}

MainWindow::~MainWindow() = default;

QWidget* MainWindow::buildAnalysisPage() {
    input_ = new InputPanel(this);
    tabs_ = new ViewTabs(&selection_, this);
    lens_ = new LensTab(&session_, &selection_, tabs_);
    attribution_ = new AttributionTab(&session_, &selection_, tabs_);
    inside_ = new InsideHeadTab(&session_, &selection_, tabs_);
    classroom_ = new ClassroomMode(this, &selection_, tabs_, lens_);
    classroom_->setCanStep([this] { return session_.checkpoint() != nullptr; });
    classroom_->setPageSteps(
        [this] {
            if (!inside_->isShown()) return false;
            inside_->nextStep();
            return true;
        },
        [this] { return inside_->isShown() && inside_->view()->figure() ? insideStepText(inside_->view()->figure()->data()) : QString(); });

    auto* body = new QHBoxLayout;
    body->setContentsMargins(0, 0, 0, 0);
    body->addWidget(buildSidePanel());
    body->addWidget(tabs_, 1);
    body->addWidget(classroom_->caption());

    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->addWidget(input_);
    layout->addLayout(body, 1);
    return page;
}

QWidget* MainWindow::buildSidePanel() {
    controls_ = new AttentionControls(&selection_, this);
    controls_->setObjectName(QStringLiteral("attentionControls"));
    controls_->setEnabled(false);  // nothing to choose before a model is open
    predictions_ = new PredictionsBox(this);
    ablation_ = new AblationControls(this);
    comparison_ = new ComparisonControls(&session_, &selection_, this);
    comparison_->setObjectName(QStringLiteral("comparisonControls"));
    ablation_->setObjectName(QStringLiteral("ablationControls"));
    generationControls_ = new GenerationControls(this);
    generationControls_->setObjectName(QStringLiteral("generationControls"));
    input_->textBar()->addTrailingWidget(generationControls_->generateButton());
    input_->textBar()->addTrailingWidget(generationControls_->stepButton());

    auto* panel = new QWidget(this);
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(controls_);
    layout->addWidget(predictions_);
    layout->addWidget(ablation_);
    layout->addWidget(comparison_);
    layout->addWidget(generationControls_);
    layout->addStretch(1);
    sidePanel_ = new QScrollArea(this);
    sidePanel_->setWidget(panel);
    sidePanel_->setWidgetResizable(true);
    sidePanel_->setFrameShape(QFrame::NoFrame);
    sidePanel_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    return sidePanel_;
}

void MainWindow::connectParts() {
    connect(&session_, &AttentionSession::modelChanged, this, &MainWindow::onModelChanged);
    connect(&session_, &AttentionSession::analysisChanged, this, &MainWindow::onAnalysisChanged);
    connect(&session_, &AttentionSession::activityChanged, this, [this](AttentionSession::Activity activity) {
        if (activity != AttentionSession::Activity::Idle) return;
        lens_->requestIfShown();  // a lens, attribution or head asked for while busy
        attribution_->requestIfShown();
        inside_->requestIfShown();
    });
    connect(&session_, &AttentionSession::failed, this, &MainWindow::onFailed);
    connect(&session_, &AttentionSession::cancelled, this, [this] { showHint(tr("Cancelled"), 3000); });
    connect(&selection_, &AttentionSelection::changed, this, [this] {
        updatePredictions();
        status_->update();
    });
    connect(&recent_, &RecentModels::changed, this, &MainWindow::rebuildRecentMenu);
    connect(input_, &InputPanel::analysisRequested, &session_, &AttentionSession::analyzeRequest);
    connect(input_, &InputPanel::hint, this, [this](const QString& m) { showHint(m, 5000); });
    connect(input_, &InputPanel::refused, this, &MainWindow::showError);
    connect(predictions_, &PredictionsBox::analysisRequested, &session_, &AttentionSession::analyzeRequest);
    connect(predictions_, &PredictionsBox::hint, this, [this](const QString& m) { showHint(m); });
    // Switching heads off: Ctrl+click in the Model view or the side panel's box ask the session,
    // which reruns the input and says what is in force.
    connect(tabs_->modelView(), &ModelView::headAblationToggled, this, [this](int layer, int head) {
        const auto analysis = session_.analysis();
        const auto stack = analysis ? analysis->ablatedStackOf(selection_.stack()) : std::nullopt;
        if (!session_.canAblate() || !stack) return showHint(noAblationHint());
        ablation_->toggleHead(*stack, layer, head);
    });
    connect(ablation_, &AblationControls::ablationRequested, &session_, &AttentionSession::setAblation);
    connect(&session_, &AttentionSession::ablationChanged, this, [this] { ablation_->setAblation(session_.ablation()); });
    connect(&session_, &AttentionSession::otherInputChanged, this, [this] { tabs_->setOtherInput(session_.otherInput()); });
    connect(generation_, &GenerationCommands::hint, this, &MainWindow::showHint);
    connect(export_, &ExportCommands::failed, this, &MainWindow::showError);
    connect(export_, &ExportCommands::hint, this, &MainWindow::showHint);
    connect(lens_, &LensTab::hint, this, [this](const QString& m) { showHint(m); });
    connect(attribution_, &AttributionTab::hint, this, [this](const QString& m) { showHint(m); });
    connect(inside_, &InsideHeadTab::stepChanged, classroom_, &ClassroomMode::updateCaption);
    connect(&session_, &AttentionSession::insideHeadChanged, classroom_, &ClassroomMode::updateCaption);
    connect(classroom_, &ClassroomMode::toggled, generationControls_, &GenerationControls::setAnimate);  // a room follows a generation token by token
    connect(tabs_, &ViewTabs::headOpened, this, [this] { setCurrentView(ViewKind::Matrix); });
    connect(tabs_->heatmap(), &HeatmapView::visibleCellsChanged, this, [this] { status_->updateZoom(tabs_->shownView() == ViewKind::Matrix); });
    connect(tabs_, &QTabWidget::currentChanged, this, [this] { status_->updateZoom(tabs_->shownView() == ViewKind::Matrix); });
    // A masked language model: double-clicking a token masks it (or brings it back).
    connect(tabs_->tokenStripView(), &TokenStripView::tokenActivated, this, [this] {
        const auto analysis = session_.analysis();
        if (analysis && analysis->tokenPredictionKind == Analysis::TokenPredictionKind::MaskedToken) toggleMaskAtSelection();
    });
    connect(samples_, &SamplesMenu::textChosen, this, [this](const QString& line) {
        setText(line);
        setPairText({});
        const auto checkpoint = session_.checkpoint();
        if (checkpoint && !checkpoint->capabilities().readsImages()) compute();
        else openModel(QStringLiteral("builtin:induction"));  // computes the text once open
    });
    connect(samples_, &SamplesMenu::imageChosen, this, [this](const QString& path) {
        const auto checkpoint = session_.checkpoint();
        if (checkpoint && checkpoint->capabilities().readsImages()) return openImage(path);
        input_->setPendingImage(path);
        openModel(QStringLiteral("builtin:shapes"));
    });
}

void MainWindow::buildFileMenu() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    const auto add = [this, file](const QString& text, const char* name, const QKeySequence& keys, auto slot) {
        QAction* a = file->addAction(text, this, slot);
        a->setObjectName(QLatin1String(name));
        if (!keys.isEmpty()) a->setShortcut(keys);
        return a;
    };
    QAction* open = add(tr("&Open Model…"), "openAction", QKeySequence::Open, &MainWindow::chooseModel);
    open->setIcon(QIcon::fromTheme(QStringLiteral("document-open")));
    open->setToolTip(tr("Open a model from the Hugging Face cache, Ollama, LM Studio, a folder or a file (%1)")
                         .arg(open->shortcut().toString(QKeySequence::NativeText)));
    add(tr("Open Model &Folder…"), "openFolderAction", {}, &MainWindow::chooseModelFolder)->setToolTip(tr("Open a Hugging Face model folder from disk"));
    add(tr("Open Model F&ile…"), "openModelFileAction", {}, &MainWindow::chooseModelFile)
        ->setToolTip(tr("Open a GGUF model file (llama.cpp, Ollama, LM Studio) from disk"));
    QAction* download = add(tr("&Download Model…"), "downloadAction", {}, &MainWindow::showDownloadDialog);
    download->setIcon(QIcon::fromTheme(QStringLiteral("download")));
    download->setToolTip(tr("Download a model from the Hugging Face hub into the cache and open it"));
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    recentMenu_->setObjectName(QStringLiteral("recentMenu"));
    add(tr("Open &Attention File…"), "openAttentionFileAction", {}, &MainWindow::chooseAttentionFile)
        ->setToolTip(tr("Show attention computed elsewhere: a .safetensors file from attnscope-cli attention or transformers"));
    file->addSeparator();
    add(tr("Open &Session…"), "openSessionAction", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), &MainWindow::chooseSessionToOpen)
        ->setToolTip(tr("Open a saved .attnscope session: its model, inputs and view"));
    QAction* save = add(tr("Save Sess&ion…"), "saveSessionAction", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), &MainWindow::chooseSessionToSave);
    save->setToolTip(tr("Save the model, inputs and view as a .attnscope session"));
    file->addSeparator();
    QAction* exportFigure = add(tr("&Export Figure…"), "exportAction", QKeySequence(Qt::CTRL | Qt::Key_E), &MainWindow::showExportDialog);
    exportFigure->setIcon(QIcon::fromTheme(QStringLiteral("document-save-as")));
    exportFigure->setToolTip(tr("Save the current view as PNG, SVG or PDF, or its matrix as NPY (Ctrl+E)"));
    QAction* copy = add(tr("&Copy Figure"), "copyAction", QKeySequence::Copy, &MainWindow::copyFigure);
    copy->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    copy->setToolTip(tr("Copy the current view to the clipboard as an image"));
    analysisActions_ = {exportFigure, copy, save};
    for (QAction* action : analysisActions_) action->setEnabled(false);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    rebuildRecentMenu();
}

void MainWindow::buildViewMenu() {
    QMenu* view = menuBar()->addMenu(tr("&View"));
    const std::pair<ViewKind, QString> kinds[] = {{ViewKind::Matrix, tr("&Matrix")}, {ViewKind::Heads, tr("&Heads")}, {ViewKind::Grid, tr("M&odel")},
                                                  {ViewKind::Tokens, tr("&Tokens")}, {ViewKind::Overlay, tr("&Image")}};
    int number = 1;
    for (const auto& [kind, name] : kinds)
        view->addAction(name, this, [this, kind = kind] { setCurrentView(kind); })->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_0 + number++)));
    QAction* lens = view->addAction(tr("&Logit Lens"), this, &MainWindow::showLens);
    lens->setObjectName(QStringLiteral("lensAction"));
    lens->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_0 + number)));
    // After the lens, so that the shortcuts users know keep their numbers.
    view->addAction(tr("&Alignment"), this, [this] { setCurrentView(ViewKind::Alignment); })
        ->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_0 + number + 1)));
    QAction* attribution = view->addAction(tr("Attri&bution"), this, [this] { attribution_->show(); });
    attribution->setObjectName(QStringLiteral("attributionAction"));
    attribution->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_0 + number + 2)));
    QAction* inside = view->addAction(tr("&Inside a Head"), this, [this] { inside_->show(); });
    inside->setObjectName(QStringLiteral("insideAction"));
    inside->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_0 + number + 3)));
    view->addSeparator();
    HeatmapView* matrix = tabs_->heatmap();
    const std::pair<QString, QKeySequence> zooms[] = {
        {tr("Zoom &In"), QKeySequence::ZoomIn}, {tr("Zoom O&ut"), QKeySequence::ZoomOut}, {tr("&Whole Matrix"), QKeySequence(Qt::CTRL | Qt::Key_0)}};
    void (HeatmapView::*const zoomSlots[])() = {&HeatmapView::zoomIn, &HeatmapView::zoomOut, &HeatmapView::resetZoom};
    for (int i = 0; i < 3; ++i) {
        QAction* zoom = view->addAction(zooms[i].first, matrix, zoomSlots[i]);
        zoom->setShortcut(zooms[i].second);
        // Zoom belongs to the matrix: show it first so the keys never act unseen.
        connect(zoom, &QAction::triggered, this, [this] { setCurrentView(ViewKind::Matrix); });
    }
    view->addSeparator();
    classroom_->addActionsTo(view);
    samples_ = new SamplesMenu(this);
    if (!samples_->isEmpty()) menuBar()->addMenu(samples_);
}

void MainWindow::buildPredictMenu() {
    QMenu* predict = menuBar()->addMenu(tr("&Predict"));
    predict->addAction(generation_->generateAction());
    predict->addAction(generation_->stepAction());
    predict->addAction(generation_->animateAction());
    predict->addSeparator();
    QAction* mask = predict->addAction(tr("&Mask or Unmask the Selected Token"), this, &MainWindow::toggleMaskAtSelection);
    mask->setObjectName(QStringLiteral("maskAction"));
    mask->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));

    auto* about = new QAction(tr("&About AttnScope"), this);
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About AttnScope"),
                           tr("<b>AttnScope</b> %1<br>See what a transformer attends to, layer by layer and head by head.")
                               .arg(QApplication::applicationVersion().toHtmlEscaped()));
    });
    menuBar()->addMenu(tr("&Help"))->addAction(about);
}

void MainWindow::buildToolBar() {
    toolBar_ = addToolBar(tr("Main"));
    toolBar_->setObjectName(QStringLiteral("mainToolBar"));
    toolBar_->setMovable(false);
    toolBar_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar_->addAction(findChild<QAction*>(QStringLiteral("openAction")));
    toolBar_->addSeparator();
    toolBar_->addAction(findChild<QAction*>(QStringLiteral("exportAction")));
    toolBar_->addAction(findChild<QAction*>(QStringLiteral("copyAction")));
    // Escape stops a computation, or else leaves classroom mode (as it leaves any full screen).
    auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(escape, &QShortcut::activated, this, [this] {
        if (session_.isBusy()) cancel();
        else if (classroom_->isOn()) setClassroomMode(false);
    });
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList folders = recent_.folders();
    for (const QString& folder : folders) {
        QAction* action = recentMenu_->addAction(QFileInfo(folder).fileName() + QStringLiteral("  —  ") + folder);
        action->setData(folder);
        action->setToolTip(folder);
        connect(action, &QAction::triggered, this, [this, folder] { openModel(folder); });
    }
    if (folders.isEmpty()) {
        recentMenu_->addAction(tr("No recent models"))->setEnabled(false);
        return;
    }
    recentMenu_->addSeparator();
    recentMenu_->addAction(tr("Clear List"), &recent_, &RecentModels::clear);
}

TextInputBar* MainWindow::inputBar() const { return input_->textBar(); }
ImageInputBar* MainWindow::imageBar() const { return input_->imageBar(); }
PredictionsPanel* MainWindow::predictionsPanel() const { return predictions_->panel(); }
QPushButton* MainWindow::maskButton() const { return predictions_->maskButton(); }
LensView* MainWindow::lensView() const { return lens_->view(); }
AutoPlay* MainWindow::autoPlay() const { return classroom_->autoPlay(); }
QLabel* MainWindow::explanationStrip() const { return classroom_->caption(); }
QAction* MainWindow::classroomAction() const { return classroom_->toggleAction(); }
bool MainWindow::isClassroomMode() const { return classroom_->isOn(); }
bool MainWindow::isLensShown() const { return lens_->isShown(); }
FigureView* MainWindow::currentFigureView() const { return tabs_->shownView() ? tabs_->view(*tabs_->shownView()) : nullptr; }
bool MainWindow::exportTo(const ExportChoice& choice) { return export_->exportTo(choice); }
void MainWindow::setText(const QString& text) { input_->textBar()->setText(text); }
void MainWindow::setPairText(const QString& text) { input_->textBar()->setPairText(text); }
void MainWindow::setCaption(const QString& text) { input_->imageBar()->setCaption(text); }
void MainWindow::compute() { input_->compute(); }
void MainWindow::openImage(const QString& path) { input_->openImage(path); }
void MainWindow::openModel(const QString& folder) { session_.openModel(folder); }
void MainWindow::openAttentionFile(const QString& path) { session_.openAttentionFile(path); }
void MainWindow::showExportDialog() { export_->showDialog(); }
void MainWindow::copyFigure() { export_->copyFigure(); }
void MainWindow::setClassroomMode(bool on) { classroom_->setOn(on); }
void MainWindow::generateTokens(int count) { generation_->generateTokens(count); }
void MainWindow::generate() { generation_->generate(); }
void MainWindow::stepGeneration() { generation_->step(); }
void MainWindow::toggleMaskAtSelection() { predictions_->toggleMask(); }
void MainWindow::showLens() { lens_->show(); }

void MainWindow::setImageFile(const QString& path) {
    input_->setPendingImage(path);
    if (input_->readsImages()) openImage(path);
}

void MainWindow::cancel() {
    if (session_.isBusy()) session_.cancel();
}

// Models usually sit side by side: the pickers start next to the last one opened.
QString MainWindow::modelPickerStart() const {
    const QString last = QSettings().value(kLastFolderKey).toString();
    return last.isEmpty() ? QDir::homePath() : QFileInfo(last).absolutePath();
}

void MainWindow::chooseModelFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), modelPickerStart());
    if (!folder.isEmpty()) openModel(folder);
}

void MainWindow::chooseModelFile() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Open Model File"), modelPickerStart(), tr("GGUF models (*.gguf);;All files (*)"));
    if (!file.isEmpty()) openModel(file);
}

void MainWindow::chooseModel() {
    auto* dialog = new CachedModelsDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &CachedModelsDialog::modelChosen, this, &MainWindow::openModel);
    // Queued: the next dialog opens once this one has closed.
    connect(dialog, &CachedModelsDialog::folderRequested, this, &MainWindow::chooseModelFolder, Qt::QueuedConnection);
    connect(dialog, &CachedModelsDialog::fileRequested, this, &MainWindow::chooseModelFile, Qt::QueuedConnection);
    connect(dialog, &CachedModelsDialog::downloadRequested, this, &MainWindow::showDownloadDialog, Qt::QueuedConnection);
    dialog->open();
}

void MainWindow::showDownloadDialog() {
    auto* dialog = new DownloadDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DownloadDialog::modelDownloaded, this, &MainWindow::openModel);
    dialog->open();
}

void MainWindow::chooseAttentionFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Attention File"), QSettings().value(kLastAttentionFolderKey).toString(),
                                                      tr("Attention files (*.safetensors);;All files (*)"));
    if (path.isEmpty()) return;
    QSettings().setValue(kLastAttentionFolderKey, QFileInfo(path).absolutePath());
    openAttentionFile(path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (droppedKind(singleLocalPath(event->mimeData())) != Dropped::Nothing) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    // A folder or a GGUF file is a model; an attention or session file opens; an image is input for the open image model.
    const QString path = singleLocalPath(event->mimeData());
    const Dropped kind = droppedKind(path);
    if (kind == Dropped::Nothing) return;
    event->acceptProposedAction();
    switch (kind) {
    case Dropped::Model: openModel(path); break;
    case Dropped::AttentionFile: openAttentionFile(path); break;
    case Dropped::Session: openSession(path); break;
    case Dropped::Image: openImage(path); break;
    case Dropped::Nothing: break;
    }
}

// Why the open model cannot run with heads switched off (an encoder-decoder has two stacks).
QString MainWindow::noAblationHint() {
    return tr("Switching heads off runs the model again on one of its layers' heads: not on an attention file, nor on a pooling probe");
}

void MainWindow::onModelChanged() {
    const auto checkpoint = session_.checkpoint();
    if (!checkpoint) {
        if (!session_.attentionFile().isEmpty()) adaptToAttentionFile();
        return;
    }
    quietOpenFailure_ = false;
    setWindowTitle(tr("%1 — AttnScope").arg(QFileInfo(session_.modelFolder()).fileName()));
    QSettings().setValue(kLastFolderKey, session_.modelFolder());
    recent_.add(session_.modelFolder());
    adaptToModel();
    if (pendingAblation_) {
        const HeadAblation ablation = *std::exchange(pendingAblation_, std::nullopt);
        if (session_.canAblate()) session_.setAblation(ablation);
        else showHint(noAblationHint());
    }
    if (pendingOther_) session_.compareWithInput(*std::exchange(pendingOther_, std::nullopt));
    if (checkpoint->capabilities().readsImages()) {
        if (!input_->pendingImage().isEmpty()) openImage(input_->pendingImage());
        else input_->imageBar()->setFocus();
        return;
    }
    if (!checkpoint->tokenizer()) {
        showError(tr("This model folder has no usable tokenizer, so AttnScope cannot turn text into tokens."),
                  QString::fromStdString(checkpoint->tokenizerProblem()));
        return;
    }
    if (!input_->textBar()->text().isEmpty()) compute();
    else input_->textBar()->setFocus();
}

void MainWindow::adaptToModel() {
    const ModelCapabilities& capabilities = session_.checkpoint()->capabilities();
    const bool wasImage = imageInput_;
    input_->adaptTo(capabilities);
    tabs_->setPlaceholderText(input_->placeholderText());
    // The stacks' shapes: an encoder-decoder's decoder (and its cross-attention) may have
    // another number of layers than its encoder.
    selection_.setStacks(capabilities.stacks);
    classroom_->setModelNotes(modelNotesOf(session_.checkpoint()->config()));
    generation_->adaptToModel();
    lens_->adaptToModel();
    attribution_->adaptToModel();
    inside_->adaptToModel();
    ablation_->setAvailable(session_.canAblate());
    controls_->setEnabled(true);
    pages_->setCurrentIndex(1);
    status_->update();
    showTabsFor(wasImage, capabilities.readsImages());
}

void MainWindow::adaptToAttentionFile() {
    const auto analysis = session_.analysis();
    if (!analysis) return;
    const QString name = QFileInfo(session_.attentionFile()).fileName();
    setWindowTitle(tr("%1 — AttnScope").arg(name));
    const bool wasImage = imageInput_;
    input_->showAttentionFile(name, analysis->hasImage());
    classroom_->setModelNotes({});  // a file carries no config to say how its attention was computed
    ablation_->setAvailable(false);  // no model to run again
    controls_->setEnabled(true);
    generation_->adaptToModel();  // no model: nothing to generate with
    lens_->adaptToModel();
    attribution_->adaptToModel();
    inside_->adaptToModel();
    pages_->setCurrentIndex(1);
    showTabsFor(wasImage, analysis->hasImage());
}

void MainWindow::showTabsFor(bool wasImage, bool image) {
    imageInput_ = image;
    tabs_->setImageAvailable(image);
    if (std::exchange(preferLens_, false) && lens_->isAvailable()) lens_->show();
    else if (std::exchange(preferAttribution_, false) && attribution_->isAvailable()) attribution_->show();
    else if (std::exchange(preferInside_, false) && inside_->isAvailable()) inside_->show();
    else if (!showPreferredView() && image && !wasImage) setCurrentView(ViewKind::Overlay);  // what an image model is opened for
}

bool MainWindow::showPreferredView() {
    if (!preferredView_ || !tabs_->isAvailable(*preferredView_)) return false;
    setCurrentView(*std::exchange(preferredView_, std::nullopt));
    return true;
}

void MainWindow::onAnalysisChanged() {
    const auto analysis = session_.analysis();
    const auto previous = tabs_->heatmap()->analysis();
    // Views drop the old analysis first, so the selection's new shape and query never meet
    // the old tokens (and nothing is built twice).
    tabs_->setAnalysis(nullptr);
    if (analysis) {
        selection_.adoptAnalysis(*analysis, previous.get(), std::exchange(initialQuery_, std::nullopt));
        if (analysis->hasImage()) input_->imageBar()->setImagePath(analysis->imagePath);
    }
    controls_->setAnalysis(analysis);
    tabs_->setAnalysis(analysis);
    classroom_->setAnalysis(analysis);
    // A view offered only for some analyses (alignment: cross-attention) can be asked for
    // before there is one; it is shown once it is offered.
    showPreferredView();
    for (QAction* action : analysisActions_) action->setEnabled(analysis != nullptr);
    if (analysis) applyPendingSession();
    status_->update();
    updatePredictions();
    lens_->requestIfShown();
    attribution_->requestIfShown();
    inside_->requestIfShown();
}

void MainWindow::updatePredictions() {
    predictions_->show(session_.analysis(), session_.checkpoint() != nullptr, selection_.stack(), selection_.selectedQuery());
}

void MainWindow::onFailed(AttentionSession::Activity activity, const QString& message) {
    using A = AttentionSession::Activity;
    if (activity == A::OpeningModel && std::exchange(quietOpenFailure_, false)) {
        setText({});  // the start model's sample text suits no other model
        return;
    }
    if (activity == A::OpeningModel) {
        // The session is abandoned with its model: its masks belong to no text now.
        pendingSession_.reset();
        input_->setPendingMasks({});
    }
    const QString summary = activity == A::OpeningModel           ? tr("AttnScope could not open this model folder.")
                            : activity == A::OpeningAttentionFile ? tr("AttnScope could not open this attention file.")
                            : activity == A::ComputingLens        ? tr("AttnScope could not compute the logit lens.")
                            : activity == A::Attributing          ? tr("AttnScope could not split this logit into the heads' shares.")
                            : activity == A::SearchingHeads       ? tr("AttnScope could not search for the heads behind this prediction.")
                            : activity == A::OpeningHead          ? tr("AttnScope could not open this head.")
                            : activity == A::Generating           ? tr("AttnScope could not generate from this text.")
                            : input_->readsImages()               ? tr("AttnScope could not compute the attention of this image.")
                                                                  : tr("AttnScope could not compute the attention of this text.");
    showError(summary, message);
}

void MainWindow::showError(const QString& summary, const QString& details) {
    // Non-modal (open(), not exec()) so the app, and tests, keep running while it shows.
    auto* box = new QMessageBox(QMessageBox::Warning, QStringLiteral("AttnScope"), summary, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("errorBox"));
    box->setInformativeText(details);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    emit errorShown(details.isEmpty() ? summary : details);
}

void MainWindow::showHint(const QString& message, int timeoutMs) { statusBar()->showMessage(message, timeoutMs); }

}  // namespace attnscope::ui
