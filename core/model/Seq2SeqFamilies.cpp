#include "model/Seq2SeqFamilies.h"

#include "model/FamilyHeads.h"

namespace attnscope {
namespace {

using R = TensorRole;

// T5's layer names for one of its stacks ("encoder" or "decoder"); the decoder has a
// cross-attention sublayer between self-attention and the feed-forward one.
std::map<TensorRole, std::string> t5Stack(const std::string& stack, bool decoder) {
    const std::string block = stack + ".block.{L}.layer.";
    const std::string ff = block + (decoder ? "2" : "1");
    std::map<TensorRole, std::string> n{{R::TokenEmbedding, "shared"},
                                        {R::RelativeBias, stack + ".block.0.layer.0.SelfAttention.relative_attention_bias"},
                                        {R::AttnNorm, block + "0.layer_norm"},
                                        {R::AttnQ, block + "0.SelfAttention.q"},
                                        {R::AttnK, block + "0.SelfAttention.k"},
                                        {R::AttnV, block + "0.SelfAttention.v"},
                                        {R::AttnOut, block + "0.SelfAttention.o"},
                                        {R::MlpNorm, ff + ".layer_norm"},
                                        {R::MlpUp, ff + ".DenseReluDense.wi"},
                                        {R::MlpUpGated, ff + ".DenseReluDense.wi_1"},
                                        {R::MlpGate, ff + ".DenseReluDense.wi_0"},
                                        {R::MlpDown, ff + ".DenseReluDense.wo"},
                                        {R::FinalNorm, stack + ".final_layer_norm"}};
    if (decoder) {
        n[R::CrossNorm] = block + "1.layer_norm";
        n[R::CrossQ] = block + "1.EncDecAttention.q";
        n[R::CrossK] = block + "1.EncDecAttention.k";
        n[R::CrossV] = block + "1.EncDecAttention.v";
        n[R::CrossOut] = block + "1.EncDecAttention.o";
    }
    return n;
}

FamilySpec t5() {
    FamilySpec s;
    s.modelTypes = {"t5"};
    s.keys.layers = "num_layers";
    s.keys.decoderLayers = "num_decoder_layers";
    s.keys.heads = "num_heads";
    s.keys.hidden = "d_model";
    s.keys.headDim = "d_kv";  // T5 allows heads * d_kv != d_model
    s.keys.intermediate = "d_ff";
    s.keys.maxPositions = "n_positions";  // nominal: positions are relative
    s.keys.maxPositionsDefault = 512;
    s.keys.normEps = "layer_norm_epsilon";
    s.keys.normEpsDefault = 1e-6;
    s.keys.activation = "dense_act_fn";
    s.keys.activationDefault = "relu";
    s.keys.feedForwardProj = "feed_forward_proj";
    s.keys.relativeBuckets = "relative_attention_num_buckets";
    s.keys.relativeMaxDistance = "relative_attention_max_distance";
    s.keys.padTokenDefault = 0;
    s.names = t5Stack("encoder", false);
    s.decoderNames = t5Stack("decoder", true);
    s.basePrefixes = {""};
    s.norm = NormKind::RmsNorm;
    s.positions = PositionScheme::RelativeBuckets;
    s.scaleScores = kNever;  // T5 folds the scale into its initialisation
    s.qkvBias = s.outBias = s.mlpBias = kNever;
    s.tieEmbeddings = fromKey("tie_word_embeddings", true);
    // T5Model (no head) has tie_word_embeddings too: only a *ForConditionalGeneration has the
    // tied head, which reads the decoder's output rescaled by d_model^-0.5.
    OutputHeadSpec lm = causalLmHead("lm_head");
    lm.tiedScaledByHidden = true;
    lm.tieOnlyForArchitecture = "ForConditionalGeneration";
    s.heads = {lm};
    return s;
}

// BART's and Marian's layer names for one stack: post-norm blocks whose decoder layers read
// the encoder between self-attention and the feed-forward layers; BART adds a learned position
// table and a norm over the embeddings to each stack (Marian's positions are sinusoids).
std::map<TensorRole, std::string> bartStack(const std::string& stack, bool decoder, bool learnedPositions) {
    const std::string layer = stack + ".layers.{L}.";
    std::map<TensorRole, std::string> n{{R::TokenEmbedding, "shared"},
                                        {R::AttnQ, layer + "self_attn.q_proj"},
                                        {R::AttnK, layer + "self_attn.k_proj"},
                                        {R::AttnV, layer + "self_attn.v_proj"},
                                        {R::AttnOut, layer + "self_attn.out_proj"},
                                        {R::AttnNorm, layer + "self_attn_layer_norm"},
                                        {R::MlpUp, layer + "fc1"},
                                        {R::MlpDown, layer + "fc2"},
                                        {R::MlpNorm, layer + "final_layer_norm"}};
    if (learnedPositions) {
        n[R::PositionEmbedding] = stack + ".embed_positions";
        n[R::EmbeddingNorm] = stack + ".layernorm_embedding";
    }
    if (decoder) {
        n[R::CrossQ] = layer + "encoder_attn.q_proj";
        n[R::CrossK] = layer + "encoder_attn.k_proj";
        n[R::CrossV] = layer + "encoder_attn.v_proj";
        n[R::CrossOut] = layer + "encoder_attn.out_proj";
        n[R::CrossNorm] = layer + "encoder_attn_layer_norm";
    }
    return n;
}

// What BART and Marian share: their config keys, post-norm blocks with biases, scale_embedding,
// and the head tied to the shared embeddings plus final_logits_bias.
FamilySpec bartLike(const char* modelType, bool learnedPositions, const char* headArchitecture) {
    FamilySpec s;
    s.modelTypes = {modelType};
    s.keys.layers = "encoder_layers";
    s.keys.decoderLayers = "decoder_layers";
    s.keys.heads = "encoder_attention_heads";
    s.keys.decoderHeads = "decoder_attention_heads";
    s.keys.hidden = "d_model";
    s.keys.intermediate = "encoder_ffn_dim";
    s.keys.decoderIntermediate = "decoder_ffn_dim";
    s.keys.normEps = nullptr;  // nn.LayerNorm's default
    s.keys.normEpsDefault = 1e-5;
    s.keys.activation = "activation_function";
    s.names = bartStack("encoder", false, learnedPositions);
    s.decoderNames = bartStack("decoder", true, learnedPositions);
    s.basePrefixes = {"model.", ""};
    s.placement = NormPlacement::Post;
    s.scaleEmbeddings = fromKey("scale_embedding", false);
    s.tieEmbeddings = fromKey("tie_word_embeddings", true);
    OutputHeadSpec lm = causalLmHead("lm_head");
    lm.addedBias = "final_logits_bias";
    lm.tieOnlyForArchitecture = headArchitecture;
    s.heads = {lm};
    return s;
}

}  // namespace

FamilySpec t5Family() { return t5(); }

// BART: learned positions from table row 2 on (fairseq's padding offset), a norm over each
// stack's embeddings; the decoder starts from </s> (decoder_start_token_id 2).
FamilySpec bartFamily() {
    FamilySpec s = bartLike("bart", true, "ForConditionalGeneration");
    s.keys.padTokenDefault = 1;
    s.positionOffset = 2;
    return s;
}

// Marian (OPUS-MT): sinusoidal positions, usually scaled embeddings and SiLU; its decoder starts
// from the pad token. MarianMTModel is the one with the head.
FamilySpec marianFamily() {
    FamilySpec s = bartLike("marian", false, "MTModel");
    s.keys.padTokenDefault = 58100;
    s.positions = PositionScheme::Sinusoidal;
    return s;
}

}  // namespace attnscope
