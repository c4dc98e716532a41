#include "io/TorchCheckpoint.h"

#include <cstring>
#include <functional>
#include <limits>

#include "Error.h"
#include "io/RestrictedUnpickler.h"
#include "io/ZipArchive.h"

namespace attnscope {
namespace {

using pickle::Kind;
using pickle::Object;
using pickle::StorageRef;
using pickle::TensorRef;

struct Bytes {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
};
// Where a storage's bytes are, or an exception naming what is wrong with it.
using StorageResolver = std::function<Bytes(const StorageRef&)>;

// The legacy format begins with this number, pickled (torch.serialization.MAGIC_NUMBER),
// followed by the protocol version torch wrote then.
constexpr std::uint8_t kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};  // 0x1950a86a20f9469cfc6c
constexpr std::int64_t kLegacyProtocolVersion = 1001;

// a * b, or nullopt-like failure when it would exceed `limit`.
bool mulWithin(std::uint64_t a, std::uint64_t b, std::uint64_t limit, std::uint64_t& out) {
    if (a != 0 && b > limit / a) return false;
    out = a * b;
    return true;
}

std::string shapeString(const std::vector<std::int64_t>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

bool hasTensorValue(const Object& dict) {
    for (std::size_t i = 1; i < dict.items.size(); i += 2)
        if (dict.items[i]->kind == Kind::Tensor) return true;
    return false;
}

// The state dict in an unpickled checkpoint: the top-level dict, or (when that holds no
// tensors) the dict under "state_dict" or "model", as training scripts often save.
const Object& findStateDict(const Object& root, const std::string& where) {
    if (root.kind != Kind::Dict)
        throw Error(where + ": the checkpoint holds a " + std::string(pickle::kindName(root.kind)) +
                    ", not a state dict (a dict of tensors)");
    if (hasTensorValue(root)) return root;
    for (const char* key : {"state_dict", "model"}) {
        for (std::size_t i = 0; i + 1 < root.items.size(); i += 2) {
            const Object& k = *root.items[i];
            const Object& v = *root.items[i + 1];
            if (k.kind == Kind::String && k.text == key && v.kind == Kind::Dict && hasTensorValue(v)) return v;
        }
    }
    throw Error(where + ": the checkpoint's state dict holds no tensors");
}

// Validates one tensor against its storage and describes it. Every size, stride and
// offset is checked so that no element index can leave the storage's bytes.
TorchTensor makeTensor(const std::string& name, const TensorRef& ref, Bytes storage, const std::string& where) {
    const std::string tw = where + ": tensor '" + name + "'";
    TorchTensor t;
    t.name = name;
    t.dtype = ref.dtype;
    t.shape = ref.shape;
    t.stride = ref.stride;
    t.storageOffset = ref.storageOffset;
    t.storage = storage.data;
    t.storageBytes = storage.size;
    const std::size_t es = dtypeSize(t.dtype);
    const std::uint64_t storageElements = storage.size / es;
    constexpr std::uint64_t kMaxElements = std::numeric_limits<std::int64_t>::max() / 16;

    std::uint64_t count = 1;
    for (auto d : t.shape)
        if (!mulWithin(count, static_cast<std::uint64_t>(d), kMaxElements, count))
            throw Error(tw + ": shape " + shapeString(t.shape) + " is impossibly large");
    if (static_cast<std::uint64_t>(t.storageOffset) > storageElements)
        throw Error(tw + ": storage offset " + std::to_string(t.storageOffset) + " lies past its storage of " +
                    std::to_string(storageElements) + " elements; the file is truncated or corrupt");
    if (count > 0) {
        // Highest element index the view touches: offset + sum((size - 1) * stride).
        std::uint64_t last = static_cast<std::uint64_t>(t.storageOffset);
        for (std::size_t i = 0; i < t.shape.size(); ++i) {
            std::uint64_t span = 0;
            if (!mulWithin(static_cast<std::uint64_t>(t.shape[i] - 1), static_cast<std::uint64_t>(t.stride[i]), kMaxElements, span) ||
                span > kMaxElements - last)
                throw Error(tw + ": stride " + shapeString(t.stride) + " is impossibly large");
            last += span;
        }
        if (last >= storageElements)
            throw Error(tw + ": shape " + shapeString(t.shape) + " with stride " + shapeString(t.stride) + " and offset " +
                        std::to_string(t.storageOffset) + " reaches element " + std::to_string(last) +
                        " of a storage of " + std::to_string(storageElements) + " " + std::string(dtypeName(t.dtype)) +
                        " elements; the file is truncated or corrupt");
    }
    // Row-major with no gaps? Dimensions of size 1 may carry any stride.
    std::int64_t expected = 1;
    for (std::size_t i = t.shape.size(); i-- > 0;) {
        if (t.shape[i] != 1 && t.stride[i] != expected) t.contiguous = false;
        expected *= t.shape[i];
    }
    return t;
}

std::vector<TorchTensor> tensorsOf(const Object& root, const StorageResolver& resolve, const std::string& where) {
    const Object& dict = findStateDict(root, where);
    std::vector<TorchTensor> out;
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2) {
        const Object& key = *dict.items[i];
        const Object& value = *dict.items[i + 1];
        if (value.kind != Kind::Tensor) continue;  // e.g. an epoch counter next to the weights
        if (key.kind != Kind::String)
            throw Error(where + ": a tensor in the state dict is keyed by a " + std::string(pickle::kindName(key.kind)) +
                        ", not a name");
        const TensorRef& ref = *value.tensor;
        Bytes bytes;
        try {
            bytes = resolve(*ref.storage);
        } catch (const Error& e) {
            throw Error(std::string(e.what()) + " (needed by tensor '" + key.text + "')");
        }
        TorchTensor t = makeTensor(key.text, ref, bytes, where);
        auto it = seen.find(t.name);
        if (it != seen.end()) {
            out[it->second] = std::move(t);  // a later duplicate key wins, as in Python
        } else {
            seen[t.name] = out.size();
            out.push_back(std::move(t));
        }
    }
    return out;
}

// Bytes of `numel` elements of the storage's element type, or an error.
std::uint64_t storageByteCount(const StorageRef& s, std::uint64_t numel, const std::string& where) {
    std::uint64_t bytes = 0;
    if (!mulWithin(numel, s.untyped ? 1 : dtypeSize(s.dtype), std::numeric_limits<std::int64_t>::max(), bytes))
        throw Error(where + ": storage '" + s.key + "' claims an impossible size of " + std::to_string(numel) + " elements");
    return bytes;
}

}  // namespace

