#!/usr/bin/python3
"""Trains the built-in teaching model `builtin:shapes` and writes it as a Hugging Face ViT
folder (config.json, model.safetensors, preprocessor_config.json, README.md) into
resources/builtin/shapes/, and one sample image per class into resources/samples/shapes/.

Run (Debian 12; CPU only; python3-torch and python3-numpy from apt, nothing from pip):

    /usr/bin/python3 tools/train_shapes.py                 # seed 4321: 7000 steps, about 14 minutes
    /usr/bin/python3 tools/train_shapes.py --seed 7 --out /tmp/shapes --samples ''

The run is deterministic given --seed (default 4321) and --threads (default 1; one thread is
also the fastest on a busy 2-core machine): images come from numpy's PCG64 generator and the
weights from torch's generator, both seeded, and torch runs with deterministic algorithms.

The task: a 64x64 RGB image holds one shape (label 0 circle, 1 square, 2 triangle with its
apex up, 3 cross = plus sign with arms a third of its size thick), 16-32 px across, anywhere
in the image (entirely inside it), filled with a random colour that differs from the random
solid background by >= 80 in at least one channel, drawn with anti-aliased edges (4x4
supersampled coverage, as QPainter draws), then Gaussian noise of sigma 20 is added to every
channel and the result rounded and clipped to 0..255. tests/core/test_builtin_models.cpp
draws the same distribution with QPainter.

The model: ViTForImageClassification's exact parameter names and semantics (8x8 patches as
a strided convolution, CLS token, learned position embeddings, 3 pre-LayerNorm encoder layers
with separate query/key/value, hidden 64, 4 heads, exact-erf GELU, layer_norm_eps 1e-12,
final layernorm, linear classifier on CLS), saved as float16.

Training, step by step (batches of 32 fresh images, AdamW, lr 1.5e-3 with warmup and cosine
decay):
- Colour curriculum: random colours are what makes this hard for a ViT (its patch embedding
  is linear, so telling shape from background needs colour- and polarity-invariant features
  learnt from scratch); with white shapes on black it learns the geometry in a few hundred
  steps. So the first --fixed-steps (600) use white on black, then the colours are blended
  towards the task's random colours (alpha 0 -> 1) until --ramp-end (half) of the steps, and
  the rest train on the task's distribution.
- Isoluminant colours (--isoluminant, default 0.35): that share of the coloured training
  images has a fill whose channel differences from the background nearly cancel (red on
  green, say). Trained on the task's colours alone the model read brightness and got only
  60% of such images right (87% overall); with them, 87% of those and 91% overall.
- Attention guidance (--guidance, default 0.25): the loss adds guidance * (-log of the CLS
  attention-rollout mass on the patches the shape covers), the rollout being that of Abnar &
  Zuidema (2020) as AttnScope computes it (per layer 0.5 * head mean + 0.5 * I, rows
  renormalised, multiplied over layers), renormalised over the 64 patch tokens. This keeps
  the demo's rollout view on the shape; --guidance 0 trains on the labels alone (the
  rollout then spreads out more). Accuracy comes from the classification loss.
- Optional token labelling (--token-labels, default 0; Jiang et al. 2021): every patch
  token the shape covers also predicts the label through the classifier.

Preprocessing (preprocessor_config.json, what the engine's ImagePreprocessor applies): resize
to 64x64 (bilinear, resample 2; a no-op at 64x64), rescale by 1/255, normalise with mean and
std 0.5, so pixel values are x / 127.5 - 1.

At the end the script measures, on 1000 fresh images (a seed training never used),
accuracy and the CLS rollout mass on the shape's patches relative to their share of the image,
the same measurements tests/core/test_builtin_models.cpp makes with the C++ engine.
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
from hf_folder import read_safetensors, state_dict_to_numpy, write_json, write_png, write_safetensors  # noqa: E402

LABELS = ["circle", "square", "triangle", "cross"]
IMAGE = 64
PATCH = 8
GRID = IMAGE // PATCH
SUPERSAMPLE = 4
# The colour curriculum's starting point: shapes in these colours on black. The single-channel
# and two-channel colours make the model read each channel's geometry, not just brightness.
EASY_COLOURS = [(1, 1, 1), (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (0, 1, 1), (1, 0, 1)]


def coverage(kind, x0, y0, s, px, py):
    """Inside test of shape `kind` with bounding box (x0, y0, s, s) at points (px, py)
    (broadcasting arrays; continuous pixel coordinates, pixel (i, j) covers [i, i+1] x [j, j+1])."""
    cx, cy = x0 + s / 2, y0 + s / 2
    if kind == 0:  # circle of diameter s
        return (px - cx) ** 2 + (py - cy) ** 2 <= (s / 2) ** 2
    if kind == 1:  # axis-aligned square of side s
        return (px >= x0) & (px <= x0 + s) & (py >= y0) & (py <= y0 + s)
    if kind == 2:  # triangle, apex (cx, y0) up, base from (x0, y0 + s) to (x0 + s, y0 + s)
        return (py <= y0 + s) & (np.abs(px - cx) <= (py - y0) / 2)
    # cross: a plus sign with arms s long and s / 3 thick
    t = s / 6
    return ((np.abs(px - cx) <= t) & (np.abs(py - cy) <= s / 2)) | ((np.abs(py - cy) <= t) & (np.abs(px - cx) <= s / 2))


class ShapeGenerator:
    """Deterministic stream of (uint8 images [B, 64, 64, 3], labels [B], shape masks [B, 64, 64])."""

    WINDOW = 34  # pixels around the shape's box where coverage is computed (32 px + partial pixels)

    def __init__(self, seed):
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.sub = (np.arange(SUPERSAMPLE) + 0.5) / SUPERSAMPLE
        # Colour curriculum: 1 = the task's random colours; below 1 the colours are blended
        # towards a white shape on black (0 = white on black). Evaluation always uses 1.
        self.alpha = 1.0
        # Share of images drawn with nearly isoluminant colours (the channel differences sum to
        # less than 60 in magnitude, e.g. red on green). Without them the model leans on
        # brightness alone and fails on such pairs; evaluation always uses 0.
        self.isoluminant = 0.0

    def colours(self):
        rng = self.rng
        hard = self.isoluminant > 0 and rng.random() < self.isoluminant
        bg = rng.integers(0, 256, size=3)
        while True:
            fg = rng.integers(0, 256, size=3)
            if np.max(np.abs(fg - bg)) >= 80 and (not hard or abs(int(np.sum(fg - bg))) < 60):
                break
            if hard:  # a background near black or white has no isoluminant partner: draw both again
                bg = rng.integers(0, 256, size=3)
        a = self.alpha
        if a >= 1.0:
            return bg.astype(np.float64), fg.astype(np.float64)
        start = 255.0 * np.array(EASY_COLOURS[int(rng.integers(len(EASY_COLOURS)))], dtype=np.float64)
        return a * bg.astype(np.float64), (1 - a) * start + a * fg.astype(np.float64)

    def sample(self, kind=None):
        rng = self.rng
        if kind is None:
            kind = int(rng.integers(4))
        s = rng.uniform(16, 32)
        x0 = rng.uniform(0, IMAGE - s)
        y0 = rng.uniform(0, IMAGE - s)
        bg, fg = self.colours()
        # Coverage of each pixel: the share of its 4x4 sample points inside the shape, computed
        # in a window around the shape's box (pixels outside it are not covered).
        wx, wy = min(int(x0), IMAGE - self.WINDOW), min(int(y0), IMAGE - self.WINDOW)
        px = ((wx + np.arange(self.WINDOW))[:, None] + self.sub[None, :]).reshape(1, -1)
        py = ((wy + np.arange(self.WINDOW))[:, None] + self.sub[None, :]).reshape(-1, 1)
        inside = coverage(kind, x0, y0, s, px, py).astype(np.float64)
        cov = np.zeros((IMAGE, IMAGE))
        cov[wy:wy + self.WINDOW, wx:wx + self.WINDOW] = \
            inside.reshape(self.WINDOW, SUPERSAMPLE, self.WINDOW, SUPERSAMPLE).mean(axis=(1, 3))
        img = bg[None, None, :] + cov[:, :, None] * (fg - bg)[None, None, :]
        img = img + rng.normal(0.0, 20.0, size=img.shape)
        img = np.clip(np.rint(img), 0, 255).astype(np.uint8)
        return img, kind, cov >= 0.5

    def batch(self, size):
        imgs, labels, masks = zip(*(self.sample() for _ in range(size)))
        return np.stack(imgs), np.array(labels), np.stack(masks)


def to_pixels(imgs):
    """uint8 [B, H, W, 3] -> float [B, 3, H, W], rescaled by 1/255 and normalised (mean = std = 0.5)."""
    x = torch.from_numpy(imgs).permute(0, 3, 1, 2).float() * (1.0 / 255.0)
    return (x - 0.5) / 0.5


def patch_masks(masks):
    """Which of the 8x8 patches (row-major) hold at least one shape pixel: bool [B, 64]."""
    b = masks.shape[0]
    return masks.reshape(b, GRID, PATCH, GRID, PATCH).any(axis=(2, 4)).reshape(b, GRID * GRID)


class SelfAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(d, d)
        self.key = nn.Linear(d, d)
        self.value = nn.Linear(d, d)

    def forward(self, x):
        b, n, d = x.shape
        hd = d // self.heads
        q, k, v = (t(x).view(b, n, self.heads, hd).transpose(1, 2) for t in (self.query, self.key, self.value))
        probs = (q @ k.transpose(-1, -2) / math.sqrt(hd)).softmax(dim=-1)
        return (probs @ v).transpose(1, 2).reshape(b, n, d), probs


class Named(nn.Module):
    """An empty module to reproduce transformers' nesting of parameter names."""


