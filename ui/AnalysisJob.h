#pragma once
#include <QString>

#include <atomic>
#include <memory>
#include <vector>

#include "FigureData.h"
#include "model/Checkpoint.h"

namespace attnscope::ui {

struct Analysis;

// What to run a model on. Which fields count depends on the model, by the rules
// `attnscope-cli attention` follows: a text model takes `text` (and an optional `pair`); an
// encoder-decoder takes `text` as the source and `target` (teacher forcing; an empty target
// runs the decoder on its start token alone); a vision model takes `imageFile` or
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

    bool hasImage() const { return !imageFile.isEmpty() || !pixelValuesFile.isEmpty(); }
};

// Runs `checkpoint` on `request` and gathers everything the views show: tokens and their
// labels, every attention stack, and for a vision model the image it saw, its patch grid and
// its top-5 classes. Decoding and preprocessing an image happen here, so call it off the GUI
// thread (AttentionSession does). Returns nullptr when *cancel became true; throws
// attnscope::Error with a user-facing message for input the model cannot take.
// A language model's most probable tokens from one row of logits [vocab], as the predictions
// panel lists them.
std::vector<ClassPrediction> topTokens(const Checkpoint& checkpoint, const float* logits, int vocab);

std::shared_ptr<Analysis> computeAnalysis(const Checkpoint& checkpoint, const AnalysisRequest& request,
                                          const ProgressCallback& progress = {}, const std::atomic<bool>* cancel = nullptr);

}  // namespace attnscope::ui
