#pragma once
#include <QObject>
#include <QString>

#include <optional>

#include "FigurePage.h"
#include "analysis/LogitAttribution.h"

class QComboBox;
class QLabel;
class QPushButton;
class QWidget;

namespace attnscope::ui {

class AttentionSelection;
class AttentionSession;
class AttributionView;
class ViewTabs;

// The attribution tab: each head's, MLP's and the embedding's share of one logit at the
// selected token (the predicted token by default, or one of the top five, optionally less
// another), computed on demand while the tab is open; a click on a head selects it in every
// view. "Find heads that flip it" searches for the fewest heads whose ablation changes the
// prediction, and offers to switch them off.
class AttributionTab : public QObject, public FigurePage {
    Q_OBJECT
public:
    AttributionTab(AttentionSession* session, AttentionSelection* selection, ViewTabs* tabs);

    AttributionView* view() const { return view_; }
    QComboBox* targetBox() const { return target_; }
    QComboBox* distractorBox() const { return distractor_; }
    QPushButton* flipButton() const { return flip_; }
    QPushButton* switchOffButton() const { return switchOff_; }
    QLabel* flipLabel() const { return flipLabel_; }
    bool isShown() const override;
    QString figureName() const override { return tr("attribution"); }
    QString fileStem() const override { return QStringLiteral("attribution-%1").arg(position()); }
    bool isAvailable() const;
    // The position the tab attributes at: the selected token, else the one a user reads first
    // (a causal model's last, a masked model's first mask); 0 for a classifier.
    int position() const;
    // The stack a head of the grid belongs to: the one whose stream the output head reads (an
    // encoder-decoder's decoder), or with `cross` the cross-attention stack.
    int attributedStack(bool cross) const;

    void exportTo(const QString& path, int longSide) const override;
    void copyToClipboard() const override;

public slots:
    void show();
    void adaptToModel();
    // Asks the session for the attribution of the chosen target when the tab is open and idle.
    void requestIfShown();
    void update();

signals:
    void hint(const QString& message);

private:
    void fillTargets();
    std::optional<AttributionTarget> chosenTarget() const;
    void showFlip();

    AttentionSession* session_;
    AttentionSelection* selection_;
    ViewTabs* tabs_;
    QWidget* page_;
    AttributionView* view_;
    QComboBox* target_;
    QComboBox* distractor_;
    QPushButton* flip_;
    QPushButton* switchOff_;
    QLabel* flipLabel_;
    int filledFor_ = -1;  // the position the boxes list predictions for
    const void* filledAnalysis_ = nullptr;
};

}  // namespace attnscope::ui
