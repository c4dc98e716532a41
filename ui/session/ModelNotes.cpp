#include "ModelNotes.h"

#include "model/ModelDescription.h"

namespace attnscope::ui {

ModelNotes modelNotesOf(const ModelConfig& config) {
    ModelNotes notes;
    notes.scores = QString::fromStdString(scoreNote(config));
    for (int l = 0; l < config.layers; ++l) notes.layers << QString::fromStdString(layerNote(config, l));
    return notes;
}

}  // namespace attnscope::ui
