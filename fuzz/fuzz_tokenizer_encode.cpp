// libFuzzer target: encoding arbitrary bytes (invalid UTF-8 included) as text and pair with
// each tokenizer kind. The tokenizers come from $ATTNSCOPE_FUZZ_TOKENIZERS (a folder of
// tokenizer.json files; tools/run-fuzzers.sh points it at fuzz/tokenizers).
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "Error.h"
#include "text/Tokenizer.h"

namespace {

std::vector<std::unique_ptr<attnscope::Tokenizer>> loadTokenizers() {
    std::vector<std::unique_ptr<attnscope::Tokenizer>> all;
    const char* dir = std::getenv("ATTNSCOPE_FUZZ_TOKENIZERS");
    if (!dir) return all;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".json") all.push_back(attnscope::Tokenizer::fromTokenizerJson(entry.path()));
    return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto tokenizers = loadTokenizers();
    if (tokenizers.empty() || size == 0) return 0;
    // First byte: which tokenizer, and whether the rest splits into text and pair at a 0 byte.
    const auto& tokenizer = *tokenizers[data[0] % tokenizers.size()];
    const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const auto zero = rest.find('\0');
        if ((data[0] & 0x80) && zero != std::string_view::npos)
            (void)tokenizer.encode(rest.substr(0, zero), rest.substr(zero + 1));
        else
            (void)tokenizer.encode(rest);
    } catch (const attnscope::Error&) {
    }
    return 0;
}
