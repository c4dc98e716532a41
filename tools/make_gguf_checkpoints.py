#!/usr/bin/python3
"""Writes tiny random-weight Hugging Face checkpoints of the families whose GGUF files AttnScope
runs but that the shared golden set lacks (qwen2, qwen3), for tests/fixtures/gguf/: each is then
written as GGUF by llama.cpp's converter (tools/gguf_from_hf.py) and run by llama.cpp
(tools/llama_cpp_reference.mjs), whose probabilities are the reference. The checkpoint itself
is not a reference: the test only requires AttnScope to run it the same from both files.

The weights are random (numpy, fixed seed), scaled so that attention is far from uniform; the
tokenizer is the golden GPT-2's byte-level BPE (600 tokens).

Usage: tools/make_gguf_checkpoints.py GOLDEN_DIR OUT_DIR
"""
import json
import shutil
import struct
import sys
from pathlib import Path

import numpy as np

HIDDEN, LAYERS, HEADS, KV_HEADS, HEAD_DIM, INTERMEDIATE, VOCAB = 32, 2, 4, 2, 8, 64, 600

FAMILIES = {
    "qwen2": {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "qkv_bias": True, "qk_norm": False},
    "qwen3": {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "qkv_bias": False, "qk_norm": True},
}


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = np.ascontiguousarray(t, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def checkpoint(family, spec, golden, out):
    rng = np.random.default_rng(20261206)

    def w(*shape, scale=0.3):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    def norm(n):
        return (1.0 + rng.standard_normal(n) * 0.1).astype(np.float32)

    t = {"model.embed_tokens.weight": w(VOCAB, HIDDEN, scale=1.0), "model.norm.weight": norm(HIDDEN)}
    for layer in range(LAYERS):
        p = f"model.layers.{layer}."
        t[p + "input_layernorm.weight"] = norm(HIDDEN)
        t[p + "post_attention_layernorm.weight"] = norm(HIDDEN)
        t[p + "self_attn.q_proj.weight"] = w(HEADS * HEAD_DIM, HIDDEN)
        t[p + "self_attn.k_proj.weight"] = w(KV_HEADS * HEAD_DIM, HIDDEN)
        t[p + "self_attn.v_proj.weight"] = w(KV_HEADS * HEAD_DIM, HIDDEN)
        t[p + "self_attn.o_proj.weight"] = w(HIDDEN, HEADS * HEAD_DIM)
        if spec["qkv_bias"]:
            t[p + "self_attn.q_proj.bias"] = w(HEADS * HEAD_DIM, scale=0.5)
            t[p + "self_attn.k_proj.bias"] = w(KV_HEADS * HEAD_DIM, scale=0.5)
            t[p + "self_attn.v_proj.bias"] = w(KV_HEADS * HEAD_DIM, scale=0.5)
        if spec["qk_norm"]:
            t[p + "self_attn.q_norm.weight"] = norm(HEAD_DIM)
            t[p + "self_attn.k_norm.weight"] = norm(HEAD_DIM)
        t[p + "mlp.gate_proj.weight"] = w(INTERMEDIATE, HIDDEN)
        t[p + "mlp.up_proj.weight"] = w(INTERMEDIATE, HIDDEN)
        t[p + "mlp.down_proj.weight"] = w(HIDDEN, INTERMEDIATE)
    out.mkdir(parents=True, exist_ok=True)
    write_safetensors(out / "model.safetensors", t)
    config = {
        "architectures": spec["architectures"], "model_type": spec["model_type"], "vocab_size": VOCAB,
        "hidden_size": HIDDEN, "intermediate_size": INTERMEDIATE, "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS, "num_key_value_heads": KV_HEADS, "head_dim": HEAD_DIM,
        "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "hidden_act": "silu",
        "tie_word_embeddings": True, "bos_token_id": 0, "eos_token_id": 0, "attention_bias": spec["qkv_bias"],
        "torch_dtype": "float32",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        if (golden / "gpt2" / "model" / name).exists():
            shutil.copy(golden / "gpt2" / "model" / name, out / name)


def main():
    golden, out = Path(sys.argv[1]), Path(sys.argv[2])
    for family, spec in FAMILIES.items():
        checkpoint(family, spec, golden, out / family)


if __name__ == "__main__":
    main()
