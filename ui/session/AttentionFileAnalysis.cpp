#include "AttentionFileAnalysis.h"

#include <QFile>

#include "Analysis.h"
#include "ModelImage.h"
#include "analysis/Predictions.h"
#include "io/AttentionFile.h"
#include "vision/ImagePreprocessor.h"

namespace attnscope::ui {

std::shared_ptr<Analysis> analysisFromAttentionFile(const QString& path) {
    auto analysis = std::make_shared<Analysis>();
    analysis->record = readAttentionFile(QFile::encodeName(path).toStdString());
    analysis->labels = sequenceLabels(analysis->record);
    if (!analysis->hasImage()) return analysis;
    const AttentionRecord& record = analysis->record;
    analysis->imagePath = path;
    // The file does not say how the pixels were normalised; ViT's default (mean and std 0.5)
    // is what both shipped and most hub vision checkpoints use.
    analysis->image = toQImage(ImagePreprocessor::defaultsForImageSize(record.pixels.height).imageFromPixelValues(record.pixels));
    // A classifier's logits, [labels]: its top classes, without names.
    if (record.logitsPerInput && record.logits.size() > 0)
        for (const Prediction& p : topPredictions(record.logits.data(), static_cast<int>(record.logits.size()), Analysis::kTopClasses))
            analysis->predictions.push_back({QStringLiteral("class %1").arg(p.id), p.probability});
    return analysis;
}

}  // namespace attnscope::ui
