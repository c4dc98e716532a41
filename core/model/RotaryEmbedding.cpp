#include "model/RotaryEmbedding.h"

#include <cmath>
#include <numbers>

namespace attnscope {

RotaryEmbedding::RotaryEmbedding(const ModelConfig& c, int rotaryDims) : rotaryDims_(rotaryDims) {
    const int half = rotaryDims / 2;
    invFreq_.resize(half);
    for (int i = 0; i < half; ++i) {
        // transformers computes inv_freq in float32 from an int64 arange; follow its rounding.
        const float exponent = static_cast<float>(2 * i) / static_cast<float>(rotaryDims);
        invFreq_[i] = static_cast<float>(1.0 / std::pow(c.ropeTheta, static_cast<double>(exponent)));
    }
    if (c.ropeType == "linear") {
        for (auto& f : invFreq_) f /= c.ropeFactor;
    } else if (c.ropeType == "llama3") {
        const double lowWavelen = c.ropeOriginalMaxPositions / c.ropeLowFreqFactor;
        const double highWavelen = c.ropeOriginalMaxPositions / c.ropeHighFreqFactor;
        for (auto& f : invFreq_) {
            const double wavelen = 2.0 * std::numbers::pi / f;
            if (wavelen > lowWavelen) {
                f /= c.ropeFactor;
            } else if (wavelen >= highWavelen) {
                const double smooth = (c.ropeOriginalMaxPositions / wavelen - c.ropeLowFreqFactor) /
                                      (c.ropeHighFreqFactor - c.ropeLowFreqFactor);
                f = (1.0 - smooth) * f / c.ropeFactor + smooth * f;
            }
        }
    }
}

void RotaryEmbedding::apply(RowMatrix& x, int heads, int headDim, const std::vector<int>& positions) const {
    const int half = rotaryDims_ / 2;
    std::vector<float> cosv(half), sinv(half);
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        for (int i = 0; i < half; ++i) {
            // float32 angle, as the reference computes position * inv_freq in float32
            const float angle = static_cast<float>(positions[r]) * static_cast<float>(invFreq_[i]);
            cosv[i] = std::cos(angle);
            sinv[i] = std::sin(angle);
        }
        float* row = x.row(r).data();
        for (int h = 0; h < heads; ++h) {
            float* v = row + h * headDim;
            for (int i = 0; i < half; ++i) {
                const float x1 = v[i], x2 = v[i + half];
                v[i] = x1 * cosv[i] - x2 * sinv[i];
                v[i + half] = x2 * cosv[i] + x1 * sinv[i];
            }
        }
    }
}

}  // namespace attnscope
