#include "CliCommands.h"

#include <charconv>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "Error.h"
#include "io/AttentionFile.h"
#include "ImageInput.h"
#include "model/Checkpoint.h"
#include "model/ModelInputs.h"
#include "model/ModelReference.h"
#include "model/TransformerModel.h"

using attnscope::Error;

namespace cli {
namespace {

nlohmann::json encodingJson(const attnscope::Encoding& e) {
    nlohmann::json offsets = nlohmann::json::array();
    for (const auto& [b, end] : e.offsets) offsets.push_back({b, end});
    return {{"ids", e.ids}, {"tokens", e.tokens}, {"offsets", offsets}, {"type_ids", e.typeIds}};
}

// Invalid UTF-8 (e.g. from a byte-fallback token) must not make the JSON writer throw.
std::string dumpJson(const nlohmann::json& j) {
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::vector<int> parseIdList(const std::string& text) {
    std::vector<int> ids;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const auto comma = text.find(',', pos);
        const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        int value = 0;
        const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
        if (item.empty() || ec != std::errc() || end != item.data() + item.size() || value < 0)
            throw Error("--ids: '" + item + "' is not a non-negative integer (expected a list like 101,2023,102)");
        ids.push_back(value);
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return ids;
}

void runInfo(const std::string& model) {
    const auto cp = attnscope::Checkpoint::open(model);
    const auto& c = cp->config();
    nlohmann::json j = {{"model_type", c.modelType},
                        {"layers", c.layers},
                        {"heads", c.heads},
                        {"kv_heads", c.kvHeads},
                        {"hidden", c.hidden},
                        {"vocab_size", c.vocabSize},
                        {"max_positions", c.maxPositions},
                        {"parameters", cp->model().parameterCount()}};
    if (!c.id2label.empty()) {
        nlohmann::json labels = nlohmann::json::object();
        for (const auto& [id, label] : c.id2label) labels[std::to_string(id)] = label;
        j["id2label"] = labels;
    }
    std::cout << dumpJson(j) << '\n';
}

void runTokenize(const std::string& modelOrTokenizer, const TextInput& input) {
    const std::filesystem::path path = attnscope::resolveModelReference(modelOrTokenizer);
    std::error_code ec;
    std::unique_ptr<attnscope::Tokenizer> tokenizer;
    if (std::filesystem::is_directory(path, ec)) {
        tokenizer = attnscope::Tokenizer::fromModelFolder(path);
        if (!tokenizer)
            throw Error(path.string() + ": no tokenizer (expected tokenizer.json, vocab.txt, or vocab.json with merges.txt)");
    } else if (std::filesystem::exists(path, ec)) {
        tokenizer = attnscope::Tokenizer::fromTokenizerJson(path);
    } else {
        throw Error(path.string() + ": no such model folder or tokenizer file");
    }
    const auto enc = input.pair ? tokenizer->encode(*input.text, std::string_view(*input.pair))
                                : tokenizer->encode(*input.text);
    std::cout << dumpJson(encodingJson(enc)) << '\n';
}

namespace {

// The forward input and token names for whatever kind of model `cp` is; usage errors for
// inputs that do not fit it.
struct PreparedInput {
    attnscope::ForwardInput forward;
    std::vector<std::string> tokens;
    std::vector<bool> specialTokens;
    std::vector<std::string> decoderTokens;
    std::vector<bool> decoderSpecialTokens;
};

std::vector<std::string> namesOf(const attnscope::Checkpoint& cp, const std::vector<int>& ids) {
    std::vector<std::string> names;
    for (int id : ids) {
        const std::string t = cp.tokenizer() ? cp.tokenizer()->idToToken(id) : std::string();
        names.push_back(t.empty() ? std::to_string(id) : t);
    }
    return names;
}

std::vector<bool> specialOf(const attnscope::Checkpoint& cp, const std::vector<int>& ids) {
    std::vector<bool> special;
    for (int id : ids) special.push_back(cp.tokenizer() && cp.tokenizer()->isSpecial(id));
    return special;
}

PreparedInput prepare(const attnscope::Checkpoint& cp, const TextInput& input) {
    const auto& c = cp.config();
    PreparedInput p;
    const bool visual = input.imageFile || input.pixelValuesFile;
    if (c.isVision()) {
        if (!visual || input.text || input.ids)
            throw UsageError(c.modelType + " is a vision model: give exactly one of --image or --pixel-values");
        if (input.imageFile && input.pixelValuesFile) throw UsageError("give --image or --pixel-values, not both");
        p.forward.pixels = input.imageFile
                               ? attnscope::imagePreprocessorFor(cp).apply(loadImage(*input.imageFile), c.channels)
                               : attnscope::readPixelValuesFile(*input.pixelValuesFile);
        p.tokens = attnscope::visionTokenNames(c);
        p.specialTokens.assign(p.tokens.size(), false);
        for (std::size_t t = 0; t < (c.family == attnscope::Family::Deit ? 2u : 1u) && t < p.tokens.size(); ++t)
            p.specialTokens[t] = true;  // [CLS] (and DeiT's [DIST])
        return p;
    }
    if (visual) throw UsageError(c.modelType + " is a text model: --image and --pixel-values are for vision models");
    if (input.ids) {
        p.forward.ids = *input.ids;
        p.tokens = namesOf(cp, p.forward.ids);
        p.specialTokens = specialOf(cp, p.forward.ids);
    } else {
        if (input.text->empty()) throw Error("--text is empty; give some text to tokenize");
        if (!cp.tokenizer()) throw Error(cp.tokenizerProblem() + "; give token ids with --ids instead");
        const auto enc = cp.encode(*input.text, input.pair);
        p.forward.ids = enc.ids;
        p.forward.typeIds = enc.typeIds;
        p.tokens = enc.tokens;
        p.specialTokens.assign(enc.specialTokensMask.begin(), enc.specialTokensMask.end());
    }
    if (c.isEncoderDecoder()) {
        if (input.target && input.decoderIds) throw UsageError("give --target or --decoder-ids, not both");
        if (!input.target && !input.decoderIds)
            throw UsageError(c.modelType + " is an encoder-decoder: give the decoder input with --target or --decoder-ids");
        p.forward.decoderIds = input.target ? attnscope::teacherForcedDecoderIds(cp, *input.target) : *input.decoderIds;
        p.decoderTokens = namesOf(cp, p.forward.decoderIds);
        p.decoderSpecialTokens = specialOf(cp, p.forward.decoderIds);
    } else if (input.target || input.decoderIds) {
        throw UsageError("--target and --decoder-ids are for encoder-decoder models; this is " + c.modelType);
    }
    return p;
}

}  // namespace

void runAttention(const std::string& model, const TextInput& input, const std::string& outFile) {
    const auto cp = attnscope::Checkpoint::open(model);
    PreparedInput p = prepare(*cp, input);
    auto result = cp->forward(p.forward);

    attnscope::AttentionFile file;
    file.modelType = cp->config().modelType;
    file.tokens = {std::move(p.tokens), p.forward.pixels.empty() ? p.forward.ids : std::vector<int>{}, std::move(p.specialTokens)};
    file.attentions = std::move(result->attentions);
    if (cp->config().isEncoderDecoder()) {
        file.decoderTokens = {std::move(p.decoderTokens), p.forward.decoderIds, std::move(p.decoderSpecialTokens)};
        file.decoderAttentions = std::move(result->decoderAttentions);
        file.crossAttentions = std::move(result->crossAttentions);
    }
    if (result->logits.size() > 0) {
        // A classifier's logits are one row per image: [labels], as transformers gives them.
        file.logits.assign(result->logits.data(), result->logits.data() + result->logits.size());
        if (cp->config().isVision()) file.logitsShape = {result->logits.cols()};
        else file.logitsShape = {result->logits.rows(), result->logits.cols()};
    }
    file.pixels = std::move(p.forward.pixels);
    attnscope::writeAttentionFile(outFile, file);
}

}  // namespace cli
