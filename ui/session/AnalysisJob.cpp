#include "AnalysisJob.h"

#include <QFile>

#include "Analysis.h"
#include "ImageFile.h"
#include "ModelImage.h"
#include "TokenLabel.h"
#include "analysis/Predictions.h"

namespace attnscope::ui {

namespace {

constexpr int kTopTokens = 8;

std::optional<std::string> given(const QString& field) {
    return field.isEmpty() ? std::nullopt : std::optional<std::string>(field.toStdString());
}

// A language model's head, per position: what it would put next (causal) or there (masked);
// a token classifier's labels for each token.
void addTokenPredictions(const Checkpoint& checkpoint, Analysis& analysis, const RowMatrix* before) {
    const ModelCapabilities& m = checkpoint.capabilities();
    const RowMatrix& logits = analysis.record.logits;
    // An encoder-decoder predicts each next target token: its logits are the decoder's.
    if (m.hasDecoder()) analysis.predictedSequence = 1;
    if (logits.size() == 0) {
        analysis.predictionsNote = QObject::tr("This checkpoint has no language-model head, so it predicts no tokens; "
                                               "its attention is all there is to see.");
        return;
    }
    analysis.tokenPredictionKind = m.predictions == PredictionKind::NextToken     ? Analysis::TokenPredictionKind::NextToken
                                   : m.predictions == PredictionKind::TokenLabels ? Analysis::TokenPredictionKind::TokenLabels
                                                                                  : Analysis::TokenPredictionKind::MaskedToken;
    const int vocab = static_cast<int>(logits.cols());
    for (Eigen::Index pos = 0; pos < logits.rows(); ++pos)
        analysis.tokenPredictions.push_back(before ? comparedTopTokens(checkpoint, before->row(pos).data(), logits.row(pos).data(), vocab)
                                                   : topTokens(checkpoint, logits.row(pos).data(), vocab));
}

// `before`: the logits with every head on, when the analysis ran with some switched off.
void addPredictions(const Checkpoint& checkpoint, Analysis& analysis, const RowMatrix* before) {
    const ModelCapabilities& m = checkpoint.capabilities();
    const RowMatrix& logits = analysis.record.logits;
    // A classifier's logits: one row for the image or the text. (A language model's are per
    // token over the vocabulary, a next-token or masked-token guess, not a class.)
    if (m.isClassifier()) {
        const int count = static_cast<int>(logits.cols());
        if (logits.size() > 0 && before)
            for (const ComparedPrediction& p : comparedPredictions(checkpoint, before->row(0).data(), logits.row(0).data(), count, Analysis::kTopClasses))
                analysis.predictions.push_back({QString::fromStdString(p.name), p.after, p.before});
        else if (logits.size() > 0)
            for (const NamedPrediction& p : namedPredictions(checkpoint, logits.row(0).data(), count, Analysis::kTopClasses))
                analysis.predictions.push_back({QString::fromStdString(p.name), p.probability});
        if (!m.readsImages()) analysis.predictionsNote = QObject::tr("This checkpoint classifies the whole text; it predicts no tokens.");
    } else if (!m.readsImages() || m.hasDecoder()) {  // a captioner predicts its caption's tokens
        addTokenPredictions(checkpoint, analysis, before);
    }
}

}  // namespace

UserInput AnalysisRequest::userInput() const {
    UserInput in;
    if (!imageFile.isEmpty()) in.imageFile = imageFile.toStdString();
    if (!pixelValuesFile.isEmpty()) in.pixelValuesFile = std::filesystem::path(QFile::encodeName(pixelValuesFile).toStdString());
    // A text model is given its text even when empty (the engine says what is missing); an image
    // model only what was typed, so that it complains of text only when there is some.
    if (!hasImage() || !text.isEmpty()) in.text = text.toStdString();
    in.pair = given(pair);
    in.target = given(target);
    in.maskedPositions = maskedPositions;
    return in;
}

QString entryLabel(const Checkpoint& checkpoint, int id) {
    const ModelCapabilities& m = checkpoint.capabilities();
    const std::string name = entryName(checkpoint, id);
    return m.isClassifier() || m.predictions == PredictionKind::TokenLabels ? QString::fromStdString(name) : tokenLabel(name);
}

std::vector<ClassPrediction> topTokens(const Checkpoint& checkpoint, const float* logits, int vocab) {
    std::vector<ClassPrediction> row;
    for (const NamedPrediction& p : namedPredictions(checkpoint, logits, vocab, kTopTokens)) row.push_back({tokenLabel(p.name), p.probability});
    return row;
}

std::vector<ClassPrediction> comparedTopTokens(const Checkpoint& checkpoint, const float* before, const float* after, int vocab) {
    std::vector<ClassPrediction> row;
    for (const ComparedPrediction& p : comparedPredictions(checkpoint, before, after, vocab, kTopTokens))
        row.push_back({tokenLabel(p.name), p.after, p.before});
    return row;
}

AnalysisRequest requestOf(const Analysis& analysis) {
    AnalysisRequest request;
    request.text = analysis.text;
    request.pair = analysis.pair;
    request.target = analysis.target;
    if (analysis.hasImage()) {
        if (analysis.imagePath.endsWith(QStringLiteral(".safetensors"), Qt::CaseInsensitive)) request.pixelValuesFile = analysis.imagePath;
        else request.imageFile = analysis.imagePath;
    }
    for (auto it = analysis.maskedTokens.constBegin(); it != analysis.maskedTokens.constEnd(); ++it) request.maskedPositions.push_back(it.key());
    request.ablation = analysis.ablation;
    return request;
}

std::shared_ptr<Analysis> computeAnalysis(const Checkpoint& checkpoint, const AnalysisRequest& request, const ProgressCallback& progress,
                                          const std::atomic<bool>* cancel) {
    PreparedInput prepared = prepareInput(checkpoint, request.userInput(),
                                          [](const std::string& path) { return loadImageFile(QString::fromStdString(path)); });
    if (cancel && *cancel) return nullptr;
    const ModelCapabilities& m = checkpoint.capabilities();
    if (progress) progress(0, m.forwardLayers);
    // With heads switched off, a pass with every head on first: the predictions' "before".
    std::optional<RowMatrix> before;
    if (!request.ablation.empty()) {
        std::optional<AttentionRecord> plain = checkpoint.run(prepared, progress, cancel);
        if (!plain) return nullptr;
        before = std::move(plain->logits);
        prepared.forward.ablation = request.ablation;
    }
    std::optional<AttentionRecord> record = checkpoint.run(prepared, progress, cancel);
    if (!record) return nullptr;
    auto analysis = std::make_shared<Analysis>();
    analysis->record = std::move(*record);
    analysis->input = std::move(prepared.forward);
    analysis->labels = sequenceLabels(analysis->record);
    analysis->text = request.text;
    analysis->pair = request.pair;
    analysis->target = request.target;
    if (m.readsImages()) {
        analysis->imagePath = request.hasImage() && !request.imageFile.isEmpty() ? request.imageFile : request.pixelValuesFile;
        analysis->image = toQImage(prepared.seenImage);
    }
    for (const auto& [position, token] : prepared.maskedTokens) analysis->maskedTokens.insert(position, tokenLabel(token));
    analysis->ablation = request.ablation;
    addPredictions(checkpoint, *analysis, before ? &*before : nullptr);
    return analysis;
}

}  // namespace attnscope::ui
