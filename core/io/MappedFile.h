#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace attnscope {

// A read-only memory mapping of a whole file. Weights stay in the page cache and are
// paged in on use, so opening a multi-gigabyte checkpoint costs no copy.
class MappedFile {
public:
    explicit MappedFile(const std::filesystem::path& path);  // throws attnscope::Error
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace attnscope
