#include "AttentionSelection.h"

#include <algorithm>
#include <tuple>

#include "Analysis.h"
#include "ViewOptions.h"

namespace attnscope::ui {

namespace {

// The engine's and the style's structs have no operator==; compare what they hold.
bool sameQuery(const AttentionQuery& a, const AttentionQuery& b) {
    const auto fields = [](const AttentionQuery& q) {
        return std::tuple(q.layer, q.headMode, q.head, q.layerMode, q.hard, q.hardSelection.rule, q.hardSelection.k,
                          q.hardSelection.threshold, q.hardSelection.mass, q.hideSpecialTokens, q.words, q.leftOutKeys,
                          q.compare.with, q.compare.layer, q.compare.head);
    };
    return fields(a) == fields(b);
}

bool sameStyle(const FigureStyle& a, const FigureStyle& b) {
    const auto fields = [](const FigureStyle& s) {
        return std::tuple(s.colorMap, s.scale, s.normalization, s.fontPointSize, s.lineWidth, s.background.rgba(),
                          s.foreground.rgba(), s.showColorBar, s.overlayOpacity);
    };
    return fields(a) == fields(b);
}

}  // namespace

AttentionSelection::AttentionSelection(QObject* parent) : QObject(parent) {}

bool AttentionSelection::isHeadEnabled(int head) const {
    return head >= 0 && head < static_cast<int>(enabledHeads_.size()) && enabledHeads_[static_cast<std::size_t>(head)];
}

ViewRequest AttentionSelection::request(ViewKind kind) const {
    ViewRequest request;
    request.kind = kind;
    request.stack = stack_;
    request.query = query_;
    request.selectedQuery = selectedQuery();
    request.enabledHeads = enabledHeads_;
    return request;
}

AttentionSelection::Shape AttentionSelection::shapeOf(int stack) const {
    if (stack < 0 || stack >= stackCount()) return {};
    const StackShape& s = stacks_[static_cast<std::size_t>(stack)];
    return {s.layers, s.heads};
}

QString AttentionSelection::stackNameOf(int stack) const {
    return stack >= 0 && stack < stackCount() ? QString::fromStdString(stacks_[static_cast<std::size_t>(stack)].name) : QString();
}

QStringList AttentionSelection::stackNames() const {
    QStringList names;
    for (const StackShape& s : stacks_) names << QString::fromStdString(s.name);
    return names;
}

int AttentionSelection::selectedQueryOf(int stack) const {
    return stack >= 0 && stack < static_cast<int>(selectedQueries_.size()) ? selectedQueries_[static_cast<std::size_t>(stack)] : -1;
}

template <typename Edit>
void AttentionSelection::update(Edit edit, bool news) {
    AttentionQuery query = query_;
    int selected = selectedQuery();
    std::vector<bool> enabled = enabledHeads_;
    FigureStyle style = style_;
    edit(query, selected, enabled, style);
    if (layers() > 0) query.layer = std::clamp(query.layer, 0, layers() - 1);
    if (heads() > 0) query.head = std::clamp(query.head, 0, heads() - 1);
    query.hardSelection.k = std::max(1, query.hardSelection.k);
    query.hardSelection.threshold = std::clamp(query.hardSelection.threshold, 0.0f, 1.0f);
    query.hardSelection.mass = std::clamp(query.hardSelection.mass, 1e-4f, 1.0f);
    style.overlayOpacity = std::clamp(style.overlayOpacity, 0.0, 1.0);
    selected = std::max(-1, selected);
    if (!news && sameQuery(query, query_) && selected == selectedQuery() && enabled == enabledHeads_ && sameStyle(style, style_)) return;
    query_ = query;
    if (stack_ >= static_cast<int>(selectedQueries_.size())) selectedQueries_.resize(static_cast<std::size_t>(stack_) + 1, -1);
    selectedQueries_[static_cast<std::size_t>(stack_)] = selected;
    enabledHeads_ = std::move(enabled);
    style_ = style;
    emit changed();
}

void AttentionSelection::reshape(bool resetHeads, bool news) {
    update([&](AttentionQuery&, int&, std::vector<bool>& enabled, FigureStyle&) {
        if (resetHeads || enabled.size() != static_cast<std::size_t>(heads())) enabled.assign(static_cast<std::size_t>(heads()), true);
    }, news);
}

void AttentionSelection::setShape(int layers, int heads) { setStacks({{kSelfStack, 0, 0, std::max(0, layers), std::max(0, heads)}}); }

void AttentionSelection::setStacks(const std::vector<StackShape>& stacks) {
    const int headsBefore = heads();
    const QStringList namesBefore = stackNames();
    stacks_ = stacks;
    if (stackNames() != namesBefore) selectedQueries_.assign(stacks_.size(), -1);  // other stacks, other tokens
    selectedQueries_.resize(stacks_.size(), -1);
    int wanted = stack_ < stackCount() ? stack_ : 0;
    if (pendingStack_) {
        const int named = stackIndexFor(stackNames(), *pendingStack_);
        if (named >= 0) {
            wanted = named;
            pendingStack_.reset();
        }
    }
    const bool switched = wanted != stack_;
    stack_ = wanted;
    reshape(heads() != headsBefore, switched);
}

void AttentionSelection::setStack(int stack) {
    if (stack < 0 || stack >= stackCount() || stack == stack_) return;
    stack_ = stack;
    // Another stack shows other maps (and, for the decoder, other query tokens) even when
    // layer, head and query number stay the same: always news.
    reshape(false, true);
}

void AttentionSelection::selectStack(const QString& name) {
    const int index = stackIndexFor(stackNames(), name);
    if (index >= 0) {
        pendingStack_.reset();
        setStack(index);
    } else {
        pendingStack_ = name;  // applied once setStacks brings a stack of that name
    }
}

int AttentionSelection::defaultQuery(const Analysis& analysis, int stack) {
    // An image: [CLS], the token the classifier reads.
    if (analysis.hasImage() && analysis.asksFromInput(stack)) return 0;
    // Text: the last ordinary token (the source's for the encoder, the target's for the
    // decoder and cross-attention).
    const int count = static_cast<int>(analysis.queryLabels(stack).size());
    for (int t = count - 1; t >= 0; --t)
        if (!analysis.isQuerySpecial(stack, t)) return t;
    return count - 1;
}

void AttentionSelection::adoptAnalysis(const Analysis& analysis, const Analysis* previous, std::optional<int> initialQuery) {
    std::vector<StackShape> stacks;
    for (const NamedStack& s : analysis.record.stacks)
        stacks.push_back({s.name, s.querySequence, s.keySequence, s.attention.layers, s.attention.heads});
    setStacks(stacks);
    const bool sameLayout = previous && previous->stackCount() == analysis.stackCount() && previous->hasImage() == analysis.hasImage();
    for (int stack = 0; stack < analysis.stackCount(); ++stack) {
        const QStringList& labels = analysis.queryLabels(stack);
        // The same tokens, or the same text with a token masked or unmasked.
        const bool sameTokens = sameLayout && (previous->queryLabels(stack) == labels ||
                                               (!analysis.isGeneration() && previous->text == analysis.text && previous->pair == analysis.pair &&
                                                previous->queryLabels(stack).size() == labels.size()));
        int query = sameTokens ? selectedQueryOf(stack) : -1;
        // A generation's views follow its newest token's attention row.
        if (analysis.isGeneration() && !sameTokens && analysis.asksFromPredicted(stack)) query = static_cast<int>(labels.size()) - 1;
        if (stack == stack_ && initialQuery) query = *initialQuery;
        setSelectedQueryOf(stack, query >= 0 && query < labels.size() ? query : defaultQuery(analysis, stack));
    }
}

void AttentionSelection::setLayer(int layer) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.layer = layer; });
}

