#include "model/Checkpoint.h"

#include "CpuSupport.h"
#include "Error.h"
#include "MatrixMemory.h"
#include "model/GgufModel.h"
#include "model/ModelReference.h"
#include "model/PreparedInput.h"
#include "model/TransformerModel.h"

namespace attnscope {

std::unique_ptr<Checkpoint> Checkpoint::open(const std::filesystem::path& reference) {
    // `builtin:NAME` names a shipped teaching model, `ollama:NAME` one in Ollama's store; anything
    // else is a folder, a GGUF file or a hub id (model/ModelReference.h).
    requireCpuSupport();
    keepMatrixMemoryForReuse();
    const std::filesystem::path dir = resolveModelReference(reference.string());
    std::unique_ptr<Checkpoint> cp(new Checkpoint());
    cp->folder_ = dir;
    if (isGgufFile(dir)) {
        GgufModel gguf = openGgufModel(dir);
        cp->model_ = std::make_unique<TransformerModel>(std::move(gguf.config), std::move(gguf.weights));
        cp->tokenizer_ = std::move(gguf.tokenizer);
        cp->tokenizerProblem_ = std::move(gguf.tokenizerProblem);
        return cp;
    }
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) throw Error(dir.string() + ": no such model folder");
    if (!std::filesystem::is_directory(dir, ec))
        throw Error(dir.string() + ": not a model folder or a GGUF file (a model is a folder with config.json and weights, or a .gguf file)");
    ModelConfig config = ModelConfig::fromFile(dir / "config.json");
    cp->model_ = std::make_unique<TransformerModel>(std::move(config), std::make_unique<CheckpointWeights>(dir));
    try {
        cp->tokenizer_ = Tokenizer::fromModelFolder(dir);
        if (!cp->tokenizer_)
            cp->tokenizerProblem_ = dir.string() + ": no tokenizer (expected tokenizer.json, source.spm with vocab.json, vocab.txt, or vocab.json with merges.txt)";
    } catch (const Error& e) {
        // A broken tokenizer does not stop the model from being used with token ids.
        cp->tokenizerProblem_ = e.what();
    }
    return cp;
}

Checkpoint::~Checkpoint() = default;

const ModelConfig& Checkpoint::config() const { return model_->config(); }

const ModelCapabilities& Checkpoint::capabilities() const { return model_->capabilities(); }

Encoding Checkpoint::encode(const std::string& text, const std::optional<std::string>& pair) const {
    if (!tokenizer_) throw Error(tokenizerProblem_);
    if (pair) return tokenizer_->encode(text, std::string_view(*pair));
    return tokenizer_->encode(text);
}

Encoding Checkpoint::encodeTarget(const std::string& text) const {
    if (!tokenizer_) throw Error(tokenizerProblem_);
    return tokenizer_->encodeTarget(text);
}

std::vector<std::string> Checkpoint::tokenNames(const std::vector<int>& ids) const {
    std::vector<std::string> names;
    names.reserve(ids.size());
    for (const int id : ids) {
        std::string token = tokenizer_ ? tokenizer_->idToToken(id) : std::string();
        names.push_back(token.empty() ? std::to_string(id) : std::move(token));
    }
    return names;
}

std::vector<bool> Checkpoint::specialTokens(const std::vector<int>& ids) const {
    std::vector<bool> special;
    special.reserve(ids.size());
    for (const int id : ids) special.push_back(tokenizer_ && tokenizer_->isSpecial(id));
    return special;
}

std::optional<ForwardResult> Checkpoint::forward(const ForwardInput& input, const ProgressCallback& progress,
                                                 const std::atomic<bool>* cancel) const {
    return model_->forward(input, progress, cancel);
}

std::optional<AttentionRecord> Checkpoint::run(const PreparedInput& input, const ProgressCallback& progress,
                                               const std::atomic<bool>* cancel) const {
    std::optional<ForwardResult> result = model_->forward(input.forward, progress, cancel);
    if (!result) return std::nullopt;
    AttentionRecord record = std::move(result->record);
    for (std::size_t i = 0; i < record.sequences.size() && i < input.sequences.size(); ++i)
        if (record.sequences[i].size() == input.sequences[i].size()) record.sequences[i] = input.sequences[i];
    return record;
}

}  // namespace attnscope
