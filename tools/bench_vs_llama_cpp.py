#!/usr/bin/python3
"""AttnScope's forward pass against llama.cpp's own prefill of the same GGUF file, in one run,
as a ratio: a llama-3-shaped model (random weights, quantized blocks with small finite scales,
written as llama.cpp's converter names and orders things) as Q8_0 or as Q4_K_M (Q4_K with Q6_K
for the output and, on llama.cpp's use_more_bits layers, for attn_v and ffn_down — what
llama_model_quantize picks for that type).

The two sides alternate, each in a process of its own, `--repeats` times: attnscope-bench
--model (the whole forward pass with every attention map kept) and llama.cpp's prefill through
node-llama-cpp 3.21.1 (tools/llama_cpp_prefill.mjs: the tokens evaluated in one batch, its
default settings: F16 KV cache, flash attention as it chooses). Each side's peak resident memory
is that of its process.

Usage: NLC=/path/with/node_modules LLAMA_CPP_SRC=/path/to/llama.cpp tools/bench_vs_llama_cpp.py
       --shape llama3-1b|llama3-8b --type q8_0|q4_k_m [--seq 512] [--threads 2] [--repeats 3]
       [--work DIR] [--only attnscope|llama.cpp]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SRC = Path(os.environ["LLAMA_CPP_SRC"])
sys.path.insert(0, str(SRC / "gguf-py"))
import gguf  # noqa: E402

HERE = Path(__file__).resolve().parent
SHAPES = {  # layers, hidden, heads, kv heads, intermediate, vocab, tied output
    "llama3-1b": (16, 2048, 32, 8, 8192, 128256, True),   # Llama 3.2 1B without its rope_freqs
    "llama3-8b": (32, 4096, 32, 8, 14336, 128256, False),  # Llama 3 8B
}
Q = gguf.GGMLQuantizationType
# bytes per block, values per block, byte offsets of the half-precision scales and a scale
BLOCKS = {Q.Q8_0: (34, 32, {0: 2e-4}), Q.Q4_K: (144, 256, {0: 2e-5, 2: 2e-5}), Q.Q6_K: (210, 256, {208: 5e-6})}


def use_more_bits(layer, layers):  # llama-quant.cpp
    return layer < layers // 8 or layer >= 7 * layers // 8 or (layer - layers // 8) % 3 == 2


def tensor_type(name, layer, layers, kind):
    if kind == "q8_0":
        return Q.Q8_0
    if name == "output.weight":
        return Q.Q6_K
    if name.endswith(("attn_v.weight", "ffn_down.weight")) and use_more_bits(layer, layers):
        return Q.Q6_K
    return Q.Q4_K


def random_blocks(rng, qtype, values):
    size, per, scales = BLOCKS[qtype]
    blocks = values // per
    raw = rng.integers(0, 256, size=(blocks, size), dtype=np.uint8)
    for offset, scale in scales.items():
        half = (rng.random(blocks, dtype=np.float32) * scale + scale / 4).astype(np.float16)
        raw[:, offset:offset + 2] = half.view(np.uint8).reshape(blocks, 2)
    return raw.reshape(-1)


def write_model(path, shape, kind):
    layers, hidden, heads, kv, inter, vocab, tied = shape
    head_dim = hidden // heads
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_block_count(layers)
    w.add_context_length(8192)
    w.add_embedding_length(hidden)
    w.add_feed_forward_length(inter)
    w.add_head_count(heads)
    w.add_head_count_kv(kv)
    w.add_rope_dimension_count(head_dim)
    w.add_rope_freq_base(500000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(vocab)
    w.add_file_type(7 if kind == "q8_0" else 15)
    w.add_tokenizer_model("gpt2")  # a placeholder vocabulary: both sides are given token ids
    w.add_tokenizer_pre("llama-bpe")
    w.add_token_list([f"t{i}" for i in range(vocab)])
    w.add_token_types([1] * vocab)
    w.add_token_merges(["t 1"])  # llama.cpp requires at least one
    tensors = [("token_embd.weight", (vocab, hidden), -1), ("output_norm.weight", (hidden,), -1)]
    if not tied:
        tensors.append(("output.weight", (vocab, hidden), -1))
    for layer in range(layers):
        b = f"blk.{layer}."
        tensors += [(b + "attn_norm.weight", (hidden,), layer), (b + "ffn_norm.weight", (hidden,), layer),
                    (b + "attn_q.weight", (heads * head_dim, hidden), layer),
                    (b + "attn_k.weight", (kv * head_dim, hidden), layer),
                    (b + "attn_v.weight", (kv * head_dim, hidden), layer),
                    (b + "attn_output.weight", (hidden, heads * head_dim), layer),
                    (b + "ffn_gate.weight", (inter, hidden), layer), (b + "ffn_up.weight", (inter, hidden), layer),
                    (b + "ffn_down.weight", (hidden, inter), layer)]
    types = {}
    for name, dims, layer in tensors:
        if len(dims) == 1:
            w.add_tensor_info(name, dims, np.dtype(np.float32), dims[0] * 4)
            continue
        qtype = tensor_type(name, layer, layers, kind)
        size, per, _ = BLOCKS[qtype]
        types[name] = qtype
        # gguf-py takes a quantized tensor's shape in bytes per row
        w.add_tensor_info(name, (dims[0], dims[1] // per * size), np.dtype(np.uint8), dims[0] * dims[1] // per * size, raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    rng = np.random.default_rng(3)
    for name, dims, layer in tensors:
        if len(dims) == 1:
            w.write_tensor_data(np.ones(dims, dtype=np.float32))
        else:
            w.write_tensor_data(random_blocks(rng, types[name], dims[0] * dims[1]))
    w.close()


def run(command, cwd=None):
    """The command's output and its own peak resident memory in MB."""
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    out, err = process.stdout.read(), process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed:\n{out}\n{err}")
    return out, usage.ru_maxrss / 1024, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", choices=SHAPES, default="llama3-1b")
    ap.add_argument("--type", choices=["q8_0", "q4_k_m"], default="q4_k_m")
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--work", default="/tmp/attnscope-vs-llama-cpp")
    ap.add_argument("--only", choices=["attnscope", "llama.cpp"])
    a = ap.parse_args()
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    model = work / f"{a.shape}-{a.type}.gguf"
    if not model.exists():
        write_model(model, SHAPES[a.shape], a.type)
    nlc = Path(os.environ["NLC"])
    shutil.copy(HERE / "llama_cpp_prefill.mjs", nlc / "llama_cpp_prefill.mjs")
    bench = HERE.parent / "build" / "bin" / "attnscope-bench"
    print(f"{model.name}: {model.stat().st_size / 2**20:.0f} MB, n = {a.seq}, {a.threads} threads")
    times = {"attnscope": [], "llama.cpp": []}
    memory = {}
    for r in range(a.repeats):
        if a.only != "llama.cpp":
            out, rss, _ = run([str(bench), "--model", str(model), "--seq", str(a.seq), "--repeats", "1", "--warmup", "0",
                               "--threads", str(a.threads)])
            t = float(re.search(r"median_s=([0-9.]+)", out).group(1))
            times["attnscope"].append(t)
            memory["attnscope"] = rss
            print(f"round {r}: attnscope {t:.2f} s ({rss:.0f} MB)", flush=True)
        if a.only != "attnscope":
            out, rss, _ = run(["node", "llama_cpp_prefill.mjs", str(model), str(a.seq), str(a.threads)], cwd=nlc)
            t = float(re.search(r"prefill_s=([0-9.]+)", out).group(1))
            times["llama.cpp"].append(t)
            memory["llama.cpp"] = rss
            print(f"round {r}: llama.cpp {t:.2f} s ({rss:.0f} MB)", flush=True)
    medians = {k: sorted(v)[len(v) // 2] for k, v in times.items() if v}
    for k, v in medians.items():
        print(f"{k}: median {v:.2f} s, peak RSS {memory[k]:.0f} MB")
    if len(medians) == 2:
        print(f"ratio attnscope/llama.cpp = {medians['attnscope'] / medians['llama.cpp']:.2f}")


if __name__ == "__main__":
    main()
