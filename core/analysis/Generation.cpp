#include "analysis/Generation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "Error.h"
#include "model/Checkpoint.h"
#include "model/TransformerModel.h"

namespace attnscope {

TokenSampler::TokenSampler(const SamplingSettings& settings) : settings_(settings), rng_(settings.seed) {
    if (!(settings.temperature >= 0.0f) || !std::isfinite(settings.temperature))
        throw Error("the temperature must be 0 (greedy) or positive, not " + std::to_string(settings.temperature));
    if (settings.topK < 0) throw Error("top-k must be 0 (all tokens) or positive, not " + std::to_string(settings.topK));
    if (!(settings.topP > 0.0f && settings.topP <= 1.0f))
        throw Error("top-p must be in (0, 1], not " + std::to_string(settings.topP));
}

int TokenSampler::next(const float* logits, int count) {
    if (count <= 0) throw Error("no logits to pick a token from");
    // Greedy: the first of the largest, as argmax does.
    if (settings_.temperature == 0.0f) return static_cast<int>(std::max_element(logits, logits + count) - logits);

    // Temperature, then top-k, then top-p, as transformers' sampling applies them.
    std::vector<int> order(static_cast<std::size_t>(count));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return logits[a] > logits[b]; });
    std::size_t keep = order.size();
    if (settings_.topK > 0) keep = std::min<std::size_t>(keep, static_cast<std::size_t>(settings_.topK));
    std::vector<double> p(keep);
    const double top = logits[order[0]] / static_cast<double>(settings_.temperature);
    double sum = 0.0;
    for (std::size_t i = 0; i < keep; ++i) sum += p[i] = std::exp(logits[order[i]] / static_cast<double>(settings_.temperature) - top);
    if (settings_.topP < 1.0f) {
        // The fewest most probable tokens reaching the mass; p[0] is 1, so at least one.
        const double target = settings_.topP * sum;
        double mass = 0.0;
        std::size_t i = 0;
        while (i < keep && mass < target) mass += p[i++];
        keep = i;
        sum = mass;
    }
    const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53 * sum;  // uniform in [0, sum)
    double acc = 0.0;
    for (std::size_t i = 0; i < keep; ++i) {
        acc += p[i];
        if (u < acc) return order[i];
    }
    return order[keep - 1];
}

std::vector<int> endOfSequenceIds(const ModelConfig& config) {
    std::vector<int> ids;
    const auto it = config.raw.find("eos_token_id");
    if (it == config.raw.end()) return ids;
    if (it->is_number_integer()) ids.push_back(it->get<int>());
    if (it->is_array())
        for (const auto& v : *it)
            if (v.is_number_integer()) ids.push_back(v.get<int>());
    return ids;
}