class Layer(nn.Module):
    def __init__(self, d, heads, inner, eps):
        super().__init__()
        self.layernorm_before = nn.LayerNorm(d, eps=eps)
        self.attention = Named()
        self.attention.attention = SelfAttention(d, heads)
        self.attention.output = Named()
        self.attention.output.dense = nn.Linear(d, d)
        self.layernorm_after = nn.LayerNorm(d, eps=eps)
        self.intermediate = Named()
        self.intermediate.dense = nn.Linear(d, inner)
        self.output = Named()
        self.output.dense = nn.Linear(inner, d)

    def forward(self, x):
        a, probs = self.attention.attention(self.layernorm_before(x))
        x = x + self.attention.output.dense(a)
        h = F.gelu(self.intermediate.dense(self.layernorm_after(x)))
        return x + self.output.dense(h), probs


class ViTForImageClassification(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, std = cfg["hidden_size"], cfg["initializer_range"]
        n = (cfg["image_size"] // cfg["patch_size"]) ** 2
        self.vit = Named()
        self.vit.embeddings = Named()
        self.vit.embeddings.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.vit.embeddings.position_embeddings = nn.Parameter(torch.zeros(1, n + 1, d))
        self.vit.embeddings.patch_embeddings = Named()
        self.vit.embeddings.patch_embeddings.projection = nn.Conv2d(
            cfg["num_channels"], d, kernel_size=cfg["patch_size"], stride=cfg["patch_size"])
        self.vit.encoder = Named()
        self.vit.encoder.layer = nn.ModuleList(
            Layer(d, cfg["num_attention_heads"], cfg["intermediate_size"], cfg["layer_norm_eps"])
            for _ in range(cfg["num_hidden_layers"]))
        self.vit.layernorm = nn.LayerNorm(d, eps=cfg["layer_norm_eps"])
        self.classifier = nn.Linear(d, len(cfg["id2label"]))
        for m in self.modules():  # transformers' ViT initialisation
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.trunc_normal_(m.weight, std=std)
                nn.init.zeros_(m.bias)
        nn.init.trunc_normal_(self.vit.embeddings.cls_token, std=std)
        nn.init.trunc_normal_(self.vit.embeddings.position_embeddings, std=std)

    def forward(self, pixels, want_hidden=False):
        e = self.vit.embeddings
        x = e.patch_embeddings.projection(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([e.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + e.position_embeddings
        attentions = []
        for layer in self.vit.encoder.layer:
            x, probs = layer(x)
            attentions.append(probs)
        x = self.vit.layernorm(x)
        if want_hidden:  # training only: every token's final hidden state
            return x, attentions
        return self.classifier(x[:, 0]), attentions


def dct_patch_init(projection, scale=0.1):
    """Initialises the patch convolution with the lowest-frequency 8x8 DCT-II basis functions,
    hidden / channels of them per colour channel: every channel's local geometry (edges,
    corners) is then in the embedding from the first step, not only the brightness."""
    out_dim, channels, p, _ = projection.weight.shape
    per_channel = out_dim // channels
    order = sorted(((u, v) for u in range(p) for v in range(p)), key=lambda uv: (uv[0] + uv[1], uv))
    x = torch.arange(p, dtype=torch.float64)
    def basis(u):
        b = torch.cos(math.pi * (2 * x + 1) * u / (2 * p))
        return b * (math.sqrt(1 / p) if u == 0 else math.sqrt(2 / p))
    w = torch.zeros(out_dim, channels, p, p, dtype=torch.float64)
    for c in range(channels):
        for i, (u, v) in enumerate(order[:per_channel]):
            w[c * per_channel + i, c] = basis(u)[:, None] * basis(v)[None, :]  # rows: y (u), columns: x (v)
    with torch.no_grad():
        projection.weight.copy_((scale * w).float())
        projection.bias.zero_()


def cls_rollout(attentions):
    """CLS row of the attention rollout over all layers, renormalised over the patch tokens: [B, 64]."""
    rollout = None
    for probs in attentions:
        a = probs.mean(dim=1)
        a = 0.5 * a + 0.5 * torch.eye(a.shape[-1])
        a = a / a.sum(dim=-1, keepdim=True)
        rollout = a if rollout is None else a @ rollout
    row = rollout[:, 0, 1:]
    return row / row.sum(dim=-1, keepdim=True)


@torch.no_grad()
def evaluate(model, seed=24680, count=400):
    """Accuracy and rollout concentration on fresh images (a seed training never uses)."""
    model.eval()
    imgs, labels, masks = ShapeGenerator(seed).batch(count)
    logits, att = model(to_pixels(imgs))
    pm = torch.from_numpy(patch_masks(masks))
    roll = cls_rollout(att)
    share = pm.float().mean(dim=1)
    mass = (roll * pm).sum(dim=1)
    ratio = mass / share
    model.train()
    return {"accuracy": float((logits.argmax(-1).numpy() == labels).mean()),
            "rollout_ratio_mean": float(ratio.mean()),
            "rollout_ratio_median": float(ratio.median()),
            "rollout_ratio_pooled": float(mass.mean() / share.mean()),
            "images_ratio_ge_1_5": float((ratio >= 1.5).float().mean())}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=7000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--guidance", type=float, default=0.25)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--token-labels", type=float, default=0.0)
    ap.add_argument("--isoluminant", type=float, default=0.35,
                    help="share of training images in nearly isoluminant colours once the colours are random")
    ap.add_argument("--fixed-steps", type=int, default=600, help="steps on white shapes on black")
    ap.add_argument("--ramp-end", type=float, default=0.5,
                    help="share of the steps after which every image has the task's random colours")
    ap.add_argument("--out", default=os.path.join(here, "..", "resources", "builtin", "shapes"))
    ap.add_argument("--samples", default=os.path.join(here, "..", "resources", "samples", "shapes"),
                    help="folder for sample PNGs ('' = none)")
    ap.add_argument("--dtype", choices=["float32", "float16"], default="float16")
    ap.add_argument("--patch-init", choices=["dct", "random"], default="dct")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--intermediate", type=int, default=128)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    cfg = {
        "architectures": ["ViTForImageClassification"],
        "model_type": "vit",
        "hidden_size": args.hidden,
        "num_hidden_layers": 3,
        "num_attention_heads": 4,
        "intermediate_size": args.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "image_size": IMAGE,
        "patch_size": PATCH,
        "num_channels": 3,
        "qkv_bias": True,
        "encoder_stride": PATCH,
        "id2label": {str(i): name for i, name in enumerate(LABELS)},
        "label2id": {name: i for i, name in enumerate(LABELS)},
        "problem_type": "single_label_classification",
        "torch_dtype": args.dtype,
        "transformers_version": "4.40.0",
    }
    model = ViTForImageClassification(cfg)
    if args.patch_init == "dct":
        dct_patch_init(model.vit.embeddings.patch_embeddings.projection)
    data = ShapeGenerator(args.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.05)
    warmup = 150

    def lr_at(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, args.steps - warmup)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    start = time.time()
    for step in range(args.steps):
        data.alpha = min(1.0, max(0.0, (step - args.fixed_steps) / max(1, args.ramp_end * args.steps - args.fixed_steps)))
        data.isoluminant = args.isoluminant if data.alpha > 0 else 0.0
        imgs, labels, masks = data.batch(args.batch)
        hidden, att = model(to_pixels(imgs), want_hidden=True)
        out = model.classifier(hidden)
        logits = out[:, 0]
        target = torch.from_numpy(labels)
        loss = F.cross_entropy(logits, target)
        total = loss
        if args.token_labels > 0:
            # Token labelling (Jiang et al. 2021): every patch token the shape covers also
            # predicts the label through the same classifier; dense supervision that gets
            # the patch features going much sooner. The saved model is a plain ViT.
            pm = torch.from_numpy(patch_masks(masks)).float()
            per_token = F.cross_entropy(out[:, 1:].reshape(-1, out.shape[-1]),
                                        target.repeat_interleave(out.shape[1] - 1), reduction="none")
            total = total + args.token_labels * (per_token.view(pm.shape) * pm).sum() / pm.sum()
        if args.guidance > 0:
            mass = (cls_rollout(att) * torch.from_numpy(patch_masks(masks))).sum(dim=1)
            total = total + args.guidance * (-torch.log(mass + 1e-6)).mean()
        opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 250 == 0 or step == args.steps - 1:
            m = evaluate(model, count=200)
            print(f"step {step:5d}  loss {loss.item():.3f}  acc {m['accuracy']:.3f}  "
                  f"rollout x{m['rollout_ratio_mean']:.2f}  {time.time() - start:.0f}s", flush=True)
    minutes = (time.time() - start) / 60

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "model.safetensors")
    write_safetensors(path, state_dict_to_numpy(model.state_dict(), np.dtype(args.dtype)), {"format": "pt"})
    model.load_state_dict({k: torch.from_numpy(v.astype(np.float32)) for k, v in read_safetensors(path).items()})
    final = evaluate(model, count=1000)
    print(f"written model: {final}")
    write_json(os.path.join(args.out, "config.json"), cfg)
    write_json(os.path.join(args.out, "preprocessor_config.json"), {
        "image_processor_type": "ViTImageProcessor",
        "do_resize": True,
        "size": {"height": IMAGE, "width": IMAGE},
        "resample": 2,
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
    })
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write(f"""# builtin:shapes

A {cfg['num_hidden_layers']}-layer ViT (hidden {cfg['hidden_size']}, {cfg['num_attention_heads']} heads, 8x8 patches of a 64x64 RGB image) trained by
`tools/train_shapes.py --seed {args.seed}` ({args.steps} steps of {args.batch} fresh images, white-on-black first, then a colour
curriculum to the task's random colours with {100 * args.isoluminant:.0f}% of them nearly isoluminant, rollout attention
guidance {args.guidance}, {minutes:.1f} min on a 2-core CPU) to tell a circle, square, triangle (apex up) and cross (plus sign)
apart: one shape 16-32 px across anywhere in the image, a random fill colour on a random background,
Gaussian noise of sigma 20.

Measured on 1000 fresh images: accuracy {100 * final['accuracy']:.1f}%; the CLS attention rollout (over patches)
puts {final['rollout_ratio_mean']:.2f}x (mean over images) the mass on the patches the shape covers that
their share of the image would give.
""")
    if args.samples:
        os.makedirs(args.samples, exist_ok=True)
        gen = ShapeGenerator(args.seed + 1)
        for kind, name in enumerate(LABELS):
            img, _, _ = gen.sample(kind)
            write_png(os.path.join(args.samples, f"{name}.png"), img)
    print(f"wrote {args.out} in {minutes:.1f} min of training")


if __name__ == "__main__":
    main()
