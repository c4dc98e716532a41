#pragma once
#include <QImage>
#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

#include "FigureBuilder.h"
#include "model/AttentionStack.h"
#include "text/Encoding.h"

namespace attnscope::ui {

// One computed input: what was given (a text and its pair, a source and its target, or an
// image), its tokens, and every layer's and head's attention. Immutable once made; views
// share it.
struct Analysis {
    QString text;
    QString pair;  // empty: no second segment
    // The tokens of the text (T5: of the source). For a vision model the [CLS], [DIST] and
    // patch names (visionTokens), [CLS] and [DIST] marked special.
    Encoding encoding;
    QStringList tokenLabels;  // encoding.tokens as tokenLabel() shows them
    AttentionStack attentions;  // the encoder's self-attention for an encoder-decoder

    // Encoder-decoder (T5): the target, teacher-forced into the decoder, and its two stacks.
    QString target;
    std::vector<int> decoderIds;
    QStringList targetLabels;               // one per decoder input token
    std::vector<bool> targetSpecialTokens;  // one per decoder input token
    AttentionStack decoderAttentions;       // [layers, heads, m, m]
    AttentionStack crossAttentions;         // [layers, heads, m, n]: target queries, source keys

    // Vision (ViT, DeiT): the file, the image the model saw (resized and cropped), how its
    // tokens tile it, and the classifier's top predictions (empty without a classifier).
    QString imagePath;
    QImage image;
    PatchGrid patches;
    std::vector<ClassPrediction> predictions;

    // Language models with an output head: per token position, the head's most probable
    // tokens — the next token for a causal LM, the token at that position for a masked LM.
    // Empty otherwise, with predictionsNote saying why.
    enum class TokenPredictionKind { None, NextToken, MaskedToken };
    TokenPredictionKind tokenPredictionKind = TokenPredictionKind::None;
    std::vector<std::vector<ClassPrediction>> tokenPredictions;
    QString predictionsNote;
    // A masked language model's masked positions, each with the label of the token it hid.
    QMap<int, QString> maskedTokens;

    // A causal LM's generation (GenerationRun): the first promptLength tokens are the
    // prompt's, the rest were generated; 0 for an analysis of typed text. `text` is the prompt.
    int promptLength = 0;
    QString generatedText;  // the new tokens decoded

    bool isVision() const { return patches.isValid(); }
    bool isGeneration() const { return promptLength > 0; }
    bool isEncoderDecoder() const { return !crossAttentions.empty(); }

    int tokenCount() const { return static_cast<int>(tokenLabels.size()); }
    bool isSpecial(int token) const {
        return token >= 0 && token < static_cast<int>(encoding.specialTokensMask.size()) &&
               encoding.specialTokensMask[static_cast<std::size_t>(token)];
    }

    // The stack a kind names; a model with one stack has only Encoder, whatever is asked.
    AttentionKind effectiveKind(AttentionKind kind) const { return isEncoderDecoder() ? kind : AttentionKind::Encoder; }
    const AttentionStack& stack(AttentionKind kind) const {
        switch (effectiveKind(kind)) {
        case AttentionKind::Decoder: return decoderAttentions;
        case AttentionKind::Cross: return crossAttentions;
        case AttentionKind::Encoder: break;
        }
        return attentions;
    }
    // The tokens that ask (the rows): the source's for the encoder, the target's otherwise.
    const QStringList& queryLabels(AttentionKind kind) const {
        return effectiveKind(kind) == AttentionKind::Encoder ? tokenLabels : targetLabels;
    }
    bool isQuerySpecial(AttentionKind kind, int token) const {
        if (effectiveKind(kind) == AttentionKind::Encoder) return isSpecial(token);
        return token >= 0 && token < static_cast<int>(targetSpecialTokens.size()) && targetSpecialTokens[static_cast<std::size_t>(token)];
    }

    // What FigureBuilder needs for one stack, with the right tokens on each axis; points into
    // this analysis, so keep the analysis alive.
    FigureSource figureSource(AttentionKind kind = AttentionKind::Encoder) const {
        FigureSource source;
        source.attentions = &attentions;
        source.tokenLabels = tokenLabels;
        source.specialTokens = encoding.specialTokensMask;
        source.image = image;
        source.patches = patches;
        source.predictions = predictions;
        if (isGeneration()) source.firstGeneratedToken = promptLength;
        if (!isEncoderDecoder()) return source;
        switch (kind) {
        case AttentionKind::Encoder:
            source.attentionName = QStringLiteral("Encoder self-attention");
            source.queryAxisTitle = QStringLiteral("Query (source token)");
            source.keyAxisTitle = QStringLiteral("Key (source token)");
            break;
        case AttentionKind::Decoder:
            source.attentions = &decoderAttentions;
            source.tokenLabels = targetLabels;
            source.specialTokens = targetSpecialTokens;
            source.attentionName = QStringLiteral("Decoder self-attention");
            source.queryAxisTitle = QStringLiteral("Query (target token)");
            source.keyAxisTitle = QStringLiteral("Key (target token)");
            break;
        case AttentionKind::Cross:
            source.attentions = &crossAttentions;
            source.queryLabels = targetLabels;
            source.attentionName = QStringLiteral("Cross-attention");
            source.queryAxisTitle = QStringLiteral("Query (target token)");
            source.keyAxisTitle = QStringLiteral("Key (source token)");
            break;
        }
        return source;
    }
};

}  // namespace attnscope::ui
