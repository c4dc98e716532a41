#pragma once
// One table of the names view options take, and one parser per kind of number, for
// `attnscope-cli render`, the `attnscope` command line and session files, so a view is spelled
// one way everywhere. The first name of each value is the one written; the others are older
// spellings still read (the app's command line said "model" and "image", sessions "model" and
// "image", render "grid" and "overlay").
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <stdexcept>

#include "FigureBuilder.h"
#include "FigureStyle.h"
#include "analysis/AttentionQuery.h"

namespace attnscope::ui {

class AttentionSelection;

// A malformed option value; its message names the option ("--layer: 'x' is not a whole number").
class OptionError : public std::runtime_error {
public:
    explicit OptionError(const QString& message) : std::runtime_error(message.toStdString()) {}
};

// Views: matrix, heads, grid (model), tokens, overlay (image), alignment.
QString viewName(ViewKind kind);
std::optional<ViewKind> viewNamed(const QString& name);
// Heads: single, mean, max.
QString headModeName(HeadMode mode);
std::optional<HeadMode> headModeNamed(const QString& name);
// Hard rules, as session files spell them: top_k, threshold, mass.
QString hardRuleName(HardRule rule);
std::optional<HardRule> hardRuleNamed(const QString& name);
// Colour scales (linear, log) and normalisations (global, row).
QString scaleName(ValueScale scale);
std::optional<ValueScale> scaleNamed(const QString& name);
QString normalizationName(Normalization normalization);
std::optional<Normalization> normalizationNamed(const QString& name);

// The index of the stack called `name` among a model's stacks, or -1. "encoder", the name the
// first stack always had, and "self" both mean the only stack of a single-stack model.
int stackIndexFor(const QStringList& stacks, const QString& name);

// Core's option number parsers (OptionNumbers.h) on Qt strings, failing with an OptionError.
int parseWholeNumber(const QString& option, const QString& text, int min, int max = 2147483647);
double parseFraction(const QString& option, const QString& text, bool allowZero);

// The view options both command lines take (the caller adds --top-k, which the command line
// shares with other commands): --layer, --head, --rollout, --mode, --threshold, --mass,
// --view, --attention, --opacity, --colormap, --scale, --normalize, --query, --hide-special, --words, --leave-out,
// --compare-layer, --compare-head, --compare-text, --compare-image.
QList<QCommandLineOption> viewOptions();
QStringList viewOptionNames();

// What those options ask for.
struct ViewSettings {
    std::optional<ViewKind> view;       // --view, unless it asked for the lens or the attribution
    bool lens = false;                  // --view lens: the logit lens instead of an attention view
    bool attribution = false;           // --view attribution: the heads' shares of a prediction
    bool inside = false;                // --view inside: one head's numbers at the query, step by step
    std::optional<QString> stack;       // --attention NAME
    AttentionQuery query;               // layer, head or aggregate, rollout, soft or hard, hidden special tokens
    std::optional<int> queryToken;      // --query
    std::optional<int> insideStep;      // --step: the inside of a head shown up to this step (1..6)
    FigureStyle style;                  // colour map, scale, normalisation, overlay opacity
    bool headGiven = false;             // --head was given (rollout always averages the heads)
    // --compare-text, --compare-image: the other input of a difference map (query.compare is
    // then Input; --compare-layer and --compare-head go into query.compare alone).
    std::optional<QString> compareText;
    std::optional<QString> compareImage;
};

// Reads and checks the view options set on `parser` (--top-k too, when the caller defined
// it): one rule of hard attention at most, a rule alone meaning hard, rollout with the head
// mean only. Throws OptionError.
ViewSettings readViewSettings(const QCommandLineParser& parser);

// Sets the selection from what was asked (the app's command line, before a model opens).
void applyViewSettings(const ViewSettings& settings, AttentionSelection& selection);

}  // namespace attnscope::ui
