#include "ExportCommands.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include "Analysis.h"
#include "AttentionSelection.h"
#include "AttentionSession.h"
#include "ExportDialog.h"
#include "FigureExporter.h"
#include "AttributionTab.h"
#include "LensTab.h"
#include "ViewTabs.h"

namespace attnscope::ui {

namespace {

const char* const kLastExportFolderKey = "lastExportFolder";

QString viewTitle(ViewKind kind) {
    switch (kind) {
    case ViewKind::Matrix: return QObject::tr("matrix");
    case ViewKind::Heads: return QObject::tr("head view");
    case ViewKind::Grid: return QObject::tr("model grid");
    case ViewKind::Tokens: return QObject::tr("token strip");
    case ViewKind::Overlay: return QObject::tr("image overlay");
    case ViewKind::Alignment: return QObject::tr("alignment");
    }
    return {};
}

}  // namespace

ExportCommands::ExportCommands(AttentionSession* session, AttentionSelection* selection, ViewTabs* tabs, LensTab* lens,
                               AttributionTab* attribution, QWidget* dialogParent)
    : QObject(dialogParent), session_(session), selection_(selection), tabs_(tabs), lens_(lens), attribution_(attribution),
      dialogParent_(dialogParent) {}

QString ExportCommands::shownName() const {
    if (lens_->isShown()) return tr("logit lens");
    if (attribution_->isShown()) return tr("attribution");
    return viewTitle(tabs_->shownView().value_or(ViewKind::Matrix));
}

QString ExportCommands::suggestedPath() const {
    QString folder = QSettings().value(kLastExportFolderKey).toString();
    if (folder.isEmpty()) folder = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if (folder.isEmpty()) folder = QDir::homePath();
    const QString model = QFileInfo(session_->modelFolder()).fileName();
    if (lens_->isShown()) return QDir(folder).filePath(QStringLiteral("%1-logit-lens.png").arg(model.isEmpty() ? QStringLiteral("model") : model));
    if (attribution_->isShown())
        return QDir(folder).filePath(QStringLiteral("%1-attribution-%2.png").arg(model.isEmpty() ? QStringLiteral("model") : model).arg(attribution_->position()));
    QString name = model.isEmpty() ? QStringLiteral("attention") : model;
    // Which stack, when there are several: "t5-cross-layer2-head0".
    if (const auto analysis = session_->analysis(); analysis && analysis->stackCount() > 1) name += QLatin1Char('-') + selection_->stackName();
    name += QStringLiteral("-layer%1").arg(selection_->layer());
    if (selection_->rollout()) name += QStringLiteral("-rollout");
    else if (selection_->headMode() == HeadMode::Mean) name += QStringLiteral("-mean");
    else if (selection_->headMode() == HeadMode::Max) name += QStringLiteral("-max");
    else name += QStringLiteral("-head%1").arg(selection_->head());
    if (selection_->hard()) name += QStringLiteral("-hard");
    if (tabs_->shownView() == ViewKind::Overlay) name += QStringLiteral("-overlay");
    return QDir(folder).filePath(name + QStringLiteral(".png"));
}

void ExportCommands::showDialog() {
    if (!session_->analysis()) return;
    auto* dialog = new ExportDialog(shownName(), suggestedPath(), dialogParent_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const ExportChoice choice = dialog->choice();
        if (exportTo(choice)) {
            QSettings().setValue(kLastExportFolderKey, QFileInfo(choice.path).absolutePath());
            emit hint(tr("Exported %1").arg(QDir::toNativeSeparators(choice.path)), 5000);
        }
    });
    dialog->open();
}

bool ExportCommands::exportTo(const ExportChoice& choice) {
    const auto analysis = session_->analysis();
    if (!analysis) {
        emit failed(tr("There is nothing to export yet."), tr("Compute the attention of a text first."));
        return false;
    }
    try {
        if (lens_->isShown() && !choice.wholeModelGrid) {
            lens_->exportTo(choice.path, choice.longSide);
        } else if (attribution_->isShown() && !choice.wholeModelGrid) {
            attribution_->exportTo(choice.path, choice.longSide);
        } else {
            const ViewRequest request = selection_->request(choice.wholeModelGrid ? ViewKind::Grid : tabs_->shownView().value_or(ViewKind::Matrix));
            exportView(analysis->figureSource(request.stack), request, selection_->style(), choice.path, choice.longSide);
        }
    } catch (const std::exception& e) {
        emit failed(tr("AttnScope could not export the figure."), QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

void ExportCommands::copyFigure() {
    const auto analysis = session_->analysis();
    if (!analysis) return;
    if (lens_->isShown()) {
        lens_->copyToClipboard();
        return emit hint(tr("Copied the logit lens to the clipboard"), 3000);
    }
    if (attribution_->isShown()) {
        attribution_->copyToClipboard();
        return emit hint(tr("Copied the attribution to the clipboard"), 3000);
    }
    try {
        const ViewKind kind = tabs_->shownView().value_or(ViewKind::Matrix);
        const ViewRequest request = selection_->request(kind);
        const std::unique_ptr<Figure> figure = buildFigure(analysis->figureSource(request.stack), request, selection_->style());
        copyFigureToClipboard(*figure, exportPixelSize(*figure, 2000));
        emit hint(tr("Copied the %1 to the clipboard").arg(viewTitle(kind)), 3000);
    } catch (const std::exception& e) {
        emit failed(tr("AttnScope could not copy the figure."), QString::fromStdString(e.what()));
    }
}

}  // namespace attnscope::ui
