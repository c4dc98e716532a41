#pragma once
// Which files of a hub repository AttnScope needs: the config, the tokenizer and image
// preprocessor files, and one format of weights — safetensors when the repository has them,
// else pytorch_model.bin — single or sharded. Everything else (other frameworks' weights,
// ONNX exports, READMEs) is left on the server.
#include <filesystem>
#include <string>
#include <vector>

#include "io/ShardIndex.h"  // shardsListedIn, for the hub code that reads an index

namespace attnscope::hub {

struct ModelFileChoice {
    // The files to fetch, in order; a sharded checkpoint's index is among them but its
    // shards are not (they are named inside the index; see shardsListedIn).
    std::vector<std::string> files;
    // "model.safetensors.index.json" or "pytorch_model.bin.index.json"; empty when unsharded.
    std::string weightIndex;
};

// Chooses from the repository's file list. The weights are picked in the order the engine
// loads them (core/io/CheckpointWeights): safetensors index, model.safetensors, then the
// same for pytorch_model.bin. Throws attnscope::Error when there is no config.json or no
// weights the engine reads, naming the repository.
ModelFileChoice chooseModelFiles(const std::string& repo, const std::vector<std::string>& repoFiles);

}  // namespace attnscope::hub
