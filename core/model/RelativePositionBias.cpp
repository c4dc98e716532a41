#include "model/RelativePositionBias.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace attnscope {

int relativePositionBucket(int relativePosition, bool bidirectional, int buckets, int maxDistance) {
    int bucket = 0;
    int n = buckets;
    int distance;
    if (bidirectional) {
        n /= 2;
        if (relativePosition > 0) bucket += n;
        distance = std::abs(relativePosition);
    } else {
        distance = -std::min(relativePosition, 0);
    }
    const int maxExact = n / 2;
    if (distance < maxExact) return bucket + distance;
    // float32 and truncation toward zero, as the reference computes it
    const float scaled = std::log(static_cast<float>(distance) / static_cast<float>(maxExact)) /
                         static_cast<float>(std::log(static_cast<double>(maxDistance) / maxExact)) *
                         static_cast<float>(n - maxExact);
    const int large = std::min(maxExact + static_cast<int>(scaled), n - 1);
    return bucket + large;
}

std::vector<float> relativePositionBias(const float* table, int heads, int queries, int keys, bool bidirectional,
                                        int buckets, int maxDistance, int queryOffset) {
    std::vector<float> bias(static_cast<std::size_t>(heads) * queries * keys);
    for (int q = 0; q < queries; ++q)
        for (int k = 0; k < keys; ++k) {
            const int b = relativePositionBucket(k - (queryOffset + q), bidirectional, buckets, maxDistance);
            for (int h = 0; h < heads; ++h)
                bias[(static_cast<std::size_t>(h) * queries + q) * keys + k] = table[b * heads + h];
        }
    return bias;
}

}  // namespace attnscope
