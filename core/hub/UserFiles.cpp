#include "hub/UserFiles.h"

#include <cstdlib>
#include <system_error>

#include <pwd.h>
#include <unistd.h>

namespace attnscope::hub {

std::string environmentValue(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

std::string homeFolder() {
    if (std::string home = environmentValue("HOME"); !home.empty()) return home;
    const passwd* user = getpwuid(getuid());
    return user && user->pw_dir ? std::string(user->pw_dir) : std::string();
}

bool isRegularFile(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

}  // namespace attnscope::hub
