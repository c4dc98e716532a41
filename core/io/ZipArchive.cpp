#include "io/ZipArchive.h"

#include <array>

#include "Error.h"
#include "io/MappedFile.h"

namespace attnscope {
namespace {

constexpr std::uint32_t kEocdSignature = 0x06054b50;
constexpr std::uint32_t kZip64EocdSignature = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::uint32_t kCentralSignature = 0x02014b50;
constexpr std::uint32_t kLocalSignature = 0x04034b50;
constexpr std::size_t kEocdSize = 22;
constexpr std::size_t kZip64LocatorSize = 20;
constexpr std::size_t kZip64EocdMinSize = 56;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kLocalHeaderSize = 30;
// The EOCD record may be followed by a comment of at most 65535 bytes; searching further
// back would only let a hostile file make us scan it all.
constexpr std::size_t kMaxEocdSearch = kEocdSize + 0xffff;

std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t le32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t le64(const std::uint8_t* p) { return le32(p) | (static_cast<std::uint64_t>(le32(p + 4)) << 32); }

// True when [offset, offset + length) lies inside a buffer of `size` bytes (overflow-safe).
bool fits(std::uint64_t offset, std::uint64_t length, std::size_t size) {
    return offset <= size && length <= size - offset;
}

// Position of the last EOCD signature within the search window, or npos.
std::size_t findEocd(const std::uint8_t* data, std::size_t size) {
    if (size < kEocdSize) return std::string::npos;
    const std::size_t lowest = size > kMaxEocdSearch ? size - kMaxEocdSearch : 0;
    for (std::size_t pos = size - kEocdSize + 1; pos-- > lowest;) {
        if (le32(data + pos) != kEocdSignature) continue;
        // The comment length must reach exactly to the end of the file; this rejects a
        // signature that merely occurs inside the comment or the data.
        if (pos + kEocdSize + le16(data + pos + 20) == size) return pos;
    }
    return std::string::npos;
}

std::array<std::uint32_t, 256> makeCrcTable() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}

}  // namespace

