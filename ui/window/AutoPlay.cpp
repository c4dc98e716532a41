#include "AutoPlay.h"

#include <algorithm>

#include "AttentionSelection.h"
#include "SelectionStepper.h"

namespace attnscope::ui {

AutoPlay::AutoPlay(AttentionSelection* selection, QObject* parent) : QObject(parent), selection_(selection) {
    timer_.setInterval(2000);
    connect(&timer_, &QTimer::timeout, this, &AutoPlay::step);
}

void AutoPlay::setPlaying(bool on) {
    if (on == timer_.isActive()) return;
    if (on) timer_.start();
    else timer_.stop();
    emit playingChanged(on);
}

void AutoPlay::setIntervalMs(int ms) { timer_.setInterval(std::max(10, ms)); }

void AutoPlay::step() { stepper::autoPlayStep(*selection_); }

}  // namespace attnscope::ui
