#!/usr/bin/python3
"""Trains the built-in teaching model `builtin:induction` and writes it as a Hugging Face
GPT-2 folder (config.json, model.safetensors, tokenizer.json, tokenizer_config.json,
special_tokens_map.json, README.md) into resources/builtin/induction/.

Run (Debian 12; CPU only; python3-torch and python3-numpy from apt, nothing from pip; the
English text comes from /usr/share/common-licenses/GPL-3, which base-files always installs):

    /usr/bin/python3 tools/train_induction.py                 # seed 1234: 2500 steps, 5-9 minutes
    /usr/bin/python3 tools/train_induction.py --seed 7 --out /tmp/induction

The run is deterministic given --seed (default 1234) and --threads (default 1; one thread is
also the fastest on a busy 2-core machine): the data come from numpy's PCG64 generator and
the weights from torch's generator, both seeded, and torch runs with deterministic algorithms.

The model: a 2-layer causal transformer with GPT2LMHeadModel's exact parameter names and
semantics (pre-LayerNorm blocks, fused Conv1D c_attn stored [in, out], gelu_new MLP, learned
positions (initialised as sinusoids), tied lm_head, attention scaled by 1/sqrt(head_dim)),
hidden 64, 4 heads, 256 positions, saved as float16. The tokenizer is character-level: a BPE
model without merges over single characters (every lowercase letter, digit, space, newline
and common punctuation mark is one token, anything else <unk>), a Lowercase normalizer, and
a template post-processor that puts <|endoftext|> (id 0) in front as BOS (the first position
can then act as the usual attention sink).

The data: sequences built from repeated random letter strings (S S or S S S, S of 6-30
letters, separated or not; half the sequences start with the probe S+S right after BOS),
excerpts of plain English (the GPL text), a few fixed sentences and random pseudo-words; a
length curriculum of 64, then 128, then 256 tokens. The loss is next-character
cross-entropy plus two attention-guidance terms (weights --prev-guidance and
--induction-guidance, default 1 each): -log of layer 0 head 0's attention to the previous
token, and -log of layer 1 head 0's attention to the induction target (in the second and
third copies of a repeated string of distinct letters, the character right after the
current character's occurrence in the copy before). Without guidance, on this CPU budget,
the induction circuit forms late and unreliably (after about 3000 steps at length 64 in one
trial, with a layer-0 previous-token head that is the argmax only about two thirds of the
time); with it, both heads are in place within a few hundred steps, and the language-model
loss learns to use them: the model predicts the second copy of a fresh random string almost
perfectly (reported below as "copy accuracy"), while the first copy stays at chance.

At the end the script measures, on fresh random strings S+S (S = 12-24 distinct letters, a
seed that training never used), the best layer-0 head's previous-token score and the best
layer-1 head's induction score (share of positions whose attention argmax is the expected
key), the same measurements tests/core/test_builtin_models.cpp makes with the C++ engine.
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_folder import read_safetensors, state_dict_to_numpy, write_json, write_safetensors  # noqa: E402

LETTERS = "abcdefghijklmnopqrstuvwxyz"
BOS = "<|endoftext|>"
UNK = "<unk>"
CHARS = [" ", "\n"] + list(LETTERS) + list("0123456789") + list(".,;:!?'\"-()")
VOCAB = [BOS, UNK] + CHARS
TOKEN_ID = {t: i for i, t in enumerate(VOCAB)}
BOS_ID = 0

SENTENCES = [
    "the cat sat on the mat.",
    "the keys to the cabinet are on the table.",
    "the dog chased the ball because it was bored.",
    "mary gave the book to john because she had finished it.",
    "the trophy did not fit in the suitcase because it was too big.",
    "when the sun rose, the birds began to sing.",
    "a teacher explains what attention does in a transformer.",
    "the quick brown fox jumps over the lazy dog.",
    "she sells sea shells by the sea shore.",
    "the students who read the book were happy.",
    "the author of the letters writes every day.",
    "he opened the door, looked around, and walked in.",
    "to be or not to be, that is the question.",
    "the rain in spain stays mainly in the plain.",
    "every model learns patterns from the data it sees.",
    "the river flows past the old mill and into the sea.",
    "alice was beginning to get very tired of sitting by her sister.",
    "it was the best of times, it was the worst of times.",
    "the children played in the park until the lights came on.",
    "my friend tom likes apples, but his sister likes pears.",
    "once upon a time there was a little house in the woods.",
    "the bank of the river was covered in green grass.",
    "paris is the capital of france, and rome is the capital of italy.",
    "one, two, three, four, five, six, seven, eight, nine, ten.",
    "monday, tuesday, wednesday, thursday, friday.",
    "the scientist measured the heat of the water twice.",
    "if you repeat a word, the model can copy what came next.",
    "harry potter went to hogwarts. harry potter was a wizard.",
    "the key to the doors is under the mat.",
    "why did the chicken cross the road? to get to the other side!",
]


# Plain English for the character statistics (a previous-token head pays off at once on
# real text, which helps the induction circuit form): the GNU GPL text every Debian system
# ships in base-files, plus the sentences above.
ENGLISH_FILE = "/usr/share/common-licenses/GPL-3"


def load_english():
    with open(ENGLISH_FILE, encoding="utf-8") as f:
        text = " ".join(f.read().split())
    return "".join(c for c in text.lower() if c in TOKEN_ID)


def encode(text):
    return [TOKEN_ID.get(c, TOKEN_ID[UNK]) for c in text.lower()]


class DataGenerator:
    """Deterministic stream of training sequences (ids, starting with BOS)."""

    def __init__(self, seed):
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.english = load_english()
        self.length = 64  # tokens per sequence, BOS included

    def random_letters(self, n, distinct):
        if distinct:
            return "".join(self.rng.permutation(list(LETTERS))[:n])
        return "".join(self.rng.choice(list(LETTERS), size=n))

    def repeated_string(self, n=None, distinct=None):
        rng = self.rng
        if n is None:
            n = int(rng.integers(6, 31))
        if distinct is None:
            distinct = n <= 26 and rng.random() < 0.75
        s = self.random_letters(n, distinct)
        copies = 2 if rng.random() < 0.8 else 3
        sep = str(rng.choice(["", "", "", " ", ". ", "\n", ", "]))
        # Induction targets (character offsets in the segment): in copy c >= 1, the character
        # at j attends to the character after its occurrence in copy c - 1. Only for strings
        # of distinct letters, where "the earlier occurrence" is unique.
        targets = []
        if distinct:
            step = n + len(sep)
            targets = [(c * step + j, (c - 1) * step + j + 1) for c in range(1, copies) for j in range(n)]
        return sep.join([s] * copies), targets

    def pseudo_words(self):
        rng = self.rng
        words = [self.random_letters(int(rng.integers(1, 9)), False) for _ in range(int(rng.integers(2, 8)))]
        return " ".join(words) + str(rng.choice([".", ",", "", "!", "?"]))

    def sequence(self):
        """Token ids (BOS first) and, per position, the induction target or -1."""
        rng = self.rng
        text = ""
        targets = []

        def add_repeat(n=None, distinct=None):
            nonlocal text
            segment, pairs = self.repeated_string(n, distinct)
            targets.extend((len(text) + q, len(text) + k) for q, k in pairs)
            text += segment

        if rng.random() < 0.5:  # the probe shape: S + S right after BOS
            add_repeat(int(rng.integers(8, 27)), True)
        while len(text) < self.length - 1:
            r = rng.random()
            if text and not text.endswith((" ", "\n")):
                text += " " if rng.random() < 0.8 else "\n"
            if r < 0.5:
                add_repeat()
            elif r < 0.8:
                n = int(rng.integers(30, 150))
                i = int(rng.integers(len(self.english) - n))
                text += self.english[i:i + n].strip()
            elif r < 0.9:
                text += SENTENCES[int(rng.integers(len(SENTENCES)))]
            else:
                text += self.pseudo_words()
        ids = [BOS_ID] + encode(text)[: self.length - 1]
        target = [-1] * self.length
        for q, k in targets:  # +1: BOS comes first
            if q + 1 < self.length:
                target[q + 1] = k + 1
        return ids, target

    def batch(self, size, length):
        self.length = length
        ids, targets = zip(*(self.sequence() for _ in range(size)))
        return torch.tensor(ids, dtype=torch.long), torch.tensor(targets, dtype=torch.long)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Conv1D(nn.Module):
    """transformers' Conv1D: y = x @ weight + bias with weight stored [in, out]."""

    def __init__(self, nf, nx, std):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(nx, nf) * std)
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(*x.shape[:-1], -1)


