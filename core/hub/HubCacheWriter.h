#pragma once
// Writes the Hugging Face hub cache in huggingface_hub's layout (see HubCache.h), each step
// atomic so that an interrupted download never leaves a half-written file under a final name:
// a blob grows as blobs/<etag>.incomplete and is renamed when complete, a snapshot link is
// made under a temporary name and renamed over the old one, a ref is written through a
// temporary file. Every function throws attnscope::Error naming the path on failure.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace attnscope::hub {

// The blob name an ETag header gives, as huggingface_hub normalises it: a weak "W/" prefix
// and the surrounding quotes stripped. nullopt when the result cannot be a file name (empty,
// a path separator, a leading '.', or characters outside letters, digits, '-', '_' and '.').
std::optional<std::string> blobNameFromEtag(std::string_view etag);

// <repo>/blobs/<blob> and the file a download of it grows in, <repo>/blobs/<blob>.incomplete.
std::filesystem::path blobPath(const std::filesystem::path& repoDir, const std::string& blob);
std::filesystem::path incompleteBlobPath(const std::filesystem::path& repoDir, const std::string& blob);

// <repo>/snapshots/<commit>/<file>. Throws for a file name that would leave the snapshot
// (absolute, empty segments, "." or "..") or a commit that is not a full hash.
std::filesystem::path snapshotFilePath(const std::filesystem::path& repoDir, const std::string& commit,
                                       const std::string& file);

// True when snapshots/<commit>/<file> exists and leads to a regular file (a dangling link
// into a deleted blob does not count).
bool snapshotHasFile(const std::filesystem::path& repoDir, const std::string& commit, const std::string& file);

// Makes snapshots/<commit>/<file> a relative symlink to ../../blobs/<blob> (one more ../ per
// subfolder of file), replacing whatever was there; creates the folders it needs.
void linkIntoSnapshot(const std::filesystem::path& repoDir, const std::string& commit, const std::string& file,
                      const std::string& blob);

// Records refs/<revision> = commit, written atomically; nothing to do when the revision is
// the commit itself or the ref already says so.
void recordRevision(const std::filesystem::path& repoDir, const std::string& revision, const std::string& commit);

}  // namespace attnscope::hub
