#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "io/CheckpointWeights.h"
#include "model/AttentionPoolingProbe.h"
#include "model/Embeddings.h"
#include "model/ForwardResult.h"
#include "model/LayerStack.h"
#include "model/ModelCapabilities.h"
#include "model/ModelConfig.h"
#include "model/OutputHead.h"

namespace attnscope {

class RotaryEmbedding;

// A transformer bound to its checkpoint's weights: embeddings, one layer stack (two for an
// encoder-decoder) and, where the checkpoint has one, its output head. Everything that differs
// between families is in the family's table entry (FamilySpec).
class TransformerModel {
public:
    // Resolves and shape-checks every tensor the config needs; throws attnscope::Error naming
    // the missing or misshapen tensor.
    TransformerModel(ModelConfig config, std::unique_ptr<CheckpointWeights> weights);
    ~TransformerModel();

    const ModelConfig& config() const { return config_; }
    const CheckpointWeights& weights() const { return *weights_; }
    const ModelCapabilities& capabilities() const { return capabilities_; }
    HeadKind headKind() const { return head_.kind(); }
    const OutputHead& outputHead() const { return head_; }
    bool hasHead() const { return head_.present(); }
    // Image and text classifiers: logits are one row [1, labels] over config.json's id2label.
    bool isClassifier() const { return capabilities_.isClassifier(); }
    // Causal and masked LM heads: logits over the vocabulary, per position.
    bool hasVocabularyHead() const { return capabilities_.hasVocabularyHead(); }
    std::int64_t parameterCount() const;

    // The forward pass: a record of every stack's attention (its sequences known by id), the
    // logits and the last hidden state. std::nullopt when *cancel became true (checked between
    // layers); progress is (layers done, layers in all).
    std::optional<ForwardResult> forward(const ForwardInput& input, const std::function<void(int, int)>& progress = {},
                                         const std::atomic<bool>* cancel = nullptr) const;

    // Causal text models and encoder-decoders with an LM head (capabilities().canGenerate):
    // what generation needs.
    bool canGenerate() const { return capabilities_.canGenerate; }
    // Throws attnscope::Error saying why this checkpoint cannot generate, unless it can.
    void requireCanGenerate() const;
    // Throws attnscope::Error saying why this checkpoint has no logit attribution
    // (analysis/LogitAttribution.h), unless it has: no output head. An encoder-decoder's is
    // the decoder's stream, where the cross-attention heads write what they read of the source.
    void requireAttribution() const;
    // Runs `ids` at the positions after the cache's tokens and appends their keys and values.
    // An empty cache makes this the plain forward pass. An encoder-decoder's ids are the
    // decoder's, and its cache must hold an encoded source (encodeSource()).
    StepResult forwardCached(const std::vector<int>& ids, KeyValueCache& cache) const;
    // Encoder-decoders: runs the encoder over `source` once, starts `cache` afresh with every
    // decoder layer's cross-attention keys and values of it, and returns the encoder's
    // attention [layers, heads, n, n]. Throws attnscope::Error for other models.
    AttentionStack encodeSource(const std::vector<int>& source, KeyValueCache& cache) const;
    // The same for an encoder-decoder that reads an image (a captioner): the encoder's attention
    // over the image's tokens.
    AttentionStack encodeImage(const PixelValues& pixels, KeyValueCache& cache) const;
    // The logit lens: the final norm and the output head applied to a residual stream
    // [n, hidden]; applied to the last block's output it is the model's own prediction. Throws
    // attnscope::Error for a model without a logit lens (capabilities().whyNoLogitLens).
    RowMatrix logitsFromResidual(const RowMatrix& residual) const;

private:
    LayerStack buildStack(const WeightBinder& bind, const char* label, int layers, bool causal, const std::vector<int>& windows,
                          bool cross) const;
    void bindComposed(const CheckpointWeights& weights);
    RowMatrix embed(const ForwardInput& input, std::vector<int>& positions) const;
    // The encoder's output as the decoder's cross-attention reads it: after the encoder's final
    // norm, and mapped to the decoder's width where a composed model's widths differ.
    void finishEncoding(RowMatrix& x) const;
    AttentionStack encodeEmbedded(RowMatrix x, const std::vector<int>& positions, KeyValueCache& cache) const;
    std::optional<ForwardResult> forwardEncoderDecoder(const ForwardInput& input, const std::function<void(int, int)>& progress,
                                                       const std::atomic<bool>* cancel) const;

    ModelConfig config_;
    std::unique_ptr<CheckpointWeights> weights_;
    std::vector<std::unique_ptr<RotaryEmbedding>> rotaries_;  // one per distinct RoPE (ModelConfig::ropes)
    std::unique_ptr<Embeddings> embeddings_;
    std::unique_ptr<Embeddings> decoderEmbeddings_;  // encoder-decoders: the decoder's input layer (its own positions, norm)
    std::unique_ptr<LayerStack> stack_;    // the only stack, or an encoder-decoder's encoder
    std::unique_ptr<LayerStack> decoder_;  // encoder-decoders only
    Linear encoderToDecoder_;              // composed models whose parts' widths differ (enc_to_dec_proj)
    OutputHead head_;
    AttentionPoolingProbe probe_;  // SigLIP's attention-pooling query, where the tower has one
    ModelCapabilities capabilities_;
};

}  // namespace attnscope
