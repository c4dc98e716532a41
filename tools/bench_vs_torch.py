#!/usr/bin/python3
"""Times attnscope-bench against an eager PyTorch forward of the same shape, alternating the
two in one run, and prints the ratio of medians (attnscope / PyTorch; below 1 is faster).

Run with Debian's python3-torch (and libopenblas0-pthread), e.g.
    /usr/bin/python3 tools/bench_vs_torch.py --bench build/bin/attnscope-bench \
        --family bert --layers 12 --hidden 768 --heads 12 --seq 128 --threads 2

The PyTorch model is written here in plain torch (transformers is not a Debian package); it
computes what transformers' eager attention computes, keeping every attention map
(output_attentions=True), with random weights.
"""
import argparse
import math
import re
import statistics
import subprocess
import time

import torch
import torch.nn.functional as F


def layer_norm(x, w, b, eps=1e-12):
    return F.layer_norm(x, (x.shape[-1],), w, b, eps)


class Bert(torch.nn.Module):
    def __init__(self, L, D, H, vocab=30522, positions=512):
        super().__init__()
        self.H, self.D = H, D
        self.emb = torch.nn.Embedding(vocab, D)
        self.pos = torch.nn.Embedding(positions, D)
        self.ln0 = torch.nn.LayerNorm(D, eps=1e-12)
        self.layers = torch.nn.ModuleList()
        for _ in range(L):
            m = torch.nn.Module()
            m.q, m.k, m.v, m.o = (torch.nn.Linear(D, D) for _ in range(4))
            m.ln1 = torch.nn.LayerNorm(D, eps=1e-12)
            m.up, m.down = torch.nn.Linear(D, 4 * D), torch.nn.Linear(4 * D, D)
            m.ln2 = torch.nn.LayerNorm(D, eps=1e-12)
            self.layers.append(m)

    def forward(self, ids, causal=False):
        n = ids.shape[1]
        x = self.ln0(self.emb(ids) + self.pos(torch.arange(n)))
        atts = []
        d = self.D // self.H
        for m in self.layers:
            def heads(t):
                return t.view(1, n, self.H, d).transpose(1, 2)
            q, k, v = heads(m.q(x)), heads(m.k(x)), heads(m.v(x))
            s = q @ k.transpose(-1, -2) / math.sqrt(d)
            if causal:
                s = s.masked_fill(torch.triu(torch.ones(n, n, dtype=torch.bool), 1), float("-inf"))
            p = s.softmax(-1)
            atts.append(p)
            c = (p @ v).transpose(1, 2).reshape(1, n, self.D)
            x = m.ln1(x + m.o(c))
            x = m.ln2(x + m.down(F.gelu(m.up(x))))
        return x, atts


def torch_time(model, ids, causal):
    t0 = time.perf_counter()
    with torch.no_grad():
        model(ids, causal)
    return time.perf_counter() - t0


def bench_time(args):
    cmd = [args.bench, "--family", args.family, "--layers", str(args.layers), "--hidden", str(args.hidden),
           "--heads", str(args.heads), "--seq", str(args.seq), "--repeats", "1", "--threads", str(args.threads)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"median_s=([0-9.eE+-]+)", out).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--family", default="bert", choices=["bert", "gpt2"])
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = Bert(args.layers, args.hidden, args.heads, positions=max(512, args.seq)).eval()
    ids = torch.randint(0, 30522, (1, args.seq))
    causal = args.family == "gpt2"
    torch_time(model, ids, causal)  # warm-up
    ours, theirs = [], []
    for r in range(args.rounds):  # alternate so both see the same machine load
        theirs.append(torch_time(model, ids, causal))
        ours.append(bench_time(args))
        print(f"round {r}: torch {theirs[-1]:.4f} s, attnscope {ours[-1]:.4f} s", flush=True)
    t, a = statistics.median(theirs), statistics.median(ours)
    print(f"torch_median_s={t:.6f} attnscope_median_s={a:.6f} ratio={a / t:.3f}")


if __name__ == "__main__":
    main()
