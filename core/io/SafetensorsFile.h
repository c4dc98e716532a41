#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tensor/DType.h"
#include "io/MappedFile.h"

namespace attnscope {

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::size_t begin = 0;  // byte offsets relative to the start of the data section
    std::size_t end = 0;

    std::int64_t elementCount() const;
    std::string shapeString() const;  // e.g. "[400, 32]"
};

// A memory-mapped .safetensors file: 8-byte little-endian header length, a JSON header
// (name -> dtype, shape, data_offsets; optional __metadata__), then raw little-endian data.
// The header is validated completely on open, so later reads never leave the file.
class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::filesystem::path& path);  // throws attnscope::Error

    const std::filesystem::path& path() const { return file_.path(); }
    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    const TensorInfo* find(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    const std::uint8_t* bytes(const TensorInfo& t) const { return dataStart_ + t.begin; }
    std::vector<float> toFloat(const TensorInfo& t) const;

private:
    MappedFile file_;
    const std::uint8_t* dataStart_ = nullptr;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, std::size_t> index_;
    std::map<std::string, std::string> metadata_;
};

}  // namespace attnscope
