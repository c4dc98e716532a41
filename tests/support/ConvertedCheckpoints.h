#pragma once
// Golden checkpoints rewritten in another dtype (F16, BF16), or across two shards, as
// transformers' save_pretrained would write them after .half() / .bfloat16().
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"
#include "tensor/DType.h"

namespace fixtures {

inline std::uint16_t floatToBf16(float f) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    bits += 0x7fff + ((bits >> 16) & 1);  // round to nearest even, as torch does
    return static_cast<std::uint16_t>(bits >> 16);
}

inline std::uint16_t floatToHalf(float f) {  // finite, normal-range values only (what weights hold)
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    const std::uint32_t sign = (bits >> 16) & 0x8000u;
    int exp = static_cast<int>((bits >> 23) & 0xff) - 127 + 15;
    std::uint32_t mant = bits & 0x7fffffu;
    if (exp <= 0) return static_cast<std::uint16_t>(sign);  // flush tiny values; test data has none that matter
    std::uint32_t h = sign | (static_cast<std::uint32_t>(exp) << 10) | (mant >> 13);
    const std::uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1))) ++h;
    return static_cast<std::uint16_t>(h);
}

// Rewrites a checkpoint's tensors in another dtype, optionally across two shards.
inline void convertCheckpoint(const std::filesystem::path& from, const std::filesystem::path& to, attnscope::DType dtype, bool shard) {
    std::filesystem::create_directories(to);
    std::filesystem::copy_file(from / "config.json", to / "config.json");
    using namespace attnscope;
    SafetensorsFile src(from / "model.safetensors");
    SafetensorsWriter parts[2];
    nlohmann::json weightMap = nlohmann::json::object();
    int i = 0;
    for (const auto& t : src.tensors()) {
        const auto values = src.toFloat(t);
        const int part = shard ? (i++ % 2) : 0;
        if (dtype == DType::F32) {
            parts[part].add(t.name, t.shape, values.data());
        } else {
            std::vector<std::uint16_t> half(values.size());
            for (std::size_t k = 0; k < values.size(); ++k)
                half[k] = dtype == DType::BF16 ? floatToBf16(values[k]) : floatToHalf(values[k]);
            parts[part].addBytes(t.name, dtype, t.shape, half.data(), half.size() * 2);
        }
        weightMap[t.name] = shard ? "model-0000" + std::to_string(part + 1) + "-of-00002.safetensors" : "";
    }
    if (shard) {
        parts[0].write(to / "model-00001-of-00002.safetensors");
        parts[1].write(to / "model-00002-of-00002.safetensors");
        std::ofstream(to / "model.safetensors.index.json") << nlohmann::json{{"metadata", {}}, {"weight_map", weightMap}}.dump();
    } else {
        parts[0].write(to / "model.safetensors");
    }
}

}  // namespace fixtures
