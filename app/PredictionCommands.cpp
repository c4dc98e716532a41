#include "PredictionCommands.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <span>

#include "Error.h"
#include "analysis/Generation.h"
#include "analysis/LogitAttribution.h"
#include "analysis/LogitLens.h"
#include "analysis/Predictions.h"
#include "io/AttentionFile.h"
#include "model/TransformerModel.h"

using attnscope::Error;

namespace cli {

namespace {

nlohmann::json entry(int id, const std::string& name, float probability) { return {{"id", id}, {"token", name}, {"prob", probability}}; }

// One distribution's top k as [{"id", "token", "prob"}]: tokens, or a classifier's labels.
nlohmann::json topList(const attnscope::Checkpoint& cp, const float* logits, int count, int k) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : attnscope::namedPredictions(cp, logits, count, k)) list.push_back(entry(p.id, p.name, p.probability));
    return list;
}

nlohmann::json entryJson(const attnscope::Checkpoint& cp, int id) { return {{"id", id}, {"token", attnscope::entryName(cp, id)}}; }

void requireHead(const attnscope::Checkpoint& cp) {
    if (cp.capabilities().head == attnscope::HeadKind::None)
        throw Error("this " + cp.config().modelType + " checkpoint has no output head (no LM head or classifier in " + cp.folder().string() +
                    "), so it predicts nothing; its attention is still available");
}

// The positions a language model answers for: a masked LM's [MASK] tokens (every position
// when there is none), a causal LM's every position (the next token after each); `position`
// keeps one.
std::vector<int> answeredPositions(const attnscope::ModelCapabilities& m, const std::vector<std::string>& tokens,
                                   const std::optional<int>& position) {
    const int n = static_cast<int>(tokens.size());
    if (position && (*position < 0 || *position >= n))
        throw Error("--position " + std::to_string(*position) + " does not exist (the input has " + std::to_string(n) +
                    " tokens, numbered from 0)");
    std::vector<int> positions;
    if (m.predictions == attnscope::PredictionKind::MaskedToken)
        for (int i = 0; i < n; ++i)
            if (attnscope::Tokenizer::isMaskToken(tokens[static_cast<std::size_t>(i)])) positions.push_back(i);
    if (positions.empty())
        for (int i = 0; i < n; ++i) positions.push_back(i);
    if (!position) return positions;
    if (std::find(positions.begin(), positions.end(), *position) == positions.end())
        throw Error("--position " + std::to_string(*position) + " is not a masked token; the masks are at " + nlohmann::json(positions).dump());
    return {*position};
}

// The checkpoint a command that reads predictions runs (predict, ablate, attribute): a model
// with an output head (single-stack, unless the command takes encoder-decoders too), and
// --position only for language models.
std::unique_ptr<attnscope::Checkpoint> openPredicting(const std::string& model, const char* command, bool position,
                                                      bool encoderDecoders = false) {
    auto cp = attnscope::Checkpoint::open(model);
    const attnscope::ModelCapabilities& m = cp->capabilities();
    if (m.hasDecoder() && !encoderDecoders) throw UsageError(std::string(command) + " is for single-stack models; " + m.modelType + " is an encoder-decoder");
    requireHead(*cp);
    if (m.isClassifier() && position) throw UsageError("--position is for language models; a classifier gives one list");
    return cp;
}

}  // namespace

void runPredict(const std::string& model, const attnscope::UserInput& input, const PredictOptions& options) {
    const auto cp = openPredicting(model, "predict", options.position.has_value());
    const attnscope::ModelCapabilities& m = cp->capabilities();
    const auto record = cp->run(prepareFor(*cp, input));
    const auto& logits = record->logits;
    const int count = static_cast<int>(logits.cols());
    const std::vector<std::string>& tokens = record->input().names;
    nlohmann::json out = {{"tokens", tokens}};
    nlohmann::json lists = nlohmann::json::array();
    if (m.isClassifier()) {
        // One list for the whole input (the image, or the text's pooled token): its labels.
        lists.push_back(topList(*cp, logits.row(0).data(), count, options.topK));
    } else {
        const std::vector<int> positions = answeredPositions(m, tokens, options.position);
        for (int i : positions) lists.push_back(topList(*cp, logits.row(i).data(), count, options.topK));
        out["positions"] = positions;
    }
    out["predictions"] = lists;
    printJson(out);
}

