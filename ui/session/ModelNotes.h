#pragma once
#include <QString>
#include <QStringList>

namespace attnscope {
struct ModelConfig;
}

namespace attnscope::ui {

// What sets an open model's attention apart, for the status line and the classroom caption
// (core's layerNote and scoreNote, per layer): "local layer, window 4", "scores soft-capped at 50".
struct ModelNotes {
    QString scores;      // empty for a plain model
    QStringList layers;  // per layer; empty where every layer attends alike

    QString layer(int l) const { return l >= 0 && l < layers.size() ? layers[l] : QString(); }
};

ModelNotes modelNotesOf(const ModelConfig& config);

}  // namespace attnscope::ui