std::optional<int> beginningOfSequenceId(const ModelConfig& config) {
    const auto it = config.raw.find("bos_token_id");
    if (it == config.raw.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int>();
}

std::vector<int> decoderPromptIds(const Checkpoint& checkpoint, const std::string& target) {
    std::vector<int> ids{checkpoint.config().decoderStartTokenId};
    if (target.empty()) return ids;
    std::vector<int> typed = checkpoint.encodeTarget(target).ids;
    const std::vector<int> ends = endOfSequenceIds(checkpoint.config());
    while (!typed.empty() && std::find(ends.begin(), ends.end(), typed.back()) != ends.end()) typed.pop_back();
    ids.insert(ids.end(), typed.begin(), typed.end());
    return ids;
}

Generator::Generator(const TransformerModel& model, std::vector<int> prompt, const SamplingSettings& settings)
    : Generator(model, GenerationPrompt{std::move(prompt), {}, {}}, settings) {}

Generator::Generator(const TransformerModel& model, GenerationPrompt prompt, const SamplingSettings& settings)
    : model_(model),
      ids_(std::move(prompt.ids)),
      settings_(settings),
      sampler_(settings),
      encoderDecoder_(model.capabilities().hasDecoder()),
      source_(std::move(prompt.source)),
      image_(std::move(prompt.image)) {
    model.requireCanGenerate();  // here rather than at the first step: a bad model fails at once
    if (ids_.empty()) throw Error("generation needs a prompt of at least one token");
    promptLength_ = static_cast<int>(ids_.size());
    const bool readsImage = model.capabilities().readsImages(), hasImage = !image_.values.empty();
    if (!encoderDecoder_ && (!source_.empty() || hasImage))
        throw Error(model.config().modelType + " has no encoder to read a source; give only a prompt");
    if (readsImage) {
        if (!hasImage) throw Error("a " + model.config().modelType + " generates from an image: give it one");
        if (!source_.empty()) throw Error("a " + model.config().modelType + " reads an image, not a source text");
        encoderAttention_ = model.encodeImage(image_, cache_);
    } else if (encoderDecoder_) {
        if (source_.empty()) throw Error("an encoder-decoder generates from a source: give it a text");
        if (hasImage) throw Error("a " + model.config().modelType + " reads a source text, not an image");
        encoderAttention_ = model.encodeSource(source_, cache_);
    }
}

void Generator::feed() {
    const std::vector<int> pending(ids_.begin() + cache_.length, ids_.end());
    StepResult r = model_.forwardCached(pending, cache_);
    chunks_.push_back(std::move(r.attention));
    if (encoderDecoder_) crossChunks_.push_back(std::move(r.crossAttention));
    fedLogits_ = std::move(r.logits);
    const auto last = fedLogits_.row(fedLogits_.rows() - 1);
    lastLogits_.assign(last.data(), last.data() + last.size());
}

void Generator::feedPending() {
    if (cache_.length < static_cast<int>(ids_.size())) feed();
}

int Generator::step(bool lastOfBudget) {
    feedPending();
    // The rules change what is picked, not lastLogits(): the predictions shown stay the model's.
    std::vector<float> ruled;
    const std::vector<float>* logits = &lastLogits_;
    if (!rules_.empty()) {
        ruled = lastLogits_;
        rules_.apply(ruled, ids_, promptLength_, lastOfBudget);
        logits = &ruled;
    }
    const int id = sampler_.next(logits->data(), static_cast<int>(logits->size()));
    ids_.push_back(id);
    return id;
}

void Generator::setSampling(const SamplingSettings& settings) {
    sampler_ = TokenSampler(settings);  // validates before anything changes
    settings_ = settings;
}

namespace {

// Rows fed in chunks, joined into one [layers, heads, rows, keys] stack; a chunk row's keys
// are the first of the row's (a causal row sees only what came before it).
AttentionStack joinRows(const std::vector<AttentionStack>& chunks, int layers, int heads, int rows, int keys) {
    AttentionStack out;
    out.resize(layers, heads, rows, keys);
    int row = 0;
    std::vector<float> map;
    for (const AttentionStack& chunk : chunks) {
        map.resize(chunk.mapSize());
        for (int l = 0; l < layers; ++l)
            for (int h = 0; h < heads; ++h) {
                chunk.copyMap(l, h, map.data());
                float* dst = out.map(l, h);
                for (int q = 0; q < chunk.queries; ++q)
                    std::copy_n(map.data() + static_cast<std::size_t>(q) * chunk.keys, chunk.keys,
                                dst + static_cast<std::size_t>(row + q) * keys);
            }
        row += chunk.queries;
    }
    return out;
}

}  // namespace

AttentionStack Generator::attentions() const {
    const ModelConfig& c = model_.config();
    const int layers = encoderDecoder_ ? c.decoderLayers : c.layers;
    return joinRows(chunks_, layers, c.heads, cache_.length, cache_.length);
}

AttentionStack Generator::crossAttentions() const {
    const ModelConfig& c = model_.config();
    if (!encoderDecoder_) return {};
    return joinRows(crossChunks_, c.decoderLayers, c.heads, cache_.length, cache_.sourceLength);
}

GenerationResult generate(const TransformerModel& model, const std::vector<int>& prompt, const SamplingSettings& settings,
                          int maxNewTokens, const std::vector<int>& stopIds, const std::function<void(int)>& onToken,
                          const std::atomic<bool>* cancel) {
    return generate(model, GenerationPrompt{prompt, {}, {}}, settings, maxNewTokens, stopIds, onToken, cancel);
}

GenerationResult generate(const TransformerModel& model, const GenerationPrompt& prompt, const SamplingSettings& settings,
                          int maxNewTokens, const std::vector<int>& stopIds, const std::function<void(int)>& onToken,
                          const std::atomic<bool>* cancel, const GenerationRules& rules) {
    if (maxNewTokens < 0) throw Error("the number of new tokens must not be negative");
    Generator g(model, prompt, settings);
    g.setRules(rules);
    GenerationResult result;
    result.promptLength = g.promptLength();
    for (int i = 0; i < maxNewTokens; ++i) {
        if (cancel && cancel->load()) {
            result.cancelled = true;
            break;
        }
        const int id = g.step(i + 1 == maxNewTokens);
        if (onToken) onToken(id);
        if (std::find(stopIds.begin(), stopIds.end(), id) != stopIds.end()) break;
    }
    result.ids = g.ids();
    return result;
}

}  // namespace attnscope
