#pragma once
// The GGUF files of the programs people run models with, found where those programs keep them:
//  - Ollama: $OLLAMA_MODELS, else ~/.ollama/models. A model NAME[:TAG] (TAG "latest" unless
//    given; NAME may be NAMESPACE/NAME, "library" otherwise) has a manifest at
//    manifests/registry.ollama.ai/NAMESPACE/NAME/TAG (an OCI image manifest in JSON) whose layer
//    of media type application/vnd.ollama.image.model is a plain GGUF file stored as
//    blobs/sha256-HEX.
//  - LM Studio: ~/.lmstudio/models/PUBLISHER/MODEL/*.gguf, and the older
//    ~/.cache/lm-studio/models in the same layout.
#include <filesystem>
#include <string>
#include <vector>

namespace attnscope::hub {

inline constexpr const char* kOllamaPrefix = "ollama:";

std::filesystem::path ollamaRoot();

// The GGUF blob of an Ollama model reference (without the "ollama:" prefix). Throws
// attnscope::Error naming the store and the model when either is missing, or the manifest
// names no model layer or its blob is absent.
std::filesystem::path resolveOllamaModel(const std::string& name, const std::filesystem::path& root);

struct LocalGguf {
    std::string name;              // "llama3.2:1b" (Ollama) or "PUBLISHER/MODEL/FILE.gguf" (LM Studio)
    std::filesystem::path file;    // the GGUF file
    std::string store;             // "Ollama" or "LM Studio"
};

// Every model of the Ollama store at `root` whose blob is present, sorted by name.
std::vector<LocalGguf> ollamaModels(const std::filesystem::path& root);
// LM Studio's model folders, newer first; those that do not exist are included.
std::vector<std::filesystem::path> lmStudioRoots();
// Every *.gguf two folders below `root` (PUBLISHER/MODEL/), sorted by name.
std::vector<LocalGguf> lmStudioModels(const std::filesystem::path& root);

}  // namespace attnscope::hub
