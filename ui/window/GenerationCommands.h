#pragma once
#include <QObject>

#include "GenerationRun.h"

class QAction;

namespace attnscope::ui {

class AttentionSession;
class GenerationControls;
class InputPanel;

// Generating from a causal language model: the Generate, Step and Animate actions (the
// Predict menu's and the Generate box's buttons), what they start, and the summary of what
// a generation made. Offered only when the open model can generate.
class GenerationCommands : public QObject {
    Q_OBJECT
public:
    GenerationCommands(AttentionSession* session, GenerationControls* controls, InputPanel* input, QObject* parent);

    QAction* generateAction() const { return generate_; }
    QAction* stepAction() const { return step_; }
    QAction* animateAction() const { return animate_; }

public slots:
    // Up to `count` more tokens after the typed text, or after the generation shown when it
    // grew from that text, with the Generate box's settings.
    void generateTokens(int count);
    void generate();
    void step();
    // The Generate box for models that can generate.
    void adaptToModel();

signals:
    void hint(const QString& message, int timeoutMs);

private:
    void onFinished(GenerationRun::Stop why, int newTokens);

    AttentionSession* session_;
    GenerationControls* controls_;
    InputPanel* input_;
    QAction* generate_;
    QAction* step_;
    QAction* animate_;
};

}  // namespace attnscope::ui
