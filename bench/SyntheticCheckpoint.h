#pragma once
#include <filesystem>
#include <string>

namespace bench {

struct ModelShape {
    std::string family = "bert";  // bert | gpt2 | llama | llama3 | gemma2 | vit
    int layers = 12;
    int hidden = 768;
    int heads = 12;
    int kvHeads = 0;       // 0 = heads
    int headDim = 0;       // 0 = hidden / heads (Gemma's is its own)
    int intermediate = 0;  // 0 = the family's usual width for `hidden`
    int vocab = 30522;
    int positions = 512;
    bool bf16 = false;  // weights stored as bfloat16 (as most large checkpoints are) instead of float32
};

// Writes a checkpoint folder (config.json + model.safetensors with random weights) of that
// shape, so the benchmark measures the same loading (memory-mapped) and forward path a real
// model takes.
void writeSyntheticCheckpoint(const ModelShape& shape, const std::filesystem::path& dir);

// The MLP width the checkpoint uses: --intermediate, else 4 x hidden, or LLaMA's 8/3 x hidden
// rounded up to 256.
int intermediateOf(const ModelShape& shape);
int headDimOf(const ModelShape& shape);

}  // namespace bench
