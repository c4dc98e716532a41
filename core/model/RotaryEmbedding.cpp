#include "model/RotaryEmbedding.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

bool dependsOnLength(RopeType t) { return t == RopeType::Dynamic || t == RopeType::LongRope; }

}  // namespace

RotaryEmbedding::RotaryEmbedding(RopeSpec spec) : spec_(std::move(spec)) {
    if (!dependsOnLength(spec_.type)) invFreq_ = spec_.inverseFrequencies(0);
}

void RotaryEmbedding::apply(RowMatrix& x, int heads, int headDim, const std::vector<int>& positions) const {
    if (positions.empty()) return;
    const int half = spec_.rotaryDims / 2;
    std::vector<double> perCall;
    if (dependsOnLength(spec_.type)) perCall = spec_.inverseFrequencies(*std::max_element(positions.begin(), positions.end()) + 1);
    const std::vector<double>& invFreq = perCall.empty() ? invFreq_ : perCall;
    const float scale = static_cast<float>(spec_.attentionFactor);
    std::vector<float> cosv(static_cast<std::size_t>(half)), sinv(static_cast<std::size_t>(half));
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        for (int i = 0; i < half; ++i) {
            // float32 angle, as the reference computes position * inv_freq in float32
            const float angle = static_cast<float>(positions[static_cast<std::size_t>(r)]) * static_cast<float>(invFreq[static_cast<std::size_t>(i)]);
            cosv[static_cast<std::size_t>(i)] = std::cos(angle) * scale;
            sinv[static_cast<std::size_t>(i)] = std::sin(angle) * scale;
        }
        float* row = x.row(r).data();
        for (int h = 0; h < heads; ++h) {
            float* v = row + h * headDim;
            for (int i = 0; i < half; ++i) {
                const float x1 = v[i], x2 = v[i + half];
                v[i] = x1 * cosv[static_cast<std::size_t>(i)] - x2 * sinv[static_cast<std::size_t>(i)];
                v[i + half] = x2 * cosv[static_cast<std::size_t>(i)] + x1 * sinv[static_cast<std::size_t>(i)];
            }
        }
    }
}

}  // namespace attnscope
