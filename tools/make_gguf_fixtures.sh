#!/usr/bin/env bash
# Remakes tests/fixtures/gguf/ and tests/fixtures/gguf_quant/ (see tests/fixtures/README.md)
# with llama.cpp's own converter, quantizer and inference, through node-llama-cpp 3.21.1:
#
#   mkdir -p "$NLC" && (cd "$NLC" && npm init -y && npm install node-llama-cpp@3.21.1)
#   git clone "$NLC/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$LLAMA_CPP_SRC"
#   apt-get install python3-torch python3-tqdm python3-numpy nodejs
#   NLC=... LLAMA_CPP_SRC=... tools/make_gguf_fixtures.sh GOLDEN_DIR MODELS_DIR
#
# GOLDEN_DIR is ../shared/golden, MODELS_DIR ../shared/models (stories260k).
set -euo pipefail
cd "$(dirname "$0")/.."
golden="$1" models="$2"
: "${NLC:?NLC must name the folder holding node_modules/node-llama-cpp}" "${LLAMA_CPP_SRC:?LLAMA_CPP_SRC must name the llama.cpp source folder}"
out=tests/fixtures/gguf
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp tools/llama_cpp_reference.mjs "$NLC/"

convert() {  # FOLDER OUT.gguf TYPE [PRE]
  GGUF_PRE="${4:-gpt-2}" python3 tools/gguf_from_hf.py "$1" "$2" "$3" >"$work/convert.log" 2>&1 ||
    { tail -20 "$work/convert.log"; exit 1; }
}
reference() {  # FILE.gguf NAME TEXTS_JSON [MODE]
  (cd "$NLC" && node llama_cpp_reference.mjs "$OLDPWD/$1" "$3" "${4:-1}") >"$out/llama_cpp_$2.json"
}
# The texts of the golden cases that are one text (llama.cpp has no text pairs).
golden_texts() { python3 -c "import json,sys; print(json.dumps([c['text'] for c in json.load(open(sys.argv[1]))['cases'] if 'text_pair' not in c]))" "$1"; }

# The golden checkpoints, as the converter writes them.
for family in llama gpt2 gpt_neox; do
  texts="$(golden_texts "$golden/$family/expected.json")"
  for type in f32 q8_0; do
    [ "$family" = gpt_neox ] && [ "$type" = q8_0 ] && continue
    convert "$golden/$family/model" "$out/$family-$type.gguf" "$type"
    reference "$out/$family-$type.gguf" "$family-$type" "$texts"
  done
done

# The encoders: llama.cpp gives their embeddings, not next-token probabilities.
for family in bert distilbert roberta; do
  convert "$golden/$family/model" "$out/$family-f32.gguf" f32 roberta-bpe  # the pre-tokenizer: RoBERTa's only
  reference "$out/$family-f32.gguf" "$family-f32" "$(golden_texts "$golden/$family/expected.json")" embedding
done

# T5: the golden weights with the relative distance every released T5 has (GGUF does not store
# it; llama.cpp takes 128), as the class the converter takes.
rm -rf "$out/t5" && mkdir -p "$out/t5" && cp "$golden/t5/model/"{config.json,model.safetensors,tokenizer.json,tokenizer_config.json} "$out/t5/"
chmod u+w "$out/t5/"*
python3 -c "import json,sys; p=sys.argv[1]; c=json.load(open(p)); c.update(architectures=['T5ForConditionalGeneration'], relative_attention_max_distance=128); open(p,'w').write(json.dumps(c, indent=2) + '\n')" "$out/t5/config.json"
rm -rf "$work/tiny-random" && cp -r "$out/t5" "$work/tiny-random"
convert "$work/tiny-random" "$out/t5-f32.gguf" f32

# The families the golden set lacks: tiny random checkpoints (tools/make_gguf_checkpoints.py).
texts='["The cat sat on the mat because it was tired.", "Attention is all you need.", "In 2026 there were 365 days and 12 months.", "Students watched   the heatmap light up."]'
python3 tools/make_gguf_checkpoints.py "$golden" "$out"
# Longer texts for LongRoPE: past the pretraining length of 16, where transformers (by the
# sequence) and llama.cpp (by its context of 64) both take the long factors.
long_texts='["The cat sat on the mat because it was tired, and then it slept.", "In 2026 there were 365 days and 12 months.", "Students watched the heatmap light up as the model read each word."]'
for family in qwen2 qwen3 gemma gemma2 gemma3 gemma3_linear phi3 llama31 olmo2 smollm3 phi3_longrope qwen2_yarn modernbert; do
  pre=gpt-2
  case "$family" in qwen*) pre=qwen2 ;; llama31) pre=llama-bpe ;; modernbert) pre=modern-bert ;; esac
  # The converter names the model after its folder, and llama.cpp handles a model named phi3
  # specially (it looks for a </s> token this vocabulary lacks): convert from a neutral name.
  rm -rf "$work/tiny-random" && cp -r "$out/$family" "$work/tiny-random"
  convert "$work/tiny-random" "$out/$family-f32.gguf" f32 "$pre"
  if [ "$family" = modernbert ]; then
    reference "$out/$family-f32.gguf" "$family-f32" "$texts" embedding
  elif [ "$family" = phi3_longrope ]; then
    reference "$out/$family-f32.gguf" "$family-f32" "$long_texts"
  else
    reference "$out/$family-f32.gguf" "$family-f32" "$texts"
  fi
done

# A trained model quantized by llama.cpp (the references only: the files are the shared model's).
python3 tools/gguf_quant_reference.py "$models/stories260k" "$work/quant" tests/fixtures/gguf_quant
echo "remade $out and tests/fixtures/gguf_quant"