std::int64_t TorchTensor::elementCount() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

TorchCheckpoint::TorchCheckpoint(const std::filesystem::path& path) : file_(path) {
    const std::string where = path.string();
    // A ZIP starts with a local header; checking the end record too sends a ZIP whose
    // start was damaged to the ZIP reader, and a truncated one gets the ZIP reader's message.
    const bool zipStart = file_.size() >= 4 && std::memcmp(file_.data(), "PK\x03\x04", 4) == 0;
    if (zipStart || ZipArchive::looksLikeZip(file_.data(), file_.size())) {
        readZip();
    } else if (file_.size() >= 2 && file_.data()[0] == 0x80) {  // a pickle PROTO opcode
        legacy_ = true;
        readLegacy();
    } else if (file_.size() >= 262 && std::memcmp(file_.data() + 257, "ustar", 5) == 0) {
        throw Error(where + ": a tar-format PyTorch checkpoint (torch before 0.4) is not supported; re-save it with a current torch");
    } else {
        throw Error(where + ": not a PyTorch checkpoint (neither a ZIP archive nor a pickle); the file is truncated or of another kind");
    }
}

void TorchCheckpoint::readZip() {
    const ZipArchive zip(file_);
    if (zip.entries().empty()) throw Error(zip.where() + ": the ZIP archive is empty; not a PyTorch checkpoint");
    // Like torch, take the archive's folder from its first entry; its name varies (it is
    // the file name the checkpoint was first saved under).
    const std::string& first = zip.entries().front().name;
    const auto slash = first.find('/');
    if (slash == std::string::npos || slash == 0)
        throw Error(zip.where() + ": the ZIP archive has no top-level folder; not a PyTorch checkpoint");
    const std::string prefix = first.substr(0, slash + 1);
    const ZipEntry* pkl = zip.find(prefix + "data.pkl");
    if (!pkl) throw Error(zip.where() + ": the ZIP archive has no " + prefix + "data.pkl; not a PyTorch checkpoint");
    if (const ZipEntry* order = zip.find(prefix + "byteorder")) {
        const auto b = zip.read(*order);
        const std::string value(reinterpret_cast<const char*>(b.data), b.size);
        if (value != "little")
            throw Error(zip.where() + ": the checkpoint was saved with byte order '" + value.substr(0, 16) +
                        "'; only little-endian checkpoints are supported");
    }
    const auto pickleBytes = zip.readVerified(*pkl);
    pickle::RestrictedUnpickler unpickler(pickleBytes.data, pickleBytes.size, zip.where() + " (" + pkl->name + ")");
    const Object& root = unpickler.load();

    const StorageResolver resolve = [&](const StorageRef& s) -> Bytes {
        if (s.isView) throw Error(zip.where() + ": storage '" + s.key + "' is a legacy storage view, which a ZIP checkpoint cannot hold");
        const ZipEntry* e = zip.find(prefix + "data/" + s.key);
        if (!e) throw Error(zip.where() + ": storage '" + s.key + "' is missing from the archive (" + prefix + "data/" + s.key + ")");
        const auto span = zip.read(*e);
        const std::uint64_t need = storageByteCount(s, static_cast<std::uint64_t>(s.numel), zip.where());
        if (span.size < need)
            throw Error(zip.where() + ": storage '" + s.key + "' holds " + std::to_string(span.size) + " bytes but " +
                        std::to_string(s.numel) + " elements need " + std::to_string(need) + "; the file is corrupt");
        return {span.data, static_cast<std::size_t>(need)};
    };
    setTensors(tensorsOf(root, resolve, zip.where()));
}

