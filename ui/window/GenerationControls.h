#pragma once
#include <QGroupBox>

#include "analysis/Generation.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace attnscope::ui {

// The Generate box of the side panel: how many tokens, how to pick them (temperature 0 is
// greedy; top-k, top-p and the seed then do nothing and are greyed out), whether to pace
// them for a room, and what the last generation made; and the Generate and Step buttons,
// which the window puts beside the text they continue. While a generation runs, Generate
// turns into Stop. Holds settings only; the window starts the work.
class GenerationControls : public QGroupBox {
    Q_OBJECT
public:
    static constexpr int kPaceMs = 700;  // "Animate": one token every 0.7 s

    explicit GenerationControls(QWidget* parent = nullptr);

    SamplingSettings sampling() const;
    int maxNewTokens() const;
    bool animate() const;
    // The pause a generation keeps between tokens: kPaceMs when animating, else 0.
    int paceMs() const { return animate() ? kPaceMs : 0; }
    bool isRunning() const { return running_; }
    QPushButton* generateButton() const { return generate_; }
    QPushButton* stepButton() const { return step_; }
    QString summary() const;

public slots:
    void setSampling(const attnscope::SamplingSettings& sampling);
    void setMaxNewTokens(int count);
    void setAnimate(bool on);
    // Generate becomes Stop and Step waits while a generation runs.
    void setRunning(bool running);
    // Shows or hides the box and its buttons together.
    void setAvailable(bool available);
    // What the last generation made, shown under the buttons.
    void setSummary(const QString& text);

signals:
    void generateRequested();
    void stepRequested();
    void stopRequested();
    void animateChanged(bool on);

private:
    void updateSamplingEnabled();

    QSpinBox* maxNewTokens_;
    QDoubleSpinBox* temperature_;
    QSpinBox* topK_;
    QDoubleSpinBox* topP_;
    QSpinBox* seed_;
    QCheckBox* animate_;
    QPushButton* generate_;
    QPushButton* step_;
    QLabel* summary_;
    bool running_ = false;
};

}  // namespace attnscope::ui
