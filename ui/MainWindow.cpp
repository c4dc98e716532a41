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
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include "Analysis.h"
#include "AttentionControls.h"
#include "ExportDialog.h"
#include "FigureExporter.h"
#include "GenerationControls.h"
#include "HeadToggles.h"
#include "HeadsView.h"
#include "HeatmapView.h"
#include "ImageInputBar.h"
#include "ImageOverlayControls.h"
#include "ImageOverlayView.h"
#include "JobProgress.h"
#include "LensView.h"
#include "ModelView.h"
#include "TextInputBar.h"
#include "TokenStripView.h"
#include "PredictionsPanel.h"
#include "WelcomePage.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

namespace {

const char* const kLastFolderKey = "lastModelFolder";
const char* const kLastExportFolderKey = "lastExportFolder";

// The one local file or folder a drag carries; empty for none, several, or remote URLs.
QString singleLocalPath(const QMimeData* mime) {
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1) return {};
    return mime->urls().front().toLocalFile();
}

QString localFolderOf(const QMimeData* mime) {
    const QString path = singleLocalPath(mime);
    return QFileInfo(path).isDir() ? path : QString();
}

QString localImageOf(const QMimeData* mime) {
    const QString path = singleLocalPath(mime);
    return ImageInputBar::isImageFile(path) ? path : QString();
}

QString localAttentionFileOf(const QMimeData* mime) {
    const QString path = singleLocalPath(mime);
    return path.endsWith(QStringLiteral(".safetensors"), Qt::CaseInsensitive) && QFileInfo(path).isFile() ? path : QString();
}

QString viewName(ViewKind kind) {
    switch (kind) {
    case ViewKind::Matrix: return QObject::tr("matrix");
    case ViewKind::Heads: return QObject::tr("head view");
    case ViewKind::Grid: return QObject::tr("model grid");
    case ViewKind::Tokens: return QObject::tr("token strip");
    case ViewKind::Overlay: return QObject::tr("image overlay");
    }
    return {};
}

QString attentionFileTag(AttentionKind kind) {
    switch (kind) {
    case AttentionKind::Encoder: return QStringLiteral("-encoder");
    case AttentionKind::Decoder: return QStringLiteral("-decoder");
    case AttentionKind::Cross: return QStringLiteral("-cross");
    }
    return {};
}

// "0 99.9% · 2 0.1% · 1 0.0%"
QString predictionText(const std::vector<ClassPrediction>& predictions) {
    QStringList parts;
    for (const ClassPrediction& p : predictions)
        parts << QStringLiteral("%1 %2%").arg(p.label, QString::number(p.probability * 100.0, 'f', 1));
    return parts.join(QStringLiteral(" · "));
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

    modelInfo_ = new QLabel(tr("No model open"), this);
    modelInfo_->setObjectName(QStringLiteral("modelInfo"));
    progress_ = new JobProgress(this);
    connect(progress_, &JobProgress::cancelRequested, this, &MainWindow::cancel);
    zoomInfo_ = new QLabel(this);
    zoomInfo_->setObjectName(QStringLiteral("zoomInfo"));
    zoomInfo_->setForegroundRole(QPalette::PlaceholderText);
    connect(matrixView_, &HeatmapView::visibleCellsChanged, this, &MainWindow::updateZoomInfo);
    connect(tabs_, &QTabWidget::currentChanged, this, &MainWindow::updateZoomInfo);
    connect(tabs_, &QTabWidget::currentChanged, this, &MainWindow::updateExplanation);
    predictionInfo_ = new QLabel(this);
    predictionInfo_->setObjectName(QStringLiteral("predictionInfo"));
    predictionInfo_->setToolTip(tr("The classifier's five most probable classes for this input"));
    predictionInfo_->setVisible(false);
    statusBar()->addWidget(modelInfo_, 1);
    statusBar()->addPermanentWidget(predictionInfo_);
    statusBar()->addPermanentWidget(zoomInfo_);
    statusBar()->addPermanentWidget(progress_);

    buildActions();

    connect(&session_, &AttentionSession::modelChanged, this, &MainWindow::onModelChanged);
    connect(&session_, &AttentionSession::analysisChanged, this, &MainWindow::onAnalysisChanged);
    connect(&session_, &AttentionSession::activityChanged, this, &MainWindow::onActivityChanged);
    connect(&session_, &AttentionSession::progress, progress_, &JobProgress::setProgress);
    connect(&session_, &AttentionSession::failed, this, &MainWindow::onFailed);
    connect(&session_, &AttentionSession::cancelled, this, [this] { statusBar()->showMessage(tr("Cancelled"), 3000); });
    connect(&session_, &AttentionSession::generationFinished, this, &MainWindow::onGenerationFinished);
    connect(&selection_, &AttentionSelection::changed, this, &MainWindow::onSelectionChanged);
    connect(&recent_, &RecentModels::changed, this, &MainWindow::rebuildRecentMenu);

    updateZoomInfo();
    updateExplanation();
    setAcceptDrops(true);
    setWindowTitle(QStringLiteral("AttnScope"));
    resize(1280, 860);
}

