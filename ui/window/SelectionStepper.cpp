#include "SelectionStepper.h"

#include "AttentionSelection.h"

namespace attnscope::ui::stepper {

namespace {
int wrap(int value, int count) { return count <= 0 ? 0 : ((value % count) + count) % count; }
}  // namespace

void stepHead(AttentionSelection& s, int step) {
    if (s.heads() <= 0) return;
    if (s.headMode() != HeadMode::Single) {
        s.setHead(step > 0 ? 0 : s.heads() - 1);
        return;
    }
    s.setHead(wrap(s.head() + step, s.heads()));
}

void stepLayer(AttentionSelection& s, int step) {
    if (s.layers() <= 0) return;
    s.setLayer(wrap(s.layer() + step, s.layers()));
}

void toggleHard(AttentionSelection& s) { s.setHard(!s.hard()); }

void toggleHeadMean(AttentionSelection& s) {
    if (s.headMode() == HeadMode::Mean) s.setHeadMode(HeadMode::Single);  // back to the head kept in the query
    else s.setHeadMode(HeadMode::Mean);
}

void toggleRollout(AttentionSelection& s) { s.setRollout(!s.rollout()); }

void autoPlayStep(AttentionSelection& s) {
    if (s.layers() <= 0 || s.heads() <= 0) return;
    // Auto-play shows single heads of single layers: that is what it walks through.
    if (s.rollout()) s.setRollout(false);
    if (s.headMode() != HeadMode::Single) {
        s.focusHead(s.layer(), 0);
        return;
    }
    const int next = s.head() + 1;
    if (next < s.heads()) s.focusHead(s.layer(), next);
    else s.focusHead(wrap(s.layer() + 1, s.layers()), 0);
}

}  // namespace attnscope::ui::stepper
