#pragma once
#include <QObject>
#include <QString>

#include <memory>

#include "FigurePage.h"

class QWidget;

namespace attnscope::ui {

class AttentionSelection;
class AttentionSession;
class Figure;
class LensView;
class ViewTabs;

// The logit lens tab: offered for models with a logit lens, computed on demand (for the
// analysis shown, while the tab is open and nothing else runs), and linked to the attention
// views: a click on a cell selects its layer and position there.
class LensTab : public QObject, public FigurePage {
    Q_OBJECT
public:
    LensTab(AttentionSession* session, AttentionSelection* selection, ViewTabs* tabs);

    LensView* view() const { return view_; }
    QWidget* page() const { return page_; }  // the tab's page: the lens, and before it when heads are off
    // With heads switched off: the lens with every head on, beside view() (hidden otherwise).
    LensView* beforeView() const { return before_; }
    bool isShown() const override;
    QString figureName() const override { return tr("logit lens"); }
    QString fileStem() const override { return QStringLiteral("logit-lens"); }
    bool isAvailable() const;

    // Writes the lens as PNG, SVG or PDF; throws attnscope::Error when there is none yet or
    // the format is NPY.
    void exportTo(const QString& path, int longSide) const override;
    void copyToClipboard() const override;

public slots:
    void show();
    // Offers the tab when the open model has a lens (hiding it moves to the matrix).
    void adaptToModel();
    // Asks the session for the lens when the tab is open, idle and without one.
    void requestIfShown();
    // Shows the session's lens (or why there is none) with the selection outlined.
    void update();

private:
    // What the tab shows as one figure: the lens, or before and after side by side.
    std::shared_ptr<const Figure> shownFigure() const;

signals:
    void hint(const QString& message);

private:
    AttentionSession* session_;
    AttentionSelection* selection_;
    ViewTabs* tabs_;
    QWidget* page_;
    LensView* view_;
    LensView* before_;
};

}  // namespace attnscope::ui
