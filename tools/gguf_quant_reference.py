#!/usr/bin/python3
"""Writes llama.cpp's own view of a trained model quantized by llama.cpp: the references of
tests/fixtures/gguf_quant/ (issue 21's agreement checks on a trained model).

For stories260k (a trained TinyStories llama, widths 64/172) and for the same network laid out
with every width a multiple of 256 (so that the K-quants apply to every matrix instead of
falling back), this
  1. writes the Hugging Face folder (the widened one padded with zeros, see pad_to_256),
  2. converts it to an F32 GGUF with llama.cpp's converter (tools/gguf_from_hf.py),
  3. quantizes that with llama.cpp's llama_model_quantize (libllama from node-llama-cpp 3.21.1,
     default parameters, no importance matrix) to each type below,
  4. runs llama.cpp on every file (tools/llama_cpp_reference.mjs): token ids, the top next
     tokens and the probability of the text's own next token at every position,
and writes, per model, one JSON with the F32 file's metadata (without the vocabulary), every
file's tensors (name, type, shape and the SHA-256 of its bytes) and llama.cpp's numbers. The
files themselves are derived from a checkpoint that is not ours to commit; the test rebuilds
them from ../shared/models/stories260k and checks each tensor's bytes against these hashes, so
it runs on exactly the file llama.cpp ran on.

Usage: LLAMA_CPP_SRC=/path/to/llama.cpp NLC=/path/with/node_modules \
       tools/gguf_quant_reference.py STORIES260K_DIR WORK_DIR OUT_DIR
"""
import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

SRC = Path(os.environ["LLAMA_CPP_SRC"])
NLC = Path(os.environ["NLC"])
BINS = NLC / "node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(SRC / "gguf-py"))
sys.path.insert(0, str(HERE))
from gguf import GGUFReader  # noqa: E402
from hf_folder import read_safetensors, write_safetensors  # noqa: E402

# llama_ftype values (llama.h)
FTYPES = {"Q8_0": 7, "Q4_0": 2, "Q4_K_M": 15, "Q5_K_M": 17, "Q6_K": 18}
PLAN = {"stories260k": ["Q8_0", "Q4_0"], "stories260k-w256": ["Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M"]}

# Stories in the style of the training data, one the model wrote itself (its greedy output in
# the checkpoint's sanity_check_output.txt) and three it did not.
TEXTS = [
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. "
    "One day, she saw a big, red ball. She wanted to play with it, but it was too high.",
    "Tom had a small dog called Max. Every morning they walked to the pond to look at the ducks. "
    "One day Max jumped into the water and Tom laughed. \"Come back, Max!\" he said.",
    "The sun was warm and the sky was blue. A little bird sat on a tree and sang a happy song. "
    "A boy named Ben heard the song and smiled. He wanted to be friends with the bird.",
    "Sara and her mom baked a cake for her friend. They put sugar, eggs and milk in a bowl. "
    "When the cake was ready, Sara gave it to her friend and they shared it together.",
]


def pad_to_256(src_dir, out_dir):
    """The same network with hidden 256, 32 heads (16 key/value heads) of 8, intermediate 256:
    every matrix is the original in its top-left corner and zeros elsewhere. The added heads
    have zero queries, keys and values (uniform attention over zero values, so nothing reaches
    the residual), the added MLP units have zero gate and up rows, and the residual stream's
    added dimensions stay zero. RMSNorm divides by the root mean square over 256 dimensions
    instead of 64, which halves it: the norm weights are halved and the epsilon quartered, so
    every logit is the original's (up to rounding). converterWeights in tests/core/test_gguf_quant.cpp
    does the same."""
    cfg = json.loads((src_dir / "config.json").read_text())
    w = read_safetensors(str(src_dir / "model.safetensors"))
    H, I, KV = 256, 256, 16 * cfg["head_dim"]

    def pad(t, shape):
        out = np.zeros(shape, dtype=np.float32)
        out[tuple(slice(0, s) for s in t.shape)] = t
        return out

    padded = {}
    for name, t in w.items():
        if name.endswith("norm.weight"):
            padded[name] = pad(t * np.float32(0.5), (H,))
        elif name.endswith("embed_tokens.weight") or name == "lm_head.weight":
            padded[name] = pad(t, (t.shape[0], H))
        elif name.endswith(("q_proj.weight", "o_proj.weight", "gate_proj.weight", "up_proj.weight", "down_proj.weight")):
            padded[name] = pad(t, _padded_shape(name, H, I))
        elif name.endswith(("k_proj.weight", "v_proj.weight")):
            padded[name] = pad(t, (KV, H))
        else:
            raise SystemExit(f"pad_to_256: unexpected tensor {name}")
    out_dir.mkdir(parents=True, exist_ok=True)
    write_safetensors(str(out_dir / "model.safetensors"), padded)
    cfg.update(hidden_size=H, intermediate_size=I, num_attention_heads=H // cfg["head_dim"],
               num_key_value_heads=16, rms_norm_eps=cfg["rms_norm_eps"] / 4)
    (out_dir / "config.json").write_text(json.dumps(cfg, indent=2))
    for f in src_dir.iterdir():
        if f.name not in ("config.json", "model.safetensors") and f.is_file():
            shutil.copy(f, out_dir / f.name)


