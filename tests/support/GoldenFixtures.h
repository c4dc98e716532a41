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

// The reference fixtures committed with the families added after the shared golden set:
// tests/fixtures/<model_type>/, each as a golden folder (model/, expected.json,
// expected.safetensors). Sorted; empty while there are none.
inline std::vector<std::filesystem::path> familyFixtureFolders() {
    std::vector<std::filesystem::path> folders;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(ATTNSCOPE_FIXTURES_DIR), ec))
        if (std::filesystem::exists(e.path() / "expected.json")) folders.push_back(e.path());
    std::sort(folders.begin(), folders.end());
    return folders;
}

// Copies the files of a folder (a fixture model) into `to`, made if needed, to be changed there.
inline void copyFolder(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::filesystem::create_directories(to);
    for (const auto& e : std::filesystem::directory_iterator(from)) std::filesystem::copy(e.path(), to / e.path().filename());
}

nlohmann::json readJson(const std::filesystem::path& file);

// The golden T5Model as a T5ForConditionalGeneration in `dir` (made afresh): the same weights,
// with the tied LM head transformers gives that architecture, so that it can generate.
inline std::filesystem::path writeT5WithLmHead(const std::filesystem::path& dir) {
    std::filesystem::remove_all(dir);
    copyFolder(goldenDir() / "t5" / "model", dir);
    nlohmann::json config = readJson(dir / "config.json");
    config["architectures"] = {"T5ForConditionalGeneration"};
    std::ofstream(dir / "config.json") << config.dump(1);
    return dir;
}

inline nlohmann::json readJson(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open fixture " + file.string());
    return nlohmann::json::parse(in);
}

// The largest absolute difference between two arrays of numbers: infinity when their lengths
// differ or either holds a NaN or an infinity, so neither a shape mismatch nor a broken result
// (std::max drops a NaN) ever passes for agreement.
template <typename A, typename B>
double maxAbsDiff(const A* a, std::size_t aCount, const B* b, std::size_t bCount) {
    constexpr double kNever = std::numeric_limits<double>::infinity();
    if (aCount != bCount) return kNever;
    double m = 0;
    for (std::size_t i = 0; i < aCount; ++i) {
        const double x = static_cast<double>(a[i]), y = static_cast<double>(b[i]);
        if (!std::isfinite(x) || !std::isfinite(y)) return kNever;
        m = std::max(m, std::abs(x - y));
    }
    return m;
}
inline double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) { return maxAbsDiff(a.data(), a.size(), b.data(), b.size()); }

}  // namespace fixtures
