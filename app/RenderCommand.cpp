#include "RenderCommand.h"

#include <QGuiApplication>

#include <cmath>
#include <filesystem>
#include <optional>

#include "Analysis.h"
#include "AnalysisJob.h"
#include "AttentionFileAnalysis.h"
#include "Error.h"
#include "FigureBuilder.h"
#include "FigureExporter.h"
#include "AttributionFigure.h"
#include "InsideHeadFigure.h"
#include "LensFigure.h"
#include "LensFigureData.h"
#include "StderrSilenced.h"
#include "TokenLabel.h"
#include "ViewExport.h"
#include "ViewOptions.h"
#include "analysis/InsideHead.h"
#include "analysis/LogitAttribution.h"
#include "analysis/LogitLens.h"
#include "analysis/Predictions.h"
#include "OptionNumbers.h"
#include "model/Checkpoint.h"
#include "model/GgufModel.h"
#include "model/TransformerModel.h"

using attnscope::Error;
namespace ui = attnscope::ui;

namespace cli {

namespace {

struct Settings {
    ui::ViewSettings view;
    ui::ViewKind kind = ui::ViewKind::Matrix;
    int size = 0;  // longer side in pixels; 0: the figure's natural size
    std::optional<std::vector<int>> heads;  // --heads: what a mean or max aggregates (the app's Heads view toggles)
    QString out;
    ui::ExportFormat format = ui::ExportFormat::Png;
};

Settings parseSettings(const QCommandLineParser& p) {
    Settings s;
    if (!p.isSet("out") || p.value("out").isEmpty()) throw UsageError("render needs --out FILE.png|svg|pdf|npy");
    s.out = p.value("out");
    try {
        s.format = ui::exportFormatFor(s.out);
        s.view = ui::readViewSettings(p);
        if (p.isSet("size")) s.size = ui::parseWholeNumber(QStringLiteral("size"), p.value("size"), 16, ui::kMaxExportPixels);
        if (p.isSet("heads")) s.heads = attnscope::parseIdList("heads", p.value("heads").toStdString());
    } catch (const std::runtime_error& e) {  // ui::OptionError, or Error for an unknown format
        throw UsageError(e.what());
    }
    s.kind = s.view.view.value_or(ui::ViewKind::Matrix);
    if (s.heads && (s.view.query.headMode == attnscope::HeadMode::Single || s.view.query.layerMode == attnscope::LayerMode::Rollout))
        throw UsageError("--heads chooses the heads --head mean or --head max aggregates (rollout averages them all)");
    if (s.view.lens && s.format == ui::ExportFormat::Npy) throw UsageError("--view lens draws a figure: write .png, .svg or .pdf");
    if (s.view.inside && s.format == ui::ExportFormat::Npy)
        throw UsageError("--view inside draws a figure: write .png, .svg or .pdf");
    if (s.view.attribution && s.format == ui::ExportFormat::Npy)
        throw UsageError("--view attribution draws a figure: write .png, .svg or .pdf (attnscope-cli attribute gives the numbers as JSON)");
    return s;
}

// The requested longer side, the other from the figure's natural shape (at most 3:1, so a
// long text's head view stays a usable picture rather than a sliver).
QSize sizeFor(const ui::Figure& figure, int longer) {
    if (longer <= 0) return {};
    QSizeF natural = figure.naturalSize();
    if (natural.isEmpty()) natural = QSizeF(4, 3);
    natural = natural.expandedTo(QSizeF(natural.height() / 3.0, natural.width() / 3.0));
    const double s = longer / std::max(natural.width(), natural.height());
    return {std::max(1, static_cast<int>(std::lround(natural.width() * s))), std::max(1, static_cast<int>(std::lround(natural.height() * s)))};
}

// The stack --attention names among `stacks` (the first without it); `owner` says whose they are.
int stackFor(const Settings& s, const QStringList& stacks, const std::string& owner) {
    if (!s.view.stack) return 0;
    const int index = ui::stackIndexFor(stacks, *s.view.stack);
    if (index < 0)
        throw UsageError("--attention " + s.view.stack->toStdString() + ": " + owner + " has no such attention (it has: " +
                         stacks.join(", ").toStdString() + ")");
    return index;
}

// What the chosen stack (`stack`, cross-attention or not) and view allow, and a layer and head
// the stack has.
void checkSelection(const Settings& s, const std::string& stack, bool crossStack, int layers, int heads, const char* owner) {
    const attnscope::AttentionQuery& q = s.view.query;
    if (crossStack && q.layerMode == attnscope::LayerMode::Rollout && !attnscope::asksAfterLastLayer(stack))
        throw UsageError("--rollout needs self-attention (or a pooling probe): cross-attention maps target tokens onto source tokens");
    if (q.layer < 0 || q.layer >= layers)
        throw Error("layer " + std::to_string(q.layer) + " does not exist (" + owner + " has " + std::to_string(layers) +
                    " layers, numbered from 0)");
    if (q.layerMode == attnscope::LayerMode::Single && q.headMode == attnscope::HeadMode::Single && (q.head < 0 || q.head >= heads))
        throw Error("head " + std::to_string(q.head) + " does not exist (" + owner + " has " + std::to_string(heads) +
                    " heads, numbered from 0)");
    if (s.kind == ui::ViewKind::Alignment && !crossStack)
        throw UsageError("--view alignment draws cross-attention (a target's tokens reading a source's), and '" + stack +
                         "' is self-attention; choose a cross-attention stack with --attention");
}

// An attention file (computed elsewhere) holds its tokens: nothing to compute, no input to give.
std::shared_ptr<const ui::Analysis> analysisOfAttentionFile(const std::string& file, const attnscope::UserInput& input, Settings& s) {
    if (input.text || input.pair || input.ids || input.hasImage() || input.target || input.decoderIds)
        throw UsageError("an attention file holds its own tokens: render it without --text, --pair, --ids, --image, "
                         "--pixel-values or --target");
    if (s.view.lens || s.view.attribution || s.view.inside)
        throw UsageError("--view lens, attribution and inside read the model's layers through its output head: give a model folder, not an attention file");
    const auto analysis = ui::analysisFromAttentionFile(QString::fromStdString(file));
    if (s.kind == ui::ViewKind::Overlay && !analysis->hasImage())
        throw UsageError("--view overlay draws the attention on an image, and " + file + " holds no image");
    QStringList stacks;
    for (const attnscope::NamedStack& stack : analysis->record.stacks) stacks << QString::fromStdString(stack.name);
    const int stack = stackFor(s, stacks, file);
    const attnscope::NamedStack& chosen = analysis->stack(stack);
    checkSelection(s, chosen.name, !chosen.isSelfAttention(), chosen.attention.layers, chosen.attention.heads, "the attention file");
    return analysis;
}

// The logit lens of the input as the app's Lens tab draws it; --layer and --query outline a
// cell. One forward pass, keeping the hidden states: the attention views' pass is not needed.
void renderLens(const attnscope::Checkpoint& cp, const attnscope::UserInput& input, const QCommandLineParser& parser, const Settings& s) {
    attnscope::requireLogitLens(cp.model());
    const attnscope::PreparedInput prepared = prepareFor(cp, input);
    const std::optional<attnscope::LogitLens> lens = attnscope::computeLogitLens(cp, prepared.forward, 5);
    if (!lens) throw Error("the computation was cancelled");
    const int query = s.view.queryToken.value_or(lens->positions - 1);
    if (query < 0 || query >= lens->positions)
        throw Error("--query " + std::to_string(query) + " does not exist (the text has " + std::to_string(lens->positions) +
                    " tokens, numbered from 0)");
    std::optional<int> layer, position;
    if (parser.isSet("layer") || parser.isSet("query")) {
        layer = s.view.query.layer;
        position = query;
    }
    const ui::LensFigure figure(ui::lensFigureData(*lens, ui::tokenLabels(prepared.sequences.front().names), ui::vocabularyLabels(cp.tokenizer()),
                                                   layer, position),
                                s.view.style);
    ui::exportFigure(figure, s.out, s.format, sizeFor(figure, s.size));
}

// Each head's share of the top prediction at --query (default: the last token; a classifier's
// label for the whole input), as the app's Attribution tab draws it; --layer and --head outline one.
void renderAttribution(const attnscope::Checkpoint& cp, const attnscope::UserInput& input, const QCommandLineParser& parser, const Settings& s) {
    cp.model().requireAttribution();
    const attnscope::PreparedInput prepared = prepareFor(cp, input);
    const auto record = cp.run(prepared);
    const attnscope::ModelCapabilities& m = cp.capabilities();
    // The tokens the head predicts for: an encoder-decoder's target (--target), else the input.
    const std::vector<std::string>& names = record->sequences.at(m.hasDecoder() ? 1 : 0).names;
    const int n = static_cast<int>(names.size());
    const int query = m.isClassifier() ? 0 : s.view.queryToken.value_or(n - 1);
    if (query < 0 || query >= n)
        throw Error("--query " + std::to_string(query) + " does not exist (the " + (m.hasDecoder() ? "target" : "text") + " has " +
                    std::to_string(n) + " tokens, numbered from 0)");
    const auto top = attnscope::topPredictions(record->logits.row(m.isClassifier() ? 0 : query).data(), static_cast<int>(record->logits.cols()), 1);
    const auto a = attnscope::attributeLogit(cp.model(), prepared.forward, {query, top.front().id, std::nullopt});
    const QStringList tokens = ui::tokenLabels(names);
    ui::AttributionFigureData data = ui::attributionFigureData(*a, ui::entryLabel(cp, top.front().id), {},
                                                               m.isClassifier() ? QString() : tokens.value(query), {});
    if ((parser.isSet("layer") || parser.isSet("head")) && s.view.query.headMode == attnscope::HeadMode::Single) data.selected = std::pair{s.view.query.layer, s.view.query.head};
    const ui::AttributionFigure figure(std::move(data), s.view.style);
    ui::exportFigure(figure, s.out, s.format, sizeFor(figure, s.size));
}

// One head's numbers at --query (default: the last token), up to --step (default: every step),
// as the app's Inside tab draws them; --mode hard and its rule mark the keys kept.
void renderInside(const attnscope::Checkpoint& cp, const attnscope::UserInput& input, const Settings& s) {
    if (s.view.query.headMode != attnscope::HeadMode::Single || s.view.query.layerMode != attnscope::LayerMode::Single)
        throw UsageError("--view inside opens one head: give --layer L --head H (not mean, max or rollout)");
    const attnscope::PreparedInput prepared = prepareFor(cp, input);
    const QStringList tokens = ui::tokenLabels(prepared.sequences.front().names);
    const int query = s.view.queryToken.value_or(static_cast<int>(tokens.size()) - 1);
    const auto capture = attnscope::captureHead(cp.model(), prepared.forward, s.view.query.layer, s.view.query.head, query);
    const ui::InsideHeadFigure figure(ui::insideHeadFigureData(*capture, tokens, s.view.query.hardSelection,
                                                                 static_cast<ui::InsideStep>(s.view.insideStep.value_or(ui::kInsideSteps) - 1)),
                                      s.view.style);
    ui::exportFigure(figure, s.out, s.format, sizeFor(figure, s.size));
}

// A model's analysis of the input, by the same computation as the app's; nullptr after a lens,
// an attribution or the inside of a head was rendered instead.
std::shared_ptr<const ui::Analysis> analysisOfModel(const std::string& model, const attnscope::UserInput& input, const QCommandLineParser& parser,
                                                    Settings& s) {
    if (input.ids) throw UsageError("render takes --text, not --ids");
    if (input.decoderIds) throw UsageError("render takes --target, not --decoder-ids");
    const auto cp = attnscope::Checkpoint::open(model);
    const attnscope::ModelCapabilities& m = cp->capabilities();
    if (const auto mismatch = attnscope::inputMismatch(m, input)) throw UsageError(*mismatch);
    if (s.kind == ui::ViewKind::Overlay && !m.readsImages())
        throw UsageError("--view overlay draws the attention on an image: it is for vision models, and " + m.modelType + " reads text");
    QStringList stacks;
    for (const attnscope::StackShape& stack : m.stacks) stacks << QString::fromStdString(stack.name);
    const attnscope::StackShape& chosen = m.stacks[static_cast<std::size_t>(stackFor(s, stacks, m.modelType))];
    checkSelection(s, chosen.name, chosen.querySequence != chosen.keySequence, chosen.layers, chosen.heads, "the model");
    if (s.view.lens) {
        renderLens(*cp, input, parser, s);
        return nullptr;
    }
    if (s.view.attribution) {
        renderAttribution(*cp, input, parser, s);
        return nullptr;
    }
    if (s.view.inside) {
        if (m.hasDecoder()) throw UsageError("--view inside is for single-stack models; " + m.modelType + " is an encoder-decoder");
        renderInside(*cp, input, s);
        return nullptr;
    }
    ui::AnalysisRequest request;
    if (input.text) request.text = QString::fromStdString(*input.text);
    if (input.pair) request.pair = QString::fromStdString(*input.pair);
    if (input.target) request.target = QString::fromStdString(*input.target);
    if (input.imageFile) request.imageFile = QString::fromStdString(*input.imageFile);
    if (input.pixelValuesFile) request.pixelValuesFile = QString::fromStdString(input.pixelValuesFile->string());
    std::optional<StderrSilenced> quiet;  // image decoders' own warnings are not for CLI users
    if (input.imageFile) quiet.emplace();
    std::shared_ptr<const ui::Analysis> analysis = ui::computeAnalysis(*cp, request);
    if (!analysis) throw Error("the computation was cancelled");
    return analysis;
}

}  // namespace

QList<QCommandLineOption> renderOptions() {
    QList<QCommandLineOption> options = ui::viewOptions();
    options << QCommandLineOption("size", "render: the image's longer side in pixels (16 to 8000).", "PX");
    return options;
}

QStringList renderOptionsSet(const QCommandLineParser& parser) {
    QStringList set;
    QStringList names = ui::viewOptionNames();
    names << QStringLiteral("size");
    for (const QString& name : names)
        if (parser.isSet(name)) set << QStringLiteral("--%1").arg(name);
    return set;
}

std::unique_ptr<QCoreApplication> makeRenderApplication(int& argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    return std::make_unique<QGuiApplication>(argc, argv);
}

void runRender(const std::string& model, const attnscope::UserInput& input, const QCommandLineParser& parser) {
    Settings s = parseSettings(parser);
    std::error_code ec;
    // A file is an attention file unless it is a model (a GGUF file).
    const bool file = std::filesystem::is_regular_file(model, ec) && !attnscope::isGgufFile(model);
    if (!file && !input.text && !input.hasImage()) throw UsageError("render needs --text (or --image or --pixel-values for a vision model)");
    const bool comparesInputs = s.view.query.compare.with == attnscope::CompareWith::Input;
    if (s.view.query.compare.with != attnscope::CompareWith::Nothing && (s.view.lens || s.view.attribution || s.view.inside))
        throw UsageError("--compare-layer, --compare-head, --compare-text and --compare-image draw difference maps of the attention views, "
                         "not of --view lens, attribution or inside");
    if (comparesInputs && file) throw UsageError("--compare-text and --compare-image run the model on another input; an attention file has no model");
    const std::shared_ptr<const ui::Analysis> analysis = file ? analysisOfAttentionFile(model, input, s) : analysisOfModel(model, input, parser, s);
    if (!analysis) return;  // the lens was rendered
    // A difference from another input: the same model on it, with the same pair or target.
    std::shared_ptr<const ui::Analysis> other;
    if (comparesInputs) {
        attnscope::UserInput second = input;
        if (s.view.compareText) {
            if (!input.text) throw UsageError("--compare-text compares two texts; this input is an image (use --compare-image)");
            second.text = s.view.compareText->toStdString();
        } else {
            if (!input.hasImage()) throw UsageError("--compare-image compares two images; this input is a text (use --compare-text)");
            second.imageFile = s.view.compareImage->toStdString();
            second.pixelValuesFile.reset();
        }
        other = analysisOfModel(model, second, parser, s);
    }
    QStringList stacks;
    for (const attnscope::NamedStack& stack : analysis->record.stacks) stacks << QString::fromStdString(stack.name);
    ui::ViewRequest request;
    request.kind = s.kind;
    request.stack = stackFor(s, stacks, model);
    request.query = s.view.query;
    request.selectedQuery = s.view.queryToken.value_or(-1);
    if (s.heads) {
        const int heads = analysis->attention(request.stack).heads;
        request.enabledHeads.assign(static_cast<std::size_t>(heads), false);
        for (const int h : *s.heads) {
            if (h < 0 || h >= heads)
                throw Error("--heads: head " + std::to_string(h) + " does not exist (the model has " + std::to_string(heads) +
                            " heads, numbered from 0)");
            request.enabledHeads[static_cast<std::size_t>(h)] = true;
        }
    }
    const int queries = static_cast<int>(analysis->queryLabels(request.stack).size());
    if (s.view.queryToken && (*s.view.queryToken < 0 || *s.view.queryToken >= queries)) {
        const char* what = !analysis->asksFromInput(request.stack) ? "the target" : analysis->hasImage() ? "the image" : "the text";
        throw Error("--query " + std::to_string(*s.view.queryToken) + " does not exist (" + what + " has " + std::to_string(queries) +
                    " tokens, numbered from 0)");
    }
    const ui::FigureSource source = analysis->figureSource(request.stack, other.get());
    if (s.format == ui::ExportFormat::Npy) {
        // The displayed matrix: after aggregation, rollout, hidden special tokens and hard selection.
        ui::exportMatrixNpy(ui::buildMatrixData(source, request).matrix, s.out);
        return;
    }
    const auto figure = ui::buildFigure(source, request, s.view.style);
    ui::exportFigure(*figure, s.out, s.format, sizeFor(*figure, s.size));
}

}  // namespace cli
