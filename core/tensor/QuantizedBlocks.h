#pragma once
// The block-quantized weight formats of GGUF files, decoded to float32 exactly as ggml defines
// them (ggml-common.h for the layouts, ggml-quants.c's dequantize_row_* for the arithmetic):
// each block holds its own scale (and minimum) in half precision and 2- to 8-bit integers.
// Written here because no Debian package decodes them (ggml is not packaged for Debian 12);
// tests/core/test_quantized_blocks.cpp checks every type against ggml's own decoder.
#include <cstddef>
#include <cstdint>

namespace attnscope {

enum class DType;

constexpr std::size_t kQuantBlock = 32;        // Q4_0, Q4_1, Q5_0, Q5_1, Q8_0
constexpr std::size_t kQuantSuperBlock = 256;  // the K-quants (QK_K)

// Decodes `blocks` consecutive blocks of `type` at `src` (any alignment) into
// blocks * dtypeBlockElements(type) floats at `dst`. `type` must be block-quantized.
void dequantizeBlocks(DType type, const std::uint8_t* src, std::size_t blocks, float* dst);

}  // namespace attnscope