void TorchCheckpoint::readLegacy() {
    const std::string where = file_.path().string();
    pickle::RestrictedUnpickler unpickler(file_.data(), file_.size(), where);
    std::size_t pos = 0;

    const Object* magic = nullptr;
    try {
        magic = &unpickler.load(0, &pos);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + " (the file is not a PyTorch checkpoint: it does not start with torch's magic number)");
    }
    if (magic->kind != Kind::BigInt || magic->text.size() != sizeof(kLegacyMagic) ||
        std::memcmp(magic->text.data(), kLegacyMagic, sizeof(kLegacyMagic)) != 0)
        throw Error(where + ": not a PyTorch checkpoint (wrong magic number at the start of the pickle stream)");
    const Object& protocol = unpickler.load(pos, &pos);
    if (protocol.kind != Kind::Int || protocol.integer != kLegacyProtocolVersion)
        throw Error(where + ": unsupported legacy PyTorch checkpoint protocol version" +
                    (protocol.kind == Kind::Int ? " " + std::to_string(protocol.integer) : std::string()));
    const Object& sysInfo = unpickler.load(pos, &pos);
    if (sysInfo.kind != Kind::Dict) throw Error(where + ": the legacy checkpoint's system information is not a dict; the file is corrupt");
    for (std::size_t i = 0; i + 1 < sysInfo.items.size(); i += 2) {
        const Object& k = *sysInfo.items[i];
        const Object& v = *sysInfo.items[i + 1];
        if (k.kind == Kind::String && k.text == "little_endian" && !(v.kind == Kind::Bool && v.integer == 1))
            throw Error(where + ": the checkpoint was saved on a big-endian machine; only little-endian checkpoints are supported");
    }
    const Object& root = unpickler.load(pos, &pos);
    const Object& keys = unpickler.load(pos, &pos);
    if (keys.kind != Kind::List && keys.kind != Kind::Tuple)
        throw Error(where + ": the legacy checkpoint's storage key list is a " + std::string(pickle::kindName(keys.kind)) +
                    "; the file is corrupt");

    // The storages' element types come from the persistent ids that named them.
    std::map<std::string, const StorageRef*> typeOf;
    for (const StorageRef* s : unpickler.storages()) {
        auto [it, inserted] = typeOf.emplace(s->key, s);
        if (!inserted && (it->second->dtype != s->dtype || it->second->untyped != s->untyped))
            throw Error(where + ": storage '" + s->key + "' is named with two different element types; the file is corrupt");
    }
    // Then, in key order: an 8-byte little-endian element count and the raw elements.
    std::map<std::string, Bytes> stored;
    for (const Object* k : keys.items) {
        if (k->kind != Kind::String) throw Error(where + ": a storage key is not a string; the file is corrupt");
        auto type = typeOf.find(k->text);
        if (type == typeOf.end())
            throw Error(where + ": storage '" + k->text + "' is listed but no tensor uses it, so its element type is unknown");
        if (stored.count(k->text)) throw Error(where + ": storage '" + k->text + "' is listed twice; the file is corrupt");
        if (file_.size() - pos < 8)
            throw Error(where + ": storage '" + k->text + "' is missing; the file is truncated");
        std::uint64_t numel = 0;
        for (int i = 7; i >= 0; --i) numel = (numel << 8) | file_.data()[pos + static_cast<std::size_t>(i)];
        pos += 8;
        const std::uint64_t bytes = storageByteCount(*type->second, numel, where);
        if (bytes > file_.size() - pos)
            throw Error(where + ": storage '" + k->text + "' claims " + std::to_string(bytes) + " bytes but only " +
                        std::to_string(file_.size() - pos) + " remain; the file is truncated");
        stored[k->text] = {file_.data() + pos, static_cast<std::size_t>(bytes)};
        pos += static_cast<std::size_t>(bytes);
    }

    const StorageResolver resolve = [&](const StorageRef& s) -> Bytes {
        auto it = stored.find(s.key);
        if (it == stored.end()) throw Error(where + ": storage '" + s.key + "' is not in the file; the file is truncated or corrupt");
        Bytes b = it->second;
        if (s.isView) {
            // A view of a larger storage (torch < 0.4 wrote these): a sub-range of the root.
            const std::size_t es = s.untyped ? 1 : dtypeSize(s.dtype);
            std::uint64_t begin = 0, length = 0;
            if (!mulWithin(static_cast<std::uint64_t>(s.viewOffset), es, b.size, begin) ||
                !mulWithin(static_cast<std::uint64_t>(s.viewSize), es, b.size, length) || length > b.size - begin)
                throw Error(where + ": storage view '" + s.viewKey + "' lies outside storage '" + s.key + "'; the file is corrupt");
            b = {b.data + begin, static_cast<std::size_t>(length)};
        }
        return b;
    };
    setTensors(tensorsOf(root, resolve, where));
}

