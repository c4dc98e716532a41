#include "model/ModelReference.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "Error.h"
#include "hub/LocalModelStores.h"
#include "hub/HubCache.h"

namespace attnscope {

namespace fs = std::filesystem;

const std::vector<std::string>& builtinModelNames() {
    static const std::vector<std::string> names{"induction", "shapes"};
    return names;
}

bool isBuiltinReference(const std::string& ref) { return ref.rfind(kBuiltinPrefix, 0) == 0; }

std::vector<fs::path> builtinSearchPath() {
    std::vector<fs::path> dirs;
    if (const char* env = std::getenv("ATTNSCOPE_BUILTIN_DIR"); env && *env) dirs.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && !exe.empty())
        dirs.push_back((exe.parent_path() / ".." / "share" / "attnscope" / "builtin").lexically_normal());
#if defined(ATTNSCOPE_BUILTIN_BUILD_DIR) && defined(ATTNSCOPE_BUILD_TREE_DIR)
    // The source tree's models serve binaries running from the build tree only: an installed
    // copy must find its own share/attnscope, even on the machine that built it.
    const std::string buildTree = fs::path(ATTNSCOPE_BUILD_TREE_DIR).lexically_normal().string();
    const std::string exePath = exe.lexically_normal().string();
    if (!ec && exePath.size() > buildTree.size() && exePath.compare(0, buildTree.size(), buildTree) == 0 &&
        exePath[buildTree.size()] == '/')
        dirs.emplace_back(ATTNSCOPE_BUILTIN_BUILD_DIR);
#endif
    return dirs;
}

namespace {

std::string joinNames(const std::vector<std::string>& names, const std::string& prefix) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + prefix + names[i];
    return out;
}

}  // namespace

fs::path resolveModelReference(const std::string& ref) {
    if (!isBuiltinReference(ref)) {
        // A path that exists always wins, so a relative folder named like an id still opens.
        std::error_code ec;
        if (fs::exists(fs::path(ref), ec)) return fs::path(ref);
        if (ref.rfind(hub::kOllamaPrefix, 0) == 0)
            return hub::resolveOllamaModel(ref.substr(std::char_traits<char>::length(hub::kOllamaPrefix)), hub::ollamaRoot());
        if (const auto id = hub::parseHubId(ref)) return hub::resolveSnapshot(*id, hub::cacheRoot());
        return fs::path(ref);
    }
    const std::string name = ref.substr(std::char_traits<char>::length(kBuiltinPrefix));
    const auto& names = builtinModelNames();
    if (std::find(names.begin(), names.end(), name) == names.end())
        throw Error("'" + ref + "' is not a built-in model; the built-in models are " + joinNames(names, kBuiltinPrefix));
    std::vector<std::string> searched;
    for (const fs::path& dir : builtinSearchPath()) {
        std::error_code ec;
        const fs::path folder = dir / name;
        if (fs::is_regular_file(folder / "config.json", ec)) return folder;
        searched.push_back(folder.string());
    }
    std::string where;
    for (std::size_t i = 0; i < searched.size(); ++i) where += (i ? ", " : "") + searched[i];
    throw Error("the built-in model '" + ref + "' is not installed (looked in " + where +
                "; set ATTNSCOPE_BUILTIN_DIR to the folder that holds it)");
}

fs::path findResourceFolder(const std::string& name) {
    for (const fs::path& dir : builtinSearchPath()) {
        std::error_code ec;
        const fs::path folder = (dir / "..").lexically_normal() / name;
        if (fs::is_directory(folder, ec)) return folder;
    }
    return {};
}

}  // namespace attnscope
