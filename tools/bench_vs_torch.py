#!/usr/bin/python3
"""Times attnscope-bench against an eager PyTorch forward of the same shape, alternating the
two in one run so both see the same machine load, and prints the ratio of medians
(attnscope / PyTorch; below 1 is faster) and both GFLOP/s against the CPU's peak.

Run with Debian's python3-torch (and libopenblas0-pthread), e.g.
    /usr/bin/python3 tools/bench_vs_torch.py --bench build/bin/attnscope-bench \\
        --family bert --layers 12 --hidden 768 --heads 12 --seq 128 --threads 2
    /usr/bin/python3 tools/bench_vs_torch.py --bench build/bin/attnscope-bench --table
(--table runs the shapes of README's table and prints it as Markdown.)

The PyTorch models are written here in plain torch (transformers is not a Debian package);
each computes what transformers' eager attention computes for its family, keeping every
attention map (output_attentions=True), with random weights, under torch.no_grad().
"""
import argparse
import math
import re
import statistics
import subprocess
import time

import torch
import torch.nn.functional as F


def linear(i, o, bias=True):
    return torch.nn.Linear(i, o, bias=bias)


class Encoder(torch.nn.Module):
    """BERT (post-norm), GPT-2 (pre-norm, causal) and ViT (pre-norm, patch embedding)."""

    def __init__(self, family, L, D, H, vocab=30522, positions=512, image=224, patch=16):
        super().__init__()
        self.family, self.H, self.D = family, H, D
        if family == "vit":
            self.patch = torch.nn.Conv2d(3, D, patch, patch)
            grid = image // patch
            self.cls = torch.nn.Parameter(torch.randn(1, 1, D) * 0.02)
            self.pos = torch.nn.Parameter(torch.randn(1, grid * grid + 1, D) * 0.02)
        else:
            self.emb = torch.nn.Embedding(vocab, D)
            self.pos = torch.nn.Embedding(positions, D)
        self.ln0 = torch.nn.LayerNorm(D, eps=1e-12)
        self.layers = torch.nn.ModuleList()
        for _ in range(L):
            m = torch.nn.Module()
            m.q, m.k, m.v, m.o = (linear(D, D) for _ in range(4))
            m.ln1, m.ln2 = torch.nn.LayerNorm(D, eps=1e-12), torch.nn.LayerNorm(D, eps=1e-12)
            m.up, m.down = linear(D, 4 * D), linear(4 * D, D)
            self.layers.append(m)

    def attend(self, m, x, causal):
        n, d = x.shape[1], self.D // self.H
        q, k, v = (t(x).view(1, n, self.H, d).transpose(1, 2) for t in (m.q, m.k, m.v))
        s = q @ k.transpose(-1, -2) / math.sqrt(d)
        if causal:
            s = s.masked_fill(torch.triu(torch.ones(n, n, dtype=torch.bool), 1), float("-inf"))
        p = s.softmax(-1)
        return m.o((p @ v).transpose(1, 2).reshape(1, n, self.D)), p

    def forward(self, inputs):
        if self.family == "vit":
            x = self.patch(inputs).flatten(2).transpose(1, 2)
            x = torch.cat([self.cls, x], dim=1) + self.pos
        else:
            x = self.emb(inputs) + self.pos(torch.arange(inputs.shape[1]))
            if self.family == "bert":
                x = self.ln0(x)
        atts = []
        for m in self.layers:
            if self.family == "bert":  # post-norm
                a, p = self.attend(m, x, False)
                x = m.ln1(x + a)
                x = m.ln2(x + m.down(F.gelu(m.up(x))))
            else:  # pre-norm
                a, p = self.attend(m, m.ln1(x), self.family == "gpt2")
                x = x + a
                act = F.gelu(m.up(m.ln2(x)), approximate="tanh" if self.family == "gpt2" else "none")
                x = x + m.down(act)
            atts.append(p)
        if self.family == "gpt2":  # GPT2LMHeadModel: final norm, tied head
            x = self.ln0(x) @ self.emb.weight.T
        return x, atts


