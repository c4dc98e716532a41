#pragma once
#include <QObject>

#include <array>
#include <vector>

#include "FigureBuilder.h"
#include "FigureStyle.h"
#include "analysis/AttentionQuery.h"

namespace attnscope::ui {

// What every view shows: which attention stack (an encoder-decoder has three), the layer,
// the head or head aggregate, rollout, soft or hard attention, hidden special tokens, the
// selected query token, the heads drawn in the head view, and how values become colours. Views and controls read it and call its setters;
// nothing else tells a view what to show, so they can never disagree.
//
// Every setter emits changed() once, and only when the value really changed.
class AttentionSelection : public QObject {
    Q_OBJECT
public:
    explicit AttentionSelection(QObject* parent = nullptr);

    // The shape of the current stack (0 before a model is open: then layer and head are kept
    // as given, so a command-line choice survives until the model opens and is clamped then).
    int layers() const { return shapeOf(kind_).layers; }
    int heads() const { return shapeOf(kind_).heads; }

    // Which stack the views show (only encoder-decoders have more than Encoder).
    AttentionKind attentionKind() const { return kind_; }

    int layer() const { return query_.layer; }
    HeadMode headMode() const { return query_.headMode; }
    int head() const { return query_.head; }
    bool rollout() const { return query_.layerMode == LayerMode::Rollout; }
    bool hard() const { return query_.hard; }
    const HardSelection& hardSelection() const { return query_.hardSelection; }
    bool hideSpecialTokens() const { return query_.hideSpecialTokens; }
    // Index into the current stack's full query token list (the target's for the decoder and
    // cross-attention); -1 when none is selected. Each stack keeps its own.
    int selectedQuery() const { return selectedQueries_[index(kind_)]; }
    int selectedQueryOf(AttentionKind kind) const { return selectedQueries_[index(kind)]; }
    // One flag per head; all true after setShape.
    const std::vector<bool>& enabledHeads() const { return enabledHeads_; }
    bool isHeadEnabled(int head) const;
    const FigureStyle& style() const { return style_; }

    const AttentionQuery& query() const { return query_; }
    // The request a view of `kind` builds its figure from.
    ViewRequest request(ViewKind kind) const;

public slots:
    // Every stack's shape (a model with one stack). Clamps layer and head into the new
    // shape; keeps enabled heads when the count stays.
    void setShape(int layers, int heads);
    // One stack's shape (an encoder-decoder's decoder and cross-attention differ from its encoder).
    void setStackShape(attnscope::ui::AttentionKind kind, int layers, int heads);
    // Switches the stack; the layer and head are clamped into its shape, and the query is the
    // one last selected in that stack.
    void setAttentionKind(attnscope::ui::AttentionKind kind);
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
    void setSelectedQuery(int token);  // -1: none; in the current stack
    void setSelectedQueryOf(attnscope::ui::AttentionKind kind, int token);
    void setHeadEnabled(int head, bool enabled);
    void setAllHeadsEnabled(bool enabled);
    void setColorMap(const QString& name);
    void setValueScale(attnscope::ui::ValueScale scale);
    void setNormalization(attnscope::ui::Normalization normalization);
    void setOverlayOpacity(double opacity);  // in [0, 1]
    void setStyle(const attnscope::ui::FigureStyle& style);

signals:
    void changed();

private:
    struct Shape {
        int layers = 0;
        int heads = 0;
    };
    static std::size_t index(AttentionKind kind) { return static_cast<std::size_t>(kind); }
    const Shape& shapeOf(AttentionKind kind) const { return shapes_[index(kind)]; }

    // Applies `edit` to a copy of the state (query, selected query of the current stack,
    // enabled heads, style) and emits changed() when anything differs.
    template <typename Edit>
    void update(Edit edit);
    // A new shape for the current stack: clamps into it and enables every head when their
    // number changed (or `resetHeads`).
    void reshape(bool resetHeads);

    std::array<Shape, 3> shapes_{};
    AttentionKind kind_ = AttentionKind::Encoder;
    AttentionQuery query_;
    std::array<int, 3> selectedQueries_{-1, -1, -1};
    std::vector<bool> enabledHeads_;
    FigureStyle style_;
};

}  // namespace attnscope::ui
