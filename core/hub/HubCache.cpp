#include "hub/HubCache.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <system_error>

#include "Error.h"
#include "hub/ModelFileChoice.h"
#include "hub/UserFiles.h"

namespace attnscope::hub {

namespace fs = std::filesystem;

namespace {

// Python's os.path.expanduser for "~" and "~/..." (other users' "~name" stays as it is).
std::string expandUser(const std::string& path) {
    if (path.empty() || path[0] != '~' || (path.size() > 1 && path[1] != '/')) return path;
    const std::string home = homeFolder();
    return home.empty() ? path : home + path.substr(1);
}

bool isVarChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Python's os.path.expandvars: $NAME and ${NAME}; unknown variables stay as written.
std::string expandVars(const std::string& path) {
    std::string out;
    for (std::size_t i = 0; i < path.size();) {
        if (path[i] != '$') {
            out += path[i++];
            continue;
        }
        const bool braced = i + 1 < path.size() && path[i + 1] == '{';
        std::size_t start = i + (braced ? 2 : 1), end = start;
        while (end < path.size() && isVarChar(path[end])) ++end;
        const bool closed = !braced || (end < path.size() && path[end] == '}');
        const std::string name = path.substr(start, end - start);
        const char* value = name.empty() || !closed ? nullptr : std::getenv(name.c_str());
        const std::size_t after = end + (braced && closed ? 1 : 0);
        if (value) out += value;
        else out += path.substr(i, after - i);
        i = std::max(after, i + 1);
    }
    return out;
}

std::string readTrimmed(const fs::path& file) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto notSpace = [](unsigned char c) { return !std::isspace(c); };
    text.erase(text.begin(), std::find_if(text.begin(), text.end(), notSpace));
    text.erase(std::find_if(text.rbegin(), text.rend(), notSpace).base(), text.end());
    return text;
}

std::string downloadCommand(const HubId& id) {
    std::string command = "attnscope-cli download " + id.repo;
    if (id.revision != kDefaultRevision) command += " --revision " + id.revision;
    return command;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

bool hasWeights(const fs::path& folder, const char* index, const char* single) {
    if (isRegularFile(folder / index)) {
        try {
            const auto shards = shardsListedIn(folder / index);
            return std::all_of(shards.begin(), shards.end(), [&](const std::string& s) { return isRegularFile(folder / s); });
        } catch (const Error&) {
            return false;
        }
    }
    return isRegularFile(folder / single);
}

std::uintmax_t bytesIn(const fs::path& folder) {
    std::uintmax_t total = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code sizeError;
        if (!it->is_regular_file(sizeError)) continue;
        const auto size = fs::file_size(it->path(), sizeError);
        if (!sizeError) total += size;
    }
    return total;
}

}  // namespace

fs::path cacheRoot() {
    std::string chosen = environmentValue("HF_HUB_CACHE");
    if (chosen.empty()) chosen = environmentValue("HUGGINGFACE_HUB_CACHE");
    if (chosen.empty()) {
        std::string home = environmentValue("HF_HOME");
        if (home.empty()) {
            std::string xdg = environmentValue("XDG_CACHE_HOME");
            if (xdg.empty()) xdg = homeFolder() + "/.cache";
            home = xdg + "/huggingface";
        }
        chosen = home + "/hub";
    }
    return fs::path(expandVars(expandUser(chosen))).lexically_normal();
}

fs::path repoFolder(const fs::path& root, const std::string& repo) { return root / repoFolderName(repo); }

std::optional<std::string> cachedCommit(const fs::path& repoDir, const std::string& revision) {
    if (isCommitHash(revision)) return revision;
    const fs::path ref = repoDir / "refs" / revision;
    if (!isRegularFile(ref)) return std::nullopt;
    return readTrimmed(ref);
}

