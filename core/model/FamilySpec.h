#pragma once
// What distinguishes one model family from another, as data: the config.json keys of its
// numbers, its tensor names by logical role, its norm, positions, scaling, biases, residual
// style and output heads. One transformer block, one layer stack and one output head read
// this; no family has its own copy of the forward pass, and adding a family is adding an
// entry to the table in FamilySpec.cpp (as whisper.cpp's whisper-arch.h keeps each
// architecture's tensor names by role).
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/LayerKinds.h"

namespace attnscope {

// Logical roles of a checkpoint's modules. A role maps to a module path: weights are path +
// ".weight", biases path + ".bias" ("{L}" stands for the layer index).
enum class TensorRole {
    TokenEmbedding, PositionEmbedding, TokenTypeEmbedding, EmbeddingNorm,
    EmbeddingProjection,                          // embedding_size -> hidden (ELECTRA, ALBERT's factorised embeddings)
    AttnNorm, AttnQ, AttnK, AttnV, AttnQkv, AttnOut,
    AttnQNorm, AttnKNorm,                         // norms of the queries and keys before RoPE (Qwen 3, Gemma 3, OLMo 2)
    AttnOutNorm,                                  // a norm of the attention's output before the residual add (Gemma 2/3, OLMo 2)
    MlpNorm, MlpUp, MlpGate, MlpDown,
    MlpGateUp,                                    // one projection giving [gate | up] (Phi-3)
    MlpOutNorm,                                   // a norm of the MLP's output before the residual add
    MlpUpGated,                                   // T5 gated feed-forward's linear branch (wi_1)
    FinalNorm,
    PatchEmbedding, ClsToken, DistillationToken,  // vision transformers
    RelativeBias,                                 // T5: learned bias per relative-position bucket and head
    CrossNorm, CrossQ, CrossK, CrossV, CrossOut,  // decoder-to-encoder attention
    CrossKv,                                      // one projection giving the cross-attention's [k | v] (GPT-2's crossattention.c_attn)
    Pooler,                                       // BERT's pooler dense layer (a base-model module)
    // DeBERTa: the relative-position table (and its norm), and the projections of it that a
    // layer uses when it does not share its query and key projections (share_att_key false).
    RelativeEmbedding, RelativeEmbeddingNorm, AttnPosKey, AttnPosQuery,
    // SigLIP's attention-pooling head: the learned probe query, and the nn.MultiheadAttention it
    // asks with (its in_proj_weight/in_proj_bias hold [q | k | v]).
    PoolingProbe, PoolingAttention,
};

enum class NormPlacement { Post, Pre };  // Post: x = norm(x + f(x)); Pre: x = x + f(norm(x))
// LearnedFromPadding: RoBERTa numbers real tokens from padding_idx + 1.
// PatchTable: a learned table over CLS (+ distillation) and the patches, [1, tokens, hidden]
// (ViT) or [tokens, hidden] (CLIP's and SigLIP's nn.Embedding).
// RelativeBuckets: T5's learned bias per bucketed query-key offset, added to the scores.
// Sinusoidal: a fixed table, sines of every frequency in the first half of each row and their
// cosines in the second (Marian); computed, not read from the checkpoint.
// Disentangled: DeBERTa's content-to-position and position-to-content score terms over a
// relative-position table (model/DisentangledAttention.h), with or without a learned
// absolute table added to the embeddings (positionTable).
enum class PositionScheme { Learned, LearnedFromPadding, Rotary, PatchTable, RelativeBuckets, Sinusoidal, Disentangled };
// Split: separate q, k, v projections. Fused: one projection giving [q | k | v].
// FusedPerHead: one projection giving, per head, [q_h | k_h | v_h] (GPT-NeoX).
enum class QkvLayout { Split, Fused, FusedPerHead };
enum class MlpKind { Plain, Gated };  // Plain: down(act(up x)); Gated: down(act(gate x) * up x)
// PerHead: the q/k norms run over each head's head_dim values (Qwen 3, Gemma 3);
// WholeProjection: over all of q (or k) at once, before it is split into heads (OLMo 2).
enum class QkNormScope { PerHead, WholeProjection };

// A yes/no fact of a family: fixed, or read from a config.json key with a default.
struct ConfigSwitch {
    const char* key = nullptr;  // nullptr: always `fallback`
    bool fallback = false;
};
inline constexpr ConfigSwitch kAlways{nullptr, true};
inline constexpr ConfigSwitch kNever{nullptr, false};
constexpr ConfigSwitch fromKey(const char* key, bool fallback) { return {key, fallback}; }

// Which layers attend within a sliding window, and how config.json says so.
// AttentionLayers: GPT-Neo's `attention_layers` list of "global"/"local" with `window_size`.
// SlidingWindow: `sliding_window` on the layers `layer_types` marks "sliding_attention"; without
// layer_types, on every layer (Mistral) unless the family derives the types: from the layers on
// (Qwen2's max_window_layers), by a repeating pattern (Gemma 2/3: every pattern-th layer is
// global), or on the layers without RoPE (SmolLM3). `use` gates the window as Qwen2 does.
enum class WindowRule { None, AttentionLayers, SlidingWindow };
struct WindowSpec {
    WindowRule rule = WindowRule::None;
    ConfigSwitch use = kAlways;            // SlidingWindow: whether the window applies at all
    const char* firstLayerKey = nullptr;   // SlidingWindow: layers from this one on slide (Qwen2's max_window_layers)
    int patternDefault = 0;                // SlidingWindow, > 0: layer i slides unless (i + 1) % pattern == 0 (Gemma 2: 2)
    const char* patternKey = nullptr;      // the config key that may change the pattern (Gemma 3's sliding_window_pattern)
    bool onNoRopeLayers = false;           // SlidingWindow: only the layers that skip RoPE slide (SmolLM3)
    bool globalFromFirst = false;          // the pattern counts from layer 0: layer i is global when i % pattern == 0 (ModernBERT)
    // The window as a whole span over both sides (ModernBERT's local_attention: keys at most
    // half of it away) instead of `sliding_window`; its default where config.json has none.
    const char* spanKey = nullptr;
    int spanDefault = 0;
};

// The config.json keys of a family's numbers and their defaults. A nullptr key is a number the
// family does not have (or, where a default is given, always has that value).
struct ConfigKeys {
    const char* layers = "num_hidden_layers";
    const char* heads = "num_attention_heads";
    const char* kvHeads = nullptr;  // grouped-query attention; absent: as many as heads
    const char* hidden = "hidden_size";
    const char* embeddingSize = nullptr;  // the embeddings' width when it may differ from hidden (ELECTRA, ALBERT)
    const char* intermediate = "intermediate_size";
    int intermediateFactor = 0;     // > 0: the key may be absent, meaning factor x hidden
    const char* vocab = "vocab_size";  // nullptr: no vocabulary (vision)
    const char* maxPositions = "max_position_embeddings";  // nullptr: one per patch and leading token
    int maxPositionsDefault = 0;    // > 0: the key may be absent
    const char* headDim = nullptr;  // absent: hidden / heads
    const char* normEps = "layer_norm_eps";  // nullptr: always normEpsDefault
    double normEpsDefault = 1e-12;
    const char* activation = "hidden_act";
    const char* activationDefault = "gelu";
    // T5's feed_forward_proj: "gated-ACT" makes the MLP gated with ACT, anything else names ACT.
    const char* feedForwardProj = nullptr;
    const char* typeVocab = nullptr;  // token types (BERT)
    int padTokenDefault = -1;         // -1: no pad token unless config.json names one
    // Rotary positions: the base, and the share of each head that is rotated.
    const char* ropeTheta = "rope_theta";
    const char* rotaryFraction = nullptr;
    double rotaryFractionDefault = 1.0;
    const char* localRopeTheta = nullptr;   // the base of the sliding layers' RoPE (Gemma 3's rope_local_base_freq)
    bool oldLongRopeNames = false;          // rope_type "su" and "yarn" mean LongRoPE (Phi-3's earlier configs)
    const char* noRopeLayers = nullptr;     // per layer 1 (RoPE) or 0 (none) (SmolLM3's no_rope_layers)
    const char* noRopeInterval = nullptr;   // without that list: every interval-th layer skips RoPE
    // Gemma 2/3: scores scaled by query_pre_attn_scalar^-0.5, soft-capped as cap * tanh(s / cap).
    const char* queryPreAttnScalar = nullptr;
    const char* attnSoftcap = nullptr;
    const char* finalSoftcap = nullptr;
    // Encoder-decoders (T5, BART, Marian). The decoder's heads and feed-forward width must
    // equal the encoder's where config.json gives them separately (every published BART and
    // Marian model has them equal; one block shape serves both stacks).
    const char* decoderLayers = nullptr;
    const char* decoderHeads = nullptr;
    const char* decoderIntermediate = nullptr;
    const char* relativeBuckets = nullptr;
    const char* relativeMaxDistance = nullptr;
    // Vision transformers.
    const char* imageSize = nullptr;
    const char* patchSize = nullptr;
    const char* channels = nullptr;
};

// Output heads: what a checkpoint's logits are, and how they are computed from the final
// hidden states (after the final norm).
// TokenClassifier: labels for every position (ELECTRA's discriminator: was this token replaced?).
enum class HeadKind { None, CausalLm, MaskedLm, ImageClassifier, SequenceClassifier, TokenClassifier };
// Which rows of the hidden states the head reads: every position, the first ([CLS], <s>), the
// first two (DeiT's CLS and distillation tokens, one projection each, averaged), or the last
// that is not the config's pad token (decoders' sequence classifiers).
enum class HeadPooling { EveryPosition, FirstToken, FirstTwoTokens, LastNonPadToken };
// Stored: the projection's weight is in the checkpoint. StoredOrTied: failing that, the token
// embeddings when tie_word_embeddings says so. Tied: always the token embeddings.
enum class ProjectionSource { Stored, StoredOrTied, Tied };
// Required: the projection has a bias. IfStored: it has one when the checkpoint stores one.
// Absent: it has none, and a stored one means this is another head (a token classifier).
enum class BiasRule { Required, IfStored, Absent };

struct OutputHeadSpec {
    HeadKind kind = HeadKind::None;
    HeadPooling pooling = HeadPooling::EveryPosition;
    // An optional dense layer and activation before the projection (BERT's pooler and masked-LM
    // transform, RoBERTa's classifier.dense, DistilBERT's pre_classifier), and a norm after it.
    std::string dense;
    bool denseInBaseModel = false;    // the dense layer is a base-model module (BERT's pooler), under its prefix
    Activation denseActivation = Activation::Gelu;
    bool denseUsesModelActivation = false;     // the model's activation (hidden_act or its default) instead
    std::string norm;
    BiasRule denseBias = BiasRule::Required;  // IfStored: ModernBERT's head.dense has one only with classifier_bias
    // The projection to the vocabulary or the labels, and what else it may be.
    std::string projection;
    ProjectionSource source = ProjectionSource::Stored;
    BiasRule bias = BiasRule::Required;
    std::string separateBias;        // a tied projection's own bias tensor (masked LMs)
    std::string secondProjection;    // FirstTwoTokens: the second token's projection (DeiT's distillation classifier)
    bool labels = false;             // the projection's rows are labels (id2label), not the vocabulary
    // One logit z per position, read as two labels' logits [0, z], so that the softmax gives
    // sigmoid(z) for the second (ElectraForPreTraining's "replaced" score), named by labelNames.
    bool singleLogit = false;
    std::vector<std::string> labelNames;  // fixed label names, where config.json's id2label does not name them
    bool tiedScaledByHidden = false; // a tied projection reads hidden x d_model^-0.5 (T5)
    bool denseToEmbedding = false;   // the dense layer maps hidden to embedding_size, where the norm and the tied projection work (ALBERT, ELECTRA's generator)
    // A bias buffer added to the logits however the projection is found, [1, vocab] or [vocab]
    // (BART's and Marian's final_logits_bias); zero when the checkpoint lacks it.
    std::string addedBias;
    const char* tieOnlyForArchitecture = nullptr;  // tie only when config.json's architectures end with this
    const char* refusedArchitecture = nullptr;     // not this head for such checkpoints (*ForMultipleChoice)
};

struct FamilySpec {
    std::vector<std::string> modelTypes;      // config.json model_type values that run as this family
    ConfigKeys keys;
    // Values transformers' config class gives keys that config.json leaves out; they matter where
    // save_pretrained writes only what differs from them (a nested text_config).
    nlohmann::json configDefaults = nlohmann::json::object();
    // Keys that must have one value where config.json gives them, with why (ALBERT's layer
    // groups: AttnScope shares one set of layer weights, as every published ALBERT does).
    struct OnlyValue {
        const char* key;
        int value;
        const char* why;
    };
    std::vector<OnlyValue> onlyValues = {};
    // Multimodal checkpoints whose text model's config nests under this key (Gemma 3's text_config).
    const char* nestedConfig = nullptr;
    std::map<TensorRole, std::string> names;  // base-model roles, without the checkpoint's prefix
    std::map<TensorRole, std::string> decoderNames = {};  // encoder-decoders: the decoder stack's roles
    std::vector<std::string> basePrefixes;    // prefixes real checkpoints put before base names
    NormKind norm = NormKind::LayerNorm;
    NormPlacement placement = NormPlacement::Pre;
    PositionScheme positions = PositionScheme::Learned;
    QkvLayout qkv = QkvLayout::Split;
    MlpKind mlp = MlpKind::Plain;
    QkNormScope qkNorm = QkNormScope::PerHead;
    ConfigSwitch scaleEmbeddings = kNever;  // token embeddings times sqrt(hidden), in float32 (Gemma; BART's scale_embedding)
    int positionOffset = 0;  // a learned position table's rows start this many before position 0 (BART: 2)
    ConfigSwitch positionTable = kAlways;  // the PositionEmbedding role's table is added (DeBERTa's position_biased_input)
    // The embedding projection (EmbeddingProjection) comes before the embedding norm and has no
    // bias (DeBERTa's embed_proj), rather than after it with one (ELECTRA, ALBERT).
    bool projectionBeforeNorm = false;
    // An attention-pooling head whose probe query attends over the normalised last hidden state
    // (SigLIP's vision_use_head); its attention becomes the "probe" stack.
    ConfigSwitch poolingProbe = kNever;
    bool conv1dWeights = false;  // weights stored [in, out] (GPT-2's Conv1D) instead of [out, in]
    bool causal = false;
    ConfigSwitch scaleScores = kAlways;         // divide scores by sqrt(head_dim)
    ConfigSwitch scaleByInverseLayer = kNever;  // GPT-2's scale_attn_by_inverse_layer_idx
    ConfigSwitch qkvBias = kAlways;
    ConfigSwitch outBias = kAlways;
    ConfigSwitch mlpBias = kAlways;
    ConfigSwitch normBias = kAlways;            // LayerNorms have a bias (ModernBERT's norm_bias: none)
    bool firstLayerHasNoAttnNorm = false;       // layer 0 feeds attention the embeddings' norm as is (ModernBERT)
    ConfigSwitch parallelResidual = kNever;     // GPT-NeoX: x + attn(ln1 x) + mlp(ln2 x)
    ConfigSwitch tieEmbeddings = kNever;
    WindowSpec window = {};
    // The residual stream after the final norm is the last hidden state (transformers'
    // hidden_states[-1]) for text models; ViT's final norm feeds only its classifier.
    bool finalNormInLastHiddenState = true;
    // Candidate heads, tried in order: the first whose tensors the checkpoint has is its head.
    std::vector<OutputHeadSpec> heads;

    bool hasRole(TensorRole r) const { return names.count(r) != 0; }
    bool hasFinalNorm() const { return hasRole(TensorRole::FinalNorm); }
    bool isEncoderDecoder() const { return !decoderNames.empty(); }
    bool readsImages() const { return positions == PositionScheme::PatchTable; }
    // An image's tokens before its patches: [CLS] (none in SigLIP), and DeiT's distillation token.
    int leadingImageTokens() const {
        return readsImages() ? int(hasRole(TensorRole::ClsToken)) + int(hasRole(TensorRole::DistillationToken)) : 0;
    }
    // The role whose tensor tells which prefix a checkpoint uses.
    TensorRole probeRole() const { return hasRole(TensorRole::TokenEmbedding) ? TensorRole::TokenEmbedding : TensorRole::PatchEmbedding; }
};

// The family a config.json model_type runs as; nullptr when none does.
const FamilySpec* findFamily(const std::string& modelType);
// Every supported model_type, in the table's order.
std::vector<std::string> supportedModelTypes();

// Replaces "{L}" in a module path with the layer index.
std::string layerPath(const std::string& pattern, int layer);

}  // namespace attnscope
