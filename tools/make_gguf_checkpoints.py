#!/usr/bin/python3
"""Writes tiny random-weight Hugging Face checkpoints of the families whose GGUF files AttnScope
runs but that the shared golden set lacks (qwen2, qwen3, gemma, gemma2, gemma3, phi3, olmo2,
smollm3, a llama with Llama 3.1's rotary scaling, Phi-3 with LongRoPE, Qwen 2 with YaRN,
ModernBERT), for
tests/fixtures/gguf/: each is then
written as GGUF by llama.cpp's converter (tools/gguf_from_hf.py) and run by llama.cpp
(tools/llama_cpp_reference.mjs), whose probabilities are the reference. The checkpoint itself
is not a reference: the test only requires AttnScope to run it the same from both files.

The weights are random (numpy, fixed seed), scaled so that attention is far from uniform; the
tokenizer is the golden GPT-2's byte-level BPE (600 tokens).

Usage: tools/make_gguf_checkpoints.py GOLDEN_DIR OUT_DIR [FAMILY,…]
"""
import json
import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hf_folder import write_safetensors  # noqa: E402

HIDDEN, LAYERS, HEADS, KV_HEADS, HEAD_DIM, INTERMEDIATE, VOCAB = 32, 2, 4, 2, 8, 64, 600

LLAMA_NAMES = {"pre_attn_norm": "input_layernorm", "post_mlp_norm": None, "pre_mlp_norm": "post_attention_layernorm", "post_attn_norm": None}
OLMO2_NAMES = {"pre_attn_norm": None, "post_mlp_norm": "post_feedforward_layernorm", "pre_mlp_norm": None,
               "post_attn_norm": "post_attention_layernorm"}
GEMMA2_NAMES = {"pre_attn_norm": "input_layernorm", "post_mlp_norm": "post_feedforward_layernorm", "pre_mlp_norm": "pre_feedforward_layernorm",
                "post_attn_norm": "post_attention_layernorm"}
