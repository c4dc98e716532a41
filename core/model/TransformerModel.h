#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "io/CheckpointWeights.h"
#include "model/ForwardResult.h"
#include "model/ModelConfig.h"
#include "model/TransformerBlock.h"

namespace attnscope {

// A text transformer bound to its checkpoint's weights: embeddings, the shared block
// repeated per layer, the final norm and, where the checkpoint has one, its output head.
class TransformerModel {
public:
    // Resolves and shape-checks every tensor the config needs; throws attnscope::Error naming
    // the missing or misshapen tensor.
    TransformerModel(ModelConfig config, std::unique_ptr<CheckpointWeights> weights);
    ~TransformerModel();

    const ModelConfig& config() const { return config_; }
    const CheckpointWeights& weights() const { return *weights_; }
    bool hasHead() const { return headKind_ != HeadKind::None; }
    HeadKind headKind() const { return headKind_; }
    // Image and text classifiers: logits are one row [1, labels] over config.json's id2label.
    bool isClassifier() const { return headKind_ == HeadKind::ImageClassifier || headKind_ == HeadKind::SequenceClassifier; }
    // Causal and masked LM heads: logits over the vocabulary, per position.
    bool hasVocabularyHead() const { return headKind_ == HeadKind::CausalLm || headKind_ == HeadKind::MaskedLm; }
    std::int64_t parameterCount() const;

    std::optional<ForwardResult> forward(const ForwardInput& input,
                                         const std::function<void(int, int)>& progress = {},
                                         const std::atomic<bool>* cancel = nullptr) const;

    // Causal text models with an LM head (canGenerate): what generation needs.
    bool canGenerate() const;
    // Throws attnscope::Error saying why this checkpoint cannot generate, unless it can.
    void requireCanGenerate() const;
    // Runs `ids` at the positions after the cache's tokens and appends their keys and values.
    // Attention is [layers, heads, ids.size(), cache.length + ids.size()], logits
    // [ids.size(), vocab]. An empty cache makes this the plain forward pass.
    ForwardResult forwardCached(const std::vector<int>& ids, KeyValueCache& cache) const;
    // The logit lens: the final norm (where the model has one) and the output head applied to a
    // residual stream [n, hidden]; applied to the last block's output it is the model's own
    // prediction. Throws attnscope::Error for a model without a vocabulary head.
    RowMatrix logitsFromResidual(const RowMatrix& residual) const;

private:
    // Token embeddings at positions offset, offset + 1, ... (offset > 0: after a KV cache).
    RowMatrix embed(const ForwardInput& input, std::vector<int>& positions, int offset = 0) const;
    RowMatrix embedPatches(const PixelValues& pixels) const;
    std::optional<ForwardResult> forwardEncoderDecoder(const ForwardInput& input,
                                                       const std::function<void(int, int)>& progress,
                                                       const std::atomic<bool>* cancel) const;
    RowMatrix head(const RowMatrix& hidden) const;
    // A text classifier's logits [1, labels] from the final hidden states of `ids`.
    RowMatrix classifySequence(const RowMatrix& hidden, const std::vector<int>& ids) const;
    int pooledPosition(const std::vector<int>& ids) const;

    ModelConfig config_;
    std::unique_ptr<CheckpointWeights> weights_;
    const FamilySpec& spec_;
    std::unique_ptr<RotaryEmbedding> rotary_;
    FloatTensor tokenEmbedding_, positionEmbedding_, tokenTypeEmbedding_;
    Norm embeddingNorm_, finalNorm_;
    std::vector<TransformerBlock> blocks_;
    HeadKind headKind_ = HeadKind::None;
    Linear outputProjection_;  // causal LM head, or the masked-LM decoder (tied to embeddings)
    Linear headTransform_;
    Norm headNorm_;
    Activation headActivation_ = Activation::Gelu;
    // Vision transformers
    Linear patchProjection_;  // the patch convolution as a linear map over flattened [C, p, p] patches
    FloatTensor clsToken_, distillationToken_;
    Linear classifier_, distillationClassifier_;
    // Text classifiers: the dense layer before the labels (BERT's pooler, RoBERTa's
    // classifier.dense, DistilBERT's pre_classifier; decoders have none) and the label projection.
    Linear sequenceDense_, sequenceClassifier_;
    // Encoder-decoder (T5): the decoder stack and each stack's relative position bias table
    std::vector<TransformerBlock> decoderBlocks_;
    Norm decoderFinalNorm_;
    FloatTensor encoderRelativeBias_, decoderRelativeBias_;
    bool scaleTiedOutput_ = false;
};

}  // namespace attnscope
