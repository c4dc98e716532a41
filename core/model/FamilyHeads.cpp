#include "model/FamilyHeads.h"

namespace attnscope {

// Output heads as transformers builds them. Text classifiers (*ForSequenceClassification) are
// looked for before language-model heads: GPT2ForSequenceClassification keeps its base
// config's tie_word_embeddings, which would otherwise give it a tied LM head it does not have.
// *ForMultipleChoice stores the same tensors but scores each choice of a batch with one
// number: a single input has nothing to classify.
OutputHeadSpec sequenceHead(HeadPooling pooling, std::string dense, Activation activation, std::string projection,
                            BiasRule bias) {
    OutputHeadSpec h;
    h.kind = HeadKind::SequenceClassifier;
    h.pooling = pooling;
    h.dense = std::move(dense);
    h.denseActivation = activation;
    h.projection = std::move(projection);
    h.bias = bias;
    h.labels = true;
    h.refusedArchitecture = "ForMultipleChoice";
    return h;
}

// The masked-LM head: dense, activation, norm, then the decoder tied to the word embeddings
// with a bias of its own.
OutputHeadSpec maskedLmHead(std::string dense, bool modelActivation, std::string norm, std::string bias) {
    OutputHeadSpec h;
    h.kind = HeadKind::MaskedLm;
    h.dense = std::move(dense);
    h.denseUsesModelActivation = modelActivation;
    h.norm = std::move(norm);
    h.source = ProjectionSource::Tied;
    h.separateBias = std::move(bias);
    return h;
}

OutputHeadSpec causalLmHead(std::string projection) {
    OutputHeadSpec h;
    h.kind = HeadKind::CausalLm;
    h.projection = std::move(projection);
    h.source = ProjectionSource::StoredOrTied;
    h.bias = BiasRule::IfStored;
    return h;
}

OutputHeadSpec imageClassifier(HeadPooling pooling, std::string projection, std::string second) {
    OutputHeadSpec h;
    h.kind = HeadKind::ImageClassifier;
    h.pooling = pooling;
    h.projection = std::move(projection);
    h.secondProjection = std::move(second);
    h.labels = true;
    return h;
}

}  // namespace attnscope
