#pragma once
// Builds a tokenizer from the JSON of a Hugging Face tokenizer.json.
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "text/PipelineTokenizer.h"

namespace attnscope {

// `file` names the source in error messages.
std::unique_ptr<PipelineTokenizer> loadTokenizerJson(const nlohmann::json& root, const std::string& file);

// Reads and parses a JSON file; throws attnscope::Error naming it when it cannot.
nlohmann::json readJsonFile(const std::filesystem::path& file);

}  // namespace attnscope
