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
#include "FigurePage.h"
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

ExportCommands::ExportCommands(AttentionSession* session, AttentionSelection* selection, ViewTabs* tabs, std::vector<const FigurePage*> pages,
                               QWidget* dialogParent)
    : QObject(dialogParent), session_(session), selection_(selection), tabs_(tabs), pages_(std::move(pages)), dialogParent_(dialogParent) {}

const FigurePage* ExportCommands::shownPage() const {
    for (const FigurePage* page : pages_)
        if (page->isShown()) return page;
    return nullptr;
}

QString ExportCommands::shownName() const {
    if (const FigurePage* page = shownPage()) return page->figureName();
    return viewTitle(tabs_->shownView().value_or(ViewKind::Matrix));
}

QString ExportCommands::suggestedPath() const {
    QString folder = QSettings().value(kLastExportFolderKey).toString();
    if (folder.isEmpty()) folder = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if (folder.isEmpty()) folder = QDir::homePath();
    const QString model = QFileInfo(session_->modelFolder()).fileName();
    if (const FigurePage* page = shownPage())
        return QDir(folder).filePath(QStringLiteral("%1-%2.png").arg(model.isEmpty() ? QStringLiteral("model") : model, page->fileStem()));
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
        if (const FigurePage* page = shownPage(); page && !choice.wholeModelGrid) {
            page->exportTo(choice.path, choice.longSide);
        } else {
            const ViewRequest request = selection_->request(choice.wholeModelGrid ? ViewKind::Grid : tabs_->shownView().value_or(ViewKind::Matrix));
            exportView(analysis->figureSource(request.stack, session_->otherInput().get()), request, selection_->style(), choice.path, choice.longSide);
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
    if (const FigurePage* page = shownPage()) {
        page->copyToClipboard();
        return emit hint(tr("Copied the %1 to the clipboard").arg(page->figureName()), 3000);
    }
    try {
        const ViewKind kind = tabs_->shownView().value_or(ViewKind::Matrix);
        const ViewRequest request = selection_->request(kind);
        const std::unique_ptr<Figure> figure =
            buildFigure(analysis->figureSource(request.stack, session_->otherInput().get()), request, selection_->style());
        copyFigureToClipboard(*figure, exportPixelSize(*figure, 2000));
        emit hint(tr("Copied the %1 to the clipboard").arg(viewTitle(kind)), 3000);
    } catch (const std::exception& e) {
        emit failed(tr("AttnScope could not copy the figure."), QString::fromStdString(e.what()));
    }
}

}  // namespace attnscope::ui
