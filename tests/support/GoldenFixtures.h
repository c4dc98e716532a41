#pragma once
// Where the tests find the shared reference fixtures, and a QSKIP-free way to demand them:
// the fixtures are part of the test contract, so a missing folder is a failure, not a skip.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fixtures {

inline std::filesystem::path goldenDir() { return std::filesystem::path(ATTNSCOPE_GOLDEN_DIR); }
inline std::filesystem::path modelsDir() { return std::filesystem::path(ATTNSCOPE_MODELS_DIR); }
// The opening of the sample in models/stories260k's README, which greedy decoding from <s>
// reproduces.
inline constexpr const char* kStoriesSample =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";

inline std::filesystem::path tmpDir() { return std::filesystem::path(ATTNSCOPE_TEST_TMP); }

// Copies the files of a folder (a fixture model) into `to`, made if needed, to be changed there.
inline void copyFolder(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::filesystem::create_directories(to);
    for (const auto& e : std::filesystem::directory_iterator(from)) std::filesystem::copy(e.path(), to / e.path().filename());
}

inline nlohmann::json readJson(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open fixture " + file.string());
    return nlohmann::json::parse(in);
}

// The largest absolute difference between two arrays of numbers (infinity when their
// lengths differ, so a shape mismatch never passes for agreement).
inline double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a[i]) - b[i]));
    return m;
}

}  // namespace fixtures
