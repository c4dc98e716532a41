#pragma once

namespace attnscope {

// Tanh is BERT's pooler and RoBERTa's classifier, never a config's hidden_act.
enum class Activation { Gelu, GeluTanh, Relu, Silu, Tanh };

enum class NormKind { LayerNorm, RmsNorm };

}  // namespace attnscope
