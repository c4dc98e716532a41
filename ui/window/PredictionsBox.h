#pragma once
#include <QWidget>

#include <memory>

#include "AnalysisJob.h"

class QPushButton;

namespace attnscope::ui {

struct Analysis;
class PredictionsPanel;

// The side panel's predictions: a text classifier's labels, or a language model's most probable
// tokens for the selected position (with a note where there are none), and for a masked
// language model the Mask button that hides the selected token to see the model's guess.
// Image classifiers show their classes under the views instead, and attention files predict
// nothing: then it hides.
class PredictionsBox : public QWidget {
    Q_OBJECT
public:
    explicit PredictionsBox(QWidget* parent = nullptr);

    PredictionsPanel* panel() const { return panel_; }
    QPushButton* maskButton() const { return mask_; }

public slots:
    // What to show: the analysis (with a model open to recompute it), and the selected
    // position of the selected stack.
    void show(const std::shared_ptr<const attnscope::ui::Analysis>& analysis, bool modelOpen, int stack, int query);
    // Masks the selected token (or brings it back) by asking for the text again with the mask.
    void toggleMask();

signals:
    void analysisRequested(const attnscope::ui::AnalysisRequest& request);
    void hint(const QString& message);

private:
    PredictionsPanel* panel_;
    QPushButton* mask_;
    std::shared_ptr<const Analysis> analysis_;
    bool modelOpen_ = false;
    int query_ = -1;
};

}  // namespace attnscope::ui
