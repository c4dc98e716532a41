// libFuzzer target: the GGUF reader (header, typed metadata and nested arrays, tensor infos,
// types, alignment, offsets) and decoding every tensor it accepts to float32, quantized
// blocks included.
#include <cstdint>
#include <vector>

#include "Error.h"
#include "FuzzInput.h"
#include "io/GgufFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = fuzz::writeInput(data, size, "model.gguf");
    try {
        attnscope::GgufFile file(path);
        for (const auto& t : file.tensors()) {
            if (t.elementCount() > (1 << 20)) continue;
            std::vector<float> out(static_cast<std::size_t>(t.elementCount()));
            attnscope::convertToFloat(t.dtype, file.bytes(t), out.size(), out.data());
        }
    } catch (const attnscope::Error&) {
        // A clear refusal is the expected outcome for most inputs.
    }
    return 0;
}
