#include "model/ModelCapabilities.h"

#include "model/ModelConfig.h"

namespace attnscope {

namespace {

PredictionKind predictionsOf(HeadKind head) {
    switch (head) {
    case HeadKind::CausalLm: return PredictionKind::NextToken;
    case HeadKind::MaskedLm: return PredictionKind::MaskedToken;
    case HeadKind::ImageClassifier:
    case HeadKind::SequenceClassifier: return PredictionKind::Labels;
    case HeadKind::TokenClassifier: return PredictionKind::TokenLabels;
    case HeadKind::None: break;
    }
    return PredictionKind::None;
}

std::string whyNoGeneration(const ModelCapabilities& m) {
    if (m.canGenerate) return {};
    // Only a text classifier is "a text classifier": an image classifier is not a language model at all.
    const std::string why = m.head == HeadKind::SequenceClassifier ? "is a text classifier: its head scores labels, not next tokens"
                            : m.causal || m.hasDecoder()          ? "has no LM head"
                                                                   : "is not a causal language model";
    return "generation needs a causal language model or an encoder-decoder with an LM head; this " + m.modelType + " checkpoint " + why;
}

std::string whyNoLogitLens(const ModelCapabilities& m) {
    if (m.hasLogitLens) return {};
    if (m.hasDecoder()) return "the logit lens is for language models with one stack; " + m.modelType + " is an encoder-decoder";
    if (m.readsImages()) return "the logit lens is for language models; " + m.modelType + " is a vision model";
    // A text classifier's head maps the last hidden state to its labels, not to tokens: reading
    // the residual stream through it would name labels for every layer and position.
    if (m.isClassifier())
        return "the logit lens needs an LM head to read the layers with; this " + m.modelType +
               " checkpoint is a text classifier, whose head scores labels rather than tokens";
    if (m.predictions == PredictionKind::TokenLabels)
        return "the logit lens needs an LM head to read the layers with; this " + m.modelType +
               " checkpoint's head labels each token rather than predicting one";
    return "the logit lens needs an output head to read the layers with; this " + m.modelType +
           " checkpoint has no output head (no LM head), so it predicts nothing; its attention is still available";
}

}  // namespace

int ModelCapabilities::stackIndex(const std::string& name) const {
    for (std::size_t i = 0; i < stacks.size(); ++i)
        if (stacks[i].name == name) return static_cast<int>(i);
    return -1;
}

ModelCapabilities capabilitiesOf(const ModelConfig& c, HeadKind head, std::vector<std::string> labelNames) {
    const FamilySpec& spec = c.spec();
    ModelCapabilities m;
    m.modelType = c.modelType;
    m.head = head;
    m.predictions = predictionsOf(head);
    m.labelNames = std::move(labelNames);
    if (c.encoder) {
        // A composed model: the encoder's stack has its own family's shape, the decoder's is this config's.
        const ModelConfig& e = *c.encoder;
        m.input = e.spec().readsImages() ? InputKind::ImageTarget : InputKind::SourceTarget;
        m.sequences = {kInputSequence, kDecoderSequence};
        m.stacks = {{"encoder", 0, 0, e.layers, e.heads}, {"decoder", 1, 1, c.layers, c.heads}, {"cross", 1, 0, c.layers, c.heads}};
        m.forwardLayers = e.layers + c.layers;
    } else if (spec.isEncoderDecoder()) {
        m.input = InputKind::SourceTarget;
        m.sequences = {kInputSequence, kDecoderSequence};
        m.stacks = {{"encoder", 0, 0, c.layers, c.heads}, {"decoder", 1, 1, c.decoderLayers, c.heads}, {"cross", 1, 0, c.decoderLayers, c.heads}};
        m.forwardLayers = c.layers + c.decoderLayers;
    } else {
        m.input = spec.readsImages() ? InputKind::Image : InputKind::Text;
        m.sequences = {kInputSequence};
        m.stacks = {{kSelfStack, 0, 0, c.layers, c.heads}};
        // DeBERTa: each score term's attention alone, beside the total.
        if (c.disentangled.hasPositionTerms()) {
            m.stacks.push_back({kContentToContentStack, 0, 0, c.layers, c.heads});
            if (c.disentangled.contentToPosition) m.stacks.push_back({kContentToPositionStack, 0, 0, c.layers, c.heads});
            if (c.disentangled.positionToContent) m.stacks.push_back({kPositionToContentStack, 0, 0, c.layers, c.heads});
        }
        m.forwardLayers = c.layers;
        // SigLIP: the pooling probe's attention over the image, one layer of one query.
        if (c.poolingProbe) {
            m.sequences.push_back(kProbeSequence);
            m.stacks.push_back({kProbeStack, 1, 0, 1, c.heads});
        }
    }
    if (const ModelConfig& image = c.imageConfig(); image.spec().readsImages()) {
        m.leadingSpecialTokens = image.spec().leadingImageTokens();
        m.patches = {image.patchGridSide(), image.patchGridSide(), m.leadingSpecialTokens};
    }
    m.causal = c.causal && m.input == InputKind::Text;
    // An encoder-decoder's decoder is causal too: it generates a target for the source.
    m.canGenerate = (m.causal || m.hasDecoder()) && head == HeadKind::CausalLm;
    m.hasLogitLens = m.input == InputKind::Text && m.hasVocabularyHead();
    m.whyNoGeneration = whyNoGeneration(m);
    m.whyNoLogitLens = whyNoLogitLens(m);
    return m;
}

}  // namespace attnscope