class Attention(nn.Module):
    def __init__(self, d, heads, std, proj_std):
        super().__init__()
        self.heads = heads
        self.c_attn = Conv1D(3 * d, d, std)
        self.c_proj = Conv1D(d, d, proj_std)

    def forward(self, x, want_probs=False):
        b, n, d = x.shape
        hd = d // self.heads
        q, k, v = self.c_attn(x).split(d, dim=2)
        q, k, v = (t.view(b, n, self.heads, hd).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd)
        mask = torch.ones(n, n, dtype=torch.bool).tril()
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
        probs = scores.softmax(dim=-1)
        out = (probs @ v).transpose(1, 2).reshape(b, n, d)
        return self.c_proj(out), (probs if want_probs else None)


class Mlp(nn.Module):
    def __init__(self, d, inner, std, proj_std):
        super().__init__()
        self.c_fc = Conv1D(inner, d, std)
        self.c_proj = Conv1D(d, inner, proj_std)

    def forward(self, x):
        return self.c_proj(gelu_new(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, d, heads, inner, eps, std, proj_std):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.attn = Attention(d, heads, std, proj_std)
        self.ln_2 = nn.LayerNorm(d, eps=eps)
        self.mlp = Mlp(d, inner, std, proj_std)

    def forward(self, x, want_probs=False):
        a, probs = self.attn(self.ln_1(x), want_probs)
        x = x + a
        return x + self.mlp(self.ln_2(x)), probs


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, std = cfg["n_embd"], cfg["initializer_range"]
        proj_std = std / math.sqrt(2 * cfg["n_layer"])
        self.wte = nn.Embedding(cfg["vocab_size"], d)
        self.wpe = nn.Embedding(cfg["n_positions"], d)
        nn.init.normal_(self.wte.weight, std=std)
        # Learned positions, initialised as sinusoids (Vaswani et al. 2017) so that "one step
        # back" is a fixed linear map from the start: the previous-token head forms early.
        pos = torch.arange(cfg["n_positions"], dtype=torch.float32)[:, None]
        freq = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2, dtype=torch.float32) / d)
        with torch.no_grad():  # amplitude about that of the token embeddings (norm ~ std * sqrt(d))
            self.wpe.weight[:, 0::2] = std * math.sqrt(2) * torch.sin(pos * freq)
            self.wpe.weight[:, 1::2] = std * math.sqrt(2) * torch.cos(pos * freq)
        self.h = nn.ModuleList(Block(d, cfg["n_head"], cfg["n_inner"], cfg["layer_norm_epsilon"], std, proj_std)
                               for _ in range(cfg["n_layer"]))
        self.ln_f = nn.LayerNorm(d, eps=cfg["layer_norm_epsilon"])


