#include "hub/HubId.h"

#include <vector>

namespace attnscope::hub {

namespace {

constexpr std::size_t kMaxRepoIdLength = 96;
constexpr const char* kModelsPrefix = "models--";

bool isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool isRepoSegment(const std::string& s) {
    if (s.empty() || !isWordChar(s.front()) || !isWordChar(s.back())) return false;
    for (char c : s)
        if (!isWordChar(c) && c != '-' && c != '.') return false;
    return true;
}

std::vector<std::string> split(const std::string& s, char separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t at; (at = s.find(separator, start)) != std::string::npos; start = at + 1)
        parts.push_back(s.substr(start, at - start));
    parts.push_back(s.substr(start));
    return parts;
}

}  // namespace

std::string HubId::reference() const { return revision == kDefaultRevision ? repo : repo + "@" + revision; }

bool isRepoId(const std::string& repo) {
    if (repo.empty() || repo.size() > kMaxRepoIdLength) return false;
    if (repo.find("--") != std::string::npos || repo.find("..") != std::string::npos) return false;
    const auto segments = split(repo, '/');
    if (segments.size() > 2) return false;
    for (const auto& s : segments)
        if (!isRepoSegment(s)) return false;
    return true;
}

bool isValidRevision(const std::string& revision) {
    if (revision.empty()) return false;
    for (unsigned char c : revision)
        if (c < 0x20 || c == 0x7f || c == '\\') return false;
    for (const auto& s : split(revision, '/'))
        if (s.empty() || s == "." || s == "..") return false;
    return true;
}

std::optional<HubId> parseHubId(const std::string& reference) {
    // Repo ids never contain '@', so the first one starts the revision.
    const std::size_t at = reference.find('@');
    HubId id;
    id.repo = reference.substr(0, at);
    if (at != std::string::npos) id.revision = reference.substr(at + 1);
    if (!isRepoId(id.repo) || !isValidRevision(id.revision)) return std::nullopt;
    return id;
}

bool isCommitHash(const std::string& text) {
    if (text.size() != 40) return false;
    for (char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string repoFolderName(const std::string& repo) {
    std::string name = kModelsPrefix;
    for (char c : repo) {
        if (c == '/') name += "--";
        else name += c;
    }
    return name;
}

std::optional<std::string> repoFromFolderName(const std::string& folder) {
    const std::string prefix = kModelsPrefix;
    if (folder.rfind(prefix, 0) != 0) return std::nullopt;
    std::string repo;
    const std::string rest = folder.substr(prefix.size());
    for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest.compare(i, 2, "--") == 0) {
            repo += '/';
            ++i;
        } else {
            repo += rest[i];
        }
    }
    if (!isRepoId(repo)) return std::nullopt;
    return repo;
}

}  // namespace attnscope::hub
