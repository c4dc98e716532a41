// libFuzzer target: the restricted unpickler that reads pytorch_model.bin's data.pkl. Any
// global outside torch's tensor and storage rebuilders must be refused, never called.
#include <cstdint>

#include "Error.h"
#include "io/RestrictedUnpickler.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    attnscope::pickle::Limits limits;
    limits.maxObjects = 100'000;  // keeps each run small; the reader enforces them the same way
    limits.maxStack = 100'000;
    limits.maxMemo = 100'000;
    try {
        attnscope::pickle::RestrictedUnpickler unpickler(data, size, "data.pkl", limits);
        std::size_t end = 0;
        (void)unpickler.load(0, &end);
    } catch (const attnscope::Error&) {
    }
    return 0;
}
