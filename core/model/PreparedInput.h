#pragma once
// Turning what a user gives (a text and pair, token ids, a source and target, an image or a
// pixel-values file) into a forward pass's input and the named tokens the views show: one set
// of rules and messages for the command line, `render` and the app.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/Checkpoint.h"
#include "vision/ImagePreprocessor.h"
#include "vision/RgbImage.h"

namespace attnscope {

// What the user gave, before anything is read, tokenized or decoded.
struct UserInput {
    std::optional<std::string> text;                // a text; an encoder-decoder's source
    std::optional<std::string> pair;                // a second segment (text models)
    std::optional<std::vector<int>> ids;            // token ids instead of a text
    std::optional<std::string> target;              // an encoder-decoder's target, teacher-forced
    std::optional<std::vector<int>> decoderIds;     // or the decoder's input ids themselves
    std::optional<std::string> imageFile;           // an image file for an image model
    std::optional<std::filesystem::path> pixelValuesFile;  // or a safetensors file holding pixel_values
    std::vector<int> maskedPositions;               // a masked LM: text tokens to replace by the mask token

    bool hasImage() const { return imageFile || pixelValuesFile; }
};

// Decodes an image file (the front end's image readers: the engine has none). Throws
// attnscope::Error naming the file.
using ImageDecoder = std::function<RgbImage(const std::string& path)>;

struct PreparedInput {
    ForwardInput forward;
    // The tokens of each sequence the forward pass will report (the input, and an
    // encoder-decoder's decoder input), named and with special tokens marked.
    std::vector<TokenSequence> sequences;
    // Image models: what the model sees (8-bit, resized and cropped, grey for a grey model).
    RgbImage seenImage;
    // A masked LM's masked positions, each with the token it hid.
    std::map<int, std::string> maskedTokens;
};

// Why `input` does not fit a model with these capabilities (text for an image model, an image
// for a text model, a target for a model without a decoder, two images), or std::nullopt when
// it fits. The command line reports it as a usage error; prepareInput throws it.
std::optional<std::string> inputMismatch(const ModelCapabilities& capabilities, const UserInput& input);

// Tokenizes, masks, decodes and preprocesses. An encoder-decoder without a target reads its
// decoder start token alone. Throws attnscope::Error for input that does not fit
// (inputMismatch) or cannot be used: an empty text, no tokenizer, a bad image or tensor file,
// a mask on a special token or on a model that is not a masked LM.
PreparedInput prepareInput(const Checkpoint& checkpoint, const UserInput& input, const ImageDecoder& decodeImage = {});

// The image processor of an image model's checkpoint: its preprocessor_config.json, or
// transformers' ViT defaults for the model's image size when the folder has none.
ImagePreprocessor imagePreprocessorFor(const Checkpoint& checkpoint);

// Reads a ready tensor "pixel_values" [C, H, W] (or [1, C, H, W]) from a safetensors file.
PixelValues readPixelValuesFile(const std::filesystem::path& file);

// Teacher forcing for encoder-decoders: the decoder start token followed by the target's ids
// as the tokenizer gives them, without the special tokens it closes them with (T5's, BART's,
// Marian's </s>): the decoder reads every typed token. (A GPT-2 captioner's tokenizer closes
// with nothing, so its last word stays.)
std::vector<int> teacherForcedDecoderIds(const Checkpoint& checkpoint, const std::string& target);

}  // namespace attnscope
