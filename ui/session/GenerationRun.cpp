#include "GenerationRun.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "Analysis.h"
#include "AnalysisJob.h"
#include "Error.h"
#include "ImageFile.h"
#include "ModelImage.h"
#include "TokenLabel.h"
#include "model/Checkpoint.h"
#include "model/PreparedInput.h"
#include "model/TransformerModel.h"

namespace attnscope::ui {

namespace {

std::vector<int> promptIds(const Checkpoint& checkpoint, const QString& prompt) {
    const ModelConfig& config = checkpoint.config();
    std::vector<int> ids = checkpoint.encode(prompt.toStdString()).ids;
    if (!ids.empty()) return ids;
    // Nothing typed: a model with a beginning-of-sequence token starts from it alone, as
    // transformers' generate() does without input_ids.
    if (const std::optional<int> bos = beginningOfSequenceId(config)) return {*bos};
    throw Error("type a prompt to generate from: " + config.modelType + " has no beginning-of-sequence token to start with");
}

// A captioner's source: the image decoded and preprocessed as an analysis of it would be.
GenerationPrompt captionPrompt(const Checkpoint& checkpoint, const QString& target, const QString& imageFile, QImage& seen) {
    if (imageFile.isEmpty()) throw Error("open an image for this " + checkpoint.config().modelType + " to caption");
    UserInput in;
    in.imageFile = imageFile.toStdString();
    PreparedInput prepared = prepareInput(checkpoint, in, [](const std::string& path) { return loadImageFile(QString::fromStdString(path)); });
    seen = toQImage(prepared.seenImage);
    return {decoderPromptIds(checkpoint, target.toStdString()), {}, std::move(prepared.forward.pixels)};
}

GenerationPrompt generationPrompt(const Checkpoint& checkpoint, const QString& prompt, const QString& target, const QString& imageFile,
                                  QImage& seen) {
    checkpoint.model().requireCanGenerate();
    if (!checkpoint.tokenizer()) throw Error("this model folder has no usable tokenizer: " + checkpoint.tokenizerProblem());
    if (checkpoint.capabilities().readsImages()) return captionPrompt(checkpoint, target, imageFile, seen);
    if (!checkpoint.capabilities().hasDecoder()) {
        if (!target.isEmpty()) throw Error("a target is for encoder-decoder models; " + checkpoint.config().modelType + " continues its prompt");
        return {promptIds(checkpoint, prompt), {}, {}};
    }
    GenerationPrompt p{decoderPromptIds(checkpoint, target.toStdString()), checkpoint.encode(prompt.toStdString()).ids, {}};
    if (p.source.empty()) throw Error("type a source for " + checkpoint.config().modelType + " to generate its target from");
    return p;
}

TokenSequence namedSequence(const Checkpoint& checkpoint, const char* name, const std::vector<int>& ids) {
    TokenSequence tokens;
    tokens.name = name;
    tokens.names = checkpoint.tokenNames(ids);
    tokens.ids = ids;
    tokens.special = checkpoint.specialTokens(ids);
    return tokens;
}

// Waits out the rest of the pace, looking at cancel often enough to feel immediate.
void waitForPace(std::chrono::steady_clock::time_point until, const std::function<bool()>& stop) {
    while (!stop() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace

GenerationRun::GenerationRun(std::shared_ptr<const Checkpoint> checkpoint, const QString& prompt, const SamplingSettings& sampling,
                             const QString& target, const QString& imageFile)
    : checkpoint_(std::move(checkpoint)),
      prompt_(prompt),
      target_(target),
      imageFile_(imageFile),
      generator_(checkpoint_->model(), generationPrompt(*checkpoint_, prompt, target, imageFile, seenImage_), sampling),
      stopIds_(endOfSequenceIds(checkpoint_->config())) {
    // The checkpoint's rules for what is picked; forced_eos never applies, since a run here is
    // continued by the next Generate or Step rather than ended at its budget.
    generator_.setRules(GenerationRules::forModel(checkpoint_->folder(), checkpoint_->config().raw));
}

void GenerationRun::feedPending() {
    const int before = generator_.fedLength();
    generator_.feedPending();
    if (generator_.fedLength() == before) return;
    const RowMatrix& logits = generator_.lastFedLogits();
    for (Eigen::Index row = 0; row < logits.rows(); ++row)
        predictions_.push_back(topTokens(*checkpoint_, logits.row(row).data(), static_cast<int>(logits.cols())));
}

bool GenerationRun::contextFull() const {
    const int limit = checkpoint_->config().maxPositions;
    return limit > 0 && static_cast<int>(generator_.ids().size()) >= limit;
}

GenerationRun::Stop GenerationRun::run(int maxNewTokens, int paceMs, const std::function<void(std::shared_ptr<const Analysis>)>& onToken,
                                       const std::function<bool()>& stop, const std::function<void(int, int)>& progress) {
    using Clock = std::chrono::steady_clock;
    if (maxNewTokens < 1) throw Error("generate at least one token");
    feedPending();  // the prompt, on a fresh run
    // A snapshot copies every attention map: unpaced, a fast model shows at most one per
    // interval (and always the last), so the copies never cost more than the steps.
    constexpr auto kShowInterval = std::chrono::milliseconds(80);
    Clock::time_point lastShown{};
    bool newestShown = true;
    const auto show = [&] {
        if (onToken) onToken(snapshot());
        lastShown = Clock::now();
        newestShown = true;
    };
    Stop why = Stop::MaxTokens;
    for (int i = 0; i < maxNewTokens; ++i) {
        if (stop()) {
            why = Stop::Cancelled;
            break;
        }
        if (contextFull()) {
            why = Stop::ContextFull;
            break;
        }
        const auto due = Clock::now() + std::chrono::milliseconds(paceMs);
        const int id = generator_.step();
        // Fed at once: the new token's own attention row, and what it predicts next, show with it.
        feedPending();
        newestShown = false;
        if (progress) progress(i + 1, maxNewTokens);
        if (paceMs > 0 || Clock::now() - lastShown >= kShowInterval) show();
        if (std::find(stopIds_.begin(), stopIds_.end(), id) != stopIds_.end()) {
            why = Stop::EndOfSequence;
            break;
        }
        if (paceMs > 0 && i + 1 < maxNewTokens) waitForPace(due, stop);
    }
    if (!newestShown) show();
    return why;
}

std::shared_ptr<Analysis> GenerationRun::snapshot() const {
    const Tokenizer& tokenizer = *checkpoint_->tokenizer();
    // The tokens fed so far: those with an attention row and predictions.
    const std::vector<int> ids(generator_.ids().begin(), generator_.ids().begin() + generator_.fedLength());
    auto analysis = std::make_shared<Analysis>();
    analysis->text = prompt_;
    analysis->target = target_;
    AttentionRecord& record = analysis->record;
    record.modelType = checkpoint_->config().modelType;
    const std::vector<int>& source = generator_.source();
    const ModelCapabilities& m = checkpoint_->capabilities();
    if (!generator_.hasSource()) {
        record.sequences = {namedSequence(*checkpoint_, kInputSequence, ids)};
        record.stacks = {{kSelfStack, 0, 0, generator_.attentions()}};
        analysis->input.ids = ids;
    } else {
        // The source: a text's tokens, or a captioner's image, which the overlay shows.
        TokenSequence input = m.readsImages() ? imageSequence(m.patches.firstPatchToken, m.patches.rows, m.patches.columns)
                                              : namedSequence(*checkpoint_, kInputSequence, source);
        record.sequences = {std::move(input), namedSequence(*checkpoint_, kDecoderSequence, ids)};
        record.stacks = {{"encoder", 0, 0, generator_.encoderAttention()}, {"decoder", 1, 1, generator_.attentions()},
                         {"cross", 1, 0, generator_.crossAttentions()}};
        analysis->input.ids = source;
        analysis->input.decoderIds = ids;
        analysis->predictedSequence = 1;
        if (m.readsImages()) {
            record.pixels = generator_.image();
            analysis->input.pixels = generator_.image();
            analysis->imagePath = imageFile_;
            analysis->image = seenImage_;
        }
    }
    analysis->labels = sequenceLabels(analysis->record);
    analysis->tokenPredictionKind = Analysis::TokenPredictionKind::NextToken;
    analysis->tokenPredictions = predictions_;
    analysis->promptLength = generator_.promptLength();
    // What the new tokens add to the text: decoded with the prompt, as a decoder may treat a
    // leading token differently (SentencePiece drops the first word's space).
    const std::vector<int> promptIds(ids.begin(), ids.begin() + generator_.promptLength());
    const std::string whole = tokenizer.decode(ids), start = tokenizer.decode(promptIds);
    const std::vector<int> generated(ids.begin() + generator_.promptLength(), ids.end());
    analysis->generatedText = QString::fromStdString(whole.starts_with(start) ? whole.substr(start.size()) : tokenizer.decode(generated));
    return analysis;
}

}  // namespace attnscope::ui
