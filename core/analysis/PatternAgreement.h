#pragma once
// How much of a head's attention pattern a part of it reproduces: for DeBERTa, each score
// term's attention alone against the head's full attention, so a user reads how much of a head
// is content and how much position without comparing two heatmaps by eye.
#include "tensor/AttentionStack.h"

namespace attnscope {

// 1 minus the mean over queries of the total-variation distance (half the L1 distance) between
// `part`'s and `whole`'s rows at (layer, head): 1 when the part alone attends exactly as the
// whole does, 0 when the two never look at the same tokens. The stacks must have the same
// shape; throws attnscope::Error otherwise or for a layer or head out of range.
double patternAgreement(const AttentionStack& part, const AttentionStack& whole, int layer, int head);

}  // namespace attnscope
