#include "model/TransformerModel.h"

#include <cmath>

#include "Error.h"
#include "model/RotaryEmbedding.h"

namespace attnscope {

namespace {

BlockWeights bindBlock(const WeightBinder& bind, int l, bool cross) {
    using R = TensorRole;
    const ModelConfig& c = bind.config();
    const FamilySpec& spec = c.spec();
    const int qWidth = c.heads * c.headDim;
    const int kvWidth = c.kvHeads * c.headDim;
    const Bias qkvBias = c.attentionBias ? Bias::Required : Bias::None;
    const Bias outBias = c.outputBias ? Bias::Required : Bias::None;
    const Bias mlpBias = c.mlpBias ? Bias::Required : Bias::None;
    BlockWeights w;
    // Each norm where the family has one (OLMo 2 has no pre-norms, Gemma 2/3 and OLMo 2 output norms).
    if (bind.hasRole(R::AttnNorm) && !(l == 0 && spec.firstLayerHasNoAttnNorm)) w.attnNorm = bind.norm(R::AttnNorm, l);
    if (bind.hasRole(R::MlpNorm)) w.mlpNorm = bind.norm(R::MlpNorm, l);
    if (bind.hasRole(R::AttnOutNorm)) w.attnOutNorm = bind.norm(R::AttnOutNorm, l);
    if (bind.hasRole(R::MlpOutNorm)) w.mlpOutNorm = bind.norm(R::MlpOutNorm, l);
    if (bind.hasRole(R::AttnQNorm)) {
        const bool perHead = spec.qkNorm == QkNormScope::PerHead;
        w.qNorm = bind.norm(R::AttnQNorm, l, perHead ? c.headDim : qWidth);
        w.kNorm = bind.norm(R::AttnKNorm, l, perHead ? c.headDim : kvWidth);
    }
    if (spec.qkv != QkvLayout::Split) {
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
        if (bind.hasRole(R::CrossKv)) {
            w.crossKv = bind.linear(R::CrossKv, l, c.hidden, 2 * kvWidth, qkvBias);
        } else {
            w.crossK = bind.linear(R::CrossK, l, c.hidden, kvWidth, qkvBias);
            w.crossV = bind.linear(R::CrossV, l, c.hidden, kvWidth, qkvBias);
        }
        w.crossOut = bind.linear(R::CrossOut, l, qWidth, c.hidden, outBias);
    }
    if (c.disentangled.enabled && !c.disentangled.shareKey) {
        if (c.disentangled.contentToPosition) w.posKey = bind.linear(R::AttnPosKey, l, c.hidden, qWidth, Bias::Required);
        if (c.disentangled.positionToContent) w.posQuery = bind.linear(R::AttnPosQuery, l, c.hidden, qWidth, Bias::Required);
    }
    if (bind.hasRole(R::MlpGateUp)) {
        w.gateUp = bind.linear(R::MlpGateUp, l, c.hidden, 2 * c.intermediate, mlpBias);
        w.down = bind.linear(R::MlpDown, l, c.intermediate, c.hidden, mlpBias);
        return w;
    }
    // T5's gated feed-forward names its linear branch wi_1 (and its plain one wi).
    const bool namedGatedUp = c.gatedMlp && bind.hasRole(R::MlpUpGated);
    w.up = bind.linear(namedGatedUp ? R::MlpUpGated : R::MlpUp, l, c.hidden, c.intermediate, mlpBias);
    if (c.gatedMlp) w.gate = bind.linear(R::MlpGate, l, c.hidden, c.intermediate, mlpBias);
    w.down = bind.linear(R::MlpDown, l, c.intermediate, c.hidden, mlpBias);
    return w;
}

}  // namespace

TransformerModel::TransformerModel(ModelConfig config, std::unique_ptr<CheckpointWeights> weights)
    : config_(std::move(config)), weights_(std::move(weights)) {
    const ModelConfig& c = config_;
    const FamilySpec& spec = c.spec();
    for (const RopeSpec& rope : c.ropes) rotaries_.push_back(std::make_unique<RotaryEmbedding>(rope));
    if (c.composed) {
        bindComposed(*weights_);
        return;
    }
    WeightBinder bind(*weights_, c);
    embeddings_ = std::make_unique<Embeddings>(bind);
    stack_ = std::make_unique<LayerStack>(buildStack(bind, spec.isEncoderDecoder() ? "encoder " : "", c.layers, c.causal, c.layerWindow, false));
    if (c.disentangled.enabled) {
        // DeBERTa's relative-position table, normalised once (norm_rel_ebd): every layer reads it.
        const int rows = 2 * c.disentangled.span();
        RowMatrix table = Eigen::Map<const RowMatrix>(
            bind.tensor(bind.name(TensorRole::RelativeEmbedding, 0, ".weight"), {rows, c.hidden}).data, rows, c.hidden);
        if (c.disentangled.normTable) bind.norm(TensorRole::RelativeEmbeddingNorm, 0).applyInPlace(table);
        stack_->setDisentangled(c.disentangled, std::move(table));
    }
    if (spec.isEncoderDecoder()) {
        bind.useNames(spec.decoderNames);
        decoderEmbeddings_ = std::make_unique<Embeddings>(bind);
        decoder_ = std::make_unique<LayerStack>(buildStack(bind, "decoder ", c.decoderLayers, true, std::vector<int>(c.decoderLayers, 0), true));
        bind.useNames(spec.names);
    }
    if (c.poolingProbe) probe_ = AttentionPoolingProbe(bind);
    head_ = OutputHead::bind(bind, embeddings_->tokenTable());
    capabilities_ = capabilitiesOf(c, head_.kind(), head_.labelNames());
}

// Each part of a composed model binds as its own family under its own prefix: the encoder's
// embeddings, stack and final norm, then the decoder's (with cross-attention) and its head.
void TransformerModel::bindComposed(const CheckpointWeights& weights) {
    const ModelConfig& c = config_;
    const ModelConfig& e = *c.encoder;
    const WeightBinder encoder(weights, e, c.composed->encoderPrefix);
    embeddings_ = std::make_unique<Embeddings>(encoder);
    stack_ = std::make_unique<LayerStack>(buildStack(encoder, "encoder ", e.layers, false, e.layerWindow, false));
    const WeightBinder decoder(weights, c, c.composed->decoderPrefix);
    decoderEmbeddings_ = std::make_unique<Embeddings>(decoder);
    decoder_ = std::make_unique<LayerStack>(buildStack(decoder, "decoder ", c.layers, true, c.layerWindow, true));
    // As VisionEncoderDecoderModel: the projection exists, and is applied, only where the widths differ.
    if (e.hidden != c.hidden) encoderToDecoder_ = decoder.whole().linearOutIn(c.composed->projection, e.hidden, c.hidden, Bias::Required);
    head_ = OutputHead::bind(decoder, decoderEmbeddings_->tokenTable());
    capabilities_ = capabilitiesOf(c, head_.kind(), head_.labelNames());
}

TransformerModel::~TransformerModel() = default;

LayerStack TransformerModel::buildStack(const WeightBinder& bind, const char* label, int layers, bool causal,
                                        const std::vector<int>& windows, bool cross) const {
    const ModelConfig& c = bind.config();
    std::vector<TransformerBlock> blocks;
    blocks.reserve(static_cast<std::size_t>(layers));
    for (int l = 0; l < layers; ++l) {
        AttentionShape shape;
        shape.heads = c.heads;
        shape.kvHeads = c.kvHeads;
        shape.headDim = c.headDim;
        shape.causal = causal;
        shape.window = windows[static_cast<std::size_t>(l)];
        shape.scale = c.attentionScale > 0.0f ? c.attentionScale : c.scaleAttention ? 1.0f / std::sqrt(static_cast<float>(c.headDim)) : 1.0f;
        if (c.scaleByInverseLayer) shape.scale /= static_cast<float>(l + 1);
        shape.softcap = c.attnSoftcap;
        // The encoder-decoder's decoder stack has no rotary positions (T5's are relative).
        const int rope = cross || l >= static_cast<int>(c.layerRope.size()) ? -1 : c.layerRope[static_cast<std::size_t>(l)];
        const RotaryEmbedding* rotary = rope >= 0 ? rotaries_[static_cast<std::size_t>(rope)].get() : nullptr;
        blocks.emplace_back(bindBlock(bind, l, cross), c.spec(), c.activation, shape, rotary, c.parallelResidual);
    }
    Norm finalNorm;
    if (bind.hasRole(TensorRole::FinalNorm)) finalNorm = bind.norm(TensorRole::FinalNorm, 0);
    RelativeBiasTable bias;
    if (c.spec().positions == PositionScheme::RelativeBuckets) {
        bias.table = bind.tensor(bind.name(TensorRole::RelativeBias, 0, ".weight"), {c.relativeBuckets, c.heads}).data;
        bias.bidirectional = !causal;
        bias.buckets = c.relativeBuckets;
        bias.maxDistance = c.relativeMaxDistance;
    }
    return LayerStack(label, std::move(blocks), finalNorm, bias, c.heads, c.kvHeads * c.headDim);
}

std::int64_t TransformerModel::parameterCount() const {
    std::int64_t n = 0;
    for (const auto& name : weights_->names()) {
        // GPT-2 checkpoints may carry the causal-mask buffers; they are not parameters.
        if (name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias")) continue;
        n += weights_->info(name)->elementCount();
    }
    return n;
}

RowMatrix TransformerModel::embed(const ForwardInput& input, std::vector<int>& positions) const {
    if (capabilities_.readsImages()) return embeddings_->image(input.pixels, positions);
    return embeddings_->text(input.ids, input.typeIds, positions);
}

std::optional<ForwardResult> TransformerModel::forward(const ForwardInput& input, const std::function<void(int, int)>& progress,
                                                       const std::atomic<bool>* cancel) const {
    if (input.trace) requireAttribution();
    if (decoder_) {
        const auto refuse = [&](const char* what) {
            throw Error(std::string(what) + " for single-stack models (encoders and decoders) for now; " + config_.modelType +
                        " is an encoder-decoder");
        };
        if (input.capture) refuse("the inside of one head is shown");
        return forwardEncoderDecoder(input, progress, cancel);
    }
    const ModelConfig& c = config_;
    input.ablation.requireFits(stack_->layers(), stack_->heads());
    if (!input.ablation.decoderHeads.empty() || !input.ablation.crossHeads.empty())
        throw Error("heads " + input.ablation.list() + ": decoder and cross heads are an encoder-decoder's; " + c.modelType +
                    " has one stack, whose heads are plain layer.head");
    std::vector<int> positions;
    RowMatrix x = embed(input, positions);
    const int n = static_cast<int>(x.rows());
    ForwardResult result;
    AttentionRecord& record = result.record;
    record.modelType = c.modelType;
    if (capabilities_.readsImages()) {
        const PatchGrid& g = capabilities_.patches;
        record.sequences = {imageSequence(g.firstPatchToken, g.rows, g.columns)};
        record.pixels = input.pixels;
    } else {
        record.sequences = {idSequence(kInputSequence, input.ids)};
    }
    // The stacks the layers fill, as the capabilities list them: the total, and DeBERTa's terms
    // each alone where the model has position terms (the probe's comes after the last layer).
    for (const StackShape& shape : capabilities_.stacks)
        if (shape.querySequence == 0 && shape.keySequence == 0) record.stacks.push_back({shape.name, 0, 0, {}});
    for (NamedStack& stack : record.stacks)
        stack.attention.resize(c.layers, c.heads, n, n, input.precisionFor(record.stacks.size() * c.layers * c.heads * n * n),
                               capabilities_.causal ? MapLayout::LowerTriangle : MapLayout::Full);
    const auto stackNamed = [&](const char* name) { return record.indexOf(name) >= 0 ? &record.stacks[std::size_t(record.indexOf(name))].attention : nullptr; };

    LayerStack::Run run;
    run.positions = &positions;
    run.attention = &record.stacks.front().attention;
    run.contentToContent = stackNamed(kContentToContentStack);
    run.contentToPosition = stackNamed(kContentToPositionStack);
    run.positionToContent = stackNamed(kPositionToContentStack);
    run.hiddenStates = input.keepHiddenStates ? &result.hiddenStates : nullptr;
    run.layerDone = [&](int done) { if (progress) progress(done, c.layers); };
    run.cancel = cancel;
    run.ablation = input.ablation.empty() ? nullptr : &input.ablation;
    run.trace = input.trace;
    run.capture = input.capture;
    if (!stack_->run(x, run)) return std::nullopt;
    if (!c.spec().finalNormInLastHiddenState) result.lastHiddenState = x;
    stack_->applyFinalNorm(x, input.trace);
    if (input.trace) head_.followTrace(*input.trace, x);
    if (probe_.present()) {
        // The pooling probe reads the normalised last hidden state: a one-token sequence of its own.
        TokenSequence probe;
        probe.name = kProbeSequence;
        probe.names = {kProbeSequence};
        probe.special = {false};
        record.sequences.push_back(std::move(probe));
        record.stacks.push_back({kProbeStack, static_cast<int>(record.sequences.size()) - 1, 0, {}});
        probe_.attend(x, record.stacks.back().attention);
    }
    record.logits = head_.logits(x, input.ids);
    record.logitsPerInput = isClassifier();
    if (c.spec().finalNormInLastHiddenState) result.lastHiddenState = std::move(x);
    return result;
}

std::optional<ForwardResult> TransformerModel::forwardEncoderDecoder(const ForwardInput& input,
                                                                     const std::function<void(int, int)>& progress,
                                                                     const std::atomic<bool>* cancel) const {
    const ModelConfig& c = config_;
    const int encoderLayers = stack_->layers(), decoderLayers = decoder_->layers();
    const int encoderHeads = stack_->heads(), decoderHeads = decoder_->heads();
    const int total = encoderLayers + decoderLayers;
    std::vector<int> positions, decoderPositions;
    RowMatrix x = embed(input, positions);
    const std::vector<int> decoderIds = input.decoderIds.empty() ? std::vector<int>{c.decoderStartTokenId} : input.decoderIds;
    RowMatrix y = decoderEmbeddings_->text(decoderIds, {}, decoderPositions);
    const int n = static_cast<int>(x.rows()), m = static_cast<int>(y.rows());

    ForwardResult result;
    AttentionRecord& record = result.record;
    record.modelType = c.modelType;
    if (capabilities_.readsImages()) {
        const PatchGrid& g = capabilities_.patches;
        record.sequences = {imageSequence(g.firstPatchToken, g.rows, g.columns), idSequence(kDecoderSequence, decoderIds)};
        record.pixels = input.pixels;
    } else {
        record.sequences = {idSequence(kInputSequence, input.ids), idSequence(kDecoderSequence, decoderIds)};
    }
    record.stacks = {{"encoder", 0, 0, {}}, {"decoder", 1, 1, {}}, {"cross", 1, 0, {}}};
    const auto values = [&](int layers, int heads, int q, int k) { return static_cast<std::size_t>(layers) * heads * q * k; };
    AttentionStack& encoder = record.stacks[0].attention;
    AttentionStack& decoder = record.stacks[1].attention;
    AttentionStack& cross = record.stacks[2].attention;
    encoder.resize(encoderLayers, encoderHeads, n, n, input.precisionFor(values(encoderLayers, encoderHeads, n, n)));
    decoder.resize(decoderLayers, decoderHeads, m, m, input.precisionFor(values(decoderLayers, decoderHeads, m, m)),
                   MapLayout::LowerTriangle);  // a decoder sees only earlier tokens
    cross.resize(decoderLayers, decoderHeads, m, n, input.precisionFor(values(decoderLayers, decoderHeads, m, n)));

    LayerStack::Run run;
    run.positions = &positions;
    run.attention = &encoder;
    run.layerDone = [&](int done) { if (progress) progress(done, total); };
    run.cancel = cancel;
    run.ablation = input.ablation.empty() ? nullptr : &input.ablation;
    input.ablation.requireFits(encoderLayers, encoderHeads, AblatedStack::Own);
    input.ablation.requireFits(decoderLayers, decoderHeads, AblatedStack::Decoder);
    input.ablation.requireFits(decoderLayers, decoderHeads, AblatedStack::Cross);
    if (!stack_->run(x, run)) return std::nullopt;
    finishEncoding(x);

    run.positions = &decoderPositions;
    run.attention = &decoder;
    run.encoderStates = &x;
    run.crossAttention = &cross;
    run.layerDone = [&](int done) { if (progress) progress(encoderLayers + done, total); };
    run.ablationStack = AblatedStack::Decoder;
    run.trace = input.trace;  // attribution follows the decoder's stream, which the head reads
    if (!decoder_->run(y, run)) return std::nullopt;
    decoder_->applyFinalNorm(y, input.trace);
    if (input.trace) head_.followTrace(*input.trace, y);
    record.logits = head_.logits(y, decoderIds);
    result.lastHiddenState = std::move(y);
    return result;
}

void TransformerModel::requireAttribution() const {
    if (!head_.present())
        throw Error("attribution needs an output head; this " + config_.modelType + " checkpoint has none, so it predicts nothing");
}

void TransformerModel::requireCanGenerate() const {
    if (!canGenerate()) throw Error(capabilities_.whyNoGeneration);
}

StepResult TransformerModel::forwardCached(const std::vector<int>& ids, KeyValueCache& cache) const {
    requireCanGenerate();
    if (decoder_ && cache.crossKeys.empty()) throw Error("an encoder-decoder's decoder steps need the source encoded first");
    const LayerStack& stack = decoder_ ? *decoder_ : *stack_;
    std::vector<int> positions;
    RowMatrix x = (decoder_ ? *decoderEmbeddings_ : *embeddings_).text(ids, {}, positions, cache.length);
    const int n = static_cast<int>(x.rows());
    StepResult step;
    step.attention.resize(stack.layers(), stack.heads(), n, cache.length + n);
    LayerStack::Run run;
    run.positions = &positions;
    run.attention = &step.attention;
    run.cache = &cache;
    if (decoder_) {
        step.crossAttention.resize(stack.layers(), stack.heads(), n, cache.sourceLength);
        run.crossAttention = &step.crossAttention;
    }
    stack.run(x, run);
    stack.applyFinalNorm(x);
    step.logits = head_.logits(x, ids);
    step.lastHiddenState = std::move(x);
    return step;
}

void TransformerModel::finishEncoding(RowMatrix& x) const {
    stack_->applyFinalNorm(x);
    if (encoderToDecoder_.present()) x = encoderToDecoder_.apply(x);
}

AttentionStack TransformerModel::encodeEmbedded(RowMatrix x, const std::vector<int>& positions, KeyValueCache& cache) const {
    const int n = static_cast<int>(x.rows());
    AttentionStack attention;
    attention.resize(stack_->layers(), stack_->heads(), n, n);
    LayerStack::Run run;
    run.positions = &positions;
    run.attention = &attention;
    stack_->run(x, run);
    finishEncoding(x);
    cache = KeyValueCache{};
    decoder_->prepareCrossAttention(x, cache);
    return attention;
}

AttentionStack TransformerModel::encodeSource(const std::vector<int>& source, KeyValueCache& cache) const {
    if (!decoder_) throw Error("only an encoder-decoder encodes a source; " + config_.modelType + " is not one");
    if (capabilities_.readsImages()) throw Error("this " + config_.modelType + " reads an image, not a source text");
    if (source.empty()) throw Error("the source gives no tokens: give a text to translate or continue");
    std::vector<int> positions;
    RowMatrix x = embeddings_->text(source, {}, positions);
    return encodeEmbedded(std::move(x), positions, cache);
}

AttentionStack TransformerModel::encodeImage(const PixelValues& pixels, KeyValueCache& cache) const {
    if (!decoder_ || !capabilities_.readsImages())
        throw Error("only an encoder-decoder that reads images encodes one; " + config_.modelType + " is not one");
    std::vector<int> positions;
    RowMatrix x = embeddings_->image(pixels, positions);
    return encodeEmbedded(std::move(x), positions, cache);
}

RowMatrix TransformerModel::logitsFromResidual(const RowMatrix& residual) const {
    if (!capabilities_.hasLogitLens) throw Error(capabilities_.whyNoLogitLens);
    RowMatrix x = residual;
    stack_->applyFinalNorm(x);
    return head_.logits(x, {});
}

}  // namespace attnscope
