#pragma once
// The subcommands of attnscope-cli. Each takes parsed arguments, writes its result to
// stdout or a file, and throws attnscope::Error on bad input; main() maps errors to exit codes.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cli {

// A malformed or contradictory command line: main() exits 2.
class UsageError : public std::runtime_error {
public:
    explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

struct TextInput {
    std::optional<std::string> text;
    std::optional<std::string> pair;
    std::optional<std::vector<int>> ids;
};

void runInfo(const std::string& model);
void runTokenize(const std::string& modelOrTokenizer, const TextInput& input);
void runAttention(const std::string& model, const TextInput& input, const std::string& outFile);

// Parses "1,2,3"; throws attnscope::Error on anything else.
std::vector<int> parseIdList(const std::string& text);

}  // namespace cli
