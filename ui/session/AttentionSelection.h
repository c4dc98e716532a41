#pragma once
#include <QObject>

#include <optional>
#include <vector>

#include "FigureBuilder.h"
#include "FigureStyle.h"
#include "analysis/AttentionQuery.h"
#include "model/ModelCapabilities.h"

namespace attnscope::ui {

struct Analysis;

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
    int layers() const { return shapeOf(stack_).layers; }
    int heads() const { return shapeOf(stack_).heads; }

    // Which of the model's attention stacks the views show (index and name); one stack for
    // most models, an encoder-decoder's three.
    int stack() const { return stack_; }
    int stackCount() const { return static_cast<int>(stacks_.size()); }
    QString stackName() const { return stackNameOf(stack_); }
    QString stackNameOf(int stack) const;
    QStringList stackNames() const;
    const std::vector<attnscope::StackShape>& stacks() const { return stacks_; }
    // Whether the shown stack attends from one sequence to another (cross-attention): no square
    // to roll out, and no shared special tokens to hide.
    bool isCrossStack() const { return stack_ < stackCount() && stacks_[static_cast<std::size_t>(stack_)].querySequence != stacks_[static_cast<std::size_t>(stack_)].keySequence; }

    int layer() const { return query_.layer; }
    HeadMode headMode() const { return query_.headMode; }
    int head() const { return query_.head; }
    bool rollout() const { return query_.layerMode == LayerMode::Rollout; }
    bool hard() const { return query_.hard; }
    const HardSelection& hardSelection() const { return query_.hardSelection; }
    bool hideSpecialTokens() const { return query_.hideSpecialTokens; }
    bool words() const { return query_.words; }
    const std::vector<int>& leftOutKeys() const { return query_.leftOutKeys; }
    // A difference map in every view: the selection minus another layer, head or input.
    const attnscope::Comparison& comparison() const { return query_.compare; }
    // Index into the current stack's full query token list (the target's for the decoder and
    // cross-attention); -1 when none is selected. Each stack keeps its own.
    int selectedQuery() const { return selectedQueryOf(stack_); }
    int selectedQueryOf(int stack) const;
    // One flag per head; all true after setShape.
    const std::vector<bool>& enabledHeads() const { return enabledHeads_; }
    bool isHeadEnabled(int head) const;
    const FigureStyle& style() const { return style_; }

    const AttentionQuery& query() const { return query_; }
    // The request a view of `kind` builds its figure from.
    ViewRequest request(ViewKind kind) const;

    // Takes on a new analysis (`previous` the one shown before, or null): every stack's shape,
    // and each stack's query: kept while its tokens stay the same (or the same text has a token
    // masked or unmasked), a generation's newest token when it grew, the initial query (the
    // command line's) for the shown stack, else the default (defaultQuery).
    void adoptAnalysis(const Analysis& analysis, const Analysis* previous, std::optional<int> initialQuery = std::nullopt);
    // The query a new input starts on: an image's [CLS] (what its classifier reads); a text's
    // last ordinary token, whose attention covers the whole text in causal models too.
    static int defaultQuery(const Analysis& analysis, int stack);

public slots:
    // One stack of this shape (a model with one stack). Clamps layer and head into the new
    // shape; keeps enabled heads when the count stays.
    void setShape(int layers, int heads);
    // The model's stacks, by name and shape (ModelCapabilities::stacks). The shown stack stays
    // when there still is one of its index, and becomes the one selectStack() asked for when
    // these stacks have it; each stack's query stays while the stacks stay.
    void setStacks(const std::vector<attnscope::StackShape>& stacks);
    // Switches the stack; the layer and head are clamped into its shape, and the query is the
    // one last selected in that stack.
    void setStack(int stack);
    // Switches to the stack called `name` (or an alias, see stackIndexFor), now or once
    // setStacks brings one (the command line and session files name a stack before the model opens).
    void selectStack(const QString& name);
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
    void setWords(bool words);  // group subword tokens into words in every view
    // Attention sinks: leave these key tokens out and renormalise (AttentionQuery::leftOutKeys).
    void setLeftOutKeys(const std::vector<int>& tokens);
    void setComparison(const attnscope::Comparison& comparison);
    void setSelectedQuery(int token);  // -1: none; in the current stack
    void setSelectedQueryOf(int stack, int token);
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
    Shape shapeOf(int stack) const;

    // Applies `edit` to a copy of the state (query, selected query of the current stack,
    // enabled heads, style) and emits changed() when anything differs.
    // (`news`: emit changed() even when the state compares equal, as after a stack switch.)
    template <typename Edit>
    void update(Edit edit, bool news = false);
    // A new shape for the current stack: clamps into it and enables every head when their
    // number changed (or `resetHeads`).
    void reshape(bool resetHeads, bool news = false);

    std::vector<attnscope::StackShape> stacks_;
    int stack_ = 0;
    std::optional<QString> pendingStack_;  // selectStack's name, until setStacks brings it
    AttentionQuery query_;
    std::vector<int> selectedQueries_;      // per stack; -1: none
    std::vector<bool> enabledHeads_;
    FigureStyle style_;
};

}  // namespace attnscope::ui
