// libFuzzer target: config.json parsing and validation for every family.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "Error.h"
#include "model/ModelConfig.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto json = nlohmann::json::parse(data, data + size, nullptr, false);
    if (json.is_discarded()) return 0;  // the JSON parser is nlohmann's; ours starts at valid JSON
    try {
        (void)attnscope::ModelConfig::fromJson(json, "config.json");
    } catch (const attnscope::Error&) {
    }
    return 0;
}
