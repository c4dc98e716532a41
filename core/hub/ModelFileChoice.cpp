#include "hub/ModelFileChoice.h"

#include <set>

#include "Error.h"

namespace attnscope::hub {

namespace {

// What the engine reads besides weights: the config, every tokenizer form it understands
// (tokenizer.json, or the legacy vocab.txt / vocab.json + merges.txt with their configs),
// and a vision model's preprocessor config.
const char* const kSupportFiles[] = {
    "config.json",          "tokenizer.json", "tokenizer_config.json",    "special_tokens_map.json", "vocab.txt",
    "vocab.json",           "merges.txt",     "preprocessor_config.json", "generation_config.json",
};

}  // namespace

ModelFileChoice chooseModelFiles(const std::string& repo, const std::vector<std::string>& repoFiles) {
    const std::set<std::string> present(repoFiles.begin(), repoFiles.end());
    if (!present.count("config.json"))
        throw Error("'" + repo + "' has no config.json, so it is not a transformers model AttnScope can open");
    ModelFileChoice choice;
    for (const char* name : kSupportFiles)
        if (present.count(name)) choice.files.emplace_back(name);
    // One format only, in the order the engine prefers.
    const std::pair<const char*, const char*> formats[] = {{"model.safetensors.index.json", "model.safetensors"},
                                                          {"pytorch_model.bin.index.json", "pytorch_model.bin"}};
    for (const auto& [index, single] : formats) {
        if (present.count(index)) {
            choice.files.emplace_back(index);
            choice.weightIndex = index;
            return choice;
        }
        if (present.count(single)) {
            choice.files.emplace_back(single);
            return choice;
        }
    }
    throw Error("'" + repo +
                "' has no weights AttnScope reads (model.safetensors or pytorch_model.bin, single or sharded with "
                "their index)");
}

}  // namespace attnscope::hub
