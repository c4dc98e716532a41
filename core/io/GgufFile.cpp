#include "io/GgufFile.h"

#include <cstring>
#include <limits>

#include "Error.h"

namespace attnscope {
namespace {

// GGUF's metadata value types (gguf.h: enum gguf_type).
enum GgufType : std::uint32_t {
    kUint8 = 0, kInt8 = 1, kUint16 = 2, kInt16 = 3, kUint32 = 4, kInt32 = 5, kFloat32 = 6, kBool = 7,
    kString = 8, kArray = 9, kUint64 = 10, kInt64 = 11, kFloat64 = 12
};

constexpr int kMaxDims = 4;           // GGML_MAX_DIMS
constexpr int kMaxArrayNesting = 8;   // arrays of arrays are legal; real files nest none

// ggml's tensor type ids (ggml.h: enum ggml_type) for the types AttnScope reads, and the names
// of the others, so that an unreadable tensor is named with its type.
std::optional<DType> ggmlType(std::uint32_t id) {
    switch (id) {
    case 0: return DType::F32;
    case 1: return DType::F16;
    case 2: return DType::Q4_0;
    case 3: return DType::Q4_1;
    case 6: return DType::Q5_0;
    case 7: return DType::Q5_1;
    case 8: return DType::Q8_0;
    case 10: return DType::Q2_K;
    case 11: return DType::Q3_K;
    case 12: return DType::Q4_K;
    case 13: return DType::Q5_K;
    case 14: return DType::Q6_K;
    case 30: return DType::BF16;
    default: return std::nullopt;
    }
}

std::string ggmlTypeName(std::uint32_t id) {
    static const std::map<std::uint32_t, const char*> names = {
        {9, "Q8_1"},     {15, "Q8_K"},  {16, "IQ2_XXS"}, {17, "IQ2_XS"}, {18, "IQ3_XXS"}, {19, "IQ1_S"},
        {20, "IQ4_NL"}, {21, "IQ3_S"}, {22, "IQ2_S"},   {23, "IQ4_XS"}, {24, "I8"},      {25, "I16"},
        {26, "I32"},    {27, "I64"},   {28, "F64"},     {29, "IQ1_M"},  {34, "TQ1_0"},   {35, "TQ2_0"}};
    const auto it = names.find(id);
    return it != names.end() ? std::string(it->second) : "type " + std::to_string(id);
}

// Reads the header region front to back; every read checks the bytes left first.
class Cursor {
public:
    Cursor(const std::uint8_t* data, std::size_t size, std::string where) : data_(data), size_(size), where_(std::move(where)) {}

    std::size_t offset() const { return at_; }
    std::size_t left() const { return size_ - at_; }

    template <typename T>
    T read(const char* what) {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, data_ + at_, sizeof(T));
        at_ += sizeof(T);
        return v;
    }

    std::string string(const std::string& what) {
        const std::uint64_t length = read<std::uint64_t>(what.c_str());
        if (length > left())
            throw Error(where_ + ": " + what + " is " + std::to_string(length) + " bytes long but only " + std::to_string(left()) +
                        " bytes are left in the file; it is truncated or not GGUF");
        std::string s(reinterpret_cast<const char*>(data_ + at_), static_cast<std::size_t>(length));
        at_ += static_cast<std::size_t>(length);
        return s;
    }

    // A count of items each at least `minBytes` long: more than the bytes left can hold is an
    // error before anything is allocated for them.
    std::uint64_t count(const std::string& what, std::size_t minBytes) {
        const std::uint64_t n = read<std::uint64_t>(what.c_str());
        if (minBytes > 0 && n > left() / minBytes)
            throw Error(where_ + ": " + what + " is " + std::to_string(n) + ", more than the " + std::to_string(left()) +
                        " bytes left in the file can hold; it is truncated or not GGUF");
        return n;
    }

