#pragma once
// A minimal, read-only ZIP reader for PyTorch checkpoints.
//
// Why hand-written: the engine may depend only on the standard library, Eigen and
// nlohmann/json (no zlib, libzip, minizip or Qt), and torch.save writes every entry STORED
// (uncompressed, with the data aligned so tensors can be mapped in place). Reading that
// subset needs only the end-of-central-directory records (classic and ZIP64), the central
// directory and the local headers — a few hundred lines we can bounds-check completely.
// Compressed, encrypted and multi-disk archives are refused with a clear error.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attnscope {

class MappedFile;

struct ZipEntry {
    std::string name;                 // as stored (torch writes UTF-8 names, flag bit 11)
    std::uint16_t method = 0;         // 0 = stored; anything else is refused on read
    std::uint16_t flags = 0;
    std::uint32_t crc32 = 0;
    std::uint64_t compressedSize = 0;
    std::uint64_t uncompressedSize = 0;
    std::uint64_t localHeaderOffset = 0;
};

class ZipArchive {
public:
    // Parses the directory of the `size` bytes at `data`; `where` (the file name) prefixes
    // every error. The bytes must outlive the archive. Throws attnscope::Error.
    ZipArchive(const std::uint8_t* data, std::size_t size, std::string where);
    explicit ZipArchive(const MappedFile& file);

    // True when the bytes end with an end-of-central-directory record, i.e. look like a ZIP.
    static bool looksLikeZip(const std::uint8_t* data, std::size_t size);

    const std::vector<ZipEntry>& entries() const { return entries_; }
    const ZipEntry* find(const std::string& name) const;

    // The stored bytes of an entry, in place in the mapped file. Throws when the entry is
    // compressed or encrypted, or its data lies outside the file.
    struct Span {
        const std::uint8_t* data = nullptr;
        std::size_t size = 0;
    };
    Span read(const ZipEntry& entry) const;
    // As read(), and also checks the CRC-32 (used for the small pickle entries; tensor data
    // is not checksummed because that would page in gigabytes the model may never touch).
    Span readVerified(const ZipEntry& entry) const;

    const std::string& where() const { return where_; }

private:
    // Where the central directory is: its entry count, size and offset (ZIP64 or not).
    struct Directory {
        std::uint64_t count = 0;
        std::uint64_t size = 0;
        std::uint64_t offset = 0;
    };
    Directory locateDirectory() const;
    void parseDirectory();
    // Reads the central directory entry at `pos`; returns where the next one starts.
    std::size_t readEntry(std::size_t pos, std::size_t directoryEnd, std::uint64_t index);
    // Fills the entry's 64-bit fields from its ZIP64 extra field; returns whether it starts on
    // another disk (only asked for when `needDisk`).
    bool readZip64Extra(ZipEntry& entry, const std::uint8_t* extra, std::size_t extraLen, bool needDisk) const;

    const std::uint8_t* data_;
    std::size_t size_;
    std::string where_;
    std::vector<ZipEntry> entries_;
    std::map<std::string, std::size_t> byName_;
};

// The standard CRC-32 (ISO-HDLC, as ZIP uses it).
std::uint32_t crc32(const std::uint8_t* data, std::size_t size);

}  // namespace attnscope
