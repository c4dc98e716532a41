#pragma once
#include <QObject>
#include <QString>

#include <array>
#include <memory>
#include <optional>

#include "AnalysisJob.h"
#include "GenerationRun.h"
#include "JobRunner.h"

#include "analysis/LogitAttribution.h"
#include "model/HeadCapture.h"

namespace attnscope {
class Checkpoint;
struct LogitLens;
}

namespace attnscope::ui {

struct Analysis;

// The open model and the latest analysis, and the only place the UI calls the engine.
// Opening, analysing and generating run on a JobRunner; requests made while busy are queued,
// the newest replacing older ones, and a running analysis gives way to any newer request
// (a generation stops after its current token and keeps what it made).
class AttentionSession : public QObject {
    Q_OBJECT
public:
    enum class Activity { Idle, OpeningModel, OpeningAttentionFile, Analyzing, Generating, ComputingLens, Attributing, SearchingHeads, OpeningHead, AnalyzingOther };
    Q_ENUM(Activity)

    explicit AttentionSession(QObject* parent = nullptr);
    ~AttentionSession() override;

    // Null while an attention file is shown: there is then no model to compute with.
    std::shared_ptr<const Checkpoint> checkpoint() const { return checkpoint_; }
    QString modelFolder() const { return modelFolder_; }
    // The attention file shown instead of a model's computation; empty when a model is open.
    QString attentionFile() const { return attentionFile_; }
    std::shared_ptr<const Analysis> analysis() const { return analysis_; }
    // The logit lens of the current analysis, once computeLens() made it; null otherwise.
    std::shared_ptr<const LogitLens> lens() const { return lens_; }
    // With heads switched off: the lens of the same input with every head on, made with lens()
    // (null otherwise), for before and after side by side.
    std::shared_ptr<const LogitLens> lensBefore() const { return lensBefore_; }
    // Whether the open model has a logit lens: a single-stack text model with an output head.
    bool canComputeLens() const;
    // Direct logit attribution of the current analysis, once computeAttribution() made it (null
    // otherwise), and whether the open model has one (a model with a head; an encoder-decoder's
    // is its decoder's, with the cross-attention heads apart).
    std::shared_ptr<const LogitAttribution> attribution() const { return attribution_; }
    bool canAttribute() const;
    // Whether one head of the open model can be opened up (a single-stack model).
    bool canOpenHead() const;
    // One head's numbers at one query of the current analysis, once computeInsideHead() made
    // them (null otherwise).
    std::shared_ptr<const HeadCapture> insideHead() const { return inside_; }
    // The last flip search of the current analysis (null: none yet).
    std::shared_ptr<const FlipSearch> flipSearch() const { return flip_; }
    // Heads switched off in every analysis of the open model (cleared when another opens), and
    // whether the open model allows it (a single-stack model; not an attention file).
    const HeadAblation& ablation() const { return ablation_; }
    bool canAblate() const;
    // The input the views compare with (AttentionQuery::compare with Input): another text or
    // image run through the same model, kept while other inputs are analysed and dropped with
    // the model. Null: none.
    std::shared_ptr<const Analysis> otherInput() const { return otherInput_; }
    Activity activity() const { return activity_; }
    bool isBusy() const { return activity_ != Activity::Idle; }

public slots:
    void openModel(const QString& folder);
    // Shows the attention a model computed elsewhere (core/io/AttentionFile.h); closes the
    // open model, as modelChanged() says.
    void openAttentionFile(const QString& path);
    // A text model: an empty pair means a single segment.
    void analyze(const QString& text, const QString& pair = {});
    // An encoder-decoder (T5): the source, and the target the decoder is teacher-forced with
    // (empty: the decoder start token alone).
    void analyzeWithTarget(const QString& source, const QString& target);
    // A vision model: an image file, decoded and preprocessed in the job.
    void analyzeImage(const QString& imageFile);
    // Any of the above; the job refuses input the open model cannot take.
    void analyzeRequest(const attnscope::ui::AnalysisRequest& request);
    // A causal language model: generates request.maxNewTokens more tokens, each shown as it
    // comes (analysisChanged, the analysis's isGeneration() true). It continues the
    // generation shown when that one grew from the same prompt; otherwise it starts afresh
    // from request.prompt. New sampling settings apply from the next token on.
    void generate(const attnscope::ui::GenerationRequest& request);
    // The logit lens of the current analysis (lensChanged once it is there); queued behind a
    // running job, dropped when the analysis changes first. Does nothing once it is there.
    void computeLens();
    // The attribution of `target` in the current analysis (attributionChanged once it is there);
    // queued behind a running job, dropped when the analysis changes first. Nothing happens when
    // the one shown already has this target.
    void computeAttribution(const attnscope::AttributionTarget& target);
    // The fewest heads found whose ablation changes the top prediction at `position` of the
    // current analysis, with every head on (flipSearchFinished once found).
    void findFlippingHeads(int position);
    // The numbers inside `head` of `layer` at `query` of the current analysis (insideHeadChanged
    // once they are there); nothing happens when those are the ones kept.
    void computeInsideHead(int layer, int head, int query);
    // Switches these heads off (an empty set: every head on) and analyses the input shown again
    // under it. Generations run with every head on.
    void setAblation(const attnscope::HeadAblation& ablation);
    // The input to compare with: `request` run through the model in a job (the heads switched
    // off now are off in it too), or the analysis shown now, or none.
    void compareWithInput(const attnscope::ui::AnalysisRequest& request);
    void compareWithCurrent();
    void clearOtherInput();
    // Stops the running job and drops queued requests; a generation stops after its current
    // token, keeping (and showing) what it made.
    void cancel();

signals:
    void modelChanged();     // the previous analysis is dropped with the old model
    void analysisChanged();  // the lens, which belongs to the analysis, goes with it
    void lensChanged();
    void attributionChanged();
    void flipSearchFinished();
    void insideHeadChanged();
    void ablationChanged();
    void otherInputChanged();
    void activityChanged(attnscope::ui::AttentionSession::Activity activity);
    // done/total layers; total 0 means "no measure yet" (tokenizing, reading weights).
    void progress(int done, int total);
    void failed(attnscope::ui::AttentionSession::Activity activity, const QString& message);
    void cancelled();
    // A generation ended: why, and how many tokens it added.
    void generationFinished(attnscope::ui::GenerationRun::Stop why, int newTokens);

private:
    void startNext();
    void startOpening(const QString& folder);
    void startReading(const QString& attentionFile);
    void startAnalysis(const AnalysisRequest& request);
    void startGeneration(const GenerationRequest& request);
    void startLens();
    void startAttribution(const AttributionTarget& target);
    void startFlipSearch(int position);
    void startInsideHead(int layer, int head, int query);
    void startOtherInput(const AnalysisRequest& request);
    void setOtherInput(std::shared_ptr<const Analysis> other);
    // A job on the current analysis: `compute(checkpoint, its input, context)` gives an optional
    // result (empty when cancelled); `keep` takes it, shared, on the GUI thread unless another
    // analysis came meanwhile.
    template <typename Compute, typename Keep>
    void startOnAnalysis(Activity activity, Compute compute, Keep keep);
    // Drops the lens, attribution, flip search and head asked for: they belong to one analysis.
    void dropPendingAnalysisWork();
    // Shows a new analysis; its old lens goes.
    void setAnalysis(std::shared_ptr<const Analysis> analysis);
    void replaceAnalysis(std::shared_ptr<const Analysis> analysis);  // the same without the signal
    // A model opened (with no analysis yet) or an attention file shown (no model).
    void changeModel(std::shared_ptr<const Checkpoint> checkpoint, const QString& folder, const QString& attentionFile,
                     std::shared_ptr<const Analysis> analysis);
    // Asks a running generation to stop after its current token.
    void stopGenerating();
    void onJobFinished(JobRunner::Outcome outcome, const QString& message);
    void setActivity(Activity activity);

