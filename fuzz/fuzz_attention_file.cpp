// libFuzzer target: the attention-file reader above the safetensors layer: the "stacks" and
// "sequences" metadata, token lists against stack shapes, probabilities, logits, pixel values
// and the patch grid guessed for an image's tokens.
#include <cstdint>

#include "Error.h"
#include "FuzzInput.h"
#include "io/AttentionFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = fuzz::writeInput(data, size, "attention.safetensors");
    try {
        // A small budget so that compact storage (float16, 8-bit log) is exercised too.
        const attnscope::AttentionRecord record = attnscope::readAttentionFile(path, std::size_t(1) << 16);
        for (const attnscope::NamedStack& s : record.stacks) {
            (void)record.queriesOf(s).names.size();
            (void)record.keysOf(s).names.size();
            if (s.attention.count() <= (1u << 20)) (void)s.attention.toFloat32();
        }
    } catch (const attnscope::Error&) {
        // A clear refusal is the expected outcome for most inputs.
    }
    return 0;
}