MainWindow::~MainWindow() = default;

QWidget* MainWindow::buildAnalysisPage() {
    inputBar_ = new TextInputBar(this);
    connect(inputBar_, &TextInputBar::submitted, this, &MainWindow::compute);
    imageBar_ = new ImageInputBar(this);
    connect(imageBar_, &ImageInputBar::imageChosen, this, &MainWindow::openImage);
    // A vision model takes an image instead of text; the stack shows the bar the model needs.
    inputs_ = new QStackedWidget(this);
    inputs_->addWidget(inputBar_);
    inputs_->addWidget(imageBar_);
    attentionFileBar_ = new QLabel(this);
    attentionFileBar_->setObjectName(QStringLiteral("attentionFileBar"));
    attentionFileBar_->setWordWrap(true);
    inputs_->addWidget(attentionFileBar_);
    inputs_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);

    controls_ = new AttentionControls(&selection_, this);
    controls_->setObjectName(QStringLiteral("attentionControls"));
    controls_->setEnabled(false);  // nothing to choose before a model is open
    predictionsPanel_ = new PredictionsPanel(this);
    predictionsPanel_->setObjectName(QStringLiteral("predictionsPanel"));
    predictionsPanel_->setVisible(false);
    maskButton_ = new QPushButton(this);
    maskButton_->setObjectName(QStringLiteral("maskButton"));
    maskButton_->setVisible(false);
    maskButton_->setToolTip(tr("Replace the token by the mask token and see what the model would put there "
                               "(or double-click a token in the Tokens view)"));
    connect(maskButton_, &QPushButton::clicked, this, &MainWindow::toggleMaskAtSelection);
    generationControls_ = new GenerationControls(this);
    generationControls_->setObjectName(QStringLiteral("generationControls"));
    inputBar_->addTrailingWidget(generationControls_->generateButton());
    inputBar_->addTrailingWidget(generationControls_->stepButton());
    generationControls_->setAvailable(false);
    connect(generationControls_, &GenerationControls::generateRequested, this, &MainWindow::generate);
    connect(generationControls_, &GenerationControls::stepRequested, this, &MainWindow::stepGeneration);
    connect(generationControls_, &GenerationControls::stopRequested, this, &MainWindow::cancel);
    auto* sidePanel = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(sidePanel);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(controls_);
    sideLayout->addWidget(predictionsPanel_);
    sideLayout->addWidget(maskButton_);
    sideLayout->addWidget(generationControls_);
    sideLayout->addStretch(1);
    controlsScroll_ = new QScrollArea(this);
    controlsScroll_->setWidget(sidePanel);
    controlsScroll_->setWidgetResizable(true);
    controlsScroll_->setFrameShape(QFrame::NoFrame);
    controlsScroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    controlsScroll_->setFixedWidth(controls_->sizeHint().width() + 16);

    matrixView_ = new HeatmapView(&selection_, this);
    matrixView_->setObjectName(QStringLiteral("heatmap"));
    headsView_ = new HeadsView(&selection_, this);
    headsView_->setObjectName(QStringLiteral("headsView"));
    headToggles_ = new HeadToggles(&selection_, this);
    modelView_ = new ModelView(&selection_, this);
    modelView_->setObjectName(QStringLiteral("modelView"));
    tokenStripView_ = new TokenStripView(&selection_, this);
    tokenStripView_->setObjectName(QStringLiteral("tokenStripView"));
    // A masked language model: double-clicking a token masks it (or brings it back).
    connect(tokenStripView_, &TokenStripView::tokenActivated, this, [this] {
        const auto analysis = session_.analysis();
        if (analysis && analysis->tokenPredictionKind == Analysis::TokenPredictionKind::MaskedToken) toggleMaskAtSelection();
    });
    overlayView_ = new ImageOverlayView(&selection_, this);
    overlayView_->setObjectName(QStringLiteral("overlayView"));
    overlayControls_ = new ImageOverlayControls(&selection_, this);
    overlayControls_->setObjectName(QStringLiteral("overlayControls"));
    for (FigureView* view : views()) view->setPlaceholderText(tr("Type a text above and press Enter to see its attention."));
    connect(modelView_, &ModelView::headOpened, this, [this] { setCurrentView(ViewKind::Matrix); });

    auto* headsPage = new QWidget(this);
    auto* headsLayout = new QVBoxLayout(headsPage);
    headsLayout->setContentsMargins(6, 6, 6, 0);
    headsLayout->addWidget(headToggles_);
    headsLayout->addWidget(headsView_, 1);

    auto* overlayPage = new QWidget(this);
    auto* overlayLayout = new QVBoxLayout(overlayPage);
    overlayLayout->setContentsMargins(0, 0, 0, 0);
    overlayLayout->setSpacing(0);
    overlayLayout->addWidget(overlayControls_);
    overlayLayout->addWidget(overlayView_, 1);

    // Tab order matches ViewKind's, so a kind is its tab index.
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("viewTabs"));
    tabs_->setDocumentMode(true);
    tabs_->addTab(matrixView_, tr("Matrix"));
    tabs_->addTab(headsPage, tr("Heads"));
    tabs_->addTab(modelView_, tr("Model"));
    tabs_->addTab(tokenStripView_, tr("Tokens"));
    tabs_->addTab(overlayPage, tr("Image"));
    tabs_->setTabToolTip(0, tr("The selected attention matrix: queries down, keys across (Ctrl+1)"));
    tabs_->setTabToolTip(1, tr("Lines from the query token to the keys, one colour per head (Ctrl+2)"));
    tabs_->setTabToolTip(2, tr("Every layer and head at a glance; click one to focus it (Ctrl+3)"));
    tabs_->setTabToolTip(3, tr("The text shaded by the attention the query gives each token (Ctrl+4)"));
    tabs_->setTabToolTip(4, tr("The image with each patch shaded by the attention the query gives it (Ctrl+5)"));
    tabs_->setTabVisible(static_cast<int>(ViewKind::Overlay), false);  // vision models only
    buildLensTab();  // after the attention views' tabs, whose index is their ViewKind

    auto* body = new QHBoxLayout;
    body->setContentsMargins(0, 0, 0, 0);
    body->addWidget(controlsScroll_);
    body->addWidget(tabs_, 1);

    // Classroom mode's caption: what the view shows, in words a room can read.
    explanation_ = new QLabel(this);
    explanation_->setObjectName(QStringLiteral("explanationStrip"));
    explanation_->setWordWrap(true);
    explanation_->setTextFormat(Qt::RichText);
    explanation_->setMargin(10);
    explanation_->setAutoFillBackground(true);
    explanation_->setVisible(false);

    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->addWidget(inputs_);
    layout->addLayout(body, 1);
    layout->addWidget(explanation_);
    return page;
}

