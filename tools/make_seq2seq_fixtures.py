#!/usr/bin/env python3
"""Makes the transformers reference fixtures for the encoder-decoders (BART, Marian), the image
towers (CLIP, SigLIP) and the image captioners (vision-encoder-decoder) of issue #18, in the layout of tools/make_family_fixtures.py (whose helpers,
tokenizer training and conventions it shares):

    python3 tools/make_seq2seq_fixtures.py [OUTDIR] [--only bart,clip_vision_model]

Encoder-decoders: per case, the source's ids and a teacher-forced target (the decoder start,
then the next case text's ids without the last), and expected.safetensors with
case{i}.encoder_attentions, decoder_attentions [L, H, m, m], cross_attentions [L, H, m, n],
logits [m, vocab] and last_hidden_state (the decoder's last hidden state); expected.json adds
"generated": model.generate(input_ids, max_new_tokens=8, num_beams=1, do_sample=False)'s
sequence (the decoder's ids, from its start token) and "max_new_tokens". The engine's parity
test compares every stack, the logits and the greedy tokens.

Image towers: three synthetic images (written beside the model as image{i}.png) through the
checkpoint's own image processor (saved as preprocessor_config.json); per case
case{i}.pixel_values [3, H, W], case{i}.attentions and case{i}.last_hidden_state.

Captioners (VisionEncoderDecoderModel: a ViT or DeiT encoder, a GPT-2 decoder with
add_cross_attention): the image towers' images and processor, a GPT-2-style byte-level BPE; per
case the teacher-forced caption (the decoder start, then a case text's ids) and the encoder-
decoders' tensors (encoder_attentions over the image's tokens, cross_attentions over them),
case{i}.pixel_values, and "generated": model.generate(pixel_values, max_new_tokens=8, num_beams=1,
do_sample=False). One captioner has equal widths, one a narrower encoder (enc_to_dec_proj).

Weights are redrawn from normal(0, 0.25) with a seed, float32, eager attention, CPU; each
fixture is saved, reloaded and rerun (the reload must agree to 1e-5); a check per mechanism
must bite; a fixture that fails goes to OUTDIR/_failed/<name>/. Each folder stays under 1 MB.
"""

import argparse
import copy
import dataclasses
import json
import os
import shutil
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_family_fixtures as fam  # noqa: E402

MAX_NEW_TOKENS = 8


# --------------------------------------------------------------------------------------------
# Tokenizers.
# --------------------------------------------------------------------------------------------


def build_roberta_tokenizer():
    """BART's (RoBERTa's) byte-level BPE: ByteLevel pre-tokenizer without a prefix space,
    <s> A </s> (RobertaProcessing); <s> <pad> </s> <unk> are ids 0-3 and <mask> the last."""
    from tokenizers import pre_tokenizers

    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    vocab, merges = fam._train_bpe(None, pre_tokenizers.ByteLevel(add_prefix_space=False), fam.BYTELEVEL_VOCAB, specials,
                                   fam._training_lines(), initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    ids = {t: vocab[t] for t in specials}
    if [ids[t] for t in specials] != [0, 1, 2, 3]:
        raise RuntimeError("byte-level specials are not ids 0-3: %s" % ids)
    ids["<mask>"] = max(vocab.values()) + 1
    added = [fam._added(t, ids[t]) for t in specials + ["<mask>"]]
    added[-1]["lstrip"] = True  # RoBERTa's <mask> takes the space before it
    tj = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
          "pre_tokenizer": fam._bytelevel(False, True, True),
          "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": True,
                             "add_prefix_space": False},
          "decoder": fam._bytelevel(True, True, True),
          "model": fam._bpe_model(vocab, merges, None, False, False, False)}
    roles = {"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>",
             "pad_token": "<pad>", "mask_token": "<mask>"}
    return tj, roles, ids


