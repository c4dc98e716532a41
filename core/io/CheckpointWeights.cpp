#include "io/CheckpointWeights.h"

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "Error.h"

namespace attnscope {

std::int64_t FloatTensor::elementCount() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

CheckpointWeights::CheckpointWeights(const std::filesystem::path& folder) {
    const auto single = folder / "model.safetensors";
    const auto index = folder / "model.safetensors.index.json";
    std::vector<std::filesystem::path> shardPaths;
    if (std::filesystem::exists(index)) {
        std::ifstream in(index);
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            throw Error(index.string() + ": not valid JSON (" + e.what() + ")");
        }
        if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
            throw Error(index.string() + ": missing the object 'weight_map'");
        std::set<std::string> shards;
        for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
            if (!it->is_string()) throw Error(index.string() + ": weight_map." + it.key() + " must be a file name");
            const auto shard = it->get<std::string>();
            if (shard.find('/') != std::string::npos || shard.find("..") != std::string::npos)
                throw Error(index.string() + ": weight_map." + it.key() + " names a file outside the folder");
            shards.insert(shard);
        }
        for (const auto& s : shards) shardPaths.push_back(folder / s);
    } else if (std::filesystem::exists(single)) {
        shardPaths.push_back(single);
    } else {
        throw Error(folder.string() + ": no weights found (expected model.safetensors or model.safetensors.index.json)");
    }
    for (const auto& p : shardPaths) {
        files_.push_back(std::make_unique<SafetensorsFile>(p));
        for (const auto& t : files_.back()->tensors()) {
            if (where_.count(t.name))
                throw Error(p.string() + ": tensor '" + t.name + "' also appears in another shard");
            where_[t.name] = {files_.back().get(), &t};
        }
    }
}

const TensorInfo* CheckpointWeights::info(const std::string& name) const {
    auto it = where_.find(name);
    return it == where_.end() ? nullptr : it->second.info;
}

FloatTensor CheckpointWeights::get(const std::string& name) const {
    auto it = where_.find(name);
    if (it == where_.end()) throw Error(describeSource() + ": missing tensor '" + name + "'");
    const auto& [file, t] = it->second;
    FloatTensor out;
    out.shape = t->shape;
    out.name = name;
    const std::uint8_t* bytes = file->bytes(*t);
    if (t->dtype == DType::F32 && reinterpret_cast<std::uintptr_t>(bytes) % alignof(float) == 0) {
        out.data = reinterpret_cast<const float*>(bytes);
    } else {
        std::vector<float> values = file->toFloat(*t);
        std::lock_guard lock(convertedMutex_);
        converted_.push_back(std::move(values));
        out.data = converted_.back().data();
    }
    return out;
}

std::vector<std::string> CheckpointWeights::names() const {
    std::vector<std::string> out;
    for (const auto& [name, loc] : where_) out.push_back(name);
    return out;
}

std::int64_t CheckpointWeights::parameterCount() const {
    std::int64_t n = 0;
    for (const auto& [name, loc] : where_) n += loc.info->elementCount();
    return n;
}

std::string CheckpointWeights::describeSource() const {
    if (files_.size() == 1) return files_.front()->path().string();
    return files_.empty() ? std::string("weights") : files_.front()->path().parent_path().string() + " (sharded weights)";
}

}  // namespace attnscope
