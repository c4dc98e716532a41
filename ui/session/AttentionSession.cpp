#include "AttentionSession.h"

#include <QDir>
#include <QFile>

#include "Analysis.h"
#include "AttentionFileAnalysis.h"
#include "analysis/InsideHead.h"
#include "analysis/LogitLens.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

namespace {

constexpr int kLensTopK = 5;  // per cell: the top token shows, the rest are its tooltip

}  // namespace

AttentionSession::AttentionSession(QObject* parent) : QObject(parent) {
    connect(&runner_, &JobRunner::progress, this, &AttentionSession::progress);
    connect(&runner_, &JobRunner::finished, this, &AttentionSession::onJobFinished);
}

AttentionSession::~AttentionSession() = default;

void AttentionSession::openModel(const QString& folder) {
    pendingOpen_ = folder;
    pendingAttentionFile_.reset();
    pendingGeneration_.reset();  // a generation belongs to the old model
    if (runner_.isRunning()) runner_.cancel();  // an older open or analysis is no longer wanted
    else startNext();
}

void AttentionSession::openAttentionFile(const QString& path) {
    pendingAttentionFile_ = path;
    pendingOpen_.reset();
    pendingAnalysis_.reset();  // no model to analyse with once the file is shown
    pendingGeneration_.reset();
    if (runner_.isRunning()) runner_.cancel();
    else startNext();
}

void AttentionSession::analyze(const QString& text, const QString& pair) {
    AnalysisRequest request;
    request.text = text;
    request.pair = pair;
    analyzeRequest(request);
}

void AttentionSession::analyzeWithTarget(const QString& source, const QString& target) {
    AnalysisRequest request;
    request.text = source;
    request.target = target;
    analyzeRequest(request);
}

void AttentionSession::analyzeImage(const QString& imageFile) {
    AnalysisRequest request;
    request.imageFile = imageFile;
    analyzeRequest(request);
}

void AttentionSession::analyzeRequest(const AnalysisRequest& request) {
    pendingAnalysis_ = request;
    pendingGeneration_.reset();
    if (!runner_.isRunning()) startNext();
    else if (activity_ == Activity::Analyzing) runner_.cancel();  // an opening model finishes first
    else if (activity_ == Activity::Generating) stopGenerating();
}

void AttentionSession::generate(const GenerationRequest& request) {
    pendingGeneration_ = request;
    pendingAnalysis_.reset();
    if (!runner_.isRunning()) startNext();
    else if (activity_ == Activity::Analyzing) runner_.cancel();
    else if (activity_ == Activity::Generating) stopGenerating();  // then this one continues it
}

void AttentionSession::dropPendingAnalysisWork() {
    pendingLens_ = false;
    pendingAttribution_.reset();
    pendingFlip_.reset();
    pendingInside_.reset();
}

void AttentionSession::cancel() {
    dropPendingAnalysisWork();
    pendingOther_.reset();
    pendingOpen_.reset();
    pendingAttentionFile_.reset();
    pendingAnalysis_.reset();
    pendingGeneration_.reset();
    if (activity_ == Activity::Generating) stopGenerating();
    else runner_.cancel();
}

bool AttentionSession::canComputeLens() const { return checkpoint_ && hasLogitLens(checkpoint_->model()); }

bool AttentionSession::canAblate() const { return checkpoint_ != nullptr; }

void AttentionSession::setAblation(const HeadAblation& ablation) {
    if (!canAblate() || ablation == ablation_) return;
    ablation_ = ablation;
    emit ablationChanged();
    if (analysis_ && !analysis_->isGeneration()) analyzeRequest(requestOf(*analysis_));
}

void AttentionSession::compareWithInput(const AnalysisRequest& request) {
    if (!checkpoint_) return;
    pendingOther_ = request;
    if (!runner_.isRunning()) startNext();
}

void AttentionSession::compareWithCurrent() {
    if (analysis_ && analysis_ != otherInput_) setOtherInput(analysis_);
}

void AttentionSession::clearOtherInput() {
    pendingOther_.reset();
    if (otherInput_) setOtherInput(nullptr);
}

void AttentionSession::setOtherInput(std::shared_ptr<const Analysis> other) {
    otherInput_ = std::move(other);
    emit otherInputChanged();
}

void AttentionSession::computeLens() {
    if (lens_ || !analysis_ || !canComputeLens()) return;
    pendingLens_ = true;
    if (!runner_.isRunning()) startNext();
}