def build_marian_tokenizer():
    """Marian's SentencePiece Unigram as a tokenizer.json (real OPUS-MT folders ship source.spm and
    target.spm instead, with a Precompiled nmt_nfkc normaliser the `tokenizers` library cannot
    train): Metaspace (prepend always), the source then </s>; </s> <unk> are ids 0-1, <pad> the last."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.train_from_iterator(fam._training_lines(), trainer=trainers.UnigramTrainer(
        vocab_size=fam.UNIGRAM_VOCAB, special_tokens=["</s>", "<unk>"], unk_token="<unk>", show_progress=False))
    tj = json.loads(tok.to_str())
    pieces = [p[0] for p in tj["model"]["vocab"]]
    ids = {"</s>": pieces.index("</s>"), "<unk>": pieces.index("<unk>"), "<pad>": len(pieces)}
    if (ids["</s>"], ids["<unk>"]) != (0, 1):
        raise RuntimeError("Unigram specials are not ids 0-1: %s" % ids)
    tj.update({"truncation": None, "padding": None,
               "added_tokens": [fam._added(t, ids[t]) for t in ("</s>", "<unk>", "<pad>")],
               "post_processor": {
                   "type": "TemplateProcessing",
                   "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                   "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}},
                            {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                   "special_tokens": {"</s>": {"id": "</s>", "ids": [0], "tokens": ["</s>"]}}},
               "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}})
    roles = {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}
    return tj, roles, ids


def build_gpt2_tokenizer():
    """GPT-2's byte-level BPE: no prefix space, no post-processor (nothing added around a text),
    <|endoftext|> as id 0 and the BOS, EOS and pad token (as a captioner's decoder uses it)."""
    from tokenizers import pre_tokenizers

    specials = ["<|endoftext|>"]
    vocab, merges = fam._train_bpe(None, pre_tokenizers.ByteLevel(add_prefix_space=False), fam.BYTELEVEL_VOCAB, specials,
                                   fam._training_lines(), initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    ids = {"<|endoftext|>": vocab["<|endoftext|>"]}
    if ids["<|endoftext|>"] != 0:
        raise RuntimeError("<|endoftext|> is not id 0: %s" % ids)
    tj = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [fam._added("<|endoftext|>", 0)],
          "normalizer": None, "pre_tokenizer": fam._bytelevel(False, True, True), "post_processor": None,
          "decoder": fam._bytelevel(True, True, True), "model": fam._bpe_model(vocab, merges, None, False, False, False)}
    roles = {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "pad_token": "<|endoftext|>"}
    return tj, roles, ids


fam.TOKENIZER_BUILDERS["roberta"] = build_roberta_tokenizer
fam.TOKENIZER_BUILDERS["gpt2"] = build_gpt2_tokenizer
fam.TOKENIZER_BUILDERS["marian"] = build_marian_tokenizer


# --------------------------------------------------------------------------------------------
# Specs.
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Spec:
    name: str
    kind: str  # "seq2seq", "image" or "caption"
    tokenizer: str  # seq2seq: a tokenizer style; image: the image processor class
    config_class: str
    model_class: str
    make_kwargs: object  # seq2seq: (vocab, ids) -> kwargs; image: () -> kwargs
    exercises: str
    checks: list
    processor_kwargs: dict = dataclasses.field(default_factory=dict)
    encoder_config_class: str = ""  # caption: the encoder's config class (the decoder is GPT-2)


def bite(label, key, mutate_kwargs=None, mutate_model=None):
    """The mechanism `label` must move `key` (a stack's attentions, or last_hidden_state) by more than BITE."""
    def run(ctx):
        outs = variant_outputs(ctx, mutate_kwargs, mutate_model)
        d = max(fam.maxdiff(r[key], o[key]) for r, o in zip(ctx["ref"], outs))
        fam.say("  check %-28s %s moves by %.3g" % (label, key, d))
        if not d > fam.BITE:
            raise fam.CheckFailed("%s does not bite: %s moves by %.3g" % (label, key, d))
        return {"check": label, "key": key, "max_diff": round(d, 6)}
    return run


def bart_kwargs(vocab, ids):
    return dict(vocab_size=vocab, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64, activation_function="gelu",
                max_position_embeddings=128, pad_token_id=ids["<pad>"], bos_token_id=ids["<s>"], eos_token_id=ids["</s>"],
                decoder_start_token_id=ids["</s>"], forced_eos_token_id=ids["</s>"], scale_embedding=False)


def marian_kwargs(vocab, ids):
    return dict(vocab_size=vocab, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64, activation_function="swish",
                max_position_embeddings=128, pad_token_id=ids["<pad>"], eos_token_id=ids["</s>"],
                decoder_start_token_id=ids["<pad>"], forced_eos_token_id=ids["</s>"], scale_embedding=True,
                share_encoder_decoder_embeddings=True)


def tower_kwargs(activation, eps):
    return lambda: dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_channels=3,
                        image_size=32, patch_size=8, hidden_act=activation, layer_norm_eps=eps)