class GPT2LMHeadModel(nn.Module):
    """The parameters of transformers' GPT2LMHeadModel (lm_head tied to transformer.wte)."""

    def __init__(self, cfg):
        super().__init__()
        self.transformer = Transformer(cfg)

    def forward(self, ids, want_probs=False):
        t = self.transformer
        x = t.wte(ids) + t.wpe(torch.arange(ids.shape[1]))
        attentions = []
        for block in t.h:
            x, probs = block(x, want_probs)
            attentions.append(probs)
        x = t.ln_f(x)
        return x @ t.wte.weight.T, attentions


def probe_strings(seed, count):
    """Fresh S+S probes: S = 12-24 distinct random lowercase letters."""
    rng = np.random.Generator(np.random.PCG64(seed))
    out = []
    for _ in range(count):
        n = int(rng.integers(12, 25))
        out.append("".join(rng.permutation(list(LETTERS))[:n]))
    return out


@torch.no_grad()
def measure(model, seed=987654, count=64):
    """Best layer-0 previous-token score and best later-layer induction score, as the C++ test
    measures them: share of query positions whose attention argmax is the expected key."""
    model.eval()
    layers, heads = len(model.transformer.h), model.transformer.h[0].attn.heads
    prev_hits = np.zeros(heads)
    prev_total = 0
    ind_hits = np.zeros((layers, heads))
    ind_total = 0
    copy_hits = copy_total = 0
    for s in probe_strings(seed, count):
        ids = torch.tensor([[BOS_ID] + encode(s + s)])
        logits, att = model(ids, want_probs=True)
        n = len(s)
        predicted = logits[0].argmax(-1)
        for q in range(1 + n, 2 * n):  # second copy: predict the next character
            copy_hits += int(predicted[q] == ids[0, q + 1])
            copy_total += 1
        a0 = att[0][0].argmax(-1).numpy()  # [heads, queries]
        for q in range(1, ids.shape[1]):
            prev_hits += a0[:, q] == q - 1
            prev_total += 1
        for layer in range(1, layers):
            a = att[layer][0].argmax(-1).numpy()
            for j in range(n):  # second copy: query 1 + n + j, expected key 2 + j
                ind_hits[layer] += a[:, 1 + n + j] == 2 + j
        ind_total += n
    model.train()
    prev = prev_hits / prev_total
    ind = ind_hits / ind_total
    best = np.unravel_index(np.argmax(ind[1:]), ind[1:].shape)
    return {"previous_token_head": int(np.argmax(prev)), "previous_token": float(prev.max()),
            "induction_layer": int(best[0]) + 1, "induction_head": int(best[1]),
            "induction": float(ind[1:].max()), "copy_accuracy": copy_hits / copy_total}


