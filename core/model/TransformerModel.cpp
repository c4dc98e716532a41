#include "model/TransformerModel.h"

#include <cmath>

#include "Error.h"
#include "model/RelativePositionBias.h"

namespace attnscope {
namespace {

enum class Bias { Required, None };

// Looks tensors up by role, applying the checkpoint's prefix, and checks their shapes.
class WeightBinder {
public:
    WeightBinder(const CheckpointWeights& w, const FamilySpec& spec, const ModelConfig& c)
        : w_(w), spec_(spec), c_(c), names_(&spec.names) {
        const std::string probe = spec.names.at(spec.probeRole()) + ".weight";
        for (const auto& p : spec.basePrefixes)
            if (w.has(p + probe)) {
                prefix_ = p;
                return;
            }
        throw Error(w.describeSource() + ": missing tensor '" + spec.basePrefixes.front() + probe +
                    "' (the first tensor of a " + c.modelType + " checkpoint)");
    }

    std::string name(TensorRole role, int layer, const char* suffix) const {
        return prefix_ + layerPath(names_->at(role), layer) + suffix;
    }
    // Switches between the encoder (or only) stack's names and the decoder's.
    void useNames(const std::map<TensorRole, std::string>& names) { names_ = &names; }

    FloatTensor tensor(const std::string& fullName, std::vector<std::int64_t> shape) const {
        if (!w_.has(fullName))
            throw Error(w_.describeSource() + ": missing tensor '" + fullName + "' needed by this " + c_.modelType + " model");
        FloatTensor t = w_.get(fullName);
        if (t.shape != shape) {
            auto str = [](const std::vector<std::int64_t>& s) {
                std::string out = "[";
                for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
                return out + "]";
            };
            throw Error(w_.describeSource() + ": tensor '" + fullName + "' has shape " + str(t.shape) +
                        ", expected " + str(shape) + " from config.json");
        }
        return t;
    }

    Linear linear(TensorRole role, int layer, int in, int out, Bias bias) const {
        return linearNamed(name(role, layer, ""), in, out, bias);
    }

    Linear linearNamed(const std::string& path, int in, int out, Bias bias) const {
        return linearLaidOut(path, in, out, bias, spec_.conv1dWeights);
    }
    // An nn.Linear stored [out, in] whatever the blocks use: GPT-2's heads are not Conv1D.
    Linear linearOutIn(const std::string& path, int in, int out, Bias bias) const {
        return linearLaidOut(path, in, out, bias, false);
    }

    Norm norm(const std::string& path, int dim, float eps) const {
        Norm n;
        n.dim = dim;
        n.kind = spec_.norm;
        n.eps = eps;
        n.weight = tensor(path + ".weight", {dim}).data;
        if (spec_.norm == NormKind::LayerNorm) n.bias = tensor(path + ".bias", {dim}).data;
        return n;
    }
    Norm norm(TensorRole role, int layer) const { return norm(name(role, layer, ""), c_.hidden, c_.normEps); }

    bool has(const std::string& fullName) const { return w_.has(fullName); }

private:
    Linear linearLaidOut(const std::string& path, int in, int out, Bias bias, bool storedInOut) const {
        Linear l;
        l.in = in;
        l.out = out;
        l.storedInOut = storedInOut;
        l.weight = tensor(path + ".weight", storedInOut ? std::vector<std::int64_t>{in, out}
                                                        : std::vector<std::int64_t>{out, in}).data;
        if (bias == Bias::Required) l.bias = tensor(path + ".bias", {out}).data;
        return l;
    }