def caption_kwargs(encoder_width, decoder_width):
    """(encoder kwargs, GPT-2 decoder kwargs) of a captioner; widths that differ need enc_to_dec_proj."""
    def make(vocab, ids):
        encoder = dict(hidden_size=encoder_width, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                       num_channels=3, image_size=32, patch_size=8, hidden_act="gelu", layer_norm_eps=1e-12)
        decoder = dict(vocab_size=vocab, n_embd=decoder_width, n_layer=2, n_head=4, n_positions=64,
                       activation_function="gelu_new", add_cross_attention=True, is_decoder=True,
                       bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|endoftext|>"], pad_token_id=ids["<|endoftext|>"])
        return encoder, decoder
    return make


def cross_ln(i):
    return "decoder.transformer.h.%d.ln_cross_attn" % i


SPECS = [
    Spec("bart", "seq2seq", "roberta", "BartConfig", "BartForConditionalGeneration", bart_kwargs,
         "learned positions read from table row 2 (offset 2), layernorm_embedding in each stack, post-norm blocks "
         "with cross-attention between self-attention and the feed-forward layers, GELU, the LM head tied to "
         "model.shared plus final_logits_bias, forced_eos_token_id; RoBERTa byte-level BPE <s> A </s>",
         [bite("layernorm_embedding", "encoder_attentions", mutate_model=fam.scale_module_weight("model.encoder.layernorm_embedding", 2.0)),
          bite("decoder positions", "decoder_attentions", mutate_model=fam.scale_module_weight("model.decoder.embed_positions", 2.0))]),
    Spec("marian", "seq2seq", "marian", "MarianConfig", "MarianMTModel", marian_kwargs,
         "sinusoidal positions (sines then cosines), scale_embedding (x sqrt(d_model)), swish, post-norm blocks, "
         "final_logits_bias, the decoder starting from <pad>; SentencePiece Unigram with </s> appended",
         [bite("scale_embedding", "encoder_attentions", mutate_kwargs=lambda kw: kw.update(scale_embedding=False))]),
    Spec("clip_vision_model", "image", "CLIPImageProcessor", "CLIPVisionConfig", "CLIPVisionModel",
         tower_kwargs("quick_gelu", 1e-5),
         "class_embedding [hidden], patch convolution without bias, pre_layrnorm over the embeddings, quick_gelu, "
         "post_layernorm outside the last hidden state; CLIP's processor (short side, then center crop)",
         [bite("pre_layrnorm", "attentions", mutate_model=fam.scale_module_weight("vision_model.pre_layrnorm", 2.0))],
         processor_kwargs=dict(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}, do_center_crop=True)),
    Spec("siglip_vision_model", "image", "SiglipImageProcessor", "SiglipVisionConfig", "SiglipVisionModel",
         tower_kwargs("gelu_pytorch_tanh", 1e-6),
         "no class token (16 patch tokens), position_embedding [patches, hidden], gelu_pytorch_tanh, post_layernorm "
         "in the last hidden state, the attention-pooling head's probe attention (probe_attentions [1, heads, 1, n]); "
         "SigLIP's processor (resize to 32 x 32)",
         [bite("post_layernorm", "last_hidden_state", mutate_model=fam.scale_module_weight("vision_model.post_layernorm", 2.0))],
         processor_kwargs=dict(size={"height": 32, "width": 32})),
    Spec("vision-encoder-decoder", "caption", "gpt2", "GPT2Config", "VisionEncoderDecoderModel", caption_kwargs(32, 32),
         "a ViT encoder (its final layernorm before the decoder reads it) and a GPT-2 decoder with cross-attention "
         "(ln_cross_attn, crossattention.q_attn, fused crossattention.c_attn [k | v], c_proj) between self-attention "
         "and the MLP; equal widths, so no enc_to_dec_proj; decoder_start_token_id <|endoftext|>; GPT-2 byte-level BPE",
         [bite("ln_cross_attn", "cross_attentions", mutate_model=fam.scale_module_weight(cross_ln(0), 2.0)),
          bite("encoder layernorm", "cross_attentions", mutate_model=fam.scale_module_weight("encoder.layernorm", 2.0))],
         processor_kwargs=dict(size={"height": 32, "width": 32}), encoder_config_class="ViTConfig"),
    Spec("vision-encoder-decoder_projected", "caption", "gpt2", "GPT2Config", "VisionEncoderDecoderModel", caption_kwargs(32, 48),
         "a DeiT encoder (class and distillation tokens) 32 wide before a GPT-2 decoder 48 wide: enc_to_dec_proj "
         "maps the encoder's output to the decoder's width before cross-attention reads it",
         [bite("enc_to_dec_proj", "cross_attentions", mutate_model=fam.scale_module_weight("enc_to_dec_proj", 2.0))],
         processor_kwargs=dict(size={"height": 32, "width": 32}), encoder_config_class="DeiTConfig"),
]


