#pragma once
// What the model stores on a user's machine are found with: environment variables, the home
// folder, and whether a path is a file (links followed). Shared by the Hugging Face cache and
// the Ollama and LM Studio stores.
#include <filesystem>
#include <string>

namespace attnscope::hub {

// The variable's value; empty when it is unset.
std::string environmentValue(const char* name);
// $HOME, else the user's entry in the password database; empty when neither says.
std::string homeFolder();
// A regular file, links followed; false (not an error) when it cannot be looked at.
bool isRegularFile(const std::filesystem::path& path);

}  // namespace attnscope::hub
