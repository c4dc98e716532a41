#pragma once
// Where the tests find the shared reference fixtures, and a QSKIP-free way to demand them:
// the fixtures are part of the test contract, so a missing folder is a failure, not a skip.
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace fixtures {

inline std::filesystem::path goldenDir() { return std::filesystem::path(ATTNSCOPE_GOLDEN_DIR); }
inline std::filesystem::path modelsDir() { return std::filesystem::path(ATTNSCOPE_MODELS_DIR); }
inline std::filesystem::path tmpDir() { return std::filesystem::path(ATTNSCOPE_TEST_TMP); }

inline nlohmann::json readJson(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open fixture " + file.string());
    return nlohmann::json::parse(in);
}

}  // namespace fixtures