std::vector<std::string> cachedRevisions(const fs::path& repoDir) {
    std::vector<std::string> revisions;
    const fs::path refs = repoDir / "refs";
    std::error_code ec;
    for (fs::recursive_directory_iterator it(refs, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code typeError;
        if (it->is_regular_file(typeError)) revisions.push_back(it->path().lexically_relative(refs).generic_string());
    }
    std::sort(revisions.begin(), revisions.end());
    return revisions;
}

fs::path resolveSnapshot(const HubId& id, const fs::path& root) {
    const fs::path repoDir = repoFolder(root, id.repo);
    std::error_code ec;
    if (!fs::is_directory(repoDir, ec))
        throw Error("'" + id.reference() + "': no such file or folder, and no model '" + id.repo +
                    "' in the Hugging Face cache at " + root.string() + " (download it with `" + downloadCommand(id) +
                    "`)");
    const auto commit = cachedCommit(repoDir, id.revision);
    if (!commit) {
        const auto revisions = cachedRevisions(repoDir);
        throw Error("'" + id.repo + "' is in the Hugging Face cache (" + repoDir.string() + ") but not its revision '" +
                    id.revision + "' (" + (revisions.empty() ? "no revisions recorded" : "cached: " + joined(revisions)) +
                    "); download it with `" + downloadCommand(id) + "`");
    }
    if (!isCommitHash(*commit))
        throw Error("the Hugging Face cache's refs/" + id.revision + " for '" + id.repo + "' holds '" + *commit +
                    "', which is not a 40-digit commit hash; download it again with `" + downloadCommand(id) + "`");
    const fs::path snapshot = repoDir / "snapshots" / *commit;
    if (!fs::is_directory(snapshot, ec))
        throw Error("the Hugging Face cache names commit '" + *commit + "' for '" + id.reference() +
                    "' but has no snapshot folder " + snapshot.string() + "; download it again with `" +
                    downloadCommand(id) + "`");
    return snapshot;
}

ModelFilesPresent modelFilesIn(const fs::path& folder) {
    ModelFilesPresent present;
    present.config = isRegularFile(folder / "config.json");
    present.weights = hasWeights(folder, "model.safetensors.index.json", "model.safetensors") ||
                      hasWeights(folder, "pytorch_model.bin.index.json", "pytorch_model.bin");
    return present;
}

std::string CachedModel::reference() const {
    if (std::find(revisions.begin(), revisions.end(), kDefaultRevision) != revisions.end()) return repo;
    return repo + "@" + (revisions.empty() ? commit : revisions.front());
}

std::vector<CachedModel> listCachedModels(const fs::path& root) {
    std::vector<CachedModel> models;
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        const auto repo = repoFromFolderName(it->path().filename().string());
        std::error_code typeError;
        if (!repo || !it->is_directory(typeError)) continue;
        const fs::path repoDir = it->path();
        std::map<std::string, std::vector<std::string>> revisionsOf;  // commit -> refs naming it
        for (const auto& revision : cachedRevisions(repoDir))
            revisionsOf[readTrimmed(repoDir / "refs" / revision)].push_back(revision);
        std::error_code listError;
        for (fs::directory_iterator snap(repoDir / "snapshots", listError), last; !listError && snap != last;
             snap.increment(listError)) {
            const std::string commit = snap->path().filename().string();
            if (!snap->is_directory(typeError) || !isCommitHash(commit)) continue;
            CachedModel model;
            model.repo = *repo;
            model.commit = commit;
            model.snapshot = snap->path();
            if (auto found = revisionsOf.find(commit); found != revisionsOf.end()) model.revisions = found->second;
            model.present = modelFilesIn(model.snapshot);
            model.bytes = bytesIn(model.snapshot);
            models.push_back(std::move(model));
        }
    }
    const auto rank = [](const CachedModel& m) {
        if (std::find(m.revisions.begin(), m.revisions.end(), kDefaultRevision) != m.revisions.end()) return 0;
        return m.revisions.empty() ? 2 : 1;
    };
    std::sort(models.begin(), models.end(), [&](const CachedModel& a, const CachedModel& b) {
        if (a.repo != b.repo) return a.repo < b.repo;
        if (rank(a) != rank(b)) return rank(a) < rank(b);
        return a.commit < b.commit;
    });
    return models;
}

}  // namespace attnscope::hub
