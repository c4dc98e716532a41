#pragma once
#include <QObject>

#include "FigurePage.h"
#include "InsideHeadFigure.h"

class QLabel;
class QPushButton;
class QWidget;

namespace attnscope::ui {

class AttentionSelection;
class AttentionSession;
class InsideHeadView;
class ViewTabs;

// The "Inside" tab: the selected head opened up at the selected query (the last token when
// none is), its numbers computed on demand while the tab is open, shown step by step — the
// buttons, or Space in classroom mode, go through q and k, q·k, the scaling, softmax, the
// hard rule and the weighted sum of values.
class InsideHeadTab : public QObject, public FigurePage {
    Q_OBJECT
public:
    InsideHeadTab(AttentionSession* session, AttentionSelection* selection, ViewTabs* tabs);

    InsideHeadView* view() const { return view_; }
    InsideStep step() const { return step_; }
    QPushButton* nextButton() const { return next_; }
    QPushButton* previousButton() const { return previous_; }
    bool isShown() const override;
    QString figureName() const override { return tr("inside of a head"); }
    QString fileStem() const override;
    bool isAvailable() const;

    void exportTo(const QString& path, int longSide) const override;
    void copyToClipboard() const override;

public slots:
    void show();
    void adaptToModel();
    void requestIfShown();
    void update();
    // One step on (after the last, back to the first) or back.
    void nextStep();
    void previousStep();
    void setStep(attnscope::ui::InsideStep step);

signals:
    void stepChanged(attnscope::ui::InsideStep step);

private:
    int query() const;

    AttentionSession* session_;
    AttentionSelection* selection_;
    ViewTabs* tabs_;
    QWidget* page_;
    InsideHeadView* view_;
    QPushButton* previous_;
    QPushButton* next_;
    QLabel* stepLabel_;
    InsideStep step_ = InsideStep::Output;
};

}  // namespace attnscope::ui