// In tab order (ViewKind order).
std::vector<FigureView*> MainWindow::views() const { return {matrixView_, headsView_, modelView_, tokenStripView_, overlayView_}; }

void MainWindow::buildActions() {
    auto* open = new QAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("&Open Model…"), this);
    open->setObjectName(QStringLiteral("openAction"));
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open a model from the Hugging Face cache or a folder (%1)").arg(open->shortcut().toString(QKeySequence::NativeText)));
    connect(open, &QAction::triggered, this, &MainWindow::chooseModel);
    auto* openFolder = new QAction(tr("Open Model &Folder…"), this);
    openFolder->setObjectName(QStringLiteral("openFolderAction"));
    openFolder->setToolTip(tr("Open a Hugging Face model folder from disk"));
    connect(openFolder, &QAction::triggered, this, &MainWindow::chooseModelFolder);
    auto* download = new QAction(QIcon::fromTheme(QStringLiteral("download")), tr("&Download Model…"), this);
    download->setObjectName(QStringLiteral("downloadAction"));
    download->setToolTip(tr("Download a model from the Hugging Face hub into the cache and open it"));
    connect(download, &QAction::triggered, this, &MainWindow::showDownloadDialog);

    recentMenu_ = new QMenu(tr("Open &Recent"), this);
    recentMenu_->setObjectName(QStringLiteral("recentMenu"));

    auto* exportAction = new QAction(QIcon::fromTheme(QStringLiteral("document-save-as")), tr("&Export Figure…"), this);
    exportAction->setObjectName(QStringLiteral("exportAction"));
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction->setToolTip(tr("Save the current view as PNG, SVG or PDF, or its matrix as NPY (Ctrl+E)"));
    connect(exportAction, &QAction::triggered, this, &MainWindow::showExportDialog);

    auto* copy = new QAction(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("&Copy Figure"), this);
    copy->setObjectName(QStringLiteral("copyAction"));
    copy->setShortcut(QKeySequence::Copy);
    copy->setToolTip(tr("Copy the current view to the clipboard as an image"));
    connect(copy, &QAction::triggered, this, &MainWindow::copyFigure);
    analysisActions_ = {exportAction, copy};
    for (QAction* action : analysisActions_) action->setEnabled(false);

    auto* openSessionAction = new QAction(tr("Open &Session…"), this);
    openSessionAction->setObjectName(QStringLiteral("openSessionAction"));
    openSessionAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    openSessionAction->setToolTip(tr("Open a saved .attnscope session: its model, inputs and view"));
    connect(openSessionAction, &QAction::triggered, this, &MainWindow::chooseSessionToOpen);
    auto* saveSessionAction = new QAction(tr("Save Sess&ion…"), this);
    saveSessionAction->setObjectName(QStringLiteral("saveSessionAction"));
    saveSessionAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    saveSessionAction->setToolTip(tr("Save the model, inputs and view as a .attnscope session"));
    connect(saveSessionAction, &QAction::triggered, this, &MainWindow::chooseSessionToSave);
    analysisActions_.append(saveSessionAction);
    saveSessionAction->setEnabled(false);

    auto* quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    auto* openAttentionFileAction = new QAction(tr("Open &Attention File…"), this);
    openAttentionFileAction->setObjectName(QStringLiteral("openAttentionFileAction"));
    openAttentionFileAction->setToolTip(tr("Show attention computed elsewhere: a .safetensors file from attnscope-cli attention or transformers"));
    connect(openAttentionFileAction, &QAction::triggered, this, &MainWindow::chooseAttentionFile);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(open);
    file->addAction(openFolder);
    file->addAction(download);
    file->addMenu(recentMenu_);
    file->addAction(openAttentionFileAction);
    file->addSeparator();
    file->addAction(openSessionAction);
    file->addAction(saveSessionAction);
    file->addSeparator();
    file->addAction(exportAction);
    file->addAction(copy);
    file->addSeparator();
    file->addAction(quit);
    rebuildRecentMenu();

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const std::pair<ViewKind, QString> kinds[] = {
        {ViewKind::Matrix, tr("&Matrix")}, {ViewKind::Heads, tr("&Heads")},   {ViewKind::Grid, tr("M&odel")},
        {ViewKind::Tokens, tr("&Tokens")}, {ViewKind::Overlay, tr("&Image")}};
    int number = 1;
    for (const auto& [kind, name] : kinds) {
        QAction* show = view->addAction(name);
        show->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_0 + number++)));
        connect(show, &QAction::triggered, this, [this, kind = kind] { setCurrentView(kind); });
    }
    QAction* lens = view->addAction(tr("&Logit Lens"), this, &MainWindow::showLens);
    lens->setObjectName(QStringLiteral("lensAction"));
    lens->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_0 + number)));
    view->addSeparator();
    QAction* zoomIn = view->addAction(tr("Zoom &In"), matrixView_, &HeatmapView::zoomIn);
    zoomIn->setShortcut(QKeySequence::ZoomIn);
    QAction* zoomOut = view->addAction(tr("Zoom O&ut"), matrixView_, &HeatmapView::zoomOut);
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    QAction* zoomReset = view->addAction(tr("&Whole Matrix"), matrixView_, &HeatmapView::resetZoom);
    zoomReset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    for (QAction* zoom : {zoomIn, zoomOut, zoomReset}) {
        // Zoom belongs to the matrix: show it first so the keys never act unseen.
        connect(zoom, &QAction::triggered, this, [this] { setCurrentView(ViewKind::Matrix); });
    }
    view->addSeparator();
    buildClassroomActions(view);
    buildSamplesMenu();

    buildPredictMenu();

    auto* about = new QAction(tr("&About AttnScope"), this);
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About AttnScope"),
                           tr("<b>AttnScope</b> %1<br>See what a transformer attends to, layer by layer and head by head.")
                               .arg(QApplication::applicationVersion().toHtmlEscaped()));
    });
    menuBar()->addMenu(tr("&Help"))->addAction(about);

    toolBar_ = addToolBar(tr("Main"));
    toolBar_->setObjectName(QStringLiteral("mainToolBar"));
    toolBar_->setMovable(false);
    toolBar_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar_->addAction(open);
    toolBar_->addSeparator();
    toolBar_->addAction(exportAction);
    toolBar_->addAction(copy);

    // Escape stops a computation, or else leaves classroom mode (as it leaves any full screen).
    auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(escape, &QShortcut::activated, this, [this] {
        if (session_.isBusy()) cancel();
        else if (classroom_) setClassroomMode(false);
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

void MainWindow::setText(const QString& text) { inputBar_->setText(text); }

void MainWindow::setPairText(const QString& text) { inputBar_->setPairText(text); }

ViewKind MainWindow::currentView() const { return isLensShown() ? ViewKind::Matrix : static_cast<ViewKind>(tabs_->currentIndex()); }

FigureView* MainWindow::currentFigureView() const {
    return isLensShown() ? nullptr : views()[static_cast<std::size_t>(tabs_->currentIndex())];
}

void MainWindow::setCurrentView(ViewKind kind) {
    // The image overlay exists for vision models only.
    if (tabs_->isTabVisible(static_cast<int>(kind))) tabs_->setCurrentIndex(static_cast<int>(kind));
}

void MainWindow::setImageFile(const QString& path) {
    pendingImage_ = path;
    const auto checkpoint = session_.checkpoint();
    if (checkpoint && checkpoint->config().isVision()) openImage(path);
}

void MainWindow::openImage(const QString& file) {
    const QString path = file;  // a copy: `file` may be pendingImage_ itself, cleared below
    const auto checkpoint = session_.checkpoint();
    if (!checkpoint) {
        pendingImage_ = path;  // analysed once a vision model opens
        statusBar()->showMessage(tr("Open a vision model (ViT, DeiT) to analyse the image"), 5000);
        return;
    }
    if (!checkpoint->config().isVision()) {
        showError(tr("This model reads text, not images."),
                  tr("%1 is a text model. Open a vision model folder (ViT, DeiT) to see the attention of an image.")
                      .arg(QString::fromStdString(checkpoint->config().modelType)));
        return;
    }
    pendingImage_.clear();
    session_.analyzeImage(path);
}

void MainWindow::openModel(const QString& folder) { session_.openModel(folder); }

void MainWindow::chooseModelFolder() {
    // Model folders usually sit side by side: start next to the last one opened.
    const QString last = QSettings().value(kLastFolderKey).toString();
    const QString start = last.isEmpty() ? QDir::homePath() : QFileInfo(last).absolutePath();
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), start);
    if (!folder.isEmpty()) openModel(folder);
}

