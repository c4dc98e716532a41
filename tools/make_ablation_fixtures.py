#!/usr/bin/env python3
"""Makes transformers references for switching heads off (issue #19): the golden models'
logits with chosen heads' outputs zeroed, or replaced by their mean over the positions, before
each layer's output projection, done by a forward pre-hook on that projection — the way
interpretability code ablates heads in transformers.

Run once, offline, on the device machine (transformers 5.x, torch), from the repository root:

    python3 tools/make_ablation_fixtures.py [GOLDEN_DIR] [OUTDIR]
        # GOLDEN_DIR defaults to ../shared/golden (shared/golden on the device), OUTDIR to
        # tests/fixtures/ablation

For each family it writes OUTDIR/<family>/ablation.json (the golden folder it ran, and per case
the text, the ids as the golden expected.json gives them (T5: and its decoder_ids), and the
ablations: heads "L.H,L.H" as --heads spells them, T5's "decoder:L.H" and "cross:L.H" too, and
mode) and ablation.safetensors (float32: case{i}.plain.logits, then per ablation j
case{i}.ablation{j}.logits [n, vocab] and case{i}.ablation{j}.last_hidden_state [n, hidden],
hidden_states[-1] as transformers returns it). The model itself is the golden one, not copied.

Checks before writing: the run without hooks reproduces the golden expected.safetensors logits
(1e-5); every ablation moves the logits (> 1e-4); zeroing equals zeroing the projection's input
weights of those heads (1e-5), so the hook sits where the engine ablates.
It has not been run yet (no device machine in the session that wrote it): expect fixes.
"""
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# family: (where the output projection of layer {L} is, per stack as the engine names it ("" the
# model's own, "decoder", "cross"), whether its weight is [in, out] (Conv1D))
FAMILIES = {
    "gpt2": ({"": "transformer.h.{L}.attn.c_proj"}, True),
    "llama": ({"": "model.layers.{L}.self_attn.o_proj"}, False),
    "bert_mlm": ({"": "bert.encoder.layer.{L}.attention.output.dense"}, False),
    "gpt_neox": ({"": "gpt_neox.layers.{L}.attention.dense"}, False),
    # The golden T5Model run as T5ForConditionalGeneration (its tied LM head): the encoder's,
    # the decoder's and the cross-attention's heads.
    "t5": ({"": "encoder.block.{L}.layer.0.SelfAttention.o", "decoder": "decoder.block.{L}.layer.0.SelfAttention.o",
            "cross": "decoder.block.{L}.layer.1.EncDecAttention.o"}, False),
}
ABLATIONS = [("1.0", "zero"), ("0.1,1.3", "zero"), ("1.2", "mean"), ("0.0,0.1,0.2,0.3", "mean")]
SEQ2SEQ_ABLATIONS = [("decoder:1.0", "zero"), ("cross:0.1,cross:1.3", "zero"), ("0.2,decoder:0.0,cross:1.1", "mean")]


def parse(heads):
    """{(stack, layer): [heads]} from "1.0,decoder:0.1,cross:1.2" (--heads' spelling)."""
    out = {}
    for item in heads.split(","):
        stack, _, at = item.rpartition(":")
        layer, head = at.split(".")
        out.setdefault((stack, int(layer)), []).append(int(head))
    return out


def module_at(model, dotted):
    m = model
    for part in dotted.split("."):
        m = m[int(part)] if part.isdigit() else getattr(m, part)
    return m


def run(model, ids, where, heads, mode, head_dim, decoder_ids=None):
    import torch

    hooks = []
    for (stack, layer), hs in parse(heads).items() if heads else []:
        def pre(module, args, hs=hs):
            x = args[0].clone()
            for h in hs:
                block = x[..., h * head_dim:(h + 1) * head_dim]
                x[..., h * head_dim:(h + 1) * head_dim] = 0.0 if mode == "zero" else block.mean(dim=1, keepdim=True).expand_as(block)
            return (x,) + tuple(args[1:])
        hooks.append(module_at(model, where[stack].format(L=layer)).register_forward_pre_hook(pre))
    try:
        with torch.no_grad():
            if decoder_ids is None:
                out = model(input_ids=torch.tensor([ids]), output_hidden_states=True)
                return out.logits[0].float(), out.hidden_states[-1][0].float()
            out = model(input_ids=torch.tensor([ids]), decoder_input_ids=torch.tensor([decoder_ids]), output_hidden_states=True)
            return out.logits[0].float(), out.decoder_hidden_states[-1][0].float()
    finally:
        for h in hooks:
            h.remove()


