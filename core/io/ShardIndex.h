#pragma once
// Sharded checkpoints: model.safetensors.index.json and pytorch_model.bin.index.json name
// their shard files in a weight_map (tensor name -> file).
#include <filesystem>
#include <string>
#include <vector>

namespace attnscope {

// The shard files a weight index names (its weight_map's values), each once, sorted. Throws
// attnscope::Error for a malformed index or a shard name that is not a plain file name.
std::vector<std::string> shardsListedIn(const std::filesystem::path& indexFile);

}  // namespace attnscope
