#include "io/AtomicFile.h"

#include <cstring>
#include <fstream>
#include <system_error>
#include <unistd.h>

#include "Error.h"

namespace attnscope {

void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& writeBody) {
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw Error("cannot write " + path.string() + ": folder " + dir.string() + " does not exist");
    const auto tmp = dir / ("." + path.filename().string() + ".tmp" + std::to_string(::getpid()));
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("cannot write " + path.string() + ": " + std::strerror(errno));
        writeBody(out);
        out.flush();
        if (!out) {
            std::filesystem::remove(tmp, ec);
            throw Error("cannot write " + path.string() + ": write failed (disk full?)");
        }
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw Error("cannot write " + path.string() + ": " + ec.message());
    }
}

}  // namespace attnscope
