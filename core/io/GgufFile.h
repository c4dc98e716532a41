#pragma once
// A memory-mapped GGUF file (llama.cpp's model format, versions 2 and 3): a header, typed
// metadata (key -> value, arrays included), tensor infos, then the tensor data, each tensor at
// an offset aligned to general.alignment. Everything is validated on open (counts against the
// bytes left, string lengths, dimension products, types, offsets and sizes), so later reads
// never leave the file; the data is never copied.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/MappedFile.h"
#include "io/SafetensorsFile.h"  // TensorInfo

namespace attnscope {

class GgufFile {
public:
    explicit GgufFile(const std::filesystem::path& path);  // throws attnscope::Error

    const std::filesystem::path& path() const { return file_.path(); }
    std::uint32_t version() const { return version_; }
    std::size_t alignment() const { return alignment_; }

    // Values as JSON: integers, floats, booleans, strings (bytes as stored) and arrays of them.
    const std::map<std::string, nlohmann::json>& metadata() const { return metadata_; }
    const nlohmann::json* find(const std::string& key) const;
    // Typed reads that throw attnscope::Error naming the file and key when the key is missing
    // (the required forms) or holds another type.
    std::string requiredString(const std::string& key) const;
    std::uint64_t requiredUnsigned(const std::string& key) const;
    std::optional<std::uint64_t> optionalUnsigned(const std::string& key) const;
    std::optional<double> optionalNumber(const std::string& key) const;
    std::optional<bool> optionalBool(const std::string& key) const;
    std::optional<std::string> optionalString(const std::string& key) const;

    // Shapes as PyTorch orders them (GGUF's ne reversed: [rows, columns] for a matrix); begin
    // and end are offsets into the data section.
    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    const TensorInfo* findTensor(const std::string& name) const;
    const std::uint8_t* bytes(const TensorInfo& t) const { return dataStart_ + t.begin; }

private:
    MappedFile file_;
    std::uint32_t version_ = 0;
    std::size_t alignment_ = 32;
    std::map<std::string, nlohmann::json> metadata_;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, std::size_t> byName_;
    const std::uint8_t* dataStart_ = nullptr;
};

}  // namespace attnscope
