#pragma once
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace attnscope::ui {

// Runs one job at a time on a worker thread so the GUI never waits on the engine.
// The job polls `cancel`, reports progress (marshalled to the GUI thread as the
// progress signal), may hand over partial results as it goes (publish), and returns the
// code that hands its result over on the GUI thread.
class JobRunner : public QObject {
    Q_OBJECT
public:
    // Runs on the GUI thread with the job's result; an empty one means "cancelled".
    using Delivery = std::function<void()>;
    struct Context {
        const std::atomic<bool>& cancel;
        std::function<void(int done, int total)> progress;
        // Hands a partial result to the GUI thread. Only the newest waiting one runs: a job
        // faster than the GUI (a small model generating) skips states rather than piling
        // them up. Dropped once the job is cancelled; all run before the final delivery.
        std::function<void(Delivery)> publish;
    };
    using Job = std::function<Delivery(const Context&)>;

    enum class Outcome { Done, Cancelled, Failed };
    Q_ENUM(Outcome)

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;  // cancels the running job and waits for it

    bool isRunning() const { return thread_ != nullptr; }
    // Starts `job` unless one is running (then returns false).
    bool start(Job job);
    // Asks the running job to stop; its result, if it still comes, is dropped.
    void cancel();

signals:
    void progress(int done, int total);
    // After a Done job's delivery has run; `message` says why a job Failed.
    void finished(attnscope::ui::JobRunner::Outcome outcome, const QString& message);

private:
    struct Result;
    void onThreadFinished(const std::shared_ptr<Result>& result);
    void runPublished(quint64 generation, Result& result);

    QThread* thread_ = nullptr;
    std::atomic<bool> cancel_{false};
    quint64 generation_ = 0;  // drops progress queued by an earlier job
};

}  // namespace attnscope::ui