class Llama(torch.nn.Module):
    """LLaMA (RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP, tied head), LLaMA 3
    (its RoPE base and scaling) and Gemma 2 (embeddings x sqrt(hidden), (1 + w) norms, norms after
    attention and the MLP too, GeGLU, query_pre_attn_scalar, soft-capped scores and logits,
    sliding window on every other layer)."""

    def __init__(self, family, L, D, H, KV, head_dim, inter, vocab):
        super().__init__()
        self.family, self.H, self.KV, self.D, self.d = family, H, KV, D, head_dim
        self.gemma = family == "gemma2"
        self.emb = torch.nn.Embedding(vocab, D)
        norm_init = torch.zeros if self.gemma else torch.ones
        self.layers = torch.nn.ModuleList()
        for _ in range(L):
            m = torch.nn.Module()
            m.q, m.o = linear(D, H * head_dim, False), linear(H * head_dim, D, False)
            m.k, m.v = linear(D, KV * head_dim, False), linear(D, KV * head_dim, False)
            m.gate, m.up, m.down = linear(D, inter, False), linear(D, inter, False), linear(inter, D, False)
            m.n1, m.n2 = torch.nn.Parameter(norm_init(D)), torch.nn.Parameter(norm_init(D))
            m.n3, m.n4 = torch.nn.Parameter(norm_init(D)), torch.nn.Parameter(norm_init(D))  # Gemma 2's extra norms
            self.layers.append(m)
        self.norm = torch.nn.Parameter(norm_init(D))

    def rms(self, x, w, eps=1e-6):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * ((1.0 + w) if self.gemma else w)

    def rotate(self, t, cos, sin):
        half = t.shape[-1] // 2
        rotated = torch.cat([-t[..., half:], t[..., :half]], dim=-1)
        return t * cos + rotated * sin

    def inverse_frequencies(self):
        theta = 500000.0 if self.family == "llama3" else 10000.0
        inv = 1.0 / (theta ** (torch.arange(0, self.d, 2).float() / self.d))
        if self.family == "llama3":  # factor 32, low 1, high 4, original 8192 (Llama-3.2-1B)
            wavelen = 2 * math.pi / inv
            scaled = torch.where(wavelen > 8192, inv / 32, inv)
            smooth = (8192 / wavelen - 1) / (4 - 1)
            blend = (1 - smooth) * scaled / 32 + smooth * scaled
            inv = torch.where((wavelen >= 8192 / 4) & (wavelen <= 8192), blend, scaled)
        return inv

    def forward(self, ids):
        n = ids.shape[1]
        freqs = torch.outer(torch.arange(n).float(), self.inverse_frequencies())
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos(), emb.sin()
        causal = torch.triu(torch.ones(n, n, dtype=torch.bool), 1)
        window = causal | torch.tril(torch.ones(n, n, dtype=torch.bool), -4096)
        x = self.emb(ids)
        if self.gemma:
            x = x * torch.tensor(self.D ** 0.5, dtype=x.dtype)
        scale = self.d ** -0.5
        atts = []
        for i, m in enumerate(self.layers):
            h = self.rms(x, m.n1)
            q = self.rotate(m.q(h).view(1, n, self.H, self.d).transpose(1, 2), cos, sin)
            k = self.rotate(m.k(h).view(1, n, self.KV, self.d).transpose(1, 2), cos, sin)
            v = m.v(h).view(1, n, self.KV, self.d).transpose(1, 2)
            k = k.repeat_interleave(self.H // self.KV, dim=1)
            v = v.repeat_interleave(self.H // self.KV, dim=1)
            s = q @ k.transpose(-1, -2) * scale
            if self.gemma:
                s = torch.tanh(s / 50.0) * 50.0
            s = s.masked_fill(window if self.gemma and i % 2 == 0 else causal, float("-inf"))
            p = s.softmax(-1)
            atts.append(p)
            a = m.o((p @ v).transpose(1, 2).reshape(1, n, self.H * self.d))
            x = x + (self.rms(a, m.n3) if self.gemma else a)
            h = self.rms(x, m.n4 if self.gemma else m.n2)
            act = F.gelu(m.gate(h), approximate="tanh") if self.gemma else F.silu(m.gate(h))
            f = m.down(act * m.up(h))
            x = x + (self.rms(f, m.n2) if self.gemma else f)
        logits = self.rms(x, self.norm) @ self.emb.weight.T  # tied head
        if self.gemma:
            logits = torch.tanh(logits / 30.0) * 30.0
        return logits, atts


def vit_image_size(seq):
    """The image side (16 px patches) attnscope-bench uses for a ViT of at most `seq` tokens."""
    grid = 1
    while (grid + 1) * (grid + 1) + 1 <= seq:
        grid += 1
    return 16 * grid


def shape_of(a):
    """head_dim, MLP width and vocabulary as attnscope-bench derives them from the options."""
    head_dim = a.head_dim or a.hidden // a.heads
    inter = a.intermediate or ((8 * a.hidden // 3 + 255) // 256 * 256 if a.family == "llama" else 4 * a.hidden)
    vocab = a.vocab or {"llama3": 128256, "gemma2": 256000}.get(a.family, 30522)
    return head_dim, inter, vocab


def flops(a, n):
    """Multiply-adds counted twice, as attnscope-bench counts them (logits included for language models,
    the lower triangle of the attention products for the causal ones)."""
    d, inter, vocab = shape_of(a)
    kv = a.kv_heads or a.heads
    proj = 2.0 * n * a.hidden * (2 * a.heads * d + 2 * kv * d)
    mlp = 2.0 * n * a.hidden * inter * (3 if a.family in ("llama", "llama3", "gemma2") else 2)
    head = 2.0 * n * a.hidden * vocab if a.family not in ("bert", "vit") else 0.0
    # A causal model needs only the lower triangle of its two n x n products.
    pairs = n * (n + 1) / 2.0 if a.family not in ("bert", "vit") else float(n * n)
    return a.layers * (proj + mlp + 4.0 * pairs * a.heads * d) + head


def peak_gflops(threads):
    """Nominal peak: cores x clock x FMA lanes (2 FMA units x 16 floats x 2 flops with AVX-512, 8 with AVX2)."""
    mhz, avx512 = 0.0, False
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz") and not mhz:
                mhz = float(line.split(":")[1])
            if line.startswith("flags"):
                avx512 = " avx512f " in line + " "
    return threads * mhz / 1000.0 * (64 if avx512 else 32)


def build_torch(a):
    torch.manual_seed(0)
    if a.family in ("llama", "llama3", "gemma2"):
        head_dim, inter, vocab = shape_of(a)
        model = Llama(a.family, a.layers, a.hidden, a.heads, a.kv_heads or a.heads, head_dim, inter, vocab).eval()
        inputs = torch.randint(0, vocab, (1, a.seq))
        n = a.seq
    elif a.family == "vit":
        size = vit_image_size(a.seq)
        model = Encoder("vit", a.layers, a.hidden, a.heads, image=size).eval()
        inputs = torch.randn(1, 3, size, size)
        n = (size // 16) ** 2 + 1
    else:
        model = Encoder(a.family, a.layers, a.hidden, a.heads, positions=max(512, a.seq)).eval()
        inputs = torch.randint(0, 30522, (1, a.seq))
        n = a.seq
    return model, inputs, n


def torch_time(model, inputs):
    t0 = time.perf_counter()
    with torch.no_grad():
        model(inputs)
    return time.perf_counter() - t0


def bench_time(a):
    cmd = [a.bench, "--family", a.family, "--layers", str(a.layers), "--hidden", str(a.hidden), "--heads", str(a.heads),
           "--seq", str(a.seq), "--repeats", "1", "--threads", str(a.threads)]
    for option, value in (("--kv-heads", a.kv_heads), ("--head-dim", a.head_dim), ("--intermediate", a.intermediate),
                          ("--vocab", a.vocab)):
        if value:
            cmd += [option, str(value)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"median_s=([0-9.eE+-]+)", out).group(1))


def compare(a):
    torch.set_num_threads(a.threads)
    model, inputs, n = build_torch(a)
    torch_time(model, inputs)  # warm-up
    ours, theirs = [], []
    for r in range(a.rounds):  # alternate so both see the same machine load
        theirs.append(torch_time(model, inputs))
        ours.append(bench_time(a))
        print(f"  round {r}: torch {theirs[-1]:.4f} s, attnscope {ours[-1]:.4f} s", flush=True)
    t, s = statistics.median(theirs), statistics.median(ours)
    work = flops(a, n)
    return {"torch_s": t, "attnscope_s": s, "ratio": s / t, "n": n,
            "torch_gflops": work / t / 1e9, "attnscope_gflops": work / s / 1e9, "peak": peak_gflops(a.threads)}


TABLE = [  # family, layers, hidden, heads, kv heads, seq, and head_dim / intermediate where not derived
    ("bert", 12, 768, 12, 0, 128, {}),
    ("bert", 12, 768, 12, 0, 512, {}),
    ("gpt2", 12, 768, 12, 0, 512, {}),
    ("llama", 16, 1024, 16, 4, 512, {}),
    ("llama3", 16, 2048, 32, 8, 512, {}),  # Llama-3.2-1B's shape
    ("gemma2", 16, 2304, 8, 4, 512, {"head_dim": 256, "intermediate": 9216}),  # Gemma-2-2B's widths, 16 of its 26 layers
    ("vit", 12, 768, 12, 0, 197, {}),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--family", default="bert", choices=["bert", "gpt2", "llama", "llama3", "gemma2", "vit"])
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--kv-heads", type=int, default=0)
    ap.add_argument("--head-dim", type=int, default=0)
    ap.add_argument("--intermediate", type=int, default=0)
    ap.add_argument("--vocab", type=int, default=0)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--table", action="store_true", help="run README's shapes and print a Markdown table")
    a = ap.parse_args()
    rows = [(a.family, a.layers, a.hidden, a.heads, a.kv_heads, a.seq,
             {"head_dim": a.head_dim, "intermediate": a.intermediate, "vocab": a.vocab})] if not a.table else TABLE
    results = []

    def shape_of_row(family, hidden, heads, extra):
        return shape_of(argparse.Namespace(family=family, hidden=hidden, heads=heads, head_dim=extra.get("head_dim", 0),
                                           intermediate=extra.get("intermediate", 0), vocab=extra.get("vocab", 0)))

    for family, layers, hidden, heads, kv, seq, extra in rows:
        a.family, a.layers, a.hidden, a.heads, a.kv_heads, a.seq = family, layers, hidden, heads, kv, seq
        a.head_dim, a.intermediate, a.vocab = extra.get("head_dim", 0), extra.get("intermediate", 0), extra.get("vocab", 0)
        print(f"{family} {layers}x{hidden}x{heads}{'/' + str(kv) if kv else ''} n={seq}, {a.threads} threads", flush=True)
        r = compare(a)
        results.append((family, layers, hidden, heads, kv, extra, r))
        print(f"torch_median_s={r['torch_s']:.6f} attnscope_median_s={r['attnscope_s']:.6f} ratio={r['ratio']:.3f} "
              f"torch_gflops={r['torch_gflops']:.1f} attnscope_gflops={r['attnscope_gflops']:.1f} "
              f"peak_gflops={r['peak']:.0f}", flush=True)
    if a.table:
        print(f"\n| shape | n | PyTorch (s) | AttnScope (s) | ratio | AttnScope GFLOP/s (% of peak) |")
        print("|---|---|---|---|---|---|")
        for family, layers, hidden, heads, kv, extra, r in results:
            shape = f"{family} {layers}×{hidden}, {heads} heads" + (f" ({kv} kv)" if kv else "")
            if family in ("llama3", "gemma2"):
                shape += f", vocab {shape_of_row(family, hidden, heads, extra)[2]}"
            print(f"| {shape} | {r['n']} | {r['torch_s']:.3f} | {r['attnscope_s']:.3f} | {r['ratio']:.2f} | "
                  f"{r['attnscope_gflops']:.0f} ({100 * r['attnscope_gflops'] / r['peak']:.0f}%) |")


if __name__ == "__main__":
    main()
