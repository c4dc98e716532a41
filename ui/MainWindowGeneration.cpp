// The window's prediction actions: generating from a causal language model, and masking a
// token of a masked one.
#include <QAction>
#include <QMenuBar>
#include <QPushButton>
#include <QStatusBar>

#include "Analysis.h"
#include "GenerationControls.h"
#include "MainWindow.h"
#include "TextInputBar.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

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

void MainWindow::buildPredictMenu() {
    QMenu* predict = menuBar()->addMenu(tr("&Predict"));
    QAction* generate = predict->addAction(tr("&Generate"), this, &MainWindow::generate);
    generate->setObjectName(QStringLiteral("generateAction"));
    generate->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    QAction* step = predict->addAction(tr("&Step One Token"), this, &MainWindow::stepGeneration);
    step->setObjectName(QStringLiteral("stepAction"));
    step->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    QAction* animate = predict->addAction(tr("&Animate Generation"));
    animate->setObjectName(QStringLiteral("animateAction"));
    animate->setCheckable(true);
    animate->setToolTip(tr("Hold each new token on screen for a moment so a room can follow it"));
    connect(animate, &QAction::toggled, generationControls_, &GenerationControls::setAnimate);
    connect(generationControls_, &GenerationControls::animateChanged, animate, &QAction::setChecked);
    predict->addSeparator();
    QAction* mask = predict->addAction(tr("&Mask or Unmask the Selected Token"), this, &MainWindow::toggleMaskAtSelection);
    mask->setObjectName(QStringLiteral("maskAction"));
    mask->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
}

void MainWindow::adaptGenerationToModel() {
    const auto checkpoint = session_.checkpoint();
    const bool can = checkpoint && checkpoint->model().canGenerate();
    generationControls_->setAvailable(can);
    generationControls_->setSummary({});
}

void MainWindow::generate() { generateTokens(generationControls_->maxNewTokens()); }

void MainWindow::stepGeneration() { generateTokens(1); }

void MainWindow::generateTokens(int count) {
    const auto checkpoint = session_.checkpoint();
    if (!checkpoint || !checkpoint->model().canGenerate()) {
        statusBar()->showMessage(tr("Open a causal language model (GPT-2, Llama, …) to generate text"), 4000);
        return;
    }
    if (session_.activity() == AttentionSession::Activity::Generating) return;  // Stop comes first
    GenerationRequest request;
    request.prompt = inputBar_->text();
    request.sampling = generationControls_->sampling();
    request.maxNewTokens = count;
    request.paceMs = generationControls_->paceMs();
    session_.generate(request);
}

void MainWindow::onGenerationFinished(GenerationRun::Stop why, int newTokens) {
    const QString reason = stopReason(why);
    if (newTokens == 0) statusBar()->showMessage(tr("No token generated: %1").arg(reason.isEmpty() ? tr("nothing was asked") : reason), 5000);
    else statusBar()->showMessage(newTokens == 1 ? tr("Generated 1 token") : tr("Generated %1 tokens").arg(newTokens), 3000);
    const auto analysis = session_.analysis();
    if (!analysis || !analysis->isGeneration()) return;
    const int total = static_cast<int>(analysis->encoding.size()) - analysis->promptLength;
    QString summary = total == 1 ? tr("1 new token: “%1”").arg(analysis->generatedText)
                                 : tr("%1 new tokens: “%2”").arg(total).arg(analysis->generatedText);
    if (!reason.isEmpty()) summary += QStringLiteral(" — ") + reason;
    generationControls_->setSummary(summary);
}

void MainWindow::toggleMaskAtSelection() {
    const auto analysis = session_.analysis();
    if (!analysis || analysis->tokenPredictionKind != Analysis::TokenPredictionKind::MaskedToken || !session_.checkpoint()) {
        statusBar()->showMessage(tr("Masking is for masked language models (BERT, RoBERTa, DistilBERT)"), 4000);
        return;
    }
    const int query = selection_.selectedQuery();
    if (query < 0 || query >= analysis->tokenCount()) return;
    if (analysis->isSpecial(query) && !analysis->maskedTokens.contains(query)) {
        statusBar()->showMessage(tr("“%1” is a special token; select an ordinary one to mask").arg(analysis->tokenLabels.value(query)), 4000);
        return;
    }
    AnalysisRequest request;
    request.text = analysis->text;  // the analysed text, whose token positions these are
    request.pair = analysis->pair;
    for (auto it = analysis->maskedTokens.constBegin(); it != analysis->maskedTokens.constEnd(); ++it)
        if (it.key() != query) request.maskedPositions.push_back(it.key());
    if (!analysis->maskedTokens.contains(query)) request.maskedPositions.push_back(query);
    session_.analyzeRequest(request);
}

}  // namespace attnscope::ui
