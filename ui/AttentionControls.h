#pragma once
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QRadioButton;
class QSpinBox;
class QStackedWidget;

namespace attnscope::ui {

class AttentionSelection;

// The side panel that edits the shared selection: for an encoder-decoder which attention
// (encoder, decoder or cross), then layer, head (or the mean/max of the heads), rollout, the query token, soft or hard attention with its rule and parameter,
// hidden special tokens, and colour (map, linear/log scale, global/per-row normalisation).
// It writes to the selection and mirrors it, so it also follows clicks in the views.
class AttentionControls : public QWidget {
    Q_OBJECT
public:
    explicit AttentionControls(AttentionSelection* selection, QWidget* parent = nullptr);

    // The labels of the analysed query tokens (the current stack's), for the query chooser;
    // empty before an analysis.
    void setTokens(const QStringList& labels);
    // Offers the choice of encoder self-, decoder self- and cross-attention (T5) or hides it.
    void setEncoderDecoder(bool encoderDecoder);

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

    AttentionSelection* selection_;
    QLabel* attentionKindLabel_ = nullptr;
    QComboBox* attentionKind_ = nullptr;
    QSpinBox* layer_ = nullptr;
    QComboBox* head_ = nullptr;
    QCheckBox* rollout_ = nullptr;
    QComboBox* query_ = nullptr;
    QCheckBox* hideSpecial_ = nullptr;
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
