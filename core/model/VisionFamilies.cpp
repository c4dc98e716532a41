#include "model/VisionFamilies.h"

#include "model/FamilyHeads.h"

namespace attnscope {
namespace {

using R = TensorRole;

// CLIP's and SigLIP's vision encoders name their layers alike (under "vision_model.").
std::map<TensorRole, std::string> clipLikeLayers() {
    return {{R::PatchEmbedding, "embeddings.patch_embedding"},
            {R::PositionEmbedding, "embeddings.position_embedding.weight"},
            {R::AttnNorm, "encoder.layers.{L}.layer_norm1"},
            {R::AttnQ, "encoder.layers.{L}.self_attn.q_proj"},
            {R::AttnK, "encoder.layers.{L}.self_attn.k_proj"},
            {R::AttnV, "encoder.layers.{L}.self_attn.v_proj"},
            {R::AttnOut, "encoder.layers.{L}.self_attn.out_proj"},
            {R::MlpNorm, "encoder.layers.{L}.layer_norm2"},
            {R::MlpUp, "encoder.layers.{L}.mlp.fc1"},
            {R::MlpDown, "encoder.layers.{L}.mlp.fc2"},
            {R::FinalNorm, "post_layernorm"}};
}

FamilySpec visionTower(const char* modelType, const char* activation, double eps, int patchSize) {
    FamilySpec s;
    s.modelTypes = {modelType};
    s.keys.vocab = nullptr;
    s.keys.maxPositions = nullptr;  // one per patch, plus the leading tokens
    s.keys.imageSize = "image_size";
    s.keys.patchSize = "patch_size";
    s.keys.channels = "num_channels";
    s.keys.activationDefault = activation;
    s.keys.normEpsDefault = eps;
    s.names = clipLikeLayers();
    s.basePrefixes = {"vision_model."};
    s.positions = PositionScheme::PatchTable;
    // The defaults of the vision config class, for the keys a nested vision_config leaves out.
    s.configDefaults = {{"hidden_size", 768}, {"intermediate_size", 3072}, {"num_hidden_layers", 12}, {"num_attention_heads", 12},
                        {"num_channels", 3},  {"image_size", 224},         {"patch_size", patchSize},  {"hidden_act", activation},
                        {"layer_norm_eps", eps}};
    return s;
}

}  // namespace

FamilySpec vitFamily() {
    FamilySpec s;
    s.modelTypes = {"vit"};
    s.keys.vocab = nullptr;
    s.keys.maxPositions = nullptr;  // one per patch, plus the leading tokens
    s.keys.imageSize = "image_size";
    s.keys.patchSize = "patch_size";
    s.keys.channels = "num_channels";
    s.names = {{R::PatchEmbedding, "embeddings.patch_embeddings.projection"},
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
               {R::FinalNorm, "layernorm"}};
    s.basePrefixes = {"vit.", ""};
    s.positions = PositionScheme::PatchTable;
    s.qkvBias = fromKey("qkv_bias", true);
    s.finalNormInLastHiddenState = false;  // ViT's hidden_states[-1] is the encoder output; its final norm feeds only the head
    s.heads = {imageClassifier(HeadPooling::FirstToken, "classifier")};
    return s;
}

FamilySpec deitFamily() {
    FamilySpec s = vitFamily();
    s.modelTypes = {"deit"};
    s.names[R::DistillationToken] = "embeddings.distillation_token";
    s.basePrefixes = {"deit.", ""};
    // DeiTForImageClassificationWithTeacher averages a CLS and a distillation classifier;
    // DeiTForImageClassification has a single "classifier".
    s.heads = {imageClassifier(HeadPooling::FirstTwoTokens, "cls_classifier", "distillation_classifier"),
               imageClassifier(HeadPooling::FirstToken, "classifier")};
    return s;
}

// CLIP's image encoder: a class embedding, a patch convolution without bias, a norm over the
// embeddings (pre_layrnorm), quick_gelu; its post_layernorm feeds only the pooled output, so the
// last hidden state is the encoder's. Attention only: its projection is for matching texts.
FamilySpec clipVisionFamily() {
    FamilySpec s = visionTower("clip_vision_model", "quick_gelu", 1e-5, 32);
    s.names[R::ClsToken] = "embeddings.class_embedding";
    s.names[R::EmbeddingNorm] = "pre_layrnorm";
    s.finalNormInLastHiddenState = false;
    return s;
}

// A whole CLIP checkpoint (CLIPModel): its vision tower, configured under vision_config.
FamilySpec clipFamily() {
    FamilySpec s = clipVisionFamily();
    s.modelTypes = {"clip"};
    s.nestedConfig = "vision_config";
    return s;
}

// SigLIP's image encoder: no class token (every token is a patch), gelu_pytorch_tanh, and
// post_layernorm over every token.
FamilySpec siglipVisionFamily() {
    FamilySpec s = visionTower("siglip_vision_model", "gelu_pytorch_tanh", 1e-6, 16);
    // Its pooled output is what a probe query reads from every token (vision_use_head).
    s.names[R::PoolingProbe] = "head.probe";
    s.names[R::PoolingAttention] = "head.attention";
    s.poolingProbe = fromKey("vision_use_head", true);
    return s;
}

FamilySpec siglipFamily() {
    FamilySpec s = siglipVisionFamily();
    s.modelTypes = {"siglip"};
    s.nestedConfig = "vision_config";
    return s;
}

}  // namespace attnscope
