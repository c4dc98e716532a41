#pragma once
// Writing PyTorch checkpoints by hand for the tests of the restricted unpickler and the ZIP
// reader: little-endian bytes, a ZIP writer shaped like torch's, a pickle builder and a
// state-dict pickle, and one-line ways to load what they wrote and get the error.
#include <QString>
#include <QTemporaryDir>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "Error.h"
#include "GoldenFixtures.h"
#include "io/CheckpointWeights.h"
#include "io/RestrictedUnpickler.h"
#include "io/TorchCheckpoint.h"
#include "io/ZipArchive.h"
#include "model/TransformerModel.h"

namespace torchfixtures {

using namespace attnscope;
namespace fs = std::filesystem;

// ---- bytes -----------------------------------------------------------------------------

inline void putLe(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

inline std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void writeFile(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string floatBytes(const std::vector<float>& v) {
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

// ---- a ZIP writer shaped like torch's (stored entries, data aligned to 64 bytes) ----------

inline std::string zipStored(const std::vector<std::pair<std::string, std::string>>& entries, bool zip64 = false) {
    std::string out, cd;
    for (const auto& [name, data] : entries) {
        const std::size_t offset = out.size();
        const std::size_t pad = (64 - (offset + 30 + name.size() + 4) % 64) % 64;
        const auto crc = crc32(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
        putLe(out, 0x04034b50, 4);
        putLe(out, 20, 2);
        putLe(out, 0x800, 2);
        putLe(out, 0, 2);  // stored
        putLe(out, 0, 4);  // time, date
        putLe(out, crc, 4);
        putLe(out, data.size(), 4);
        putLe(out, data.size(), 4);
        putLe(out, name.size(), 2);
        putLe(out, 4 + pad, 2);
        out += name;
        putLe(out, 0x4246, 2);  // torch's padding field
        putLe(out, pad, 2);
        out += std::string(pad, 'Z');
        out += data;

        putLe(cd, 0x02014b50, 4);
        putLe(cd, 45, 2);
        putLe(cd, 45, 2);
        putLe(cd, 0x800, 2);
        putLe(cd, 0, 2);
        putLe(cd, 0, 4);
        putLe(cd, crc, 4);
        putLe(cd, zip64 ? 0xffffffffu : data.size(), 4);
        putLe(cd, zip64 ? 0xffffffffu : data.size(), 4);
        putLe(cd, name.size(), 2);
        putLe(cd, zip64 ? 28 : 0, 2);
        putLe(cd, 0, 2);  // comment
        putLe(cd, 0, 2);  // disk
        putLe(cd, 0, 2);
        putLe(cd, 0, 4);
        putLe(cd, zip64 ? 0xffffffffu : offset, 4);
        cd += name;
        if (zip64) {
            putLe(cd, 0x0001, 2);
            putLe(cd, 24, 2);
            putLe(cd, data.size(), 8);
            putLe(cd, data.size(), 8);
            putLe(cd, offset, 8);
        }
    }
    const std::size_t cdOffset = out.size();
    out += cd;
    if (zip64) {
        const std::size_t recOffset = out.size();
        putLe(out, 0x06064b50, 4);
        putLe(out, 44, 8);
        putLe(out, 45, 2);
        putLe(out, 45, 2);
        putLe(out, 0, 4);
        putLe(out, 0, 4);
        putLe(out, entries.size(), 8);
        putLe(out, entries.size(), 8);
        putLe(out, cd.size(), 8);
        putLe(out, cdOffset, 8);
        putLe(out, 0x07064b50, 4);
        putLe(out, 0, 4);
        putLe(out, recOffset, 8);
        putLe(out, 1, 4);
    }
    putLe(out, 0x06054b50, 4);
    putLe(out, 0, 2);
    putLe(out, 0, 2);
    putLe(out, zip64 ? 0xffff : entries.size(), 2);
    putLe(out, zip64 ? 0xffff : entries.size(), 2);
    putLe(out, zip64 ? 0xffffffffu : cd.size(), 4);
    putLe(out, zip64 ? 0xffffffffu : cdOffset, 4);
    putLe(out, 0, 2);
    return out;
}

// ---- a pickle writer for the opcodes torch.save emits -----------------------------------

struct Pickle {
    std::string b;
    Pickle& raw(const std::string& s) { b += s; return *this; }
    Pickle& op(char c) { b += c; return *this; }
    Pickle& proto() { return raw(std::string("\x80\x02", 2)); }
    Pickle& mark() { return op('('); }
    Pickle& str(const std::string& s) {
        op('X');
        putLe(b, s.size(), 4);
        return raw(s);
    }
    Pickle& global(const std::string& module, const std::string& name) { return op('c').raw(module + "\n" + name + "\n"); }
    Pickle& integer(std::int64_t v) {
        if (v >= 0 && v < 256) {
            op('K');
            putLe(b, static_cast<std::uint64_t>(v), 1);
        } else if (v >= 0 && v < 65536) {
            op('M');
            putLe(b, static_cast<std::uint64_t>(v), 2);
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            op('J');
            putLe(b, static_cast<std::uint64_t>(v), 4);
        } else {
            op('\x8a');
            putLe(b, 8, 1);
            putLe(b, static_cast<std::uint64_t>(v), 8);
        }
        return *this;
    }
    Pickle& ints(const std::vector<std::int64_t>& v) {
        mark();
        for (auto x : v) integer(x);
        return op('t');
    }
    Pickle& stop() { return op('.'); }
};

struct TensorSpec {
    std::string name;
    std::string key;                    // storage key
    std::string storageType = "FloatStorage";
    std::int64_t storageNumel = 0;
    std::int64_t offset = 0;
    std::vector<std::int64_t> shape, stride;
    bool parameter = false;             // wrapped in _rebuild_parameter
};

inline std::vector<std::int64_t> rowMajor(const std::vector<std::int64_t>& shape) {
    std::vector<std::int64_t> s(shape.size(), 1);
    for (std::size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
    return s;
}

// One _rebuild_tensor_v2(...) REDUCE, as torch writes it.
inline void tensorOps(Pickle& p, const TensorSpec& t) {
    if (t.parameter) p.global("torch._utils", "_rebuild_parameter").mark();
    p.global("torch._utils", "_rebuild_tensor_v2").mark();
    p.mark().str("storage").global("torch", t.storageType).str(t.key).str("cpu").integer(t.storageNumel).op('t').op('Q');
    p.integer(t.offset).ints(t.shape).ints(t.stride.empty() ? rowMajor(t.shape) : t.stride);
    p.op('\x89').global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
    if (t.parameter) p.op('\x89').global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
}

// A state-dict pickle {name: tensor, ...}, optionally nested under "state_dict".
inline std::string stateDictPickle(const std::vector<TensorSpec>& tensors, bool nested = false, bool withMetadata = false) {
    Pickle p;
    p.proto();
    if (nested) p.op('}').mark().str("epoch").integer(3).str("state_dict");
    p.global("collections", "OrderedDict").op(')').op('R');
    p.mark();
    for (const auto& t : tensors) {
        p.str(t.name);
        tensorOps(p, t);
    }
    p.op('u');
    if (withMetadata) p.op('}').mark().str("_metadata").op('}').op('u').op('b');  // BUILD {'_metadata': {}}
    if (nested) p.op('u');
    return p.stop().b;
}

inline std::string torchZip(const std::string& pickle, const std::map<std::string, std::string>& storages,
                     const std::string& folder = "archive", bool zip64 = false) {
    std::vector<std::pair<std::string, std::string>> entries{{folder + "/data.pkl", pickle},
                                                             {folder + "/byteorder", "little"}};
    for (const auto& [key, bytes] : storages) entries.push_back({folder + "/data/" + key, bytes});
    entries.push_back({folder + "/version", "3\n"});
    return zipStored(entries, zip64);
}

// The legacy stream: magic, protocol, sys_info, the main pickle, the keys, the storages.
inline std::string legacyFile(const std::string& mainPickle, const std::vector<std::pair<std::string, std::string>>& storages,
                       std::size_t elementSize = 4) {
    std::string out = std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15);
    out += std::string("\x80\x02M\xe9\x03.", 6);  // 1001
    Pickle info;
    info.proto().op('}').mark().str("protocol_version").integer(1001).str("little_endian").op('\x88').op('u').stop();
    out += info.b + mainPickle;
    Pickle keys;
    keys.proto().op(']').mark();
    for (const auto& [key, bytes] : storages) keys.str(key);
    keys.op('e').stop();
    out += keys.b;
    for (const auto& [key, bytes] : storages) {
        putLe(out, bytes.size() / elementSize, 8);
        out += bytes;
    }
    return out;
}

// ---- loading helpers ---------------------------------------------------------------------

inline QString loadError(const fs::path& path) {
    try {
        TorchCheckpoint c(path);
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

inline QString loadErrorOf(const QTemporaryDir& dir, const std::string& bytes) {
    const fs::path p = fs::path(dir.path().toStdString()) / "pytorch_model.bin";
    writeFile(p, bytes);
    return loadError(p);
}

inline QString unpickleError(const std::string& bytes) {
    try {
        pickle::RestrictedUnpickler u(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), "test.pkl");
        u.load();
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

inline std::unique_ptr<TransformerModel> loadModel(const fs::path& dir) {
    return std::make_unique<TransformerModel>(ModelConfig::fromFile(dir / "config.json"), std::make_unique<CheckpointWeights>(dir));
}

// A temporary model folder: config.json (and preprocessor config) plus the given weights file.
inline fs::path modelFolder(const QTemporaryDir& tmp, const std::string& family, const fs::path& weights) {
    const fs::path dir = fs::path(tmp.path().toStdString()) / (family + "_" + weights.filename().string());
    fs::create_directories(dir);
    const fs::path model = fixtures::goldenDir() / family / "model";
    fs::copy_file(model / "config.json", dir / "config.json");
    fs::copy_file(weights, dir / "pytorch_model.bin");
    return dir;
}

inline ForwardInput goldenInput(const std::string& family, const ModelConfig& config) {
    const fs::path dir = fixtures::goldenDir() / family;
    const auto expected = fixtures::readJson(dir / "expected.json");
    ForwardInput in;
    if (config.spec().readsImages()) {
        SafetensorsFile golden(dir / "expected.safetensors");
        const TensorInfo* px = golden.find("case0.pixel_values");
        if (!px) throw std::runtime_error("no pixel values");
        in.pixels = {int(px->shape[0]), int(px->shape[1]), int(px->shape[2]), golden.toFloat(*px)};
    } else {
        const auto& c = expected["cases"][0];
        in.ids = c["ids"].get<std::vector<int>>();
        if (c.contains("text_pair") && c.contains("type_ids")) in.typeIds = c["type_ids"].get<std::vector<int>>();
    }
    return in;
}

inline bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace torchfixtures
