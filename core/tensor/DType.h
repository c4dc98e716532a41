#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace attnscope {

// Element types a safetensors file may declare (names as the format spells them).
enum class DType { Bool, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64 };

std::optional<DType> parseDType(std::string_view name);
std::string_view dtypeName(DType type);
std::size_t dtypeSize(DType type);

// Converts `count` elements of `type` at `src` (little-endian, any alignment) to float32.
void convertToFloat(DType type, const std::uint8_t* src, std::size_t count, float* dst);

// IEEE half and bfloat16 to float32, exact.
float halfToFloat(std::uint16_t h);
float bfloat16ToFloat(std::uint16_t b);

}  // namespace attnscope
