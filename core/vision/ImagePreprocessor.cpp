#include "vision/ImagePreprocessor.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "Error.h"

namespace attnscope {
namespace {

// intIsShortestEdge: what one number means for this processor. transformers reads it as the
// short side for processors that keep the aspect ratio (CLIP's) and as a square otherwise.
ImagePreprocessor::Size readSize(const nlohmann::json& v, const std::string& where, bool intIsShortestEdge = false) {
    ImagePreprocessor::Size s;
    auto positive = [&](const nlohmann::json& x, const char* key) {
        if (!x.is_number_integer() || x.get<long long>() <= 0 || x.get<long long>() > 16384)
            throw Error(where + "." + key + " must be a positive integer up to 16384");
        return x.get<int>();
    };
    if (v.is_number_integer()) {  // older configs give one number
        if (intIsShortestEdge) s.shortestEdge = positive(v, "size");
        else s.height = s.width = positive(v, "size");
        return s;
    }
    if (!v.is_object()) throw Error(where + " must be an object with height and width, or shortest_edge");
    if (v.contains("shortest_edge")) {
        s.shortestEdge = positive(v["shortest_edge"], "shortest_edge");
        return s;
    }
    if (!v.contains("height") || !v.contains("width"))
        throw Error(where + " must have height and width, or shortest_edge");
    s.height = positive(v["height"], "height");
    s.width = positive(v["width"], "width");
    return s;
}

std::vector<float> readTriple(const nlohmann::json& v, const std::string& where) {
    std::vector<float> out;
    if (v.is_number()) return {v.get<float>(), v.get<float>(), v.get<float>()};
    if (!v.is_array() || v.empty() || v.size() > 4) throw Error(where + " must be a number or a list of 1 to 4 numbers");
    for (const auto& x : v) {
        if (!x.is_number()) throw Error(where + " must hold numbers");
        out.push_back(x.get<float>());
    }
    return out;
}

// The output size transformers computes for {"shortest_edge": s}: the short side becomes s,
// the long side scales with it, truncated.
std::pair<int, int> resizedSize(const ImagePreprocessor::Size& size, int height, int width) {
    if (!size.shortestEdge) return {size.height, size.width};
    const bool portrait = height >= width;
    const int shortSide = portrait ? width : height, longSide = portrait ? height : width;
    const int newLong = static_cast<int>(static_cast<double>(size.shortestEdge) * longSide / shortSide);
    return portrait ? std::pair{newLong, size.shortestEdge} : std::pair{size.shortestEdge, newLong};
}

RgbImage centerCrop(const RgbImage& in, int height, int width) {
    // Like transformers: top-left at half the excess (rounded down); padding with black
    // where the image is smaller than the crop.
    RgbImage out{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 3, 0)};
    auto floorHalf = [](int excess) { return excess >= 0 ? excess / 2 : -((1 - excess) / 2); };  // Python's // 2
    const int top = floorHalf(in.height - height);
    const int left = floorHalf(in.width - width);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const int sy = y + top, sx = x + left;
            if (sy < 0 || sx < 0 || sy >= in.height || sx >= in.width) continue;
            for (int ch = 0; ch < 3; ++ch)
                out.pixels[(static_cast<std::size_t>(y) * width + x) * 3 + ch] = in.at(sx, sy, ch);
        }
    return out;
}

}  // namespace

