#include "FigureBuilder.h"

#include <numeric>

#include "AlignmentFigure.h"
#include "GridFigure.h"
#include "HeadsFigure.h"
#include "ImageOverlayFigure.h"
#include "MatrixFigure.h"
#include "TokenStripFigure.h"

#include "Error.h"
#include "analysis/PatternAgreement.h"

namespace attnscope::ui {

namespace {

const AttentionStack& stackOf(const FigureSource& source) {
    if (!source.attentions || source.attentions->empty()) throw Error("there is no attention to show yet");
    return *source.attentions;
}

QString labelIn(const QStringList& labels, int token) { return labels.value(token, QStringLiteral("#%1").arg(token)); }

QStringList labelsIn(const QStringList& all, const std::vector<int>& tokens) {
    QStringList labels;
    labels.reserve(static_cast<qsizetype>(tokens.size()));
    for (int t : tokens) labels.append(labelIn(all, t));
    return labels;
}

// Keys are labelled by tokenLabels; queries by queryLabels where the two differ (cross-attention).
QString keyLabel(const FigureSource& source, int token) { return labelIn(source.tokenLabels, token); }
QString queryLabel(const FigureSource& source, int token) { return labelIn(source.rowLabels(), token); }
QStringList keyLabels(const FigureSource& source, const std::vector<int>& tokens) { return labelsIn(source.tokenLabels, tokens); }
QStringList queryLabels(const FigureSource& source, const std::vector<int>& tokens) { return labelsIn(source.rowLabels(), tokens); }

// Cross-attention: queries and keys are different token lists.
bool isCross(const FigureSource& source) { return !source.queryLabels.isEmpty(); }

const TokenWords* wordsOf(const FigureSource& source) { return source.words.keys.empty() ? nullptr : &source.words; }

// The matrix a view shows of its source for one query: the engine's; for a probe with rollout
// on, the rollout that starts from the probe; compared with another input, the difference of
// the two inputs' matrices on the tokens they share.
AttentionMatrix shownMatrix(const FigureSource& source, const AttentionQuery& query) {
    const AttentionStack& stack = stackOf(source);
    if (query.compare.with == CompareWith::Input) {
        if (!source.otherInput || !source.otherInput->attentions)
            throw Error("Type the text to compare with: the difference map shows this input's attention minus that one's.");
        const AttentionStack& other = stackOf(*source.otherInput);
        if (other.layers != stack.layers || other.heads != stack.heads)
            throw Error("the input compared with has " + std::to_string(other.layers) + " layers of " + std::to_string(other.heads) +
                        " heads, this one " + std::to_string(stack.layers) + " of " + std::to_string(stack.heads));
        AttentionQuery plain = query;
        plain.compare = {};
        return attentionDifference(shownMatrix(source, plain), shownMatrix(*source.otherInput, plain),
                                   isCross(source) ? source.queryAlignment : source.keyAlignment, source.keyAlignment);
    }
    if (query.layerMode == LayerMode::Rollout && source.rolloutBase && query.compare.with == CompareWith::Nothing)
        return rolloutThrough(stack, *source.rolloutBase, query);
    return computeAttentionMatrix(stack, query, source.specialTokens, wordsOf(source));
}

bool showsWords(const FigureSource& source, const ViewRequest& request) {
    return request.query.words && !source.words.keys.empty() && !source.words.queries.empty();
}

// The source as a view labels it: in words, every token is labelled by its word (a grouped
// matrix names each word by its first token).
FigureSource labelled(const FigureSource& source, const ViewRequest& request) {
    if (!showsWords(source, request)) return source;
    FigureSource out = source;
    const auto relabel = [](const QStringList& tokens, const std::vector<int>& words, const QStringList& wordLabels) {
        QStringList labels = tokens;
        for (qsizetype t = 0; t < labels.size() && t < static_cast<qsizetype>(words.size()); ++t)
            labels[t] = wordLabels.value(words[static_cast<std::size_t>(t)], labels[t]);
        return labels;
    };
    out.tokenLabels = relabel(source.tokenLabels, source.words.keys, source.keyWordLabels);
    if (isCross(source)) out.queryLabels = relabel(source.queryLabels, source.words.queries, source.queryWordLabels);
    return out;
}

// The token the view marks as the query: in words, the first token of the selected one's word.
int shownQuery(const FigureSource& source, const ViewRequest& request) {
    const int token = request.selectedQuery;
    if (!showsWords(source, request) || token < 0 || token >= static_cast<int>(source.words.queries.size())) return token;
    const auto& words = source.words.queries;
    return static_cast<int>(std::find(words.begin(), words.end(), words[static_cast<std::size_t>(token)]) - words.begin());
}

// The matrix row that shows token `token`, or -1 (none selected, or hidden).
int rowOfToken(const AttentionMatrix& m, int token) {
    if (token < 0) return -1;
    for (int r = 0; r < m.rows; ++r)
        if (m.rowTokens[r] == token) return r;
    return -1;
}

// A decoder's attention is causal: nothing above the diagonal, in every head of layer 0.
bool isCausal(const AttentionStack& s) {
    if (s.queries != s.keys || s.queries < 2) return false;
    for (int h = 0; h < s.heads; ++h)
        for (int q = 0; q < s.queries; ++q)
            for (int k = q + 1; k < s.keys; ++k)
                if (s.at(0, h, q, k) != 0.0f) return false;
    return true;
}

QString hardText(const AttentionQuery& q) {
    if (!q.hard) return {};
    const auto& h = q.hardSelection;
    switch (h.rule) {
    case HardRule::TopK: return QStringLiteral("hard top-%1").arg(h.k);
    case HardRule::Threshold: return QStringLiteral("hard ≥ %1").arg(QString::number(h.threshold, 'g', 3));
    case HardRule::Mass: return QStringLiteral("hard mass %1").arg(QString::number(h.mass, 'g', 3));
    }
    return {};
}

// The heads the heads view leaves on, where some are off: what a mean or max aggregates (an
// alignment averaged over the heads that align). Empty: every head.
std::vector<bool> chosenHeads(const ViewRequest& request, int heads) {
    const std::vector<bool>& on = request.enabledHeads;
    if (static_cast<int>(on.size()) != heads || std::find(on.begin(), on.end(), false) == on.end()) return {};
    return on;
}

// The request's query with its aggregate over the chosen heads (rollout averages them all).
AttentionQuery aggregated(const ViewRequest& request, int heads) {
    AttentionQuery q = request.query;
    if (q.headMode != HeadMode::Single && q.layerMode == LayerMode::Single) q.heads = chosenHeads(request, heads);
    return q;
}

// The per-head query a heads or grid view uses: one head of one layer, keeping soft/hard
// and hidden special tokens, never rollout.
AttentionQuery singleHead(const AttentionQuery& base, int layer, int head) {
    AttentionQuery q = base;
    q.layer = layer;
    q.head = head;
    q.headMode = HeadMode::Single;
    q.layerMode = LayerMode::Single;
    return q;
}

// " 0, 2, 5" when some heads are off, else nothing.
QString chosenList(const ViewRequest& request) {
    const std::vector<bool> on = chosenHeads(request, static_cast<int>(request.enabledHeads.size()));
    QStringList heads;
    for (std::size_t h = 0; h < on.size(); ++h)
        if (on[h]) heads << QString::number(h);
    return heads.isEmpty() ? QString() : QStringLiteral(" ") + heads.join(QStringLiteral(", "));
}

// The request in words; rolloutLayers > 0: a rollout that runs through that many layers
// whatever the selected layer (a probe asking after the last one).
QString describeSelection(const ViewRequest& request, int rolloutLayers) {
    const AttentionQuery& q = request.query;
    QStringList parts;
    if (request.kind == ViewKind::Grid) {
        parts << QStringLiteral("All layers × heads");
    } else if (request.kind == ViewKind::Heads) {
        parts << QStringLiteral("Layer %1 · all heads").arg(q.layer);
    } else if (q.layerMode == LayerMode::Rollout) {
        parts << (rolloutLayers > 0 ? QStringLiteral("Rollout through all %1 layers").arg(rolloutLayers)
                                    : QStringLiteral("Rollout to layer %1").arg(q.layer));
    } else {
        parts << QStringLiteral("Layer %1").arg(q.layer);
        switch (q.headMode) {
        case HeadMode::Single: parts << QStringLiteral("head %1").arg(q.head); break;
        case HeadMode::Mean: parts << QStringLiteral("mean of heads") + chosenList(request); break;
        case HeadMode::Max: parts << QStringLiteral("max of heads") + chosenList(request); break;
        }
    }
    if (q.hard) parts << hardText(q);
    if (q.hideSpecialTokens) parts << QStringLiteral("special tokens hidden");
    if (q.words) parts << QStringLiteral("words");
    if (q.leftOutKeys == std::vector<int>{0}) {
        parts << QStringLiteral("first token left out");
    } else if (!q.leftOutKeys.empty()) {
        QStringList tokens;
        for (const int t : q.leftOutKeys) tokens << QString::number(t);
        parts << QStringLiteral("tokens %1 left out").arg(tokens.join(QStringLiteral(", ")));
    }
    const Comparison& c = q.compare;
    if (c.with == CompareWith::Layer) parts << QStringLiteral("minus layer %1").arg(c.layer);
    if (c.with == CompareWith::Head) parts << QStringLiteral("minus layer %1 head %2").arg(c.layer).arg(c.head);
    return parts.join(QStringLiteral(" · "));
}

// "minus “the dog sat”", and where the inputs' tokens do not pair one to one, on which.
QString comparedInput(const FigureSource& source) {
    QString text = QStringLiteral("minus ") + (source.otherInputName.isEmpty() ? QStringLiteral("the other input") : source.otherInputName);
    const TokenAlignment& keys = source.keyAlignment;
    if (source.otherInput && !keys.oneToOne())
        text += QStringLiteral(" · on %1 shared tokens (of %2 and %3)")
                    .arg(keys.shared())
                    .arg(keys.inOther.size())
                    .arg(keys.otherCount);
    return text;
}

}  // namespace

QString describeRequest(const ViewRequest& request) { return describeSelection(request, 0); }

QString describeRequest(const FigureSource& source, const ViewRequest& request) {
    QString selection = describeSelection(request, source.rolloutBase ? source.rolloutBase->layers : 0);
    // One head of a score term: how much of the head's pattern the term alone reproduces.
    const AttentionQuery& q = request.query;
    if (source.wholeAttention && source.attentions && q.headMode == HeadMode::Single && q.layerMode == LayerMode::Single &&
        request.kind != ViewKind::Grid && request.kind != ViewKind::Heads) {
        const double agreement = patternAgreement(*source.attentions, *source.wholeAttention, q.layer, q.head);
        selection += QStringLiteral(" · alone, %1% of the head's pattern").arg(std::lround(100.0 * agreement));
    }
    if (q.compare.with == CompareWith::Input) selection += QStringLiteral(" · ") + comparedInput(source);
    if (!source.condition.isEmpty()) selection += QStringLiteral(" · ") + source.condition;
    return source.attentionName.isEmpty() ? selection : source.attentionName + QStringLiteral(" · ") + selection;
}

MatrixFigureData buildMatrixData(const FigureSource& given, const ViewRequest& request) {
    const FigureSource source = labelled(given, request);
    MatrixFigureData data;
    data.matrix = shownMatrix(source, aggregated(request, stackOf(source).heads));
    data.rowLabels = queryLabels(source, data.matrix.rowTokens);
    data.columnLabels = keyLabels(source, data.matrix.colTokens);
    if (!source.queryAxisTitle.isEmpty()) data.rowAxisTitle = source.queryAxisTitle;
    if (!source.keyAxisTitle.isEmpty()) data.columnAxisTitle = source.keyAxisTitle;
    ViewRequest titled = request;
    titled.kind = ViewKind::Matrix;
    data.title = describeRequest(source, titled);
    data.selectedRow = rowOfToken(data.matrix, shownQuery(source, request));
    return data;
}

HeadsFigureData buildHeadsData(const FigureSource& given, const ViewRequest& request) {
    const FigureSource source = labelled(given, request);
    const AttentionStack& stack = stackOf(source);
    HeadsFigureData data;
    for (int h = 0; h < stack.heads; ++h)
        data.heads.push_back(shownMatrix(source, singleHead(request.query, request.query.layer, h)));
    const bool sized = static_cast<int>(request.enabledHeads.size()) == stack.heads;
    data.enabled = sized ? request.enabledHeads : std::vector<bool>(static_cast<std::size_t>(stack.heads), true);
    if (!data.heads.empty()) {
        data.leftLabels = queryLabels(source, data.heads.front().rowTokens);
        data.rightLabels = keyLabels(source, data.heads.front().colTokens);
        data.selectedToken = rowOfToken(data.heads.front(), shownQuery(source, request));
    }
    ViewRequest titled = request;
    titled.kind = ViewKind::Heads;
    data.title = describeRequest(source, titled);
    return data;
}

GridFigureData buildGridHeader(const FigureSource& source, const ViewRequest& request) {
    const AttentionStack& stack = stackOf(source);
    GridFigureData data;
    data.layers = stack.layers;
    data.heads = stack.heads;
    const AttentionQuery& q = request.query;
    data.focusedLayer = q.layer >= 0 && q.layer < stack.layers ? q.layer : -1;
    // A single head is outlined; an aggregate (mean, max, rollout) outlines its whole layer row.
    const bool single = q.layerMode == LayerMode::Single && q.headMode == HeadMode::Single;
    data.focusedHead = single && q.head >= 0 && q.head < stack.heads ? q.head : -1;
    ViewRequest titled = request;
    titled.kind = ViewKind::Grid;
    data.title = describeRequest(source, titled);
    return data;
}

bool sameGridMaps(const ViewRequest& a, const ViewRequest& b) {
    const AttentionQuery &p = a.query, &q = b.query;
    const HardSelection &x = p.hardSelection, &y = q.hardSelection;
    return a.stack == b.stack && p.hard == q.hard && p.hideSpecialTokens == q.hideSpecialTokens && p.words == q.words &&
           p.leftOutKeys == q.leftOutKeys && p.compare == q.compare &&
           (!p.hard || (x.rule == y.rule && x.k == y.k && x.threshold == y.threshold && x.mass == y.mass));
}

GridFigureData buildGridData(const FigureSource& source, const ViewRequest& request) {
    GridFigureData data = buildGridHeader(source, request);
    const AttentionStack& stack = *source.attentions;
    // Every map is independent: spread them over the cores (144 maps of 512 x 512 took
    // 140 ms on one). The first is made here, so a bad query throws its attnscope::Error in
    // this thread; the rest cannot fail once it succeeded.
    data.maps.resize(static_cast<std::size_t>(stack.layers) * stack.heads);
    data.maps[0] = shownMatrix(source, singleHead(request.query, 0, 0));
    const int count = static_cast<int>(data.maps.size());
#pragma omp parallel for schedule(dynamic)
    for (int i = 1; i < count; ++i)
        data.maps[static_cast<std::size_t>(i)] =
            shownMatrix(source, singleHead(request.query, i / stack.heads, i % stack.heads));
    return data;
}

TokenStripFigureData buildTokenStripData(const FigureSource& given, const ViewRequest& request) {
    const FigureSource source = labelled(given, request);
    const AttentionStack& stack = stackOf(source);
    const AttentionMatrix m = shownMatrix(source, aggregated(request, stackOf(source).heads));
    TokenStripFigureData data;
    data.labels = keyLabels(source, m.colTokens);
    data.difference = m.difference;
    if (source.firstGeneratedToken >= 0 && !isCross(source))
        for (const int token : m.colTokens) data.generated.push_back(token >= source.firstGeneratedToken);
    if (m.rows == 0) return data;
    // The selected query's row; with none selected, the last query for a causal (decoder)
    // model or cross-attention, whose last token sees the whole text, and the first ([CLS],
    // <s>) otherwise.
    int row = rowOfToken(m, shownQuery(source, request));
    if (row < 0) row = isCross(source) || isCausal(stack) ? m.rows - 1 : 0;
    data.weights.assign(m.values.begin() + static_cast<std::ptrdiff_t>(row) * m.cols,
                        m.values.begin() + static_cast<std::ptrdiff_t>(row + 1) * m.cols);
    const int token = m.rowTokens[row];
    // The query is among the keys only in self-attention.
    if (!isCross(source))
        for (int c = 0; c < m.cols; ++c)
            if (m.colTokens[c] == token) data.queryToken = c;
    ViewRequest titled = request;
    titled.kind = ViewKind::Tokens;
    data.title = describeRequest(source, titled) + QStringLiteral(" · from “%1”").arg(queryLabel(source, token));
    if (std::find(data.generated.begin(), data.generated.end(), true) != data.generated.end())
        data.title += QStringLiteral(" · dashed: written by the model");
    return data;
}

ImageOverlayFigureData buildImageOverlayData(const FigureSource& source, const ViewRequest& request) {
    const AttentionStack& stack = stackOf(source);
    const PatchGrid& grid = source.patches;
    if (!grid.isValid()) throw Error("the image overlay is for inputs that are images; this one is text");
    // The keys tile the image; the queries are its own tokens, or (cross) another sequence's
    // that asks about it (SigLIP's pooling probe).
    const bool cross = isCross(source);
    if ((!cross && stack.queries != stack.keys) || stack.keys != grid.firstPatchToken + grid.count())
        throw Error("the attention has " + std::to_string(stack.keys) + " tokens, which does not fit a " + std::to_string(grid.rows) +
                    " x " + std::to_string(grid.columns) + " patch grid");
    const int query = request.selectedQuery >= 0 ? request.selectedQuery : 0;  // [CLS] (or the first asking token) by default
    if (query >= stack.queries)
        throw Error("query " + std::to_string(query) + " does not exist (" + (cross ? "the queries are " : "the image has ") +
                    std::to_string(stack.queries) + " tokens, numbered from 0)");
    const AttentionMatrix m = shownMatrix(source, aggregated(request, stackOf(source).heads));
    const int row = rowOfToken(m, query);
    if (row < 0)
        throw Error("The query " + queryLabel(source, query).toStdString() +
                    " is a special token, and special tokens are hidden: show them again, or click a patch to make it the query.");

    ImageOverlayFigureData data;
    data.image = source.image;
    data.grid = grid;
    data.difference = m.difference;
    data.patchWeights.assign(static_cast<std::size_t>(grid.count()), 0.0f);
    for (int c = 0; c < m.cols; ++c) {
        const int token = m.colTokens[static_cast<std::size_t>(c)];
        const int patch = grid.patchOfToken(token);
        if (patch >= 0) data.patchWeights[static_cast<std::size_t>(patch)] = m.at(row, c);
        else data.otherKeys.push_back({keyLabel(source, token), m.at(row, c), token});
    }
    data.queryToken = query;
    data.queryPatch = cross ? -1 : grid.patchOfToken(query);
    data.queryLabel = data.queryPatch >= 0 ? QStringLiteral("patch %1").arg(queryLabel(source, query)) : queryLabel(source, query);
    data.predictions = source.predictions;
    ViewRequest titled = request;
    titled.kind = ViewKind::Overlay;
    data.title = describeRequest(source, titled) + QStringLiteral(" · from %1").arg(data.queryLabel);
    return data;
}

AlignmentFigureData buildAlignmentData(const FigureSource& given, const ViewRequest& request) {
    const FigureSource source = labelled(given, request);
    if (!isCross(source))
        throw Error("The alignment view is for cross-attention, where a target's tokens attend to a source's (a translation, "
                    "a caption); this attention is self-attention. Choose the cross-attention stack to see it.");
    AlignmentFigureData data;
    data.matrix = shownMatrix(source, aggregated(request, stackOf(source).heads));
    data.targetLabels = queryLabels(source, data.matrix.rowTokens);
    data.sourceLabels = keyLabels(source, data.matrix.colTokens);
    data.selectedRow = rowOfToken(data.matrix, shownQuery(source, request));
    data.hard = request.query.hard;
    ViewRequest titled = request;
    titled.kind = ViewKind::Alignment;
    data.title = describeRequest(source, titled);
    return data;
}

std::unique_ptr<Figure> buildFigure(const FigureSource& source, const ViewRequest& request, const FigureStyle& style) {
    switch (request.kind) {
    case ViewKind::Matrix: return std::make_unique<MatrixFigure>(buildMatrixData(source, request), style);
    case ViewKind::Heads: return std::make_unique<HeadsFigure>(buildHeadsData(source, request), style);
    case ViewKind::Grid: return std::make_unique<GridFigure>(buildGridData(source, request), style);
    case ViewKind::Tokens: return std::make_unique<TokenStripFigure>(buildTokenStripData(source, request), style);
    case ViewKind::Overlay: return std::make_unique<ImageOverlayFigure>(buildImageOverlayData(source, request), style);
    case ViewKind::Alignment: return std::make_unique<AlignmentFigure>(buildAlignmentData(source, request), style);
    }
    return nullptr;
}

}  // namespace attnscope::ui
