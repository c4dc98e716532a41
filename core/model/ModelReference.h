#pragma once
// Model references: what the user types or picks where a model is expected. A reference is
// either a path to a Hugging Face model folder, or `builtin:NAME` for one of the teaching
// models shipped with AttnScope (resources/builtin/NAME).
#include <filesystem>
#include <string>
#include <vector>

namespace attnscope {

inline constexpr const char* kBuiltinPrefix = "builtin:";

// The names of the built-in models, in display order ("induction", "shapes").
const std::vector<std::string>& builtinModelNames();

// True when ref starts with "builtin:".
bool isBuiltinReference(const std::string& ref);

// The folders searched for built-in models, in order: $ATTNSCOPE_BUILTIN_DIR (when set),
// the source tree's resources/builtin (compile-time ATTNSCOPE_BUILTIN_BUILD_DIR), and the
// installed share/attnscope/builtin next to the executable (../share/attnscope/builtin
// relative to the folder of /proc/self/exe). Folders that do not exist are included.
std::vector<std::filesystem::path> builtinSearchPath();

// A plain path is returned unchanged. `builtin:NAME` maps to the first folder of
// builtinSearchPath() that holds NAME/config.json. Throws attnscope::Error for an unknown
// name (listing the built-in names) or when no search folder holds the model.
std::filesystem::path resolveModelReference(const std::string& ref);

// The folder of a shared resource next to the built-in models, e.g. "samples": the
// sibling of the first builtinSearchPath() folder that has it. Empty when none does.
std::filesystem::path findResourceFolder(const std::string& name);

}  // namespace attnscope
