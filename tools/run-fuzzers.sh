#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, AddressSanitizer + UndefinedBehaviorSanitizer) in
# build-fuzz/ and runs each for FUZZ_SECONDS (default 60) from its committed seed corpus in
# fuzz/corpus/<target>/ (copied, so the committed corpus stays as it is). A crash, leak,
# sanitizer report or timeout fails the script; the crashing input is left in
# build-fuzz/findings/ to become a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
if ! command -v clang++ >/dev/null || ! dpkg -s libomp-dev >/dev/null 2>&1; then
  sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  sudo_if_needed apt-get update
  sudo_if_needed apt-get install -y clang libomp-dev
fi
# Without OpenBLAS: the fuzzers read files, and clang's OpenMP runtime (libomp) is not the one
# Debian's OpenBLAS is built with (libgomp).
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
  -DATTNSCOPE_FUZZ=ON -DATTNSCOPE_BUILD_GUI=OFF -DATTNSCOPE_BUILD_TESTS=OFF -DATTNSCOPE_BLAS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_safetensors fuzz_gguf fuzz_attention_file fuzz_config fuzz_tokenizer_json fuzz_tokenizer_encode fuzz_pickle fuzz_sentencepiece_model
export ATTNSCOPE_FUZZ_TOKENIZERS="$PWD/fuzz/corpus/tokenizer_json"
mkdir -p build-fuzz/findings
# One fuzzer per core at a time: libFuzzer runs one process on one core, so on two cores two
# targets run side by side in the time of one, each still for its full FUZZ_SECONDS.
run_target() {
  local target="$1" work="build-fuzz/corpus-$1"
  rm -rf "$work" && mkdir -p "$work" && cp fuzz/corpus/"$target"/* "$work"/
  ./build-fuzz/bin/fuzz_"$target" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix=build-fuzz/findings/"$target"- -print_final_stats=1 2>build-fuzz/"$target".log
}
targets=(safetensors gguf attention_file config tokenizer_json tokenizer_encode pickle sentencepiece_model)
jobs="$(nproc)"
declare -A pids=()
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
  echo "fuzz_$target: ${seconds}s"
  run_target "$target" & pids[$target]=$!
done
status=0
for target in "${targets[@]}"; do
  if ! wait "${pids[$target]}"; then
    echo "fuzz_$target FAILED:"; tail -40 build-fuzz/"$target".log; status=1
  else
    echo -n "fuzz_$target: "; grep -E "stat::number_of_executed_units|stat::peak_rss_mb" build-fuzz/"$target".log | tr '\n' ' '; echo
  fi
done
exit $status
