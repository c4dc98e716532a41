#pragma once
#include <QObject>

#include <vector>

#include "FigureBuilder.h"
#include "FigureStyle.h"
#include "analysis/AttentionQuery.h"

namespace attnscope::ui {

// What every view shows: the layer, the head or head aggregate, rollout, soft or hard
// attention, hidden special tokens, the selected query token, the heads drawn in the head
// view, and how values become colours. Views and controls read it and call its setters;
// nothing else tells a view what to show, so they can never disagree.
//
// Every setter emits changed() once, and only when the value really changed.
class AttentionSelection : public QObject {
    Q_OBJECT
public:
    explicit AttentionSelection(QObject* parent = nullptr);

    // The model's shape (0 before one is open: then layer and head are kept as given, so
    // a command-line choice survives until the model opens and is clamped then).
    int layers() const { return layers_; }
    int heads() const { return heads_; }

    int layer() const { return query_.layer; }
    HeadMode headMode() const { return query_.headMode; }
    int head() const { return query_.head; }
    bool rollout() const { return query_.layerMode == LayerMode::Rollout; }
    bool hard() const { return query_.hard; }
    const HardSelection& hardSelection() const { return query_.hardSelection; }
    bool hideSpecialTokens() const { return query_.hideSpecialTokens; }
    // Index into the full token list; -1 when no query token is selected.
    int selectedQuery() const { return selectedQuery_; }
    // One flag per head; all true after setShape.
    const std::vector<bool>& enabledHeads() const { return enabledHeads_; }
    bool isHeadEnabled(int head) const;
    const FigureStyle& style() const { return style_; }

    const AttentionQuery& query() const { return query_; }
    // The request a view of `kind` builds its figure from.
    ViewRequest request(ViewKind kind) const;

public slots:
    // Clamps layer and head into the new shape; keeps enabled heads when the count stays.
    void setShape(int layers, int heads);
    void setLayer(int layer);
    // A single head (switches the head mode to Single).
    void setHead(int head);
    void setHeadMode(attnscope::HeadMode mode);
    void setRollout(bool on);
    // Shows one layer's head as it is: the layer and head, single-head mode, no rollout.
    void focusHead(int layer, int head);
    void setHard(bool on);
    void setHardRule(attnscope::HardRule rule);
    void setTopK(int k);               // >= 1
    void setThreshold(double threshold); // in [0, 1]
    void setMass(double mass);         // in (0, 1]
    void setHideSpecialTokens(bool hide);
    void setSelectedQuery(int token);  // -1: none
    void setHeadEnabled(int head, bool enabled);
    void setAllHeadsEnabled(bool enabled);
    void setColorMap(const QString& name);
    void setValueScale(attnscope::ui::ValueScale scale);
    void setNormalization(attnscope::ui::Normalization normalization);
    void setStyle(const attnscope::ui::FigureStyle& style);

signals:
    void changed();

private:
    // Applies `edit` to a copy of the state and emits changed() when anything differs.
    template <typename Edit>
    void update(Edit edit);

    int layers_ = 0;
    int heads_ = 0;
    AttentionQuery query_;
    int selectedQuery_ = -1;
    std::vector<bool> enabledHeads_;
    FigureStyle style_;
};

}  // namespace attnscope::ui