    const std::string& where() const { return where_; }

private:
    void need(std::size_t n, const char* what) {
        if (n > left()) throw Error(where_ + ": file ends inside " + what + "; it is truncated or not GGUF");
    }
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
    std::string where_;
};

// The fewest bytes one value of a type takes in the file (a string: its 8-byte length).
std::size_t minimumBytes(std::uint32_t type) {
    switch (type) {
    case kUint8: case kInt8: case kBool: return 1;
    case kUint16: case kInt16: return 2;
    case kUint32: case kInt32: case kFloat32: return 4;
    case kUint64: case kInt64: case kFloat64: case kString: return 8;
    case kArray: return 12;
    default: return 1;
    }
}

nlohmann::json readValue(Cursor& in, std::uint32_t type, const std::string& key, int depth) {
    switch (type) {
    case kUint8: return in.read<std::uint8_t>(key.c_str());
    case kInt8: return in.read<std::int8_t>(key.c_str());
    case kUint16: return in.read<std::uint16_t>(key.c_str());
    case kInt16: return in.read<std::int16_t>(key.c_str());
    case kUint32: return in.read<std::uint32_t>(key.c_str());
    case kInt32: return in.read<std::int32_t>(key.c_str());
    case kFloat32: return in.read<float>(key.c_str());
    case kUint64: return in.read<std::uint64_t>(key.c_str());
    case kInt64: return in.read<std::int64_t>(key.c_str());
    case kFloat64: return in.read<double>(key.c_str());
    case kBool: {
        const std::uint8_t b = in.read<std::uint8_t>(key.c_str());
        if (b > 1) throw Error(in.where() + ": metadata '" + key + "' is a boolean stored as " + std::to_string(b) + " (must be 0 or 1)");
        return b == 1;
    }
    case kString: {
        // Kept as bytes: a JSON string here is only a container (tokens may be any bytes).
        return nlohmann::json(in.string("the string of metadata '" + key + "'"));
    }
    case kArray: {
        if (depth >= kMaxArrayNesting) throw Error(in.where() + ": metadata '" + key + "' nests arrays deeper than " + std::to_string(kMaxArrayNesting));
        const std::uint32_t elementType = in.read<std::uint32_t>(key.c_str());
        if (elementType > kFloat64)
            throw Error(in.where() + ": metadata '" + key + "' is an array of unknown type " + std::to_string(elementType));
        const std::uint64_t n = in.count("the length of array '" + key + "'", minimumBytes(elementType));
        nlohmann::json array = nlohmann::json::array();
        array.get_ref<nlohmann::json::array_t&>().reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n; ++i) array.push_back(readValue(in, elementType, key, depth + 1));
        return array;
    }
    default: throw Error(in.where() + ": metadata '" + key + "' has unknown value type " + std::to_string(type));
    }
}

}  // namespace

