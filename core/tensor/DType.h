#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace attnscope {

// Element types a safetensors file may declare (names as the format spells them), then the
// block-quantized types of GGUF files (ggml's names): those store a block of 32 or 256 values
// in a few bytes with their scales, and are only ever read whole blocks at a time.
enum class DType {
    Bool, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64,
    Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K
};

// Safetensors' names only: a block-quantized type is never a safetensors dtype.
std::optional<DType> parseDType(std::string_view name);
std::string_view dtypeName(DType type);
// Bytes per element; 0 for a block-quantized type (see dtypeBlockBytes).
std::size_t dtypeSize(DType type);
bool isBlockQuantized(DType type);
// Values per block (1 for a plain element type) and the bytes one block takes.
std::size_t dtypeBlockElements(DType type);
std::size_t dtypeBlockBytes(DType type);
// The bytes `count` values take; `count` must be a whole number of blocks.
std::size_t dtypeBytes(DType type, std::size_t count);

// Converts `count` elements of `type` at `src` (little-endian, any alignment) to float32. For a
// block-quantized type `count` must be a whole number of blocks.
void convertToFloat(DType type, const std::uint8_t* src, std::size_t count, float* dst);

// IEEE half and bfloat16 to float32, exact.
float halfToFloat(std::uint16_t h);
float bfloat16ToFloat(std::uint16_t b);

}  // namespace attnscope
