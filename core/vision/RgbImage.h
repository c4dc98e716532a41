#pragma once
#include <cstdint>
#include <vector>

namespace attnscope {

// An 8-bit image as the app hands it to the engine: interleaved RGB, rows top to bottom.
// (Decoding files is the app's job; the engine stays free of image codecs.)
struct RgbImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;  // width * height * 3

    std::uint8_t at(int x, int y, int channel) const {
        return pixels[(static_cast<std::size_t>(y) * width + x) * 3 + channel];
    }
};

}  // namespace attnscope
