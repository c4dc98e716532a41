#include "ViewOptions.h"

#include <vector>

#include "AttentionSelection.h"
#include "ColorMap.h"
#include "Error.h"
#include "OptionNumbers.h"

namespace attnscope::ui {

namespace {

template <typename Value>
struct Spelling {
    Value value;
    QStringList names;  // the first is written; the rest are read too
};

const std::vector<Spelling<ViewKind>> kViews{{ViewKind::Matrix, {"matrix"}},
                                             {ViewKind::Heads, {"heads"}},
                                             {ViewKind::Grid, {"grid", "model"}},
                                             {ViewKind::Tokens, {"tokens"}},
                                             {ViewKind::Overlay, {"overlay", "image"}},
                                             {ViewKind::Alignment, {"alignment"}}};
const std::vector<Spelling<HeadMode>> kHeadModes{{HeadMode::Single, {"single"}}, {HeadMode::Mean, {"mean"}}, {HeadMode::Max, {"max"}}};
const std::vector<Spelling<HardRule>> kRules{{HardRule::TopK, {"top_k"}}, {HardRule::Threshold, {"threshold"}}, {HardRule::Mass, {"mass"}}};
const std::vector<Spelling<ValueScale>> kScales{{ValueScale::Linear, {"linear"}}, {ValueScale::Log, {"log"}}};
const std::vector<Spelling<Normalization>> kNorms{{Normalization::Global, {"global"}}, {Normalization::PerRow, {"row"}}};

template <typename Value>
QString nameIn(const std::vector<Spelling<Value>>& table, Value value) {
    for (const auto& s : table)
        if (s.value == value) return s.names.front();
    return table.front().names.front();
}

template <typename Value>
std::optional<Value> valueIn(const std::vector<Spelling<Value>>& table, const QString& name) {
    const QString key = name.trimmed().toLower();
    for (const auto& s : table)
        if (s.names.contains(key)) return s.value;
    return std::nullopt;
}

// "matrix, heads, grid, tokens or overlay"
template <typename Value>
QString choices(const std::vector<Spelling<Value>>& table, const QString& last = {}) {
    QStringList names;
    for (const auto& s : table) names << s.names.front();
    if (!last.isEmpty()) names << last;
    const QString tail = names.takeLast();
    return names.join(QStringLiteral(", ")) + QStringLiteral(" or ") + tail;
}

QString quoted(const QString& s) { return QLatin1Char('\'') + s + QLatin1Char('\''); }

// One option's value from a table, or an OptionError listing what it may be.
template <typename Value>
Value named(const QCommandLineParser& p, const QString& option, const std::vector<Spelling<Value>>& table) {
    const std::optional<Value> v = valueIn(table, p.value(option));
    if (!v) throw OptionError(QStringLiteral("--%1: %2 is not %3").arg(option, quoted(p.value(option)), choices(table)));
    return *v;
}

void readHardRule(const QCommandLineParser& p, AttentionQuery& q) {
    // One rule at most; a rule alone implies --mode hard.
    int rules = 0;
    for (const char* rule : {"top-k", "threshold", "mass"}) rules += p.isSet(QLatin1String(rule)) ? 1 : 0;
    if (rules > 1) throw OptionError(QStringLiteral("give at most one of --top-k, --threshold and --mass"));
    if (p.isSet(QStringLiteral("mode"))) {
        const QString m = p.value(QStringLiteral("mode")).trimmed().toLower();
        if (m != QLatin1String("soft") && m != QLatin1String("hard"))
            throw OptionError(QStringLiteral("--mode: %1 is not soft or hard").arg(quoted(p.value(QStringLiteral("mode")))));
        if (m == QLatin1String("soft") && rules > 0)
            throw OptionError(QStringLiteral("--top-k, --threshold and --mass select hard attention; they do not go with --mode soft"));
        q.hard = m == QLatin1String("hard");
    }
    if (rules > 0) q.hard = true;
    if (p.isSet(QStringLiteral("top-k"))) {
        q.hardSelection.rule = HardRule::TopK;
        q.hardSelection.k = parseWholeNumber(QStringLiteral("top-k"), p.value(QStringLiteral("top-k")), 1);
    } else if (p.isSet(QStringLiteral("threshold"))) {
        q.hardSelection.rule = HardRule::Threshold;
        q.hardSelection.threshold = static_cast<float>(parseFraction(QStringLiteral("threshold"), p.value(QStringLiteral("threshold")), true));
    } else if (p.isSet(QStringLiteral("mass"))) {
        q.hardSelection.rule = HardRule::Mass;
        q.hardSelection.mass = static_cast<float>(parseFraction(QStringLiteral("mass"), p.value(QStringLiteral("mass")), false));
    }
}

void readStyle(const QCommandLineParser& p, FigureStyle& style) {
    if (p.isSet(QStringLiteral("colormap"))) {
        const QString name = p.value(QStringLiteral("colormap"));
        if (!ColorMap::isKnown(name))
            throw OptionError(QStringLiteral("--colormap: unknown colour map %1 (expected %2)").arg(quoted(name), ColorMap::names().join(QStringLiteral(", "))));
        style.colorMap = ColorMap::byName(name).name();
    }
    if (p.isSet(QStringLiteral("scale"))) style.scale = named(p, QStringLiteral("scale"), kScales);
    if (p.isSet(QStringLiteral("normalize"))) style.normalization = named(p, QStringLiteral("normalize"), kNorms);
    if (p.isSet(QStringLiteral("opacity"))) style.overlayOpacity = parseFraction(QStringLiteral("opacity"), p.value(QStringLiteral("opacity")), true);
}

}  // namespace

QString viewName(ViewKind kind) { return nameIn(kViews, kind); }
std::optional<ViewKind> viewNamed(const QString& name) { return valueIn(kViews, name); }
QString headModeName(HeadMode mode) { return nameIn(kHeadModes, mode); }
std::optional<HeadMode> headModeNamed(const QString& name) { return valueIn(kHeadModes, name); }
QString hardRuleName(HardRule rule) { return nameIn(kRules, rule); }
std::optional<HardRule> hardRuleNamed(const QString& name) { return valueIn(kRules, name); }
QString scaleName(ValueScale scale) { return nameIn(kScales, scale); }
std::optional<ValueScale> scaleNamed(const QString& name) { return valueIn(kScales, name); }
QString normalizationName(Normalization normalization) { return nameIn(kNorms, normalization); }
std::optional<Normalization> normalizationNamed(const QString& name) { return valueIn(kNorms, name); }

int stackIndexFor(const QStringList& stacks, const QString& name) {
    const QString key = name.trimmed().toLower();
    const int exact = static_cast<int>(stacks.indexOf(key));
    if (exact >= 0) return exact;
    const bool onlyStack = stacks.size() == 1 && (key == QLatin1String("encoder") || key == QLatin1String(kSelfStack));
    return onlyStack ? 0 : -1;
}

int parseWholeNumber(const QString& option, const QString& text, int min, int max) {
    try {
        return attnscope::parseWholeNumber(option.toStdString(), text.toStdString(), min, max);
    } catch (const Error& e) {
        throw OptionError(QString::fromStdString(e.what()));
    }
}

double parseFraction(const QString& option, const QString& text, bool allowZero) {
    try {
        return attnscope::parseFraction(option.toStdString(), text.toStdString(), allowZero);
    } catch (const Error& e) {
        throw OptionError(QString::fromStdString(e.what()));
    }
}

QList<QCommandLineOption> viewOptions() {
    return {
        QCommandLineOption("layer", "Layer to show, from 0 (default 0).", "L"),
        QCommandLineOption("head", "Head to show (from 0), or mean or max over the heads (default 0).", "H|mean|max"),
        QCommandLineOption("rollout", "Attention rollout up to the layer."),
        QCommandLineOption("mode", "soft (all weights) or hard (selected keys only).", "soft|hard"),
        QCommandLineOption("threshold", "Hard attention keeps weights >= T.", "T"),
        QCommandLineOption("mass", "Hard attention keeps the fewest weights summing to >= P.", "P"),
        QCommandLineOption("view", "View to show: " + choices(kViews, QStringLiteral("lens (the logit lens), attribution (each head's share "
                                                                                    "of the prediction at --query), inside (the numbers "
                                                                                    "inside --head of --layer at --query)")) + ".", "VIEW"),
        QCommandLineOption("attention", "The attention stack to show, by name: encoder, decoder or cross for an encoder-decoder; "
                                        "c2c, c2p or p2c for one of DeBERTa's score terms alone (default: the first).", "NAME"),
        QCommandLineOption("opacity", "Image overlay: opacity of the attention colours over the image, 0 to 1 (default 0.6).", "P"),
        QCommandLineOption("colormap", "Colour map: " + ColorMap::names().join(QStringLiteral(", ")) + ".", "NAME"),
        QCommandLineOption("scale", "Colour scale: " + choices(kScales) + ".", "SCALE"),
        QCommandLineOption("normalize", "Colour relative to the " + choices(kNorms) + " maximum.", "global|row"),
        QCommandLineOption("query", "The selected query token (index, from 0).", "I"),
        QCommandLineOption("step", "--view inside: show the head's computation up to this step, 1 (q and k) to 6 (the output; default).", "N"),
        QCommandLineOption("hide-special", "Hide special tokens ([CLS], [SEP], <s>, ...) and renormalise the rest."),
        QCommandLineOption("words", "Group subword tokens into words: a word receives the sum of its pieces' attention and "
                                    "attends with their mean."),
        QCommandLineOption("leave-out", "Attention sinks: leave these key tokens out (indices from 0, e.g. 0 for <s>) and "
                                        "renormalise each row over the rest.", "I,I"),
        QCommandLineOption("compare-layer", "A difference map: the view minus the same heads at layer L (red: more weight "
                                            "than there, blue: less).", "L"),
        QCommandLineOption("compare-head", "A difference map: the view minus head H of layer L.", "L.H"),
        QCommandLineOption("compare-text", "A difference map: the view minus the same view of another text (position for "
                                           "position when the token counts agree, else on the tokens both share).", "TEXT"),
        QCommandLineOption("compare-image", "A difference map: the view minus the same view of another image.", "FILE"),
    };
}

QStringList viewOptionNames() {
    QStringList names;
    for (const QCommandLineOption& o : viewOptions()) names << o.names().front();
    return names;
}

namespace {

// --compare-layer, --compare-head, --compare-text, --compare-image: one of them at most.
void readComparison(const QCommandLineParser& p, ViewSettings& s) {
    const QStringList names{QStringLiteral("compare-layer"), QStringLiteral("compare-head"), QStringLiteral("compare-text"),
                            QStringLiteral("compare-image")};
    QStringList given;
    for (const QString& name : names)
        if (p.isSet(name)) given << QStringLiteral("--") + name;
    if (given.size() > 1) throw OptionError(QStringLiteral("%1: compare with one thing at a time").arg(given.join(QStringLiteral(", "))));
    Comparison& c = s.query.compare;
    if (p.isSet(names[0])) {
        c = {CompareWith::Layer, parseWholeNumber(names[0], p.value(names[0]), 0), 0};
    } else if (p.isSet(names[1])) {
        const QStringList parts = p.value(names[1]).split(QLatin1Char('.'));
        if (parts.size() != 2) throw OptionError(QStringLiteral("--compare-head: expected LAYER.HEAD, e.g. 1.0, not %1").arg(quoted(p.value(names[1]))));
        c = {CompareWith::Head, parseWholeNumber(names[1], parts[0], 0), parseWholeNumber(names[1], parts[1], 0)};
    } else if (p.isSet(names[2])) {
        c.with = CompareWith::Input;
        s.compareText = p.value(names[2]);
    } else if (p.isSet(names[3])) {
        c.with = CompareWith::Input;
        s.compareImage = p.value(names[3]);
    }
}

}  // namespace

ViewSettings readViewSettings(const QCommandLineParser& p) {
    ViewSettings s;
    if (p.isSet(QStringLiteral("view"))) {
        const QString view = p.value(QStringLiteral("view")).trimmed().toLower();
        if (view == QLatin1String("lens")) s.lens = true;
        else if (view == QLatin1String("attribution")) s.attribution = true;
        else if (view == QLatin1String("inside")) s.inside = true;
        else if (!(s.view = viewNamed(p.value(QStringLiteral("view")))))
            throw OptionError(QStringLiteral("--view: unknown view %1 (expected %2)").arg(quoted(p.value(QStringLiteral("view"))), choices(kViews, QStringLiteral("lens, attribution, inside"))));
    }
    if (p.isSet(QStringLiteral("attention"))) s.stack = p.value(QStringLiteral("attention")).trimmed().toLower();
    AttentionQuery& q = s.query;
    if (p.isSet(QStringLiteral("layer"))) q.layer = parseWholeNumber(QStringLiteral("layer"), p.value(QStringLiteral("layer")), -2147483647);
    if (p.isSet(QStringLiteral("rollout"))) q.layerMode = LayerMode::Rollout;
    if (p.isSet(QStringLiteral("head"))) {
        s.headGiven = true;
        const std::optional<HeadMode> mode = headModeNamed(p.value(QStringLiteral("head")));
        if (mode && *mode != HeadMode::Single) q.headMode = *mode;
        else q.head = parseWholeNumber(QStringLiteral("head"), p.value(QStringLiteral("head")), -2147483647);
        if (q.layerMode == LayerMode::Rollout && q.headMode != HeadMode::Mean)
            throw OptionError(QStringLiteral("--rollout always averages the heads; drop --head or use --head mean"));
    }
    readHardRule(p, q);
    q.hideSpecialTokens = p.isSet(QStringLiteral("hide-special"));
    q.words = p.isSet(QStringLiteral("words"));
    if (p.isSet(QStringLiteral("leave-out"))) {
        try {
            q.leftOutKeys = parseIdList("leave-out", p.value(QStringLiteral("leave-out")).toStdString());
        } catch (const Error& e) {
            throw OptionError(QString::fromStdString(e.what()));
        }
    }
    readComparison(p, s);
    if (p.isSet(QStringLiteral("step"))) s.insideStep = parseWholeNumber(QStringLiteral("step"), p.value(QStringLiteral("step")), 1, 6);
    if (p.isSet(QStringLiteral("query"))) s.queryToken = parseWholeNumber(QStringLiteral("query"), p.value(QStringLiteral("query")), -2147483647);
    readStyle(p, s.style);
    return s;
}

void applyViewSettings(const ViewSettings& s, AttentionSelection& selection) {
    if (s.stack) selection.selectStack(*s.stack);
    const AttentionQuery& q = s.query;
    selection.setLayer(q.layer);
    selection.setHead(q.head);  // the head kept under mean and max too
    selection.setHeadMode(q.headMode);
    selection.setRollout(q.layerMode == LayerMode::Rollout);
    selection.setHardRule(q.hardSelection.rule);
    selection.setTopK(q.hardSelection.k);
    selection.setThreshold(q.hardSelection.threshold);
    selection.setMass(q.hardSelection.mass);
    selection.setHard(q.hard);
    selection.setHideSpecialTokens(q.hideSpecialTokens);
    selection.setWords(q.words);
    selection.setLeftOutKeys(q.leftOutKeys);
    selection.setComparison(q.compare);
    selection.setColorMap(s.style.colorMap);
    selection.setValueScale(s.style.scale);
    selection.setNormalization(s.style.normalization);
    selection.setOverlayOpacity(s.style.overlayOpacity);
}

}  // namespace attnscope::ui
