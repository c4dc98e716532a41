#pragma once
#include <QStringList>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QRadioButton;
class QSpinBox;
class QStackedWidget;

namespace attnscope::ui {

struct Analysis;
class AttentionSelection;

// The side panel that edits the shared selection: for a model with several attention stacks
// which one (an encoder-decoder's encoder, decoder or cross-attention), then layer, head (or the mean/max of the heads), rollout, the query token, soft or hard attention with its rule and parameter,
// hidden special tokens, and colour (map, linear/log scale, global/per-row normalisation).
// It writes to the selection and mirrors it, so it also follows clicks in the views.
class AttentionControls : public QWidget {
    Q_OBJECT
public:
    explicit AttentionControls(AttentionSelection* selection, QWidget* parent = nullptr);

    // The analysis whose query tokens (the current stack's) the query chooser lists; null
    // before an analysis.
    void setAnalysis(std::shared_ptr<const Analysis> analysis);

    // The width the side panel gives it: room for an encoder-decoder's stack chooser whether
    // or not it is shown, so the panel keeps its width from one model to the next.
    int panelWidth() const;

    // Head combo entries' data: a head index, or one of these.
    static constexpr int kMeanOfHeads = -1;
    static constexpr int kMaxOfHeads = -2;

private:
    void buildAttentionGroup(QWidget* group);
    void buildHardGroup(QWidget* group);
    void buildColourGroup(QWidget* group);
    void connectEdits();
    void syncFromSelection();
    void fillHeadCombo(int heads);
    // The query chooser: the shown stack's query tokens.
    void fillQueryCombo();
    // The stack chooser: the selection's stacks, shown when there is more than one.
    void fillStackCombo();

    AttentionSelection* selection_;
    QLabel* stackLabel_ = nullptr;
    QComboBox* stack_ = nullptr;
    QStringList shownStacks_;  // the stacks the chooser lists
    std::shared_ptr<const Analysis> analysis_;
    int listedStack_ = -1;
    int reservedWidth_ = 0;    // what the stack chooser needs: the panel never narrows without it     // the stack whose queries the query chooser lists (-1: none yet)
    QSpinBox* layer_ = nullptr;
    QComboBox* head_ = nullptr;
    QCheckBox* rollout_ = nullptr;
    QComboBox* query_ = nullptr;
    QCheckBox* hideSpecial_ = nullptr;
    QCheckBox* words_ = nullptr;
    QCheckBox* sink_ = nullptr;
    QRadioButton* soft_ = nullptr;
    QRadioButton* hard_ = nullptr;
    QComboBox* rule_ = nullptr;
    QLabel* parameterLabel_ = nullptr;
    QStackedWidget* parameter_ = nullptr;
    QSpinBox* topK_ = nullptr;
    QDoubleSpinBox* threshold_ = nullptr;
    QDoubleSpinBox* mass_ = nullptr;
    QComboBox* colorMap_ = nullptr;
    QComboBox* scale_ = nullptr;
    QComboBox* normalization_ = nullptr;
    int shownHeads_ = -1;
};

}  // namespace attnscope::ui
