#pragma once
// Typed access to tokenizer.json fields with errors that name the file and the field path,
// e.g. "tokenizer.json: model.vocab: expected an object".
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "Error.h"

namespace attnscope {

class JsonFields {
public:
    explicit JsonFields(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const std::string& path, const std::string& what) const {
        throw Error(file_ + ": " + path + ": " + what);
    }
    const std::string& file() const { return file_; }

    const nlohmann::json& require(const nlohmann::json& obj, const std::string& path, const char* key) const {
        if (!obj.is_object()) fail(path, "expected an object");
        auto it = obj.find(key);
        if (it == obj.end()) fail(join(path, key), "missing");
        return *it;
    }
    // Null when absent.
    const nlohmann::json& optional(const nlohmann::json& obj, const char* key) const {
        static const nlohmann::json null;
        if (!obj.is_object()) return null;
        auto it = obj.find(key);
        return it == obj.end() ? null : *it;
    }

    std::string string(const nlohmann::json& obj, const std::string& path, const char* key) const {
        const nlohmann::json& v = require(obj, path, key);
        if (!v.is_string()) fail(join(path, key), "expected a string");
        return v.get<std::string>();
    }
    std::optional<std::string> optionalString(const nlohmann::json& obj, const std::string& path, const char* key) const {
        const nlohmann::json& v = optional(obj, key);
        if (v.is_null()) return std::nullopt;
        if (!v.is_string()) fail(join(path, key), "expected a string");
        return v.get<std::string>();
    }
    bool boolean(const nlohmann::json& obj, const std::string& path, const char* key, bool fallback) const {
        const nlohmann::json& v = optional(obj, key);
        if (v.is_null()) return fallback;
        if (!v.is_boolean()) fail(join(path, key), "expected true or false");
        return v.get<bool>();
    }
    long integer(const nlohmann::json& obj, const std::string& path, const char* key, std::optional<long> fallback) const {
        const nlohmann::json& v = optional(obj, key);
        if (v.is_null()) {
            if (fallback) return *fallback;
            fail(join(path, key), "missing");
        }
        if (!v.is_number_integer()) fail(join(path, key), "expected an integer");
        return v.get<long>();
    }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

private:
    std::string file_;
};

}  // namespace attnscope
