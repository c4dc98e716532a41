#!/usr/bin/env python3
"""Writes tests/fixtures/sentencepiece/: SentencePiece references made by the real libraries.

Real T5, ALBERT, XLM-R, mT5 and DeBERTa-v3 folders normalise text with SentencePiece's
compiled rules (tokenizer.json's `Precompiled` normaliser); OPUS-MT (Marian) folders ship the
SentencePiece models themselves (`source.spm`, `target.spm`) beside `vocab.json`. This script
makes small models of both kinds and what the reference implementations make of a set of texts:

- `spm_train` / `spm_encode` from Debian's `sentencepiece` package (Google's C++ library, the
  one transformers' MarianTokenizer calls through the Python wrapper) train the models and give
  the pieces and ids of every case;
- `tokenizers` 0.23.2 from npm (Hugging Face's Rust library, the version transformers 5.17
  runs, with its own native build) loads a tokenizer.json laid out as transformers'
  SentencePiece converters write it, with the model's charsmap, and gives ids, tokens and
  offsets.

Usage: python3 tools/make_sentencepiece_fixtures.py [OUT_DIR]  (default tests/fixtures/sentencepiece)
Needs: apt-get install sentencepiece; network access to the npm registry (tokenizers@0.23.2).
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Attention is all you need, and the heads show where each word looks.",
    "A translation aligns every target word with the source words it came from.",
    "Der schnelle braune Fuchs springt über den faulen Hund.",
    "Die Aufmerksamkeit zeigt, wohin jedes Wort schaut.",
    "Ich bin ein kleiner Frosch, und Tom bat seinen Lehrer um Rat.",
    "Müller, Straße, Größe, schön, übermäßig, Äpfel und Öl.",
    "Le renard brun rapide saute par-dessus le chien paresseux.",
    "Où est la bibliothèque ? Voilà ! Ça coûte très cher, n'est-ce pas ?",
    "Élève, été, garçon, cœur, naïve, Noël, fiancée, déjà vu.",
    "El veloz murciélago hindú comía feliz cardillo y kiwi.",
    "¿Dónde está la estación? ¡Mañana será otro día!",
    "Быстрая коричневая лиса прыгает через ленивую собаку.",
    "Η γρήγορη καφέ αλεπού πηδά πάνω από τον τεμπέλη σκύλο.",
    "素早い茶色の狐がのろまな犬を飛び越える。これは日本語の文です。",
    "Numbers: 1, 2, 3, 42, 1999, 2026, 3.14159, 100%.",
]
# The German lines again, as the other side of a translation pair (Marian's target.spm).
TARGET_CORPUS = [line for line in CORPUS if any(c in line for c in "üßöäÄÖ") or line.startswith("D")]

CASES = [
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "  leading, trailing   and   repeated spaces  ",
    "Tabs\tand\nnew lines\r\nand a carriage return",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ ｔｅｘｔ and ①②③",
    "ﬁne ﬂowers, ™, …, Ⅻ, ½, x², H₂O, ㌔",
    "ｶﾀｶﾅ ﾊﾞﾝｸﾞ and ガギグ",
    "cafe\u0301 and e\u0301te\u0301 and a\u0300\u0301 and o\u0308",
    "Straße über Größe; Élève naïve cœur",
    "Быстрая лиса и Η γρήγορη αλεπού",
    "素早い茶色の狐",
    "Emoji 😀 👍🏽 ❤️ 🇩🇪 👨‍👩‍👧 end",
    "zero\u200bwidth\u200dand\u00a0nbsp\u3000ideographic space",
    "control\u0007bell and \u00adsoft hyphen",
    "unknown ☃ snow and ☄ comet ☃☃",
    "user<sep>defined [MASK] symbols → kept→whole",
    "AB A ABA ＡB e\u0301 ™ bell\u0007 tab\tend",
    "",
    "   ",
]
# Marian: a language code the tokenizer keeps whole, and the special tokens in text.
MARIAN_CASES = CASES[:4] + [">>deu<< Attention, please.", "the end </s> and <unk> inside", ">>xyz<<"]

UNIGRAM_FLAGS = ["--model_type=unigram", "--vocab_size=320", "--character_coverage=0.9995",
                 "--normalization_rule_name=nmt_nfkc", "--num_threads=1", "--seed_sentencepiece_size=5000",
                 "--shuffle_input_sentence=false", "--hard_vocab_limit=false"]

MODELS = {
    # name: extra spm_train flags. The nmt_nfkc model is the Marian folder's source.spm (each
    # compiled charsmap weighs about 240 KB, and the folder must stay under 1 MB).
    "nmt_nfkc": [],
    "identity_byte_fallback": ["--normalization_rule_name=identity", "--byte_fallback=true", "--vocab_size=600",
                               "--user_defined_symbols=<sep>,[MASK],→"],
    "identity_raw_spaces": ["--normalization_rule_name=identity", "--add_dummy_prefix=false",
                            "--remove_extra_whitespaces=false"],
    # A handful of rules compiled into a small charsmap, two of them keys that are prefixes of
    # others (the library takes the longest), one removing a char, one writing two.
    "custom_rules": ["--normalization_rule_tsv={rules}", "--vocab_size=250"],
}
CUSTOM_RULES = [("41", "61"), ("41 42", "78"), ("FF21", "61"), ("65 301", "E9"), ("65", "65"),
                ("2460", "31"), ("9", "20"), ("7", ""), ("2122", "54 4D")]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def write_corpus(path, lines):
    # Only the fixed lines above, so the models come out the same on every run.
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(20):
            for line in lines:
                f.write(line + "\n")


def train(corpus, prefix, flags):
    run(["spm_train", f"--input={corpus}", f"--model_prefix={prefix}"] + UNIGRAM_FLAGS + flags)
    return prefix + ".model"


def spm_encode(model, texts, fmt):
    # spm_encode reads one text per line, so the caller leaves out texts with line breaks.
    out = run(["spm_encode", f"--model={model}", f"--output_format={fmt}"],
              input="\n".join(texts).encode("utf-8") + b"\n").stdout.decode("utf-8")
    lines = out.split("\n")[:len(texts)]
    return [l.split(" ") if l else [] for l in lines]


def proto_fields(data):
    """(field, wire type, value) of one protobuf message; enough to read a ModelProto here."""
    i = 0
    out = []
    while i < len(data):
        key, i = varint(data, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(data, i)
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 2:
            n, i = varint(data, i)
            value, i = data[i:i + n], i + n
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        out.append((field, wire, value))
    return out


def varint(data, i):
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def read_model(path):
    import struct
    with open(path, "rb") as f:
        fields = proto_fields(f.read())
    pieces, charsmap = [], b""
    for field, _, value in fields:
        if field == 1:
            piece = {"type": 1}
            for f2, _, v2 in proto_fields(value):
                if f2 == 1:
                    piece["piece"] = v2.decode("utf-8")
                elif f2 == 2:
                    piece["score"] = struct.unpack("<f", v2)[0]
                elif f2 == 3:
                    piece["type"] = v2
            pieces.append(piece)
        elif field == 3:
            for f2, _, v2 in proto_fields(value):
                if f2 == 2:
                    charsmap = v2
    return pieces, charsmap


def converter_tokenizer_json(pieces, charsmap):
    """tokenizer.json as transformers' T5Converter lays it out: the model's charsmap, then runs
    of spaces collapsed; Metaspace; Unigram with the spm scores; '$A </s>'."""
    unk_id = next(i for i, p in enumerate(pieces) if p["type"] == 2)
    eos_id = next(i for i, p in enumerate(pieces) if p["piece"] == "</s>")
    normalizers = [{"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()},
                   {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": i, "content": p["piece"], "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True}
                         for i, p in enumerate(pieces) if p["type"] in (2, 3)],
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {"</s>": {"id": "</s>", "ids": [eos_id], "tokens": ["</s>"]}},
        },
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": unk_id, "vocab": [[p["piece"], p["score"]] for p in pieces],
                  "byte_fallback": False},
    }


def marian_vocab(source_pieces, target_pieces):
    """vocab.json as OPUS-MT folders have it: '</s>' 0, '<unk>' 1, then the pieces of both
    SentencePiece models (source first), '<pad>' last."""
    vocab = {"</s>": 0, "<unk>": 1}
    for p in source_pieces + target_pieces:
        if p["type"] == 1 and p["piece"] not in vocab:
            vocab[p["piece"]] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


def marian_ids(vocab, spm_pieces, spm_ids, text):
    """What transformers' MarianTokenizer makes of `text`: a leading '>>xx<<' kept whole, then
    the SentencePiece pieces (spm_encode's) looked up in vocab.json, else the piece's
    SentencePiece id, and '</s>'."""
    ids = []
    if text.startswith(">>") and text.find("<<") != -1:
        code = text[:text.find("<<") + 2]
        ids.append(vocab.get(code, spm_ids.get(code, spm_ids["<unk>"])))
    for piece in spm_pieces:
        ids.append(vocab[piece] if piece in vocab else spm_ids.get(piece, spm_ids["<unk>"]))
    return ids + [vocab["</s>"]]


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "tests/fixtures/sentencepiece"))
    for tool in ("spm_train", "spm_encode", "node", "npm"):
        if not shutil.which(tool):
            sys.exit(f"error: {tool} not found (apt-get install sentencepiece nodejs npm)")
    work = tempfile.mkdtemp(prefix="spm-fixtures-")
    os.makedirs(out, exist_ok=True)
    run(["npm", "install", "--silent", "--prefix", work, "tokenizers@0.23.2"])
    corpus = os.path.join(work, "corpus.txt")
    write_corpus(corpus, CORPUS)
    spm_cases = [c for c in CASES if "\n" not in c and "\r" not in c]

    reference = {"made_by": "tools/make_sentencepiece_fixtures.py", "spm_version": spm_version(),
                 "tokenizers_version": "0.23.2", "models": {}, "tokenizer_json": {}}
    rules = os.path.join(work, "rules.tsv")
    with open(rules, "w") as f:
        f.writelines(f"{key}\t{value}\n" for key, value in CUSTOM_RULES)
    for name, flags in MODELS.items():
        model = train(corpus, os.path.join(work, name), [flag.format(rules=rules) for flag in flags])
        keep = os.path.join(out, "marian", "source.spm") if name == "nmt_nfkc" else os.path.join(out, name + ".model")
        os.makedirs(os.path.dirname(keep), exist_ok=True)
        shutil.copy(model, keep)
        pieces = spm_encode(model, spm_cases, "piece")
        ids = spm_encode(model, spm_cases, "id")
        reference["models"][name] = [{"text": t, "pieces": p, "ids": [int(x) for x in i]}
                                     for t, p, i in zip(spm_cases, pieces, ids)]

    # tokenizer.json with the nmt_nfkc charsmap, run by tokenizers itself.
    pieces, charsmap = read_model(os.path.join(out, "marian", "source.spm"))
    tj = os.path.join(out, "precompiled_tokenizer.json")
    with open(tj, "w", encoding="utf-8") as f:
        json.dump(converter_tokenizer_json(pieces, charsmap), f, ensure_ascii=False)
    cases_file = os.path.join(work, "cases.json")
    with open(cases_file, "w", encoding="utf-8") as f:
        json.dump(CASES, f, ensure_ascii=False)
    node = run(["node", os.path.join(HERE, "tokenizers_reference.js"), tj, cases_file],
               env=dict(os.environ, NODE_PATH=os.path.join(work, "node_modules"))).stdout
    reference["tokenizer_json"]["precompiled_tokenizer.json"] = json.loads(node)

    # A Marian folder: source.spm, target.spm, vocab.json (no tokenizer.json, as on the Hub).
    target_corpus = os.path.join(work, "target.txt")
    write_corpus(target_corpus, TARGET_CORPUS)
    # The target side with the identity rule, to keep the folder small.
    target_model = train(target_corpus, os.path.join(work, "target"),
                         ["--vocab_size=200", "--normalization_rule_name=identity"])
    marian = os.path.join(out, "marian")
    shutil.copy(target_model, os.path.join(marian, "target.spm"))
    target_pieces, _ = read_model(target_model)
    vocab = marian_vocab(pieces, target_pieces)
    with open(os.path.join(marian, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False, indent=1)
    with open(os.path.join(marian, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "MarianTokenizer", "source_lang": "en", "target_lang": "de",
                   "unk_token": "<unk>", "eos_token": "</s>", "pad_token": "<pad>", "model_max_length": 512,
                   "separate_vocabs": False}, f, indent=1)
    marian_ref = {}
    for side, model, texts in (("source", os.path.join(marian, "source.spm"), MARIAN_CASES),
                               ("target", target_model, MARIAN_CASES)):
        texts = [t for t in texts if "\n" not in t and "\r" not in t]
        model_pieces, _ = read_model(model)
        spm_ids = {p["piece"]: i for i, p in enumerate(model_pieces)}
        spm_ids["<unk>"] = next(i for i, p in enumerate(model_pieces) if p["type"] == 2)
        rows = []
        for text in texts:
            body = text
            if text.startswith(">>") and text.find("<<") != -1:
                body = text[text.find("<<") + 2:]
            # The special tokens are cut out first and each stretch between them encoded alone.
            segments, rest = [], body
            while True:
                cut = min([(rest.find(s), s) for s in ("</s>", "<unk>", "<pad>") if s in rest], default=None)
                if cut is None:
                    segments.append(("text", rest))
                    break
                segments.append(("text", rest[:cut[0]]))
                segments.append(("special", cut[1]))
                rest = rest[cut[0] + len(cut[1]):]
            ids = []
            if body is not text:
                code = text[:text.find("<<") + 2]
                ids.append(vocab.get(code, spm_ids["<unk>"]))
            for kind, seg in segments:
                if kind == "special":
                    ids.append(vocab[seg])
                elif seg:
                    seg_pieces = spm_encode(model, [seg], "piece")[0]
                    ids.extend(vocab[p] if p in vocab else spm_ids.get(p, spm_ids["<unk>"]) for p in seg_pieces)
            rows.append({"text": text, "ids": ids + [vocab["</s>"]]})
        marian_ref[side] = rows
    reference["marian"] = marian_ref

    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, ensure_ascii=False, indent=1)
    shutil.rmtree(work)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
    print(f"wrote {out} ({total} bytes)")


def spm_version():
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "sentencepiece"], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


if __name__ == "__main__":
    main()
