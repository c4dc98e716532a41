#!/usr/bin/env python3
"""Makes the transformers reference fixtures for the decoder families of issue #17 and the
factorised encoders (ELECTRA, ALBERT) of issue #18.

Run once, offline, on a machine with transformers 5.x (made for 5.17), torch and tokenizers:

    python3 tools/make_family_fixtures.py [OUTDIR]          # OUTDIR defaults to tests/fixtures
    python3 tools/make_family_fixtures.py OUTDIR --only gemma2,phi3

Each fixture is written to OUTDIR/<name>/ in the layout of the shared golden set
(shared/golden/README.md): model/ exactly as save_pretrained wrote it (model and tokenizer),
expected.json (per case: text, ids, tokens, offsets, type_ids, from the saved tokenizer
reloaded with AutoTokenizer) and expected.safetensors (float32, per case i:
case{i}.attentions [layers, heads, n, n], case{i}.last_hidden_state [n, hidden] =
hidden_states[-1] as transformers returns it (after the final norm), case{i}.logits [n, vocab]).

How the references are made: random weights, every parameter redrawn from normal(0, 0.25)
(norm weights too; for Gemma's (1 + w) norms the same), float32, eager attention, eval mode,
on the CPU, from a seeded generator. Tokenizers are trained here with the `tokenizers` library
on a short embedded text, in the pipeline the real checkpoints declare, and wrapped with
transformers' TokenizersBackend (tokenizer_class "TokenizersBackend", as the golden set).

Every mechanism a fixture is meant to exercise is checked to bite: the same weights are run
through a variant without the mechanism (softcapping off, a window wider than every case,
default RoPE instead of the variant, q/k norms replaced by identities, RoPE on every layer)
and the attentions (or logits) must move by more than 1e-3, or the fixture fails. The model
is also saved, reloaded with from_pretrained and rerun: the reloaded checkpoint must give the
same numbers (1e-5), since the engine reads the checkpoint, not this process's objects.

A fixture that fails any check is not left among the fixtures: it goes to OUTDIR/_failed/<name>/
(the parity test only looks at OUTDIR/<name>/expected.json), a traceback is printed, the other
fixtures go on, and the script exits non-zero. The full log is also written to
OUTDIR/_log/make_family_fixtures.log. Every fixture folder must stay under 1 MB.
"""

import argparse
import copy
import dataclasses
import inspect
import json
import math
import os
import shutil
import sys
import time
import traceback

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MAX_FOLDER_BYTES = 1_000_000
WEIGHT_STD = 0.25
BITE = 1e-3  # a mechanism "bites" when it moves some attention (or logit) by more than this
SAME = 1e-6  # ... and leaves what it must not touch within this
RELOAD_TOL = 1e-5
LONG_MIN_TOKENS = 40  # the long case has at least this many tokens (longer than every window used)
WIDE_WINDOW = 120  # a sliding window wider than every case: the "no window" variant of the checks

LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
QWEN_PATTERN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"

# The text the tokenizers are trained on: English with accents, CJK, emoji, numbers and code.
CORPUS = """The cat sat on the mat because it was tired.
Attention is all you need.
Students watched the heatmap light up as the model read the sentence.
The quick brown fox jumps over the lazy dog, and the dog does not mind at all.
A transformer layer mixes the tokens with attention and then transforms each token with a small network.
Every head looks at the earlier words and decides which of them matter most for the next word.
When the students opened the notebook, they saw how each head spread its weight over the words.
Some heads look only at the previous token; others jump back to the first word of the sentence.
Café au lait, naïve façade, jalapeño, crème brûlée, Übermut, smörgåsbord, São Paulo, Ångström.
東京 is the capital of Japan, and 北京 is the capital of China. 你好，世界！ こんにちは、世界。
Emoji time: 🙂 🚀 🎉 ❤️ 👍 — and some symbols: © ® ™ € £ ¥ § ¶ • … « » “quotes” ‘single’.
Numbers: 0 1 2 3 4 5 6 7 8 9 10 42 100 2024 3.14159 2.71828 1,000,000 -17 +3e8 50% 1/2 ½.
def area(r): return 3.14159 * r ** 2  # the area of a circle
for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; }
if (x != y && y >= 0) { return x / y; } else { return -1; }
{"key": "value", "list": [1, 2, 3], "ok": true, "none": null}
<html><body><p class="note">Hello, world!</p></body></html>
path/to/file.txt C:\\Users\\me\\notes.md https://example.org/?q=attention&lang=en#top
It's, you're, we've, they'll, I'd, she's, don't, can't, won't, IT'S, YOU'RE.
    Indented line with\ttabs\tand   several   spaces.
Line one
Line two

Line four after a blank line.
"""

CASE_TEXTS = [
    "The cat sat on the mat.",
    "Café naïve jalapeño — 東京 🙂 3.14159!",
    "def area(r): return 3.14 * r ** 2  # ok?",
]
# The long case: as many words of this as make at least LONG_MIN_TOKENS tokens.
LONG_TEXT = (
    "When the students opened the notebook, they saw how each attention head spread its weight over "
    "the earlier words: some heads looked only at the previous token, others jumped back to the first "
    "word of the sentence, and a few followed the subject through the whole paragraph. Über den Wolken, "
    "the café owner counted 1234 coins while the river kept flowing past the old bridge, and nobody "
    "noticed that the clock had stopped at twenty past three, long before the last train left the station "
    "and the lights of the town went out one by one."
)

BYTELEVEL_VOCAB = 360  # 256 byte symbols + merges; special tokens are added after the vocabulary
SPM_VOCAB = 440  # specials + 256 byte-fallback tokens + characters + merges
WORDPIECE_VOCAB = 400
UNIGRAM_VOCAB = 300
SPM_LIMIT_ALPHABET = 70  # rarer characters (most CJK, some accents) fall back to bytes

log_file = None


def say(*parts):
    text = " ".join(str(p) for p in parts)
    print(text, flush=True)
    if log_file is not None:
        log_file.write(text + "\n")
        log_file.flush()


