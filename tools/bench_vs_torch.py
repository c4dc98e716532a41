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
        return x, atts


class Llama(torch.nn.Module):
    """RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP."""

    def __init__(self, L, D, H, KV, vocab=32000):
        super().__init__()
        self.H, self.KV, self.D = H, KV, D
        self.d = D // H
        inter = (8 * D // 3 + 255) // 256 * 256
        self.emb = torch.nn.Embedding(vocab, D)
        self.layers = torch.nn.ModuleList()
        for _ in range(L):
            m = torch.nn.Module()
            m.q, m.o = linear(D, D, False), linear(D, D, False)
            m.k, m.v = linear(D, KV * self.d, False), linear(D, KV * self.d, False)
            m.gate, m.up, m.down = linear(D, inter, False), linear(D, inter, False), linear(inter, D, False)
            m.n1, m.n2 = torch.nn.Parameter(torch.ones(D)), torch.nn.Parameter(torch.ones(D))
            self.layers.append(m)
        self.norm = torch.nn.Parameter(torch.ones(D))

    @staticmethod
    def rms(x, w, eps=1e-6):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w

    def rotate(self, t, cos, sin):
        half = t.shape[-1] // 2
        rotated = torch.cat([-t[..., half:], t[..., :half]], dim=-1)
        return t * cos + rotated * sin

    def forward(self, ids):
        n = ids.shape[1]
        inv = 1.0 / (10000 ** (torch.arange(0, self.d, 2).float() / self.d))
        freqs = torch.outer(torch.arange(n).float(), inv)
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.triu(torch.ones(n, n, dtype=torch.bool), 1)
        x = self.emb(ids)
        atts = []
        for m in self.layers:
            h = self.rms(x, m.n1)
            q = self.rotate(m.q(h).view(1, n, self.H, self.d).transpose(1, 2), cos, sin)
            k = self.rotate(m.k(h).view(1, n, self.KV, self.d).transpose(1, 2), cos, sin)
            v = m.v(h).view(1, n, self.KV, self.d).transpose(1, 2)
            k = k.repeat_interleave(self.H // self.KV, dim=1)
            v = v.repeat_interleave(self.H // self.KV, dim=1)
            s = (q @ k.transpose(-1, -2) / math.sqrt(self.d)).masked_fill(mask, float("-inf"))
            p = s.softmax(-1)
            atts.append(p)
            x = x + m.o((p @ v).transpose(1, 2).reshape(1, n, self.D))
            h = self.rms(x, m.n2)
            x = x + m.down(F.silu(m.gate(h)) * m.up(h))
        return self.rms(x, self.norm), atts


def vit_image_size(seq):
    """The image side (16 px patches) attnscope-bench uses for a ViT of at most `seq` tokens."""
    grid = 1
    while (grid + 1) * (grid + 1) + 1 <= seq:
        grid += 1
    return 16 * grid


def flops(family, L, D, H, KV, n):
    """Multiply-adds counted twice, as attnscope-bench counts them."""
    d = D / H
    kv = KV or H
    proj = 2.0 * n * D * (2 * D + 2 * kv * d)
    mlp = 2.0 * n * D * 4 * D * 2
    if family == "llama":
        mlp = 2.0 * n * D * ((8 * D // 3 + 255) // 256 * 256) * 3
    return L * (proj + mlp + 4.0 * n * n * D)


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
    if a.family == "llama":
        model = Llama(a.layers, a.hidden, a.heads, a.kv_heads or a.heads).eval()
        inputs = torch.randint(0, 32000, (1, a.seq))
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
    if a.kv_heads:
        cmd += ["--kv-heads", str(a.kv_heads)]
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
    work = flops(a.family, a.layers, a.hidden, a.heads, a.kv_heads, n)
    return {"torch_s": t, "attnscope_s": s, "ratio": s / t, "n": n,
            "torch_gflops": work / t / 1e9, "attnscope_gflops": work / s / 1e9, "peak": peak_gflops(a.threads)}


TABLE = [  # family, layers, hidden, heads, kv heads, seq
    ("bert", 12, 768, 12, 0, 128),
    ("bert", 12, 768, 12, 0, 512),
    ("gpt2", 12, 768, 12, 0, 512),
    ("llama", 16, 1024, 16, 4, 512),
    ("vit", 12, 768, 12, 0, 197),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--family", default="bert", choices=["bert", "gpt2", "llama", "vit"])
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--kv-heads", type=int, default=0)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--table", action="store_true", help="run README's shapes and print a Markdown table")
    a = ap.parse_args()
    rows = [(a.family, a.layers, a.hidden, a.heads, a.kv_heads, a.seq)] if not a.table else TABLE
    results = []
    for family, layers, hidden, heads, kv, seq in rows:
        a.family, a.layers, a.hidden, a.heads, a.kv_heads, a.seq = family, layers, hidden, heads, kv, seq
        print(f"{family} {layers}x{hidden}x{heads}{'/' + str(kv) if kv else ''} n={seq}, {a.threads} threads", flush=True)
        r = compare(a)
        results.append((family, layers, hidden, heads, kv, r))
        print(f"torch_median_s={r['torch_s']:.6f} attnscope_median_s={r['attnscope_s']:.6f} ratio={r['ratio']:.3f} "
              f"torch_gflops={r['torch_gflops']:.1f} attnscope_gflops={r['attnscope_gflops']:.1f} "
              f"peak_gflops={r['peak']:.0f}", flush=True)
    if a.table:
        print(f"\n| shape | n | PyTorch (s) | AttnScope (s) | ratio | AttnScope GFLOP/s (% of peak) |")
        print("|---|---|---|---|---|---|")
        for family, layers, hidden, heads, kv, r in results:
            shape = f"{family} {layers}×{hidden}, {heads} heads" + (f" ({kv} kv)" if kv else "")
            print(f"| {shape} | {r['n']} | {r['torch_s']:.3f} | {r['attnscope_s']:.3f} | {r['ratio']:.2f} | "
                  f"{r['attnscope_gflops']:.0f} ({100 * r['attnscope_gflops'] / r['peak']:.0f}%) |")


if __name__ == "__main__":
    main()
