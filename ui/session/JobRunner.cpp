#include "JobRunner.h"

#include <QThread>

#include <exception>
#include <mutex>

#include "Error.h"

namespace attnscope::ui {

struct JobRunner::Result {
    Delivery delivery;
    QString error;
    // The newest published partial result not yet run on the GUI thread.
    std::mutex publishedMutex;
    Delivery published;
};

JobRunner::JobRunner(QObject* parent) : QObject(parent) {}

JobRunner::~JobRunner() {
    if (!thread_) return;
    cancel_ = true;
    thread_->wait();  // the job reads cancel_ and posts to this object: it must end first
    delete thread_;
}

bool JobRunner::start(Job job) {
    if (thread_) return false;
    cancel_ = false;
    const quint64 generation = ++generation_;
    auto result = std::make_shared<Result>();
    thread_ = QThread::create([this, job = std::move(job), result, generation] {
        const Context context{cancel_, [this, generation](int done, int total) {
                                  QMetaObject::invokeMethod(
                                      this,
                                      [this, generation, done, total] {
                                          if (generation == generation_) emit progress(done, total);
                                      },
                                      Qt::QueuedConnection);
                              },
                              [this, generation, result](Delivery partial) {
                                  bool wasEmpty = false;
                                  {
                                      const std::lock_guard lock(result->publishedMutex);
                                      wasEmpty = !result->published;
                                      result->published = std::move(partial);
                                  }
                                  // One queued call per batch: it takes whatever is newest then.
                                  if (wasEmpty)
                                      QMetaObject::invokeMethod(
                                          this, [this, generation, result] { runPublished(generation, *result); },
                                          Qt::QueuedConnection);
                              }};
        // Engine errors carry a message meant for the user; anything else is a bug, but
        // must still not take the app down with it.
        try {
            result->delivery = job(context);
        } catch (const attnscope::Error& e) {
            result->error = QString::fromStdString(e.what());
        } catch (const std::bad_alloc&) {
            result->error = tr("Not enough memory for this model and text.");
        } catch (const std::exception& e) {
            result->error = tr("Unexpected error: %1").arg(QString::fromStdString(e.what()));
        } catch (...) {
            result->error = tr("Unexpected error.");
        }
    });
    thread_->setObjectName(QStringLiteral("attnscope-job"));
    connect(thread_, &QThread::finished, this, [this, result] { onThreadFinished(result); }, Qt::QueuedConnection);
    thread_->start();
    return true;
}

void JobRunner::cancel() {
    if (thread_) cancel_ = true;
}

void JobRunner::runPublished(quint64 generation, Result& result) {
    Delivery partial;
    {
        const std::lock_guard lock(result.publishedMutex);
        partial = std::exchange(result.published, nullptr);
    }
    if (partial && generation == generation_ && !cancel_) partial();
}

void JobRunner::onThreadFinished(const std::shared_ptr<Result>& result) {
    runPublished(generation_, *result);  // a partial result still waiting comes before the end
    thread_->wait();
    thread_->deleteLater();
    thread_ = nullptr;  // idle from here on, so a delivery or a finished handler may start the next job
    if (cancel_) {
        emit finished(Outcome::Cancelled, {});
    } else if (!result->error.isEmpty()) {
        emit finished(Outcome::Failed, result->error);
    } else if (!result->delivery) {
        emit finished(Outcome::Cancelled, {});
    } else {
        result->delivery();
        emit finished(Outcome::Done, {});
    }
}

}  // namespace attnscope::ui
