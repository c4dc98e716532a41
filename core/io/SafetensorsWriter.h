#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tensor/DType.h"

namespace attnscope {

// Collects float32 tensors and writes them as one .safetensors file. The write goes to a
// temporary file next to the target and is renamed into place, so a reader never sees half a file.
class SafetensorsWriter {
public:
    void add(const std::string& name, std::vector<std::int64_t> shape, const float* data);
    // Any dtype, given as its raw little-endian bytes (size must match shape x dtype size).
    void addBytes(const std::string& name, DType dtype, std::vector<std::int64_t> shape, const void* data,
                  std::size_t bytes);
    void setMetadata(const std::string& key, const std::string& value) { metadata_[key] = value; }
    void write(const std::filesystem::path& path) const;  // throws attnscope::Error

private:
    struct Entry {
        std::string name;
        std::vector<std::int64_t> shape;
        DType dtype;
        std::vector<unsigned char> bytes;
    };
    std::vector<Entry> entries_;
    std::map<std::string, std::string> metadata_;
};

}  // namespace attnscope
