#pragma once
// The rules transformers' generate() applies to the logits before it picks a token, as a
// checkpoint's generation_config.json (or, without one, its config.json) sets them: forced
// first and last tokens, banned words and n-gram repeats, a minimum length, a repetition
// penalty. With them greedy generation is transformers' generate(num_beams=1) token for token;
// the predictions shown stay the model's own (the rules change only what is picked).
#include <filesystem>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

namespace attnscope {

struct GenerationRules {
    std::optional<int> forcedBos;               // forced_bos_token_id: the token after a one-token prompt
    std::optional<int> forcedEos;               // forced_eos_token_id: the last token a run's budget allows
    std::vector<std::vector<int>> badWords;     // bad_words_ids: never completed
    std::vector<int> suppressed;                // suppress_tokens: never picked
    std::vector<int> suppressedFirst;           // begin_suppress_tokens: not picked as the first new token
    std::vector<int> endOfSequence;             // eos_token_id: what min_length holds back
    int minLength = 0;                          // min_length: no end of sequence before this many tokens
    int minNewTokens = 0;                       // min_new_tokens: nor before this many new ones
    int noRepeatNgramSize = 0;                  // no_repeat_ngram_size: no n-gram twice
    float repetitionPenalty = 1.0f;             // repetition_penalty: seen tokens' logits divided (or, negative, multiplied) by it

    // The rules of a generation config (generation_config.json's keys); throws attnscope::Error
    // naming the key of a malformed value.
    static GenerationRules fromJson(const nlohmann::json& config, const std::string& fileName);
    // A model folder's generation_config.json, else the same keys of its config.json (as
    // transformers builds a generation config from the model config when the file is absent).
    static GenerationRules forModel(const std::filesystem::path& folder, const nlohmann::json& modelConfig);

    bool empty() const;
    // Changes `logits` [vocab] for the token after `ids` (of which the first promptLength were
    // given); lastOfBudget: this token is the last the run may add (where forced_eos applies).
    void apply(std::vector<float>& logits, const std::vector<int>& ids, int promptLength, bool lastOfBudget) const;
};

}  // namespace attnscope