class CheckFailed(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Tokenizers: trained here, assembled as tokenizer.json in the pipeline the real checkpoints use.
# --------------------------------------------------------------------------------------------


def _training_lines():
    lines = [line for line in CORPUS.split("\n")] + CASE_TEXTS + [LONG_TEXT]
    return lines * 3


def _train_bpe(normalizer, pre_tokenizer, vocab_size, special_tokens, lines, initial_alphabet=None, limit_alphabet=None):
    from tokenizers import Tokenizer, models, trainers

    tok = Tokenizer(models.BPE())
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    kwargs = dict(vocab_size=vocab_size, min_frequency=2, show_progress=False, special_tokens=list(special_tokens))
    if initial_alphabet is not None:
        kwargs["initial_alphabet"] = initial_alphabet
    if limit_alphabet is not None:
        kwargs["limit_alphabet"] = limit_alphabet
    tok.train_from_iterator(lines, trainer=trainers.BpeTrainer(**kwargs))
    model = json.loads(tok.to_str())["model"]
    return model["vocab"], model["merges"]


def _added(content, token_id):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def _bos_template(bos, bos_id):
    return {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                 {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {bos: {"id": bos, "ids": [bos_id], "tokens": [bos]}},
    }


def _bpe_model(vocab, merges, unk, byte_fallback, fuse_unk, ignore_merges):
    return {"type": "BPE", "dropout": None, "unk_token": unk, "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": fuse_unk, "byte_fallback": byte_fallback,
            "ignore_merges": ignore_merges, "vocab": vocab, "merges": merges}


def _bytelevel(add_prefix_space, trim_offsets, use_regex):
    return {"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": trim_offsets,
            "use_regex": use_regex}


def build_bytelevel_tokenizer(style):
    """Byte-level BPE with a Split regex before the byte mapping.
    llama3: Llama 3 (and SmolLM3): Llama 3 regex, ignore_merges, <|begin_of_text|> added by a template.
    qwen: Qwen2/Qwen3: NFC normalizer, Qwen regex (single digits), no BOS.
    cl100k: OLMo 2 (dolma2, cl100k-style): Llama 3 regex, GPT-2-style byte-level post-processor, no BOS."""
    from tokenizers import Regex, normalizers, pre_tokenizers

    pattern = QWEN_PATTERN if style == "qwen" else LLAMA3_PATTERN
    train_norm = normalizers.NFC() if style == "qwen" else None
    train_pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    vocab, merges = _train_bpe(train_norm, train_pre, BYTELEVEL_VOCAB, [], _training_lines(),
                               initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    specials = {
        "llama3": ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"],
        "qwen": ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        "cl100k": ["<|endoftext|>", "<|pad|>"],
    }[style]
    next_id = max(vocab.values()) + 1
    ids = {}
    added = []
    for s in specials:
        ids[s] = next_id
        added.append(_added(s, next_id))
        next_id += 1
    split = {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False}
    if style == "llama3":
        pre = {"type": "Sequence", "pretokenizers": [split, _bytelevel(False, True, False)]}
        post = {"type": "Sequence", "processors": [_bytelevel(True, False, True),
                                                   _bos_template("<|begin_of_text|>", ids["<|begin_of_text|>"])]}
        decoder = _bytelevel(True, True, True)
        normalizer = None
        ignore_merges = True
        roles = {"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>"}
    elif style == "qwen":
        pre = {"type": "Sequence", "pretokenizers": [split, _bytelevel(False, False, False)]}
        post = _bytelevel(False, False, False)
        decoder = _bytelevel(False, False, False)
        normalizer = {"type": "NFC"}
        ignore_merges = False
        roles = {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}
    else:
        pre = {"type": "Sequence", "pretokenizers": [split, _bytelevel(False, True, False)]}
        post = _bytelevel(True, False, True)
        decoder = _bytelevel(True, True, True)
        normalizer = None
        ignore_merges = False
        roles = {"eos_token": "<|endoftext|>", "pad_token": "<|pad|>"}
    tj = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": normalizer,
          "pre_tokenizer": pre, "post_processor": post, "decoder": decoder,
          "model": _bpe_model(vocab, merges, None, False, False, ignore_merges)}
    return tj, roles, ids


def build_spm_tokenizer(style):
    """SentencePiece-style BPE with byte fallback (<0x00>..<0xFF> in the vocabulary).
    gemma: Gemma / Gemma 2 / Gemma 3: Replace(' ' -> '\u2581') normalizer, no dummy prefix, Split(' ')
           pre-tokenizer, <bos> added by a template; <pad> <eos> <bos> <unk> <mask> are ids 0-4.
    gemma3: gemma plus the Gemma 3 turn and image tokens.
    llama2: Llama 2 / Phi-3: Prepend('\u2581') + Replace normalizer, no pre-tokenizer, <s> added by a
           template, decoder strips the leading space; <unk> <s> </s> are ids 0-2, <|endoftext|> added after."""
    from tokenizers import normalizers, pre_tokenizers

    byte_tokens = ["<0x%02X>" % b for b in range(256)]
    if style in ("gemma", "gemma3"):
        front = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"]
        if style == "gemma3":
            front += ["<start_of_turn>", "<end_of_turn>", "<start_of_image>", "<end_of_image>", "<image_soft_token>"]
        lines = _training_lines()
    else:
        front = ["<unk>", "<s>", "</s>"]
        lines = [" " + line for line in _training_lines()]  # what the Prepend normalizer does
    # Training only: split the normalized text before each \u2581 so that merges stay inside words,
    # as SentencePiece's do; the saved pipeline has no such split, like the real checkpoints.
    vocab, merges = _train_bpe(normalizers.Replace(" ", "\u2581"),
                               pre_tokenizers.Split("\u2581", behavior="merged_with_next", invert=False),
                               SPM_VOCAB, front + byte_tokens, lines, limit_alphabet=SPM_LIMIT_ALPHABET)
    for t in front + byte_tokens:
        if t not in vocab:
            raise RuntimeError("trained vocabulary lacks " + t)
    ids = {t: vocab[t] for t in front}
    added = [_added(t, vocab[t]) for t in front]
    if style == "llama2":
        eot = max(vocab.values()) + 1
        ids["<|endoftext|>"] = eot
        added.append(_added("<|endoftext|>", eot))
        normalizer = {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                                          {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}
        pre = None
        post = _bos_template("<s>", ids["<s>"])
        decoder = {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"},
            {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
        roles = {"bos_token": "<s>", "eos_token": "<|endoftext|>", "unk_token": "<unk>", "pad_token": "<|endoftext|>"}
    else:
        normalizer = {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}
        pre = {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious", "invert": False}
        post = _bos_template("<bos>", ids["<bos>"])
        decoder = {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"},
            {"type": "Fuse"}]}
        roles = {"bos_token": "<bos>", "eos_token": "<eos>", "unk_token": "<unk>", "pad_token": "<pad>",
                 "mask_token": "<mask>"}
    tj = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": normalizer,
          "pre_tokenizer": pre, "post_processor": post, "decoder": decoder,
          "model": _bpe_model(vocab, merges, "<unk>", True, True, False)}
    return tj, roles, ids


def _specials_template(cls, sep, ids):
    return {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": cls, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                   {"SpecialToken": {"id": sep, "type_id": 0}}],
        "pair": [{"SpecialToken": {"id": cls, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                 {"SpecialToken": {"id": sep, "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                 {"SpecialToken": {"id": sep, "type_id": 1}}],
        "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in (cls, sep)},
    }


def build_wordpiece_tokenizer():
    """ELECTRA's (BERT's) uncased WordPiece: BertNormalizer (lowercase, accents stripped with it),
    BertPreTokenizer, [CLS] A [SEP] (B [SEP]) with token types; [PAD] [UNK] [CLS] [SEP] [MASK] are ids 0-4."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(_training_lines(), trainer=trainers.WordPieceTrainer(
        vocab_size=WORDPIECE_VOCAB, special_tokens=specials, show_progress=False))
    tj = json.loads(tok.to_str())
    vocab = tj["model"]["vocab"]
    ids = {t: vocab[t] for t in specials}
    if [ids[t] for t in specials] != list(range(len(specials))):
        raise RuntimeError("WordPiece specials are not ids 0-4: %s" % ids)
    tj.update({"truncation": None, "padding": None, "added_tokens": [_added(t, ids[t]) for t in specials],
               "post_processor": _specials_template("[CLS]", "[SEP]", ids),
               "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True}})
    roles = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"}
    return tj, roles, ids


def build_unigram_tokenizer():
    """ALBERT's SentencePiece Unigram as its tokenizer.json declares it, less the Precompiled
    charsmap (which the `tokenizers` library cannot train): Replace `` and '' by ", NFKD,
    StripAccents, Lowercase; WhitespaceSplit then Metaspace (prepend always); [CLS] A [SEP];
    <pad> <unk> [CLS] [SEP] [MASK] are ids 0-4."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, trainers

    specials = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"]
    norm = normalizers.Sequence([normalizers.Replace("``", '"'), normalizers.Replace("''", '"'), normalizers.NFKD(),
                                 normalizers.StripAccents(), normalizers.Lowercase()])
    pre = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                   pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)])
    tok = Tokenizer(models.Unigram())
    tok.normalizer = norm
    tok.pre_tokenizer = pre
    tok.train_from_iterator(_training_lines(), trainer=trainers.UnigramTrainer(
        vocab_size=UNIGRAM_VOCAB, special_tokens=specials, unk_token="<unk>", show_progress=False))
    tj = json.loads(tok.to_str())
    pieces = [p[0] for p in tj["model"]["vocab"]]
    ids = {t: pieces.index(t) for t in specials}
    if [ids[t] for t in specials] != list(range(len(specials))):
        raise RuntimeError("Unigram specials are not ids 0-4: %s" % ids)
    tj.update({"truncation": None, "padding": None, "added_tokens": [_added(t, ids[t]) for t in specials],
               "post_processor": _specials_template("[CLS]", "[SEP]", ids),
               "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}})
    roles = {"unk_token": "<unk>", "sep_token": "[SEP]", "pad_token": "<pad>", "cls_token": "[CLS]", "mask_token": "[MASK]"}
    return tj, roles, ids


def build_modernbert_tokenizer():
    """ModernBERT's byte-level BPE (OLMo's vocabulary in the real checkpoints): ByteLevel
    pre-tokenizer with its regex and no prefix space, [CLS] A [SEP] (B [SEP]); [UNK] [CLS] [SEP]
    [PAD] [MASK] added after the vocabulary, as ModernBERT's tokenizer.json has them."""
    from tokenizers import pre_tokenizers

    vocab, merges = _train_bpe(None, pre_tokenizers.ByteLevel(add_prefix_space=False), BYTELEVEL_VOCAB, [],
                               _training_lines(), initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    specials = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]
    next_id = max(vocab.values()) + 1
    ids = {t: next_id + i for i, t in enumerate(specials)}
    added = [_added(t, ids[t]) for t in specials]
    added[-1]["lstrip"] = True  # [MASK] takes the space before it
    tj = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
          "pre_tokenizer": _bytelevel(False, True, True), "post_processor": _specials_template("[CLS]", "[SEP]", ids),
          "decoder": _bytelevel(True, True, True), "model": _bpe_model(vocab, merges, None, False, False, False)}
    roles = {"unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "mask_token": "[MASK]"}
    return tj, roles, ids


TOKENIZER_BUILDERS = {
    "modernbert": build_modernbert_tokenizer,
    "wordpiece": build_wordpiece_tokenizer,
    "unigram": build_unigram_tokenizer,
    "llama3": lambda: build_bytelevel_tokenizer("llama3"),
    "qwen": lambda: build_bytelevel_tokenizer("qwen"),
    "cl100k": lambda: build_bytelevel_tokenizer("cl100k"),
    "gemma": lambda: build_spm_tokenizer("gemma"),
    "gemma3": lambda: build_spm_tokenizer("gemma3"),
    "llama2": lambda: build_spm_tokenizer("llama2"),
}
_tokenizer_cache = {}


def save_tokenizer(style, model_dir):
    """Writes the tokenizer of `style` into model_dir through transformers' TokenizersBackend and
    returns (roles, ids of the special tokens, vocabulary size with the added tokens)."""
    from tokenizers import Tokenizer

    if style not in _tokenizer_cache:
        _tokenizer_cache[style] = TOKENIZER_BUILDERS[style]()
    tj, roles, ids = _tokenizer_cache[style]
    raw = Tokenizer.from_str(json.dumps(tj, ensure_ascii=False))
    try:
        from transformers import TokenizersBackend as Backend
    except ImportError:
        from transformers import PreTrainedTokenizerFast as Backend
    hf = Backend(tokenizer_object=raw, **roles)
    hf.save_pretrained(model_dir)
    return roles, ids, raw.get_vocab_size(with_added_tokens=True)


def encode_cases(tok, model_dir, texts):
    """The cases as the saved tokenizer, reloaded with AutoTokenizer (`tok`), encodes them; each is
    also compared with the bare tokenizer.json (what the engine reads) and a difference is reported."""
    from tokenizers import Tokenizer

    bare = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    cases, warnings = [], []
    for text in texts:
        enc = tok(text, return_offsets_mapping=True, return_token_type_ids=True)
        ids = [int(i) for i in enc["input_ids"]]
        case = {
            "text": text,
            "ids": ids,
            "tokens": [str(t) for t in tok.convert_ids_to_tokens(ids)],
            "offsets": [[int(a), int(b)] for a, b in enc["offset_mapping"]],
            "type_ids": [int(t) for t in enc["token_type_ids"]],
        }
        b = bare.encode(text)
        if list(b.ids) != ids or [list(o) for o in b.offsets] != case["offsets"]:
            warnings.append("tokenizer.json alone encodes %r differently from AutoTokenizer: %s vs %s"
                            % (text[:40], list(b.ids), ids))
            case["bare_tokenizer_json"] = {"ids": list(b.ids), "offsets": [list(o) for o in b.offsets]}
        cases.append(case)
    return cases, warnings


def fit_long_text(tok, min_tokens):
    words = LONG_TEXT.split(" ")
    for k in range(4, len(words) + 1):
        text = " ".join(words[:k])
        if len(tok(text)["input_ids"]) >= min_tokens:
            return text
    raise RuntimeError("LONG_TEXT gives fewer than %d tokens" % min_tokens)


# --------------------------------------------------------------------------------------------
# Configs, models, forward passes.
# --------------------------------------------------------------------------------------------


def declared_fields(cls):
    names = set()
    if dataclasses.is_dataclass(cls):
        names |= {f.name for f in dataclasses.fields(cls)}
    try:
        for klass in cls.__mro__:
            if "__init__" in klass.__dict__:
                for p in inspect.signature(klass.__init__).parameters.values():
                    if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "self":
                        names.add(p.name)
    except (TypeError, ValueError):
        pass
    return names


# Keys every config accepts (PreTrainedConfig), passed even where a subclass does not redeclare them.
COMMON_KEYS = {"bos_token_id", "eos_token_id", "pad_token_id", "tie_word_embeddings"}


def check_keys(cls, kwargs, extras):
    """A misspelt key is stored silently by transformers configs and ignored by the model: every
    key passed must be a field the config class declares, or one listed as a deliberate extra."""
    fields = declared_fields(cls)
    if not fields:
        say("  note: cannot list the fields of %s; key check skipped" % cls.__name__)
        return
    unknown = [k for k in kwargs if k not in fields and k not in COMMON_KEYS and k not in extras]
    if unknown:
        raise CheckFailed("%s does not declare %s (misspelt or renamed in this transformers version?)"
                          % (cls.__name__, unknown))
    for k in extras:
        if k in kwargs and k not in fields:
            say("  note: %s.%s is not a declared field; passed on purpose (stored in config.json)" % (cls.__name__, k))


def _same_value(a, b):
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    return a == b


def verify_config(cfg, kwargs, where, extras=()):
    """After construction, every value passed must read back unchanged (rope parameters key by key);
    deliberate extras (not declared fields) are not required to read back."""
    problems = []
    for k, v in kwargs.items():
        if k in ("text_config", "vision_config") or k in extras:
            continue
        got = getattr(cfg, k, "<missing>")
        if k == "rope_parameters":
            if not isinstance(got, dict):
                problems.append("rope_parameters is %r" % (got,))
                continue
            nested = all(isinstance(x, dict) for x in v.values())
            groups = v.items() if nested else [(None, v)]
            for layer_type, params in groups:
                have = got.get(layer_type) if layer_type is not None else got
                if not isinstance(have, dict):
                    problems.append("rope_parameters[%s] missing" % layer_type)
                    continue
                for pk, pv in params.items():
                    if not _same_value(have.get(pk, "<missing>"), pv):
                        problems.append("rope_parameters%s[%s] = %r, passed %r"
                                        % ("" if layer_type is None else "[%s]" % layer_type, pk, have.get(pk), pv))
        elif not _same_value(got, v):
            problems.append("%s = %r, passed %r" % (k, got, v))
    if problems:
        raise CheckFailed("%s config does not hold what was passed: %s" % (where, "; ".join(problems)))


def build_config(spec, kwargs):
    import transformers

    cls = getattr(transformers, spec.config_class)
    if spec.nested_text:
        text_cls = getattr(transformers, "Gemma3TextConfig")
        vision_cls = getattr(transformers, "SiglipVisionConfig")
        check_keys(cls, {k: v for k, v in kwargs.items()}, spec.extras)
        check_keys(text_cls, kwargs["text_config"], ())
        check_keys(vision_cls, kwargs["vision_config"], ("vision_use_head",))
        cfg = cls(**copy.deepcopy(kwargs))
        verify_config(cfg, kwargs, spec.name, spec.extras)
        verify_config(cfg.text_config, kwargs["text_config"], spec.name + ".text_config")
        verify_config(cfg.vision_config, kwargs["vision_config"], spec.name + ".vision_config", ("vision_use_head",))
        return cfg
    check_keys(cls, kwargs, spec.extras)
    cfg = cls(**copy.deepcopy(kwargs))
    verify_config(cfg, kwargs, spec.name, spec.extras)
    return cfg


def _text_attn_impl(model):
    """The attention implementation of the language model (a vision tower, never run here, may
    differ): the text config's, or the model config's where the text config names none."""
    cfg = model.config
    text = cfg.get_text_config() if hasattr(cfg, "get_text_config") else cfg
    return getattr(text, "_attn_implementation", None) or getattr(cfg, "_attn_implementation", None)


def instantiate(spec, cfg):
    import torch
    import transformers

    model_cls = getattr(transformers, spec.model_class)
    try:
        model = model_cls._from_config(cfg, attn_implementation="eager")
    except TypeError:
        cfg._attn_implementation = "eager"
        model = model_cls(cfg)
    if _text_attn_impl(model) != "eager" and hasattr(model, "set_attn_implementation"):
        model.set_attn_implementation("eager")
    if _text_attn_impl(model) != "eager":
        raise CheckFailed("attention implementation is %r, not eager" % (_text_attn_impl(model),))
    return model.to(torch.float32).eval()


def redraw_weights(model, seed):
    """normal(0, WEIGHT_STD) for every parameter (tied ones once), from a seeded generator."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float32) * WEIGHT_STD)


def final_norm(model):
    for path in ("model.language_model.norm", "model.norm"):
        obj = model
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is not None:
            return obj
    return None


def forward_case(model, ids, causal=True):
    """One case through a fresh copy of the model (dynamic and longrope RoPE keep state between
    calls in transformers; every case must see the state a fresh load has)."""
    import torch

    m = copy.deepcopy(model).eval()
    captured = {}
    norm = final_norm(m)
    hook = norm.register_forward_hook(lambda mod, inp, out: captured.__setitem__("norm", out)) if norm is not None else None
    extra = {"use_cache": False} if causal else {}  # encoders take no cache argument
    with torch.no_grad():
        out = m(input_ids=torch.tensor([ids], dtype=torch.long), output_attentions=True, output_hidden_states=True,
                **extra)
    if hook is not None:
        hook.remove()
    if out.attentions is None or any(a is None for a in out.attentions):
        raise CheckFailed("the model returned no attentions")
    result = {
        "attentions": torch.stack([a[0] for a in out.attentions]).float().contiguous(),
        "last_hidden_state": out.hidden_states[-1][0].float().contiguous(),
        "logits": out.logits[0].float().contiguous(),
    }
    if "norm" in captured:
        result["final_norm"] = captured["norm"][0].float()
    return result


def maxdiff(a, b):
    if a.shape != b.shape:
        return float("inf")
    return float((a - b).abs().max()) if a.numel() else 0.0


# --------------------------------------------------------------------------------------------
# Checks: each mechanism must bite.
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Context:
    spec: object
    kwargs: dict
    cfg: object
    model: object
    state: dict
    cases: list
    ref: list
    long_index: int


def variant_outputs(ctx, mutate_kwargs=None, mutate_model=None):
    kw = copy.deepcopy(ctx.kwargs)
    if mutate_kwargs is not None:
        mutate_kwargs(kw)
    import transformers

    cfg = getattr(transformers, ctx.spec.config_class)(**kw)
    model = instantiate(ctx.spec, cfg)
    model.load_state_dict(ctx.state, strict=True)
    if mutate_model is not None:
        mutate_model(model)
    return [forward_case(model, c["ids"], ctx.spec.causal) for c in ctx.cases]


def bite(label, mutate_kwargs=None, mutate_model=None, key="attentions", bite_cases=None, same_cases=None,
         unchanged_key=None, bite_layers=(), same_layers=()):
    """A check that the mechanism named `label` changes `key` by more than BITE in some case (of
    those bite_cases(ctx) lists, when given); cases same_cases(ctx) lists must stay within SAME, and
    so must `unchanged_key` everywhere. bite_layers/same_layers: attention layers that must move /
    must not (over all cases)."""

    def run(ctx):
        var = variant_outputs(ctx, mutate_kwargs, mutate_model)
        diffs = [maxdiff(r[key], v[key]) for r, v in zip(ctx.ref, var)]
        res = {"mechanism": label, "compared": key, "max_diff_per_case": [float("%.3g" % d) for d in diffs]}
        problems = []
        if bite_cases is None:
            if max(diffs) <= BITE:
                problems.append("no case moves by more than %g" % BITE)
        else:
            idx = bite_cases(ctx)
            if not idx:
                problems.append("no case qualifies for the bite check")
            elif max(diffs[i] for i in idx) <= BITE:
                problems.append("cases %s move by only %s" % (idx, [float("%.3g" % diffs[i]) for i in idx]))
        if same_cases is not None:
            for i in same_cases(ctx):
                if diffs[i] > SAME:
                    problems.append("case %d should be untouched but moves by %.3g" % (i, diffs[i]))
        if unchanged_key is not None:
            u = max(maxdiff(r[unchanged_key], v[unchanged_key]) for r, v in zip(ctx.ref, var))
            res["max_diff_" + unchanged_key] = float("%.3g" % u)
            if u > SAME:
                problems.append("%s should be untouched but moves by %.3g" % (unchanged_key, u))
        if bite_layers or same_layers:
            per_layer = []
            layers = ctx.ref[0]["attentions"].shape[0]
            for layer in range(layers):
                per_layer.append(max(maxdiff(r["attentions"][layer], v["attentions"][layer]) for r, v in zip(ctx.ref, var)))
            res["max_diff_per_layer"] = [float("%.3g" % d) for d in per_layer]
            for layer in bite_layers:
                if per_layer[layer] <= BITE:
                    problems.append("layer %d moves by only %.3g" % (layer, per_layer[layer]))
            for layer in same_layers:
                if per_layer[layer] > SAME:
                    problems.append("layer %d should be untouched but moves by %.3g" % (layer, per_layer[layer]))
        say("  bite: %-58s %s" % (label, "OK" if not problems else "FAILED"), res["max_diff_per_case"],
            {k: v for k, v in res.items() if k.startswith("max_diff_") and k != "max_diff_per_case"} or "")
        if problems:
            raise CheckFailed("%s does not bite as it should: %s" % (label, "; ".join(problems)))
        return res

    return run


def cases_longer_than(limit):
    return lambda ctx: [i for i, c in enumerate(ctx.cases) if len(c["ids"]) > limit]


def cases_up_to(limit):
    return lambda ctx: [i for i, c in enumerate(ctx.cases) if len(c["ids"]) <= limit]


def long_case(ctx):
    return [ctx.long_index]


def drop_qk_norms(model):
    import torch

    count = 0
    for m in model.modules():
        if isinstance(getattr(m, "q_norm", None), torch.nn.Module) and isinstance(getattr(m, "k_norm", None), torch.nn.Module):
            m.q_norm = torch.nn.Identity()
            m.k_norm = torch.nn.Identity()
            count += 1
    if count == 0:
        raise CheckFailed("no q_norm/k_norm modules found")


def set_rope(params):
    def mutate(kw):
        kw["rope_parameters"] = copy.deepcopy(params)
    return mutate


def set_keys(**values):
    def mutate(kw):
        kw.update(copy.deepcopy(values))
    return mutate


def set_text_keys(**values):
    def mutate(kw):
        kw["text_config"].update(copy.deepcopy(values))
    return mutate


# --------------------------------------------------------------------------------------------
# The fixtures.
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Spec:
    name: str
    tokenizer: str
    config_class: str
    model_class: str
    make_kwargs: object  # (vocab_size, special ids) -> config kwargs
    exercises: str
    checks: list
    extras: tuple = ()
    nested_text: bool = False
    needs: object = None  # (ctx) -> list of problems with the case lengths (e.g. no case past a limit)
    beyond_max_positions: bool = False  # may a case be longer than max_position_embeddings (dynamic RoPE)
    causal: bool = True  # False: an encoder (attention to every key, no cache argument)


ROPE_DEFAULT = {"rope_type": "default", "rope_theta": 10000.0}
# The llama variants: hidden 64 (not 32) because Llama's norm weights, drawn around 0, shrink the
# activations: with hidden 64 the attention scores still spread enough for every RoPE variant to
# move the attentions well past BITE. Head dim 16: 8 rotary frequencies.
HEAD_DIM = 16
LONGROPE_SHORT = [1.0, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5]
LONGROPE_LONG = [1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0]


def llama_kwargs(rope, max_positions):
    def make(vocab, ids):
        return dict(vocab_size=vocab, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, head_dim=HEAD_DIM, hidden_act="silu",
                    max_position_embeddings=max_positions, rms_norm_eps=1e-5, tie_word_embeddings=False,
                    bos_token_id=ids["<|begin_of_text|>"], eos_token_id=ids["<|end_of_text|>"],
                    rope_parameters=copy.deepcopy(rope))
    return make


def need_case_lengths(longer_than=None, at_most=None):
    def needs(ctx):
        ns = [len(c["ids"]) for c in ctx.cases]
        problems = []
        if longer_than is not None and not any(n > longer_than for n in ns):
            problems.append("no case longer than %d tokens (lengths %s)" % (longer_than, ns))
        if at_most is not None and not any(n <= at_most for n in ns):
            problems.append("no case of at most %d tokens (lengths %s)" % (at_most, ns))
        return problems
    return needs


def gemma_ids(ids):
    return dict(pad_token_id=ids["<pad>"], eos_token_id=ids["<eos>"], bos_token_id=ids["<bos>"])


def gemma3_text_kwargs(vocab, ids, layer_types):
    return dict(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=len(layer_types),
                num_attention_heads=4, num_key_value_heads=2, head_dim=16, hidden_activation="gelu_pytorch_tanh",
                max_position_embeddings=128, rms_norm_eps=1e-6, tie_word_embeddings=True,
                query_pre_attn_scalar=24, sliding_window=8, layer_types=list(layer_types),
                rope_parameters={"sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
                                 "full_attention": {"rope_type": "linear", "factor": 4.0, "rope_theta": 1000000.0}},
                **gemma_ids(ids))


def scale_module_weight(path, factor):
    def mutate(model):
        import torch

        obj = model
        for part in path.split("."):
            obj = getattr(obj, part)
        with torch.no_grad():
            obj.weight.mul_(factor)
    return mutate


def encoder_ids(ids, cls, sep, pad):
    return dict(pad_token_id=ids[pad], bos_token_id=ids[cls], eos_token_id=ids[sep])


SPECS = [
    Spec("llama_rope_llama3", "llama3", "LlamaConfig", "LlamaForCausalLM",
         llama_kwargs({"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
                       "high_freq_factor": 4.0, "original_max_position_embeddings": 16}, 128),
         "RoPE llama3: frequencies with wavelength over original_max_position_embeddings/low_freq_factor (16) "
         "divided by factor 8, those between 16/high_freq_factor (4) and 16 smoothly interpolated; Llama 3 "
         "byte-level BPE (Split regex, ignore_merges) with <|begin_of_text|>",
         [bite("llama3 rope vs default", set_rope(ROPE_DEFAULT))]),
    Spec("llama_rope_linear", "llama3", "LlamaConfig", "LlamaForCausalLM",
         llama_kwargs({"rope_type": "linear", "rope_theta": 10000.0, "factor": 2.0}, 128),
         "RoPE linear: every frequency divided by factor 2",
         [bite("linear rope vs default", set_rope(ROPE_DEFAULT))]),
    Spec("llama_rope_dynamic", "llama3", "LlamaConfig", "LlamaForCausalLM",
         llama_kwargs({"rope_type": "dynamic", "rope_theta": 10000.0, "factor": 4.0}, 24),
         "RoPE dynamic NTK: cases up to max_position_embeddings (24) use the plain frequencies; a longer case "
         "uses base * (factor*n/24 - (factor-1))^(d/(d-2)) with factor 4 and n its own length",
         [bite("dynamic rope vs default (long cases only)", set_rope(ROPE_DEFAULT),
               bite_cases=cases_longer_than(24), same_cases=cases_up_to(24))],
         needs=need_case_lengths(longer_than=24, at_most=24), beyond_max_positions=True),
    Spec("llama_rope_yarn", "llama3", "LlamaConfig", "LlamaForCausalLM",
         llama_kwargs({"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0, "original_max_position_embeddings": 512,
                       "beta_fast": 16.0, "beta_slow": 2.0}, 2048),
         "RoPE yarn: factor 4, original_max_position_embeddings 512 (max_position_embeddings 2048), beta_fast 16, "
         "beta_slow 2 (not the defaults 32/1): frequencies ramp from extrapolated to interpolated over dims 1..4 "
         "(truncated correction range); attention_factor unset, so cos/sin are scaled by 0.1*ln(4)+1",
         [bite("yarn rope vs default", set_rope(ROPE_DEFAULT))]),
    Spec("llama_rope_longrope", "llama3", "LlamaConfig", "LlamaForCausalLM",
         llama_kwargs({"rope_type": "longrope", "rope_theta": 10000.0, "factor": 2.0,
                       "original_max_position_embeddings": 16, "short_factor": LONGROPE_SHORT,
                       "long_factor": LONGROPE_LONG}, 64),
         "RoPE longrope: short_factor for cases of at most original_max_position_embeddings (16) tokens, "
         "long_factor for longer ones; explicit factor 2 (not max_position_embeddings/original = 4) sets "
         "attention_factor sqrt(1 + ln 2 / ln 16)",
         [bite("longrope vs default", set_rope(ROPE_DEFAULT)),
          bite("longrope long_factor (long cases)", set_rope({"rope_type": "longrope", "rope_theta": 10000.0,
                                                             "factor": 2.0, "original_max_position_embeddings": 16,
                                                             "short_factor": LONGROPE_SHORT,
                                                             "long_factor": LONGROPE_SHORT}),
               bite_cases=cases_longer_than(16), same_cases=cases_up_to(16))],
         needs=need_case_lengths(longer_than=16, at_most=16)),
    Spec("qwen3", "qwen", "Qwen3Config", "Qwen3ForCausalLM",
         lambda vocab, ids: dict(vocab_size=vocab, hidden_size=32, intermediate_size=96, num_hidden_layers=2,
                                 num_attention_heads=4, num_key_value_heads=2, head_dim=16, hidden_act="silu",
                                 max_position_embeddings=128, rms_norm_eps=1e-6, tie_word_embeddings=False,
                                 rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
                                 bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"]),
         "q_norm/k_norm (RMSNorm over head_dim, before RoPE), head_dim 16 with hidden 32 / 4 heads, "
         "4 heads / 2 kv heads; Qwen byte-level BPE (NFC, single-digit Split regex), no BOS",
         [bite("q/k norm", mutate_model=drop_qk_norms)]),
    Spec("gemma", "gemma", "GemmaConfig", "GemmaForCausalLM",
         lambda vocab, ids: dict(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                 num_attention_heads=4, num_key_value_heads=1, head_dim=16,
                                 hidden_act="gelu_pytorch_tanh", max_position_embeddings=128, rms_norm_eps=1e-6,
                                 tie_word_embeddings=True, rope_parameters=dict(ROPE_DEFAULT), **gemma_ids(ids)),
         "head_dim 16 independent of hidden 32 / 4 heads, multi-query (1 kv head), embeddings scaled by "
         "sqrt(hidden), (1 + w) RMSNorm, gelu_pytorch_tanh gate, tied head; Gemma BPE with byte fallback",
         []),
    Spec("gemma2", "gemma", "Gemma2Config", "Gemma2ForCausalLM",
         lambda vocab, ids: dict(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=4,
                                 num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                                 hidden_activation="gelu_pytorch_tanh", max_position_embeddings=128,
                                 rms_norm_eps=1e-6, tie_word_embeddings=True, rope_parameters=dict(ROPE_DEFAULT),
                                 query_pre_attn_scalar=32, sliding_window=6, attn_logit_softcapping=2.0,
                                 final_logit_softcapping=3.0, **gemma_ids(ids)),
         "attention logits soft-capped at 2 (tanh), final logits at 3, scale query_pre_attn_scalar^-0.5 = 32^-0.5 "
         "(head_dim 16), sliding window 6 on layers 0 and 2 (layer_types alternate, sliding first), "
         "pre- and post-norms around attention and MLP",
         [bite("attn_logit_softcapping", set_keys(attn_logit_softcapping=None)),
          bite("final_logit_softcapping", set_keys(final_logit_softcapping=None), key="logits",
               unchanged_key="attentions"),
          bite("sliding window", set_keys(sliding_window=WIDE_WINDOW), bite_cases=long_case),
          bite("query_pre_attn_scalar", set_keys(query_pre_attn_scalar=16))],
         needs=need_case_lengths(longer_than=12)),
    Spec("gemma3_text", "gemma3", "Gemma3TextConfig", "Gemma3ForCausalLM",
         lambda vocab, ids: gemma3_text_kwargs(vocab, ids, ["sliding_attention", "sliding_attention", "full_attention"]),
         "q_norm/k_norm ((1 + w) over head_dim), layer_types sliding/sliding/full with window 8, RoPE per layer "
         "type: theta 10000 on sliding layers, theta 1e6 with linear factor 4 on the full layer, scale "
         "query_pre_attn_scalar^-0.5 = 24^-0.5 (head_dim 16)",
         [bite("q/k norm", mutate_model=drop_qk_norms),
          bite("sliding window", set_keys(sliding_window=WIDE_WINDOW), bite_cases=long_case),
          bite("local rope theta (sliding layers)", lambda kw: kw["rope_parameters"]["sliding_attention"].update(
              rope_theta=1000000.0)),
          bite("linear rope on the full layer", lambda kw: kw["rope_parameters"].update(
              full_attention={"rope_type": "default", "rope_theta": 1000000.0}))],
         needs=need_case_lengths(longer_than=16)),
    Spec("gemma3", "gemma3", "Gemma3Config", "Gemma3ForConditionalGeneration",
         lambda vocab, ids: dict(
             text_config=gemma3_text_kwargs(vocab, ids, ["sliding_attention", "full_attention"]),
             vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                                num_channels=3, image_size=16, patch_size=8, vision_use_head=False),
             mm_tokens_per_image=4, boi_token_index=ids["<start_of_image>"], eoi_token_index=ids["<end_of_image>"],
             image_token_index=ids["<image_soft_token>"], tie_word_embeddings=True, **gemma_ids(ids)),
         "Gemma3ForConditionalGeneration checkpoint (config nests text_config and a 1-layer 16x16 SigLIP "
         "vision_config; weights under model.language_model.*, model.vision_tower.*, "
         "model.multi_modal_projector.*), text-only cases: attentions of the 2 language-model layers "
         "(sliding window 8, then full), language-model final norm output, tied lm_head logits",
         [bite("q/k norm", mutate_model=drop_qk_norms),
          bite("sliding window", set_text_keys(sliding_window=WIDE_WINDOW), bite_cases=long_case)],
         extras=("bos_token_id", "eos_token_id", "pad_token_id"), nested_text=True,
         needs=need_case_lengths(longer_than=16)),
    Spec("phi3", "llama2", "Phi3Config", "Phi3ForCausalLM",
         lambda vocab, ids: dict(vocab_size=vocab, hidden_size=48, intermediate_size=96, num_hidden_layers=2,
                                 num_attention_heads=3, num_key_value_heads=1, hidden_act="silu",
                                 max_position_embeddings=64, original_max_position_embeddings=16,
                                 rms_norm_eps=1e-5, tie_word_embeddings=False, partial_rotary_factor=0.5,
                                 rope_parameters={"rope_type": "longrope", "rope_theta": 10000.0,
                                                  "partial_rotary_factor": 0.5,
                                                  "original_max_position_embeddings": 16,
                                                  "short_factor": [1.0, 1.25, 1.5, 2.0],
                                                  "long_factor": [1.0, 2.0, 4.0, 8.0]},
                                 bos_token_id=ids["<s>"], eos_token_id=ids["<|endoftext|>"],
                                 pad_token_id=ids["<|endoftext|>"]),
         "fused qkv_proj (q, then k, then v rows) and gate_up_proj (gate rows first), partial rotary 0.5 "
         "(first 8 of head_dim 16 rotated), 3 heads / 1 kv head, RoPE longrope without factor: "
         "short_factor up to original_max_position_embeddings 16, long_factor beyond, attention_factor "
         "sqrt(1 + ln(64/16) / ln 16); Llama 2 style BPE with byte fallback and <s>",
         [bite("longrope vs default", lambda kw: kw.update(rope_parameters={
             "rope_type": "default", "rope_theta": 10000.0, "partial_rotary_factor": 0.5})),
          bite("longrope long_factor (long cases)", lambda kw: kw["rope_parameters"].update(
              long_factor=[1.0, 1.25, 1.5, 2.0]), bite_cases=cases_longer_than(16), same_cases=cases_up_to(16))],
         extras=("partial_rotary_factor",), needs=need_case_lengths(longer_than=16, at_most=16)),
    Spec("olmo2", "cl100k", "Olmo2Config", "Olmo2ForCausalLM",
         lambda vocab, ids: dict(vocab_size=vocab, hidden_size=32, intermediate_size=96, num_hidden_layers=2,
                                 num_attention_heads=4, hidden_act="silu", max_position_embeddings=128,
                                 rms_norm_eps=1e-6, tie_word_embeddings=False,
                                 rope_parameters={"rope_type": "default", "rope_theta": 500000.0},
                                 eos_token_id=ids["<|endoftext|>"], pad_token_id=ids["<|pad|>"], bos_token_id=None),
         "post-norm blocks (x + norm(attn(x)), x + norm(mlp(x)); no input norm), q_norm/k_norm over the whole "
         "q and k projections (RMSNorm of width heads*head_dim) before the head split and RoPE; "
         "cl100k-style byte-level BPE, no BOS",
         [bite("q/k norm", mutate_model=drop_qk_norms)]),
    Spec("smollm3", "llama3", "SmolLM3Config", "SmolLM3ForCausalLM",
         lambda vocab, ids: dict(vocab_size=vocab, hidden_size=32, intermediate_size=96, num_hidden_layers=4,
                                 num_attention_heads=4, num_key_value_heads=2, hidden_act="silu",
                                 max_position_embeddings=128, rms_norm_eps=1e-6, tie_word_embeddings=True,
                                 no_rope_layers=[1, 0, 1, 0],
                                 rope_parameters={"rope_type": "default", "rope_theta": 5000000.0},
                                 bos_token_id=ids["<|begin_of_text|>"], eos_token_id=ids["<|end_of_text|>"],
                                 pad_token_id=ids["<|end_of_text|>"]),
         "no_rope_layers [1, 0, 1, 0]: layers 1 and 3 skip RoPE (1 = RoPE, 0 = NoPE), rope_theta 5e6, "
         "tied head; Llama 3 byte-level BPE with <|begin_of_text|>",
         [bite("no-rope layers", set_keys(no_rope_layers=[1, 1, 1, 1]), bite_layers=(1,), same_layers=(0,))]),
    Spec("electra", "wordpiece", "ElectraConfig", "ElectraForMaskedLM",
         lambda vocab, ids: dict(vocab_size=vocab, embedding_size=16, hidden_size=32, intermediate_size=64,
                                 num_hidden_layers=2, num_attention_heads=4, hidden_act="gelu",
                                 max_position_embeddings=128, type_vocab_size=2, layer_norm_eps=1e-12,
                                 pad_token_id=ids["[PAD]"]),
         "factorised embeddings: tables and their LayerNorm 16 wide, embeddings_project to hidden 32; "
         "post-norm BERT encoder; ElectraForMaskedLM generator head (dense 32 -> 16, GELU, LayerNorm 16, "
         "decoder tied to the 16-wide word embeddings, own bias); uncased WordPiece with [CLS] A [SEP]",
         [bite("embeddings_project", mutate_model=scale_module_weight("electra.embeddings_project", 2.0))],
         causal=False),
    Spec("modernbert", "modernbert", "ModernBertConfig", "ModernBertForMaskedLM",
         lambda vocab, ids: dict(vocab_size=vocab, hidden_size=32, intermediate_size=24, num_hidden_layers=4,
                                 num_attention_heads=4, hidden_activation="gelu", max_position_embeddings=128,
                                 norm_eps=1e-5, norm_bias=False, attention_bias=False, mlp_bias=False,
                                 local_attention=8, global_attn_every_n_layers=3,
                                 rope_parameters={"full_attention": {"rope_type": "default", "rope_theta": 160000.0},
                                                  "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}},
                                 pad_token_id=ids["[PAD]"], cls_token_id=ids["[CLS]"], sep_token_id=ids["[SEP]"],
                                 bos_token_id=ids["[CLS]"], eos_token_id=ids["[SEP]"], tie_word_embeddings=True),
         "layers 1 and 2 local (|q - k| <= local_attention / 2 = 4, both sides) with RoPE base 1e4, layers 0 and 3 "
         "global with base 1.6e5; fused Wqkv, GeGLU Wi [input | gate], bias-free LayerNorms and projections, no "
         "attn_norm on layer 0; ModernBertForMaskedLM head (dense without bias, GELU, norm, decoder tied with bias); "
         "byte-level BPE with [CLS] A [SEP]",
         [bite("local window", set_keys(local_attention=2 * WIDE_WINDOW), bite_layers=(1, 2), same_layers=(0,),
               bite_cases=long_case)],
         extras=("global_attn_every_n_layers",), causal=False),
    Spec("deberta-v2", "unigram", "DebertaV2Config", "DebertaV2ForMaskedLM",
         lambda vocab, ids: dict(vocab_size=vocab, embedding_size=16, hidden_size=32, intermediate_size=64,
                                 num_hidden_layers=2, num_attention_heads=4, hidden_act="gelu",
                                 max_position_embeddings=128, type_vocab_size=0, layer_norm_eps=1e-7,
                                 relative_attention=True, pos_att_type=["p2c", "c2p"], position_buckets=8,
                                 max_relative_positions=32, share_att_key=True, norm_rel_ebd="layer_norm",
                                 position_biased_input=False, legacy=True,
                                 **encoder_ids(ids, "[CLS]", "[SEP]", "<pad>")),
         "DeBERTa-v3 style disentangled attention: content-to-content plus content-to-position and "
         "position-to-content terms over log-bucketed relative positions (position_buckets 8, so offsets past 4 "
         "fall in log buckets; max_relative_positions 32), scores over sqrt(3 * head_dim), the position table "
         "LayerNorm-ed (norm_rel_ebd) and read through each layer's query_proj/key_proj (share_att_key), no "
         "absolute positions; embeddings 16 wide projected to 32 by the bias-free embed_proj before their "
         "LayerNorm; legacy DebertaV2ForMaskedLM head (cls.predictions: dense 32 -> 16, GELU, LayerNorm, decoder "
         "tied with bias); SentencePiece Unigram with Metaspace, without the Precompiled charsmap",
         [bite("relative terms", set_keys(relative_attention=False)),
          bite("share_att_key", set_keys(share_att_key=False))],
         extras=("embedding_size", "position_buckets", "share_att_key", "norm_rel_ebd"), causal=False),
    Spec("albert", "unigram", "AlbertConfig", "AlbertForMaskedLM",
         lambda vocab, ids: dict(vocab_size=vocab, embedding_size=16, hidden_size=32, intermediate_size=64,
                                 num_hidden_layers=3, num_hidden_groups=1, inner_group_num=1,
                                 num_attention_heads=4, hidden_act="gelu_new", max_position_embeddings=128,
                                 type_vocab_size=2, layer_norm_eps=1e-12, **encoder_ids(ids, "[CLS]", "[SEP]", "<pad>")),
         "one set of layer weights shared by 3 layers (albert_layer_groups.0.albert_layers.0), factorised "
         "embeddings 16 wide mapped to hidden 32 by encoder.embedding_hidden_mapping_in, gelu_new; "
         "AlbertForMaskedLM head (dense 32 -> 16, gelu_new, LayerNorm 16, decoder tied to the word embeddings, "
         "predictions.bias); SentencePiece Unigram with Metaspace, without the Precompiled charsmap",
         [bite("embedding_hidden_mapping_in",
               mutate_model=scale_module_weight("albert.encoder.embedding_hidden_mapping_in", 2.0))],
         causal=False),
]

# --------------------------------------------------------------------------------------------
# Making one fixture.
# --------------------------------------------------------------------------------------------


def attention_sanity(att, name, causal=True):
    """Rows sum to 1, nothing above the diagonal (causal models), no row uniform; prints the largest attention, the
    mean row maximum and, per layer, the largest query-key distance that gets any weight (the
    window shows there: a layer with window w reaches at most w - 1 back)."""
    import torch

    layers, heads, n, _ = att.shape
    problems = []
    if float((att.sum(-1) - 1).abs().max()) > 1e-4:
        problems.append("rows do not sum to 1")
    upper = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
    if causal and n > 1 and float((att * upper.to(att.dtype)).abs().max()) > 0:
        problems.append("weight above the diagonal (future keys)")
    positive = att > 0
    allowed = positive.sum(-1)
    row_max = att.max(-1).values
    row_min = torch.where(positive, att, torch.full_like(att, 2.0)).min(-1).values
    uniform = int(((allowed >= 2) & ((row_max - row_min) < 1e-6)).sum())
    dist = (torch.arange(n).view(n, 1) - torch.arange(n).view(1, n)).float()
    reach = [int(torch.where(positive[layer], dist, torch.tensor(-1.0)).max()) for layer in range(layers)]
    mean_row_max = float(row_max[..., 1:].mean()) if n > 1 else 1.0
    say("    %s: n=%d max attention %.3f, mean row max %.3f, uniform rows %d, widest reach per layer %s"
        % (name, n, float(att.max()), mean_row_max, uniform, reach))
    if problems:
        raise CheckFailed("%s: %s" % (name, "; ".join(problems)))
    return {"n": n, "max_attention": round(float(att.max()), 4), "mean_row_max": round(mean_row_max, 4),
            "uniform_rows": uniform, "widest_reach_per_layer": reach}


def folder_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def make_fixture(spec, index, outdir, versions):
    import torch
    import transformers
    from safetensors.torch import save_file

    t0 = time.time()
    tmp = os.path.join(outdir, "_work", spec.name)  # not a fixture folder until every check passed
    shutil.rmtree(tmp, ignore_errors=True)
    model_dir = os.path.join(tmp, "model")
    os.makedirs(model_dir)
    seed = 1700 + index
    torch.manual_seed(seed)

    roles, ids, vocab = save_tokenizer(spec.tokenizer, model_dir)
    kwargs = spec.make_kwargs(vocab, ids)
    cfg = build_config(spec, kwargs)
    model = instantiate(spec, cfg)
    redraw_weights(model, seed)
    model.save_pretrained(model_dir)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    # The cases, from the finished folder's tokenizer as AutoTokenizer loads it.
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    if len(tok) != vocab:
        raise CheckFailed("AutoTokenizer reloads %d tokens, tokenizer.json holds %d" % (len(tok), vocab))
    texts = CASE_TEXTS + [fit_long_text(tok, LONG_MIN_TOKENS)]
    cases, tok_warnings = encode_cases(tok, model_dir, texts)
    for w in tok_warnings:
        say("  WARNING:", w)
    say("  tokenizer %s: vocab %d, special %s, case lengths %s" % (spec.tokenizer, vocab, roles, [len(c["ids"]) for c in cases]))

    ref = [forward_case(model, c["ids"], spec.causal) for c in cases]
    ctx = Context(spec, kwargs, cfg, model, state, cases, ref, len(cases) - 1)
    if spec.needs is not None:
        problems = spec.needs(ctx)
        if problems:
            raise CheckFailed("; ".join(problems))

    text_cfg = cfg.text_config if spec.nested_text else cfg
    longest = max(len(c["ids"]) for c in cases)
    if longest >= WIDE_WINDOW:
        raise CheckFailed("a case has %d tokens, not less than WIDE_WINDOW %d" % (longest, WIDE_WINDOW))
    if longest > text_cfg.max_position_embeddings and not spec.beyond_max_positions:
        raise CheckFailed("a case has %d tokens, more than max_position_embeddings %d"
                          % (longest, text_cfg.max_position_embeddings))
    layers = text_cfg.num_hidden_layers
    heads = text_cfg.num_attention_heads
    warnings = list(tok_warnings)
    sanity = []
    for i, (c, r) in enumerate(zip(cases, ref)):
        n = len(c["ids"])
        if tuple(r["attentions"].shape) != (layers, heads, n, n):
            raise CheckFailed("case %d attentions %s, expected %s" % (i, tuple(r["attentions"].shape), (layers, heads, n, n)))
        if tuple(r["logits"].shape) != (n, text_cfg.vocab_size):
            raise CheckFailed("case %d logits %s" % (i, tuple(r["logits"].shape)))
        if "final_norm" in r:
            d = maxdiff(r["final_norm"], r["last_hidden_state"])
            if d > SAME:
                msg = "case %d: hidden_states[-1] differs from the final norm's output by %.3g" % (i, d)
                warnings.append(msg)
                say("  WARNING:", msg)
        else:
            warnings.append("final norm not found; hidden_states[-1] not compared with it")
        for key in ("attentions", "last_hidden_state", "logits"):
            if not torch.isfinite(r[key]).all():
                raise CheckFailed("case %d %s is not finite" % (i, key))
        sanity.append(attention_sanity(r["attentions"], "case%d" % i, spec.causal))

    # The checkpoint as written must give the same numbers.
    model_cls = getattr(transformers, spec.model_class)
    try:
        reloaded = model_cls.from_pretrained(model_dir, attn_implementation="eager", dtype=torch.float32)
    except TypeError:
        reloaded = model_cls.from_pretrained(model_dir, attn_implementation="eager", torch_dtype=torch.float32)
    reloaded.eval()
    rstate = reloaded.state_dict()
    missing = sorted(set(state) ^ set(rstate))
    if missing:
        raise CheckFailed("reloaded state dict keys differ: %s" % missing[:8])
    wdiff = max(maxdiff(state[k], rstate[k]) for k in state)
    rdiff = 0.0
    for c, r in zip(cases, ref):
        rr = forward_case(reloaded, c["ids"], spec.causal)
        rdiff = max(rdiff, *(maxdiff(r[k], rr[k]) for k in ("attentions", "last_hidden_state", "logits")))
    say("  reload: weights max diff %.3g, outputs max diff %.3g" % (wdiff, rdiff))
    if wdiff > 0 or rdiff > RELOAD_TOL:
        raise CheckFailed("the saved checkpoint reloads differently (weights %.3g, outputs %.3g)" % (wdiff, rdiff))
    del reloaded

    checks = [check(ctx) for check in spec.checks]

    tensors = {}
    for i, r in enumerate(ref):
        for key in ("attentions", "last_hidden_state", "logits"):
            tensors["case%d.%s" % (i, key)] = r[key].to(torch.float32).contiguous()
    save_file(tensors, os.path.join(tmp, "expected.safetensors"))

    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        saved_config = json.load(f)
    expected = {
        "model_type": saved_config.get("model_type"),
        "cases": cases,
        "transformers": versions["transformers"],
        "tokenizers": versions["tokenizers"],
        "torch": versions["torch"],
        "tensors": "expected.safetensors: case{i}.attentions [layers, heads, n, n] softmax probabilities "
                   "(row = query, column = key); case{i}.last_hidden_state [n, hidden] = hidden_states[-1] "
                   "(after the final norm); case{i}.logits [n, vocab]"
                   + ("; all of the language model (text_config): its layers, its final norm, lm_head"
                      if spec.nested_text else ""),
        "fixture": spec.name,
        "architecture": spec.model_class,
        "exercises": spec.exercises,
        "generator": "tools/make_family_fixtures.py (random weights normal(0, %g), seed %d, eager, float32, CPU)"
                     % (WEIGHT_STD, seed),
        "checks": checks,
        "sanity": sanity,
    }
    if warnings:
        expected["warnings"] = warnings
    with open(os.path.join(tmp, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False, allow_nan=False)
        f.write("\n")

    size = folder_bytes(tmp)
    for root, _, files in os.walk(tmp):
        for fname in sorted(files):
            p = os.path.join(root, fname)
            say("    wrote %-48s %8d bytes" % (os.path.relpath(p, tmp), os.path.getsize(p)))
    rope = saved_config.get("rope_parameters", saved_config.get("text_config", {}).get("rope_parameters"))
    say("  config.json rope_parameters:", json.dumps(rope))
    if size >= MAX_FOLDER_BYTES:
        raise CheckFailed("folder is %d bytes, over the %d limit" % (size, MAX_FOLDER_BYTES))
    final = os.path.join(outdir, spec.name)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    return {"size": size, "cases": len(cases), "max_n": max(len(c["ids"]) for c in cases),
            "seconds": time.time() - t0, "warnings": len(warnings)}


def main():
    global log_file
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", nargs="?", default=os.path.join("tests", "fixtures"))
    parser.add_argument("--only", default="", help="comma-separated fixture names (default: all)")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    outdir = os.path.abspath(args.outdir)
    os.makedirs(os.path.join(outdir, "_log"), exist_ok=True)
    log_file = open(os.path.join(outdir, "_log", "make_family_fixtures.log"), "w", encoding="utf-8")

    try:
        import transformers
    except ImportError as e:
        say("ERROR: transformers is not importable (%s); this generator needs transformers 5.x, torch and tokenizers." % e)
        return 2
    if not transformers.__version__.startswith("5."):
        say("ERROR: transformers %s found; these fixtures are made with transformers 5.x (5.17 expected): "
            "its configs use rope_parameters and layer_types, which 4.x does not read." % transformers.__version__)
        return 2
    import tokenizers
    import torch

    torch.set_num_threads(max(1, args.threads))
    versions = {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__, "torch": torch.__version__}
    say("versions:", versions, "python", sys.version.split()[0])
    for name, want in (("transformers", "5.17"), ("tokenizers", "0.23"), ("torch", "2.11")):
        if not versions[name].startswith(want):
            say("  note: %s %s, the fixtures were planned for %s" % (name, versions[name], want))

    wanted = [s for s in args.only.split(",") if s]
    unknown = [w for w in wanted if w not in {s.name for s in SPECS}]
    if unknown:
        say("ERROR: unknown fixture names", unknown, "; known:", [s.name for s in SPECS])
        return 2
    results = {}
    for index, spec in enumerate(SPECS):
        if wanted and spec.name not in wanted:
            continue
        say("\n=== %s (%s, %s)" % (spec.name, spec.model_class, spec.config_class))
        try:
            results[spec.name] = ("ok", make_fixture(spec, index, outdir, versions))
        except Exception as e:  # one family's failure must not stop the others
            say(traceback.format_exc())
            say("FAILED %s: %s" % (spec.name, e))
            tmp = os.path.join(outdir, "_work", spec.name)
            failed = os.path.join(outdir, "_failed", spec.name)
            shutil.rmtree(failed, ignore_errors=True)
            if os.path.isdir(tmp):
                os.makedirs(os.path.dirname(failed), exist_ok=True)
                os.replace(tmp, failed)
            results[spec.name] = ("FAILED", {"error": str(e)[:300]})

    say("\n%-20s %-7s %9s %6s %6s %6s %s" % ("fixture", "status", "bytes", "cases", "max n", "secs", "note"))
    for name, (status, info) in results.items():
        if status == "ok":
            say("%-20s %-7s %9d %6d %6d %6.1f %s" % (name, status, info["size"], info["cases"], info["max_n"],
                                                     info["seconds"], "%d warnings" % info["warnings"] if info["warnings"] else ""))
        else:
            say("%-20s %-7s %9s %6s %6s %6s %s" % (name, status, "-", "-", "-", "-", info["error"]))
    failed = [n for n, (s, _) in results.items() if s != "ok"]
    try:
        os.rmdir(os.path.join(outdir, "_work"))
    except OSError:
        pass
    say("\n%d written to %s, %d failed%s" % (len(results) - len(failed), outdir, len(failed),
                                             (" (kept in %s)" % os.path.join(outdir, "_failed")) if failed else ""))
    log_file.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
