#include "io/AtomicFile.h"

#include <atomic>
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
    if (std::filesystem::is_directory(path, ec))
        throw Error("cannot write " + path.string() + ": it is a folder; give a file name");
    // Unique per process and per call, so two writes of one file never share a temporary.
    static std::atomic<unsigned> serial{0};
    std::string tmpName = ".";
    tmpName += path.filename().string();
    tmpName += ".tmp" + std::to_string(::getpid()) + "-" + std::to_string(serial++);
    const auto tmp = dir / tmpName;
    auto fail = [&](const std::string& why) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw Error("cannot write " + path.string() + ": " + why);
    };
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("cannot write " + path.string() + ": " + std::strerror(errno));
        try {
            writeBody(out);
        } catch (const Error& e) {
            out.close();
            fail(e.what());
        } catch (...) {
            out.close();
            std::error_code ignored;
            std::filesystem::remove(tmp, ignored);
            throw;
        }
        out.flush();
        if (!out) fail("write failed (disk full?)");
    }
    std::error_code renameError;
    std::filesystem::rename(tmp, path, renameError);
    if (renameError) fail(renameError.message());
}

}  // namespace attnscope