bool AttentionSession::canAttribute() const { return checkpoint_ && checkpoint_->capabilities().head != HeadKind::None; }

void AttentionSession::computeAttribution(const AttributionTarget& target) {
    if (!analysis_ || !canAttribute() || analysis_->isGeneration()) return;
    if (attribution_ && attribution_->target == target) return;
    pendingAttribution_ = target;
    if (!runner_.isRunning()) startNext();
}

void AttentionSession::findFlippingHeads(int position) {
    if (!analysis_ || !canAttribute() || analysis_->isGeneration()) return;
    pendingFlip_ = position;
    if (!runner_.isRunning()) startNext();
}

bool AttentionSession::canOpenHead() const { return checkpoint_ && !checkpoint_->capabilities().hasDecoder(); }

void AttentionSession::computeInsideHead(int layer, int head, int query) {
    if (!analysis_ || !canOpenHead() || analysis_->isGeneration()) return;
    if (inside_ && inside_->layer == layer && inside_->head == head && inside_->query == query) return;
    pendingInside_ = std::array<int, 3>{layer, head, query};
    if (!runner_.isRunning()) startNext();
}

void AttentionSession::replaceAnalysis(std::shared_ptr<const Analysis> analysis) {
    analysis_ = std::move(analysis);
    lens_.reset();
    lensBefore_.reset();
    attribution_.reset();
    flip_.reset();
    inside_.reset();
    dropPendingAnalysisWork();  // asked for the old analysis
}

void AttentionSession::setAnalysis(std::shared_ptr<const Analysis> analysis) {
    replaceAnalysis(std::move(analysis));
    emit analysisChanged();
}

void AttentionSession::changeModel(std::shared_ptr<const Checkpoint> checkpoint, const QString& folder, const QString& attentionFile,
                                   std::shared_ptr<const Analysis> analysis) {
    checkpoint_ = std::move(checkpoint);
    modelFolder_ = folder;
    attentionFile_ = attentionFile;
    generation_.reset();
    pendingOther_.reset();
    const bool hadOther = otherInput_ != nullptr;
    otherInput_.reset();  // another model's input
    const bool hadAblation = !ablation_.empty();
    ablation_ = {};  // another model's heads
    replaceAnalysis(std::move(analysis));  // before modelChanged: the window reads the new state
    emit modelChanged();
    emit analysisChanged();
    if (hadAblation) emit ablationChanged();
    if (hadOther) emit otherInputChanged();
}

void AttentionSession::stopGenerating() {
    if (stopGeneration_) *stopGeneration_ = true;
}

void AttentionSession::startNext() {
    if (runner_.isRunning()) return;
    if (pendingOpen_) {
        const QString folder = *std::exchange(pendingOpen_, std::nullopt);
        startOpening(folder);
    } else if (pendingAttentionFile_) {
        startReading(*std::exchange(pendingAttentionFile_, std::nullopt));
    } else if (pendingAnalysis_ && checkpoint_) {
        const AnalysisRequest request = *std::exchange(pendingAnalysis_, std::nullopt);
        startAnalysis(request);
    } else if (pendingGeneration_ && checkpoint_) {
        startGeneration(*std::exchange(pendingGeneration_, std::nullopt));
    } else if (std::exchange(pendingLens_, false) && checkpoint_ && analysis_ && !lens_) {
        startLens();
    } else if (pendingAttribution_ && checkpoint_ && analysis_) {
        startAttribution(*std::exchange(pendingAttribution_, std::nullopt));
    } else if (pendingFlip_ && checkpoint_ && analysis_) {
        startFlipSearch(*std::exchange(pendingFlip_, std::nullopt));
    } else if (pendingOther_ && checkpoint_) {
        startOtherInput(*std::exchange(pendingOther_, std::nullopt));
    } else if (pendingInside_ && checkpoint_ && analysis_) {
        const auto [layer, head, query] = *std::exchange(pendingInside_, std::nullopt);
        startInsideHead(layer, head, query);
    } else {
        pendingAnalysis_.reset();  // nothing to analyse with until a model opens
        pendingGeneration_.reset();
        setActivity(Activity::Idle);
    }
}

