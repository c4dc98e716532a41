#pragma once
#include <map>
#include <string>
#include <vector>

#include "model/ModelConfig.h"

namespace attnscope {

// Logical roles of a checkpoint's modules. Each family names them differently; the forward
// pass only ever asks for a role. A role maps to a module path: weights are path + ".weight",
// biases path + ".bias" ("{L}" stands for the layer index).
enum class TensorRole {
    TokenEmbedding, PositionEmbedding, TokenTypeEmbedding, EmbeddingNorm,
    AttnNorm, AttnQ, AttnK, AttnV, AttnQkv, AttnOut,
    MlpNorm, MlpUp, MlpGate, MlpDown,
    FinalNorm,
    LmHead,                   // output projection (tied to TokenEmbedding when absent)
    HeadTransform, HeadNorm,  // masked-LM head: dense + activation + norm before the decoder
    HeadBias,                 // full tensor name of the masked-LM decoder bias
    PatchEmbedding, ClsToken, DistillationToken,  // vision transformers
    Classifier, DistillationClassifier,           // image classification heads
    RelativeBias,                                 // T5: learned bias per relative-position bucket and head
    CrossNorm, CrossQ, CrossK, CrossV, CrossOut,  // decoder-to-encoder attention
    MlpUpGated,                                   // T5 gated feed-forward's linear branch (wi_1)
    Pooler,                                       // BERT's pooler dense layer (a base-model role, prefixed)
    SequenceDense, SequenceClassifier,            // text classification heads: dense layer, label projection
};

enum class NormKind { LayerNorm, RmsNorm };
enum class NormPlacement { Post, Pre };  // Post: x = norm(x + f(x)); Pre: x = x + f(norm(x))
// PatchTable: a learned [1, tokens, hidden] table over CLS (+ distillation) and the patches.
// RelativeBuckets: T5's learned bias per bucketed query-key offset, added to the scores.
enum class PositionScheme { Learned, LearnedFromPadding, Rotary, PatchTable, RelativeBuckets };
// Split: separate q, k, v projections. Fused: one projection giving [q | k | v].
// FusedPerHead: one projection giving, per head, [q_h | k_h | v_h] (GPT-NeoX).
enum class QkvLayout { Split, Fused, FusedPerHead };
enum class MlpKind { Plain, Gated };  // Plain: down(act(up x)); Gated: down(act(gate x) * up x)
enum class HeadKind { None, CausalLm, MaskedLm, ImageClassifier, SequenceClassifier };
// The one position of a text whose final hidden state a sequence classifier reads: the first
// ([CLS] / <s>) for encoders, the last token that is not padding for decoders.
enum class SequencePooling { None, FirstToken, LastNonPadToken };

// A text classification head (*ForSequenceClassification): the pooled position, then an
// optional dense layer and activation (the Pooler role for BERT, SequenceDense for RoBERTa and
// DistilBERT, none for decoders), then the label projection (SequenceClassifier).
struct SequenceHeadSpec {
    SequencePooling pooling = SequencePooling::None;  // None: the family has no such head
    Activation denseActivation = Activation::Tanh;
    bool classifierBias = true;  // decoders' `score` has none
};

// What differs between families, as data. One transformer block reads this; no family has
// its own copy of the forward pass.
struct FamilySpec {
    Family family;
    std::map<TensorRole, std::string> names;  // base-model roles, without the checkpoint's prefix
    std::map<TensorRole, std::string> headNames;  // head roles, at the checkpoint's top level
    std::vector<std::string> basePrefixes;    // prefixes real checkpoints put before base names
    NormKind norm;
    NormPlacement placement;
    PositionScheme positions;
    QkvLayout qkv;
    MlpKind mlp;
    bool conv1dWeights;  // weights stored [in, out] (GPT-2's Conv1D) instead of [out, in]
    bool tokenTypes;
    bool embeddingNorm;
    bool finalNorm;
    HeadKind head;
    std::string headActivationKey;  // config key naming the masked-LM head's activation
    std::map<TensorRole, std::string> decoderNames = {};  // encoder-decoder models: the decoder stack
    SequenceHeadSpec sequenceHead = {};

    bool hasRole(TensorRole r) const { return names.count(r) != 0; }
    // The role whose tensor tells which prefix a checkpoint uses.
    TensorRole probeRole() const { return hasRole(TensorRole::TokenEmbedding) ? TensorRole::TokenEmbedding : TensorRole::PatchEmbedding; }
};

const FamilySpec& familySpec(Family family);

// Replaces "{L}" in a module path with the layer index.
std::string layerPath(const std::string& pattern, int layer);

}  // namespace attnscope
