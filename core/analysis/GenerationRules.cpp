#include "analysis/GenerationRules.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>

#include "Error.h"

namespace attnscope {

namespace {

constexpr float kBanned = -std::numeric_limits<float>::infinity();

std::optional<int> optionalId(const nlohmann::json& j, const char* key, const std::string& file) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    // A list (several end tokens) forces its first, as transformers' ForcedEOS processor does with one.
    if (it->is_array() && !it->empty() && (*it)[0].is_number_integer()) return (*it)[0].get<int>();
    if (!it->is_number_integer()) throw Error(file + ": key '" + key + "' must be a token id");
    return it->get<int>();
}

std::vector<int> idList(const nlohmann::json& j, const char* key, const std::string& file) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (it->is_number_integer()) return {it->get<int>()};
    std::vector<int> ids;
    if (it->is_array())
        for (const auto& v : *it) {
            if (!v.is_number_integer()) throw Error(file + ": key '" + key + "' must list token ids");
            ids.push_back(v.get<int>());
        }
    else
        throw Error(file + ": key '" + key + "' must list token ids");
    return ids;
}

int count(const nlohmann::json& j, const char* key, const std::string& file) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return 0;
    if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > (1 << 24))
        throw Error(file + ": key '" + key + "' must be a count of tokens");
    return it->get<int>();
}

void ban(std::vector<float>& logits, int id) {
    if (id >= 0 && id < static_cast<int>(logits.size())) logits[static_cast<std::size_t>(id)] = kBanned;
}

void force(std::vector<float>& logits, int id) {
    if (id < 0 || id >= static_cast<int>(logits.size())) return;
    std::fill(logits.begin(), logits.end(), kBanned);
    logits[static_cast<std::size_t>(id)] = 0.0f;
}

}  // namespace

GenerationRules GenerationRules::fromJson(const nlohmann::json& j, const std::string& file) {
    GenerationRules r;
    if (!j.is_object()) return r;
    r.forcedBos = optionalId(j, "forced_bos_token_id", file);
    r.forcedEos = optionalId(j, "forced_eos_token_id", file);
    if (const auto it = j.find("bad_words_ids"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) throw Error(file + ": key 'bad_words_ids' must be a list of token id lists");
        for (const auto& word : *it) {
            std::vector<int> ids;
            if (!word.is_array() || word.empty()) throw Error(file + ": key 'bad_words_ids' must be a list of token id lists");
            for (const auto& v : word) {
                if (!v.is_number_integer()) throw Error(file + ": key 'bad_words_ids' must be a list of token id lists");
                ids.push_back(v.get<int>());
            }
            r.badWords.push_back(std::move(ids));
        }
    }
    r.suppressed = idList(j, "suppress_tokens", file);
    r.suppressedFirst = idList(j, "begin_suppress_tokens", file);
    r.endOfSequence = idList(j, "eos_token_id", file);
    r.minLength = count(j, "min_length", file);
    r.minNewTokens = count(j, "min_new_tokens", file);
    r.noRepeatNgramSize = count(j, "no_repeat_ngram_size", file);
    if (const auto it = j.find("repetition_penalty"); it != j.end() && !it->is_null()) {
        if (!it->is_number() || !(it->get<double>() > 0.0)) throw Error(file + ": key 'repetition_penalty' must be a positive number");
        r.repetitionPenalty = it->get<float>();
    }
    return r;
}

GenerationRules GenerationRules::forModel(const std::filesystem::path& folder, const nlohmann::json& modelConfig) {
    const std::filesystem::path file = folder / "generation_config.json";
    if (!std::filesystem::exists(file)) return fromJson(modelConfig, "config.json");
    std::ifstream in(file);
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) throw Error(file.string() + ": not valid JSON");
    return fromJson(j, file.string());
}

bool GenerationRules::empty() const {
    return !forcedBos && !forcedEos && badWords.empty() && suppressed.empty() && suppressedFirst.empty() && minLength == 0 &&
           minNewTokens == 0 && noRepeatNgramSize == 0 && repetitionPenalty == 1.0f;
}

void GenerationRules::apply(std::vector<float>& logits, const std::vector<int>& ids, int promptLength, bool lastOfBudget) const {
    const int length = static_cast<int>(ids.size());
    // In the order transformers' greedy search applies its processors.
    if (repetitionPenalty != 1.0f)
        for (const int id : std::set<int>(ids.begin(), ids.end())) {
            if (id < 0 || id >= static_cast<int>(logits.size())) continue;
            float& l = logits[static_cast<std::size_t>(id)];
            l = l < 0.0f ? l * repetitionPenalty : l / repetitionPenalty;
        }
    if (const int n = noRepeatNgramSize; n > 0 && length + 1 >= n) {
        // Every earlier n-gram whose first n - 1 tokens are the last n - 1: its last is banned.
        for (int start = 0; start + n <= length; ++start)
            if (std::equal(ids.begin() + start, ids.begin() + start + n - 1, ids.end() - (n - 1)))
                ban(logits, ids[static_cast<std::size_t>(start + n - 1)]);
    }
    for (const std::vector<int>& word : badWords) {
        const int prefix = static_cast<int>(word.size()) - 1;
        if (prefix <= length && std::equal(word.begin(), word.end() - 1, ids.end() - prefix)) ban(logits, word.back());
    }
    if (length < minLength || length - promptLength < minNewTokens)
        for (const int id : endOfSequence) ban(logits, id);
    if (forcedBos && length == 1) force(logits, *forcedBos);
    if (forcedEos && lastOfBudget) force(logits, *forcedEos);
    for (const int id : suppressed) ban(logits, id);
    // The first new token, or the one after a forced first token (as transformers counts it).
    const int firstNew = promptLength + (forcedBos && promptLength == 1 ? 1 : 0);
    if (length == firstNew)
        for (const int id : suppressedFirst) ban(logits, id);
}

}  // namespace attnscope