void MainWindow::compute() {
    const auto checkpoint = session_.checkpoint();
    if (!checkpoint) return;
    const ModelConfig& config = checkpoint->config();
    if (config.isVision()) {
        // Recompute the image shown (or the one given on the command line).
        const QString image = !pendingImage_.isEmpty() ? pendingImage_ : imageBar_->imagePath();
        if (image.isEmpty()) statusBar()->showMessage(tr("Open an image first"), 3000);
        else openImage(image);
        return;
    }
    if (config.isEncoderDecoder()) {
        if (inputBar_->text().trimmed().isEmpty()) {
            statusBar()->showMessage(tr("Type a source text first"), 3000);
            return;
        }
        session_.analyzeWithTarget(inputBar_->text(), inputBar_->pairText());
        return;
    }
    if (inputBar_->text().trimmed().isEmpty() && inputBar_->pairText().trimmed().isEmpty()) {
        statusBar()->showMessage(tr("Type a text first"), 3000);
        return;
    }
    AnalysisRequest request;
    request.text = inputBar_->text();
    request.pair = inputBar_->pairText();
    if (pendingSession_) request.maskedPositions = pendingSession_->maskedTokens;  // a session's masked tokens come back
    session_.analyzeRequest(request);
}

void MainWindow::cancel() {
    if (session_.isBusy()) session_.cancel();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!localFolderOf(event->mimeData()).isEmpty() || !localImageOf(event->mimeData()).isEmpty() ||
        !localAttentionFileOf(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    // A folder is a model; an image file is input for the open vision model.
    if (const QString folder = localFolderOf(event->mimeData()); !folder.isEmpty()) {
        event->acceptProposedAction();
        openModel(folder);
    } else if (const QString file = localAttentionFileOf(event->mimeData()); !file.isEmpty()) {
        event->acceptProposedAction();
        openAttentionFile(file);
    } else if (const QString image = localImageOf(event->mimeData()); !image.isEmpty()) {
        event->acceptProposedAction();
        openImage(image);
    }
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
    controls_->setEnabled(true);
    pages_->setCurrentIndex(1);
    updateStatus();
    const ModelConfig& config = checkpoint->config();
    if (config.isVision()) {
        if (!pendingImage_.isEmpty()) openImage(pendingImage_);
        else imageBar_->setFocus();
        return;
    }
    if (!checkpoint->tokenizer()) {
        showError(tr("This model folder has no usable tokenizer, so AttnScope cannot turn text into tokens."),
                  QString::fromStdString(checkpoint->tokenizerProblem()));
        return;
    }
    if (!inputBar_->text().isEmpty()) compute();
    else inputBar_->setFocus();
}

void MainWindow::adaptToModel() {
    const ModelConfig& config = session_.checkpoint()->config();
    const bool wasVision = visionModel_;
    visionModel_ = config.isVision();
    inputs_->setCurrentWidget(visionModel_ ? static_cast<QWidget*>(imageBar_) : inputBar_);
    inputBar_->setSecondField(config.isEncoderDecoder() ? TextInputBar::SecondField::Target : TextInputBar::SecondField::Pair);
    if (!visionModel_) imageBar_->setImagePath({});
    const QString placeholder = visionModel_ ? tr("Open an image above, or drop an image file here, to see its attention.")
                                             : config.isEncoderDecoder() ? tr("Type a source (and a target) above and press Enter to see the attention.")
                                                                         : tr("Type a text above and press Enter to see its attention.");
    for (FigureView* view : views()) view->setPlaceholderText(placeholder);

    // The stacks' shapes: an encoder-decoder's decoder (and its cross-attention) may have
    // another number of layers than its encoder.
    selection_.setShape(config.layers, config.heads);
    if (config.isEncoderDecoder()) {
        selection_.setStackShape(AttentionKind::Decoder, config.decoderLayers, config.heads);
        selection_.setStackShape(AttentionKind::Cross, config.decoderLayers, config.heads);
    } else {
        selection_.setAttentionKind(AttentionKind::Encoder);
    }
    controls_->setEncoderDecoder(config.isEncoderDecoder());
    adaptGenerationToModel();
    adaptLensToModel();
    showTabsFor(wasVision);
}

void MainWindow::showTabsFor(bool wasVision) {
    const int overlayTab = static_cast<int>(ViewKind::Overlay);
    tabs_->setTabVisible(overlayTab, visionModel_);
    if (std::exchange(preferLens_, false) && tabs_->isTabVisible(tabs_->indexOf(lensView_))) {
        showLens();
    } else if (preferredView_ && tabs_->isTabVisible(static_cast<int>(*preferredView_))) {
        setCurrentView(*std::exchange(preferredView_, std::nullopt));
    } else if (visionModel_ && !wasVision) {
        setCurrentView(ViewKind::Overlay);  // what a vision model is opened for
    } else if (!visionModel_ && tabs_->currentIndex() == overlayTab) {
        setCurrentView(ViewKind::Matrix);
    }
}

int MainWindow::defaultQuery(const Analysis& analysis, AttentionKind kind) const {
    // A vision model: [CLS], the token the classifier reads.
    if (analysis.isVision()) return 0;
    // Text: the last ordinary token, whose attention covers the whole text in causal models
    // too (the source's for the encoder, the target's for the decoder and cross-attention).
    const int count = static_cast<int>(analysis.queryLabels(kind).size());
    for (int t = count - 1; t >= 0; --t)
        if (!analysis.isQuerySpecial(kind, t)) return t;
    return count - 1;
}

void MainWindow::onAnalysisChanged() {
    const auto analysis = session_.analysis();
    const auto previous = matrixView_->analysis();
    // Views drop the old analysis first, so the selection's new shape and query never meet
    // the old tokens (and nothing is built twice).
    for (FigureView* view : views()) view->setAnalysis(nullptr);
    if (analysis) {
        selection_.setShape(analysis->attentions.layers, analysis->attentions.heads);
        if (analysis->isEncoderDecoder()) {
            selection_.setStackShape(AttentionKind::Decoder, analysis->decoderAttentions.layers, analysis->decoderAttentions.heads);
            selection_.setStackShape(AttentionKind::Cross, analysis->crossAttentions.layers, analysis->crossAttentions.heads);
        }
        // Each stack keeps its query while its tokens stay the same; the current stack's may
        // come from the command line.
        for (const AttentionKind kind : {AttentionKind::Encoder, AttentionKind::Decoder, AttentionKind::Cross}) {
            if (!analysis->isEncoderDecoder() && kind != AttentionKind::Encoder) continue;
            const QStringList& labels = analysis->queryLabels(kind);
            // The same tokens, or the same text with a token masked or unmasked.
            const bool sameTokens = previous && previous->isEncoderDecoder() == analysis->isEncoderDecoder() &&
                                    previous->isVision() == analysis->isVision() &&
                                    (previous->queryLabels(kind) == labels ||
                                     (!analysis->isGeneration() && previous->text == analysis->text && previous->pair == analysis->pair &&
                                      previous->queryLabels(kind).size() == labels.size()));
            int query = sameTokens ? selection_.selectedQueryOf(kind) : -1;
            // A generation's views follow its newest token's attention row.
            if (analysis->isGeneration() && !sameTokens) query = static_cast<int>(labels.size()) - 1;
            if (kind == selection_.attentionKind() && initialQuery_) query = *std::exchange(initialQuery_, std::nullopt);
            selection_.setSelectedQueryOf(kind, query >= 0 && query < labels.size() ? query : defaultQuery(*analysis, kind));
        }
        shownKind_ = selection_.attentionKind();
        controls_->setTokens(analysis->queryLabels(shownKind_));
        QStringList specials;
        for (int t = 0; t < analysis->patches.firstPatchToken; ++t) specials << analysis->tokenLabels.value(t);
        overlayControls_->setTokens(specials, analysis->tokenLabels);
        if (analysis->isVision()) imageBar_->setImagePath(analysis->imagePath);
    } else {
        controls_->setTokens({});
        overlayControls_->setTokens({}, {});
    }
    for (FigureView* view : views()) view->setAnalysis(analysis);
    for (QAction* action : analysisActions_) action->setEnabled(analysis != nullptr);
    predictionInfo_->setText(analysis && !analysis->predictions.empty() ? tr("Prediction: %1").arg(predictionText(analysis->predictions))
                                                                        : QString());
    predictionInfo_->setVisible(!predictionInfo_->text().isEmpty());
    if (analysis) applyPendingSession();
    updateStatus();
    updatePredictionsPanel();
    requestLensIfShown();
}

void MainWindow::updatePredictionsPanel() {
    const auto analysis = session_.analysis();
    maskButton_->setVisible(false);
    // Vision classifiers show their classes under the views; T5 and files have their notes.
    if (!analysis || analysis->isVision() || !session_.checkpoint()) {
        predictionsPanel_->setVisible(false);
        return;
    }
    predictionsPanel_->setVisible(true);
    // A text classifier: its labels for the whole text, whichever token is selected.
    if (!analysis->predictions.empty()) {
        predictionsPanel_->setEntries(tr("The classifier's labels for this text"), analysis->predictions);
        return;
    }
    const int query = selection_.selectedQuery();
    const bool onSource = analysis->effectiveKind(selection_.attentionKind()) == AttentionKind::Encoder;
    if (analysis->tokenPredictions.empty() || !onSource || query < 0 || query >= static_cast<int>(analysis->tokenPredictions.size())) {
        predictionsPanel_->setNote(analysis->predictionsNote);
        return;
    }
    const QString token = analysis->tokenLabels.value(query);
    QString title = tr("Next token after “%1”").arg(token);
    if (analysis->tokenPredictionKind == Analysis::TokenPredictionKind::MaskedToken) {
        const auto hidden = analysis->maskedTokens.constFind(query);
        title = hidden != analysis->maskedTokens.constEnd() ? tr("The model's guess for %1, hiding “%2”").arg(token, *hidden)
                                                            : tr("The model's guess at “%1”").arg(token);
        maskButton_->setText(hidden != analysis->maskedTokens.constEnd() ? tr("Unmask “%1” (Ctrl+M)").arg(*hidden)
                                                                         : tr("Mask “%1” (Ctrl+M)").arg(token));
        maskButton_->setEnabled(!analysis->isSpecial(query) || hidden != analysis->maskedTokens.constEnd());
        maskButton_->setVisible(true);
    }
    predictionsPanel_->setEntries(title, analysis->tokenPredictions[static_cast<std::size_t>(query)]);
}

void MainWindow::onSelectionChanged() {
    updateExplanation();
    updatePredictionsPanel();
    updateLensView();
    // Another stack asks with other tokens (T5's decoder and cross-attention: the target's).
    if (selection_.attentionKind() != shownKind_) {
        shownKind_ = selection_.attentionKind();
        const auto analysis = session_.analysis();
        controls_->setTokens(analysis ? analysis->queryLabels(shownKind_) : QStringList());
    }
    updateStatus();
}

void MainWindow::onActivityChanged(AttentionSession::Activity activity) {
    switch (activity) {
    case AttentionSession::Activity::Idle: progress_->setActivity({}); break;
    case AttentionSession::Activity::OpeningModel: progress_->setActivity(tr("Opening model…")); break;
    case AttentionSession::Activity::OpeningAttentionFile: progress_->setActivity(tr("Reading attention file…")); break;
    case AttentionSession::Activity::Analyzing: progress_->setActivity(tr("Computing attention…")); break;
    case AttentionSession::Activity::Generating: progress_->setActivity(tr("Generating…")); break;
    case AttentionSession::Activity::ComputingLens: progress_->setActivity(tr("Computing the logit lens…")); break;
    }
    generationControls_->setRunning(activity == AttentionSession::Activity::Generating);
    if (activity == AttentionSession::Activity::Idle) requestLensIfShown();  // a lens asked for while busy
}

void MainWindow::onFailed(AttentionSession::Activity activity, const QString& message) {
    if (activity == AttentionSession::Activity::OpeningModel && std::exchange(quietOpenFailure_, false)) {
        inputBar_->setText({});  // the start model's sample text suits no other model
        return;
    }
    if (activity == AttentionSession::Activity::OpeningModel) pendingSession_.reset();
    if (activity == AttentionSession::Activity::OpeningModel) showError(tr("AttnScope could not open this model folder."), message);
    else if (activity == AttentionSession::Activity::OpeningAttentionFile) showError(tr("AttnScope could not open this attention file."), message);
    else if (activity == AttentionSession::Activity::ComputingLens) showError(tr("AttnScope could not compute the logit lens."), message);
    else if (activity == AttentionSession::Activity::Generating) showError(tr("AttnScope could not generate from this text."), message);
    else if (visionModel_) showError(tr("AttnScope could not compute the attention of this image."), message);
    else showError(tr("AttnScope could not compute the attention of this text."), message);
}

void MainWindow::updateStatus() {
    const auto checkpoint = session_.checkpoint();
    const auto shown = session_.analysis();
    if (!checkpoint && (session_.attentionFile().isEmpty() || !shown)) {
        modelInfo_->setText(tr("No model open"));
        return;
    }
    // An attention file has no config: its stack says how many layers and heads there are.
    const QString source = checkpoint ? QString::fromStdString(checkpoint->config().modelType)
                                      : tr("attention file %1").arg(QFileInfo(session_.attentionFile()).fileName());
    const int layerCount = checkpoint ? checkpoint->config().layers : shown->attentions.layers;
    const int headCount = checkpoint ? checkpoint->config().heads : shown->attentions.heads;
    // Spelled out rather than tr("%n layer(s)"): without a translator loaded Qt prints the "(s)".
    QStringList parts{source, layerCount == 1 ? tr("1 layer") : tr("%1 layers").arg(layerCount),
                      headCount == 1 ? tr("1 head") : tr("%1 heads").arg(headCount)};
    if (const auto analysis = session_.analysis()) {
        const AttentionKind kind = analysis->effectiveKind(selection_.attentionKind());
        const QStringList& queries = analysis->queryLabels(kind);
        const int tokens = analysis->tokenCount();
        if (analysis->isVision()) {
            const int patches = analysis->patches.count();
            parts.append(tr("%1 tokens (%2 patches)").arg(tokens).arg(patches));
        } else if (analysis->isEncoderDecoder()) {
            parts.append(tr("%1 source tokens").arg(tokens));
            const int targets = static_cast<int>(analysis->targetLabels.size());
            parts.append(targets == 1 ? tr("1 target token") : tr("%1 target tokens").arg(targets));
        } else {
            parts.append(tokens == 1 ? tr("1 token") : tr("%1 tokens").arg(tokens));
        }
        const int query = selection_.selectedQuery();
        if (query >= 0 && query < queries.size()) parts.append(tr("query %1 “%2”").arg(query).arg(queries.value(query)));
        // A long input's attention is kept compact to fit memory: say so, since its values
        // are then good for the eye, not for the last digit.
        if (!analysis->attentions.exact())
            parts.append(tr("attention kept at %1 to fit memory").arg(QString::fromUtf8(precisionName(analysis->attentions.precision()))));
    }
    modelInfo_->setText(parts.join(QStringLiteral("  ·  ")));
}

void MainWindow::updateZoomInfo() {
    // A zoomed matrix shows no sign of what lies outside it: say where the window is.
    const QRect window = matrixView_->visibleCells();
    const bool show = !isLensShown() && currentView() == ViewKind::Matrix && matrixView_->isZoomed();
    zoomInfo_->setText(show ? tr("Zoomed: queries %1–%2, keys %3–%4 of %5 · drag to pan, Ctrl+0 shows all")
                                  .arg(window.top())
                                  .arg(window.bottom())
                                  .arg(window.left())
                                  .arg(window.right())
                                  .arg(matrixView_->rows())
                            : QString());
    zoomInfo_->setVisible(show);
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

QString MainWindow::suggestedExportPath() const {
    QString folder = QSettings().value(kLastExportFolderKey).toString();
    if (folder.isEmpty()) folder = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if (folder.isEmpty()) folder = QDir::homePath();
    const QString model = QFileInfo(session_.modelFolder()).fileName();
    QString name = QStringLiteral("%1-layer%2").arg(model.isEmpty() ? QStringLiteral("attention") : model).arg(selection_.layer());
    if (selection_.rollout()) name += QStringLiteral("-rollout");
    else if (selection_.headMode() == HeadMode::Mean) name += QStringLiteral("-mean");
    else if (selection_.headMode() == HeadMode::Max) name += QStringLiteral("-max");
    else name += QStringLiteral("-head%1").arg(selection_.head());
    if (selection_.hard()) name += QStringLiteral("-hard");
    if (const auto analysis = session_.analysis(); analysis && analysis->isEncoderDecoder())
        name = name.replace(QStringLiteral("-layer"), attentionFileTag(selection_.attentionKind()) + QStringLiteral("-layer"));
    if (currentView() == ViewKind::Overlay) name += QStringLiteral("-overlay");
    if (isLensShown()) name = QStringLiteral("%1-logit-lens").arg(model.isEmpty() ? QStringLiteral("model") : model);
    return QDir(folder).filePath(name + QStringLiteral(".png"));
}

void MainWindow::showExportDialog() {
    if (!session_.analysis()) return;
    auto* dialog = new ExportDialog(isLensShown() ? tr("logit lens") : viewName(currentView()), suggestedExportPath(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const ExportChoice choice = dialog->choice();
        if (exportTo(choice)) {
            QSettings().setValue(kLastExportFolderKey, QFileInfo(choice.path).absolutePath());
            statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(choice.path)), 5000);
        }
    });
    dialog->open();
}

