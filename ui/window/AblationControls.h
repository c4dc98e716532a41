#pragma once
#include <QWidget>

#include "model/HeadAblation.h"

class QComboBox;
class QLabel;
class QPushButton;

namespace attnscope::ui {

// The side panel's "Heads off" box: which heads the model runs without (Ctrl+click in the
// Model view adds or removes one), whether they are zeroed or replaced by their mean, and a
// button to switch them all on again. It holds no state of its own beyond what it shows: a
// change asks for a new set (ablationRequested), and setAblation shows the set in force.
class AblationControls : public QWidget {
    Q_OBJECT
public:
    explicit AblationControls(QWidget* parent = nullptr);

    const HeadAblation& ablation() const { return ablation_; }
    QLabel* listLabel() const { return list_; }
    QComboBox* modeCombo() const { return mode_; }
    QPushButton* clearButton() const { return clear_; }

public slots:
    void setAblation(const attnscope::HeadAblation& ablation);
    // Hidden for models that cannot run without heads (encoder-decoders, attention files).
    void setAvailable(bool available);
    // Asks for the set with this head of `stack` added, or removed when it is in it.
    void toggleHead(attnscope::AblatedStack stack, int layer, int head);

signals:
    void ablationRequested(const attnscope::HeadAblation& ablation);

private:
    HeadAblation ablation_;
    QLabel* list_;
    QComboBox* mode_;
    QPushButton* clear_;
};

}  // namespace attnscope::ui
