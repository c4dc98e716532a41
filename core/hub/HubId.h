#pragma once
// Hugging Face model ids as users type them: "org/name", "org/name@revision", or a legacy
// single-segment id such as "gpt2". The shape follows the hub's own rule (huggingface_hub's
// validate_repo_id): one or two segments of ASCII letters, digits, '-', '_' and '.', each
// starting and ending with a letter, digit or '_', no "--" or "..", at most 96 characters.
// A revision is a branch, a tag or a commit hash; "refs/pr/1" style names are allowed, but
// never a segment that is empty, "." or "..", because a revision becomes a path under refs/.
#include <optional>
#include <string>

namespace attnscope::hub {

inline constexpr const char* kDefaultRevision = "main";

struct HubId {
    std::string repo;                      // "org/name" (or a legacy "gpt2")
    std::string revision = kDefaultRevision;
    // What a user would type to get this id back: "org/name", or "org/name@revision" when
    // the revision is not main.
    std::string reference() const;
};

// The id a reference names, or nullopt when it is not shaped like one: a path such as "./x",
// "/abs/x", "~/x" or "a/b/c", a `builtin:` reference, or an id with an empty or unsafe
// revision ("org/name@", "org/name@../x").
std::optional<HubId> parseHubId(const std::string& reference);

// True for a repo id alone (no revision), e.g. what the download command accepts.
bool isRepoId(const std::string& repo);

// True for a revision that can name a ref file (see above).
bool isValidRevision(const std::string& revision);

// A full commit hash: 40 lowercase hex digits (huggingface_hub's REGEX_COMMIT_HASH).
bool isCommitHash(const std::string& text);

// The cache folder of a model repository: "org/name" -> "models--org--name".
std::string repoFolderName(const std::string& repo);
// The inverse: "models--org--name" -> "org/name"; nullopt for any other folder name.
std::optional<std::string> repoFromFolderName(const std::string& folder);

}  // namespace attnscope::hub