std::uint8_t lumaLikePillow(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    return static_cast<std::uint8_t>((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
}

ImagePreprocessor ImagePreprocessor::fromFile(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw Error(file.string() + ": cannot open (a vision model needs its preprocessor_config.json)");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(file.string() + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    return fromJson(j, file.string());
}

ImagePreprocessor ImagePreprocessor::fromJson(const nlohmann::json& j, const std::string& fileName) {
    if (!j.is_object()) throw Error(fileName + ": expected a JSON object");
    ImagePreprocessor p;
    auto flag = [&](const char* key, bool fallback) {
        if (!j.contains(key) || j[key].is_null()) return fallback;
        if (!j[key].is_boolean()) throw Error(fileName + ": " + key + " must be true or false");
        return j[key].get<bool>();
    };
    p.doResize = flag("do_resize", true);
    p.doCenterCrop = flag("do_center_crop", false);
    p.doRescale = flag("do_rescale", true);
    p.doNormalize = flag("do_normalize", true);
    // CLIP's processors resize the short side to a single `size` (get_size_dict with
    // default_to_square=False), then center-crop.
    const auto typeName = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string(); };
    const bool keepsAspect = typeName("image_processor_type").rfind("CLIP", 0) == 0 || typeName("feature_extractor_type").rfind("CLIP", 0) == 0;
    if (j.contains("size")) p.size = readSize(j["size"], fileName + ": size", keepsAspect);
    if (j.contains("crop_size")) p.cropSize = readSize(j["crop_size"], fileName + ": crop_size");
    if (p.cropSize.shortestEdge) throw Error(fileName + ": crop_size needs height and width");
    if (j.contains("resample") && !j["resample"].is_null()) {
        if (!j["resample"].is_number_integer() || j["resample"].get<int>() < 0 || j["resample"].get<int>() > 5)
            throw Error(fileName + ": resample must be a PIL filter number 0 to 5");
        p.resample = static_cast<ResampleFilter>(j["resample"].get<int>());
    }
    if (j.contains("rescale_factor")) {
        if (!j["rescale_factor"].is_number()) throw Error(fileName + ": rescale_factor must be a number");
        p.rescaleFactor = j["rescale_factor"].get<double>();
    }
    if (j.contains("image_mean")) p.mean = readTriple(j["image_mean"], fileName + ": image_mean");
    if (j.contains("image_std")) p.std = readTriple(j["image_std"], fileName + ": image_std");
    for (float s : p.std)
        if (s == 0.0f) throw Error(fileName + ": image_std must not be zero");
    return p;
}

ImagePreprocessor ImagePreprocessor::defaultsForImageSize(int imageSize) {
    ImagePreprocessor p;
    p.size = {imageSize, imageSize, 0};
    return p;
}

RgbImage ImagePreprocessor::resizeAndCrop(const RgbImage& image) const {
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3)
        throw Error("the image is empty or its pixel buffer does not match its size");
    RgbImage out = image;
    if (doResize) {
        const auto [h, w] = resizedSize(size, image.height, image.width);
        out = resizeLikePillow(out, w, h, resample);
    }
    if (doCenterCrop) out = centerCrop(out, cropSize.height, cropSize.width);
    return out;
}

RgbImage ImagePreprocessor::seenImage(const RgbImage& decoded, int channels) const {
    if (channels != 1) return resizeAndCrop(decoded);
    // grey first, as a one-channel model's images are mode "L" before processing
    RgbImage grey = decoded;
    for (std::size_t i = 0; i + 2 < grey.pixels.size(); i += 3)
        grey.pixels[i] = grey.pixels[i + 1] = grey.pixels[i + 2] = lumaLikePillow(grey.pixels[i], grey.pixels[i + 1], grey.pixels[i + 2]);
    return resizeAndCrop(grey);
}

RgbImage ImagePreprocessor::imageFromPixelValues(const PixelValues& px) const {
    RgbImage out;
    if (px.empty() || px.width <= 0 || px.height <= 0 || px.channels <= 0) return out;
    const std::size_t plane = static_cast<std::size_t>(px.width) * px.height;
    if (px.values.size() < plane * px.channels) return out;
    out.width = px.width;
    out.height = px.height;
    out.pixels.resize(plane * 3);
    for (std::size_t i = 0; i < plane; ++i)
        for (int c = 0; c < 3; ++c) {
            const int channel = std::min(c, px.channels - 1);  // grey: one channel for all three
            double v = px.values[static_cast<std::size_t>(channel) * plane + i];
            if (doNormalize && channel < static_cast<int>(mean.size()) && channel < static_cast<int>(std.size()))
                v = v * std[static_cast<std::size_t>(channel)] + mean[static_cast<std::size_t>(channel)];
            if (doRescale && rescaleFactor > 0.0) v /= rescaleFactor;
            out.pixels[3 * i + c] = static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
        }
    return out;
}

PixelValues ImagePreprocessor::apply(const RgbImage& image, int channels) const {
    if (channels != 1 && channels != 3) throw Error("models with " + std::to_string(channels) + " input channels are not supported");
    const RgbImage ready = seenImage(image, channels);
    if (doNormalize && (static_cast<int>(mean.size()) < channels || static_cast<int>(std.size()) < channels))
        throw Error("image_mean and image_std need one value per channel (" + std::to_string(channels) + ")");
    PixelValues px{channels, ready.height, ready.width, {}};
    px.values.resize(static_cast<std::size_t>(channels) * ready.height * ready.width);
    for (int ch = 0; ch < channels; ++ch)
        for (int y = 0; y < ready.height; ++y)
            for (int x = 0; x < ready.width; ++x) {
                float v = ready.at(x, y, ch);
                if (doRescale) v = static_cast<float>(static_cast<double>(v) * rescaleFactor);
                if (doNormalize) v = (v - mean[ch]) / std[ch];
                px.values[(static_cast<std::size_t>(ch) * ready.height + y) * ready.width + x] = v;
            }
    return px;
}

}  // namespace attnscope
