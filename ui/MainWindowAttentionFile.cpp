// MainWindow's attention files: attention a model computed elsewhere, shown in every view.
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QSettings>
#include <QStackedWidget>

#include "Analysis.h"
#include "AttentionControls.h"
#include "ImageInputBar.h"
#include "MainWindow.h"

namespace attnscope::ui {

namespace {
const char* const kLastAttentionFolderKey = "lastAttentionFileFolder";
}

void MainWindow::chooseAttentionFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Attention File"),
                                                      QSettings().value(kLastAttentionFolderKey).toString(),
                                                      tr("Attention files (*.safetensors);;All files (*)"));
    if (path.isEmpty()) return;
    QSettings().setValue(kLastAttentionFolderKey, QFileInfo(path).absolutePath());
    openAttentionFile(path);
}

void MainWindow::openAttentionFile(const QString& path) { session_.openAttentionFile(path); }

void MainWindow::adaptToAttentionFile() {
    const auto analysis = session_.analysis();
    if (!analysis) return;
    const QString name = QFileInfo(session_.attentionFile()).fileName();
    setWindowTitle(tr("%1 — AttnScope").arg(name));
    const bool wasVision = visionModel_;
    visionModel_ = analysis->isVision();
    attentionFileBar_->setText(tr("Showing the attention saved in %1, computed elsewhere. Open a model to give your own input.").arg(name));
    inputs_->setCurrentWidget(attentionFileBar_);
    if (!visionModel_) imageBar_->setImagePath({});
    if (!analysis->isEncoderDecoder()) selection_.setAttentionKind(AttentionKind::Encoder);
    controls_->setEncoderDecoder(analysis->isEncoderDecoder());
    controls_->setEnabled(true);
    adaptGenerationToModel();  // no model: nothing to generate with
    adaptLensToModel();
    pages_->setCurrentIndex(1);
    showTabsFor(wasVision);
}

}  // namespace attnscope::ui
