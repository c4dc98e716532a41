#pragma once
#include <QImage>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

#include "FigureData.h"
#include "analysis/Generation.h"

namespace attnscope {
class Checkpoint;
}

namespace attnscope::ui {

struct Analysis;

// What Generate and Step ask for: up to maxNewTokens more tokens after the prompt (or after
// the generation shown, when it continues), picked with `sampling`. paceMs > 0 holds each
// token on screen at least that long, so a classroom can follow it appear.
struct GenerationRequest {
    QString prompt;  // the text to continue, or an encoder-decoder's source
    QString target;  // an encoder-decoder's target typed so far, which the decoder continues
    QString imageFile;  // a captioner's image (its source), instead of a prompt
    SamplingSettings sampling;
    int maxNewTokens = 1;
    int paceMs = 0;
};

// One growing generation of a causal language model, or of an encoder-decoder's target for a
// source: its key/value cache (each new token is one incremental step), the top tokens
// predicted after every position fed so far, and what the views show of it (snapshot()). Lives across Generate and Step presses so a continuation
// costs only its new tokens. Not thread-safe: one job at a time uses it.
class GenerationRun {
    Q_GADGET
public:
    enum class Stop { MaxTokens, EndOfSequence, ContextFull, Cancelled };
    Q_ENUM(Stop)

    // Tokenizes the prompt; an empty one starts from the model's beginning-of-sequence token
    // where it has one. An encoder-decoder encodes the prompt as its source, and its decoder
    // starts from its start token and the target's tokens; a captioner reads `imageFile`
    // (decoded and preprocessed here: construct it off the GUI thread). Throws
    // attnscope::Error for a model that cannot generate, an empty prompt without such a token,
    // or a captioner without an image it can read.
    GenerationRun(std::shared_ptr<const Checkpoint> checkpoint, const QString& prompt, const SamplingSettings& sampling,
                  const QString& target = {}, const QString& imageFile = {});

    const Checkpoint& checkpoint() const { return *checkpoint_; }
    const QString& prompt() const { return prompt_; }
    const QString& target() const { return target_; }
    const QString& imageFile() const { return imageFile_; }
    // The growing sequence: the text's tokens, or an encoder-decoder's decoder tokens.
    const std::vector<int>& ids() const { return generator_.ids(); }
    const SamplingSettings& sampling() const { return generator_.sampling(); }
    // New settings for the tokens still to come (a new sampler, seeded afresh; the cache stays).
    void setSampling(const SamplingSettings& settings) { generator_.setSampling(settings); }

    // Generates up to maxNewTokens, calling onToken with snapshots as it goes (each new
    // token's attention row and next-token predictions included): after every token when
    // paced, else at most every 80 ms, and always for the last. Stops early at an
    // end-of-sequence token, at the model's context length, or when `stop` becomes true —
    // between tokens, so the run stays whole and can be continued.
    // `progress` sees (tokens made, maxNewTokens) after every token.
    Stop run(int maxNewTokens, int paceMs, const std::function<void(std::shared_ptr<const Analysis>)>& onToken,
             const std::function<bool()>& stop, const std::function<void(int, int)>& progress = {});

    // The sequence so far as an analysis: tokens, attention [layers, heads, n, n], each
    // position's next-token predictions, the prompt length and the new text; for an
    // encoder-decoder also the source, the encoder's attention and the cross-attention.
    std::shared_ptr<Analysis> snapshot() const;

private:
    void feedPending();  // feeds the newest tokens and keeps their predictions
    bool contextFull() const;

    std::shared_ptr<const Checkpoint> checkpoint_;  // before generator_, which refers to its model
    QString prompt_;
    QString target_;
    QString imageFile_;
    QImage seenImage_;  // a captioner's image as its encoder saw it (before generator_, which fills it)
    Generator generator_;
    std::vector<int> stopIds_;
    std::vector<std::vector<ClassPrediction>> predictions_;  // per fed position: what comes next
};

}  // namespace attnscope::ui