void AttentionSelection::setHead(int head) {
    update([&](AttentionQuery& q, int&, auto&, auto&) {
        q.head = head;
        q.headMode = HeadMode::Single;
    });
}

void AttentionSelection::setHeadMode(HeadMode mode) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.headMode = mode; });
}

void AttentionSelection::setRollout(bool on) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.layerMode = on ? LayerMode::Rollout : LayerMode::Single; });
}

void AttentionSelection::focusHead(int layer, int head) {
    update([&](AttentionQuery& q, int&, auto&, auto&) {
        q.layer = layer;
        q.head = head;
        q.headMode = HeadMode::Single;
        q.layerMode = LayerMode::Single;
    });
}

void AttentionSelection::setHard(bool on) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.hard = on; });
}

void AttentionSelection::setHardRule(HardRule rule) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.hardSelection.rule = rule; });
}

void AttentionSelection::setTopK(int k) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.hardSelection.k = k; });
}

void AttentionSelection::setThreshold(double threshold) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.hardSelection.threshold = static_cast<float>(threshold); });
}

void AttentionSelection::setMass(double mass) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.hardSelection.mass = static_cast<float>(mass); });
}

void AttentionSelection::setHideSpecialTokens(bool hide) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.hideSpecialTokens = hide; });
}

void AttentionSelection::setLeftOutKeys(const std::vector<int>& tokens) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.leftOutKeys = tokens; });
}

void AttentionSelection::setComparison(const Comparison& comparison) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.compare = comparison; });
}

void AttentionSelection::setWords(bool words) {
    update([&](AttentionQuery& q, int&, auto&, auto&) { q.words = words; });
}

void AttentionSelection::setSelectedQuery(int token) {
    update([&](AttentionQuery&, int& selected, auto&, auto&) { selected = token; });
}

void AttentionSelection::setSelectedQueryOf(int stack, int token) {
    if (stack == stack_) {
        setSelectedQuery(token);
        return;
    }
    if (stack < 0 || stack >= static_cast<int>(selectedQueries_.size())) return;
    selectedQueries_[static_cast<std::size_t>(stack)] = std::max(-1, token);  // not shown now: no news for the views
}

void AttentionSelection::setHeadEnabled(int head, bool on) {
    update([&](AttentionQuery&, int&, std::vector<bool>& enabled, auto&) {
        if (head >= 0 && head < static_cast<int>(enabled.size())) enabled[static_cast<std::size_t>(head)] = on;
    });
}

void AttentionSelection::setAllHeadsEnabled(bool on) {
    update([&](AttentionQuery&, int&, std::vector<bool>& enabled, auto&) { std::fill(enabled.begin(), enabled.end(), on); });
}

void AttentionSelection::setColorMap(const QString& name) {
    update([&](AttentionQuery&, int&, auto&, FigureStyle& style) { style.colorMap = name; });
}

void AttentionSelection::setValueScale(ValueScale scale) {
    update([&](AttentionQuery&, int&, auto&, FigureStyle& style) { style.scale = scale; });
}

void AttentionSelection::setNormalization(Normalization normalization) {
    update([&](AttentionQuery&, int&, auto&, FigureStyle& style) { style.normalization = normalization; });
}

void AttentionSelection::setOverlayOpacity(double opacity) {
    update([&](AttentionQuery&, int&, auto&, FigureStyle& style) { style.overlayOpacity = opacity; });
}

void AttentionSelection::setStyle(const FigureStyle& style) {
    update([&](AttentionQuery&, int&, auto&, FigureStyle& s) { s = style; });
}

}  // namespace attnscope::ui
