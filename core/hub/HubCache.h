#pragma once
// Reads the Hugging Face hub cache exactly as huggingface_hub lays it out, so a model that
// transformers (or `attnscope-cli download`) already fetched opens by its id:
//   <root>/models--ORG--NAME/refs/<revision>        the commit a branch or tag named
//   <root>/models--ORG--NAME/snapshots/<commit>/    the files, usually symlinks into blobs/
//   <root>/models--ORG--NAME/blobs/<etag>           the contents, named by their ETag
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hub/HubId.h"

namespace attnscope::hub {

// The cache root, chosen as huggingface_hub's constants.py does: HF_HUB_CACHE, else
// HUGGINGFACE_HUB_CACHE (its legacy name), else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub; a leading ~ and $VAR or
// ${VAR} are expanded as Python's expanduser/expandvars do. Unlike Python, a variable that is
// set but empty counts as unset (an empty cache path would mean the current folder).
std::filesystem::path cacheRoot();

// <root>/models--ORG--NAME.
std::filesystem::path repoFolder(const std::filesystem::path& root, const std::string& repo);

// The commit a revision names in a repo folder: the revision itself when it is a commit
// hash, else the content of refs/<revision>; nullopt when that ref file does not exist.
std::optional<std::string> cachedCommit(const std::filesystem::path& repoDir, const std::string& revision);

// The revisions recorded under refs/ (nested ones such as "refs/pr/1" included), sorted.
std::vector<std::string> cachedRevisions(const std::filesystem::path& repoDir);

// The snapshot folder an id names. Throws attnscope::Error, with the fix in the message,
// when the model is not cached, the revision is not, or its snapshot folder is missing.
std::filesystem::path resolveSnapshot(const HubId& id, const std::filesystem::path& root);

// What a folder holds of a model: config.json, and complete weights (model.safetensors, or
// a model.safetensors.index.json whose shards are all present; the same for
// pytorch_model.bin), links followed.
struct ModelFilesPresent {
    bool config = false;
    bool weights = false;
    bool complete() const { return config && weights; }
};
ModelFilesPresent modelFilesIn(const std::filesystem::path& folder);

// One snapshot in the cache, as the Open dialog lists it.
struct CachedModel {
    std::string repo;                    // "org/name"
    std::vector<std::string> revisions;  // the refs that name this commit (may be empty)
    std::string commit;
    std::filesystem::path snapshot;
    ModelFilesPresent present;
    std::uintmax_t bytes = 0;            // the snapshot's files, links followed
    // The reference that opens this snapshot: "org/name" when main names it, else
    // "org/name@<first revision>", else "org/name@<commit>".
    std::string reference() const;
};

// Every snapshot of every model repository under root, sorted by repo, the snapshot that
// main names first. Folders that are not model repositories are skipped; a missing root
// gives an empty list.
std::vector<CachedModel> listCachedModels(const std::filesystem::path& root);

}  // namespace attnscope::hub