GgufFile::GgufFile(const std::filesystem::path& path) : file_(path) {
    const std::string where = path.string();
    Cursor in(file_.data(), file_.size(), where);
    if (file_.size() < 4 || std::memcmp(file_.data(), "GGUF", 4) != 0) throw Error(where + ": not a GGUF file (it does not start with 'GGUF')");
    in.read<std::uint32_t>("the magic");
    version_ = in.read<std::uint32_t>("the version");
    if (version_ == 1) throw Error(where + ": GGUF version 1 (2023's first format) is not supported; convert it again with a current llama.cpp");
    if (version_ != 2 && version_ != 3) {
        const bool swapped = (version_ & 0xFFFF) == 0 && (version_ >> 24) <= 3;
        throw Error(where + ": GGUF version " + std::to_string(version_) +
                    (swapped ? " (a big-endian file, which AttnScope cannot read)" : " is not one AttnScope reads (2 or 3)"));
    }
    // Each tensor info takes at least 8 (name length) + 4 (dims) + 4 (type) + 8 (offset) bytes;
    // each key-value at least 8 (key length) + 4 (type) + 1.
    const std::uint64_t tensorCount = in.count("the tensor count", 24);
    const std::uint64_t keyCount = in.count("the metadata count", 13);

    for (std::uint64_t i = 0; i < keyCount; ++i) {
        std::string key = in.string("metadata key " + std::to_string(i));
        const std::uint32_t type = in.read<std::uint32_t>("a metadata type");
        nlohmann::json value = readValue(in, type, key, 0);
        if (!metadata_.emplace(key, std::move(value)).second) throw Error(where + ": metadata key '" + key + "' appears twice");
    }
    if (const auto* a = find("general.alignment")) {
        if (!a->is_number_unsigned() || a->get<std::uint64_t>() == 0 || (a->get<std::uint64_t>() & (a->get<std::uint64_t>() - 1)) != 0 ||
            a->get<std::uint64_t>() > (1u << 20))
            throw Error(where + ": general.alignment must be a power of two (at most 1 MiB)");
        alignment_ = static_cast<std::size_t>(a->get<std::uint64_t>());
    }

    struct Pending {
        std::uint64_t offset;
        std::size_t bytes;
    };
    std::vector<Pending> pending;
    tensors_.reserve(static_cast<std::size_t>(tensorCount));
    for (std::uint64_t i = 0; i < tensorCount; ++i) {
        TensorInfo t;
        t.name = in.string("the name of tensor " + std::to_string(i));
        const std::string tw = where + ": tensor '" + t.name + "'";
        const std::uint32_t dims = in.read<std::uint32_t>("a tensor's dimension count");
        if (dims == 0 || dims > kMaxDims) throw Error(tw + " has " + std::to_string(dims) + " dimensions (1 to 4 allowed)");
        std::vector<std::int64_t> ne(dims);
        // The product of the non-zero dimensions must fit: with a 0 among them the tensor is
        // empty, but elementCount() multiplies them in any order (found by fuzz_gguf).
        std::uint64_t nonZeroProduct = 1;
        bool empty = false;
        for (std::uint32_t d = 0; d < dims; ++d) {
            const std::uint64_t n = in.read<std::uint64_t>("a tensor's dimensions");
            if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
                (n != 0 && nonZeroProduct > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) / n))
                throw Error(tw + " has dimensions whose product overflows");
            ne[d] = static_cast<std::int64_t>(n);
            if (n == 0) empty = true;
            else nonZeroProduct *= n;
        }
        const std::uint64_t elements = empty ? 0 : nonZeroProduct;
        const std::uint32_t typeId = in.read<std::uint32_t>("a tensor's type");
        const auto type = ggmlType(typeId);
        if (!type) throw Error(tw + " is stored as " + ggmlTypeName(typeId) + ", a type AttnScope cannot read");
        t.dtype = *type;
        if (ne[0] % static_cast<std::int64_t>(dtypeBlockElements(t.dtype)) != 0)
            throw Error(tw + " has rows of " + std::to_string(ne[0]) + " values, not a whole number of " + std::string(dtypeName(t.dtype)) +
                        " blocks of " + std::to_string(dtypeBlockElements(t.dtype)));
        const std::uint64_t offset = in.read<std::uint64_t>("a tensor's offset");
        if (offset % alignment_ != 0) throw Error(tw + " starts at offset " + std::to_string(offset) + ", not a multiple of the alignment " + std::to_string(alignment_));
        const std::uint64_t blocks = elements / dtypeBlockElements(t.dtype);
        if (blocks > std::numeric_limits<std::uint64_t>::max() / dtypeBlockBytes(t.dtype)) throw Error(tw + " is too large");
        t.shape.assign(ne.rbegin(), ne.rend());
        pending.push_back({offset, static_cast<std::size_t>(blocks * dtypeBlockBytes(t.dtype))});
        if (!byName_.emplace(t.name, tensors_.size()).second) throw Error(where + ": tensor '" + t.name + "' appears twice");
        tensors_.push_back(std::move(t));
    }

    const std::size_t dataOffset = (in.offset() + alignment_ - 1) / alignment_ * alignment_;
    if (dataOffset > file_.size() && !tensors_.empty()) throw Error(where + ": the file ends before its tensor data; it is truncated");
    dataStart_ = file_.data() + std::min(dataOffset, file_.size());
    const std::size_t dataSize = file_.size() - std::min(dataOffset, file_.size());
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
        TensorInfo& t = tensors_[i];
        if (pending[i].offset > dataSize || pending[i].bytes > dataSize - pending[i].offset)
            throw Error(where + ": tensor '" + t.name + "' (" + std::string(dtypeName(t.dtype)) + " " + t.shapeString() + ", " +
                        std::to_string(pending[i].bytes) + " bytes at offset " + std::to_string(pending[i].offset) +
                        ") lies beyond the end of the file; it is truncated");
        t.begin = static_cast<std::size_t>(pending[i].offset);
        t.end = t.begin + pending[i].bytes;
    }
}

const nlohmann::json* GgufFile::find(const std::string& key) const {
    const auto it = metadata_.find(key);
    return it == metadata_.end() ? nullptr : &it->second;
}

const TensorInfo* GgufFile::findTensor(const std::string& name) const {
    const auto it = byName_.find(name);
    return it == byName_.end() ? nullptr : &tensors_[it->second];
}

std::optional<std::string> GgufFile::optionalString(const std::string& key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) throw Error(path().string() + ": metadata '" + key + "' must be a string");
    return v->get<std::string>();
}

std::string GgufFile::requiredString(const std::string& key) const {
    if (auto s = optionalString(key)) return *s;
    throw Error(path().string() + ": metadata '" + key + "' is missing");
}

std::optional<std::uint64_t> GgufFile::optionalUnsigned(const std::string& key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_number_integer() || (!v->is_number_unsigned() && v->get<std::int64_t>() < 0))
        throw Error(path().string() + ": metadata '" + key + "' must be a non-negative integer");
    return v->get<std::uint64_t>();
}

std::uint64_t GgufFile::requiredUnsigned(const std::string& key) const {
    if (auto n = optionalUnsigned(key)) return *n;
    throw Error(path().string() + ": metadata '" + key + "' is missing");
}

std::optional<double> GgufFile::optionalNumber(const std::string& key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_number()) throw Error(path().string() + ": metadata '" + key + "' must be a number");
    return v->get<double>();
}

std::optional<bool> GgufFile::optionalBool(const std::string& key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) throw Error(path().string() + ": metadata '" + key + "' must be a boolean");
    return v->get<bool>();
}

}  // namespace attnscope
