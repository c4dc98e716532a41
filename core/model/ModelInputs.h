#pragma once
// Turning what a user gives (a target sentence, an image, a tensor file) into the inputs of
// a forward pass, the same way for the command line and the app.
#include <filesystem>
#include <string>
#include <vector>

#include "model/Checkpoint.h"
#include "vision/ImagePreprocessor.h"

namespace attnscope {

// Teacher forcing for encoder-decoders: the decoder start token followed by the target's
// ids (as the tokenizer gives them, with its end token) without the final one.
std::vector<int> teacherForcedDecoderIds(const Checkpoint& checkpoint, const std::string& target);

// A vision model's tokens, as an Encoding's tokens and special-token mask: "[CLS]", "[DIST]"
// for DeiT (both special), then one per patch in reading order, "r,c" (row, column).
Encoding visionTokens(const ModelConfig& config);
// The same for a square grid of `grid` x `grid` patches after `leadingTokens` (1 or 2).
Encoding visionTokens(int leadingTokens, int grid);

// The image processor of a vision checkpoint: its preprocessor_config.json, or
// transformers' ViT defaults for the model's image size when the folder has none.
ImagePreprocessor imagePreprocessorFor(const Checkpoint& checkpoint);

// Reads a ready tensor "pixel_values" [C, H, W] (or [1, C, H, W]) from a safetensors file.
PixelValues readPixelValuesFile(const std::filesystem::path& file);

}  // namespace attnscope
