#include "CliCommands.h"

#include <charconv>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "Error.h"
#include "io/AttentionFile.h"
#include "PreparedInput.h"
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

}  // namespace

void printJson(const nlohmann::json& j) {
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

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
    printJson(j);
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
    printJson(encodingJson(enc));
}


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
        // A classifier's logits are one row per input (image or text): [labels], as transformers
        // gives them without the batch dimension.
        file.logits.assign(result->logits.data(), result->logits.data() + result->logits.size());
        if (cp->model().isClassifier()) file.logitsShape = {result->logits.cols()};
        else file.logitsShape = {result->logits.rows(), result->logits.cols()};
    }
    file.pixels = std::move(p.forward.pixels);
    attnscope::writeAttentionFile(outFile, file);
}

}  // namespace cli