# --------------------------------------------------------------------------------------------
# Forward passes.
# --------------------------------------------------------------------------------------------


def forward_seq2seq(model, ids, decoder_ids):
    import torch

    m = copy.deepcopy(model).eval()
    with torch.no_grad():
        out = m(input_ids=torch.tensor([ids]), decoder_input_ids=torch.tensor([decoder_ids]), output_attentions=True,
                output_hidden_states=True, use_cache=False)
    stack = lambda atts: torch.stack([a[0] for a in atts]).float().contiguous()  # noqa: E731
    return {"encoder_attentions": stack(out.encoder_attentions), "decoder_attentions": stack(out.decoder_attentions),
            "cross_attentions": stack(out.cross_attentions), "logits": out.logits[0].float().contiguous(),
            "last_hidden_state": out.decoder_hidden_states[-1][0].float().contiguous()}


def forward_image(model, pixels):
    import torch

    m = copy.deepcopy(model).eval()
    with torch.no_grad():
        out = m(pixel_values=pixels[None], output_attentions=True, output_hidden_states=True)
        result = {"attentions": torch.stack([a[0] for a in out.attentions]).float().contiguous(),
                  "last_hidden_state": out.last_hidden_state[0].float().contiguous()}
        # SigLIP's attention-pooling head: its probe's attention over the last hidden state, per
        # head, asked of the head's own nn.MultiheadAttention (transformers does not return it).
        head = getattr(getattr(m, "vision_model", None), "head", None)
        if head is not None and hasattr(head, "probe"):
            probe = head.probe.repeat(1, 1, 1)
            _, weights = head.attention(probe, out.last_hidden_state, out.last_hidden_state, need_weights=True,
                                        average_attn_weights=False)
            result["probe_attentions"] = weights[0][None].float().contiguous()  # [1 layer, heads, 1, n]
    return result


def forward_caption(model, pixels, decoder_ids):
    import torch

    m = copy.deepcopy(model).eval()
    with torch.no_grad():
        out = m(pixel_values=pixels[None], decoder_input_ids=torch.tensor([decoder_ids]), output_attentions=True,
                output_hidden_states=True, use_cache=False)
    stack = lambda atts: torch.stack([a[0] for a in atts]).float().contiguous()  # noqa: E731
    return {"encoder_attentions": stack(out.encoder_attentions), "decoder_attentions": stack(out.decoder_attentions),
            "cross_attentions": stack(out.cross_attentions), "logits": out.logits[0].float().contiguous(),
            "last_hidden_state": out.decoder_hidden_states[-1][0].float().contiguous()}


