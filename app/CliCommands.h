#pragma once
// The subcommands of attnscope-cli. Each takes parsed arguments, writes its result to
// stdout or a file, and throws attnscope::Error on bad input; main() maps errors to exit codes.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace cli {

// A malformed or contradictory command line: main() exits 2.
class UsageError : public std::runtime_error {
public:
    explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

// What the user gave to run a model on: text (and pair) or ids for text models, an image or
// a pixel-values file for vision models, and a target or decoder ids for encoder-decoders.
struct TextInput {
    std::optional<std::string> text;
    std::optional<std::string> pair;
    std::optional<std::vector<int>> ids;
    std::optional<std::string> imageFile;
    std::optional<std::string> pixelValuesFile;
    std::optional<std::string> target;
    std::optional<std::vector<int>> decoderIds;
};

void runInfo(const std::string& model);
void runTokenize(const std::string& modelOrTokenizer, const TextInput& input);
void runAttention(const std::string& model, const TextInput& input, const std::string& outFile);

// Prints a command's JSON result to stdout, indented, as every command does. Invalid UTF-8
// (e.g. from a byte-fallback token) is replaced rather than making the writer throw.
void printJson(const nlohmann::json& j);

// Parses "1,2,3"; throws attnscope::Error on anything else.
std::vector<int> parseIdList(const std::string& text);

}  // namespace cli
