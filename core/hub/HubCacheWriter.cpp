#include "hub/HubCacheWriter.h"

#include <atomic>
#include <system_error>

#include <unistd.h>

#include "Error.h"
#include "hub/HubCache.h"
#include "hub/HubId.h"
#include "io/AtomicFile.h"

namespace attnscope::hub {

namespace fs = std::filesystem;

namespace {

bool isBlobChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

void createFolders(const fs::path& folder) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw Error("cannot create the folder " + folder.string() + ": " + ec.message());
}

}  // namespace

std::optional<std::string> blobNameFromEtag(std::string_view etag) {
    if (etag.substr(0, 2) == "W/") etag.remove_prefix(2);
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
    if (etag.empty() || etag.front() == '.' || etag.size() > 255) return std::nullopt;
    for (char c : etag)
        if (!isBlobChar(c)) return std::nullopt;
    return std::string(etag);
}

fs::path blobPath(const fs::path& repoDir, const std::string& blob) { return repoDir / "blobs" / blob; }

fs::path incompleteBlobPath(const fs::path& repoDir, const std::string& blob) {
    return repoDir / "blobs" / (blob + ".incomplete");
}

fs::path snapshotFilePath(const fs::path& repoDir, const std::string& commit, const std::string& file) {
    if (!isCommitHash(commit)) throw Error("'" + commit + "' is not a commit hash");
    // Only the folder separator the hub uses; a file name never climbs out of the snapshot.
    if (file.empty() || file.front() == '/' || !isValidRevision(file))
        throw Error("'" + file + "' is not a file name inside a repository");
    return repoDir / "snapshots" / commit / fs::path(file);
}

bool snapshotHasFile(const fs::path& repoDir, const std::string& commit, const std::string& file) {
    std::error_code ec;
    return fs::is_regular_file(snapshotFilePath(repoDir, commit, file), ec);
}

void linkIntoSnapshot(const fs::path& repoDir, const std::string& commit, const std::string& file,
                      const std::string& blob) {
    const fs::path link = snapshotFilePath(repoDir, commit, file);
    createFolders(link.parent_path());
    // Relative, as huggingface_hub makes them, so the cache survives being moved.
    const fs::path target = blobPath(repoDir, blob).lexically_relative(link.parent_path());
    static std::atomic<unsigned> serial{0};
    std::string temporaryName = ".";  // appended piecewise: GCC 12 warns falsely on "." + string
    temporaryName += link.filename().string();
    temporaryName += ".link" + std::to_string(::getpid()) + "-" + std::to_string(serial++);
    const fs::path temporary = link.parent_path() / temporaryName;
    std::error_code ec;
    fs::create_symlink(target, temporary, ec);
    if (!ec) fs::rename(temporary, link, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw Error("cannot link " + link.string() + " to " + target.string() + ": " + ec.message());
    }
}

void recordRevision(const fs::path& repoDir, const std::string& revision, const std::string& commit) {
    if (revision == commit) return;
    if (!isValidRevision(revision)) throw Error("'" + revision + "' is not a revision name");
    if (cachedCommit(repoDir, revision) == commit) return;
    const fs::path ref = repoDir / "refs" / fs::path(revision);
    createFolders(ref.parent_path());
    writeFileAtomically(ref, [&](std::ostream& out) { out << commit; });
}

}  // namespace attnscope::hub