    const CheckpointWeights& w_;
    const FamilySpec& spec_;
    const ModelConfig& c_;
    const std::map<TensorRole, std::string>* names_;
    std::string prefix_;
};

// A classifier's label count: the rows of its weight, which config.json's id2label (when it
// has one) must agree with, or the names printed for the classes would be wrong.
int classifierLabels(const CheckpointWeights& w, const ModelConfig& c, const std::string& weightName) {
    const TensorInfo* info = w.info(weightName);
    const int labels = info == nullptr || info->shape.empty() ? 0 : static_cast<int>(info->shape[0]);
    if (!c.id2label.empty() && labels != static_cast<int>(c.id2label.size()))
        throw Error(w.describeSource() + ": tensor '" + weightName + "' has " + std::to_string(labels) +
                    " rows but config.json's id2label has " + std::to_string(c.id2label.size()) + " labels");
    return labels;
}

struct SequenceHeadWeights {
    Linear dense;       // absent for decoders
    Linear classifier;  // [labels, hidden]
};

// The module path of the dense layer before a text classifier's labels ("" when the family
// has none): BERT's pooler belongs to the base model, under its prefix; the others are top-level.
std::string sequenceDensePath(const WeightBinder& bind, const FamilySpec& spec) {
    if (spec.headNames.count(TensorRole::SequenceDense)) return spec.headNames.at(TensorRole::SequenceDense);
    if (spec.hasRole(TensorRole::Pooler)) return bind.name(TensorRole::Pooler, 0, "");
    return {};
}

// A text classification head (*ForSequenceClassification) when the checkpoint stores all of
// its tensors; std::nullopt otherwise. Other heads share some of its names, so every part is
// checked: BertForTokenClassification has a `classifier` but no pooler, a plain BertModel a
// pooler but no `classifier`, and LlamaForTokenClassification a `score` with a bias.
std::optional<SequenceHeadWeights> bindSequenceHead(const WeightBinder& bind, const FamilySpec& spec,
                                                    const CheckpointWeights& w, const ModelConfig& c) {
    const SequenceHeadSpec& head = spec.sequenceHead;
    if (head.pooling == SequencePooling::None) return std::nullopt;
    const std::string classifier = spec.headNames.at(TensorRole::SequenceClassifier);
    if (!w.has(classifier + ".weight")) return std::nullopt;
    if (!head.classifierBias && w.has(classifier + ".bias")) return std::nullopt;
    const std::string dense = sequenceDensePath(bind, spec);
    if (!dense.empty() && !w.has(dense + ".weight")) return std::nullopt;

    SequenceHeadWeights out;
    if (!dense.empty()) out.dense = bind.linearOutIn(dense, c.hidden, c.hidden, Bias::Required);
    const int labels = classifierLabels(w, c, classifier + ".weight");
    out.classifier = bind.linearOutIn(classifier, c.hidden, labels, head.classifierBias ? Bias::Required : Bias::None);
    return out;
}

}  // namespace

TransformerModel::TransformerModel(ModelConfig config, std::unique_ptr<CheckpointWeights> weights)
    : config_(std::move(config)), weights_(std::move(weights)), spec_(familySpec(config_.family)) {
    const ModelConfig& c = config_;
    WeightBinder bind(*weights_, spec_, c);
    using R = TensorRole;

    if (c.isVision()) {
        const int patchWidth = c.channels * c.patchSize * c.patchSize;
        patchProjection_.in = patchWidth;
        patchProjection_.out = c.hidden;
        patchProjection_.weight =
            bind.tensor(bind.name(R::PatchEmbedding, 0, ".weight"), {c.hidden, c.channels, c.patchSize, c.patchSize}).data;
        patchProjection_.bias = bind.tensor(bind.name(R::PatchEmbedding, 0, ".bias"), {c.hidden}).data;
        clsToken_ = bind.tensor(bind.name(R::ClsToken, 0, ""), {1, 1, c.hidden});
        if (spec_.hasRole(R::DistillationToken))
            distillationToken_ = bind.tensor(bind.name(R::DistillationToken, 0, ""), {1, 1, c.hidden});
        positionEmbedding_ = bind.tensor(bind.name(R::PositionEmbedding, 0, ""), {1, c.maxPositions, c.hidden});
    } else {
        tokenEmbedding_ = bind.tensor(bind.name(R::TokenEmbedding, 0, ".weight"), {c.vocabSize, c.hidden});
        if (spec_.hasRole(R::PositionEmbedding))
            positionEmbedding_ = bind.tensor(bind.name(R::PositionEmbedding, 0, ".weight"), {c.maxPositions, c.hidden});
    }
    if (spec_.tokenTypes && c.typeVocabSize > 0)
        tokenTypeEmbedding_ = bind.tensor(bind.name(R::TokenTypeEmbedding, 0, ".weight"), {c.typeVocabSize, c.hidden});
    if (spec_.embeddingNorm) embeddingNorm_ = bind.norm(R::EmbeddingNorm, 0);
    if (spec_.finalNorm) finalNorm_ = bind.norm(R::FinalNorm, 0);
    if (spec_.positions == PositionScheme::Rotary) rotary_ = std::make_unique<RotaryEmbedding>(c, c.rotaryDims);

    const int qWidth = c.heads * c.headDim;
    const int kvWidth = c.kvHeads * c.headDim;
    const Bias qkvBias = c.attentionBias ? Bias::Required : Bias::None;
    const Bias outBias = c.outputBias ? Bias::Required : Bias::None;
    const Bias mlpBias = c.mlpBias ? Bias::Required : Bias::None;

    auto architectureIs = [&](const std::string& suffix) {
        if (!c.raw.contains("architectures") || !c.raw["architectures"].is_array()) return false;
        for (const auto& a : c.raw["architectures"])
            if (a.is_string() && a.get<std::string>().ends_with(suffix)) return true;
        return false;
    };
    const bool gatedMlp = spec_.mlp == MlpKind::Gated || c.gatedMlp;
    auto buildBlock = [&](int l, bool causal, int window, bool cross) {
        BlockWeights w;
        w.attnNorm = bind.norm(R::AttnNorm, l);
        w.mlpNorm = bind.norm(R::MlpNorm, l);
        if (spec_.qkv != QkvLayout::Split) {
            w.qkv = bind.linear(R::AttnQkv, l, c.hidden, qWidth + 2 * kvWidth, qkvBias);
        } else {
            w.q = bind.linear(R::AttnQ, l, c.hidden, qWidth, qkvBias);
            w.k = bind.linear(R::AttnK, l, c.hidden, kvWidth, qkvBias);
            w.v = bind.linear(R::AttnV, l, c.hidden, kvWidth, qkvBias);
        }
        w.out = bind.linear(R::AttnOut, l, qWidth, c.hidden, outBias);
        if (cross) {
            w.crossNorm = bind.norm(R::CrossNorm, l);
            w.crossQ = bind.linear(R::CrossQ, l, c.hidden, qWidth, qkvBias);
            w.crossK = bind.linear(R::CrossK, l, c.hidden, kvWidth, qkvBias);
            w.crossV = bind.linear(R::CrossV, l, c.hidden, kvWidth, qkvBias);
            w.crossOut = bind.linear(R::CrossOut, l, qWidth, c.hidden, outBias);
        }
        const bool namedGatedUp = gatedMlp && spec_.hasRole(R::MlpUpGated);
        w.up = bind.linear(namedGatedUp ? R::MlpUpGated : R::MlpUp, l, c.hidden, c.intermediate, mlpBias);
        if (gatedMlp) w.gate = bind.linear(R::MlpGate, l, c.hidden, c.intermediate, mlpBias);
        w.down = bind.linear(R::MlpDown, l, c.intermediate, c.hidden, mlpBias);

        AttentionShape shape;
        shape.heads = c.heads;
        shape.kvHeads = c.kvHeads;
        shape.headDim = c.headDim;
        shape.causal = causal;
        shape.window = window;
        shape.scale = c.scaleAttention ? 1.0f / std::sqrt(static_cast<float>(c.headDim)) : 1.0f;
        if (c.scaleByInverseLayer) shape.scale /= static_cast<float>(l + 1);
        return TransformerBlock(std::move(w), spec_, c.activation, shape, rotary_.get(), c.parallelResidual);
    };

    blocks_.reserve(c.layers);
    for (int l = 0; l < c.layers; ++l) blocks_.push_back(buildBlock(l, c.causal, c.layerWindow[l], false));

    if (spec_.positions == PositionScheme::RelativeBuckets) {
        encoderRelativeBias_ = bind.tensor(bind.name(R::RelativeBias, 0, ".weight"), {c.relativeBuckets, c.heads});
    }
    if (c.isEncoderDecoder()) {
        bind.useNames(spec_.decoderNames);
        decoderRelativeBias_ = bind.tensor(bind.name(R::RelativeBias, 0, ".weight"), {c.relativeBuckets, c.heads});
        decoderFinalNorm_ = bind.norm(R::FinalNorm, 0);
        decoderBlocks_.reserve(c.decoderLayers);
        for (int l = 0; l < c.decoderLayers; ++l) decoderBlocks_.push_back(buildBlock(l, true, 0, true));
        bind.useNames(spec_.names);
    }

    // Output head: only where the checkpoint stores one (or ties it to the embeddings). A text
    // classifier is looked for first: GPT2ForSequenceClassification keeps its base config's
    // tie_word_embeddings, which would otherwise give it a tied LM head it does not have.
    // *ForMultipleChoice stores the same tensors but scores each choice of a batch with one
    // number: a single input has nothing to classify.
    std::optional<SequenceHeadWeights> sequenceHead;
    if (!architectureIs("ForMultipleChoice")) sequenceHead = bindSequenceHead(bind, spec_, *weights_, c);
    if (sequenceHead) {
        sequenceDense_ = sequenceHead->dense;
        sequenceClassifier_ = sequenceHead->classifier;
        headKind_ = HeadKind::SequenceClassifier;
    } else if (spec_.head == HeadKind::CausalLm) {
        const std::string lmHead = spec_.headNames.at(R::LmHead);
        Linear proj;
        proj.in = c.hidden;
        proj.out = c.vocabSize;
        if (weights_->has(lmHead + ".weight")) {
            proj.weight = bind.tensor(lmHead + ".weight", {c.vocabSize, c.hidden}).data;
            if (weights_->has(lmHead + ".bias")) proj.bias = bind.tensor(lmHead + ".bias", {c.vocabSize}).data;
        } else if (c.tieWordEmbeddings && (!c.isEncoderDecoder() || architectureIs("ForConditionalGeneration"))) {
            proj.weight = tokenEmbedding_.data;
            scaleTiedOutput_ = c.isEncoderDecoder();  // T5 rescales by d_model^-0.5 before a tied head
        }
        if (proj.present()) {
            headKind_ = HeadKind::CausalLm;
            outputProjection_ = proj;
        }
    } else if (spec_.head == HeadKind::ImageClassifier) {
        // A classifier is present only in *ForImageClassification checkpoints.
        auto classifier = [&](const std::string& path) {
            if (!weights_->info(path + ".weight")) return Linear{};
            return bind.linearNamed(path, c.hidden, classifierLabels(*weights_, c, path + ".weight"), Bias::Required);
        };
        classifier_ = classifier(spec_.headNames.at(R::Classifier));
        if (!classifier_.present()) classifier_ = classifier("classifier");  // DeiT without a teacher head
        if (spec_.headNames.count(R::DistillationClassifier))
            distillationClassifier_ = classifier(spec_.headNames.at(R::DistillationClassifier));
        if (distillationClassifier_.present() && distillationClassifier_.out != classifier_.out)
            throw Error(weights_->describeSource() + ": the CLS and distillation classifiers disagree on the label count");
        if (classifier_.present()) headKind_ = HeadKind::ImageClassifier;
    } else if (spec_.head == HeadKind::MaskedLm) {
        const std::string transform = spec_.headNames.at(R::HeadTransform);
        if (weights_->has(transform + ".weight")) {
            Linear dense;
            dense.in = dense.out = c.hidden;
            dense.weight = bind.tensor(transform + ".weight", {c.hidden, c.hidden}).data;
            dense.bias = bind.tensor(transform + ".bias", {c.hidden}).data;
            headTransform_ = dense;
            headNorm_ = bind.norm(spec_.headNames.at(R::HeadNorm), c.hidden, c.normEps);
            headActivation_ = Activation::Gelu;
            if (!spec_.headActivationKey.empty() && c.raw.contains(spec_.headActivationKey) &&
                c.raw[spec_.headActivationKey].is_string())
                headActivation_ = c.activation;
            outputProjection_.in = c.hidden;
            outputProjection_.out = c.vocabSize;
            outputProjection_.weight = tokenEmbedding_.data;  // the decoder is tied to the word embeddings
            outputProjection_.bias = bind.tensor(spec_.headNames.at(R::HeadBias), {c.vocabSize}).data;
            headKind_ = HeadKind::MaskedLm;
        }
    }
}

TransformerModel::~TransformerModel() = default;

std::int64_t TransformerModel::parameterCount() const {
    std::int64_t n = 0;
    for (const auto& name : weights_->names()) {
        // GPT-2 checkpoints may carry the causal-mask buffers; they are not parameters.
        if (name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias")) continue;
        n += weights_->info(name)->elementCount();
    }
    return n;
}

RowMatrix TransformerModel::embedPatches(const PixelValues& px) const {
    const ModelConfig& c = config_;
    if (px.empty()) throw Error("this " + c.modelType + " model takes an image (pixel values), not token ids");
    if (px.channels != c.channels || px.height != c.imageSize || px.width != c.imageSize ||
        px.values.size() != static_cast<std::size_t>(px.channels) * px.height * px.width)
        throw Error("pixel values are [" + std::to_string(px.channels) + ", " + std::to_string(px.height) + ", " +
                    std::to_string(px.width) + "], but this model expects [" + std::to_string(c.channels) + ", " +
                    std::to_string(c.imageSize) + ", " + std::to_string(c.imageSize) + "]");
    const int p = c.patchSize;
    const int grid = c.imageSize / p;
    const int patchWidth = c.channels * p * p;
    // Flatten each patch in the conv weight's [C, p, p] order so the convolution is one product.
    RowMatrix patches(grid * grid, patchWidth);
    for (int gy = 0; gy < grid; ++gy)
        for (int gx = 0; gx < grid; ++gx) {
            float* dst = patches.row(gy * grid + gx).data();
            for (int ch = 0; ch < c.channels; ++ch)
                for (int y = 0; y < p; ++y)
                    for (int x = 0; x < p; ++x)
                        *dst++ = px.values[(static_cast<std::size_t>(ch) * px.height + gy * p + y) * px.width + gx * p + x];
        }
    const RowMatrix embedded = patchProjection_.apply(patches);
    const int special = distillationToken_.data ? 2 : 1;
    RowMatrix x(grid * grid + special, c.hidden);
    x.row(0) = Eigen::Map<const Eigen::RowVectorXf>(clsToken_.data, c.hidden);
    if (distillationToken_.data) x.row(1) = Eigen::Map<const Eigen::RowVectorXf>(distillationToken_.data, c.hidden);
    x.bottomRows(grid * grid) = embedded;
    x += Eigen::Map<const RowMatrix>(positionEmbedding_.data, c.maxPositions, c.hidden);
    return x;
}

RowMatrix TransformerModel::embed(const ForwardInput& input, std::vector<int>& positions, int offset) const {
    const ModelConfig& c = config_;
    if (c.isVision()) {
        RowMatrix x = embedPatches(input.pixels);
        positions.resize(x.rows());
        for (int i = 0; i < static_cast<int>(x.rows()); ++i) positions[i] = i;
        return x;
    }
    const int n = static_cast<int>(input.ids.size());
    if (n == 0) throw Error("the input has no tokens");
    if (!input.typeIds.empty() && static_cast<int>(input.typeIds.size()) != n)
        throw Error("token type ids (" + std::to_string(input.typeIds.size()) + ") do not match the " +
                    std::to_string(n) + " input ids");

    positions.resize(n);
    if (spec_.positions == PositionScheme::LearnedFromPadding) {
        // RoBERTa numbers real tokens from padding_idx + 1; padding keeps padding_idx.
        int count = 0;
        for (int i = 0; i < n; ++i) positions[i] = input.ids[i] == c.padTokenId ? c.padTokenId : c.padTokenId + (++count);
    } else {
        for (int i = 0; i < n; ++i) positions[i] = offset + i;
    }
    const int maxTokens = c.maxPositions - (spec_.positions == PositionScheme::LearnedFromPadding ? c.padTokenId + 1 : 0);
    if (offset + n > maxTokens)
        throw Error("the input has " + std::to_string(offset + n) + " tokens, more than this model's maximum of " +
                    std::to_string(maxTokens) + " (max_position_embeddings in config.json)");

    RowMatrix x(n, c.hidden);
    Eigen::Map<const RowMatrix> wordTable(tokenEmbedding_.data, c.vocabSize, c.hidden);
    for (int i = 0; i < n; ++i) {
        const int id = input.ids[i];
        if (id < 0 || id >= c.vocabSize)
            throw Error("token id " + std::to_string(id) + " is out of range for the vocabulary of " +
                        std::to_string(c.vocabSize) + " tokens");
        x.row(i) = wordTable.row(id);
    }
    if (positionEmbedding_.data) {
        Eigen::Map<const RowMatrix> table(positionEmbedding_.data, c.maxPositions, c.hidden);
        for (int i = 0; i < n; ++i) x.row(i) += table.row(positions[i]);
    }
    if (tokenTypeEmbedding_.data) {
        Eigen::Map<const RowMatrix> table(tokenTypeEmbedding_.data, c.typeVocabSize, c.hidden);
        for (int i = 0; i < n; ++i) {
            const int t = input.typeIds.empty() ? 0 : input.typeIds[i];
            if (t < 0 || t >= c.typeVocabSize)
                throw Error("token type id " + std::to_string(t) + " is out of range (type_vocab_size " +
                            std::to_string(c.typeVocabSize) + ")");
            x.row(i) += table.row(t);
        }
    }
    if (spec_.embeddingNorm) embeddingNorm_.applyInPlace(x);
    return x;
}

RowMatrix TransformerModel::head(const RowMatrix& hidden) const {
    if (headKind_ == HeadKind::ImageClassifier) {
        RowMatrix logits = classifier_.apply(hidden.topRows(1));
        if (distillationClassifier_.present())
            logits = 0.5f * (logits + distillationClassifier_.apply(hidden.middleRows(1, 1)));
        return logits;
    }
    if (headKind_ == HeadKind::MaskedLm) {
        RowMatrix h = headTransform_.apply(hidden);
        applyActivation(headActivation_, h);
        headNorm_.applyInPlace(h);
        return outputProjection_.apply(h);
    }
    return outputProjection_.apply(hidden);
}

RowMatrix TransformerModel::classifySequence(const RowMatrix& hidden, const std::vector<int>& ids) const {
    RowMatrix pooled = hidden.row(pooledPosition(ids));
    if (sequenceDense_.present()) {
        pooled = sequenceDense_.apply(pooled);
        applyActivation(spec_.sequenceHead.denseActivation, pooled);
    }
    return sequenceClassifier_.apply(pooled);
}

int TransformerModel::pooledPosition(const std::vector<int>& ids) const {
    const int n = static_cast<int>(ids.size());
    if (spec_.sequenceHead.pooling == SequencePooling::FirstToken) return 0;
    // As transformers: the last token that is not the config's pad token (the first when all
    // are), so right-padding does not change the label; the last token when there is no pad token.
    if (config_.padTokenId < 0) return n - 1;
    for (int i = n - 1; i > 0; --i)
        if (ids[static_cast<std::size_t>(i)] != config_.padTokenId) return i;
    return 0;
}

std::optional<ForwardResult> TransformerModel::forwardEncoderDecoder(const ForwardInput& input,
                                                                     const std::function<void(int, int)>& progress,
                                                                     const std::atomic<bool>* cancel) const {
    const ModelConfig& c = config_;
    const int total = c.layers + c.decoderLayers;
    std::vector<int> positions;
    RowMatrix x = embed(input, positions);
    const int n = static_cast<int>(x.rows());
    ForwardInput decoderInput;
    decoderInput.ids = input.decoderIds.empty() ? std::vector<int>{c.decoderStartTokenId} : input.decoderIds;
    std::vector<int> decoderPositions;
    RowMatrix y = embed(decoderInput, decoderPositions);
    const int m = static_cast<int>(y.rows());

    ForwardResult result;
    const auto values = [&](int layers, int q, int k) { return static_cast<std::size_t>(layers) * c.heads * q * k; };
    result.attentions.resize(c.layers, c.heads, n, n, input.precisionFor(values(c.layers, n, n)));
    result.decoderAttentions.resize(c.decoderLayers, c.heads, m, m, input.precisionFor(values(c.decoderLayers, m, m)));
    result.crossAttentions.resize(c.decoderLayers, c.heads, m, n, input.precisionFor(values(c.decoderLayers, m, n)));

    // T5 computes the bucketed position bias once per stack and adds it in every layer.
    const auto encoderBias = relativePositionBias(encoderRelativeBias_.data, c.heads, n, n, true, c.relativeBuckets,
                                                  c.relativeMaxDistance);
    for (int l = 0; l < c.layers; ++l) {
        if (cancel && cancel->load()) return std::nullopt;
        blocks_[l].forward(x, BlockInputs{positions, encoderBias.data()}, AttentionSink{&result.attentions, l});
        if (!x.allFinite())
            throw Error("encoder layer " + std::to_string(l) + " produced non-finite activations (NaN or Inf)");
        if (progress) progress(l + 1, total);
    }
    finalNorm_.applyInPlace(x);

    const auto decoderBias = relativePositionBias(decoderRelativeBias_.data, c.heads, m, m, false, c.relativeBuckets,
                                                  c.relativeMaxDistance);
    for (int l = 0; l < c.decoderLayers; ++l) {
        if (cancel && cancel->load()) return std::nullopt;
        decoderBlocks_[l].forward(y, BlockInputs{decoderPositions, decoderBias.data(), &x, AttentionSink{&result.crossAttentions, l}},
                                  AttentionSink{&result.decoderAttentions, l});
        if (!y.allFinite())
            throw Error("decoder layer " + std::to_string(l) + " produced non-finite activations (NaN or Inf)");
        if (progress) progress(c.layers + l + 1, total);
    }
    decoderFinalNorm_.applyInPlace(y);
    if (hasHead()) {
        RowMatrix h = scaleTiedOutput_ ? RowMatrix(y * (1.0f / std::sqrt(static_cast<float>(c.hidden)))) : y;
        result.logits = head(h);
    }
    result.lastHiddenState = std::move(y);
    return result;
}

std::optional<ForwardResult> TransformerModel::forward(const ForwardInput& input,
                                                       const std::function<void(int, int)>& progress,
                                                       const std::atomic<bool>* cancel) const {
    if (config_.isEncoderDecoder()) return forwardEncoderDecoder(input, progress, cancel);
    std::vector<int> positions;
    RowMatrix x = embed(input, positions);
    const int n = static_cast<int>(x.rows());
    ForwardResult result;
    result.attentions.resize(config_.layers, config_.heads, n, n,
                             input.precisionFor(static_cast<std::size_t>(config_.layers) * config_.heads * n * n));
    for (int l = 0; l < config_.layers; ++l) {
        if (cancel && cancel->load()) return std::nullopt;
        blocks_[l].forward(x, BlockInputs{positions}, AttentionSink{&result.attentions, l});
        if (!x.allFinite())
            throw Error("layer " + std::to_string(l) + " produced non-finite activations (NaN or Inf); "
                        "the checkpoint's weights are likely corrupt");
        if (input.keepHiddenStates) result.hiddenStates.push_back(x);
        if (progress) progress(l + 1, config_.layers);
    }
    if (config_.isVision()) {
        // ViT's hidden_states[-1] is the encoder output; its final layernorm feeds only the head.
        result.lastHiddenState = x;
        finalNorm_.applyInPlace(x);
        if (hasHead()) result.logits = head(x);
        return result;
    }
    if (spec_.finalNorm) finalNorm_.applyInPlace(x);
    if (headKind_ == HeadKind::SequenceClassifier) result.logits = classifySequence(x, input.ids);
    else if (hasHead()) result.logits = head(x);
    result.lastHiddenState = std::move(x);
    return result;
}

bool TransformerModel::canGenerate() const {
    return config_.causal && !config_.isVision() && !config_.isEncoderDecoder() && headKind_ == HeadKind::CausalLm;
}

void TransformerModel::requireCanGenerate() const {
    if (canGenerate()) return;
    const std::string why = headKind_ == HeadKind::SequenceClassifier ? "is a text classifier: its head scores labels, not next tokens"
                            : config_.causal                          ? "has no LM head"
                                                                      : "is not a causal language model";
    throw Error("generation needs a causal language model with an LM head; this " + config_.modelType + " checkpoint " + why);
}

ForwardResult TransformerModel::forwardCached(const std::vector<int>& ids, KeyValueCache& cache) const {
    requireCanGenerate();
    const ModelConfig& c = config_;
    if (cache.keys.empty()) {
        cache.keys.assign(c.layers, RowMatrix(0, static_cast<Eigen::Index>(c.kvHeads) * c.headDim));
        cache.values.assign(c.layers, RowMatrix(0, static_cast<Eigen::Index>(c.kvHeads) * c.headDim));
        cache.length = 0;
    }
    ForwardInput input;
    input.ids = ids;
    std::vector<int> positions;
    RowMatrix x = embed(input, positions, cache.length);
    const int n = static_cast<int>(x.rows());
    ForwardResult result;
    result.attentions.resize(c.layers, c.heads, n, cache.length + n);
    for (int l = 0; l < c.layers; ++l) {
        BlockInputs in{positions};
        in.cachedKeys = &cache.keys[static_cast<std::size_t>(l)];
        in.cachedValues = &cache.values[static_cast<std::size_t>(l)];
        in.cachedLength = cache.length;
        blocks_[l].forward(x, in, AttentionSink{&result.attentions, l});
        if (!x.allFinite())
            throw Error("layer " + std::to_string(l) + " produced non-finite activations (NaN or Inf); "
                        "the checkpoint's weights are likely corrupt");
    }
    cache.length += n;
    if (spec_.finalNorm) finalNorm_.applyInPlace(x);
    result.logits = head(x);
    result.lastHiddenState = std::move(x);
    return result;
}

RowMatrix TransformerModel::logitsFromResidual(const RowMatrix& residual) const {
    if (!hasVocabularyHead() || config_.isVision() || config_.isEncoderDecoder())
        throw Error("the logit lens needs a single-stack language model with an LM head; this " + config_.modelType + " checkpoint " +
                    (isClassifier() ? "is a classifier" : config_.isEncoderDecoder() ? "is an encoder-decoder" : "has no LM head"));
    RowMatrix x = residual;
    if (spec_.finalNorm) finalNorm_.applyInPlace(x);
    return head(x);
}

}  // namespace attnscope
