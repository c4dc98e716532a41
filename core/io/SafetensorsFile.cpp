#include "io/SafetensorsFile.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include "Error.h"

namespace attnscope {
namespace {

// Real headers are a few hundred kilobytes at most; this bound stops a hostile length
// field from making us parse (or allocate for) gigabytes of "header".
constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;

std::int64_t checkedDim(const nlohmann::json& d, const std::string& where) {
    if (!d.is_number_integer() || d.get<std::int64_t>() < 0)
        throw Error(where + ": shape entries must be non-negative integers");
    return d.get<std::int64_t>();
}

}  // namespace

std::int64_t TensorInfo::elementCount() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

std::string TensorInfo::shapeString() const {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : file_(path) {
    const std::string where = path.string();
    if (file_.size() < 8) throw Error(where + ": not a safetensors file (shorter than its 8-byte header length)");
    std::uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | file_.data()[i];
    if (headerLen > file_.size() - 8)
        throw Error(where + ": safetensors header length " + std::to_string(headerLen) +
                    " exceeds the file size (" + std::to_string(file_.size()) + " bytes); the file is truncated or not safetensors");
    if (headerLen > kMaxHeaderBytes)
        throw Error(where + ": safetensors header length " + std::to_string(headerLen) + " is over the " +
                    std::to_string(kMaxHeaderBytes / (1024 * 1024)) + " MiB a header may take; the file is not safetensors");
    const char* headerStart = reinterpret_cast<const char*>(file_.data() + 8);
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(headerStart, headerStart + headerLen);
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": safetensors header is not valid JSON (" + e.what() + ")");
    }
    if (!header.is_object()) throw Error(where + ": safetensors header must be a JSON object");

    dataStart_ = file_.data() + 8 + headerLen;
    const std::size_t dataSize = file_.size() - 8 - headerLen;

    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        if (name == "__metadata__") {
            if (!it->is_object()) throw Error(where + ": __metadata__ must be an object of strings");
            for (auto m = it->begin(); m != it->end(); ++m) {
                if (!m->is_string()) throw Error(where + ": __metadata__." + m.key() + " must be a string");
                metadata_[m.key()] = m->get<std::string>();
            }
            continue;
        }
        const std::string tw = where + ": tensor '" + name + "'";
        const auto& v = *it;
        if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
            throw Error(tw + " must have dtype, shape and data_offsets");
        if (!v["dtype"].is_string()) throw Error(tw + ": dtype must be a string");
        const auto dtype = parseDType(v["dtype"].get<std::string>());
        if (!dtype) throw Error(tw + ": unknown dtype '" + v["dtype"].get<std::string>() + "'");
        TensorInfo t;
        t.name = name;
        t.dtype = *dtype;
        if (!v["shape"].is_array()) throw Error(tw + ": shape must be an array");
        std::uint64_t count = 1;
        for (const auto& d : v["shape"]) {
            const auto dim = checkedDim(d, tw);
            t.shape.push_back(dim);
            if (dim != 0 && count > std::numeric_limits<std::uint64_t>::max() / 16 / static_cast<std::uint64_t>(dim))
                throw Error(tw + ": shape is impossibly large");
            count *= static_cast<std::uint64_t>(dim);
        }
        const auto& off = v["data_offsets"];
        if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            throw Error(tw + ": data_offsets must be two non-negative integers");
        t.begin = off[0].get<std::uint64_t>();
        t.end = off[1].get<std::uint64_t>();
        if (t.begin > t.end || t.end > dataSize)
            throw Error(tw + ": data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) +
                        ") lie outside the " + std::to_string(dataSize) + " data bytes; the file is truncated or corrupt");
        if (count * dtypeSize(t.dtype) != t.end - t.begin)
            throw Error(tw + ": shape " + t.shapeString() + " of " + std::string(dtypeName(t.dtype)) + " needs " +
                        std::to_string(count * dtypeSize(t.dtype)) + " bytes but data_offsets span " +
                        std::to_string(t.end - t.begin));
        index_[name] = tensors_.size();
        tensors_.push_back(std::move(t));
    }

    std::vector<const TensorInfo*> byOffset;
    for (const auto& t : tensors_) byOffset.push_back(&t);
    std::sort(byOffset.begin(), byOffset.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
    for (std::size_t i = 1; i < byOffset.size(); ++i)
        if (byOffset[i]->begin < byOffset[i - 1]->end)
            throw Error(where + ": tensors '" + byOffset[i - 1]->name + "' and '" + byOffset[i]->name + "' overlap");
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

std::vector<float> SafetensorsFile::toFloat(const TensorInfo& t) const {
    std::vector<float> out(static_cast<std::size_t>(t.elementCount()));
    convertToFloat(t.dtype, bytes(t), out.size(), out.data());
    return out;
}

}  // namespace attnscope
