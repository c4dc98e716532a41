#pragma once
// Driving the main window in tests: open a model, compute a text, wait for the work to end,
// and measure how long the event loop went without a turn meanwhile.
#include <QElapsedTimer>
#include <QString>
#include <QTest>

#include <algorithm>
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

// While `busy` holds (at most the timeout), the event loop runs in 5 ms waits; the longest
// time between two of them is how long the GUI thread was held up.
struct Stall {
    qint64 longestGapMs = 0;
    int ticks = 0;
};
inline Stall longestStallWhile(const std::function<bool()>& busy) {
    QElapsedTimer clock;
    clock.start();
    Stall stall;
    qint64 last = clock.elapsed();
    while (busy() && clock.elapsed() < kTimeoutMs) {
        QTest::qWait(5);
        stall.longestGapMs = std::max(stall.longestGapMs, clock.elapsed() - last);
        last = clock.elapsed();
        ++stall.ticks;
    }
    return stall;
}

}  // namespace windowfixtures
