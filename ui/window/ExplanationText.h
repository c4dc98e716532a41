#pragma once
// The short captions classroom mode shows under the view: one or two sentences a teacher
// can read aloud, chosen by what is on screen. Kept apart from the window so the wording can
// be edited (and translated) without touching any logic.
#include <QString>

#include "FigureBuilder.h"
#include "analysis/AttentionQuery.h"

namespace attnscope::ui {

class AttentionSelection;

// What decides the caption: the view and the selection's mode.
struct ExplanationContext {
    ViewKind view = ViewKind::Matrix;
    // The stack shown, when it is not the model's first (or only) one: its title, and whether
    // it attends from one sequence to another.
    QString otherStack;
    bool crossStack = false;
    bool scoreTerm = false;  // the stack is one of DeBERTa's score terms alone
    int layer = 0;
    int layers = 0;
    int head = 0;
    int heads = 0;
    HeadMode headMode = HeadMode::Single;
    bool rollout = false;
    bool hard = false;
    HardSelection hardSelection;
    // What sets the model's attention apart (ModelNotes): the shown layer's, and the model's.
    QString layerNote;
    QString scoreNote;
    // A caption's word whose cross-attention over the image is shown ("the word dog looks here").
    QString queryWord;
};

ExplanationContext explanationContext(ViewKind view, const AttentionSelection& selection);

// The caption: first what is shown (layer/head), then what the numbers mean in this mode.
QString explanationText(const ExplanationContext& context);

}  // namespace attnscope::ui
