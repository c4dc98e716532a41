#pragma once

namespace attnscope {

// Tanh is BERT's pooler and RoBERTa's classifier, never a config's hidden_act.
// QuickGelu: x * sigmoid(1.702 x), as CLIP was trained with.
enum class Activation { Gelu, GeluTanh, Relu, Silu, Tanh, QuickGelu };

// RmsNormUnitOffset: RMSNorm scaled by (1 + weight), as Gemma stores its norms.
enum class NormKind { LayerNorm, RmsNorm, RmsNormUnitOffset };

}  // namespace attnscope
