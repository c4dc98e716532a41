#include "PredictionCommands.h"

#include <nlohmann/json.hpp>

#include <span>

#include "Error.h"
#include "PreparedInput.h"
#include "analysis/Generation.h"
#include "analysis/LogitLens.h"
#include "analysis/Predictions.h"
#include "io/AttentionFile.h"
#include "model/TransformerModel.h"

using attnscope::Error;

namespace cli {

namespace {

// The name of a predicted id: the tokenizer's token, or id2label for a classifier (image or text).
std::string nameOf(const attnscope::Checkpoint& cp, int id) {
    if (!cp.model().isClassifier()) return cp.tokenNames({id}).front();
    const auto& labels = cp.config().id2label;
    const auto it = labels.find(id);
    return it != labels.end() ? it->second : "class " + std::to_string(id);
}

// Predictions as [{"id", "token", "prob"}].
nlohmann::json listOf(const attnscope::Checkpoint& cp, std::span<const attnscope::Prediction> predictions) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : predictions) list.push_back({{"id", p.id}, {"token", nameOf(cp, p.id)}, {"prob", p.probability}});
    return list;
}

// One distribution's top k.
nlohmann::json topList(const attnscope::Checkpoint& cp, const float* logits, int count, int k) {
    return listOf(cp, attnscope::topPredictions(logits, count, k));
}


void requireHead(const attnscope::Checkpoint& cp) {
    if (!cp.model().hasHead())
        throw Error("this " + cp.config().modelType + " checkpoint has no output head (no LM head or classifier in " +
                    cp.folder().string() + "), so it predicts nothing; its attention is still available");
}

void checkPosition(const std::optional<int>& position, int count) {
    if (position && (*position < 0 || *position >= count))
        throw Error("--position " + std::to_string(*position) + " does not exist (the input has " + std::to_string(count) +
                    " tokens, numbered from 0)");
}

}  // namespace

void runPredict(const std::string& model, const TextInput& input, const PredictOptions& options) {
    const auto cp = attnscope::Checkpoint::open(model);
    const auto& c = cp->config();
    if (c.isEncoderDecoder()) throw UsageError("predict is for single-stack models; " + c.modelType + " is an encoder-decoder");
    requireHead(*cp);
    const bool classifier = cp->model().isClassifier();
    if (classifier && options.position) throw UsageError("--position is for language models; a classifier gives one list");
    const PreparedInput p = prepare(*cp, input);
    const auto result = cp->forward(p.forward);
    const auto& logits = result->logits;
    const int count = static_cast<int>(logits.cols());
    nlohmann::json out = {{"tokens", p.tokens}};
    nlohmann::json lists = nlohmann::json::array();
    std::vector<int> positions;
    if (classifier) {
        // One list for the whole input (the image, or the text's pooled token): its labels.
        lists.push_back(topList(*cp, logits.row(0).data(), count, options.topK));
    } else {
        const int n = static_cast<int>(p.tokens.size());
        checkPosition(options.position, n);
        // A masked LM answers for its [MASK] tokens (every position when there is none); a causal
        // LM gives the next token's distribution after every position.
        const bool masked = !c.causal;
        for (int i = 0; i < n; ++i)
            if (masked && attnscope::Tokenizer::isMaskToken(p.tokens[static_cast<std::size_t>(i)])) positions.push_back(i);
        if (positions.empty())
            for (int i = 0; i < n; ++i) positions.push_back(i);
        if (options.position) {
            if (std::find(positions.begin(), positions.end(), *options.position) == positions.end())
                throw Error("--position " + std::to_string(*options.position) + " is not a masked token; the masks are at " +
                            nlohmann::json(positions).dump());
            positions = {*options.position};
        }
        for (int i : positions) lists.push_back(topList(*cp, logits.row(i).data(), count, options.topK));
        out["positions"] = positions;
    }
    out["predictions"] = lists;
    printJson(out);
}

void runGenerate(const std::string& model, const TextInput& input, const GenerateOptions& options) {
    const auto cp = attnscope::Checkpoint::open(model);
    cp->model().requireCanGenerate();  // before the input: the model, not the text, is what is wrong
    const PreparedInput p = prepare(*cp, input);
    const attnscope::SamplingSettings settings{options.temperature, options.topK, options.topP, options.seed};
    const auto result = attnscope::generate(cp->model(), p.forward.ids, settings, options.maxNewTokens,
                                            attnscope::endOfSequenceIds(cp->config()));
    const std::vector<int> newIds(result.ids.begin() + result.promptLength, result.ids.end());
    nlohmann::json out = {{"ids", result.ids}, {"new_ids", newIds}};
    out["text"] = cp->tokenizer() ? nlohmann::json(cp->tokenizer()->decode(result.ids)) : nlohmann::json(nullptr);
    if (options.outFile) {
        // The whole final sequence in one pass: the same numbers as `attention` on these ids.
        attnscope::ForwardInput full;
        full.ids = result.ids;
        auto forward = cp->forward(full);
        attnscope::AttentionFile file;
        file.modelType = cp->config().modelType;
        file.tokens = {cp->tokenNames(result.ids), result.ids, cp->specialTokens(result.ids)};
        file.attentions = std::move(forward->attentions);
        file.logits.assign(forward->logits.data(), forward->logits.data() + forward->logits.size());
        file.logitsShape = {forward->logits.rows(), forward->logits.cols()};
        attnscope::writeAttentionFile(*options.outFile, file);
    }
    printJson(out);
}

void runLens(const std::string& model, const TextInput& input, int topK) {
    const auto cp = attnscope::Checkpoint::open(model);
    const auto& c = cp->config();
    if (c.isVision() || c.isEncoderDecoder())
        throw UsageError("lens is for language models; " + c.modelType + " is " + (c.isVision() ? "a vision model" : "an encoder-decoder"));
    requireHead(*cp);
    const PreparedInput p = prepare(*cp, input);
    const auto lens = attnscope::computeLogitLens(*cp, p.forward, topK);
    nlohmann::json layers = nlohmann::json::array();
    for (int l = 0; l < lens->layers; ++l) {
        nlohmann::json perPosition = nlohmann::json::array();
        for (int i = 0; i < lens->positions; ++i) perPosition.push_back(listOf(*cp, lens->at(l, i)));
        layers.push_back(std::move(perPosition));
    }
    printJson({{"tokens", p.tokens}, {"layers", layers}});
}

}  // namespace cli
