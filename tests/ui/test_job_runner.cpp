// JobRunner: work runs off the GUI thread, results and progress arrive on it, cancel and
// engine errors end a job cleanly.
#include <QtTest>

#include <atomic>
#include <chrono>
#include <thread>

#include "Error.h"
#include "JobRunner.h"

using attnscope::ui::JobRunner;

namespace {

JobRunner::Delivery waitForCancel(const JobRunner::Context& context) {
    while (!context.cancel) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return {};
}

}  // namespace

class TestJobRunner : public QObject {
    Q_OBJECT
private slots:
    void runsOffTheGuiThreadAndDeliversOnIt();
    void cancelStopsTheJob();
    void engineErrorsBecomeFailures();
    void runsOneJobAtATime();
    void destructionCancelsAndWaits();
    void publishedResultsArriveInOrderBeforeTheEnd();
    void publishingFasterThanTheGuiKeepsTheNewest();
    void publishedResultsStopAtCancel();
};

void TestJobRunner::runsOffTheGuiThreadAndDeliversOnIt() {
    JobRunner runner;
    QSignalSpy progress(&runner, &JobRunner::progress);
    QSignalSpy finished(&runner, &JobRunner::finished);
    QThread* const gui = QThread::currentThread();
    QThread* worker = nullptr;
    QThread* deliveredOn = nullptr;
    QVERIFY(runner.start([&](const JobRunner::Context& context) -> JobRunner::Delivery {
        worker = QThread::currentThread();
        context.progress(1, 2);
        context.progress(2, 2);
        return [&] { deliveredOn = QThread::currentThread(); };
    }));
    QVERIFY(runner.isRunning());
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(0).value<JobRunner::Outcome>(), JobRunner::Outcome::Done);
    QVERIFY(worker && worker != gui);
    QCOMPARE(deliveredOn, gui);
    QCOMPARE(progress.count(), 2);
    QCOMPARE(progress.last().at(0).toInt(), 2);
    QCOMPARE(progress.last().at(1).toInt(), 2);
    QVERIFY(!runner.isRunning());
}

void TestJobRunner::cancelStopsTheJob() {
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    QVERIFY(runner.start(waitForCancel));
    QTest::qWait(20);
    QVERIFY(runner.isRunning());
    runner.cancel();
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(0).value<JobRunner::Outcome>(), JobRunner::Outcome::Cancelled);
    QVERIFY(!runner.isRunning());
}

void TestJobRunner::engineErrorsBecomeFailures() {
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    runner.start([](const JobRunner::Context&) -> JobRunner::Delivery { throw attnscope::Error("config.json: missing \"model_type\""); });
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(0).value<JobRunner::Outcome>(), JobRunner::Outcome::Failed);
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("config.json: missing \"model_type\""));

    // The runner is usable again after a failure.
    bool delivered = false;
    runner.start([&](const JobRunner::Context&) -> JobRunner::Delivery { return [&] { delivered = true; }; });
    QTRY_COMPARE(finished.count(), 2);
    QVERIFY(delivered);
}

void TestJobRunner::runsOneJobAtATime() {
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    QVERIFY(runner.start(waitForCancel));
    QVERIFY(!runner.start(waitForCancel));
    runner.cancel();
    QTRY_COMPARE(finished.count(), 1);
}

void TestJobRunner::destructionCancelsAndWaits() {
    auto runner = std::make_unique<JobRunner>();
    std::atomic<bool> started{false}, finished{false};
    runner->start([&](const JobRunner::Context& context) -> JobRunner::Delivery {
        started = true;
        waitForCancel(context);
        finished = true;
        return {};
    });
    QVERIFY(QTest::qWaitFor([&] { return started.load(); }, 60000));
    QVERIFY(!finished);
    runner.reset();  // must return: the job sees the cancel flag ...
    QVERIFY(finished);  // ... and the runner waited for it to end
}

void TestJobRunner::publishedResultsArriveInOrderBeforeTheEnd() {
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    std::vector<int> seen;
    QThread* const gui = QThread::currentThread();
    bool allOnGui = true;
    std::atomic<int> shown{0};
    runner.start([&](const JobRunner::Context& context) -> JobRunner::Delivery {
        for (int i = 1; i <= 3; ++i) {
            context.publish([&, i] {
                allOnGui = allOnGui && QThread::currentThread() == gui;
                seen.push_back(i);
                shown = i;
            });
            // The GUI keeps up: the next result is published once this one was shown (no
            // timing assumption; a minute is only a guard against a hang).
            const auto giveUp = std::chrono::steady_clock::now() + std::chrono::minutes(1);
            while (shown < i && std::chrono::steady_clock::now() < giveUp) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return [&] { seen.push_back(99); };
    });
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(seen, (std::vector<int>{1, 2, 3, 99}));
    QVERIFY(allOnGui);
}

// The GUI thread is busy while the job publishes 1000 states: only the newest runs, once.
void TestJobRunner::publishingFasterThanTheGuiKeepsTheNewest() {
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    std::vector<int> seen;
    std::atomic<bool> published{false};
    runner.start([&](const JobRunner::Context& context) -> JobRunner::Delivery {
        for (int i = 1; i <= 1000; ++i) context.publish([&, i] { seen.push_back(i); });
        published = true;
        return [&] { seen.push_back(-1); };
    });
    while (!published) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // no events meanwhile
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(seen, (std::vector<int>{1000, -1}));
}

void TestJobRunner::publishedResultsStopAtCancel() {
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    int seen = 0;
    std::atomic<bool> go{false};
    runner.start([&](const JobRunner::Context& context) -> JobRunner::Delivery {
        while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        context.publish([&] { ++seen; });  // after the cancel: never runs
        return waitForCancel(context);
    });
    runner.cancel();
    go = true;
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(0).value<JobRunner::Outcome>(), JobRunner::Outcome::Cancelled);
    QCOMPARE(seen, 0);
}

QTEST_GUILESS_MAIN(TestJobRunner)
#include "test_job_runner.moc"
