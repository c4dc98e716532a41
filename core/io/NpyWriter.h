#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace attnscope {

// NumPy's .npy format, version 1.0: the magic "\x93NUMPY", a little-endian header length,
// then a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (...), }
// padded with spaces and a newline so the data starts at a multiple of 64 bytes (as numpy
// itself writes it), then the values in C (row-major) order.

// The full preamble (magic, version, length, padded header) for a float32 array of `shape`.
std::string npyFloat32Header(const std::vector<std::int64_t>& shape);

// Writes `data` (product of shape values, row-major) as a float32 .npy file, atomically
// (a temporary sibling renamed into place). Throws attnscope::Error naming the path.
void writeNpyFloat32(const std::filesystem::path& path, const std::vector<std::int64_t>& shape, const float* data);

}  // namespace attnscope
