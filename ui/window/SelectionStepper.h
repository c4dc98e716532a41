#pragma once
// Stepping the shared selection by keyboard and auto-play: the next/previous head and layer
// (wrapping, so a presenter can keep pressing), and the mode toggles.
namespace attnscope::ui {

class AttentionSelection;

namespace stepper {

// A single head one step on (wraps within the layer). From the mean/max, starts at head 0
// (forward) or the last head (back).
void stepHead(AttentionSelection& selection, int step);
// One layer on (wraps).
void stepLayer(AttentionSelection& selection, int step);
void toggleHard(AttentionSelection& selection);
// Between the mean of the heads and the single head last shown.
void toggleHeadMean(AttentionSelection& selection);
void toggleRollout(AttentionSelection& selection);
// Auto-play's order: every head of a layer, then the next layer's heads; after the last
// head of the last layer, back to layer 0 head 0.
void autoPlayStep(AttentionSelection& selection);

}  // namespace stepper
}  // namespace attnscope::ui
