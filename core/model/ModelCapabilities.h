#pragma once
// What an open model is, derived once from its family's table entry, its config and the head
// its checkpoint stores: what it reads, which attention stacks it has, whether it can
// generate, whether it has a logit lens, what it predicts. The command line, `render` and the
// app ask this instead of asking which family or kind of model is open.
#include <string>
#include <vector>

#include "model/FamilySpec.h"
#include "tensor/AttentionRecord.h"

namespace attnscope {

struct ModelConfig;

enum class InputKind {
    Text,          // a text, with an optional second segment (a sentence pair)
    Image,         // an image, or ready pixel values
    SourceTarget,  // a source text, and a target the decoder reads (teacher forcing)
    ImageTarget,   // an image, and a target the decoder reads (a caption)
};

enum class PredictionKind {
    None,         // no output head: attention only
    NextToken,    // a causal LM: the next token after every position
    MaskedToken,  // a masked LM: the token at every position ([MASK] ones are the interesting ones)
    Labels,       // a classifier: id2label probabilities for the whole input
    TokenLabels,  // a token classifier: label probabilities at every position
};

// One attention stack a forward pass produces: its name and shape, and the sequences (indices
// into ModelCapabilities::sequences) of its rows and columns.
struct StackShape {
    std::string name;
    int querySequence = 0;
    int keySequence = 0;
    int layers = 0;
    int heads = 0;
};

struct ModelCapabilities {
    std::string modelType;
    InputKind input = InputKind::Text;
    // An image's leading special tokens before its patches ([CLS], DeiT's [DIST]); 0 for text.
    int leadingSpecialTokens = 0;
    PatchGrid patches;                   // how an image's tokens tile it (image models)
    std::vector<std::string> sequences;  // "input" (text or image), and "decoder" for an encoder-decoder
    std::vector<StackShape> stacks;
    int forwardLayers = 0;               // the blocks one forward pass runs (what its progress counts)
    bool causal = false;                 // a single-stack text model that sees only earlier tokens
    HeadKind head = HeadKind::None;
    PredictionKind predictions = PredictionKind::None;
    std::vector<std::string> labelNames;  // the head's own label names (empty: config.json's id2label)
    bool canGenerate = false;
    bool hasLogitLens = false;
    // Why generation or the lens is not available, as a user-facing sentence ("" when it is).
    std::string whyNoGeneration;
    std::string whyNoLogitLens;

    bool readsImages() const { return input == InputKind::Image || input == InputKind::ImageTarget; }
    bool hasDecoder() const { return input == InputKind::SourceTarget || input == InputKind::ImageTarget; }
    bool hasVocabularyHead() const { return head == HeadKind::CausalLm || head == HeadKind::MaskedLm; }
    bool isClassifier() const { return predictions == PredictionKind::Labels; }
    int layersOf(int stack) const { return stacks.at(static_cast<std::size_t>(stack)).layers; }
    // The stack called `name`: its index, or -1.
    int stackIndex(const std::string& name) const;
};

// The capabilities of a model of this config whose checkpoint has a `head` output head (with
// its own label names, if any).
ModelCapabilities capabilitiesOf(const ModelConfig& config, HeadKind head, std::vector<std::string> labelNames = {});

}  // namespace attnscope
