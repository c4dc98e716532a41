#pragma once
#include <vector>

namespace attnscope {

struct Prediction {
    int id = 0;        // token id or class index
    float probability = 0.0f;
};

// The k most probable entries of softmax(logits), most probable first (ties: lower id first).
std::vector<Prediction> topPredictions(const float* logits, int count, int k);

}  // namespace attnscope
