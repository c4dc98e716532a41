#include "ExplanationText.h"

#include "Analysis.h"

#include <QObject>

#include "AttentionSelection.h"

namespace attnscope::ui {

namespace {

QString where(const ExplanationContext& c) {
    const QString layer = QObject::tr("Layer %1 of %2").arg(c.layer).arg(c.layers);
    if (c.rollout) return QObject::tr("Rollout up to layer %1 of %2").arg(c.layer).arg(c.layers);
    // These views show every head at once, whatever head the selection holds.
    if (c.view == ViewKind::Heads) return QObject::tr("%1, all %2 heads").arg(layer).arg(c.heads);
    if (c.view == ViewKind::Grid) return QObject::tr("All %1 layers × %2 heads").arg(c.layers).arg(c.heads);
    switch (c.headMode) {
    case HeadMode::Mean: return QObject::tr("%1, mean of all %2 heads").arg(layer).arg(c.heads);
    case HeadMode::Max: return QObject::tr("%1, maximum over all %2 heads").arg(layer).arg(c.heads);
    case HeadMode::Single: break;
    }
    return QObject::tr("%1, head %2 of %3").arg(layer).arg(c.head).arg(c.heads);
}

QString hardRule(const HardSelection& h) {
    switch (h.rule) {
    case HardRule::TopK:
        return h.k == 1 ? QObject::tr("only its single strongest key (the argmax)")
                        : QObject::tr("only its %1 strongest keys").arg(h.k);
    case HardRule::Threshold: return QObject::tr("only keys with weight ≥ %1").arg(h.threshold, 0, 'g', 3);
    case HardRule::Mass: return QObject::tr("the fewest keys that together hold %1% of its weight").arg(h.mass * 100.0, 0, 'g', 3);
    }
    return {};
}

// What the numbers mean in this mode (the part a student most needs).
QString meaning(const ExplanationContext& c) {
    if (c.rollout)
        return QObject::tr("Rollout multiplies the attention of every layer up to this one (adding the residual path), "
                           "estimating how much each input token flows into each position.");
    if (c.hard)
        return QObject::tr("Hard attention: each query keeps %1 and drops the rest — what the head mostly selects.")
            .arg(hardRule(c.hardSelection));
    QString text = QObject::tr("Each query scores every key by a scaled dot product q·k/√d; softmax turns a row of "
                               "scores into weights that sum to 1.");
    if (c.headMode == HeadMode::Mean) text += QObject::tr(" The mean averages what the heads see.");
    else if (c.headMode == HeadMode::Max) text += QObject::tr(" The maximum shows where any head looks strongly.");
    return text;
}

QString viewHint(const ExplanationContext& c) {
    switch (c.view) {
    case ViewKind::Matrix: return QObject::tr("Rows are queries (who looks), columns are keys (what is looked at).");
    case ViewKind::Heads:
        return QObject::tr("A head is one independent attention pattern; each colour is one head of this layer.");
    case ViewKind::Grid:
        return QObject::tr("A layer is one step of the model; its heads work side by side, and layers are stacked.");
    case ViewKind::Tokens: return QObject::tr("Each token is shaded by the attention the selected query gives it.");
    case ViewKind::Overlay:
        if (!c.queryWord.isEmpty())
            return QObject::tr("The brighter a patch, the more of this word's attention goes there; Up and Down step through the caption.");
        return QObject::tr("Each image patch is a token, shaded by the attention it receives.");
    case ViewKind::Alignment:
        return QObject::tr("Each line joins a target token to a source token it reads; the darker, the more attention.");
    }
    return {};
}

}  // namespace

ExplanationContext explanationContext(ViewKind view, const AttentionSelection& selection) {
    ExplanationContext c;
    c.view = view;
    if (selection.stack() > 0) {
        const StackShape& shown = selection.stacks()[static_cast<std::size_t>(selection.stack())];
        c.otherStack = stackTitle(shown);
        c.scoreTerm = isScoreTermStack(shown.name);
    }
    c.crossStack = selection.isCrossStack();
    c.layer = selection.layer();
    c.layers = selection.layers();
    c.head = selection.head();
    c.heads = selection.heads();
    c.headMode = selection.headMode();
    c.rollout = selection.rollout();
    c.hard = selection.hard();
    c.hardSelection = selection.hardSelection();
    return c;
}

QString explanationText(const ExplanationContext& context) {
    QString stack;
    if (context.crossStack && context.view == ViewKind::Overlay && !context.queryWord.isEmpty())
        stack = QObject::tr("The word “%1” looks here. ").arg(context.queryWord);
    else if (context.crossStack) stack = QObject::tr("%1 (target reads source). ").arg(context.otherStack.isEmpty() ? QObject::tr("Cross-attention") : context.otherStack);
    else if (context.scoreTerm)
        stack = QObject::tr("%1: where the head would look from this part of its scores alone; the model adds content→content, "
                            "content→position and position→content before one softmax. ")
                    .arg(context.otherStack);
    else if (!context.otherStack.isEmpty()) stack = context.otherStack + QStringLiteral(". ");
    // The layer's own note only where one layer is shown (not across the grid or a rollout).
    const bool oneLayer = !context.rollout && context.view != ViewKind::Grid && !context.layerNote.isEmpty();
    const QString layer = oneLayer ? QStringLiteral(" (%1)").arg(context.layerNote) : QString();
    QString model;
    if (!context.scoreNote.isEmpty()) model = QStringLiteral(" ") + QObject::tr("This model: %1.").arg(context.scoreNote);
    return QStringLiteral("<b>%1%2%3.</b> %4 %5%6")
        .arg(stack.toHtmlEscaped(), where(context).toHtmlEscaped(), layer.toHtmlEscaped(), meaning(context).toHtmlEscaped(),
             viewHint(context).toHtmlEscaped(), model.toHtmlEscaped());
}

}  // namespace attnscope::ui