void runAblate(const std::string& model, const attnscope::UserInput& input, const AblateOptions& options) {
    const auto cp = openPredicting(model, "ablate", options.position.has_value(), true);
    const attnscope::ModelCapabilities& m = cp->capabilities();
    attnscope::PreparedInput prepared = prepareFor(*cp, input);
    const auto before = cp->run(prepared);
    prepared.forward.ablation = options.ablation;
    const auto after = cp->run(prepared);
    const int count = static_cast<int>(before->logits.cols());
    // An encoder-decoder predicts its target's tokens.
    const std::vector<std::string>& tokens = before->sequences.at(m.hasDecoder() ? 1 : 0).names;
    const std::vector<int> positions = m.isClassifier() ? std::vector<int>{0} : answeredPositions(m, tokens, options.position);
    nlohmann::json lists = nlohmann::json::array();
    for (const int i : positions) {
        const float* b = before->logits.row(i).data();
        const float* a = after->logits.row(i).data();
        const auto top = attnscope::comparedPredictions(*cp, b, a, count, options.topK);
        nlohmann::json changes = nlohmann::json::array();
        for (const auto& c : top)
            changes.push_back({{"id", c.id}, {"token", c.name}, {"before", c.before}, {"after", c.after}, {"change", c.after - c.before}});
        lists.push_back({{"before", topList(*cp, b, count, options.topK)}, {"after", topList(*cp, a, count, options.topK)}, {"tokens", changes}});
    }
    nlohmann::json out = {{"tokens", tokens}, {"heads", nlohmann::json::array()}, {"mode", attnscope::ablationModeName(options.ablation.mode)},
                          {"ablated", options.ablation.describe()}, {"predictions", lists}};
    out["heads"] = options.ablation.names();  // as --heads spells them
    if (!m.isClassifier()) out["positions"] = positions;
    printJson(out);
}

void runAttribute(const std::string& model, const attnscope::UserInput& input, const AttributeOptions& options) {
    const auto cp = openPredicting(model, "attribute", options.position.has_value(), true);
    const attnscope::ModelCapabilities& m = cp->capabilities();
    const attnscope::PreparedInput prepared = prepareFor(*cp, input);
    const attnscope::TransformerModel& tm = cp->model();
    const auto record = cp->run(prepared);
    // An encoder-decoder's head reads its decoder: the positions are the target's tokens.
    const std::vector<std::string>& tokens = record->sequences.at(m.hasDecoder() ? 1 : 0).names;
    // The position whose logit is split: the one asked for, else the one a user reads first.
    int position = 0;
    if (!m.isClassifier()) {
        const std::vector<int> answered = answeredPositions(m, tokens, options.position);
        position = options.position                                           ? *options.position
                   : m.predictions == attnscope::PredictionKind::MaskedToken ? answered.front()
                                                                             : answered.back();
    }
    const Eigen::RowVectorXf logits = record->logits.row(m.isClassifier() ? 0 : position);
    const int count = static_cast<int>(logits.size());
    attnscope::AttributionTarget target{position, 0, std::nullopt};
    if (options.target) {
        target.entry = attnscope::entryNamed(*cp, *options.target, count);
    } else {
        Eigen::Index best = 0;
        logits.maxCoeff(&best);
        target.entry = static_cast<int>(best);
    }
    if (options.distractor) target.distractor = attnscope::entryNamed(*cp, *options.distractor, count);
    const auto a = attnscope::attributeLogit(tm, prepared.forward, target);
    const auto gridOf = [&](const std::vector<double>& shares) {
        nlohmann::json grid = nlohmann::json::array();
        for (int l = 0; l < a->layers; ++l)
            grid.push_back(std::vector<double>(shares.begin() + std::ptrdiff_t(l) * a->headsPerLayer,
                                               shares.begin() + std::ptrdiff_t(l + 1) * a->headsPerLayer));
        return grid;
    };
    nlohmann::json out = {{"tokens", tokens},
                          {"target", entryJson(*cp, target.entry)},
                          {"distractor", target.distractor ? entryJson(*cp, *target.distractor) : nlohmann::json(nullptr)},
                          {"logit", a->logit},
                          {"sum", a->total()},
                          {"heads", gridOf(a->heads)},
                          {"mlp", a->mlps},
                          {"embedding", a->embedding},
                          {"biases", a->biases}};
    if (!m.isClassifier()) out["position"] = position;
    if (a->hasCrossHeads()) {
        out["cross_heads"] = gridOf(a->crossHeads);  // the decoder's cross-attention heads, per decoder layer
        out["source_tokens"] = record->input().names;
    }
    if (a->softcap > 0) out["softcap"] = a->softcap;  // logit = softcap * tanh(sum / softcap)
    if (options.flip) {
        const auto search = attnscope::findFlippingHeads(tm, prepared.forward, position, options.mode);
        out["flip"] = {{"heads", search->heads.names()},
                       {"mode", attnscope::ablationModeName(options.mode)},
                       {"before", entryJson(*cp, search->before)},
                       {"after", search->found() ? entryJson(*cp, search->after) : nlohmann::json(nullptr)},
                       {"forward_passes", search->forwardPasses}};
    }
    printJson(out);
}