void AttentionSession::startOpening(const QString& folder) {
    const std::filesystem::path path = QFile::encodeName(QDir::cleanPath(folder)).toStdString();
    runner_.start([this, path, folder](const JobRunner::Context& context) -> JobRunner::Delivery {
        std::shared_ptr<const Checkpoint> opened = Checkpoint::open(path);
        if (context.cancel) return {};
        return [this, opened, folder] { changeModel(opened, QDir::cleanPath(folder), {}, nullptr); };
    });
    setActivity(Activity::OpeningModel);
    emit progress(0, 0);
}

void AttentionSession::startReading(const QString& attentionFile) {
    runner_.start([this, attentionFile](const JobRunner::Context& context) -> JobRunner::Delivery {
        std::shared_ptr<const Analysis> analysis = analysisFromAttentionFile(attentionFile);
        if (context.cancel) return {};
        return [this, analysis, attentionFile] { changeModel(nullptr, {}, QDir::cleanPath(attentionFile), analysis); };
    });
    setActivity(Activity::OpeningAttentionFile);
    emit progress(0, 0);
}

void AttentionSession::startAnalysis(const AnalysisRequest& given) {
    std::shared_ptr<const Checkpoint> checkpoint = checkpoint_;  // kept alive even if another model opens meanwhile
    AnalysisRequest request = given;
    request.ablation = canAblate() ? ablation_ : HeadAblation{};
    runner_.start([this, checkpoint, request](const JobRunner::Context& context) -> JobRunner::Delivery {
        std::shared_ptr<const Analysis> analysis = computeAnalysis(*checkpoint, request, context.progress, &context.cancel);
        if (!analysis) return {};
        return [this, analysis] { setAnalysis(analysis); };
    });
    setActivity(Activity::Analyzing);
    emit progress(0, 0);
}

void AttentionSession::startOtherInput(const AnalysisRequest& given) {
    std::shared_ptr<const Checkpoint> checkpoint = checkpoint_;
    AnalysisRequest request = given;
    request.ablation = canAblate() ? ablation_ : HeadAblation{};
    runner_.start([this, checkpoint, request](const JobRunner::Context& context) -> JobRunner::Delivery {
        std::shared_ptr<const Analysis> other = computeAnalysis(*checkpoint, request, context.progress, &context.cancel);
        if (!other) return {};
        return [this, checkpoint, other] {
            if (checkpoint_ == checkpoint) setOtherInput(other);  // else another model opened meanwhile
        };
    });
    setActivity(Activity::AnalyzingOther);
    emit progress(0, 0);
}

void AttentionSession::startGeneration(const GenerationRequest& request) {
    // Continue the generation on screen when it grew from this prompt; start afresh otherwise.
    std::shared_ptr<GenerationRun> run;
    if (generation_ && analysis_ && analysis_->isGeneration() && &generation_->checkpoint() == checkpoint_.get() &&
        generation_->prompt() == request.prompt && generation_->target() == request.target && generation_->imageFile() == request.imageFile &&
        analysis_->predictedTokens().ids == generation_->ids())
        run = generation_;
    const std::shared_ptr<const Checkpoint> checkpoint = checkpoint_;
    auto stop = std::make_shared<std::atomic<bool>>(false);
    stopGeneration_ = stop;
    runner_.start([this, checkpoint, run, request, stop](const JobRunner::Context& context) -> JobRunner::Delivery {
        const std::shared_ptr<GenerationRun> current = run ? run : std::make_shared<GenerationRun>(checkpoint, request.prompt, request.sampling, request.target, request.imageFile);
        if (!(current->sampling() == request.sampling)) current->setSampling(request.sampling);
        const std::size_t before = current->ids().size();
        const auto show = [this, &context, current](std::shared_ptr<const Analysis> snapshot) {
            context.publish([this, current, snapshot] {
                generation_ = current;
                setAnalysis(snapshot);
            });
        };
        const GenerationRun::Stop why = current->run(
            request.maxNewTokens, request.paceMs, show, [&context, stop] { return context.cancel || *stop; }, context.progress);
        if (context.cancel) return {};
        const int made = static_cast<int>(current->ids().size() - before);
        return [this, current, why, made] {
            generation_ = current;
            emit generationFinished(why, made);
        };
    });
    setActivity(Activity::Generating);
    emit progress(0, request.maxNewTokens);
}

