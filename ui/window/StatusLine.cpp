#include "StatusLine.h"

#include <QFileInfo>
#include <QLabel>
#include <QStatusBar>

#include "Analysis.h"
#include "AttentionSelection.h"
#include "AttentionSession.h"
#include "HeatmapView.h"
#include "JobProgress.h"
#include "ModelNotes.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

namespace {

// "0 99.9% · 2 0.1% · 1 0.0%"
QString predictionText(const std::vector<ClassPrediction>& predictions) {
    QStringList parts;
    for (const ClassPrediction& p : predictions)
        parts << QStringLiteral("%1 %2%").arg(p.label, QString::number(p.probability * 100.0, 'f', 1));
    return parts.join(QStringLiteral(" · "));
}

// Spelled out rather than tr("%n layer(s)"): without a translator loaded Qt prints the "(s)".
QString count(int n, const QString& one, const QString& many) { return n == 1 ? one : many.arg(n); }

// The input's tokens: an image's patches, an encoder-decoder's source and target, a text's.
QStringList tokenCounts(const Analysis& analysis) {
    const int tokens = analysis.tokenCount();
    if (analysis.hasImage()) return {QObject::tr("%1 tokens (%2 patches)").arg(tokens).arg(analysis.patches().count())};
    if (analysis.record.sequences.size() < 2) return {count(tokens, QObject::tr("1 token"), QObject::tr("%1 tokens"))};
    const int targets = analysis.record.sequences[1].size();
    return {QObject::tr("%1 source tokens").arg(tokens), count(targets, QObject::tr("1 target token"), QObject::tr("%1 target tokens"))};
}

}  // namespace

StatusLine::StatusLine(QStatusBar* bar, AttentionSession* session, AttentionSelection* selection, HeatmapView* matrix)
    : QObject(bar), session_(session), selection_(selection), matrix_(matrix) {
    model_ = new QLabel(tr("No model open"), bar);
    model_->setObjectName(QStringLiteral("modelInfo"));
    progress_ = new JobProgress(bar);
    zoom_ = new QLabel(bar);
    zoom_->setObjectName(QStringLiteral("zoomInfo"));
    zoom_->setForegroundRole(QPalette::PlaceholderText);
    prediction_ = new QLabel(bar);
    prediction_->setObjectName(QStringLiteral("predictionInfo"));
    prediction_->setToolTip(tr("The classifier's five most probable classes for this input"));
    prediction_->setVisible(false);
    bar->addWidget(model_, 1);
    bar->addPermanentWidget(prediction_);
    bar->addPermanentWidget(zoom_);
    bar->addPermanentWidget(progress_);
    connect(progress_, &JobProgress::cancelRequested, session, &AttentionSession::cancel);
    connect(session, &AttentionSession::progress, progress_, &JobProgress::setProgress);
    connect(session, &AttentionSession::activityChanged, this, &StatusLine::showActivity);
}

void StatusLine::showActivity() {
    switch (session_->activity()) {
    case AttentionSession::Activity::Idle: progress_->setActivity({}); break;
    case AttentionSession::Activity::OpeningModel: progress_->setActivity(tr("Opening model…")); break;
    case AttentionSession::Activity::OpeningAttentionFile: progress_->setActivity(tr("Reading attention file…")); break;
    case AttentionSession::Activity::Analyzing: progress_->setActivity(tr("Computing attention…")); break;
    case AttentionSession::Activity::Generating: progress_->setActivity(tr("Generating…")); break;
    case AttentionSession::Activity::ComputingLens: progress_->setActivity(tr("Computing the logit lens…")); break;
    case AttentionSession::Activity::Attributing: progress_->setActivity(tr("Splitting the logit…")); break;
    case AttentionSession::Activity::SearchingHeads: progress_->setActivity(tr("Searching for the heads that flip it…")); break;
    case AttentionSession::Activity::OpeningHead: progress_->setActivity(tr("Opening the head…")); break;
    case AttentionSession::Activity::AnalyzingOther: progress_->setActivity(tr("Computing the input to compare with…")); break;
    }
}

void StatusLine::update() {
    const auto checkpoint = session_->checkpoint();
    const auto analysis = session_->analysis();
    prediction_->setText(analysis && !analysis->predictions.empty() ? tr("Prediction: %1").arg(predictionText(analysis->predictions)) : QString());
    prediction_->setVisible(!prediction_->text().isEmpty());
    if (!checkpoint && (session_->attentionFile().isEmpty() || !analysis)) {
        model_->setText(tr("No model open"));
        return;
    }
    // An attention file has no config: its first stack says how many layers and heads there are.
    const QString source = checkpoint ? QString::fromStdString(checkpoint->config().modelType)
                                      : tr("attention file %1").arg(QFileInfo(session_->attentionFile()).fileName());
    const int layers = checkpoint ? checkpoint->capabilities().stacks.front().layers : analysis->attention(0).layers;
    const int heads = checkpoint ? checkpoint->capabilities().stacks.front().heads : analysis->attention(0).heads;
    QStringList parts{source, count(layers, tr("1 layer"), tr("%1 layers")), count(heads, tr("1 head"), tr("%1 heads"))};
    if (analysis) {
        parts << tokenCounts(*analysis);
        const QStringList& queries = analysis->queryLabels(selection_->stack());
        const int query = selection_->selectedQuery();
        if (query >= 0 && query < queries.size()) parts.append(tr("query %1 “%2”").arg(query).arg(queries.value(query)));
        // A long input's attention is kept compact to fit memory: say so, since its values
        // are then good for the eye, not for the last digit.
        const AttentionStack& shown = analysis->attention(0);
        if (!shown.exact()) parts.append(tr("attention kept at %1 to fit memory").arg(QString::fromUtf8(precisionName(shown.precision()))));
    }
    if (checkpoint) {
        // What sets this model's attention apart: the selected layer's own note, then the model's.
        const ModelNotes notes = modelNotesOf(checkpoint->config());
        const QString layer = selection_->stack() == 0 && !selection_->rollout() ? notes.layer(selection_->layer()) : QString();
        if (!layer.isEmpty()) parts << tr("layer %1: %2").arg(selection_->layer()).arg(layer);
        if (!notes.scores.isEmpty()) parts << notes.scores;
    }
    model_->setText(parts.join(QStringLiteral("  ·  ")));
}

void StatusLine::updateZoom(bool matrixShown) {
    // A zoomed matrix shows no sign of what lies outside it: say where the window is.
    const QRect window = matrix_->visibleCells();
    const bool show = matrixShown && matrix_->isZoomed();
    zoom_->setText(show ? tr("Zoomed: queries %1–%2, keys %3–%4 of %5 · drag to pan, Ctrl+0 shows all")
                              .arg(window.top())
                              .arg(window.bottom())
                              .arg(window.left())
                              .arg(window.right())
                              .arg(matrix_->rows())
                        : QString());
    zoom_->setVisible(show);
}

}  // namespace attnscope::ui