void TorchCheckpoint::setTensors(std::vector<TorchTensor> tensors) {
    tensors_ = std::move(tensors);
    for (std::size_t i = 0; i < tensors_.size(); ++i) index_[tensors_[i].name] = i;
}

const TorchTensor* TorchCheckpoint::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

std::vector<float> TorchCheckpoint::toFloat(const TorchTensor& t) const {
    const auto n = static_cast<std::size_t>(t.elementCount());
    std::vector<float> out(n);
    if (n == 0) return out;
    if (t.contiguous) {
        convertToFloat(t.dtype, t.data(), n, out.data());
        return out;
    }
    // Gather a strided view element by element, counting the index like an odometer.
    const std::size_t es = dtypeSize(t.dtype);
    const std::size_t dims = t.shape.size();
    std::vector<std::int64_t> index(dims, 0);
    std::int64_t offset = t.storageOffset;  // in elements; stays inside the storage (checked on open)
    for (std::size_t i = 0; i < n; ++i) {
        convertToFloat(t.dtype, t.storage + static_cast<std::size_t>(offset) * es, 1, &out[i]);
        for (std::size_t d = dims; d-- > 0;) {
            if (++index[d] < t.shape[d]) {
                offset += t.stride[d];
                break;
            }
            offset -= (t.shape[d] - 1) * t.stride[d];
            index[d] = 0;
        }
    }
    return out;
}

}  // namespace attnscope
