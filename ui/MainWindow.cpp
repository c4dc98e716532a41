#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QShortcut>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

#include "Analysis.h"
#include "HeadPicker.h"
#include "HeatmapView.h"
#include "JobProgress.h"
#include "TextInputBar.h"
#include "WelcomePage.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

namespace {

const char* const kLastFolderKey = "lastModelFolder";

QString localFolderOf(const QMimeData* mime) {
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1) return {};
    const QString path = mime->urls().front().toLocalFile();
    return QFileInfo(path).isDir() ? path : QString();
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    auto* welcome = new WelcomePage(this);
    connect(welcome, &WelcomePage::openRequested, this, &MainWindow::chooseModelFolder);

    inputBar_ = new TextInputBar(this);
    connect(inputBar_, &TextInputBar::submitted, this, &MainWindow::compute);

    heatmap_ = new HeatmapView(this);
    heatmap_->setObjectName(QStringLiteral("heatmap"));
    heatmap_->setAxisTitles(tr("Query (attending token)"), tr("Key (token attended to)"));
    heatmap_->setPlaceholderText(tr("Type a text above and press Enter to see its attention."));

    auto* analysisPage = new QWidget(this);
    auto* analysisLayout = new QVBoxLayout(analysisPage);
    analysisLayout->setContentsMargins(8, 8, 8, 0);
    analysisLayout->addWidget(inputBar_);
    analysisLayout->addWidget(heatmap_, 1);

    pages_ = new QStackedWidget(this);
    pages_->addWidget(welcome);
    pages_->addWidget(analysisPage);
    setCentralWidget(pages_);

    headPicker_ = new HeadPicker(this);
    headPicker_->setEnabled(false);  // nothing to pick before a model is open
    connect(headPicker_, &HeadPicker::selectionChanged, this, &MainWindow::showSelectedHead);

    modelInfo_ = new QLabel(tr("No model open"), this);
    modelInfo_->setObjectName(QStringLiteral("modelInfo"));
    progress_ = new JobProgress(this);
    connect(progress_, &JobProgress::cancelRequested, this, &MainWindow::cancel);
    statusBar()->addWidget(modelInfo_, 1);
    statusBar()->addPermanentWidget(progress_);

    buildActions();

    connect(&session_, &AttentionSession::modelChanged, this, &MainWindow::onModelChanged);
    connect(&session_, &AttentionSession::analysisChanged, this, &MainWindow::onAnalysisChanged);
    connect(&session_, &AttentionSession::activityChanged, this, &MainWindow::onActivityChanged);
    connect(&session_, &AttentionSession::progress, progress_, &JobProgress::setProgress);
    connect(&session_, &AttentionSession::failed, this, &MainWindow::onFailed);
    connect(&session_, &AttentionSession::cancelled, this, [this] { statusBar()->showMessage(tr("Cancelled"), 3000); });

    setAcceptDrops(true);
    setWindowTitle(QStringLiteral("AttnScope"));
    resize(1200, 800);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions() {
    auto* open = new QAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("&Open Model Folder…"), this);
    open->setObjectName(QStringLiteral("openAction"));
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open a Hugging Face model folder (%1)").arg(open->shortcut().toString(QKeySequence::NativeText)));
    connect(open, &QAction::triggered, this, &MainWindow::chooseModelFolder);

    auto* quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    auto* about = new QAction(tr("&About AttnScope"), this);
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About AttnScope"),
                           tr("<b>AttnScope</b> %1<br>See what a transformer attends to, layer by layer and head by head.")
                               .arg(QApplication::applicationVersion().toHtmlEscaped()));
    });

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(open);
    file->addSeparator();
    file->addAction(quit);
    menuBar()->addMenu(tr("&Help"))->addAction(about);

    QToolBar* toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(open);
    toolBar->addSeparator();
    toolBar->addWidget(headPicker_);

    auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(escape, &QShortcut::activated, this, &MainWindow::cancel);
}

void MainWindow::setText(const QString& text) { inputBar_->setText(text); }

void MainWindow::setPairText(const QString& text) { inputBar_->setPairText(text); }

void MainWindow::setInitialHead(int layer, int head) { initialHead_ = std::make_pair(layer, head); }

void MainWindow::openModel(const QString& folder) { session_.openModel(folder); }

