// JobRunner: work runs off the GUI thread, results and progress arrive on it, cancel and
// engine errors end a job cleanly.
#include <QtTest>

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
    runner->start(waitForCancel);
    QTest::qWait(10);
    runner.reset();  // must return: the job sees the cancel flag
    QVERIFY(true);
}

QTEST_GUILESS_MAIN(TestJobRunner)
#include "test_job_runner.moc"
