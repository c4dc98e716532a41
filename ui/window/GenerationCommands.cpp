#include "GenerationCommands.h"

#include <QAction>

#include "Analysis.h"
#include "AttentionSession.h"
#include "GenerationControls.h"
#include "ImageInputBar.h"
#include "InputPanel.h"
#include "TextInputBar.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

namespace {

QString stopReason(GenerationRun::Stop why) {
    switch (why) {
    case GenerationRun::Stop::EndOfSequence: return QObject::tr("stopped at the end-of-sequence token");
    case GenerationRun::Stop::ContextFull: return QObject::tr("the model's context is full");
    case GenerationRun::Stop::Cancelled: return QObject::tr("stopped");
    case GenerationRun::Stop::MaxTokens: break;
    }
    return {};
}

}  // namespace

GenerationCommands::GenerationCommands(AttentionSession* session, GenerationControls* controls, InputPanel* input, QObject* parent)
    : QObject(parent), session_(session), controls_(controls), input_(input) {
    generate_ = new QAction(tr("&Generate"), this);
    generate_->setObjectName(QStringLiteral("generateAction"));
    generate_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    connect(generate_, &QAction::triggered, this, &GenerationCommands::generate);
    step_ = new QAction(tr("&Step One Token"), this);
    step_->setObjectName(QStringLiteral("stepAction"));
    step_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    connect(step_, &QAction::triggered, this, &GenerationCommands::step);
    animate_ = new QAction(tr("&Animate Generation"), this);
    animate_->setObjectName(QStringLiteral("animateAction"));
    animate_->setCheckable(true);
    animate_->setToolTip(tr("Hold each new token on screen for a moment so a room can follow it"));
    connect(animate_, &QAction::toggled, controls, &GenerationControls::setAnimate);
    connect(controls, &GenerationControls::animateChanged, animate_, &QAction::setChecked);
    connect(controls, &GenerationControls::generateRequested, this, &GenerationCommands::generate);
    connect(controls, &GenerationControls::stepRequested, this, &GenerationCommands::step);
    connect(controls, &GenerationControls::stopRequested, session, &AttentionSession::cancel);
    connect(session, &AttentionSession::generationFinished, this, &GenerationCommands::onFinished);
    connect(session, &AttentionSession::activityChanged, controls,
            [controls](AttentionSession::Activity a) { controls->setRunning(a == AttentionSession::Activity::Generating); });
    controls->setAvailable(false);
}

void GenerationCommands::adaptToModel() {
    const auto checkpoint = session_->checkpoint();
    controls_->setAvailable(checkpoint && checkpoint->capabilities().canGenerate);
    controls_->setSummary({});
}

void GenerationCommands::generate() { generateTokens(controls_->maxNewTokens()); }

void GenerationCommands::step() { generateTokens(1); }

void GenerationCommands::generateTokens(int count) {
    const auto checkpoint = session_->checkpoint();
    if (!checkpoint || !checkpoint->capabilities().canGenerate)
        return emit hint(tr("Open a language model with an LM head (GPT-2, Llama, T5, …) to generate text"), 4000);
    if (session_->activity() == AttentionSession::Activity::Generating) return;  // Stop comes first
    GenerationRequest request;
    const ModelCapabilities& m = checkpoint->capabilities();
    if (m.readsImages()) {
        // A captioner continues the caption typed so far, for the image shown (or about to be).
        request.imageFile = !input_->pendingImage().isEmpty() ? input_->pendingImage() : input_->imageBar()->imagePath();
        if (request.imageFile.isEmpty()) return emit hint(tr("Open an image first: the captioner writes its caption"), 4000);
        request.target = input_->imageBar()->caption();
    } else {
        request.prompt = input_->textBar()->text();
        // An encoder-decoder continues the target typed so far (its second field), for the source.
        if (m.hasDecoder()) request.target = input_->textBar()->pairText();
    }
    request.sampling = controls_->sampling();
    request.maxNewTokens = count;
    request.paceMs = controls_->paceMs();
    session_->generate(request);
}

void GenerationCommands::onFinished(GenerationRun::Stop why, int newTokens) {
    const QString reason = stopReason(why);
    if (newTokens == 0) emit hint(tr("No token generated: %1").arg(reason.isEmpty() ? tr("nothing was asked") : reason), 5000);
    else emit hint(newTokens == 1 ? tr("Generated 1 token") : tr("Generated %1 tokens").arg(newTokens), 3000);
    const auto analysis = session_->analysis();
    if (!analysis || !analysis->isGeneration()) return;
    const int total = analysis->generatedTokenCount();
    QString summary = total == 1 ? tr("1 new token: “%1”").arg(analysis->generatedText)
                                 : tr("%1 new tokens: “%2”").arg(total).arg(analysis->generatedText);
    if (!reason.isEmpty()) summary += QStringLiteral(" — ") + reason;
    controls_->setSummary(summary);
}

}  // namespace attnscope::ui
