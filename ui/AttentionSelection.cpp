#include "AttentionSelection.h"

#include <algorithm>
#include <tuple>

namespace attnscope::ui {

namespace {

// The engine's and the style's structs have no operator==; compare what they hold.
bool sameQuery(const AttentionQuery& a, const AttentionQuery& b) {
    const auto fields = [](const AttentionQuery& q) {
        return std::tuple(q.layer, q.headMode, q.head, q.layerMode, q.hard, q.hardSelection.rule, q.hardSelection.k,
                          q.hardSelection.threshold, q.hardSelection.mass, q.hideSpecialTokens);
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
    request.attention = kind_;
    request.query = query_;
    request.selectedQuery = selectedQuery();
    request.enabledHeads = enabledHeads_;
    return request;
}

template <typename Edit>
void AttentionSelection::update(Edit edit) {
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
    if (sameQuery(query, query_) && selected == selectedQuery() && enabled == enabledHeads_ && sameStyle(style, style_)) return;
    query_ = query;
    selectedQueries_[index(kind_)] = selected;
    enabledHeads_ = std::move(enabled);
    style_ = style;
    emit changed();
}

void AttentionSelection::reshape(bool resetHeads) {
    update([&](AttentionQuery&, int&, std::vector<bool>& enabled, FigureStyle&) {
        if (resetHeads || enabled.size() != static_cast<std::size_t>(heads())) enabled.assign(static_cast<std::size_t>(heads()), true);
    });
}

void AttentionSelection::setShape(int layers, int heads) {
    const bool sameHeads = std::max(0, heads) == this->heads();
    for (Shape& shape : shapes_) shape = {std::max(0, layers), std::max(0, heads)};
    reshape(!sameHeads);
}

void AttentionSelection::setStackShape(AttentionKind kind, int layers, int heads) {
    Shape& shape = shapes_[index(kind)];
    const bool sameHeads = std::max(0, heads) == shape.heads;
    shape = {std::max(0, layers), std::max(0, heads)};
    if (kind == kind_) reshape(!sameHeads);
}

void AttentionSelection::setAttentionKind(AttentionKind kind) {
    if (kind == kind_) return;
    kind_ = kind;
    // Another stack shows other maps (and, for the decoder, other query tokens) even when
    // layer, head and query number stay the same: always news.
    if (layers() > 0) query_.layer = std::clamp(query_.layer, 0, layers() - 1);
    if (heads() > 0) query_.head = std::clamp(query_.head, 0, heads() - 1);
    if (enabledHeads_.size() != static_cast<std::size_t>(heads())) enabledHeads_.assign(static_cast<std::size_t>(heads()), true);
    emit changed();
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

void AttentionSelection::setSelectedQuery(int token) {
    update([&](AttentionQuery&, int& selected, auto&, auto&) { selected = token; });
}

void AttentionSelection::setSelectedQueryOf(AttentionKind kind, int token) {
    if (kind == kind_) {
        setSelectedQuery(token);
        return;
    }
    selectedQueries_[index(kind)] = std::max(-1, token);  // not shown now: no news for the views
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