def forward(ctx_model, spec, case):
    if spec.kind == "seq2seq":
        return forward_seq2seq(ctx_model, case["ids"], case["decoder_input_ids"])
    if spec.kind == "caption":
        return forward_caption(ctx_model, case["_pixels"], case["decoder_input_ids"])
    return forward_image(ctx_model, case["_pixels"])


def caption_config(spec, kwargs):
    """The captioner's VisionEncoderDecoderConfig from (encoder kwargs, decoder kwargs)."""
    import transformers

    encoder_kwargs, decoder_kwargs = kwargs
    cfg = transformers.VisionEncoderDecoderConfig.from_encoder_decoder_configs(
        getattr(transformers, spec.encoder_config_class)(**copy.deepcopy(encoder_kwargs)),
        transformers.GPT2Config(**copy.deepcopy(decoder_kwargs)))
    cfg.decoder_start_token_id = decoder_kwargs["bos_token_id"]
    cfg.eos_token_id = decoder_kwargs["eos_token_id"]
    cfg.pad_token_id = decoder_kwargs["pad_token_id"]
    return cfg


def variant_outputs(ctx, mutate_kwargs=None, mutate_model=None):
    import transformers

    kw = copy.deepcopy(ctx["kwargs"])
    if mutate_kwargs is not None:
        mutate_kwargs(kw)
    spec = ctx["spec"]
    cfg = caption_config(spec, kw) if spec.kind == "caption" else getattr(transformers, spec.config_class)(**kw)
    model = instantiate(spec, cfg)
    model.load_state_dict(ctx["state"], strict=True)
    if mutate_model is not None:
        mutate_model(model)
    return [forward(model, ctx["spec"], c) for c in ctx["cases"]]


def instantiate(spec, cfg):
    import torch
    import transformers

    cls = getattr(transformers, spec.model_class)
    try:
        model = cls._from_config(cfg, attn_implementation="eager")
    except TypeError:
        cfg._attn_implementation = "eager"
        model = cls(cfg)
    return model.to(torch.float32).eval()


