// MainWindow's Hugging Face hub entry points: File ▸ Open Model… (the cached models, with
// the folder picker and the download dialog one click away) and File ▸ Download Model….
// Opening goes through openModel, which takes hub ids as well as folders.
#include "CachedModelsDialog.h"
#include "DownloadDialog.h"
#include "MainWindow.h"

namespace attnscope::ui {

void MainWindow::chooseModel() {
    auto* dialog = new CachedModelsDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &CachedModelsDialog::modelChosen, this, &MainWindow::openModel);
    // Queued: the next dialog opens once this one has closed.
    connect(dialog, &CachedModelsDialog::folderRequested, this, &MainWindow::chooseModelFolder, Qt::QueuedConnection);
    connect(dialog, &CachedModelsDialog::downloadRequested, this, &MainWindow::showDownloadDialog, Qt::QueuedConnection);
    dialog->open();
}

void MainWindow::showDownloadDialog() {
    auto* dialog = new DownloadDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DownloadDialog::modelDownloaded, this, &MainWindow::openModel);
    dialog->open();
}

}  // namespace attnscope::ui
