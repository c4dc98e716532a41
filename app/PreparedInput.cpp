#include "PreparedInput.h"

#include "Error.h"
#include "ImageInput.h"
#include "model/ModelInputs.h"

using attnscope::Error;

namespace cli {

PreparedInput prepare(const attnscope::Checkpoint& cp, const TextInput& input) {
    const auto& c = cp.config();
    PreparedInput p;
    const bool visual = input.imageFile || input.pixelValuesFile;
    if (c.isVision()) {
        if (!visual || input.text || input.ids)
            throw UsageError(c.modelType + " is a vision model: give exactly one of --image or --pixel-values");
        if (input.imageFile && input.pixelValuesFile) throw UsageError("give --image or --pixel-values, not both");
        p.forward.pixels = input.imageFile
                               ? attnscope::imagePreprocessorFor(cp).apply(loadImage(*input.imageFile), c.channels)
                               : attnscope::readPixelValuesFile(*input.pixelValuesFile);
        attnscope::Encoding tokens = attnscope::visionTokens(c);
        p.tokens = std::move(tokens.tokens);
        p.specialTokens = std::move(tokens.specialTokensMask);
        return p;
    }
    if (visual) throw UsageError(c.modelType + " is a text model: --image and --pixel-values are for vision models");
    if (input.ids) {
        p.forward.ids = *input.ids;
        p.tokens = cp.tokenNames(p.forward.ids);
        p.specialTokens = cp.specialTokens(p.forward.ids);
    } else {
        if (input.text->empty()) throw Error("--text is empty; give some text to tokenize");
        if (!cp.tokenizer()) throw Error(cp.tokenizerProblem() + "; give token ids with --ids instead");
        const auto enc = cp.encode(*input.text, input.pair);
        p.forward.ids = enc.ids;
        p.forward.typeIds = enc.typeIds;
        p.tokens = enc.tokens;
        p.specialTokens.assign(enc.specialTokensMask.begin(), enc.specialTokensMask.end());
    }
    if (c.isEncoderDecoder()) {
        if (input.target && input.decoderIds) throw UsageError("give --target or --decoder-ids, not both");
        if (!input.target && !input.decoderIds)
            throw UsageError(c.modelType + " is an encoder-decoder: give the decoder input with --target or --decoder-ids");
        p.forward.decoderIds = input.target ? attnscope::teacherForcedDecoderIds(cp, *input.target) : *input.decoderIds;
        p.decoderTokens = cp.tokenNames(p.forward.decoderIds);
        p.decoderSpecialTokens = cp.specialTokens(p.forward.decoderIds);
    } else if (input.target || input.decoderIds) {
        throw UsageError("--target and --decoder-ids are for encoder-decoder models; this is " + c.modelType);
    }
    return p;
}

}  // namespace cli
