#pragma once
#include <vector>

namespace attnscope {

// An image already preprocessed for a model: float32 [channels, height, width].
struct PixelValues {
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<float> values;
    bool empty() const { return values.empty(); }
};

}  // namespace attnscope
