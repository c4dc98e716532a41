#include "CliCommands.h"

#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "Error.h"
#include "ImageInput.h"
#include "io/AttentionFile.h"
#include "model/Checkpoint.h"
#include "model/ModelDescription.h"
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
                        {"parameters", cp->model().parameterCount()},
                        // What the weights take in memory as used: quantized and 16-bit ones as stored.
                        {"weight_bytes", cp->model().weights().weightBytes()},
                        {"attention", attnscope::describeAttention(c)}};
    nlohmann::json stacks = nlohmann::json::array();
    for (const attnscope::StackShape& s : cp->capabilities().stacks) stacks.push_back({{"name", s.name}, {"layers", s.layers}, {"heads", s.heads}});
    j["stacks"] = stacks;
    if (cp->capabilities().readsImages()) {
        j["image_size"] = c.imageConfig().imageSize;
        j["patch_size"] = c.imageConfig().patchSize;
    }
    // A composed model's figures above are its decoder's; the encoder is another family.
    if (c.encoder)
        j["encoder"] = {{"model_type", c.encoder->modelType}, {"layers", c.encoder->layers}, {"heads", c.encoder->heads},
                        {"hidden", c.encoder->hidden}, {"attention", attnscope::describeAttention(*c.encoder)}};
    if (!c.id2label.empty()) {
        nlohmann::json labels = nlohmann::json::object();
        for (const auto& [id, label] : c.id2label) labels[std::to_string(id)] = label;
        j["id2label"] = labels;
    }
    printJson(j);
}

attnscope::PreparedInput prepareFor(const attnscope::Checkpoint& checkpoint, const attnscope::UserInput& input) {
    if (const auto mismatch = attnscope::inputMismatch(checkpoint.capabilities(), input)) throw UsageError(*mismatch);
    return attnscope::prepareInput(checkpoint, input, loadImage);
}

void runTokenize(const std::string& modelOrTokenizer, const attnscope::UserInput& input) {
    const std::filesystem::path path = attnscope::resolveModelReference(modelOrTokenizer);
    std::error_code ec;
    std::unique_ptr<attnscope::Tokenizer> tokenizer;
    if (std::filesystem::is_directory(path, ec)) {
        tokenizer = attnscope::Tokenizer::fromModelFolder(path);
        if (!tokenizer)
            throw Error(path.string() + ": no tokenizer (expected tokenizer.json, source.spm with vocab.json, vocab.txt, or vocab.json with merges.txt)");
    } else if (std::filesystem::exists(path, ec)) {
        tokenizer = attnscope::Tokenizer::fromTokenizerJson(path);
    } else {
        throw Error(path.string() + ": no such model folder or tokenizer file");
    }
    const auto enc = input.pair ? tokenizer->encode(*input.text, std::string_view(*input.pair))
                                : tokenizer->encode(*input.text);
    nlohmann::json j = encodingJson(enc);
    // A translation's target, as teacher forcing reads it (Marian: through target.spm).
    if (input.target) j["target"] = encodingJson(tokenizer->encodeTarget(*input.target));
    printJson(j);
}


void runAttention(const std::string& model, const attnscope::UserInput& input, const std::string& outFile) {
    const auto cp = attnscope::Checkpoint::open(model);
    const std::optional<attnscope::AttentionRecord> record = cp->run(prepareFor(*cp, input));
    attnscope::writeAttentionFile(outFile, *record);
}

}  // namespace cli