void AttentionSession::startLens() {
    const std::shared_ptr<const Checkpoint> checkpoint = checkpoint_;
    const std::shared_ptr<const Analysis> analysis = analysis_;
    runner_.start([this, checkpoint, analysis](const JobRunner::Context& context) -> JobRunner::Delivery {
        std::optional<LogitLens> lens = computeLogitLens(*checkpoint, analysis->input, kLensTopK, context.progress, &context.cancel);
        if (!lens) return {};
        auto shared = std::make_shared<const LogitLens>(std::move(*lens));
        // With heads switched off, the lens with every head on too: before and after.
        std::shared_ptr<const LogitLens> before;
        if (!analysis->input.ablation.empty()) {
            ForwardInput plain = analysis->input;
            plain.ablation = {};
            std::optional<LogitLens> all = computeLogitLens(*checkpoint, plain, kLensTopK, {}, &context.cancel);
            if (!all) return {};
            before = std::make_shared<const LogitLens>(std::move(*all));
        }
        return [this, analysis, shared, before] {
            if (analysis_ != analysis) return;  // another analysis came meanwhile
            lens_ = shared;
            lensBefore_ = before;
            emit lensChanged();
        };
    });
    setActivity(Activity::ComputingLens);
    emit progress(0, 0);
}

template <typename Compute, typename Keep>
void AttentionSession::startOnAnalysis(Activity activity, Compute compute, Keep keep) {
    const std::shared_ptr<const Checkpoint> checkpoint = checkpoint_;
    const std::shared_ptr<const Analysis> analysis = analysis_;
    runner_.start([this, checkpoint, analysis, compute, keep](const JobRunner::Context& context) -> JobRunner::Delivery {
        auto result = compute(*checkpoint, analysis->input, context);
        if (!result) return {};
        auto shared = std::make_shared<const typename decltype(result)::value_type>(std::move(*result));
        return [this, analysis, shared, keep] {
            if (analysis_ == analysis) keep(shared);  // else another analysis came meanwhile
        };
    });
    setActivity(activity);
    emit progress(0, 0);
}

void AttentionSession::startAttribution(const AttributionTarget& target) {
    startOnAnalysis(
        Activity::Attributing,
        [target](const Checkpoint& checkpoint, const ForwardInput& input, const JobRunner::Context& context) {
            return attributeLogit(checkpoint.model(), input, target, &context.cancel);
        },
        [this](std::shared_ptr<const LogitAttribution> a) {
            attribution_ = std::move(a);
            emit attributionChanged();
        });
}

void AttentionSession::startFlipSearch(int position) {
    startOnAnalysis(
        Activity::SearchingHeads,
        [position, mode = ablation_.mode](const Checkpoint& checkpoint, const ForwardInput& input, const JobRunner::Context& context) {
            // At most one pass per head to find a set, one per head in it to prune it.
            const int most = 1 + 2 * checkpoint.config().layers * checkpoint.config().heads;
            return attnscope::findFlippingHeads(checkpoint.model(), input, position, mode, [&](int passes) { context.progress(passes, most); },
                                                &context.cancel);
        },
        [this](std::shared_ptr<const FlipSearch> found) {
            flip_ = std::move(found);
            emit flipSearchFinished();
        });
}

void AttentionSession::startInsideHead(int layer, int head, int query) {
    startOnAnalysis(
        Activity::OpeningHead,
        [layer, head, query](const Checkpoint& checkpoint, const ForwardInput& input, const JobRunner::Context& context) {
            return captureHead(checkpoint.model(), input, layer, head, query, &context.cancel);
        },
        [this](std::shared_ptr<const HeadCapture> captured) {
            inside_ = std::move(captured);
            emit insideHeadChanged();
        });
}

void AttentionSession::onJobFinished(JobRunner::Outcome outcome, const QString& message) {
    const Activity finishedActivity = activity_;
    if (outcome == JobRunner::Outcome::Failed) emit failed(finishedActivity, message);
    // A job cancelled to make way for a queued request is not news; a user's Cancel is.
    if (outcome == JobRunner::Outcome::Cancelled && !pendingOpen_ && !pendingAttentionFile_ && !pendingAnalysis_ && !pendingGeneration_)
        emit cancelled();
    stopGeneration_.reset();
    startNext();
}

void AttentionSession::setActivity(Activity activity) {
    if (activity == activity_) return;
    activity_ = activity;
    emit activityChanged(activity);
}

}  // namespace attnscope::ui
