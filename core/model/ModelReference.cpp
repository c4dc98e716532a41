#include "model/ModelReference.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "Error.h"

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
#ifdef ATTNSCOPE_BUILTIN_BUILD_DIR
    dirs.emplace_back(ATTNSCOPE_BUILTIN_BUILD_DIR);
#endif
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && !exe.empty())
        dirs.push_back((exe.parent_path() / ".." / "share" / "attnscope" / "builtin").lexically_normal());
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
    if (!isBuiltinReference(ref)) return fs::path(ref);
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
