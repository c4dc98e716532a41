#include "tensor/DType.h"

#include "tensor/QuantizedBlocks.h"

#include <array>
#include <bit>
#include <cstring>

namespace attnscope {
namespace {

struct DTypeEntry {
    DType type;
    std::string_view name;
    std::size_t size;
};

constexpr std::array<DTypeEntry, 13> kDTypes{{
    {DType::Bool, "BOOL", 1}, {DType::U8, "U8", 1},   {DType::I8, "I8", 1},     {DType::I16, "I16", 2},
    {DType::U16, "U16", 2},   {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2}, {DType::I32, "I32", 4},
    {DType::U32, "U32", 4},   {DType::F32, "F32", 4}, {DType::F64, "F64", 8},   {DType::I64, "I64", 8},
    {DType::U64, "U64", 8},
}};

// ggml's blocks (ggml-common.h): the bytes of one block and the values it holds (QK4_0 … 32
// for the simple types, QK_K 256 for the K-quants).
struct BlockTypeEntry {
    DType type;
    std::string_view name;
    std::size_t bytes;
    std::size_t values;
};

constexpr std::array<BlockTypeEntry, 10> kBlockTypes{{
    {DType::Q4_0, "Q4_0", 18, 32},   {DType::Q4_1, "Q4_1", 20, 32},   {DType::Q5_0, "Q5_0", 22, 32},
    {DType::Q5_1, "Q5_1", 24, 32},   {DType::Q8_0, "Q8_0", 34, 32},   {DType::Q2_K, "Q2_K", 84, 256},
    {DType::Q3_K, "Q3_K", 110, 256}, {DType::Q4_K, "Q4_K", 144, 256}, {DType::Q5_K, "Q5_K", 176, 256},
    {DType::Q6_K, "Q6_K", 210, 256},
}};

const BlockTypeEntry* blockType(DType type) {
    for (const auto& e : kBlockTypes)
        if (e.type == type) return &e;
    return nullptr;
}

template <typename T>
T load(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));  // safetensors data need not be aligned
    return v;
}

}  // namespace

std::optional<DType> parseDType(std::string_view name) {
    for (const auto& e : kDTypes)
        if (e.name == name) return e.type;
    return std::nullopt;
}

std::string_view dtypeName(DType type) {
    for (const auto& e : kDTypes)
        if (e.type == type) return e.name;
    if (const auto* b = blockType(type)) return b->name;
    return "?";
}

std::size_t dtypeSize(DType type) {
    for (const auto& e : kDTypes)
        if (e.type == type) return e.size;
    return 0;
}

bool isBlockQuantized(DType type) { return blockType(type) != nullptr; }

std::size_t dtypeBlockElements(DType type) {
    const auto* b = blockType(type);
    return b ? b->values : 1;
}

std::size_t dtypeBlockBytes(DType type) {
    const auto* b = blockType(type);
    return b ? b->bytes : dtypeSize(type);
}

std::size_t dtypeBytes(DType type, std::size_t count) { return count / dtypeBlockElements(type) * dtypeBlockBytes(type); }

float halfToFloat(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1fu;
    std::uint32_t mant = h & 0x3ffu;
    std::uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (mant << 13);  // inf / nan
    } else if (exp != 0) {
        bits = sign | ((exp + 112u) << 23) | (mant << 13);
    } else if (mant == 0) {
        bits = sign;
    } else {  // subnormal: renormalise
        exp = 113;
        while ((mant & 0x400u) == 0) {
            mant <<= 1;
            --exp;
        }
        bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
    }
    return std::bit_cast<float>(bits);
}

float bfloat16ToFloat(std::uint16_t b) { return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16); }

void convertToFloat(DType type, const std::uint8_t* src, std::size_t count, float* dst) {
    // An empty tensor (a 0 in its shape) has no bytes, and its empty vector no storage: memcpy
    // of null pointers is undefined even for 0 bytes (found by fuzz_safetensors).
    if (count == 0) return;
    switch (type) {
    case DType::F32: std::memcpy(dst, src, count * 4); return;
    case DType::F16:
        for (std::size_t i = 0; i < count; ++i) dst[i] = halfToFloat(load<std::uint16_t>(src + 2 * i));
        return;
    case DType::BF16:
        for (std::size_t i = 0; i < count; ++i) dst[i] = bfloat16ToFloat(load<std::uint16_t>(src + 2 * i));
        return;
    case DType::F64:
        for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(load<double>(src + 8 * i));
        return;
    case DType::Bool:
    case DType::U8:
        for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(src[i]);
        return;
    case DType::I8:
        for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(load<std::int8_t>(src + i));
        return;
    case DType::I16:
        for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(load<std::int16_t>(src + 2 * i));
        return;
    case DType::U16:
        for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(load<std::uint16_t>(src + 2 * i));
        return;
    case DType::I32:
        for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(load<std::int32_t>(src + 4 * i));
        return;
    case DType::U32:
        for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(load<std::uint32_t>(src + 4 * i));
        return;
    case DType::I64:
        for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(load<std::int64_t>(src + 8 * i));
        return;
    case DType::U64:
        for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(load<std::uint64_t>(src + 8 * i));
        return;
    case DType::Q4_0:
    case DType::Q4_1:
    case DType::Q5_0:
    case DType::Q5_1:
    case DType::Q8_0:
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::Q6_K: dequantizeBlocks(type, src, count / dtypeBlockElements(type), dst); return;
    }
}

}  // namespace attnscope