def synthetic_images():
    """Three RGB images of different sizes and aspect ratios: gradients with a bright square."""
    import numpy as np
    from PIL import Image

    images = []
    for i, (w, h) in enumerate([(48, 40), (40, 56), (32, 32)]):
        y, x = np.mgrid[0:h, 0:w]
        rgb = np.stack([(x * 255 // max(w - 1, 1)), (y * 255 // max(h - 1, 1)), ((x + y + 40 * i) % 256)], axis=-1)
        rgb[h // 4:h // 2, w // 3:w // 3 + 8] = 250
        images.append(Image.fromarray(rgb.astype("uint8"), "RGB"))
    return images


# --------------------------------------------------------------------------------------------
# One fixture.
# --------------------------------------------------------------------------------------------


def make_fixture(spec, index, outdir, versions):
    import torch
    import transformers
    from safetensors.torch import save_file

    t0 = time.time()
    tmp = os.path.join(outdir, "_work", spec.name)
    shutil.rmtree(tmp, ignore_errors=True)
    model_dir = os.path.join(tmp, "model")
    os.makedirs(model_dir)
    seed = 1900 + index
    torch.manual_seed(seed)

    if spec.kind in ("seq2seq", "caption"):
        roles, ids, vocab = fam.save_tokenizer(spec.tokenizer, model_dir)
        kwargs = spec.make_kwargs(vocab, ids)
    else:
        kwargs = spec.make_kwargs()
    if spec.kind in ("image", "caption"):
        processor_class = "ViTImageProcessor" if spec.kind == "caption" else spec.tokenizer
        getattr(transformers, processor_class)(**spec.processor_kwargs).save_pretrained(model_dir)
    if spec.kind == "caption":
        fam.check_keys(getattr(transformers, spec.encoder_config_class), kwargs[0], ())
        fam.check_keys(transformers.GPT2Config, kwargs[1], ())
        cfg = caption_config(spec, kwargs)
        fam.verify_config(cfg.encoder, kwargs[0], spec.name + " encoder")
        fam.verify_config(cfg.decoder, kwargs[1], spec.name + " decoder")
    else:
        fam.check_keys(getattr(transformers, spec.config_class), kwargs, ())
        cfg = getattr(transformers, spec.config_class)(**copy.deepcopy(kwargs))
        fam.verify_config(cfg, kwargs, spec.name)
    model = instantiate(spec, cfg)
    fam.redraw_weights(model, seed)
    model.save_pretrained(model_dir)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    if spec.kind == "seq2seq":
        tok = transformers.AutoTokenizer.from_pretrained(model_dir)
        texts = fam.CASE_TEXTS + [fam.fit_long_text(tok, fam.LONG_MIN_TOKENS)]
        cases, warnings = fam.encode_cases(tok, model_dir, texts)
        for i, c in enumerate(cases):
            target = cases[(i + 1) % len(cases)]["ids"]
            c["decoder_input_ids"] = [cfg.decoder_start_token_id] + target[:-1]
    else:
        warnings = []
        cases = []
        reloaded_processor = transformers.AutoImageProcessor.from_pretrained(model_dir)
        for i, image in enumerate(synthetic_images()):
            image.save(os.path.join(tmp, "image%d.png" % i))
            pixels = reloaded_processor(images=image, return_tensors="pt")["pixel_values"][0].float()
            cases.append({"image": "image%d.png" % i, "size": list(image.size), "_pixels": pixels})
        if spec.kind == "caption":
            # A teacher-forced caption per image: the decoder start, then a case text's ids.
            tok = transformers.AutoTokenizer.from_pretrained(model_dir)
            for i, c in enumerate(cases):
                caption = fam.CASE_TEXTS[i % len(fam.CASE_TEXTS)]
                c["caption"] = caption
                c["decoder_input_ids"] = [cfg.decoder_start_token_id] + [int(t) for t in tok(caption)["input_ids"]]

    ref = [forward(model, spec, c) for c in cases]
    for i, r in enumerate(ref):
        for key, value in r.items():
            if not torch.isfinite(value).all():
                raise fam.CheckFailed("case %d %s is not finite" % (i, key))
        for key in [k for k in r if k.endswith("attentions")]:
            fam.attention_sanity(r[key], "case%d.%s" % (i, key), causal=key == "decoder_attentions")

    if spec.kind in ("seq2seq", "caption"):
        for i, c in enumerate(cases):
            source = {"pixel_values": c["_pixels"][None]} if spec.kind == "caption" else {"input_ids": torch.tensor([c["ids"]])}
            with torch.no_grad():
                seq = model.generate(**source, max_new_tokens=MAX_NEW_TOKENS, num_beams=1, do_sample=False)
            c["generated"] = [int(t) for t in seq[0]]
            c["max_new_tokens"] = MAX_NEW_TOKENS
            fam.say("  case%d generated %s" % (i, c["generated"]))

    # The checkpoint as written must give the same numbers.
    reloaded = getattr(transformers, spec.model_class).from_pretrained(model_dir, attn_implementation="eager",
                                                                        dtype=torch.float32).eval()
    rdiff = max(fam.maxdiff(r[k], rr[k]) for c, r in zip(cases, ref) for rr in [forward(reloaded, spec, c)] for k in r)
    fam.say("  reload: outputs max diff %.3g" % rdiff)
    if rdiff > fam.RELOAD_TOL:
        raise fam.CheckFailed("the saved checkpoint reloads differently (%.3g)" % rdiff)
    del reloaded

    ctx = {"spec": spec, "kwargs": kwargs, "state": state, "cases": cases, "ref": ref}
    checks = [check(ctx) for check in spec.checks]

    tensors = {}
    for i, (c, r) in enumerate(zip(cases, ref)):
        for key, value in r.items():
            tensors["case%d.%s" % (i, key)] = value.contiguous()
        if "_pixels" in c:
            tensors["case%d.pixel_values" % i] = c.pop("_pixels").contiguous()
    save_file(tensors, os.path.join(tmp, "expected.safetensors"))
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        saved_config = json.load(f)
    expected = {"model_type": saved_config.get("model_type"), "cases": cases, **versions,
                "fixture": spec.name, "architecture": spec.model_class, "exercises": spec.exercises,
                "generator": "tools/make_seq2seq_fixtures.py (random weights normal(0, %g), seed %d, eager, float32, CPU)"
                             % (fam.WEIGHT_STD, seed),
                "checks": checks}
    if warnings:
        expected["warnings"] = warnings
    with open(os.path.join(tmp, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False, allow_nan=False)
        f.write("\n")
    size = fam.folder_bytes(tmp)
    if size >= fam.MAX_FOLDER_BYTES:
        raise fam.CheckFailed("folder is %d bytes, over the %d limit" % (size, fam.MAX_FOLDER_BYTES))
    final = os.path.join(outdir, spec.name)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    return {"size": size, "cases": len(cases), "seconds": time.time() - t0}


def check_marian_spm(outdir):
    """Runs transformers' own MarianTokenizer (SentencePiece files, no tokenizer.json) on the
    Marian folder of tests/fixtures/sentencepiece/ and compares its ids with the ones
    make_sentencepiece_fixtures.py transcribed; writes _log/marian_spm.json either way."""
    from transformers import MarianTokenizer

    here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "fixtures", "sentencepiece")
    with open(os.path.join(here, "reference.json"), encoding="utf-8") as f:
        reference = json.load(f)["marian"]
    tok = MarianTokenizer.from_pretrained(os.path.join(here, "marian"))
    report = {"mismatches": [], "checked": 0}
    for side, rows in reference.items():
        for row in rows:
            got = tok(text_target=row["text"])["input_ids"] if side == "target" else tok(row["text"])["input_ids"]
            report["checked"] += 1
            if list(got) != row["ids"]:
                report["mismatches"].append({"side": side, "text": row["text"], "transformers": list(got), "ours": row["ids"]})
    with open(os.path.join(outdir, "_log", "marian_spm.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, ensure_ascii=False, indent=1)
    fam.say("MarianTokenizer on tests/fixtures/sentencepiece/marian: %d texts, %d mismatches"
            % (report["checked"], len(report["mismatches"])))
    return not report["mismatches"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", nargs="?", default=os.path.join("tests", "fixtures"))
    parser.add_argument("--only", default="", help="comma-separated fixture names (default: all)")
    args = parser.parse_args()
    outdir = os.path.abspath(args.outdir)
    os.makedirs(os.path.join(outdir, "_log"), exist_ok=True)
    fam.log_file = open(os.path.join(outdir, "_log", "make_seq2seq_fixtures.log"), "w", encoding="utf-8")
    import tokenizers
    import torch
    import transformers

    versions = {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__, "torch": torch.__version__}
    fam.say("versions:", versions)
    wanted = [s for s in args.only.split(",") if s]
    failed = []
    for index, spec in enumerate(SPECS):
        if wanted and spec.name not in wanted:
            continue
        fam.say("\n=== %s (%s)" % (spec.name, spec.model_class))
        try:
            info = make_fixture(spec, index, outdir, versions)
            fam.say("  ok: %d bytes, %d cases, %.1f s" % (info["size"], info["cases"], info["seconds"]))
        except Exception as e:  # one family's failure must not stop the others
            fam.say(traceback.format_exc())
            fam.say("FAILED %s: %s" % (spec.name, e))
            failed.append(spec.name)
            src = os.path.join(outdir, "_work", spec.name)
            if os.path.isdir(src):
                dst = os.path.join(outdir, "_failed", spec.name)
                shutil.rmtree(dst, ignore_errors=True)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                os.replace(src, dst)
    if not wanted:
        try:
            if not check_marian_spm(outdir):
                failed.append("marian_spm")
        except Exception:
            fam.say(traceback.format_exc())
            failed.append("marian_spm")
    fam.say("\nfailed: %s" % (", ".join(failed) or "none"))
    fam.log_file.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