void MainWindow::chooseModelFolder() {
    // Model folders usually sit side by side: start next to the last one opened.
    const QString last = QSettings().value(kLastFolderKey).toString();
    const QString start = last.isEmpty() ? QDir::homePath() : QFileInfo(last).absolutePath();
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), start);
    if (!folder.isEmpty()) openModel(folder);
}

void MainWindow::compute() {
    if (!session_.checkpoint()) return;
    if (inputBar_->text().trimmed().isEmpty() && inputBar_->pairText().trimmed().isEmpty()) {
        statusBar()->showMessage(tr("Type a text first"), 3000);
        return;
    }
    session_.analyze(inputBar_->text(), inputBar_->pairText());
}

void MainWindow::cancel() {
    if (session_.isBusy()) session_.cancel();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!localFolderOf(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString folder = localFolderOf(event->mimeData());
    if (folder.isEmpty()) return;
    event->acceptProposedAction();
    openModel(folder);
}

void MainWindow::onModelChanged() {
    const auto checkpoint = session_.checkpoint();
    if (!checkpoint) return;
    setWindowTitle(tr("%1 — AttnScope").arg(QFileInfo(session_.modelFolder()).fileName()));
    QSettings().setValue(kLastFolderKey, session_.modelFolder());
    const ModelConfig& config = checkpoint->config();
    headPicker_->setShape(config.layers, config.heads);
    headPicker_->setEnabled(true);
    if (initialHead_) {
        headPicker_->setLayer(initialHead_->first);
        headPicker_->setHead(initialHead_->second);
        initialHead_.reset();
    }
    pages_->setCurrentIndex(1);
    updateStatus();
    if (!checkpoint->tokenizer()) {
        showError(tr("This model folder has no usable tokenizer, so AttnScope cannot turn text into tokens."),
                  QString::fromStdString(checkpoint->tokenizerProblem()));
        return;
    }
    if (!inputBar_->text().isEmpty()) compute();
    else inputBar_->setFocus();
}

void MainWindow::onAnalysisChanged() {
    const auto analysis = session_.analysis();
    if (!analysis) {
        heatmap_->clear();
    } else {
        headPicker_->setShape(analysis->attentions.layers, analysis->attentions.heads);
        heatmap_->setTokens(analysis->tokenLabels, analysis->tokenLabels);
        showSelectedHead();
    }
    updateStatus();
}

void MainWindow::showSelectedHead() {
    const auto analysis = session_.analysis();
    if (!analysis || analysis->attentions.empty()) return;
    const AttentionStack& stack = analysis->attentions;
    const int layer = std::clamp(headPicker_->layer(), 0, stack.layers - 1);
    const int head = std::clamp(headPicker_->head(), 0, stack.heads - 1);
    const float* map = stack.map(layer, head);
    heatmap_->setMatrix(stack.queries, stack.keys, std::vector<float>(map, map + stack.mapSize()));
    heatmap_->setTitle(tr("Layer %1, head %2").arg(layer).arg(head));
}

void MainWindow::onActivityChanged(AttentionSession::Activity activity) {
    switch (activity) {
    case AttentionSession::Activity::Idle: progress_->setActivity({}); break;
    case AttentionSession::Activity::OpeningModel: progress_->setActivity(tr("Opening model…")); break;
    case AttentionSession::Activity::Analyzing: progress_->setActivity(tr("Computing attention…")); break;
    }
}

void MainWindow::onFailed(AttentionSession::Activity activity, const QString& message) {
    if (activity == AttentionSession::Activity::OpeningModel) showError(tr("AttnScope could not open this model folder."), message);
    else showError(tr("AttnScope could not compute the attention of this text."), message);
}

void MainWindow::updateStatus() {
    const auto checkpoint = session_.checkpoint();
    if (!checkpoint) {
        modelInfo_->setText(tr("No model open"));
        return;
    }
    const ModelConfig& config = checkpoint->config();
    // Spelled out rather than tr("%n layer(s)"): without a translator loaded Qt prints the "(s)".
    QStringList parts{QString::fromStdString(config.modelType),
                      config.layers == 1 ? tr("1 layer") : tr("%1 layers").arg(config.layers),
                      config.heads == 1 ? tr("1 head") : tr("%1 heads").arg(config.heads)};
    if (const auto analysis = session_.analysis()) {
        const int tokens = analysis->tokenCount();
        parts.append(tokens == 1 ? tr("1 token") : tr("%1 tokens").arg(tokens));
    }
    modelInfo_->setText(parts.join(QStringLiteral("  ·  ")));
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

}  // namespace attnscope::ui