def main():
    import torch
    from safetensors.torch import load_file, save_file
    from transformers import AutoModelForCausalLM, AutoModelForMaskedLM, T5ForConditionalGeneration

    golden = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared", "golden"))
    outdir = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join("tests", "fixtures", "ablation"))
    failed = []
    for family, (where, conv1d) in FAMILIES.items():
        folder = os.path.join(golden, family)
        try:
            seq2seq = family == "t5"
            cls = T5ForConditionalGeneration if seq2seq else AutoModelForMaskedLM if family.endswith("_mlm") else AutoModelForCausalLM
            model = cls.from_pretrained(os.path.join(folder, "model"), attn_implementation="eager").eval()
            cfg = model.config
            head_dim = cfg.d_kv if seq2seq else cfg.hidden_size // cfg.num_attention_heads
            ablations = SEQ2SEQ_ABLATIONS + ABLATIONS if seq2seq else ABLATIONS
            with open(os.path.join(folder, "expected.json")) as f:
                cases = json.load(f)["cases"]
            expected = load_file(os.path.join(folder, "expected.safetensors"))
            tensors, rows = {}, []
            for i, case in enumerate(cases):
                ids = case["ids"]
                decoder_ids = case.get("decoder_input_ids") if seq2seq else None
                plain, _ = run(model, ids, where, "", "zero", head_dim, decoder_ids)
                if f"case{i}.logits" in expected:
                    diff = (plain - expected[f"case{i}.logits"].float()).abs().max().item()
                    assert diff <= 1e-5, f"{family} case {i}: the plain run is {diff} from the golden logits"
                tensors[f"case{i}.plain.logits"] = plain.contiguous()
                for j, (heads, mode) in enumerate(ablations):
                    logits, hidden = run(model, ids, where, heads, mode, head_dim, decoder_ids)
                    moved = (logits - plain).abs().max().item()
                    assert moved > 1e-4, f"{family} case {i}: ablating {heads} ({mode}) moved nothing ({moved})"
                    if mode == "zero":
                        cut = cls.from_pretrained(os.path.join(folder, "model"), attn_implementation="eager").eval()
                        with torch.no_grad():
                            for (stack, layer), hs in parse(heads).items():
                                w = module_at(cut, where[stack].format(L=layer)).weight
                                for h in hs:
                                    if conv1d:
                                        w[h * head_dim:(h + 1) * head_dim, :] = 0.0
                                    else:
                                        w[:, h * head_dim:(h + 1) * head_dim] = 0.0
                        reference, _ = run(cut, ids, where, "", "zero", head_dim, decoder_ids)
                        diff = (reference - logits).abs().max().item()
                        assert diff <= 1e-5, f"{family} case {i}: the hook and cut weights differ by {diff}"
                    tensors[f"case{i}.ablation{j}.logits"] = logits.contiguous()
                    tensors[f"case{i}.ablation{j}.last_hidden_state"] = hidden.contiguous()
                row = {"text": case["text"], "ids": ids, "ablations": [{"heads": h, "mode": m} for h, m in ablations]}
                if seq2seq:
                    row["decoder_ids"] = decoder_ids
                rows.append(row)
            dest = os.path.join(outdir, family)
            os.makedirs(dest, exist_ok=True)
            with open(os.path.join(dest, "ablation.json"), "w") as f:
                json.dump({"golden": family, "cases": rows}, f, indent=1)
            save_file(tensors, os.path.join(dest, "ablation.safetensors"))
            print(f"{family}: {len(rows)} cases")
        except Exception as e:  # one family's failure must not stop the others
            print(f"FAILED {family}: {e}")
            failed.append(family)
    print("failed:", ", ".join(failed) or "none")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