bool MainWindow::exportTo(const ExportChoice& choice) {
    const auto analysis = session_.analysis();
    if (!analysis) {
        showError(tr("There is nothing to export yet."), tr("Compute the attention of a text first."));
        return false;
    }
    if (isLensShown() && !choice.wholeModelGrid) return exportLens(choice.path, choice.longSide);
    ViewRequest request = selection_.request(choice.wholeModelGrid ? ViewKind::Grid : currentView());
    try {
        exportView(analysis->figureSource(request.attention), request, selection_.style(), choice.path, choice.longSide);
    } catch (const std::exception& e) {
        showError(tr("AttnScope could not export the figure."), QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

void MainWindow::copyFigure() {
    const auto analysis = session_.analysis();
    if (!analysis) return;
    if (isLensShown()) {
        if (const LensFigure* lens = lensView_->figure()) {
            copyFigureToClipboard(*lens, exportPixelSize(*lens, 2000));
            statusBar()->showMessage(tr("Copied the logit lens to the clipboard"), 3000);
        }
        return;
    }
    try {
        const ViewRequest request = selection_.request(currentView());
        const std::unique_ptr<Figure> figure = buildFigure(analysis->figureSource(request.attention), request, selection_.style());
        copyFigureToClipboard(*figure, exportPixelSize(*figure, 2000));
        statusBar()->showMessage(tr("Copied the %1 to the clipboard").arg(viewName(currentView())), 3000);
    } catch (const std::exception& e) {
        showError(tr("AttnScope could not copy the figure."), QString::fromStdString(e.what()));
    }
}

}  // namespace attnscope::ui
