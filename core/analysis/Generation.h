#pragma once
// Step-by-step generation with a key/value cache: greedy by default, or sampling with
// temperature, top-k and top-p from a seeded generator, reproducible for a given seed.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "analysis/GenerationRules.h"
#include "tensor/AttentionStack.h"
#include "model/ForwardResult.h"

namespace attnscope {

class Checkpoint;
class TransformerModel;
struct ModelConfig;

struct SamplingSettings {
    float temperature = 0.0f;  // 0: greedy (the most probable token); > 0: sample
    int topK = 0;              // sampling: keep the k most probable tokens (0: all)
    float topP = 1.0f;         // sampling: keep the fewest tokens whose probability reaches p
    std::uint64_t seed = 0;

    bool operator==(const SamplingSettings&) const = default;
};

// Picks tokens from rows of logits. Sampling draws from a 64-bit Mersenne Twister turned into
// doubles by hand (not std::uniform_real_distribution, whose algorithm the standard leaves
// open), so a seed gives the same tokens with every standard library.
class TokenSampler {
public:
    explicit TokenSampler(const SamplingSettings& settings);  // throws attnscope::Error for bad settings
    int next(const float* logits, int count);

private:
    SamplingSettings settings_;
    std::mt19937_64 rng_;
};

// The end-of-sequence ids of config.json's eos_token_id (a number or a list; none when absent).
std::vector<int> endOfSequenceIds(const ModelConfig& config);
// config.json's bos_token_id, what a generation with no prompt starts from (none when absent).
std::optional<int> beginningOfSequenceId(const ModelConfig& config);

// What a generation starts from: the tokens the model continues, and for an encoder-decoder
// the source its decoder reads (the ids are then the decoder's first tokens, its start token
// and any target typed so far): a text's ids, or a captioner's image.
struct GenerationPrompt {
    std::vector<int> ids;
    std::vector<int> source;
    PixelValues image;
};

// An encoder-decoder's decoder prompt: its start token, then the target typed so far without
// the end-of-sequence token the tokenizer closes it with (the decoder goes on from there).
std::vector<int> decoderPromptIds(const Checkpoint& checkpoint, const std::string& target);

// A growing sequence: the prompt, then one token per step(). Each step feeds only the tokens
// not yet seen (the whole prompt first, then the newest token) through the cache. An
// encoder-decoder's source is encoded once, when the generator is made.
class Generator {
public:
    Generator(const TransformerModel& model, std::vector<int> prompt, const SamplingSettings& settings);
    Generator(const TransformerModel& model, GenerationPrompt prompt, const SamplingSettings& settings);

    // Feeds what is pending, picks the next token (after the rules, if any), appends it and
    // returns it; lastOfBudget: the caller will ask for no more (where forced_eos applies).
    int step(bool lastOfBudget = false);
    // The model's generation rules (GenerationRules::forModel), applied from the next step on.
    void setRules(GenerationRules rules) { rules_ = std::move(rules); }
    // Picks later tokens with other settings (a new sampler, seeded afresh); the cache stays.
    void setSampling(const SamplingSettings& settings);
    const SamplingSettings& sampling() const { return settings_; }

    const std::vector<int>& ids() const { return ids_; }
    int promptLength() const { return promptLength_; }
    // Logits [vocab] after the last fed token: what picked the newest token, or after
    // feedPending() what will pick the next one.
    const std::vector<float>& lastLogits() const { return lastLogits_; }
    // Logits [tokens, vocab] of the tokens the latest feed took (the whole prompt first, then
    // one token at a time): each row predicts the token after its position.
    const RowMatrix& lastFedLogits() const { return fedLogits_; }
    // Every fed token's attention row assembled into one [layers, heads, n, n] stack, n the
    // tokens fed so far (all but the newest, whose row comes with the next step; feedPending()
    // adds it, and its logits, without picking another; the next step() then only picks).
    AttentionStack attentions() const;
    void feedPending();
    int fedLength() const { return cache_.length; }

    // Encoder-decoders: the source (ids, or a captioner's image), the encoder's attention over
    // it, and every fed token's cross-attention row over it assembled into [layers, heads, n,
    // source length].
    bool hasSource() const { return encoderDecoder_; }
    const std::vector<int>& source() const { return source_; }
    const PixelValues& image() const { return image_; }
    const AttentionStack& encoderAttention() const { return encoderAttention_; }
    AttentionStack crossAttentions() const;

private:
    void feed();

    const TransformerModel& model_;
    std::vector<int> ids_;
    int promptLength_ = 0;
    SamplingSettings settings_;
    TokenSampler sampler_;
    GenerationRules rules_;
    KeyValueCache cache_;
    bool encoderDecoder_ = false;
    std::vector<int> source_;
    PixelValues image_;
    AttentionStack encoderAttention_;
    std::vector<AttentionStack> chunks_;       // per feed: [layers, heads, new tokens, length so far]
    std::vector<AttentionStack> crossChunks_;  // per feed: [layers, heads, new tokens, source length]
    std::vector<float> lastLogits_;
    RowMatrix fedLogits_;
};

struct GenerationResult {
    std::vector<int> ids;   // prompt and new tokens
    int promptLength = 0;
    bool cancelled = false;
};

// Generates up to maxNewTokens after the prompt, stopping after an end-of-sequence token
// (kept, as transformers keeps it) or when *cancel becomes true. onToken sees each new id.
GenerationResult generate(const TransformerModel& model, const std::vector<int>& prompt, const SamplingSettings& settings,
                          int maxNewTokens, const std::vector<int>& stopIds,
                          const std::function<void(int)>& onToken = {}, const std::atomic<bool>* cancel = nullptr);
// The same for an encoder-decoder's target (ids are the decoder's, from its start token on),
// and with the model's generation rules (the last of maxNewTokens is where forced_eos applies).
GenerationResult generate(const TransformerModel& model, const GenerationPrompt& prompt, const SamplingSettings& settings,
                          int maxNewTokens, const std::vector<int>& stopIds,
                          const std::function<void(int)>& onToken = {}, const std::atomic<bool>* cancel = nullptr,
                          const GenerationRules& rules = {});

}  // namespace attnscope