def tokenizer_json():
    special = {"id": 0, "content": BOS, "single_word": False, "lstrip": False, "rstrip": False,
               "normalized": False, "special": True}
    bos_piece = {"SpecialToken": {"id": BOS, "type_id": 0}}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special],
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [bos_piece, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [bos_piece, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}}],
            "special_tokens": {BOS: {"id": BOS, "ids": [0], "tokens": [BOS]}},
        },
        "decoder": {"type": "Fuse"},
        "model": {"type": "BPE", "dropout": None, "unk_token": UNK, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "vocab": {t: i for i, t in enumerate(VOCAB)}, "merges": []},
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--tokens", type=int, default=2048, help="tokens per step")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--prev-guidance", type=float, default=1.0,
                    help="weight of -log(layer 0, head 0 attention to the previous token)")
    ap.add_argument("--induction-guidance", type=float, default=1.0,
                    help="weight of -log(layer 1, head 0 attention to the induction target) on the "
                         "second and third copies of repeated strings")
    ap.add_argument("--lengths", default="64,128,256",
                    help="sequence-length curriculum: the steps split into len(lengths) + 1 parts, "
                         "the first two at the first length, then one part each")
    ap.add_argument("--out", default=os.path.join(here, "..", "resources", "builtin", "induction"))
    ap.add_argument("--dtype", choices=["float32", "float16"], default="float16")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    cfg = {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": len(VOCAB),
        "n_positions": 256,
        "n_ctx": 256,
        "n_embd": 64,
        "n_layer": 2,
        "n_head": 4,
        "n_inner": 256,
        "activation_function": "gelu_new",
        "resid_pdrop": 0.0,
        "embd_pdrop": 0.0,
        "attn_pdrop": 0.0,
        "layer_norm_epsilon": 1e-5,
        "initializer_range": 0.02,
        "scale_attn_weights": True,
        "scale_attn_by_inverse_layer_idx": False,
        "reorder_and_upcast_attn": False,
        "tie_word_embeddings": True,
        "use_cache": True,
        "bos_token_id": BOS_ID,
        "eos_token_id": BOS_ID,
        "torch_dtype": args.dtype,
        "transformers_version": "4.40.0",
    }
    model = GPT2LMHeadModel(cfg)
    data = DataGenerator(args.seed)
    # Length curriculum: short sequences first (attention spreads over few keys, so the
    # induction circuit's gradient is strong), the full context for the last part.
    lengths = [int(n) for n in args.lengths.split(",")]
    lengths = [lengths[0]] + lengths
    phases = [((i + 1) / len(lengths), n) for i, n in enumerate(lengths)]
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
    warmup = 150

    def lr_at(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, args.steps - warmup)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    start = time.time()
    for step in range(args.steps):
        length = next(n for end, n in phases if step < end * args.steps)
        batch, targets = data.batch(args.tokens // length, length)
        guided = args.prev_guidance > 0 or args.induction_guidance > 0
        logits, att = model(batch[:, :-1], want_probs=guided)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        total = loss
        if args.prev_guidance > 0:
            prev = att[0][:, 0].diagonal(offset=-1, dim1=-2, dim2=-1)  # [batch, n - 1]: A[t, t - 1]
            total = total + args.prev_guidance * (-torch.log(prev + 1e-6)).mean()
        if args.induction_guidance > 0:
            t = targets[:, :-1]
            rows = att[1][:, 0].gather(2, t.clamp(min=0).unsqueeze(-1)).squeeze(-1)  # [batch, n]: A[q, target(q)]
            keep = t >= 0
            if keep.any():
                total = total + args.induction_guidance * (-torch.log(rows[keep] + 1e-6)).mean()
        opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 250 == 0 or step == args.steps - 1:
            m = measure(model, count=16)
            print(f"step {step:5d}  loss {loss.item():.3f}  prev {m['previous_token']:.3f}  "
                  f"induction {m['induction']:.3f}  {time.time() - start:.0f}s", flush=True)
    minutes = (time.time() - start) / 60

    os.makedirs(args.out, exist_ok=True)
    weights = state_dict_to_numpy(model.state_dict(), np.dtype(args.dtype))
    path = os.path.join(args.out, "model.safetensors")
    write_safetensors(path, weights, {"format": "pt"})
    # Measure what was written (float16 rounding included).
    model.load_state_dict({k: torch.from_numpy(v.astype(np.float32)) for k, v in read_safetensors(path).items()})
    final = measure(model, count=64)
    print(f"written model: {final}")

    write_json(os.path.join(args.out, "config.json"), cfg)
    write_json(os.path.join(args.out, "tokenizer.json"), tokenizer_json())
    write_json(os.path.join(args.out, "tokenizer_config.json"), {
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": BOS, "eos_token": BOS, "unk_token": UNK,
        "model_max_length": cfg["n_positions"], "clean_up_tokenization_spaces": False})
    write_json(os.path.join(args.out, "special_tokens_map.json"),
               {"bos_token": BOS, "eos_token": BOS, "unk_token": UNK})
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write(f"""# builtin:induction

A 2-layer character-level GPT-2 (hidden {cfg['n_embd']}, {cfg['n_head']} heads, {cfg['n_positions']} positions) trained by
`tools/train_induction.py --seed {args.seed}` ({args.steps} steps of {args.tokens} tokens, sequences of 64, then 128, then {cfg['n_positions']}, {minutes:.1f} min on {args.threads} CPU thread(s) of a shared 2-core machine)
on repeated random letter strings, excerpts of English (the GNU GPL text), a few sentences and pseudo-words. Text is lowercased;
every character is one token, after a leading `<|endoftext|>`.

Measured on fresh strings S+S (S = 12-24 distinct random letters), attention argmax:
- layer 0 head {final['previous_token_head']}: previous token for {100 * final['previous_token']:.1f}% of positions
- layer {final['induction_layer']} head {final['induction_head']}: induction (token after the earlier occurrence of the current token) for {100 * final['induction']:.1f}% of second-copy positions
- copy accuracy: the next character of the second copy is the model's top prediction {100 * final['copy_accuracy']:.1f}% of the time

Training adds attention guidance to the language-model loss (see the script's docstring): layer 0
head 0 is pushed towards the previous token, layer 1 head 0 towards the induction target on
repeated strings; the copy accuracy shows the model uses these heads to predict.

Try: `qwertyuiopasdf qwertyuiopasdf` and look at layer 1 (induction) and layer 0 (previous token).
""")
    print(f"wrote {args.out} in {minutes:.1f} min of training")


if __name__ == "__main__":
    main()
