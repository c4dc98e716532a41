// libFuzzer target: the safetensors reader (header length, JSON header, dtypes, shapes,
// offsets, overlaps) and converting every tensor it accepts to float32.
#include <cstdint>

#include "Error.h"
#include "FuzzInput.h"
#include "io/SafetensorsFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = fuzz::writeInput(data, size, "model.safetensors");
    try {
        attnscope::SafetensorsFile file(path);
        for (const auto& t : file.tensors())
            if (t.elementCount() <= (1 << 20)) (void)file.toFloat(t);
    } catch (const attnscope::Error&) {
        // A clear refusal is the expected outcome for most inputs.
    }
    return 0;
}
