#pragma once
#include <vector>
#include <QObject>
#include <QString>

#include "ViewExport.h"

class QWidget;

namespace attnscope::ui {

class AttentionSelection;
class AttentionSession;
class FigurePage;
class ViewTabs;

// Export and copy of what is shown: the current view (or the whole model grid, or the logit
// lens) as PNG, SVG, PDF or NPY, through the same figures as `attnscope-cli render`, with the
// Export dialog suggesting a name from the model and the selection.
class ExportCommands : public QObject {
    Q_OBJECT
public:
    // `pages`: the tabs with figures of their own (the lens, the attribution, ...); while one is
    // shown, Export and Copy take its figure.
    ExportCommands(AttentionSession* session, AttentionSelection* selection, ViewTabs* tabs, std::vector<const FigurePage*> pages,
                   QWidget* dialogParent);

    // Exports without asking; emits failed() and returns false when it cannot.
    bool exportTo(const ExportChoice& choice);
    // "model-layer3-head5.png" in the last export folder.
    QString suggestedPath() const;

public slots:
    void showDialog();
    void copyFigure();

signals:
    void failed(const QString& summary, const QString& details);
    void hint(const QString& message, int timeoutMs);

private:
    QString shownName() const;  // "matrix", "logit lens", ...
    const FigurePage* shownPage() const;  // null while an attention view is shown

    AttentionSession* session_;
    AttentionSelection* selection_;
    ViewTabs* tabs_;
    std::vector<const FigurePage*> pages_;
    QWidget* dialogParent_;
};

}  // namespace attnscope::ui
