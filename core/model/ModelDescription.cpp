#include "model/ModelDescription.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace attnscope {

namespace {

std::string number(double v) {
    std::ostringstream s;
    s.precision(10);  // 1000000, not 1e+06
    s << v;
    return s.str();
}

bool layersDiffer(const ModelConfig& c) {
    const auto differs = [](const auto& v) { return std::adjacent_find(v.begin(), v.end(), std::not_equal_to<>()) != v.end(); };
    return differs(c.layerWindow) || differs(c.layerRope);
}

// The scale transformers multiplies q·k by, as the engine uses it.
double scoreScale(const ModelConfig& c) {
    if (c.attentionScale > 0.0f) return c.attentionScale;
    return c.scaleAttention ? 1.0 / std::sqrt(static_cast<double>(c.headDim)) : 1.0;
}

}  // namespace

nlohmann::json describeAttention(const ModelConfig& c) {
    nlohmann::json j = {{"head_dim", c.headDim}, {"score_scale", scoreScale(c)}};
    if (c.attnSoftcap > 0.0f) j["score_softcap"] = c.attnSoftcap;
    if (c.finalSoftcap > 0.0f) j["logit_softcap"] = c.finalSoftcap;
    const FamilySpec& s = c.spec();
    if (s.hasRole(TensorRole::AttnQNorm)) j["qk_norm"] = s.qkNorm == QkNormScope::PerHead ? "per head" : "whole projection";
    nlohmann::json ropes = nlohmann::json::array();
    for (const RopeSpec& r : c.ropes) {
        nlohmann::json rope = {{"type", ropeTypeName(r.type)}, {"theta", r.theta}, {"rotary_dims", r.rotaryDims}, {"description", r.describe()}};
        if (r.type != RopeType::Default) rope["factor"] = r.factor;
        if (r.originalMaxPositions > 0) rope["original_max_positions"] = r.originalMaxPositions;
        if (r.attentionFactor != 1.0) rope["attention_factor"] = r.attentionFactor;
        ropes.push_back(rope);
    }
    if (!ropes.empty()) j["rope"] = ropes;
    if (const DisentangledConfig& d = c.disentangled; d.enabled) {
        nlohmann::json terms = nlohmann::json::array({"c2c"});
        if (d.contentToPosition) terms.push_back("c2p");
        if (d.positionToContent) terms.push_back("p2c");
        j["disentangled"] = {{"terms", terms}, {"span", d.span()}, {"log_buckets", d.buckets > 0}, {"max_relative_positions", d.maxRelative},
                             {"share_att_key", d.shareKey}};
    }
    nlohmann::json layers = nlohmann::json::array();
    for (int l = 0; l < c.layers; ++l) {
        const auto i = static_cast<std::size_t>(l);
        nlohmann::json layer = {{"type", i < c.layerTypes.size() ? c.layerTypes[i] : "full_attention"},
                                {"window", i < c.layerWindow.size() ? c.layerWindow[i] : 0}};
        if (!c.ropes.empty()) layer["rope"] = c.layerRope[i] >= 0 ? nlohmann::json(c.layerRope[i]) : nlohmann::json(nullptr);
        layers.push_back(layer);
    }
    j["layers"] = layers;
    return j;
}

std::string layerNote(const ModelConfig& c, int layer) {
    if (layer < 0 || layer >= c.layers || !layersDiffer(c)) return {};
    const auto i = static_cast<std::size_t>(layer);
    const int window = i < c.layerWindow.size() ? c.layerWindow[i] : 0;
    std::string note = window > 0 ? "local layer, window " + std::to_string(window) : "global layer";
    const RopeSpec* rope = c.ropeOf(layer);
    if (!c.ropes.empty() && !rope) note += ", no RoPE";
    else if (rope && c.ropes.size() > 1) note += ", RoPE theta " + number(rope->theta);
    return note;
}

std::string scoreNote(const ModelConfig& c) {
    std::vector<std::string> parts;
    if (c.attentionScale > 0.0f) parts.push_back("scores scaled by " + number(c.attentionScale));
    else if (!c.scaleAttention) parts.push_back("scores not divided by sqrt(d)");
    if (c.attnSoftcap > 0.0f) parts.push_back("scores soft-capped at " + number(c.attnSoftcap));
    if (c.finalSoftcap > 0.0f) parts.push_back("logits soft-capped at " + number(c.finalSoftcap));
    if (c.spec().hasRole(TensorRole::AttnQNorm)) parts.push_back("q/k normed");
    if (c.disentangled.hasPositionTerms())
        parts.push_back(std::string("disentangled scores c2c") + (c.disentangled.contentToPosition ? " + c2p" : "") +
                        (c.disentangled.positionToContent ? " + p2c" : ""));
    for (const RopeSpec& r : c.ropes)
        if (r.type != RopeType::Default) {
            parts.push_back("RoPE " + r.describe());
            break;
        }
    std::string out;
    for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

}  // namespace attnscope
