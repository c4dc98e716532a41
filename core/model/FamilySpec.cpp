#include "model/ComposedFamilies.h"
#include "model/FamilySpec.h"

#include "model/FamilyHeads.h"
#include "model/Seq2SeqFamilies.h"
#include "model/VisionFamilies.h"

namespace attnscope {
namespace {

using R = TensorRole;

// Decoders read the last token that is not padding straight into a bias-free `score`.
const OutputHeadSpec kScoreHead = sequenceHead(HeadPooling::LastNonPadToken, "", Activation::Tanh, "score", BiasRule::Absent);

FamilySpec bert() {
    FamilySpec s;
    s.modelTypes = {"bert"};
    s.keys.typeVocab = "type_vocab_size";
    s.keys.padTokenDefault = 0;
    s.names = {{R::TokenEmbedding, "embeddings.word_embeddings"},
               {R::PositionEmbedding, "embeddings.position_embeddings"},
               {R::TokenTypeEmbedding, "embeddings.token_type_embeddings"},
               {R::EmbeddingNorm, "embeddings.LayerNorm"},
               {R::AttnQ, "encoder.layer.{L}.attention.self.query"},
               {R::AttnK, "encoder.layer.{L}.attention.self.key"},
               {R::AttnV, "encoder.layer.{L}.attention.self.value"},
               {R::AttnOut, "encoder.layer.{L}.attention.output.dense"},
               {R::AttnNorm, "encoder.layer.{L}.attention.output.LayerNorm"},
               {R::MlpUp, "encoder.layer.{L}.intermediate.dense"},
               {R::MlpDown, "encoder.layer.{L}.output.dense"},
               {R::MlpNorm, "encoder.layer.{L}.output.LayerNorm"}};
    s.basePrefixes = {"", "bert."};
    s.placement = NormPlacement::Post;
    // BERT's pooler (dense + tanh on [CLS]) belongs to the base model, under its prefix.
    OutputHeadSpec classifier = sequenceHead(HeadPooling::FirstToken, "pooler.dense", Activation::Tanh, "classifier");
    classifier.denseInBaseModel = true;
    s.heads = {classifier, maskedLmHead("cls.predictions.transform.dense", true, "cls.predictions.transform.LayerNorm",
                                        "cls.predictions.bias")};
    return s;
}

FamilySpec roberta() {
    FamilySpec s = bert();
    s.modelTypes = {"roberta"};
    s.keys.padTokenDefault = 1;
    s.basePrefixes = {"", "roberta."};
    s.positions = PositionScheme::LearnedFromPadding;
    // RobertaLMHead always uses exact GELU, whatever hidden_act says.
    s.heads = {sequenceHead(HeadPooling::FirstToken, "classifier.dense", Activation::Tanh, "classifier.out_proj"),
               maskedLmHead("lm_head.dense", false, "lm_head.layer_norm", "lm_head.bias")};
    return s;
}

// ELECTRA: BERT whose embeddings may be narrower than the encoder (embedding_size), projected
// up by `embeddings_project` when they are. Its classifier uses GELU where BERT's pooler has
// tanh; its discriminator scores every token; its generator (ElectraForMaskedLM) maps back
// down to embedding_size before the tied decoder.
FamilySpec electra() {
    FamilySpec s = bert();
    s.modelTypes = {"electra"};
    s.keys.embeddingSize = "embedding_size";
    s.configDefaults = {{"embedding_size", 128}};
    s.names[R::EmbeddingProjection] = "embeddings_project";
    s.basePrefixes = {"", "electra."};
    OutputHeadSpec generator = maskedLmHead("generator_predictions.dense", false, "generator_predictions.LayerNorm",
                                            "generator_lm_head.bias");
    generator.denseToEmbedding = true;
    // ElectraForPreTraining: per token, dense + the model's activation + one logit, the
    // discriminator's score that the token was replaced.
    OutputHeadSpec discriminator;
    discriminator.kind = HeadKind::TokenClassifier;
    discriminator.dense = "discriminator_predictions.dense";
    discriminator.denseUsesModelActivation = true;
    discriminator.projection = "discriminator_predictions.dense_prediction";
    discriminator.labels = true;
    discriminator.singleLogit = true;
    discriminator.labelNames = {"original", "replaced"};
    s.heads = {sequenceHead(HeadPooling::FirstToken, "classifier.dense", Activation::Gelu, "classifier.out_proj"), discriminator,
               generator};
    return s;
}

// ALBERT: factorised embeddings (embedding_size, always projected by the encoder's
// embedding_hidden_mapping_in) and one set of layer weights that every layer reuses, so the
// layer names carry no index. BERT's post-norm block under other names.
FamilySpec albert() {
    FamilySpec s;
    s.modelTypes = {"albert"};
    s.keys.typeVocab = "type_vocab_size";
    s.keys.padTokenDefault = 0;
    s.keys.embeddingSize = "embedding_size";
    s.keys.activationDefault = "gelu_new";
    s.configDefaults = {{"embedding_size", 128}};
    s.onlyValues = {{"num_hidden_groups", 1, "AttnScope reads ALBERT with one group of shared layer weights (num_hidden_groups 1)"},
                    {"inner_group_num", 1, "AttnScope reads ALBERT with one layer per group (inner_group_num 1)"}};
    const std::string layer = "encoder.albert_layer_groups.0.albert_layers.0.";
    s.names = {{R::TokenEmbedding, "embeddings.word_embeddings"},
               {R::PositionEmbedding, "embeddings.position_embeddings"},
               {R::TokenTypeEmbedding, "embeddings.token_type_embeddings"},
               {R::EmbeddingNorm, "embeddings.LayerNorm"},
               {R::EmbeddingProjection, "encoder.embedding_hidden_mapping_in"},
               {R::AttnQ, layer + "attention.query"},
               {R::AttnK, layer + "attention.key"},
               {R::AttnV, layer + "attention.value"},
               {R::AttnOut, layer + "attention.dense"},
               {R::AttnNorm, layer + "attention.LayerNorm"},
               {R::MlpUp, layer + "ffn"},
               {R::MlpDown, layer + "ffn_output"},
               {R::MlpNorm, layer + "full_layer_layer_norm"}};
    s.basePrefixes = {"", "albert."};
    s.placement = NormPlacement::Post;
    // The pooler is a bare Linear (albert.pooler) with tanh.
    OutputHeadSpec classifier = sequenceHead(HeadPooling::FirstToken, "pooler", Activation::Tanh, "classifier");
    classifier.denseInBaseModel = true;
    OutputHeadSpec mlm = maskedLmHead("predictions.dense", true, "predictions.LayerNorm", "predictions.bias");
    mlm.denseToEmbedding = true;
    s.heads = {classifier, mlm};
    return s;
}

// DeBERTa-v2 and v3: BERT's post-norm blocks under other names, with disentangled attention
// (model/DisentangledAttention.h) over a relative-position table instead of (v3) or beside
// (v2, position_biased_input) the absolute one; embeddings narrower than the encoder are
// projected (bias-free) before their norm. Defaults are DebertaV2Config's, which
// save_pretrained leaves out of config.json.
FamilySpec debertaV2() {
    FamilySpec s;
    s.modelTypes = {"deberta-v2"};
    s.keys.typeVocab = "type_vocab_size";
    s.keys.padTokenDefault = 0;
    s.keys.embeddingSize = "embedding_size";
    s.keys.headDim = "attention_head_size";
    s.keys.normEpsDefault = 1e-7;
    s.configDefaults = {{"vocab_size", 128100},       {"hidden_size", 1536},        {"num_hidden_layers", 24},
                        {"num_attention_heads", 24},  {"intermediate_size", 6144},  {"max_position_embeddings", 512},
                        {"type_vocab_size", 0},       {"layer_norm_eps", 1e-7},     {"relative_attention", false},
                        {"max_relative_positions", -1}, {"position_buckets", -1}, {"position_biased_input", true}};
    const std::string layer = "encoder.layer.{L}.";
    s.names = {{R::TokenEmbedding, "embeddings.word_embeddings"},
               {R::PositionEmbedding, "embeddings.position_embeddings"},
               {R::TokenTypeEmbedding, "embeddings.token_type_embeddings"},
               {R::EmbeddingProjection, "embeddings.embed_proj"},
               {R::EmbeddingNorm, "embeddings.LayerNorm"},
               {R::RelativeEmbedding, "encoder.rel_embeddings"},
               {R::RelativeEmbeddingNorm, "encoder.LayerNorm"},
               {R::AttnQ, layer + "attention.self.query_proj"},
               {R::AttnK, layer + "attention.self.key_proj"},
               {R::AttnV, layer + "attention.self.value_proj"},
               {R::AttnPosKey, layer + "attention.self.pos_key_proj"},
               {R::AttnPosQuery, layer + "attention.self.pos_query_proj"},
               {R::AttnOut, layer + "attention.output.dense"},
               {R::AttnNorm, layer + "attention.output.LayerNorm"},
               {R::MlpUp, layer + "intermediate.dense"},
               {R::MlpDown, layer + "output.dense"},
               {R::MlpNorm, layer + "output.LayerNorm"}};
    s.basePrefixes = {"", "deberta."};
    s.placement = NormPlacement::Post;
    s.positions = PositionScheme::Disentangled;
    s.positionTable = fromKey("position_biased_input", true);
    s.projectionBeforeNorm = true;
    // The sequence classifier reads [CLS] through ContextPooler (dense + GELU, pooler_hidden_act's
    // default); the masked-LM head is the legacy BERT-named one (cls.predictions) or the newer
    // lm_predictions.lm_head, both mapping back to embedding_size before the tied decoder.
    OutputHeadSpec legacy = maskedLmHead("cls.predictions.transform.dense", true, "cls.predictions.transform.LayerNorm",
                                         "cls.predictions.bias");
    legacy.denseToEmbedding = true;
    OutputHeadSpec lm = maskedLmHead("lm_predictions.lm_head.dense", true, "lm_predictions.lm_head.LayerNorm", "lm_predictions.lm_head.bias");
    lm.denseToEmbedding = true;
    // DebertaV2ForTokenClassification: the same `classifier` without the pooler, on every token.
    OutputHeadSpec tokens;
    tokens.kind = HeadKind::TokenClassifier;
    tokens.projection = "classifier";
    tokens.labels = true;
    s.heads = {sequenceHead(HeadPooling::FirstToken, "pooler.dense", Activation::Gelu, "classifier"), tokens, legacy, lm};
    return s;
}

// ModernBERT: a pre-norm encoder with RoPE and no position table, bias-free norms and
// projections, fused Wqkv, GeGLU (Wi gives [input | gate], GELU on the input half), no norm
// before layer 0's attention, and every third layer (from layer 0) global: the others attend
// within half of local_attention on each side, with RoPE of their own base.
FamilySpec modernbert() {
    FamilySpec s;
    s.modelTypes = {"modernbert"};
    s.keys.normEps = "norm_eps";
    s.keys.normEpsDefault = 1e-5;
    s.keys.activation = "hidden_activation";
    s.keys.maxPositionsDefault = 8192;
    s.keys.ropeTheta = "global_rope_theta";
    s.keys.localRopeTheta = "local_rope_theta";
    s.keys.padTokenDefault = 50283;
    s.names = {{R::TokenEmbedding, "embeddings.tok_embeddings"},
               {R::EmbeddingNorm, "embeddings.norm"},
               {R::AttnNorm, "layers.{L}.attn_norm"},
               {R::AttnQkv, "layers.{L}.attn.Wqkv"},
               {R::AttnOut, "layers.{L}.attn.Wo"},
               {R::MlpNorm, "layers.{L}.mlp_norm"},
               {R::MlpGateUp, "layers.{L}.mlp.Wi"},
               {R::MlpDown, "layers.{L}.mlp.Wo"},
               {R::FinalNorm, "final_norm"}};
    s.basePrefixes = {"model.", ""};
    s.positions = PositionScheme::Rotary;
    s.qkv = QkvLayout::Fused;
    s.qkvBias = s.outBias = fromKey("attention_bias", false);
    s.mlpBias = fromKey("mlp_bias", false);
    s.normBias = fromKey("norm_bias", false);
    s.firstLayerHasNoAttnNorm = true;
    s.window.rule = WindowRule::SlidingWindow;
    s.window.patternDefault = 3;
    s.window.patternKey = "global_attn_every_n_layers";
    s.window.globalFromFirst = true;
    s.window.spanKey = "local_attention";
    s.window.spanDefault = 128;
    // Transformers 4's configs give the bases as keys; transformers 5 nests them in rope_parameters.
    s.configDefaults = {{"global_rope_theta", 160000.0}, {"local_rope_theta", 10000.0}};
    // ModernBertForMaskedLM: head.dense (biased only with classifier_bias), GELU, head.norm, and
    // the decoder tied to the token embeddings with its own bias.
    OutputHeadSpec mlm = maskedLmHead("head.dense", false, "head.norm", "decoder.bias");
    mlm.denseBias = BiasRule::IfStored;
    s.heads = {mlm};
    return s;
}

FamilySpec distilbert() {
    FamilySpec s;
    s.modelTypes = {"distilbert"};
    s.keys.layers = "n_layers";
    s.keys.heads = "n_heads";
    s.keys.hidden = "dim";
    s.keys.intermediate = "hidden_dim";
    s.keys.normEps = nullptr;  // DistilBERT's LayerNorms hard-code 1e-12
    s.keys.activation = "activation";
    s.keys.padTokenDefault = 0;
    s.names = {{R::TokenEmbedding, "embeddings.word_embeddings"},
               {R::PositionEmbedding, "embeddings.position_embeddings"},
               {R::EmbeddingNorm, "embeddings.LayerNorm"},
               {R::AttnQ, "transformer.layer.{L}.attention.q_lin"},
               {R::AttnK, "transformer.layer.{L}.attention.k_lin"},
               {R::AttnV, "transformer.layer.{L}.attention.v_lin"},
               {R::AttnOut, "transformer.layer.{L}.attention.out_lin"},
               {R::AttnNorm, "transformer.layer.{L}.sa_layer_norm"},
               {R::MlpUp, "transformer.layer.{L}.ffn.lin1"},
               {R::MlpDown, "transformer.layer.{L}.ffn.lin2"},
               {R::MlpNorm, "transformer.layer.{L}.output_layer_norm"}};
    s.basePrefixes = {"", "distilbert."};
    s.placement = NormPlacement::Post;
    s.heads = {sequenceHead(HeadPooling::FirstToken, "pre_classifier", Activation::Relu, "classifier"),
               maskedLmHead("vocab_transform", true, "vocab_layer_norm", "vocab_projector.bias")};
    return s;
}

// What the GPT-style decoders share: a causal stack, pre-norm, a final norm, a tied or stored
// LM head and the `score` classifier.
FamilySpec decoder(std::vector<std::string> modelTypes, std::string lmHead) {
    FamilySpec s;
    s.modelTypes = std::move(modelTypes);
    s.causal = true;
    s.keys.normEps = "layer_norm_epsilon";
    s.keys.normEpsDefault = 1e-5;
    s.tieEmbeddings = fromKey("tie_word_embeddings", false);
    s.heads = {kScoreHead, causalLmHead(std::move(lmHead))};
    return s;
}

FamilySpec gpt2() {
    FamilySpec s = decoder({"gpt2"}, "lm_head");
    s.keys.layers = "n_layer";
    s.keys.heads = "n_head";
    s.keys.hidden = "n_embd";
    s.keys.intermediate = "n_inner";
    s.keys.intermediateFactor = 4;
    s.keys.maxPositions = "n_positions";
    s.keys.activation = "activation_function";
    s.keys.activationDefault = "gelu_new";
    s.names = {{R::TokenEmbedding, "wte"},         {R::PositionEmbedding, "wpe"},     {R::AttnNorm, "h.{L}.ln_1"},
               {R::AttnQkv, "h.{L}.attn.c_attn"},  {R::AttnOut, "h.{L}.attn.c_proj"}, {R::MlpNorm, "h.{L}.ln_2"},
               {R::MlpUp, "h.{L}.mlp.c_fc"},       {R::MlpDown, "h.{L}.mlp.c_proj"},  {R::FinalNorm, "ln_f"},
               // With add_cross_attention (the decoder of a vision-encoder-decoder): a cross-attention
               // sublayer between self-attention and the MLP, its query apart and its keys and values fused.
               {R::CrossNorm, "h.{L}.ln_cross_attn"}, {R::CrossQ, "h.{L}.crossattention.q_attn"},
               {R::CrossKv, "h.{L}.crossattention.c_attn"}, {R::CrossOut, "h.{L}.crossattention.c_proj"}};
    s.basePrefixes = {"transformer.", ""};
    s.qkv = QkvLayout::Fused;
    s.conv1dWeights = true;
    s.scaleScores = fromKey("scale_attn_weights", true);
    s.scaleByInverseLayer = fromKey("scale_attn_by_inverse_layer_idx", false);
    s.tieEmbeddings = fromKey("tie_word_embeddings", true);
    return s;
}

FamilySpec gptNeo() {
    FamilySpec s = decoder({"gpt_neo"}, "lm_head");
    s.keys.layers = "num_layers";
    s.keys.heads = "num_heads";
    s.keys.intermediateFactor = 4;
    s.keys.activation = "activation_function";
    s.keys.activationDefault = "gelu_new";
    s.names = {{R::TokenEmbedding, "wte"},
               {R::PositionEmbedding, "wpe"},
               {R::AttnNorm, "h.{L}.ln_1"},
               {R::AttnQ, "h.{L}.attn.attention.q_proj"},
               {R::AttnK, "h.{L}.attn.attention.k_proj"},
               {R::AttnV, "h.{L}.attn.attention.v_proj"},
               {R::AttnOut, "h.{L}.attn.attention.out_proj"},
               {R::MlpNorm, "h.{L}.ln_2"},
               {R::MlpUp, "h.{L}.mlp.c_fc"},
               {R::MlpDown, "h.{L}.mlp.c_proj"},
               {R::FinalNorm, "ln_f"}};
    s.basePrefixes = {"transformer.", ""};
    s.scaleScores = kNever;  // GPT-Neo does not divide scores by sqrt(head_dim)
    s.qkvBias = kNever;      // q/k/v have no bias; out_proj and the MLP do
    s.tieEmbeddings = fromKey("tie_word_embeddings", true);
    s.window.rule = WindowRule::AttentionLayers;
    return s;
}

FamilySpec gptNeoX() {
    FamilySpec s = decoder({"gpt_neox"}, "embed_out");
    s.keys.normEps = "layer_norm_eps";
    // transformers 5 keeps both in rope_parameters; older configs say rotary_emb_base and rotary_pct.
    s.keys.ropeTheta = "rotary_emb_base";
    s.keys.rotaryFraction = "rotary_pct";
    s.keys.rotaryFractionDefault = 0.25;
    s.names = {{R::TokenEmbedding, "embed_in"},
               {R::AttnNorm, "layers.{L}.input_layernorm"},
               {R::AttnQkv, "layers.{L}.attention.query_key_value"},
               {R::AttnOut, "layers.{L}.attention.dense"},
               {R::MlpNorm, "layers.{L}.post_attention_layernorm"},
               {R::MlpUp, "layers.{L}.mlp.dense_h_to_4h"},
               {R::MlpDown, "layers.{L}.mlp.dense_4h_to_h"},
               {R::FinalNorm, "final_layer_norm"}};
    s.basePrefixes = {"gpt_neox.", ""};
    s.positions = PositionScheme::Rotary;
    s.qkv = QkvLayout::FusedPerHead;
    s.qkvBias = s.outBias = fromKey("attention_bias", true);
    s.parallelResidual = fromKey("use_parallel_residual", true);
    return s;
}

FamilySpec llama() {
    FamilySpec s = decoder({"llama"}, "lm_head");
    s.keys.kvHeads = "num_key_value_heads";
    s.keys.maxPositionsDefault = 4096;
    s.keys.headDim = "head_dim";
    s.keys.normEps = "rms_norm_eps";
    s.keys.normEpsDefault = 1e-6;
    s.keys.activationDefault = "silu";
    s.names = {{R::TokenEmbedding, "embed_tokens"},
               {R::AttnNorm, "layers.{L}.input_layernorm"},
               {R::AttnQ, "layers.{L}.self_attn.q_proj"},
               {R::AttnK, "layers.{L}.self_attn.k_proj"},
               {R::AttnV, "layers.{L}.self_attn.v_proj"},
               {R::AttnOut, "layers.{L}.self_attn.o_proj"},
               {R::MlpNorm, "layers.{L}.post_attention_layernorm"},
               {R::MlpGate, "layers.{L}.mlp.gate_proj"},
               {R::MlpUp, "layers.{L}.mlp.up_proj"},
               {R::MlpDown, "layers.{L}.mlp.down_proj"},
               {R::FinalNorm, "norm"}};
    s.basePrefixes = {"model.", ""};
    s.norm = NormKind::RmsNorm;
    s.positions = PositionScheme::Rotary;
    s.mlp = MlpKind::Gated;
    s.qkvBias = s.outBias = fromKey("attention_bias", false);
    s.mlpBias = fromKey("mlp_bias", false);
    s.window.rule = WindowRule::SlidingWindow;
    return s;
}

FamilySpec mistral() {
    FamilySpec s = llama();
    s.modelTypes = {"mistral"};
    return s;
}

FamilySpec qwen2() {
    FamilySpec s = llama();
    s.modelTypes = {"qwen2"};
    s.qkvBias = kAlways;  // Qwen2 always has q/k/v biases and never an o bias
    s.outBias = kNever;
    // The window applies only with use_sliding_window, and then from max_window_layers on.
    s.window.use = fromKey("use_sliding_window", false);
    s.window.firstLayerKey = "max_window_layers";
    return s;
}

// Qwen 3: LLaMA with RMSNorms on each head's queries and keys, Qwen 2's window rule and no
// q/k/v biases unless attention_bias says so. The defaults are Qwen3Config's: head_dim 128
// whatever the hidden size, and a window of 4096 from layer 28 on.
FamilySpec qwen3() {
    FamilySpec s = llama();
    s.modelTypes = {"qwen3"};
    s.names[R::AttnQNorm] = "layers.{L}.self_attn.q_norm";
    s.names[R::AttnKNorm] = "layers.{L}.self_attn.k_norm";
    s.window.use = fromKey("use_sliding_window", false);
    s.window.firstLayerKey = "max_window_layers";
    s.configDefaults = {{"head_dim", 128}, {"sliding_window", 4096}, {"max_window_layers", 28}};
    return s;
}

// Gemma: LLaMA with norms scaled by (1 + w), embeddings scaled by sqrt(hidden), GeGLU
// (gelu_pytorch_tanh) and a tied head. As GemmaConfig, head_dim is 256 unless given (Gemma 7B's
// hidden / heads would be 192).
FamilySpec gemma() {
    FamilySpec s = llama();
    s.modelTypes = {"gemma"};
    s.keys.activationDefault = "gelu_pytorch_tanh";
    s.norm = NormKind::RmsNormUnitOffset;
    s.scaleEmbeddings = kAlways;
    s.tieEmbeddings = fromKey("tie_word_embeddings", true);
    s.window = {};
    s.configDefaults = {{"head_dim", 256}};
    return s;
}

// Gemma 2: norms after attention and the MLP as well as before, scores scaled by
// query_pre_attn_scalar and soft-capped, every other layer within a sliding window (the first
// slides), soft-capped logits. The defaults are Gemma2Config's.
FamilySpec gemma2() {
    FamilySpec s = gemma();
    s.modelTypes = {"gemma2"};
    s.keys.activation = "hidden_activation";
    s.names[R::AttnOutNorm] = "layers.{L}.post_attention_layernorm";
    s.names[R::MlpNorm] = "layers.{L}.pre_feedforward_layernorm";
    s.names[R::MlpOutNorm] = "layers.{L}.post_feedforward_layernorm";
    s.keys.queryPreAttnScalar = "query_pre_attn_scalar";
    s.keys.attnSoftcap = "attn_logit_softcapping";
    s.keys.finalSoftcap = "final_logit_softcapping";
    s.window.rule = WindowRule::SlidingWindow;
    s.window.patternDefault = 2;
    s.configDefaults = {{"head_dim", 256},
                        {"query_pre_attn_scalar", 256},
                        {"attn_logit_softcapping", 50.0},
                        {"final_logit_softcapping", 30.0},
                        {"sliding_window", 4096}};
    return s;
}

// Gemma 3's text model: Gemma 2 with per-head q/k norms, no soft-capping by default, five
// sliding layers to each global one, and the sliding layers' own RoPE base. The defaults are
// Gemma3TextConfig's, which matter for a multimodal checkpoint's diffed text_config.
FamilySpec gemma3Text() {
    FamilySpec s = gemma2();
    s.modelTypes = {"gemma3_text"};
    s.names[R::AttnQNorm] = "layers.{L}.self_attn.q_norm";
    s.names[R::AttnKNorm] = "layers.{L}.self_attn.k_norm";
    s.keys.localRopeTheta = "rope_local_base_freq";
    s.window.patternDefault = 6;
    s.window.patternKey = "sliding_window_pattern";
    s.configDefaults = {{"vocab_size", 262208},          {"hidden_size", 2304},           {"intermediate_size", 9216},
                        {"num_hidden_layers", 26},       {"num_attention_heads", 8},      {"num_key_value_heads", 4},
                        {"head_dim", 256},               {"hidden_activation", "gelu_pytorch_tanh"},
                        {"max_position_embeddings", 131072},                              {"rms_norm_eps", 1e-6},
                        {"pad_token_id", 0},             {"eos_token_id", 1},             {"bos_token_id", 2},
                        {"tie_word_embeddings", true},   {"rope_theta", 1000000.0},       {"rope_local_base_freq", 10000.0},
                        {"attention_bias", false},       {"query_pre_attn_scalar", 256},  {"sliding_window", 4096},
                        {"attn_logit_softcapping", nullptr},                              {"final_logit_softcapping", nullptr}};
    return s;
}

// A Gemma 3 multimodal checkpoint (Gemma3ForConditionalGeneration): its language model alone,
// with the settings of its text_config and the prefixes its weights carry.
FamilySpec gemma3() {
    FamilySpec s = gemma3Text();
    s.modelTypes = {"gemma3"};
    s.nestedConfig = "text_config";
    s.basePrefixes = {"model.language_model.", "language_model.model."};
    // Gemma3ForConditionalGeneration.forward is logits = lm_head(hidden): unlike
    // Gemma3ForCausalLM it never applies the text config's final_logit_softcapping.
    s.keys.finalSoftcap = nullptr;
    return s;
}

// Phi-3 (3.5, 4-mini): LLaMA with one qkv_proj and one gate_up_proj, partial rotary and LongRoPE.
// As Phi3Config: the pretraining length is the top-level original_max_position_embeddings,
// 4096 when absent, and earlier configs' "su" and "yarn" are LongRoPE.
FamilySpec phi3() {
    FamilySpec s = llama();
    s.modelTypes = {"phi3"};
    s.keys.oldLongRopeNames = true;
    s.configDefaults = {{"original_max_position_embeddings", 4096}};
    for (const R role : {R::AttnQ, R::AttnK, R::AttnV, R::MlpGate, R::MlpUp}) s.names.erase(role);
    s.names[R::AttnQkv] = "layers.{L}.self_attn.qkv_proj";
    s.names[R::MlpGateUp] = "layers.{L}.mlp.gate_up_proj";
    s.qkv = QkvLayout::Fused;
    s.qkvBias = s.outBias = s.mlpBias = kNever;
    return s;
}

// OLMo 2: norms only on each sublayer's output, and q/k norms over the whole projection.
FamilySpec olmo2() {
    FamilySpec s = llama();
    s.modelTypes = {"olmo2"};
    s.names.erase(R::AttnNorm);
    s.names.erase(R::MlpNorm);
    s.names[R::AttnOutNorm] = "layers.{L}.post_attention_layernorm";
    s.names[R::MlpOutNorm] = "layers.{L}.post_feedforward_layernorm";
    s.names[R::AttnQNorm] = "layers.{L}.self_attn.q_norm";
    s.names[R::AttnKNorm] = "layers.{L}.self_attn.k_norm";
    s.qkNorm = QkNormScope::WholeProjection;
    s.window = {};
    return s;
}

// SmolLM3: LLaMA where the layers no_rope_layers marks 0 (by default every fourth) skip RoPE;
// with use_sliding_window, those layers slide. Without a rope_theta its base is SmolLM3Config's
// default_theta, 2e6.
FamilySpec smollm3() {
    FamilySpec s = llama();
    s.modelTypes = {"smollm3"};
    s.keys.noRopeLayers = "no_rope_layers";
    s.keys.noRopeInterval = "no_rope_layer_interval";
    s.configDefaults = {{"no_rope_layer_interval", 4}, {"rope_theta", 2000000.0}};
    s.tieEmbeddings = fromKey("tie_word_embeddings", true);
    s.window.use = fromKey("use_sliding_window", false);
    s.window.onNoRopeLayers = true;
    return s;
}

const std::vector<FamilySpec>& families() {
    static const std::vector<FamilySpec> table{bert(),    roberta(), distilbert(), electra(), albert(), debertaV2(), modernbert(), gpt2(),   gptNeo(), gptNeoX(), llama(),
                                               mistral(), qwen2(),   qwen3(),      gemma(),  gemma2(), gemma3Text(), gemma3(),
                                               phi3(),    olmo2(),   smollm3(),    vitFamily(), deitFamily(), clipVisionFamily(), clipFamily(), siglipVisionFamily(), siglipFamily(),
                                               t5Family(), bartFamily(), marianFamily()};
    return table;
}

}  // namespace

const FamilySpec* findFamily(const std::string& modelType) {
    for (const FamilySpec& f : families())
        for (const std::string& t : f.modelTypes)
            if (t == modelType) return &f;
    return nullptr;
}

std::vector<std::string> supportedModelTypes() {
    std::vector<std::string> types;
    for (const FamilySpec& f : families()) types.insert(types.end(), f.modelTypes.begin(), f.modelTypes.end());
    for (const std::string& t : composedModelTypes()) types.push_back(t);
    return types;
}

std::string layerPath(const std::string& pattern, int layer) {
    std::string out = pattern;
    const auto pos = out.find("{L}");
    if (pos != std::string::npos) out.replace(pos, 3, std::to_string(layer));
    return out;
}

}  // namespace attnscope