void runGenerate(const std::string& model, const attnscope::UserInput& input, const GenerateOptions& options) {
    const auto cp = attnscope::Checkpoint::open(model);
    cp->model().requireCanGenerate();  // before the input: the model, not the text, is what is wrong
    const attnscope::PreparedInput p = prepareFor(*cp, input);
    const bool encoderDecoder = cp->capabilities().hasDecoder();
    // An encoder-decoder generates its target for the source: from the decoder's start, or
    // from the target given (typed, or as ids).
    // A captioner's source is the image.
    attnscope::GenerationPrompt prompt{p.forward.ids, {}, {}};
    if (encoderDecoder) {
        prompt.source = p.forward.ids;
        prompt.image = p.forward.pixels;
        prompt.ids = input.target ? attnscope::decoderPromptIds(*cp, *input.target) : p.forward.decoderIds;
    }
    const attnscope::SamplingSettings settings{options.temperature, options.topK, options.topP, options.seed};
    // The checkpoint's generation rules, the last of --max-new-tokens being its budget's end, so
    // that greedy output is transformers' generate(max_new_tokens=N, num_beams=1).
    const attnscope::GenerationRules rules = attnscope::GenerationRules::forModel(cp->folder(), cp->config().raw);
    const auto result = attnscope::generate(cp->model(), prompt, settings, options.maxNewTokens, attnscope::endOfSequenceIds(cp->config()),
                                            {}, nullptr, rules);
    const std::vector<int> newIds(result.ids.begin() + result.promptLength, result.ids.end());
    nlohmann::json out = {{"ids", result.ids}, {"new_ids", newIds}};
    if (encoderDecoder && !cp->capabilities().readsImages()) out["source_ids"] = prompt.source;
    out["text"] = cp->tokenizer() ? nlohmann::json(cp->tokenizer()->decode(result.ids)) : nlohmann::json(nullptr);
    if (options.outFile) {
        // The whole final sequence in one pass: the same numbers as `attention` on these ids.
        attnscope::UserInput whole;
        if (cp->capabilities().readsImages()) {
            whole.imageFile = input.imageFile;
            whole.pixelValuesFile = input.pixelValuesFile;
        } else {
            whole.ids = encoderDecoder ? prompt.source : result.ids;
        }
        if (encoderDecoder) whole.decoderIds = result.ids;
        attnscope::writeAttentionFile(*options.outFile, *cp->run(prepareFor(*cp, whole)));
    }
    printJson(out);
}

void runLens(const std::string& model, const attnscope::UserInput& input, int topK) {
    const auto cp = attnscope::Checkpoint::open(model);
    const attnscope::ModelCapabilities& m = cp->capabilities();
    if (m.readsImages() || m.hasDecoder()) throw UsageError(m.whyNoLogitLens);
    requireHead(*cp);
    const attnscope::PreparedInput p = prepareFor(*cp, input);
    const auto lens = attnscope::computeLogitLens(*cp, p.forward, topK);
    nlohmann::json layers = nlohmann::json::array();
    for (int l = 0; l < lens->layers; ++l) {
        nlohmann::json perPosition = nlohmann::json::array();
        for (int i = 0; i < lens->positions; ++i) {
            nlohmann::json list = nlohmann::json::array();
            for (const auto& pr : lens->at(l, i)) list.push_back(entry(pr.id, cp->tokenNames({pr.id}).front(), pr.probability));
            perPosition.push_back(std::move(list));
        }
        layers.push_back(std::move(perPosition));
    }
    printJson({{"tokens", p.sequences.front().names}, {"layers", layers}});
}

}  // namespace cli
