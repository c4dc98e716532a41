#pragma once
// attnscope-cli download MODEL_ID [--revision R]: fetches what the engine needs of a Hugging
// Face model into the hub cache (hubclient/ModelDownload.h) and prints
// {"id", "revision", "commit", "folder", "files"} as JSON. Progress goes to stderr only when
// stderr is a terminal, so scripts see nothing but the JSON or one error line.
#include <optional>
#include <string>

namespace cli {

// Throws cli::UsageError for a malformed id or revision, attnscope::Error when the download
// fails (network, server, cache). Needs a QCoreApplication.
void runDownload(const std::string& modelId, const std::optional<std::string>& revision);

}  // namespace cli
