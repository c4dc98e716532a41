#include "model/PreparedInput.h"

#include <cmath>

#include "Error.h"
#include "io/SafetensorsFile.h"
#include "model/TransformerModel.h"

namespace attnscope {

namespace {

bool hasTextInput(const UserInput& in) { return in.text || in.pair || in.ids; }

std::optional<std::string> imageMismatch(const ModelCapabilities& m, const UserInput& in) {
    // A captioner's decoder reads a target (a caption typed so far) beside the image.
    if (hasTextInput(in) || !in.maskedPositions.empty() || (!m.hasDecoder() && (in.target || in.decoderIds)))
        return m.modelType + " is a vision model: it reads an image, not text; give it an image or a pixel-values file";
    if (!in.hasImage()) return m.modelType + " is a vision model: give it an image or a pixel-values file";
    if (in.imageFile && in.pixelValuesFile) return std::string("give an image or a pixel-values file, not both");
    if (in.target && in.decoderIds) return std::string("give a target or decoder ids, not both");
    return std::nullopt;
}

// A text's tokens as the checkpoint's tokenizer gives them; the text's own errors are thrown.
TokenSequence sequenceOf(const Encoding& e) {
    TokenSequence s;
    s.names = e.tokens;
    s.ids = e.ids;
    s.special.assign(e.specialTokensMask.begin(), e.specialTokensMask.end());
    return s;
}

TokenSequence namedIds(const Checkpoint& checkpoint, std::string name, const std::vector<int>& ids) {
    TokenSequence s;
    s.name = std::move(name);
    s.names = checkpoint.tokenNames(ids);
    s.ids = ids;
    s.special = checkpoint.specialTokens(ids);
    return s;
}

// Puts the mask token in place of each position's token, keeping what was there.
void maskTokens(const Checkpoint& checkpoint, const std::vector<int>& positions, Encoding& encoding, PreparedInput& out) {
    const std::optional<int> maskId = checkpoint.tokenizer()->maskTokenId();
    if (!maskId) throw Error("this tokenizer has no [MASK] or <mask> token to mask with");
    const std::string maskToken = checkpoint.tokenizer()->idToToken(*maskId);
    for (const int p : positions) {
        if (p < 0 || p >= static_cast<int>(encoding.size()))
            throw Error("cannot mask token " + std::to_string(p) + ": the text has " + std::to_string(encoding.size()) + " tokens");
        const std::size_t i = static_cast<std::size_t>(p);
        if (encoding.specialTokensMask[i])
            throw Error("token " + std::to_string(p) + " (" + encoding.tokens[i] + ") is a special token; mask an ordinary one");
        out.maskedTokens.emplace(p, encoding.tokens[i]);
        encoding.ids[i] = *maskId;
        encoding.tokens[i] = maskToken;
    }
}

void prepareText(const Checkpoint& checkpoint, const UserInput& in, PreparedInput& out) {
    if (in.ids) {
        out.forward.ids = *in.ids;
        out.sequences.push_back(namedIds(checkpoint, kInputSequence, *in.ids));
        return;
    }
    if (in.text->empty() && !in.pair) throw Error("the text is empty: give some text to see its attention");
    if (!checkpoint.tokenizer()) throw Error(checkpoint.tokenizerProblem() + "; give token ids instead");
    Encoding encoding = checkpoint.encode(*in.text, in.pair);
    if (encoding.size() == 0) throw Error("the text gives no tokens: give some text to see its attention");
    if (!in.maskedPositions.empty()) maskTokens(checkpoint, in.maskedPositions, encoding, out);
    out.forward.ids = encoding.ids;
    out.forward.typeIds = encoding.typeIds;
    out.sequences.push_back(sequenceOf(encoding));
}

void prepareDecoder(const Checkpoint& checkpoint, const UserInput& in, PreparedInput& out) {
    out.forward.decoderIds = in.target       ? teacherForcedDecoderIds(checkpoint, *in.target)
                             : in.decoderIds ? *in.decoderIds
                                             : std::vector<int>{checkpoint.config().decoderStartTokenId};
    out.sequences.push_back(namedIds(checkpoint, kDecoderSequence, out.forward.decoderIds));
}

void prepareImage(const Checkpoint& checkpoint, const UserInput& in, const ImageDecoder& decode, PreparedInput& out) {
    const ModelCapabilities& m = checkpoint.capabilities();
    const ImagePreprocessor preprocessor = imagePreprocessorFor(checkpoint);
    const int channels = checkpoint.config().imageConfig().channels;
    if (in.imageFile) {
        if (!decode) throw Error(*in.imageFile + ": this program cannot decode image files; give a pixel-values file instead");
        const RgbImage decoded = decode(*in.imageFile);
        out.forward.pixels = preprocessor.apply(decoded, channels);
        out.seenImage = preprocessor.seenImage(decoded, channels);
    } else {
        out.forward.pixels = readPixelValuesFile(*in.pixelValuesFile);
        out.seenImage = preprocessor.imageFromPixelValues(out.forward.pixels);
    }
    out.sequences.push_back(imageSequence(m.leadingSpecialTokens, m.patches.rows, m.patches.columns));
}

}  // namespace

std::optional<std::string> inputMismatch(const ModelCapabilities& m, const UserInput& in) {
    if (m.readsImages()) return imageMismatch(m, in);
    if (in.hasImage()) return m.modelType + " is a text model: images are for vision models";
    if (in.text && in.ids) return std::string("give a text or token ids, not both");
    if (!in.text && !in.ids) return m.modelType + " reads text: give it a text or token ids";
    if (in.pair && !in.text) return std::string("a second segment goes with a text, not with token ids");
    if (!m.hasDecoder() && (in.target || in.decoderIds))
        return "a target is for encoder-decoder models, which read a source and a target; this is " + m.modelType;
    if (in.target && in.decoderIds) return std::string("give a target or decoder ids, not both");
    if (!in.maskedPositions.empty() && m.predictions != PredictionKind::MaskedToken)
        return "masking a token is for masked language models; this " + m.modelType + " checkpoint is not one";
    if (!in.maskedPositions.empty() && !in.text) return std::string("masking needs a text, not token ids");
    return std::nullopt;
}

PreparedInput prepareInput(const Checkpoint& checkpoint, const UserInput& input, const ImageDecoder& decodeImage) {
    const ModelCapabilities& m = checkpoint.capabilities();
    if (const auto mismatch = inputMismatch(m, input)) throw Error(*mismatch);
    PreparedInput out;
    if (m.readsImages()) {
        prepareImage(checkpoint, input, decodeImage, out);
        if (m.hasDecoder()) prepareDecoder(checkpoint, input, out);
        return out;
    }
    prepareText(checkpoint, input, out);
    if (m.hasDecoder()) prepareDecoder(checkpoint, input, out);
    return out;
}

std::vector<int> teacherForcedDecoderIds(const Checkpoint& checkpoint, const std::string& target) {
    if (!checkpoint.capabilities().hasDecoder())
        throw Error("a target is for encoder-decoder models, which read a source and a target; this is " + checkpoint.config().modelType);
    if (target.empty()) throw Error("the target text is empty");
    const Encoding enc = checkpoint.encodeTarget(target);
    std::size_t typed = enc.ids.size();
    while (typed > 0 && enc.specialTokensMask[typed - 1]) --typed;
    std::vector<int> ids{checkpoint.config().decoderStartTokenId};
    ids.insert(ids.end(), enc.ids.begin(), enc.ids.begin() + static_cast<std::ptrdiff_t>(typed));
    return ids;
}

ImagePreprocessor imagePreprocessorFor(const Checkpoint& checkpoint) {
    const auto file = checkpoint.folder() / "preprocessor_config.json";
    if (std::filesystem::exists(file)) return ImagePreprocessor::fromFile(file);
    return ImagePreprocessor::defaultsForImageSize(checkpoint.config().imageConfig().imageSize);
}

PixelValues readPixelValuesFile(const std::filesystem::path& file) {
    SafetensorsFile f(file);
    const TensorInfo* t = f.find("pixel_values");
    if (!t) throw Error(file.string() + ": no tensor 'pixel_values'");
    std::vector<std::int64_t> shape = t->shape;
    if (shape.size() == 4 && shape[0] == 1) shape.erase(shape.begin());
    if (shape.size() != 3) throw Error(file.string() + ": tensor 'pixel_values' has shape " + t->shapeString() + ", expected [C, H, W]");
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
