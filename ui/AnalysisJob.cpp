#include "AnalysisJob.h"

#include <QFile>

#include "Analysis.h"
#include "Error.h"
#include "ImageFile.h"
#include "ModelImage.h"
#include "TokenLabel.h"
#include "analysis/Predictions.h"
#include "model/ModelInputs.h"
#include "model/TransformerModel.h"

namespace attnscope::ui {

namespace {

constexpr int kTopClasses = 5;
constexpr int kTopTokens = 8;

std::filesystem::path fsPath(const QString& path) { return std::filesystem::path(QFile::encodeName(path).toStdString()); }

// A vision model's input: the pixel values it runs on, and the image and tokens it shows.
void prepareVision(const Checkpoint& checkpoint, const AnalysisRequest& request, Analysis& analysis, ForwardInput& input) {
    const ModelConfig& config = checkpoint.config();
    if (!request.text.isEmpty() || !request.pair.isEmpty() || !request.target.isEmpty())
        throw Error(config.modelType + " is a vision model: it reads an image, not text. Open an image file to analyse it.");
    if (!request.hasImage()) throw Error(config.modelType + " is a vision model: open an image file to analyse it.");
    if (!request.imageFile.isEmpty() && !request.pixelValuesFile.isEmpty())
        throw Error("give an image or a pixel-values file, not both");
    const ImagePreprocessor preprocessor = imagePreprocessorFor(checkpoint);
    if (!request.imageFile.isEmpty()) {
        const RgbImage decoded = loadImageFile(request.imageFile);
        input.pixels = preprocessor.apply(decoded, config.channels);
        analysis.image = modelInputImage(decoded, preprocessor, config.channels);
        analysis.imagePath = request.imageFile;
    } else {
        input.pixels = readPixelValuesFile(fsPath(request.pixelValuesFile));
        analysis.image = imageFromPixelValues(input.pixels, preprocessor);
        analysis.imagePath = request.pixelValuesFile;
    }
    analysis.patches.firstPatchToken = config.family == Family::Deit ? 2 : 1;
    analysis.patches.rows = analysis.patches.columns = config.patchSize > 0 ? config.imageSize / config.patchSize : 0;
    analysis.encoding = visionTokens(config);
    analysis.tokenLabels = tokenLabels(analysis.encoding.tokens);
}

// Puts the mask token in place of each position's token, keeping what was there for the panel.
void maskTokens(const Checkpoint& checkpoint, const std::vector<int>& positions, Analysis& analysis) {
    const ModelConfig& config = checkpoint.config();
    if (config.causal || config.isEncoderDecoder())
        throw Error("masking a token is for masked language models (BERT, RoBERTa, DistilBERT); " + config.modelType +
                    " is not one");
    const std::optional<int> maskId = checkpoint.tokenizer()->maskTokenId();
    if (!maskId) throw Error("this tokenizer has no [MASK] or <mask> token to mask with");
    Encoding& encoding = analysis.encoding;
    const std::string maskToken = checkpoint.tokenizer()->idToToken(*maskId);
    for (const int p : positions) {
        if (p < 0 || p >= static_cast<int>(encoding.size()))
            throw Error("cannot mask token " + std::to_string(p) + ": the text has " + std::to_string(encoding.size()) + " tokens");
        const std::size_t i = static_cast<std::size_t>(p);
        if (encoding.specialTokensMask[i])
            throw Error("token " + std::to_string(p) + " (" + encoding.tokens[i] + ") is a special token; mask an ordinary one");
        analysis.maskedTokens.insert(p, analysis.tokenLabels.value(p));
        encoding.ids[i] = *maskId;
        encoding.tokens[i] = maskToken;
    }
    analysis.tokenLabels = tokenLabels(encoding.tokens);
}

// A text model's input, and an encoder-decoder's source and teacher-forced target.
void prepareText(const Checkpoint& checkpoint, const AnalysisRequest& request, Analysis& analysis, ForwardInput& input) {
    const ModelConfig& config = checkpoint.config();
    if (request.hasImage()) throw Error(config.modelType + " is a text model: images are for vision models (ViT, DeiT).");
    if (!checkpoint.tokenizer()) throw Error("this model folder has no usable tokenizer: " + checkpoint.tokenizerProblem());
    std::optional<std::string> pair;
    if (!request.pair.isEmpty()) pair = request.pair.toStdString();
    analysis.encoding = checkpoint.encode(request.text.toStdString(), pair);
    if (analysis.encoding.size() == 0) throw Error("The text gives no tokens: type some text to see its attention.");
    analysis.tokenLabels = tokenLabels(analysis.encoding.tokens);
    if (!request.maskedPositions.empty()) maskTokens(checkpoint, request.maskedPositions, analysis);
    input.ids = analysis.encoding.ids;
    input.typeIds = analysis.encoding.typeIds;
    if (!config.isEncoderDecoder()) {
        if (!request.target.isEmpty()) throw Error("a target is for encoder-decoder models (T5); this is " + config.modelType);
        return;
    }
    // An empty target runs the decoder on its start token alone: what the first step attends to.
    input.decoderIds = request.target.isEmpty() ? std::vector<int>{config.decoderStartTokenId}
                                                : teacherForcedDecoderIds(checkpoint, request.target.toStdString());
    analysis.target = request.target;
    analysis.decoderIds = input.decoderIds;
    analysis.targetLabels = tokenLabels(checkpoint.tokenNames(input.decoderIds));
    analysis.targetSpecialTokens = checkpoint.specialTokens(input.decoderIds);
}

std::vector<ClassPrediction> topClasses(const ModelConfig& config, const RowMatrix& logits) {
    std::vector<ClassPrediction> out;
    if (logits.size() == 0) return out;
    const int classes = static_cast<int>(logits.cols());
    for (const Prediction& p : topPredictions(logits.row(0).data(), classes, kTopClasses)) {
        const auto label = config.id2label.find(p.id);
        out.push_back({label != config.id2label.end() ? QString::fromStdString(label->second) : QStringLiteral("class %1").arg(p.id),
                       p.probability});
    }
    return out;
}

}  // namespace

std::vector<ClassPrediction> topTokens(const Checkpoint& checkpoint, const float* logits, int vocab) {
    std::vector<ClassPrediction> row;
    for (const Prediction& p : topPredictions(logits, vocab, kTopTokens)) {
        const std::string token = checkpoint.tokenizer() ? checkpoint.tokenizer()->idToToken(p.id) : std::string();
        row.push_back({token.empty() ? QString::number(p.id) : tokenLabel(token), p.probability});
    }
    return row;
}

namespace {

// A language model's head, per position: what it would put next (causal) or there (masked).
void addTokenPredictions(const Checkpoint& checkpoint, const RowMatrix& logits, Analysis& analysis) {
    const ModelConfig& config = checkpoint.config();
    if (config.isEncoderDecoder()) {
        analysis.predictionsNote = QObject::tr("Predictions are shown for single-stack language models; T5's are not yet.");
        return;
    }
    if (logits.size() == 0) {
        analysis.predictionsNote = QObject::tr("This checkpoint has no language-model head, so it predicts no tokens; "
                                               "its attention is all there is to see.");
        return;
    }
    analysis.tokenPredictionKind = config.causal ? Analysis::TokenPredictionKind::NextToken : Analysis::TokenPredictionKind::MaskedToken;
    const int vocab = static_cast<int>(logits.cols());
    for (Eigen::Index pos = 0; pos < logits.rows(); ++pos) analysis.tokenPredictions.push_back(topTokens(checkpoint, logits.row(pos).data(), vocab));
}

}  // namespace

std::shared_ptr<Analysis> computeAnalysis(const Checkpoint& checkpoint, const AnalysisRequest& request, const ProgressCallback& progress,
                                          const std::atomic<bool>* cancel) {
    const ModelConfig& config = checkpoint.config();
    auto analysis = std::make_shared<Analysis>();
    analysis->text = request.text;
    analysis->pair = request.pair;
    ForwardInput input;
    if (config.isVision()) prepareVision(checkpoint, request, *analysis, input);
    else prepareText(checkpoint, request, *analysis, input);
    if (cancel && *cancel) return nullptr;
    if (progress) progress(0, config.layers + config.decoderLayers);
    std::optional<ForwardResult> result = checkpoint.forward(input, progress, cancel);
    if (!result) return nullptr;
    analysis->attentions = std::move(result->attentions);
    analysis->decoderAttentions = std::move(result->decoderAttentions);
    analysis->crossAttentions = std::move(result->crossAttentions);
    // A classifier's logits: one row for the image or the text. (A language model's are per
    // token over the vocabulary, a next-token or masked-token guess, not a class.)
    if (checkpoint.model().isClassifier()) {
        analysis->predictions = topClasses(config, result->logits);
        if (!config.isVision())
            analysis->predictionsNote = QObject::tr("This checkpoint classifies the whole text; it predicts no tokens.");
    } else if (!config.isVision()) {
        addTokenPredictions(checkpoint, result->logits, *analysis);
    }
    return analysis;
}

}  // namespace attnscope::ui
