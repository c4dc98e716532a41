#pragma once
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "model/ForwardResult.h"
#include "model/ModelCapabilities.h"
#include "model/ModelConfig.h"
#include "text/Tokenizer.h"

namespace attnscope {

class TransformerModel;
struct PreparedInput;

// Progress of a forward pass: called after each layer with (layers done, layers in all).
using ProgressCallback = std::function<void(int done, int total)>;

// A Hugging Face model folder opened for inference: its config, memory-mapped weights
// and (when present) its tokenizer.
class Checkpoint {
public:
    // Opens a model folder or GGUF file, or what a reference names (`builtin:NAME`, `ollama:NAME`,
    // a hub id: model/ModelReference.h); folder() is then the resolved folder or file. Throws
    // attnscope::Error with a user-facing message when the reference or folder cannot be used.
    static std::unique_ptr<Checkpoint> open(const std::filesystem::path& reference);
    ~Checkpoint();

    const std::filesystem::path& folder() const { return folder_; }
    const ModelConfig& config() const;
    // What the model reads, which stacks it has, what it predicts (model/ModelCapabilities.h).
    const ModelCapabilities& capabilities() const;
    // nullptr when the folder has no usable tokenizer; tokenizerProblem() says why.
    const Tokenizer* tokenizer() const { return tokenizer_.get(); }
    const std::string& tokenizerProblem() const { return tokenizerProblem_; }

    // Tokenizes with the checkpoint's tokenizer; throws attnscope::Error when there is none.
    Encoding encode(const std::string& text, const std::optional<std::string>& pair = std::nullopt) const;
    // Tokenizes an encoder-decoder's target text (Marian's target.spm; otherwise as encode).
    Encoding encodeTarget(const std::string& text) const;
    // Ids given without their text, as they are shown: the vocabulary's spelling of each (the
    // number itself for an id it lacks, or without a tokenizer), and whether each is special.
    std::vector<std::string> tokenNames(const std::vector<int>& ids) const;
    std::vector<bool> specialTokens(const std::vector<int>& ids) const;

    // Runs the model. Returns std::nullopt when *cancel became true (checked between layers).
    std::optional<ForwardResult> forward(const ForwardInput& input, const ProgressCallback& progress = {},
                                         const std::atomic<bool>* cancel = nullptr) const;
    // Runs the model on what prepareInput made: the record, with its sequences named as
    // prepared. std::nullopt when *cancel became true.
    std::optional<AttentionRecord> run(const PreparedInput& input, const ProgressCallback& progress = {},
                                       const std::atomic<bool>* cancel = nullptr) const;

    const TransformerModel& model() const { return *model_; }

private:
    Checkpoint() = default;
    std::filesystem::path folder_;
    std::unique_ptr<TransformerModel> model_;
    std::unique_ptr<Tokenizer> tokenizer_;
    std::string tokenizerProblem_;
};

}  // namespace attnscope
