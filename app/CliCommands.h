#pragma once
// The subcommands of attnscope-cli. Each takes parsed arguments, writes its result to
// stdout or a file, and throws attnscope::Error on bad input; main() maps errors to exit codes.
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/PreparedInput.h"

namespace cli {

// A malformed or contradictory command line: main() exits 2.
class UsageError : public std::runtime_error {
public:
    explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

void runInfo(const std::string& model);
void runTokenize(const std::string& modelOrTokenizer, const attnscope::UserInput& input);
void runAttention(const std::string& model, const attnscope::UserInput& input, const std::string& outFile);

// The engine's preparation of what the user gave, with input the model's kind rules out (an
// image for a text model, a target without a decoder) as a UsageError, and image files decoded
// by the command line's image readers.
attnscope::PreparedInput prepareFor(const attnscope::Checkpoint& checkpoint, const attnscope::UserInput& input);

// Prints a command's JSON result to stdout, indented, as every command does. Invalid UTF-8
// (e.g. from a byte-fallback token) is replaced rather than making the writer throw.
void printJson(const nlohmann::json& j);

}  // namespace cli
