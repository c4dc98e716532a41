#pragma once
#include <filesystem>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "tensor/PixelValues.h"
#include "vision/PillowResample.h"
#include "vision/RgbImage.h"

namespace attnscope {

// The image processor a vision checkpoint's preprocessor_config.json describes (the
// ViT/DeiT image processors of transformers, with PIL resampling): resize, centre crop,
// rescale, normalise, channels first.
class ImagePreprocessor {
public:
    struct Size {
        int height = 0;
        int width = 0;
        int shortestEdge = 0;  // when set, resize keeps the aspect ratio
    };

    static ImagePreprocessor fromFile(const std::filesystem::path& file);  // throws attnscope::Error
    static ImagePreprocessor fromJson(const nlohmann::json& j, const std::string& fileName);
    // The defaults transformers' ViTImageProcessor uses, sized for a model's image_size.
    static ImagePreprocessor defaultsForImageSize(int imageSize);

    // channels: 3 (RGB) or 1 (luma, as PIL's convert("L")).
    PixelValues apply(const RgbImage& image, int channels) const;
    // The 8-bit image after resize and crop, before rescaling (what the model "sees").
    RgbImage resizeAndCrop(const RgbImage& image) const;
    // What a model of `channels` channels sees of a decoded image, in 8 bits for display: grey
    // first for a one-channel model (as apply() does), then resized and centre-cropped.
    RgbImage seenImage(const RgbImage& decoded, int channels) const;
    // Ready pixel values (a tensor file with no image file behind it) turned back into 8-bit
    // pixels by undoing the normalisation and rescaling, for display only. One channel is shown
    // grey; values outside [0, 255] are clamped. An empty image for malformed pixels.
    RgbImage imageFromPixelValues(const PixelValues& pixels) const;

    bool doResize = true;
    Size size{224, 224, 0};
    ResampleFilter resample = ResampleFilter::Bilinear;
    bool doCenterCrop = false;
    Size cropSize{224, 224, 0};
    bool doRescale = true;
    double rescaleFactor = 1.0 / 255.0;
    bool doNormalize = true;
    std::vector<float> mean{0.5f, 0.5f, 0.5f};
    std::vector<float> std{0.5f, 0.5f, 0.5f};
};

// PIL's convert("L"): ITU-R 601-2 luma in 16-bit fixed point, rounded.
std::uint8_t lumaLikePillow(std::uint8_t r, std::uint8_t g, std::uint8_t b);

}  // namespace attnscope