def _padded_shape(name, H, I):
    if name.endswith(("q_proj.weight", "o_proj.weight")):
        return (H, H)
    if name.endswith(("gate_proj.weight", "up_proj.weight")):
        return (I, H)
    return (H, I)  # down_proj


class QuantizeParams(ctypes.Structure):  # llama_model_quantize_params (llama.h)
    _fields_ = [("nthread", ctypes.c_int32), ("ftype", ctypes.c_int), ("output_tensor_type", ctypes.c_int),
                ("token_embedding_type", ctypes.c_int), ("allow_requantize", ctypes.c_bool),
                ("quantize_output_tensor", ctypes.c_bool), ("only_copy", ctypes.c_bool), ("pure", ctypes.c_bool),
                ("keep_split", ctypes.c_bool), ("dry_run", ctypes.c_bool), ("imatrix", ctypes.c_void_p),
                ("kv_overrides", ctypes.c_void_p), ("tt_overrides", ctypes.c_void_p),
                ("prune_layers", ctypes.c_void_p), ("max_buf_size", ctypes.c_size_t)]


def quantizer():
    ctypes.CDLL(str(BINS / "libggml-base.so"), mode=ctypes.RTLD_GLOBAL)
    ctypes.CDLL(str(BINS / "libggml.v0.4.0.so"), mode=ctypes.RTLD_GLOBAL)
    lib = ctypes.CDLL(str(BINS / "libllama.v0.4.0.so"))
    lib.llama_model_quantize_default_params.restype = QuantizeParams
    lib.llama_model_quantize.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(QuantizeParams)]
    lib.llama_model_quantize.restype = ctypes.c_uint32
    lib.llama_backend_init()

    def run(src, dst, ftype):
        params = lib.llama_model_quantize_default_params()
        params.ftype = FTYPES[ftype]
        if lib.llama_model_quantize(str(src).encode(), str(dst).encode(), ctypes.byref(params)) != 0:
            raise SystemExit(f"llama_model_quantize failed for {dst}")
    return run


def tensors_of(path):
    reader = GGUFReader(str(path))
    return [{"name": t.name, "type": t.tensor_type.name, "shape": [int(d) for d in reversed(t.shape)],
             "sha256": hashlib.sha256(bytes(t.data.tobytes())).hexdigest()} for t in reader.tensors]


def metadata_of(path):
    """The F32 file's metadata as [key, GGUF value type, value], the vocabulary left out (the
    test feeds llama.cpp's token ids)."""
    reader = GGUFReader(str(path))
    out = []
    for field in reader.fields.values():
        if field.name.startswith(("tokenizer.", "GGUF.")):
            continue
        kind = field.types[0]
        if kind.name == "ARRAY":
            raise SystemExit(f"unexpected array metadata {field.name}")
        value = field.contents()
        out.append([field.name, kind.name, value])
    return out


def llama_cpp(path):
    node = subprocess.run(["node", str(NLC / "llama_cpp_reference.mjs"), str(path), json.dumps(TEXTS), "next"],
                          cwd=NLC, check=True, capture_output=True, text=True)
    return json.loads(node.stdout)["cases"]


def main():
    stories, work, out_dir = (Path(a) for a in sys.argv[1:4])
    work.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "llama_cpp_reference.mjs", NLC / "llama_cpp_reference.mjs")
    quantize = quantizer()
    folders = {"stories260k": stories, "stories260k-w256": work / "stories260k-w256"}
    pad_to_256(stories, folders["stories260k-w256"])
    for model, folder in folders.items():
        f32 = work / f"{model}-f32.gguf"
        subprocess.run([sys.executable, str(HERE / "gguf_from_hf.py"), str(folder), str(f32), "f32"], check=True,
                       capture_output=True)
        reference = {"source": "llama.cpp from node-llama-cpp 3.21.1: convert_hf_to_gguf.py, llama_model_quantize "
                               "(default parameters, no importance matrix), controlledEvaluate with a float32 KV cache",
                     "model": model, "metadata": metadata_of(f32), "texts": TEXTS, "files": {}}
        for ftype in ["F32"] + PLAN[model]:
            path = f32 if ftype == "F32" else work / f"{model}-{ftype.lower()}.gguf"
            if ftype != "F32":
                quantize(f32, path, ftype)
            cases = llama_cpp(path)
            reference["ids"] = [c["ids"] for c in cases]
            reference["files"][ftype] = {"tensors": tensors_of(path),
                                         "cases": [{"top": c["top"], "next": c["next"]} for c in cases]}
            print(model, ftype, path.stat().st_size, "bytes", file=sys.stderr)
        (out_dir / f"{model}.json").write_text(json.dumps(reference, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
