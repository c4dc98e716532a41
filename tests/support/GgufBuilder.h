#pragma once
// Writes GGUF files byte by byte for tests: the layout of gguf.h (header, typed key-values,
// tensor infos, aligned data), so that each test can build exactly the file it needs,
// malformed ones included.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fixtures {

class GgufBuilder {
public:
    enum Type : std::uint32_t { U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7, String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12 };

    std::uint32_t version = 3;
    std::uint64_t alignment = 32;

    void addString(const std::string& key, const std::string& value) { kv_.push_back(keyBytes(key, String) + str(value)); ++keys_; }
    void addU32(const std::string& key, std::uint32_t v) { kv_.push_back(keyBytes(key, U32) + pod(v)); ++keys_; }
    void addI32(const std::string& key, std::int32_t v) { kv_.push_back(keyBytes(key, I32) + pod(v)); ++keys_; }
    void addF32(const std::string& key, float v) { kv_.push_back(keyBytes(key, F32) + pod(v)); ++keys_; }
    void addBool(const std::string& key, bool v) { kv_.push_back(keyBytes(key, Bool) + pod(std::uint8_t(v))); ++keys_; }
    void addStringArray(const std::string& key, const std::vector<std::string>& values) {
        std::string b = keyBytes(key, Array) + pod(std::uint32_t(String)) + pod(std::uint64_t(values.size()));
        for (const auto& v : values) b += str(v);
        kv_.push_back(b);
        ++keys_;
    }
    template <typename T>
    void addArray(const std::string& key, Type elementType, const std::vector<T>& values) {
        std::string b = keyBytes(key, Array) + pod(std::uint32_t(elementType)) + pod(std::uint64_t(values.size()));
        for (const auto& v : values) b += pod(v);
        kv_.push_back(b);
        ++keys_;
    }
    // A raw key-value (malformed ones); counted as one key.
    void addRaw(const std::string& bytes) { kv_.push_back(bytes); ++keys_; }

    // ne as GGUF orders it (ne[0] is the row length); `data` is the tensor's stored bytes.
    void addTensor(const std::string& name, const std::vector<std::uint64_t>& ne, std::uint32_t ggmlType, const std::string& data) {
        tensors_.push_back({name, ne, ggmlType, data});
    }
    void addF32Tensor(const std::string& name, const std::vector<std::uint64_t>& ne, const std::vector<float>& values) {
        addTensor(name, ne, 0, std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4));
    }

    std::string bytes() const {
        std::string out = "GGUF" + pod(version) + pod(std::uint64_t(tensors_.size())) + pod(std::uint64_t(keys_));
        for (const auto& k : kv_) out += k;
        std::vector<std::uint64_t> offsets;
        std::uint64_t at = 0;
        for (const auto& t : tensors_) {
            at = (at + alignment - 1) / alignment * alignment;
            offsets.push_back(at);
            at += t.data.size();
        }
        for (std::size_t i = 0; i < tensors_.size(); ++i) {
            const auto& t = tensors_[i];
            out += str(t.name) + pod(std::uint32_t(t.ne.size()));
            for (auto n : t.ne) out += pod(n);
            out += pod(t.type) + pod(offsets[i]);
        }
        out.resize((out.size() + alignment - 1) / alignment * alignment, '\0');
        const std::size_t dataStart = out.size();
        for (std::size_t i = 0; i < tensors_.size(); ++i) {
            out.resize(dataStart + offsets[i], '\0');
            out += tensors_[i].data;
        }
        return out;
    }

    void write(const std::filesystem::path& file) const {
        std::ofstream(file, std::ios::binary) << bytes();
    }

    template <typename T>
    static std::string pod(T v) {
        std::string s(sizeof(T), '\0');
        std::memcpy(s.data(), &v, sizeof(T));
        return s;
    }
    static std::string str(const std::string& s) { return pod(std::uint64_t(s.size())) + s; }
    static std::string keyBytes(const std::string& key, Type type) { return str(key) + pod(std::uint32_t(type)); }

private:
    struct Tensor {
        std::string name;
        std::vector<std::uint64_t> ne;
        std::uint32_t type;
        std::string data;
    };
    std::vector<std::string> kv_;
    std::size_t keys_ = 0;
    std::vector<Tensor> tensors_;
};

}  // namespace fixtures
