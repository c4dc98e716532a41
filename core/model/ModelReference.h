#pragma once
// Model references: what the user types or picks where a model is expected. A reference is
// a path to a Hugging Face model folder, `builtin:NAME` for one of the teaching models
// shipped with AttnScope (resources/builtin/NAME), or a hub id `org/name[@revision]` (also a
// legacy one-word id such as `gpt2`) found in the Hugging Face cache (core/hub/HubCache.h),
// a GGUF file, or `ollama:NAME[:TAG]` for a model in Ollama's store (core/hub/LocalModelStores.h).
#include <filesystem>
#include <string>
#include <vector>

namespace attnscope {

inline constexpr const char* kBuiltinPrefix = "builtin:";

// The names of the built-in models, in display order ("induction", "shapes").
const std::vector<std::string>& builtinModelNames();

// True when ref starts with "builtin:".
bool isBuiltinReference(const std::string& ref);

// The folders searched for built-in models, in order: $ATTNSCOPE_BUILTIN_DIR (when set), the
// installed share/attnscope/builtin next to the executable (../share/attnscope/builtin
// relative to the folder of /proc/self/exe), and, for executables inside the build tree only,
// the source tree's resources/builtin (compile-time ATTNSCOPE_BUILTIN_BUILD_DIR). Folders that
// do not exist are included.
std::vector<std::filesystem::path> builtinSearchPath();

// A path that exists is returned unchanged, even when it also reads as a hub id. `builtin:NAME`
// maps to the first folder of builtinSearchPath() that holds NAME/config.json. Otherwise an
// id-shaped reference ("org/name", "org/name@v2", "gpt2") maps to its snapshot folder in the
// Hugging Face cache, and anything else (e.g. a missing absolute path) is returned unchanged.
// Throws attnscope::Error for an unknown built-in name (listing the built-in names), when no
// search folder holds the model, or when the cache lacks the id or its revision.
std::filesystem::path resolveModelReference(const std::string& ref);

// The folder of a shared resource next to the built-in models, e.g. "samples": the
// sibling of the first builtinSearchPath() folder that has it. Empty when none does.
std::filesystem::path findResourceFolder(const std::string& name);

}  // namespace attnscope
