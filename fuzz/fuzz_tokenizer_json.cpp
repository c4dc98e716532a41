// libFuzzer target: loading tokenizer.json (every model, normalizer, pre-tokenizer and
// post-processor kind) and, when it loads, encoding a fixed text with it.
#include <cstdint>

#include "Error.h"
#include "FuzzInput.h"
#include "text/Tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = fuzz::writeInput(data, size, "tokenizer.json");
    try {
        const auto tokenizer = attnscope::Tokenizer::fromTokenizerJson(path);
        (void)tokenizer->encode("Hello, wörld! 123 l'été — 東京 🙂", "a pair");
    } catch (const attnscope::Error&) {
    }
    return 0;
}
