#include "io/ShardIndex.h"

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "Error.h"

namespace attnscope {

std::vector<std::string> shardsListedIn(const std::filesystem::path& indexFile) {
    std::ifstream in(indexFile);
    if (!in) throw Error("cannot read " + indexFile.string());
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(indexFile.string() + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
        throw Error(indexFile.string() + ": missing the object 'weight_map'");
    std::set<std::string> shards;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
        if (!it->is_string()) throw Error(indexFile.string() + ": weight_map." + it.key() + " must be a file name");
        const auto shard = it->get<std::string>();
        // A shard becomes a path in the snapshot: a plain name only, as the engine requires.
        if (shard.empty() || shard.find('/') != std::string::npos || shard.find('\\') != std::string::npos ||
            shard.find("..") != std::string::npos)
            throw Error(indexFile.string() + ": weight_map." + it.key() + " names a file outside the folder");
        shards.insert(shard);
    }
    if (shards.empty()) throw Error(indexFile.string() + ": weight_map names no shard files");
    return {shards.begin(), shards.end()};
}

}  // namespace attnscope