FAMILIES = {
    "qwen2": {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "qkv_bias": True, "qk_norm": False},
    "qwen3": {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "qkv_bias": False, "qk_norm": True},
    # Gemma: norms as offsets from 1 (the converter stores 1 + w), GeGLU, embeddings times
    # sqrt(hidden). Gemma 2 adds post-norms, soft-capping and a sliding window (small here, so
    # that the texts cross it); Gemma 3 q/k norms, five sliding layers to a global one (six
    # layers here, so that one is global) and a local RoPE base.
    "gemma": {"architectures": ["GemmaForCausalLM"], "model_type": "gemma", "qkv_bias": False, "qk_norm": False,
              "norm_center": 0.0, "config": {"hidden_act": "gelu_pytorch_tanh", "hidden_activation": "gelu_pytorch_tanh"}},
    "gemma2": {"architectures": ["Gemma2ForCausalLM"], "model_type": "gemma2", "qkv_bias": False, "qk_norm": False,
               "norm_center": 0.0, "names": GEMMA2_NAMES,
               "config": {"hidden_activation": "gelu_pytorch_tanh", "query_pre_attn_scalar": HEAD_DIM,
                          "attn_logit_softcapping": 50.0, "final_logit_softcapping": 30.0, "sliding_window": 4}},
    "gemma3": {"architectures": ["Gemma3ForCausalLM"], "model_type": "gemma3_text", "qkv_bias": False, "qk_norm": True,
               "norm_center": 0.0, "names": GEMMA2_NAMES, "layers": 6,
               "config": {"hidden_activation": "gelu_pytorch_tanh", "query_pre_attn_scalar": HEAD_DIM,
                          "sliding_window": 4, "sliding_window_pattern": 6, "rope_theta": 1000000.0,
                          "rope_local_base_freq": 10000.0, "final_logit_softcapping": None,
                          "attn_logit_softcapping": None}},
    # Gemma 3 4B and up: linear rotary scaling of the global layers only.
    "gemma3_linear": {"architectures": ["Gemma3ForCausalLM"], "model_type": "gemma3_text", "qkv_bias": False,
                      "qk_norm": True, "norm_center": 0.0, "names": GEMMA2_NAMES, "layers": 6,
                      "config": {"hidden_activation": "gelu_pytorch_tanh", "query_pre_attn_scalar": HEAD_DIM,
                                 "sliding_window": 4, "sliding_window_pattern": 6, "rope_theta": 1000000.0,
                                 "rope_local_base_freq": 10000.0, "final_logit_softcapping": None,
                                 "attn_logit_softcapping": None, "rope_scaling": {"rope_type": "linear", "factor": 8.0}}},
    # Llama 3.1's rotary scaling (llama.cpp's converter stores it as rope_freqs.weight), with a
    # pretraining length that puts the tiny heads' four frequencies in all three of its bands.
    "llama31": {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "qkv_bias": False, "qk_norm": False,
                "config": {"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                            "high_freq_factor": 4.0, "original_max_position_embeddings": 64}}},
    # OLMo 2: norms only after each sublayer, q/k norms over the whole projection.
    "olmo2": {"architectures": ["Olmo2ForCausalLM"], "model_type": "olmo2", "qkv_bias": False, "qk_norm": "whole", "tied": False,
              "names": OLMO2_NAMES},
    # SmolLM3: every fourth layer without RoPE (four layers here, so that one has none).
    "smollm3": {"architectures": ["SmolLM3ForCausalLM"], "model_type": "smollm3", "qkv_bias": False, "qk_norm": False,
                "layers": 4, "config": {"no_rope_layer_interval": 4, "use_sliding_window": False}},
    # Phi-3: one qkv_proj and one gate_up_proj, an untied head.
    "phi3": {"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "qkv_bias": False, "qk_norm": False,
             "fused": True, "tied": False,
             "config": {"original_max_position_embeddings": 128, "rope_scaling": None, "sliding_window": None}},
    # Phi-3's LongRoPE (Phi-3 mini 128k, 3.5, 4-mini): the converter stores the long and short
    # factors as tensors. A pretraining length of 16, so that the texts are longer and both
    # transformers (by the sequence's length) and llama.cpp (by its context's) take the long ones.
    "phi3_longrope": {"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "qkv_bias": False, "qk_norm": False,
                      "fused": True, "tied": False,
                      "config": {"original_max_position_embeddings": 16, "sliding_window": None,
                                 "rope_scaling": {"rope_type": "longrope", "long_factor": [1.0, 1.7, 3.1, 6.4],
                                                  "short_factor": [1.0, 1.1, 1.3, 1.9]}}},
    # YaRN (Qwen 2.5 and Qwen 3 for long contexts), over a pretraining length that puts the tiny
    # heads' four frequencies on both sides of its ramp.
    "qwen2_yarn": {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "qkv_bias": True, "qk_norm": False,
                   "config": {"rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32}}},
}


def checkpoint(family, spec, golden, out):
    rng = np.random.default_rng(20261206)

    def w(*shape, scale=0.3):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    center = spec.get("norm_center", 1.0)  # Gemma's norm weights are offsets from 1

    def norm(n):
        return (center + rng.standard_normal(n) * 0.1).astype(np.float32)

    names = spec.get("names", LLAMA_NAMES)
    layers = spec.get("layers", LAYERS)
    t = {"model.embed_tokens.weight": w(VOCAB, HIDDEN, scale=1.0), "model.norm.weight": norm(HIDDEN)}
    if not spec.get("tied", True):
        t["lm_head.weight"] = w(VOCAB, HIDDEN)
    for layer in range(layers):
        p = f"model.layers.{layer}."
        for role in ("pre_attn_norm", "pre_mlp_norm", "post_attn_norm", "post_mlp_norm"):
            if names[role]:
                t[p + names[role] + ".weight"] = norm(HIDDEN)
        q, k, v = w(HEADS * HEAD_DIM, HIDDEN), w(KV_HEADS * HEAD_DIM, HIDDEN), w(KV_HEADS * HEAD_DIM, HIDDEN)
        if spec.get("fused"):
            t[p + "self_attn.qkv_proj.weight"] = np.concatenate([q, k, v])
        else:
            t[p + "self_attn.q_proj.weight"], t[p + "self_attn.k_proj.weight"], t[p + "self_attn.v_proj.weight"] = q, k, v
        t[p + "self_attn.o_proj.weight"] = w(HIDDEN, HEADS * HEAD_DIM)
        if spec["qkv_bias"]:
            t[p + "self_attn.q_proj.bias"] = w(HEADS * HEAD_DIM, scale=0.5)
            t[p + "self_attn.k_proj.bias"] = w(KV_HEADS * HEAD_DIM, scale=0.5)
            t[p + "self_attn.v_proj.bias"] = w(KV_HEADS * HEAD_DIM, scale=0.5)
        if spec["qk_norm"] == "whole":
            t[p + "self_attn.q_norm.weight"] = norm(HEADS * HEAD_DIM)
            t[p + "self_attn.k_norm.weight"] = norm(KV_HEADS * HEAD_DIM)
        elif spec["qk_norm"]:
            t[p + "self_attn.q_norm.weight"] = norm(HEAD_DIM)
            t[p + "self_attn.k_norm.weight"] = norm(HEAD_DIM)
        gate, up = w(INTERMEDIATE, HIDDEN), w(INTERMEDIATE, HIDDEN)
        if spec.get("fused"):
            t[p + "mlp.gate_up_proj.weight"] = np.concatenate([gate, up])
        else:
            t[p + "mlp.gate_proj.weight"], t[p + "mlp.up_proj.weight"] = gate, up
        t[p + "mlp.down_proj.weight"] = w(HIDDEN, INTERMEDIATE)
    out.mkdir(parents=True, exist_ok=True)
    write_safetensors(str(out / "model.safetensors"), t)
    config = {
        "architectures": spec["architectures"], "model_type": spec["model_type"], "vocab_size": VOCAB,
        "hidden_size": HIDDEN, "intermediate_size": INTERMEDIATE, "num_hidden_layers": layers,
        "num_attention_heads": HEADS, "num_key_value_heads": KV_HEADS, "head_dim": HEAD_DIM,
        "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "hidden_act": "silu",
        "tie_word_embeddings": spec.get("tied", True), "bos_token_id": 0, "eos_token_id": 0,
        "attention_bias": spec["qkv_bias"], "torch_dtype": "float32",
    }
    config.update(spec.get("config", {}))
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        if (golden / "gpt2" / "model" / name).exists():
            shutil.copy(golden / "gpt2" / "model" / name, out / name)


def modernbert_checkpoint(golden, out):
    """ModernBERT (the encoder alone, as llama.cpp's converter keeps it): one fused Wqkv, a GeGLU
    Wi, LayerNorms without biases (none before the first layer's attention), a local window of
    8 (so that the texts cross it) on every layer but each third, and two RoPE bases. RoBERTa's
    golden byte-level BPE, written with llama.cpp's modern-bert pre-tokenizer (GPT-2's split)."""
    rng = np.random.default_rng(20261207)

    def w(*shape, scale=0.3):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    def norm(n):
        return (1.0 + rng.standard_normal(n) * 0.1).astype(np.float32)

    layers = 3
    vocab = json.loads((golden / "roberta" / "model" / "config.json").read_text())["vocab_size"]
    t = {"model.embeddings.tok_embeddings.weight": w(vocab, HIDDEN, scale=1.0), "model.embeddings.norm.weight": norm(HIDDEN),
         "model.final_norm.weight": norm(HIDDEN)}
    for layer in range(layers):
        p = f"model.layers.{layer}."
        if layer > 0:
            t[p + "attn_norm.weight"] = norm(HIDDEN)
        t[p + "attn.Wqkv.weight"] = w(3 * HIDDEN, HIDDEN)
        t[p + "attn.Wo.weight"] = w(HIDDEN, HIDDEN)
        t[p + "mlp_norm.weight"] = norm(HIDDEN)
        t[p + "mlp.Wi.weight"] = w(2 * INTERMEDIATE, HIDDEN)
        t[p + "mlp.Wo.weight"] = w(HIDDEN, INTERMEDIATE)
    out.mkdir(parents=True, exist_ok=True)
    write_safetensors(str(out / "model.safetensors"), t)
    config = {
        "architectures": ["ModernBertModel"], "model_type": "modernbert", "vocab_size": vocab, "hidden_size": HIDDEN,
        "intermediate_size": INTERMEDIATE, "num_hidden_layers": layers, "num_attention_heads": HEADS,
        "hidden_activation": "gelu", "max_position_embeddings": 128, "norm_eps": 1e-5, "norm_bias": False,
        # The converter writes norm_eps as an RMS epsilon, and llama.cpp's modern-bert loader
        # requires the LayerNorm one: this extra key (transformers ignores it) gives both.
        "layer_norm_eps": 1e-5,
        "global_rope_theta": 160000.0, "local_rope_theta": 10000.0, "local_attention": 8, "global_attn_every_n_layers": 3,
        "attention_bias": False, "mlp_bias": False, "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
        "cls_token_id": 0, "sep_token_id": 2, "tie_word_embeddings": True, "torch_dtype": "float32",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(golden / "roberta" / "model" / name, out / name)


def main():
    golden, out = Path(sys.argv[1]), Path(sys.argv[2])
    only = sys.argv[3].split(",") if len(sys.argv) > 3 else list(FAMILIES) + ["modernbert"]
    for family in only:
        if family == "modernbert":
            modernbert_checkpoint(golden, out / family)
        else:
            checkpoint(family, FAMILIES[family], golden, out / family)


if __name__ == "__main__":
    main()
