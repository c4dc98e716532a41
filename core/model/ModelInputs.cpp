#include "model/ModelInputs.h"

#include "Error.h"
#include "io/SafetensorsFile.h"

#include <cmath>

namespace attnscope {

std::vector<int> teacherForcedDecoderIds(const Checkpoint& checkpoint, const std::string& target) {
    if (!checkpoint.config().isEncoderDecoder())
        throw Error("a target sentence is only for encoder-decoder models; this is " + checkpoint.config().modelType);
    if (target.empty()) throw Error("the target text is empty");
    const Encoding enc = checkpoint.encode(target);
    std::vector<int> ids{checkpoint.config().decoderStartTokenId};
    ids.insert(ids.end(), enc.ids.begin(), enc.ids.end());
    ids.pop_back();
    return ids;
}

Encoding visionTokens(const ModelConfig& c) {
    return visionTokens(c.family == Family::Deit ? 2 : 1, c.patchSize > 0 ? c.imageSize / c.patchSize : 0);
}

Encoding visionTokens(int leadingTokens, int grid) {
    Encoding e;
    e.tokens.push_back("[CLS]");
    if (leadingTokens == 2) e.tokens.push_back("[DIST]");
    e.specialTokensMask.assign(e.tokens.size(), true);
    for (int r = 0; r < grid; ++r)
        for (int col = 0; col < grid; ++col) e.tokens.push_back(std::to_string(r) + "," + std::to_string(col));
    e.specialTokensMask.resize(e.tokens.size(), false);
    return e;
}

ImagePreprocessor imagePreprocessorFor(const Checkpoint& checkpoint) {
    const auto file = checkpoint.folder() / "preprocessor_config.json";
    if (std::filesystem::exists(file)) return ImagePreprocessor::fromFile(file);
    return ImagePreprocessor::defaultsForImageSize(checkpoint.config().imageSize);
}

PixelValues readPixelValuesFile(const std::filesystem::path& file) {
    SafetensorsFile f(file);
    const TensorInfo* t = f.find("pixel_values");
    if (!t) throw Error(file.string() + ": no tensor 'pixel_values'");
    std::vector<std::int64_t> shape = t->shape;
    if (shape.size() == 4 && shape[0] == 1) shape.erase(shape.begin());
    if (shape.size() != 3)
        throw Error(file.string() + ": tensor 'pixel_values' has shape " + t->shapeString() + ", expected [C, H, W]");
    PixelValues px;
    px.channels = static_cast<int>(shape[0]);
    px.height = static_cast<int>(shape[1]);
    px.width = static_cast<int>(shape[2]);
    px.values = f.toFloat(*t);
    // Otherwise NaN input would surface as "layer 0 produced non-finite activations" and blame the weights.
    for (float v : px.values)
        if (!std::isfinite(v)) throw Error(file.string() + ": tensor 'pixel_values' contains NaN or Inf");
    return px;
}

}  // namespace attnscope
