#pragma once
#include <QWidget>

#include "analysis/AttentionQuery.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace attnscope::ui {

class AttentionSelection;
class AttentionSession;

// The side panel's "Difference" box: every view shows the selection minus another layer,
// another head, or the same selection on another input (A − B, on a diverging map). The
// layer and head go into the shared selection; the other input is the session's (a text run
// in a job, or the input shown now kept as B).
class ComparisonControls : public QWidget {
    Q_OBJECT
public:
    ComparisonControls(AttentionSession* session, AttentionSelection* selection, QWidget* parent = nullptr);

    QComboBox* withCombo() const { return with_; }
    QSpinBox* layerSpin() const { return layer_; }
    QSpinBox* headSpin() const { return head_; }
    QLineEdit* otherTextEdit() const { return otherText_; }
    QPushButton* keepButton() const { return keep_; }
    QLabel* otherLabel() const { return otherLabel_; }

private:
    // Shows what the selection and the session hold; the widgets then only ask for changes.
    void showState();
    void request(attnscope::CompareWith with);

    AttentionSession* session_;
    AttentionSelection* selection_;
    QComboBox* with_;
    QWidget* referenceRow_;
    QSpinBox* layer_;
    QSpinBox* head_;
    QWidget* inputRow_;
    QLineEdit* otherText_;
    QPushButton* keep_;
    QLabel* otherLabel_;
};

}  // namespace attnscope::ui
