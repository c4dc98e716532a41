#include "model/FamilySpec.h"

namespace attnscope {
namespace {

using R = TensorRole;

// Text classification heads as transformers builds them: encoders read the first token through
// a dense layer and tanh (BERT's pooler, RoBERTa's classifier.dense) or ReLU (DistilBERT's
// pre_classifier); decoders read the last non-pad token straight into a bias-free `score`.
const SequenceHeadSpec kFirstTokenTanhHead{SequencePooling::FirstToken, Activation::Tanh, true};
const SequenceHeadSpec kFirstTokenReluHead{SequencePooling::FirstToken, Activation::Relu, true};
const SequenceHeadSpec kScoreHead{SequencePooling::LastNonPadToken, Activation::Tanh, false};

const FamilySpec kBert{
    Family::Bert,
    {{R::TokenEmbedding, "embeddings.word_embeddings"},
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
     {R::MlpNorm, "encoder.layer.{L}.output.LayerNorm"},
     {R::Pooler, "pooler.dense"}},
    {{R::HeadTransform, "cls.predictions.transform.dense"},
     {R::HeadNorm, "cls.predictions.transform.LayerNorm"},
     {R::HeadBias, "cls.predictions.bias"},
     {R::SequenceClassifier, "classifier"}},
    {"", "bert."},
    NormKind::LayerNorm, NormPlacement::Post, PositionScheme::Learned, QkvLayout::Split, MlpKind::Plain,
    false, true, true, false, HeadKind::MaskedLm, "hidden_act", {}, kFirstTokenTanhHead};

FamilySpec makeRoberta() {
    FamilySpec s = kBert;
    s.family = Family::Roberta;
    s.names.erase(R::Pooler);  // RobertaForSequenceClassification has its own dense layer instead
    s.headNames = {{R::HeadTransform, "lm_head.dense"}, {R::HeadNorm, "lm_head.layer_norm"}, {R::HeadBias, "lm_head.bias"},
                   {R::SequenceDense, "classifier.dense"}, {R::SequenceClassifier, "classifier.out_proj"}};
    s.basePrefixes = {"", "roberta."};
    s.positions = PositionScheme::LearnedFromPadding;
    s.headActivationKey = "";  // RobertaLMHead always uses exact GELU
    return s;
}
const FamilySpec kRoberta = makeRoberta();

const FamilySpec kDistilBert{
    Family::DistilBert,
    {{R::TokenEmbedding, "embeddings.word_embeddings"},
     {R::PositionEmbedding, "embeddings.position_embeddings"},
     {R::EmbeddingNorm, "embeddings.LayerNorm"},
     {R::AttnQ, "transformer.layer.{L}.attention.q_lin"},
     {R::AttnK, "transformer.layer.{L}.attention.k_lin"},
     {R::AttnV, "transformer.layer.{L}.attention.v_lin"},
     {R::AttnOut, "transformer.layer.{L}.attention.out_lin"},
     {R::AttnNorm, "transformer.layer.{L}.sa_layer_norm"},
     {R::MlpUp, "transformer.layer.{L}.ffn.lin1"},
     {R::MlpDown, "transformer.layer.{L}.ffn.lin2"},
     {R::MlpNorm, "transformer.layer.{L}.output_layer_norm"}},
    {{R::HeadTransform, "vocab_transform"}, {R::HeadNorm, "vocab_layer_norm"}, {R::HeadBias, "vocab_projector.bias"},
     {R::SequenceDense, "pre_classifier"}, {R::SequenceClassifier, "classifier"}},
    {"", "distilbert."},
    NormKind::LayerNorm, NormPlacement::Post, PositionScheme::Learned, QkvLayout::Split, MlpKind::Plain,
    false, false, true, false, HeadKind::MaskedLm, "activation", {}, kFirstTokenReluHead};

const FamilySpec kGpt2{
    Family::Gpt2,
    {{R::TokenEmbedding, "wte"},
     {R::PositionEmbedding, "wpe"},
     {R::AttnNorm, "h.{L}.ln_1"},
     {R::AttnQkv, "h.{L}.attn.c_attn"},
     {R::AttnOut, "h.{L}.attn.c_proj"},
     {R::MlpNorm, "h.{L}.ln_2"},
     {R::MlpUp, "h.{L}.mlp.c_fc"},
     {R::MlpDown, "h.{L}.mlp.c_proj"},
     {R::FinalNorm, "ln_f"}},
    {{R::LmHead, "lm_head"}, {R::SequenceClassifier, "score"}},
    {"transformer.", ""},
    NormKind::LayerNorm, NormPlacement::Pre, PositionScheme::Learned, QkvLayout::Fused, MlpKind::Plain,
    true, false, false, true, HeadKind::CausalLm, "", {}, kScoreHead};

const FamilySpec kLlama{
    Family::Llama,
    {{R::TokenEmbedding, "embed_tokens"},
     {R::AttnNorm, "layers.{L}.input_layernorm"},
     {R::AttnQ, "layers.{L}.self_attn.q_proj"},
     {R::AttnK, "layers.{L}.self_attn.k_proj"},
     {R::AttnV, "layers.{L}.self_attn.v_proj"},
     {R::AttnOut, "layers.{L}.self_attn.o_proj"},
     {R::MlpNorm, "layers.{L}.post_attention_layernorm"},
     {R::MlpGate, "layers.{L}.mlp.gate_proj"},
     {R::MlpUp, "layers.{L}.mlp.up_proj"},
     {R::MlpDown, "layers.{L}.mlp.down_proj"},
     {R::FinalNorm, "norm"}},
    {{R::LmHead, "lm_head"}, {R::SequenceClassifier, "score"}},
    {"model.", ""},
    NormKind::RmsNorm, NormPlacement::Pre, PositionScheme::Rotary, QkvLayout::Split, MlpKind::Gated,
    false, false, false, true, HeadKind::CausalLm, "", {}, kScoreHead};

const FamilySpec kGptNeo{
    Family::GptNeo,
    {{R::TokenEmbedding, "wte"},
     {R::PositionEmbedding, "wpe"},
     {R::AttnNorm, "h.{L}.ln_1"},
     {R::AttnQ, "h.{L}.attn.attention.q_proj"},
     {R::AttnK, "h.{L}.attn.attention.k_proj"},
     {R::AttnV, "h.{L}.attn.attention.v_proj"},
     {R::AttnOut, "h.{L}.attn.attention.out_proj"},
     {R::MlpNorm, "h.{L}.ln_2"},
     {R::MlpUp, "h.{L}.mlp.c_fc"},
     {R::MlpDown, "h.{L}.mlp.c_proj"},
     {R::FinalNorm, "ln_f"}},
    {{R::LmHead, "lm_head"}, {R::SequenceClassifier, "score"}},
    {"transformer.", ""},
    NormKind::LayerNorm, NormPlacement::Pre, PositionScheme::Learned, QkvLayout::Split, MlpKind::Plain,
    false, false, false, true, HeadKind::CausalLm, "", {}, kScoreHead};

const FamilySpec kGptNeoX{
    Family::GptNeoX,
    {{R::TokenEmbedding, "embed_in"},
     {R::AttnNorm, "layers.{L}.input_layernorm"},
     {R::AttnQkv, "layers.{L}.attention.query_key_value"},
     {R::AttnOut, "layers.{L}.attention.dense"},
     {R::MlpNorm, "layers.{L}.post_attention_layernorm"},
     {R::MlpUp, "layers.{L}.mlp.dense_h_to_4h"},
     {R::MlpDown, "layers.{L}.mlp.dense_4h_to_h"},
     {R::FinalNorm, "final_layer_norm"}},
    {{R::LmHead, "embed_out"}, {R::SequenceClassifier, "score"}},
    {"gpt_neox.", ""},
    NormKind::LayerNorm, NormPlacement::Pre, PositionScheme::Rotary, QkvLayout::FusedPerHead, MlpKind::Plain,
    false, false, false, true, HeadKind::CausalLm, "", {}, kScoreHead};

const FamilySpec kVit{
    Family::Vit,
    {{R::PatchEmbedding, "embeddings.patch_embeddings.projection"},
     {R::ClsToken, "embeddings.cls_token"},
     {R::PositionEmbedding, "embeddings.position_embeddings"},
     {R::AttnNorm, "encoder.layer.{L}.layernorm_before"},
     {R::AttnQ, "encoder.layer.{L}.attention.attention.query"},
     {R::AttnK, "encoder.layer.{L}.attention.attention.key"},
     {R::AttnV, "encoder.layer.{L}.attention.attention.value"},
     {R::AttnOut, "encoder.layer.{L}.attention.output.dense"},
     {R::MlpNorm, "encoder.layer.{L}.layernorm_after"},
     {R::MlpUp, "encoder.layer.{L}.intermediate.dense"},
     {R::MlpDown, "encoder.layer.{L}.output.dense"},
     {R::FinalNorm, "layernorm"}},
    {{R::Classifier, "classifier"}},
    {"vit.", ""},
    NormKind::LayerNorm, NormPlacement::Pre, PositionScheme::PatchTable, QkvLayout::Split, MlpKind::Plain,
    false, false, false, true, HeadKind::ImageClassifier, ""};

FamilySpec makeDeit() {
    FamilySpec s = kVit;
    s.family = Family::Deit;
    s.names[R::DistillationToken] = "embeddings.distillation_token";
    // DeiTForImageClassificationWithTeacher averages a CLS and a distillation classifier;
    // DeiTForImageClassification has a single "classifier".
    s.headNames = {{R::Classifier, "cls_classifier"}, {R::DistillationClassifier, "distillation_classifier"}};
    s.basePrefixes = {"deit.", ""};
    return s;
}
const FamilySpec kDeit = makeDeit();

const FamilySpec kT5{
    Family::T5,
    {{R::TokenEmbedding, "shared"},
     {R::RelativeBias, "encoder.block.0.layer.0.SelfAttention.relative_attention_bias"},
     {R::AttnNorm, "encoder.block.{L}.layer.0.layer_norm"},
     {R::AttnQ, "encoder.block.{L}.layer.0.SelfAttention.q"},
     {R::AttnK, "encoder.block.{L}.layer.0.SelfAttention.k"},
     {R::AttnV, "encoder.block.{L}.layer.0.SelfAttention.v"},
     {R::AttnOut, "encoder.block.{L}.layer.0.SelfAttention.o"},
     {R::MlpNorm, "encoder.block.{L}.layer.1.layer_norm"},
     {R::MlpUp, "encoder.block.{L}.layer.1.DenseReluDense.wi"},
     {R::MlpUpGated, "encoder.block.{L}.layer.1.DenseReluDense.wi_1"},
     {R::MlpGate, "encoder.block.{L}.layer.1.DenseReluDense.wi_0"},
     {R::MlpDown, "encoder.block.{L}.layer.1.DenseReluDense.wo"},
     {R::FinalNorm, "encoder.final_layer_norm"}},
    {{R::LmHead, "lm_head"}},
    {""},
    NormKind::RmsNorm, NormPlacement::Pre, PositionScheme::RelativeBuckets, QkvLayout::Split, MlpKind::Plain,
    false, false, false, true, HeadKind::CausalLm, "",
    {{R::TokenEmbedding, "shared"},
     {R::RelativeBias, "decoder.block.0.layer.0.SelfAttention.relative_attention_bias"},
     {R::AttnNorm, "decoder.block.{L}.layer.0.layer_norm"},
     {R::AttnQ, "decoder.block.{L}.layer.0.SelfAttention.q"},
     {R::AttnK, "decoder.block.{L}.layer.0.SelfAttention.k"},
     {R::AttnV, "decoder.block.{L}.layer.0.SelfAttention.v"},
     {R::AttnOut, "decoder.block.{L}.layer.0.SelfAttention.o"},
     {R::CrossNorm, "decoder.block.{L}.layer.1.layer_norm"},
     {R::CrossQ, "decoder.block.{L}.layer.1.EncDecAttention.q"},
     {R::CrossK, "decoder.block.{L}.layer.1.EncDecAttention.k"},
     {R::CrossV, "decoder.block.{L}.layer.1.EncDecAttention.v"},
     {R::CrossOut, "decoder.block.{L}.layer.1.EncDecAttention.o"},
     {R::MlpNorm, "decoder.block.{L}.layer.2.layer_norm"},
     {R::MlpUp, "decoder.block.{L}.layer.2.DenseReluDense.wi"},
     {R::MlpUpGated, "decoder.block.{L}.layer.2.DenseReluDense.wi_1"},
     {R::MlpGate, "decoder.block.{L}.layer.2.DenseReluDense.wi_0"},
     {R::MlpDown, "decoder.block.{L}.layer.2.DenseReluDense.wo"},
     {R::FinalNorm, "decoder.final_layer_norm"}}};

}  // namespace

const FamilySpec& familySpec(Family family) {
    switch (family) {
    case Family::Bert: return kBert;
    case Family::Roberta: return kRoberta;
    case Family::DistilBert: return kDistilBert;
    case Family::Gpt2: return kGpt2;
    case Family::Llama: return kLlama;
    case Family::GptNeo: return kGptNeo;
    case Family::GptNeoX: return kGptNeoX;
    case Family::Vit: return kVit;
    case Family::Deit: return kDeit;
    case Family::T5: return kT5;
    }
    return kBert;
}

std::string layerPath(const std::string& pattern, int layer) {
    std::string out = pattern;
    const auto pos = out.find("{L}");
    if (pos != std::string::npos) out.replace(pos, 3, std::to_string(layer));
    return out;
}

}  // namespace attnscope
