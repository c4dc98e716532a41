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

ZipArchive::Directory ZipArchive::locateDirectory() const {
    const std::size_t eocd = data_ ? findEocd(data_, size_) : std::string::npos;
    if (eocd == std::string::npos)
        throw Error(where_ + ": not a ZIP archive (no end-of-central-directory record); the file is truncated or not a PyTorch zip checkpoint");
    const std::uint8_t* e = data_ + eocd;
    if (le16(e + 4) != 0 || le16(e + 6) != 0 || le16(e + 8) != le16(e + 10))
        throw Error(where_ + ": multi-disk ZIP archives are not supported");
    Directory d{le16(e + 10), le32(e + 12), le32(e + 16)};

    // ZIP64: a locator right before the EOCD points at the ZIP64 EOCD record, which holds
    // the real 64-bit counts and offsets (torch writes it for every archive).
    if (eocd >= kZip64LocatorSize && le32(data_ + eocd - kZip64LocatorSize) == kZip64LocatorSignature) {
        const std::uint8_t* loc = data_ + eocd - kZip64LocatorSize;
        if (le32(loc + 4) != 0 || le32(loc + 16) > 1) throw Error(where_ + ": multi-disk ZIP64 archives are not supported");
        const std::uint64_t recOffset = le64(loc + 8);
        if (!fits(recOffset, kZip64EocdMinSize, eocd - kZip64LocatorSize) || le32(data_ + recOffset) != kZip64EocdSignature)
            throw Error(where_ + ": the ZIP64 end-of-central-directory record is missing or outside the file; the file is truncated or corrupt");
        const std::uint8_t* z = data_ + recOffset;
        if (le32(z + 16) != 0 || le32(z + 20) != 0 || le64(z + 24) != le64(z + 32))
            throw Error(where_ + ": multi-disk ZIP64 archives are not supported");
        d = {le64(z + 32), le64(z + 40), le64(z + 48)};
    } else if (d.count == 0xffff || d.size == 0xffffffffu || d.offset == 0xffffffffu) {
        throw Error(where_ + ": the ZIP archive needs ZIP64 records but has none; the file is corrupt");
    }

    if (!fits(d.offset, d.size, size_))
        throw Error(where_ + ": the ZIP central directory (offset " + std::to_string(d.offset) + ", " + std::to_string(d.size) +
                    " bytes) lies outside the " + std::to_string(size_) + "-byte file; the file is truncated or corrupt");
    // Every entry takes at least 46 bytes, so a count beyond that is a lie; checking it
    // first keeps a hostile count from driving the allocation that follows.
    if (d.count > d.size / kCentralHeaderSize)
        throw Error(where_ + ": the ZIP directory claims " + std::to_string(d.count) + " entries but has room for " +
                    std::to_string(d.size / kCentralHeaderSize) + "; the file is corrupt");
    return d;
}

void ZipArchive::parseDirectory() {
    const Directory d = locateDirectory();
    entries_.reserve(static_cast<std::size_t>(d.count));
    std::size_t pos = static_cast<std::size_t>(d.offset);
    const std::size_t end = static_cast<std::size_t>(d.offset + d.size);
    for (std::uint64_t i = 0; i < d.count; ++i) pos = readEntry(pos, end, i);
}

std::size_t ZipArchive::readEntry(std::size_t pos, std::size_t directoryEnd, std::uint64_t index) {
    if (!fits(pos, kCentralHeaderSize, directoryEnd) || le32(data_ + pos) != kCentralSignature)
        throw Error(where_ + ": ZIP central directory entry " + std::to_string(index) + " is malformed; the file is corrupt");
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
    if (!fits(pos + kCentralHeaderSize, varLen, directoryEnd))
        throw Error(where_ + ": ZIP central directory entry " + std::to_string(index) + " runs past the directory; the file is corrupt");
    entry.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize), nameLen);
    const bool otherDisk = readZip64Extra(entry, h + kCentralHeaderSize + nameLen, extraLen, diskStart == 0xffff);
    if ((diskStart != 0 && diskStart != 0xffff) || otherDisk) throw Error(where_ + ": multi-disk ZIP archives are not supported");
    if (byName_.count(entry.name))
        throw Error(where_ + ": the ZIP archive holds '" + entry.name + "' twice; refusing the ambiguous archive");
    byName_[entry.name] = entries_.size();
    entries_.push_back(std::move(entry));
    return pos + kCentralHeaderSize + varLen;
}

bool ZipArchive::readZip64Extra(ZipEntry& entry, const std::uint8_t* extra, std::size_t extraLen, bool needDisk) const {
    // ZIP64 extended information: the 64-bit values, in this order, of exactly those fields
    // whose 32-bit slot holds the 0xffffffff marker (and the disk, whose slot holds 0xffff).
    const bool needUncompressed = entry.uncompressedSize == 0xffffffffu;
    const bool needCompressed = entry.compressedSize == 0xffffffffu;
    const bool needOffset = entry.localHeaderOffset == 0xffffffffu;
    if (!needUncompressed && !needCompressed && !needOffset && !needDisk) return false;
    const std::uint8_t* x = extra;
    const std::uint8_t* xEnd = extra + extraLen;
    while (xEnd - x >= 4) {
        const std::uint16_t id = le16(x);
        const std::size_t len = le16(x + 2);
        if (static_cast<std::size_t>(xEnd - x - 4) < len) break;
        if (id != 0x0001) {
            x += 4 + len;
            continue;
        }
        const std::uint8_t* f = x + 4;
        std::size_t left = len;
        const auto take = [&](std::size_t bytes) {
            if (left < bytes) throw Error(where_ + ": the ZIP64 field of entry '" + entry.name + "' is too short; the file is corrupt");
            const std::uint8_t* at = f;
            f += bytes;
            left -= bytes;
            return at;
        };
        if (needUncompressed) entry.uncompressedSize = le64(take(8));
        if (needCompressed) entry.compressedSize = le64(take(8));
        if (needOffset) entry.localHeaderOffset = le64(take(8));
        return needDisk && le32(take(4)) != 0;
    }
    throw Error(where_ + ": ZIP entry '" + entry.name + "' needs a ZIP64 field but has none; the file is corrupt");
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
