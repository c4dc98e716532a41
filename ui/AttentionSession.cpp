#include "AttentionSession.h"

#include <QDir>
#include <QFile>

#include "Analysis.h"
#include "AttentionFileAnalysis.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

AttentionSession::AttentionSession(QObject* parent) : QObject(parent) {
    connect(&runner_, &JobRunner::progress, this, &AttentionSession::progress);
    connect(&runner_, &JobRunner::finished, this, &AttentionSession::onJobFinished);
}

AttentionSession::~AttentionSession() = default;

void AttentionSession::openModel(const QString& folder) {
    pendingOpen_ = folder;
    pendingAttentionFile_.reset();
    if (runner_.isRunning()) runner_.cancel();  // an older open or analysis is no longer wanted
    else startNext();
}

void AttentionSession::openAttentionFile(const QString& path) {
    pendingAttentionFile_ = path;
    pendingOpen_.reset();
    pendingAnalysis_.reset();  // no model to analyse with once the file is shown
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
    if (!runner_.isRunning()) startNext();
    else if (activity_ == Activity::Analyzing) runner_.cancel();  // an opening model finishes first
}

void AttentionSession::cancel() {
    pendingOpen_.reset();
    pendingAttentionFile_.reset();
    pendingAnalysis_.reset();
    runner_.cancel();
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
    } else {
        pendingAnalysis_.reset();  // nothing to analyse with until a model opens
        setActivity(Activity::Idle);
    }
}

void AttentionSession::startOpening(const QString& folder) {
    const std::filesystem::path path = QFile::encodeName(QDir::cleanPath(folder)).toStdString();
    runner_.start([this, path, folder](const JobRunner::Context& context) -> JobRunner::Delivery {
        std::shared_ptr<const Checkpoint> opened = Checkpoint::open(path);
        if (context.cancel) return {};
        return [this, opened, folder] {
            checkpoint_ = opened;
            modelFolder_ = QDir::cleanPath(folder);
            attentionFile_.clear();
            analysis_.reset();
            emit modelChanged();
            emit analysisChanged();
        };
    });
    setActivity(Activity::OpeningModel);
    emit progress(0, 0);
}

void AttentionSession::startReading(const QString& attentionFile) {
    runner_.start([this, attentionFile](const JobRunner::Context& context) -> JobRunner::Delivery {
        std::shared_ptr<const Analysis> analysis = analysisFromAttentionFile(attentionFile);
        if (context.cancel) return {};
        return [this, analysis, attentionFile] {
            checkpoint_.reset();
            modelFolder_.clear();
            attentionFile_ = QDir::cleanPath(attentionFile);
            analysis_ = analysis;
            emit modelChanged();
            emit analysisChanged();
        };
    });
    setActivity(Activity::OpeningAttentionFile);
    emit progress(0, 0);
}

void AttentionSession::startAnalysis(const AnalysisRequest& request) {
    std::shared_ptr<const Checkpoint> checkpoint = checkpoint_;  // kept alive even if another model opens meanwhile
    runner_.start([this, checkpoint, request](const JobRunner::Context& context) -> JobRunner::Delivery {
        std::shared_ptr<const Analysis> analysis = computeAnalysis(*checkpoint, request, context.progress, &context.cancel);
        if (!analysis) return {};
        return [this, analysis] {
            analysis_ = analysis;
            emit analysisChanged();
        };
    });
    setActivity(Activity::Analyzing);
    emit progress(0, 0);
}

void AttentionSession::onJobFinished(JobRunner::Outcome outcome, const QString& message) {
    const Activity finishedActivity = activity_;
    if (outcome == JobRunner::Outcome::Failed) emit failed(finishedActivity, message);
    // A job cancelled to make way for a queued request is not news; a user's Cancel is.
    if (outcome == JobRunner::Outcome::Cancelled && !pendingOpen_ && !pendingAttentionFile_ && !pendingAnalysis_) emit cancelled();
    startNext();
}

void AttentionSession::setActivity(Activity activity) {
    if (activity == activity_) return;
    activity_ = activity;
    emit activityChanged(activity);
}

}  // namespace attnscope::ui
