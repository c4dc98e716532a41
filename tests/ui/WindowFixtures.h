#pragma once
// Driving the main window in tests: open a model, compute a text, drop files on it, wait for
// the work to end, and measure how long the event loop went without a turn meanwhile.
#include <QApplication>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QMimeData>
#include <QString>
#include <QStringList>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <ctime>
#include <functional>

#include "GoldenFixtures.h"
#include "MainWindow.h"

namespace windowfixtures {

constexpr int kTimeoutMs = 60000;

inline QString storiesModel() { return QString::fromStdString((fixtures::modelsDir() / "stories260k").string()); }

// Opens `model` with `text` in the text field and waits for its analysis.
inline bool openAndCompute(attnscope::ui::MainWindow& window, const QString& model, const QString& text) {
    window.setText(text);
    window.openModel(model);
    return QTest::qWaitFor([&] { return window.session().analysis() && !window.session().isBusy(); }, kTimeoutMs);
}

inline bool waitIdle(attnscope::ui::MainWindow& window) {
    return QTest::qWaitFor([&] { return !window.session().isBusy(); }, kTimeoutMs);
}

// Sends a drag of `paths` over the window and, when it is taken, the drop; whether it was taken.
inline bool drop(attnscope::ui::MainWindow& window, const QStringList& paths) {
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString& path : paths) urls << QUrl::fromLocalFile(path);
    mime.setUrls(urls);
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    if (!enter.isAccepted()) return false;
    QDropEvent dropped(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &dropped);
    return dropped.isAccepted();
}

// The CPU time the calling thread (the GUI thread, in a test) has used, in milliseconds.
inline double threadCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// While `busy` holds (at most the timeout), the event loop runs in 5 ms waits. Between two of
// them, the GUI thread's own CPU time is how long work held it up (what a user feels as a
// frozen window), measured apart from the wall-clock gap, which on a loaded machine also
// counts the time the scheduler gave the cores to the model's threads.
struct Stall {
    double longestBusyMs = 0;  // GUI-thread CPU time between two turns of the event loop
    qint64 longestGapMs = 0;   // wall-clock time between them
    int ticks = 0;
};
inline Stall longestStallWhile(const std::function<bool()>& busy) {
    QElapsedTimer clock;
    clock.start();
    Stall stall;
    qint64 last = clock.elapsed();
    double lastCpu = threadCpuMs();
    while (busy() && clock.elapsed() < kTimeoutMs) {
        QTest::qWait(5);
        stall.longestGapMs = std::max(stall.longestGapMs, clock.elapsed() - last);
        stall.longestBusyMs = std::max(stall.longestBusyMs, threadCpuMs() - lastCpu);
        last = clock.elapsed();
        lastCpu = threadCpuMs();
        ++stall.ticks;
    }
    return stall;
}

// The bounds a responsive window keeps on a loaded two-core machine: the GUI thread never
// works more than a quarter second at a stretch, and never waits (on a lock, say) so long that
// the event loop misses turns for more than three seconds.
constexpr double kMostBusyMs = 250.0;
constexpr qint64 kLongestGapMs = 3000;
inline bool responsive(const Stall& s) { return s.longestBusyMs < kMostBusyMs && s.longestGapMs < kLongestGapMs; }
inline QString describe(const Stall& s) {
    return QStringLiteral("the GUI thread worked %1 ms at a stretch; the event loop paused %2 ms at most (%3 turns)")
        .arg(s.longestBusyMs, 0, 'f', 1)
        .arg(s.longestGapMs)
        .arg(s.ticks);
}

}  // namespace windowfixtures
