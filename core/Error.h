#pragma once
// The one exception type the engine throws. Its message is meant for the user:
// what failed, in which file or tensor or config key, and what was expected.
#include <stdexcept>
#include <string>

namespace attnscope {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace attnscope