std::uint32_t crc32(const std::uint8_t* data, std::size_t size) {
    static const auto table = makeCrcTable();
    std::uint32_t c = 0xffffffffu;
    for (std::size_t i = 0; i < size; ++i) c = table[(c ^ data[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

ZipArchive::ZipArchive(const std::uint8_t* data, std::size_t size, std::string where)
    : data_(data), size_(size), where_(std::move(where)) {
    parseDirectory();
}

ZipArchive::ZipArchive(const MappedFile& file) : ZipArchive(file.data(), file.size(), file.path().string()) {}

bool ZipArchive::looksLikeZip(const std::uint8_t* data, std::size_t size) {
    return data && findEocd(data, size) != std::string::npos;
}

void ZipArchive::parseDirectory() {
    const std::size_t eocd = data_ ? findEocd(data_, size_) : std::string::npos;
    if (eocd == std::string::npos)
        throw Error(where_ + ": not a ZIP archive (no end-of-central-directory record); the file is truncated or not a PyTorch zip checkpoint");
    const std::uint8_t* e = data_ + eocd;
    if (le16(e + 4) != 0 || le16(e + 6) != 0 || le16(e + 8) != le16(e + 10))
        throw Error(where_ + ": multi-disk ZIP archives are not supported");
    std::uint64_t count = le16(e + 10);
    std::uint64_t cdSize = le32(e + 12);
    std::uint64_t cdOffset = le32(e + 16);

    // ZIP64: a locator right before the EOCD points at the ZIP64 EOCD record, which holds
    // the real 64-bit counts and offsets (torch writes it for every archive).
    if (eocd >= kZip64LocatorSize && le32(data_ + eocd - kZip64LocatorSize) == kZip64LocatorSignature) {
        const std::uint8_t* loc = data_ + eocd - kZip64LocatorSize;
        if (le32(loc + 4) != 0 || le32(loc + 16) > 1)
            throw Error(where_ + ": multi-disk ZIP64 archives are not supported");
        const std::uint64_t recOffset = le64(loc + 8);
        if (!fits(recOffset, kZip64EocdMinSize, eocd - kZip64LocatorSize) || le32(data_ + recOffset) != kZip64EocdSignature)
            throw Error(where_ + ": the ZIP64 end-of-central-directory record is missing or outside the file; the file is truncated or corrupt");
        const std::uint8_t* z = data_ + recOffset;
        if (le32(z + 16) != 0 || le32(z + 20) != 0 || le64(z + 24) != le64(z + 32))
            throw Error(where_ + ": multi-disk ZIP64 archives are not supported");
        count = le64(z + 32);
        cdSize = le64(z + 40);
        cdOffset = le64(z + 48);
    } else if (count == 0xffff || cdSize == 0xffffffffu || cdOffset == 0xffffffffu) {
        throw Error(where_ + ": the ZIP archive needs ZIP64 records but has none; the file is corrupt");
    }

    if (!fits(cdOffset, cdSize, size_))
        throw Error(where_ + ": the ZIP central directory (offset " + std::to_string(cdOffset) + ", " +
                    std::to_string(cdSize) + " bytes) lies outside the " + std::to_string(size_) +
                    "-byte file; the file is truncated or corrupt");
    // Every entry takes at least 46 bytes, so a count beyond that is a lie; checking it
    // first keeps a hostile count from driving the allocation below.
    if (count > cdSize / kCentralHeaderSize)
        throw Error(where_ + ": the ZIP directory claims " + std::to_string(count) + " entries but has room for " +
                    std::to_string(cdSize / kCentralHeaderSize) + "; the file is corrupt");
    entries_.reserve(static_cast<std::size_t>(count));

    std::size_t pos = static_cast<std::size_t>(cdOffset);
    const std::size_t cdEnd = static_cast<std::size_t>(cdOffset + cdSize);
    for (std::uint64_t i = 0; i < count; ++i) {
        if (!fits(pos, kCentralHeaderSize, cdEnd) || le32(data_ + pos) != kCentralSignature)
            throw Error(where_ + ": ZIP central directory entry " + std::to_string(i) + " is malformed; the file is corrupt");
        const std::uint8_t* h = data_ + pos;
        ZipEntry entry;
        entry.flags = le16(h + 8);
        entry.method = le16(h + 10);
        entry.crc32 = le32(h + 16);
        entry.compressedSize = le32(h + 20);
        entry.uncompressedSize = le32(h + 24);
        const std::size_t nameLen = le16(h + 28);
        const std::size_t extraLen = le16(h + 30);
        const std::size_t commentLen = le16(h + 32);
        const std::uint16_t diskStart = le16(h + 34);
        entry.localHeaderOffset = le32(h + 42);
        const std::size_t varLen = nameLen + extraLen + commentLen;
        if (!fits(pos + kCentralHeaderSize, varLen, cdEnd))
            throw Error(where_ + ": ZIP central directory entry " + std::to_string(i) + " runs past the directory; the file is corrupt");
        entry.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize), nameLen);

        // ZIP64 extended information: the 64-bit values, in this order, of exactly those
        // fields whose 32-bit slot holds the 0xffffffff marker.
        const bool needUncompressed = entry.uncompressedSize == 0xffffffffu;
        const bool needCompressed = entry.compressedSize == 0xffffffffu;
        const bool needOffset = entry.localHeaderOffset == 0xffffffffu;
        bool needDisk = diskStart == 0xffff;
        if (needUncompressed || needCompressed || needOffset || needDisk) {
            const std::uint8_t* x = h + kCentralHeaderSize + nameLen;
            const std::uint8_t* xEnd = x + extraLen;
            bool found = false;
            while (xEnd - x >= 4) {
                const std::uint16_t id = le16(x);
                const std::size_t len = le16(x + 2);
                if (static_cast<std::size_t>(xEnd - x - 4) < len) break;
                if (id == 0x0001) {
                    const std::uint8_t* f = x + 4;
                    std::size_t left = len;
                    auto take64 = [&](std::uint64_t& v) {
                        if (left < 8)
                            throw Error(where_ + ": the ZIP64 field of entry '" + entry.name + "' is too short; the file is corrupt");
                        v = le64(f);
                        f += 8;
                        left -= 8;
                    };
                    if (needUncompressed) take64(entry.uncompressedSize);
                    if (needCompressed) take64(entry.compressedSize);
                    if (needOffset) take64(entry.localHeaderOffset);
                    if (needDisk) {
                        if (left < 4)
                            throw Error(where_ + ": the ZIP64 field of entry '" + entry.name + "' is too short; the file is corrupt");
                        needDisk = le32(f) != 0;
                    }
                    found = true;
                    break;
                }
                x += 4 + len;
            }
            if (!found)
                throw Error(where_ + ": ZIP entry '" + entry.name + "' needs a ZIP64 field but has none; the file is corrupt");
        }
        if (diskStart != 0 && diskStart != 0xffff) throw Error(where_ + ": multi-disk ZIP archives are not supported");
        if (needDisk) throw Error(where_ + ": multi-disk ZIP archives are not supported");
        if (byName_.count(entry.name))
            throw Error(where_ + ": the ZIP archive holds '" + entry.name + "' twice; refusing the ambiguous archive");
        byName_[entry.name] = entries_.size();
        entries_.push_back(std::move(entry));
        pos += kCentralHeaderSize + varLen;
    }
}

const ZipEntry* ZipArchive::find(const std::string& name) const {
    auto it = byName_.find(name);
    return it == byName_.end() ? nullptr : &entries_[it->second];
}

ZipArchive::Span ZipArchive::read(const ZipEntry& entry) const {
    const std::string what = where_ + ": ZIP entry '" + entry.name + "'";
    if (entry.flags & 0x1) throw Error(what + " is encrypted; encrypted archives are not supported");
    if (entry.method != 0)
        throw Error(what + " is compressed (method " + std::to_string(entry.method) +
                    "); only stored entries are supported, as torch.save writes them");
    if (entry.compressedSize != entry.uncompressedSize)
        throw Error(what + " is stored but its compressed and uncompressed sizes differ; the file is corrupt");
    if (!fits(entry.localHeaderOffset, kLocalHeaderSize, size_) || le32(data_ + entry.localHeaderOffset) != kLocalSignature)
        throw Error(what + ": local header missing or outside the file; the file is truncated or corrupt");
    // The local header repeats the name and has its own extra field (torch pads it so the
    // data starts on a 64-byte boundary); its sizes may be zero when a data descriptor
    // follows, so the sizes come from the central directory.
    const std::uint8_t* l = data_ + entry.localHeaderOffset;
    const std::size_t nameLen = le16(l + 26);
    const std::size_t extraLen = le16(l + 28);
    const std::uint64_t nameOffset = entry.localHeaderOffset + kLocalHeaderSize;
    if (!fits(nameOffset, nameLen + extraLen, size_))
        throw Error(what + ": local header runs past the end of the file; the file is truncated");
    if (nameLen != entry.name.size() || entry.name.compare(0, nameLen, reinterpret_cast<const char*>(data_ + nameOffset), nameLen) != 0)
        throw Error(what + ": local header names a different file; the archive is corrupt");
    const std::uint64_t dataOffset = nameOffset + nameLen + extraLen;
    if (!fits(dataOffset, entry.compressedSize, size_))
        throw Error(what + ": its " + std::to_string(entry.compressedSize) + " data bytes at offset " +
                    std::to_string(dataOffset) + " run past the end of the " + std::to_string(size_) +
                    "-byte file; the file is truncated");
    return {data_ + dataOffset, static_cast<std::size_t>(entry.compressedSize)};
}

ZipArchive::Span ZipArchive::readVerified(const ZipEntry& entry) const {
    const Span s = read(entry);
    if (crc32(s.data, s.size) != entry.crc32)
        throw Error(where_ + ": ZIP entry '" + entry.name + "' fails its CRC-32 check; the file is corrupt");
    return s;
}

}  // namespace attnscope
