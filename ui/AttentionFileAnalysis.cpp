#include "AttentionFileAnalysis.h"

#include <QFile>
#include <QFileInfo>

#include <cmath>

#include "Analysis.h"
#include "ModelImage.h"
#include "TokenLabel.h"
#include "analysis/Predictions.h"
#include "io/AttentionFile.h"
#include "model/ModelInputs.h"
#include "vision/ImagePreprocessor.h"

namespace attnscope::ui {

namespace {

constexpr int kTopClasses = 5;

Encoding encodingOf(const AttentionFileTokens& t) {
    Encoding e;
    e.tokens = t.names;
    e.ids = t.ids;
    e.specialTokensMask = t.special;
    return e;
}

// The side of a square of n patches; 0 when n is not a positive square.
int squareSide(int n) {
    const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(std::max(n, 0)))));
    return n > 0 && side * side == n ? side : 0;
}

// ViT and DeiT files: leading special tokens ([CLS], DeiT's [DIST]) and then a square grid of
// patches over the image in pixel_values. A file without token names (transformers gives
// none for images) gets them here: one leading token when the rest is square, else two.
void addVision(const AttentionFile& file, Analysis& analysis) {
    if (file.pixels.empty() || file.isEncoderDecoder()) return;
    const int n = analysis.tokenCount();
    int leading = 0;
    if (file.tokens.named) {
        while (leading < n && analysis.encoding.specialTokensMask[static_cast<std::size_t>(leading)]) ++leading;
    } else {
        leading = squareSide(n - 1) ? 1 : squareSide(n - 2) ? 2 : 0;
    }
    const int side = squareSide(n - leading);
    if (leading == 0 || leading > 2 || side == 0) return;
    if (!file.tokens.named) {
        Encoding named = visionTokens(leading, side);
        analysis.encoding.tokens = std::move(named.tokens);
        analysis.encoding.specialTokensMask = std::move(named.specialTokensMask);
        analysis.tokenLabels = tokenLabels(analysis.encoding.tokens);
    }
    analysis.patches.firstPatchToken = leading;
    analysis.patches.rows = analysis.patches.columns = side;
    // The file does not say how the pixels were normalised; ViT's default (mean and std 0.5)
    // is what both shipped and most hub vision checkpoints use.
    analysis.image = imageFromPixelValues(file.pixels, ImagePreprocessor::defaultsForImageSize(file.pixels.height));
    // A classifier's logits, [labels]: its top classes, without names.
    if (file.logitsShape.size() == 1 && !file.logits.empty()) {
        for (const Prediction& p : topPredictions(file.logits.data(), static_cast<int>(file.logits.size()), kTopClasses))
            analysis.predictions.push_back({QStringLiteral("class %1").arg(p.id), p.probability});
    }
}

}  // namespace

std::shared_ptr<Analysis> analysisFromAttentionFile(const QString& path) {
    AttentionFile file = readAttentionFile(QFile::encodeName(path).toStdString());
    auto analysis = std::make_shared<Analysis>();
    analysis->encoding = encodingOf(file.tokens);
    analysis->tokenLabels = tokenLabels(file.tokens.names);
    analysis->attentions = std::move(file.attentions);
    if (file.isEncoderDecoder()) {
        analysis->decoderIds = file.decoderTokens.ids;
        analysis->targetLabels = tokenLabels(file.decoderTokens.names);
        analysis->targetSpecialTokens = file.decoderTokens.special;
        analysis->decoderAttentions = std::move(file.decoderAttentions);
        analysis->crossAttentions = std::move(file.crossAttentions);
    }
    addVision(file, *analysis);
    if (analysis->isVision()) analysis->imagePath = path;
    return analysis;
}

}  // namespace attnscope::ui
