#pragma once
#include <QString>

#include <atomic>
#include <memory>
#include <vector>

#include "FigureData.h"
#include "model/Checkpoint.h"
#include "model/HeadAblation.h"
#include "model/PreparedInput.h"

namespace attnscope::ui {

struct Analysis;

// What to run a model on, as the window's fields hold it. Which fields count depends on the
// model, by core's rules (inputMismatch): a text model takes `text` (and an optional `pair`);
// an encoder-decoder takes `text` as the source and `target` (teacher forcing; an empty target
// runs the decoder on its start token alone); an image model takes `imageFile` or
// `pixelValuesFile` (a safetensors file with a ready `pixel_values`). A masked language model
// may have some of the text's tokens replaced by its mask token (`maskedPositions`, token
// indices), to see what it would put there.
struct AnalysisRequest {
    QString text;
    QString pair;
    QString target;
    QString imageFile;
    QString pixelValuesFile;
    std::vector<int> maskedPositions;
    // Heads to switch off (single-stack models); the session adds the ones the user chose.
    HeadAblation ablation;

    bool hasImage() const { return !imageFile.isEmpty() || !pixelValuesFile.isEmpty(); }
    // The request in the engine's terms: empty fields are fields not given.
    UserInput userInput() const;
};

// A language model's most probable tokens from one row of logits [vocab], as the predictions
// panel lists them.
std::vector<ClassPrediction> topTokens(const Checkpoint& checkpoint, const float* logits, int vocab);
// The same with heads switched off: the union of both top lists, each with its probability
// after (probability) and before (before).
std::vector<ClassPrediction> comparedTopTokens(const Checkpoint& checkpoint, const float* before, const float* after, int vocab);

// How one of the head's outputs is shown: a classifier's (or token classifier's) label as it
// is, a vocabulary token as tokenLabel spells it (analysis/Predictions.h's entryName).
QString entryLabel(const Checkpoint& checkpoint, int id);

// The request that made `analysis` again (its text, pair, target, masks or image), to rerun it
// under other settings.
AnalysisRequest requestOf(const Analysis& analysis);

// Runs `checkpoint` on `request` (core's prepareInput, then the forward pass) and gathers
// everything the views show: the record, its labels, the image the model saw, and the
// predictions. Decoding and preprocessing an image happen here, so call it off the GUI thread
// (AttentionSession does). Returns nullptr when *cancel became true; throws attnscope::Error
// with a user-facing message for input the model cannot take.
std::shared_ptr<Analysis> computeAnalysis(const Checkpoint& checkpoint, const AnalysisRequest& request,
                                          const ProgressCallback& progress = {}, const std::atomic<bool>* cancel = nullptr);

}  // namespace attnscope::ui
