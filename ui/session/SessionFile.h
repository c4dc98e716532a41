#pragma once
// Session files (*.attnscope): JSON holding the model reference, the inputs and the whole
// view state, so reopening one shows exactly what was on screen when it was saved.
#include <QString>

#include <string>
#include <vector>

#include "FigureBuilder.h"
#include "FigureStyle.h"
#include "analysis/AttentionQuery.h"

namespace attnscope::ui {

class AttentionSelection;

inline constexpr const char* kSessionSuffix = "attnscope";
inline constexpr int kSessionFormatVersion = 1;

struct SessionState {
    QString model;  // a model folder (absolute) or builtin:NAME
    QString text;
    QString pair;   // the pair of a text model, or an encoder-decoder's target
    QString image;  // a vision model's input image
    std::vector<int> maskedTokens;  // a masked LM's masked token positions in the text
    // Heads switched off ("1.0, 2.3", parseHeadAblation's form; empty: none) and how.
    QString headsOff;
    QString headsOffMode = QStringLiteral("zero");
    ViewKind view = ViewKind::Matrix;
    bool lens = false;  // the logit lens tab shown instead of `view`

    // The selection.
    QString attention = QStringLiteral("encoder");  // the stack's name (stackIndexFor)
    int layer = 0;
    int head = 0;
    HeadMode headMode = HeadMode::Single;
    bool rollout = false;
    bool hard = false;
    HardSelection hardSelection;
    bool hideSpecialTokens = false;
    bool words = false;
    std::vector<int> leftOutKeys;  // attention sinks left out (AttentionQuery::leftOutKeys)
    std::vector<int> queries;  // per stack, in the model's order (-1: none)
    std::vector<bool> enabledHeads;
    QString colorMap = QStringLiteral("viridis");
    ValueScale scale = ValueScale::Linear;
    Normalization normalization = Normalization::Global;
    double overlayOpacity = 0.6;

    // The matrix view's zoom window.
    double zoom = 1.0;
    int firstRow = 0;
    int firstColumn = 0;

    bool classroom = false;

    // Field by field (HardSelection has no operator== of its own in core).
    bool operator==(const SessionState& other) const;
};

// Copies the selection's part of the state into `state`.
void captureSelection(const AttentionSelection& selection, SessionState& state);
// Sets the selection from the state (after the analysis that gives it its shape).
void applySelection(const SessionState& state, AttentionSelection& selection);

std::string sessionToJson(const SessionState& state);
// Throws std::runtime_error saying what is wrong (invalid JSON, a missing or mistyped field).
SessionState sessionFromJson(const std::string& json);

// Atomic (QSaveFile): the old file stays whole if anything fails. Throws std::runtime_error.
void writeSessionFile(const QString& path, const SessionState& state);
// Throws std::runtime_error. A relative model path is taken relative to the file's folder.
SessionState readSessionFile(const QString& path);

}  // namespace attnscope::ui
