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

// Decodes `blocks` consecutive blocks of `type` at `src` (any alignment) into
// blocks * dtypeBlockElements(type) floats at `dst`. `type` must be block-quantized.
void dequantizeBlocks(DType type, const std::uint8_t* src, std::size_t blocks, float* dst);

}  // namespace attnscope
