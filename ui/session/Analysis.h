#pragma once
#include <QImage>
#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

#include "FigureBuilder.h"
#include "model/ForwardResult.h"
#include "model/HeadAblation.h"
#include "model/ModelCapabilities.h"
#include "tensor/AttentionRecord.h"

namespace attnscope::ui {

// One analysed input as the views show it: the engine's record (token sequences, named
// attention stacks, logits, pixel values), what was given, the labels the tokens are shown by,
// and the predictions. Immutable once made; views share it.
struct Analysis {
    AttentionRecord record;
    // The forward pass's input (ids and token types, or pixel values): what the logit lens and
    // a generation run again. Empty for an attention file.
    ForwardInput input;
    std::vector<QStringList> labels;  // per sequence of the record: its tokens as tokenLabel() shows them

    // Heads the model ran with switched off (empty: none); predictions then also carry each
    // token's probability without the switch (ClassPrediction::before).
    HeadAblation ablation;

    QString text;    // the text, or an encoder-decoder's source
    QString pair;    // a text model's second segment (empty: none)
    QString target;  // an encoder-decoder's target (empty: the decoder start token alone)
    // An image model's file (an image or a pixel-values file) and the image it saw, resized and
    // cropped; a null image for text.
    QString imagePath;
    QImage image;

    // A classifier's top labels (an image's or a whole text's, at most kTopClasses); empty otherwise.
    static constexpr int kTopClasses = 5;
    std::vector<ClassPrediction> predictions;
    // Language models with an output head: per token position, the head's most probable
    // tokens — the next token for a causal LM, the token at that position for a masked LM —
    // or a token classifier's labels for that token. Empty otherwise, with predictionsNote
    // saying why.
    enum class TokenPredictionKind { None, NextToken, MaskedToken, TokenLabels };
    TokenPredictionKind tokenPredictionKind = TokenPredictionKind::None;
    std::vector<std::vector<ClassPrediction>> tokenPredictions;
    QString predictionsNote;
    // A masked language model's masked positions, each with the label of the token it hid.
    QMap<int, QString> maskedTokens;

    // The sequence tokenPredictions are for and a generation grows: the input, or an
    // encoder-decoder's target (the decoder's tokens, sequence 1).
    int predictedSequence = 0;

    // A generation (GenerationRun): the first promptLength tokens of the predicted sequence are
    // the prompt's (an encoder-decoder's: its decoder start and typed target), the rest were
    // generated; 0 for an analysis of typed text. `text` is the prompt (or the source).
    int promptLength = 0;
    QString generatedText;  // the new tokens decoded

    // The input's tokens (the text, the source or the image): sequence 0.
    const TokenSequence& tokens() const { return record.input(); }
    const QStringList& tokenLabels() const { return labels.at(0); }
    int tokenCount() const { return tokens().size(); }
    bool isSpecial(int token) const { return tokens().isSpecial(token); }
    // How the input's tokens tile an image; invalid for text.
    const PatchGrid& patches() const { return record.patches(); }
    bool hasImage() const { return patches().isValid(); }
    bool isGeneration() const { return promptLength > 0; }
    // The tokens predictions are for and generation grows (predictedSequence).
    const TokenSequence& predictedTokens() const { return record.sequences.at(static_cast<std::size_t>(predictedSequence)); }
    const QStringList& predictedLabels() const { return labels.at(static_cast<std::size_t>(predictedSequence)); }
    int generatedTokenCount() const { return isGeneration() ? predictedTokens().size() - promptLength : 0; }

    int stackCount() const { return static_cast<int>(record.stacks.size()); }
    // A stack by index; out of range reads as the first, which every record has.
    int validStack(int stack) const { return stack >= 0 && stack < stackCount() ? stack : 0; }
    const NamedStack& stack(int index) const { return record.stacks.at(static_cast<std::size_t>(validStack(index))); }
    const AttentionStack& attention(int index) const { return stack(index).attention; }
    // The tokens that ask (the rows) and those asked (the columns) of a stack.
    const QStringList& queryLabels(int index) const { return labels.at(static_cast<std::size_t>(stack(index).querySequence)); }
    const QStringList& keyLabels(int index) const { return labels.at(static_cast<std::size_t>(stack(index).keySequence)); }
    bool isQuerySpecial(int index, int token) const { return record.queriesOf(stack(index)).isSpecial(token); }
    // Which heads of the model switching off a head of this stack means (HeadAblation): the
    // model's own, an encoder-decoder's decoder or cross-attention; none for a pooling probe.
    std::optional<AblatedStack> ablatedStackOf(int index) const;
    // Whether a stack's queries are the input's tokens (the source's, not a target's).
    bool asksFromInput(int index) const { return stack(index).querySequence == 0; }
    // Whether a stack's queries are the tokens tokenPredictions are for.
    bool asksFromPredicted(int index) const { return stack(index).querySequence == predictedSequence; }

    // What FigureBuilder needs for one stack, with the right tokens on each axis; points into
    // this analysis, so keep the analysis alive. `other`: another input of the same model the
    // views may show a difference from (FigureSource::otherInput), kept alive as long.
    FigureSource figureSource(int stack = 0) const;
    FigureSource figureSource(int stack, const Analysis* other) const;
    // How the views name this input when it is the one compared with: its text, quoted and
    // shortened, or its image's file name.
    QString inputName() const;
};

// The display labels of every sequence of a record (tokenLabel of each name).
std::vector<QStringList> sequenceLabels(const AttentionRecord& record);

// A stack's name as a title shows it: "Encoder self-attention", "Cross-attention".
QString stackTitle(const std::string& name, bool selfAttention);
// The same for a model's stack, and what it shows in a sentence ("Target tokens (rows)
// attending to source tokens (columns)").
QString stackTitle(const StackShape& stack);
QString stackDescription(const StackShape& stack);

}  // namespace attnscope::ui
