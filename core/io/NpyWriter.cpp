#include "io/NpyWriter.h"

#include <bit>
#include <cstring>
#include <ostream>

#include "Error.h"
#include "io/AtomicFile.h"

namespace attnscope {

namespace {

constexpr std::size_t kAlignment = 64;  // numpy >= 1.16 aligns the data to 64 bytes

std::string shapeTuple(const std::vector<std::int64_t>& shape) {
    std::string tuple = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) tuple += ", ";
        tuple += std::to_string(shape[i]);
    }
    if (shape.size() == 1) tuple += ",";  // a one-element Python tuple
    return tuple + ")";
}

}  // namespace

std::string npyFloat32Header(const std::vector<std::int64_t>& shape) {
    for (std::int64_t d : shape)
        if (d < 0) throw Error("npy: negative dimension " + std::to_string(d));
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeTuple(shape) + ", }";
    const std::size_t preamble = 6 + 2 + 2;  // magic, version, header length
    std::size_t total = preamble + dict.size() + 1;  // + the closing newline
    const std::size_t padded = (total + kAlignment - 1) / kAlignment * kAlignment;
    dict.append(padded - total, ' ');
    dict += '\n';
    if (dict.size() > 0xffff) throw Error("npy: header too long for format version 1.0");

    std::string out("\x93NUMPY", 6);
    out += static_cast<char>(1);  // major version
    out += static_cast<char>(0);  // minor version
    out += static_cast<char>(dict.size() & 0xff);
    out += static_cast<char>((dict.size() >> 8) & 0xff);
    return out + dict;
}

void writeNpyFloat32(const std::filesystem::path& path, const std::vector<std::int64_t>& shape, const float* data) {
    static_assert(std::endian::native == std::endian::little, "npy '<f4' output assumes a little-endian host");
    std::size_t count = 1;
    for (std::int64_t d : shape) count *= static_cast<std::size_t>(d < 0 ? 0 : d);
    const std::string header = npyFloat32Header(shape);
    writeFileAtomically(path, [&](std::ostream& out) {
        out.write(header.data(), static_cast<std::streamsize>(header.size()));
        if (count > 0) out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(count * sizeof(float)));
    });
}

}  // namespace attnscope
