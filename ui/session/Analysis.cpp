#include "Analysis.h"

#include <QFileInfo>
#include <QObject>

#include "TokenLabel.h"
#include "analysis/WordGroups.h"

namespace attnscope::ui {

namespace {

// How an axis names the tokens of a sequence when a record has more than one: the input is
// the source, any other sequence a target the decoder reads.
QString sequenceNoun(int sequence) { return sequence == 0 ? QStringLiteral("source") : QStringLiteral("target"); }

// An axis's title in a record with several sequences: the source's tokens or an image's
// patches, the target's tokens, or another sequence by its name (SigLIP's probe).
QString axisNoun(const AttentionRecord& record, int sequence) {
    const TokenSequence& tokens = record.sequences.at(static_cast<std::size_t>(sequence));
    if (sequence == 0) return tokens.patches.isValid() ? QStringLiteral("image patch") : QStringLiteral("source token");
    if (tokens.name == kDecoderSequence) return QStringLiteral("target token");
    return QString::fromStdString(tokens.name);
}

}  // namespace

std::vector<QStringList> sequenceLabels(const AttentionRecord& record) {
    std::vector<QStringList> labels;
    for (const TokenSequence& s : record.sequences) labels.push_back(tokenLabels(s.names));
    return labels;
}

QString stackTitle(const std::string& stackName, bool selfAttention) {
    if (stackName == "cross") return QStringLiteral("Cross-attention");
    if (stackName == kSelfStack) return QStringLiteral("Self-attention");
    // DeBERTa's score terms, each alone.
    if (stackName == kContentToContentStack) return QStringLiteral("Content→content term");
    if (stackName == kContentToPositionStack) return QStringLiteral("Content→position term");
    if (stackName == kPositionToContentStack) return QStringLiteral("Position→content term");
    QString name = QString::fromStdString(stackName);
    if (!name.isEmpty()) name[0] = name[0].toUpper();
    return name + (selfAttention ? QStringLiteral(" self-attention") : QStringLiteral(" attention"));
}

QString stackTitle(const StackShape& s) { return stackTitle(s.name, s.querySequence == s.keySequence); }

QString stackDescription(const StackShape& s) {
    QString queries = sequenceNoun(s.querySequence);
    queries[0] = queries[0].toUpper();
    return QObject::tr("%1 tokens (rows) attending to %2 tokens (columns)").arg(queries, sequenceNoun(s.keySequence));
}

std::optional<AblatedStack> Analysis::ablatedStackOf(int index) const {
    const NamedStack& s = stack(index);
    return attnscope::ablatedStackOf(s.querySequence, s.keySequence, predictedSequence == 1);
}

QString Analysis::inputName() const {
    if (!imagePath.isEmpty()) return QFileInfo(imagePath).fileName();
    constexpr int kLongest = 28;  // titles carry it beside the selection
    const QString simple = text.simplified();
    return QStringLiteral("“%1”").arg(simple.size() > kLongest ? simple.left(kLongest - 1) + QStringLiteral("…") : simple);
}

namespace {

// Two inputs' tokens on one axis: position for position when they are as many (two texts that
// differ in a word, two images), else the tokens both have, in order.
TokenAlignment alignSequences(const TokenSequence& a, const TokenSequence& b) {
    if (a.size() == b.size()) return alignByPosition(a.size());
    return alignTokens(a.names, b.names);
}

}  // namespace

FigureSource Analysis::figureSource(int index, const Analysis* other) const {
    FigureSource source = figureSource(index);
    if (!other || other->stackCount() == 0) return source;
    const NamedStack& s = stack(index);
    const NamedStack& t = other->stack(index);
    source.otherInput = std::make_shared<const FigureSource>(other->figureSource(index));
    source.keyAlignment = alignSequences(record.keysOf(s), other->record.keysOf(t));
    if (!s.isSelfAttention()) source.queryAlignment = alignSequences(record.queriesOf(s), other->record.queriesOf(t));
    source.otherInputName = other->inputName();
    return source;
}

FigureSource Analysis::figureSource(int index) const {
    const NamedStack& s = stack(index);
    const TokenSequence& keys = record.keysOf(s);
    FigureSource source;
    source.attentions = &s.attention;
    source.tokenLabels = keyLabels(index);
    source.specialTokens = keys.special;
    if (!s.isSelfAttention()) source.queryLabels = queryLabels(index);
    source.patches = keys.patches;
    if (keys.patches.isValid()) source.image = image;
    source.predictions = predictions;
    source.condition = QString::fromStdString(ablation.describe());
    if (isGeneration() && s.keySequence == predictedSequence) source.firstGeneratedToken = promptLength;
    // Text's tokens group into words on request; an image's patches do not.
    const TokenSequence& queries = record.queriesOf(s);
    if (!keys.patches.isValid() && !queries.patches.isValid()) {
        const auto wordsOf = [](const TokenSequence& tokens, QStringList& labels) {
            const std::vector<int> words = wordsOfTokens(tokens.names, tokens.special);
            for (const std::string& text : wordTexts(tokens.names, words)) labels.append(tokenLabel(text, WordStart::Strip));
            return words;
        };
        source.words.keys = wordsOf(keys, source.keyWordLabels);
        if (s.isSelfAttention()) source.words.queries = source.words.keys;
        else source.words.queries = wordsOf(queries, source.queryWordLabels);
    }
    if (record.stacks.size() > 1) source.attentionName = stackTitle(s.name, s.isSelfAttention());
    // Source and target name the axes only where there are two sequences (not DeBERTa's terms).
    if (record.sequences.size() > 1) {
        source.queryAxisTitle = QStringLiteral("Query (%1)").arg(axisNoun(record, s.querySequence));
        source.keyAxisTitle = QStringLiteral("Key (%1)").arg(axisNoun(record, s.keySequence));
    }
    if (asksAfterLastLayer(s.name) && record.find(kSelfStack)) source.rolloutBase = &record.find(kSelfStack)->attention;
    if (isScoreTermStack(s.name)) source.wholeAttention = record.find(kSelfStack) ? &record.find(kSelfStack)->attention : nullptr;
    return source;
}

}  // namespace attnscope::ui