    JobRunner runner_;
    Activity activity_ = Activity::Idle;
    std::optional<QString> pendingOpen_;
    std::optional<QString> pendingAttentionFile_;
    std::optional<AnalysisRequest> pendingAnalysis_;
    std::optional<GenerationRequest> pendingGeneration_;
    bool pendingLens_ = false;
    std::optional<AttributionTarget> pendingAttribution_;
    std::optional<int> pendingFlip_;
    std::optional<std::array<int, 3>> pendingInside_;  // layer, head, query
    std::optional<AnalysisRequest> pendingOther_;
    std::shared_ptr<const Checkpoint> checkpoint_;
    QString modelFolder_;
    QString attentionFile_;
    std::shared_ptr<const Analysis> analysis_;
    std::shared_ptr<const Analysis> otherInput_;
    std::shared_ptr<const LogitLens> lens_;
    std::shared_ptr<const LogitLens> lensBefore_;
    std::shared_ptr<const LogitAttribution> attribution_;
    std::shared_ptr<const FlipSearch> flip_;
    std::shared_ptr<const HeadCapture> inside_;
    HeadAblation ablation_;
    // The generation last shown, kept with its cache so Generate and Step can continue it;
    // used by one job at a time, and from the GUI thread only while no job runs.
    std::shared_ptr<GenerationRun> generation_;
    std::shared_ptr<std::atomic<bool>> stopGeneration_;
};

}  // namespace attnscope::ui
