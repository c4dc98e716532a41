#include "io/SafetensorsWriter.h"

#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "Error.h"
#include "io/AtomicFile.h"

namespace attnscope {

void SafetensorsWriter::add(const std::string& name, std::vector<std::int64_t> shape, const float* data) {
    std::size_t count = 1;
    for (auto d : shape) count *= static_cast<std::size_t>(d);
    addBytes(name, DType::F32, std::move(shape), data, count * sizeof(float));  // float32 is little-endian here
}

void SafetensorsWriter::addBytes(const std::string& name, DType dtype, std::vector<std::int64_t> shape,
                                 const void* data, std::size_t bytes) {
    std::size_t count = 1;
    for (auto d : shape) count *= static_cast<std::size_t>(d);
    if (count * dtypeSize(dtype) != bytes)
        throw Error("tensor '" + name + "': " + std::to_string(bytes) + " bytes do not fit its shape");
    const auto* p = static_cast<const unsigned char*>(data);
    entries_.push_back({name, std::move(shape), dtype, std::vector<unsigned char>(p, p + bytes)});
}

void SafetensorsWriter::write(const std::filesystem::path& path) const {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata_.empty()) header["__metadata__"] = metadata_;
    std::size_t offset = 0;
    for (const auto& e : entries_) {
        const std::size_t bytes = e.bytes.size();
        header[e.name] = {{"dtype", std::string(dtypeName(e.dtype))}, {"shape", e.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string headerText = header.dump();
    // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
    while ((headerText.size() + 8) % 8 != 0) headerText.push_back(' ');

    writeFileAtomically(path, [&](std::ostream& out) {
        std::uint64_t len = headerText.size();
        unsigned char lenBytes[8];
        for (int i = 0; i < 8; ++i) lenBytes[i] = static_cast<unsigned char>((len >> (8 * i)) & 0xff);
        out.write(reinterpret_cast<const char*>(lenBytes), 8);
        out.write(headerText.data(), static_cast<std::streamsize>(headerText.size()));
        for (const auto& e : entries_)
            out.write(reinterpret_cast<const char*>(e.bytes.data()), static_cast<std::streamsize>(e.bytes.size()));
    });
}

}  // namespace attnscope
