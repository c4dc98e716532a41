#include "RenderCommand.h"

#include <QGuiApplication>

#include <cmath>
#include <filesystem>
#include <optional>

#include "Analysis.h"
#include "AnalysisJob.h"
#include "AttentionFileAnalysis.h"
#include "ColorMap.h"
#include "Error.h"
#include "FigureBuilder.h"
#include "FigureExporter.h"
#include "LensFigure.h"
#include "LensFigureData.h"
#include "StderrSilenced.h"
#include "TokenLabel.h"
#include "analysis/LogitLens.h"
#include "model/Checkpoint.h"

using attnscope::Error;
namespace ui = attnscope::ui;

namespace cli {

namespace {

// --top-k is shared with predict, generate and lens: main() defines and checks it.
const char* const kRenderOnly[] = {"layer", "head",     "rollout", "mode",      "threshold",    "mass",      "view",
                                   "colormap", "scale", "normalize", "size", "query", "hide-special", "attention", "opacity"};

std::string quoted(const QString& s) { return "'" + s.toStdString() + "'"; }

int parseInt(const QCommandLineParser& p, const QString& name) {
    bool ok = false;
    const int value = p.value(name).trimmed().toInt(&ok);
    if (!ok) throw UsageError("--" + name.toStdString() + ": " + quoted(p.value(name)) + " is not a whole number");
    return value;
}

float parseFraction(const QCommandLineParser& p, const QString& name, bool allowZero) {
    bool ok = false;
    const double value = p.value(name).trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value)) throw UsageError("--" + name.toStdString() + ": " + quoted(p.value(name)) + " is not a number");
    if (value > 1.0 || value < 0.0 || (!allowZero && value == 0.0))
        throw UsageError("--" + name.toStdString() + " must be in " + (allowZero ? "[0, 1]" : "(0, 1]") + ", got " + p.value(name).toStdString());
    return static_cast<float>(value);
}

struct Settings {
    attnscope::AttentionQuery query;
    ui::ViewKind view = ui::ViewKind::Matrix;
    ui::AttentionKind attention = ui::AttentionKind::Encoder;
    ui::FigureStyle style;
    int size = 0;        // longer side in pixels; 0: the figure's natural size
    int queryToken = -1; // index into the full token list
    bool lens = false;   // --view lens: the logit lens instead of an attention view
    QString out;
    ui::ExportFormat format = ui::ExportFormat::Png;
};

Settings parseSettings(const QCommandLineParser& p) {
    Settings s;
    if (!p.isSet("out") || p.value("out").isEmpty()) throw UsageError("render needs --out FILE.png|svg|pdf|npy");
    s.out = p.value("out");
    try {
        s.format = ui::exportFormatFor(s.out);
    } catch (const Error& e) {
        throw UsageError(e.what());
    }

    if (p.isSet("view")) {
        const QString v = p.value("view").trimmed().toLower();
        if (v == "matrix") s.view = ui::ViewKind::Matrix;
        else if (v == "heads") s.view = ui::ViewKind::Heads;
        else if (v == "grid") s.view = ui::ViewKind::Grid;
        else if (v == "tokens") s.view = ui::ViewKind::Tokens;
        else if (v == "overlay") s.view = ui::ViewKind::Overlay;
        else if (v == "lens") s.lens = true;
        else throw UsageError("--view: unknown view " + quoted(p.value("view")) + " (expected matrix, heads, grid, tokens, overlay or lens)");
        if (s.lens && s.format == ui::ExportFormat::Npy) throw UsageError("--view lens draws a figure: write .png, .svg or .pdf");
    }
    if (p.isSet("attention")) {
        const QString a = p.value("attention").trimmed().toLower();
        if (a == "encoder") s.attention = ui::AttentionKind::Encoder;
        else if (a == "decoder") s.attention = ui::AttentionKind::Decoder;
        else if (a == "cross") s.attention = ui::AttentionKind::Cross;
        else throw UsageError("--attention: " + quoted(p.value("attention")) + " is not encoder, decoder or cross");
    }
    if (p.isSet("opacity")) s.style.overlayOpacity = parseFraction(p, "opacity", true);

    auto& q = s.query;
    if (p.isSet("layer")) q.layer = parseInt(p, "layer");
    if (p.isSet("rollout")) q.layerMode = attnscope::LayerMode::Rollout;
    if (p.isSet("head")) {
        const QString h = p.value("head").trimmed().toLower();
        if (h == "mean") q.headMode = attnscope::HeadMode::Mean;
        else if (h == "max") q.headMode = attnscope::HeadMode::Max;
        else q.head = parseInt(p, "head");
        if (q.layerMode == attnscope::LayerMode::Rollout && q.headMode != attnscope::HeadMode::Mean)
            throw UsageError("--rollout always averages the heads; drop --head or use --head mean");
    }

    // Hard attention: one rule at most; a rule alone implies --mode hard.
    int rules = 0;
    for (const char* rule : {"top-k", "threshold", "mass"}) rules += p.isSet(rule) ? 1 : 0;
    if (rules > 1) throw UsageError("give at most one of --top-k, --threshold and --mass");
    if (p.isSet("mode")) {
        const QString m = p.value("mode").trimmed().toLower();
        if (m == "hard") q.hard = true;
        else if (m != "soft") throw UsageError("--mode: " + quoted(p.value("mode")) + " is not soft or hard");
        else if (rules > 0) throw UsageError("--top-k, --threshold and --mass select hard attention; they do not go with --mode soft");
    }
    if (rules > 0) q.hard = true;
    if (p.isSet("top-k")) {
        q.hardSelection.rule = attnscope::HardRule::TopK;
        q.hardSelection.k = parseInt(p, "top-k");
        if (q.hardSelection.k < 1) throw UsageError("--top-k must be at least 1, got " + p.value("top-k").toStdString());
    } else if (p.isSet("threshold")) {
        q.hardSelection.rule = attnscope::HardRule::Threshold;
        q.hardSelection.threshold = parseFraction(p, "threshold", true);
    } else if (p.isSet("mass")) {
        q.hardSelection.rule = attnscope::HardRule::Mass;
        q.hardSelection.mass = parseFraction(p, "mass", false);
    }
    q.hideSpecialTokens = p.isSet("hide-special");

    if (p.isSet("colormap")) {
        if (!ui::ColorMap::isKnown(p.value("colormap")))
            throw UsageError("--colormap: unknown colour map " + quoted(p.value("colormap")) + " (expected " +
                             ui::ColorMap::names().join(", ").toStdString() + ")");
        s.style.colorMap = ui::ColorMap::byName(p.value("colormap")).name();
    }
    if (p.isSet("scale")) {
        const QString v = p.value("scale").trimmed().toLower();
        if (v == "log") s.style.scale = ui::ValueScale::Log;
        else if (v != "linear") throw UsageError("--scale: " + quoted(p.value("scale")) + " is not linear or log");
    }
    if (p.isSet("normalize")) {
        const QString v = p.value("normalize").trimmed().toLower();
        if (v == "row") s.style.normalization = ui::Normalization::PerRow;
        else if (v != "global") throw UsageError("--normalize: " + quoted(p.value("normalize")) + " is not global or row");
    }
    if (p.isSet("size")) {
        s.size = parseInt(p, "size");
        if (s.size < 16 || s.size > ui::kMaxExportPixels)
            throw UsageError("--size must be between 16 and " + std::to_string(ui::kMaxExportPixels) + " px, got " + p.value("size").toStdString());
    }
    if (p.isSet("query")) s.queryToken = parseInt(p, "query");
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

}  // namespace

QList<QCommandLineOption> renderOptions() {
    return {
        QCommandLineOption("layer", "render: layer, from 0 (default 0).", "L"),
        QCommandLineOption("head", "render: head number, mean or max (default 0).", "H"),
        QCommandLineOption("rollout", "render: attention rollout up to --layer."),
        QCommandLineOption("mode", "render: soft or hard attention.", "MODE"),
        QCommandLineOption("threshold", "render: hard attention keeps weights >= T.", "T"),
        QCommandLineOption("mass", "render: hard attention keeps the fewest weights summing to >= P.", "P"),
        QCommandLineOption("view", "render: matrix, heads, grid, tokens, overlay (vision models) or lens (the logit lens).", "VIEW"),
        QCommandLineOption("attention", "render: encoder, decoder or cross (encoder-decoder models; default encoder).", "KIND"),
        QCommandLineOption("opacity", "render: overlay colour opacity over the image, 0 to 1 (default 0.6).", "P"),
        QCommandLineOption("colormap", "render: viridis, magma, cividis or grayscale.", "NAME"),
        QCommandLineOption("scale", "render: linear or log colour scale.", "SCALE"),
        QCommandLineOption("normalize", "render: colour relative to the global or each row's maximum.", "global|row"),
        QCommandLineOption("size", "render: the image's longer side in pixels (16 to 8000).", "PX"),
        QCommandLineOption("query", "render: the selected query token (index).", "I"),
        QCommandLineOption("hide-special", "render: hide special tokens and renormalise the rest."),
    };
}

QStringList renderOptionsSet(const QCommandLineParser& parser) {
    QStringList set;
    for (const char* name : kRenderOnly)
        if (parser.isSet(name)) set << QStringLiteral("--%1").arg(name);
    return set;
}

std::unique_ptr<QCoreApplication> makeRenderApplication(int& argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    return std::make_unique<QGuiApplication>(argc, argv);
}

namespace {

// The model inputs besides --text and --pair, which main() leaves to each command.
ui::AnalysisRequest requestFrom(const TextInput& input, const QCommandLineParser& parser) {
    ui::AnalysisRequest request;
    if (input.text) request.text = QString::fromStdString(*input.text);
    if (input.pair) request.pair = QString::fromStdString(*input.pair);
    if (parser.isSet("image")) request.imageFile = parser.value("image");
    if (parser.isSet("pixel-values")) request.pixelValuesFile = parser.value("pixel-values");
    if (parser.isSet("target")) request.target = parser.value("target");
    return request;
}

// Combinations the model's kind rules out, as usage errors: the same rules as `attention`.
void checkInputsFit(const attnscope::ModelConfig& config, const TextInput& input, const ui::AnalysisRequest& request,
                    const QCommandLineParser& parser, const Settings& s) {
    const std::string type = config.modelType;
    if (config.isVision()) {
        if (input.text || input.pair || parser.isSet("target"))
            throw UsageError(type + " is a vision model: give --image or --pixel-values, not --text, --pair or --target");
        if (!request.imageFile.isEmpty() && !request.pixelValuesFile.isEmpty()) throw UsageError("give --image or --pixel-values, not both");
    } else {
        if (request.hasImage()) throw UsageError(type + " is a text model: --image and --pixel-values are for vision models");
        if (s.view == ui::ViewKind::Overlay)
            throw UsageError("--view overlay draws the attention on an image: it is for vision models (vit, deit), and " + type +
                             " is a text model");
        if (!input.text) throw UsageError("render needs --text");
    }
    if (!config.isEncoderDecoder()) {
        if (parser.isSet("target")) throw UsageError("--target is for encoder-decoder models; this is " + type);
        if (parser.isSet("attention") && s.attention != ui::AttentionKind::Encoder)
            throw UsageError("--attention decoder and cross are for encoder-decoder models; this is " + type);
    } else if (s.attention == ui::AttentionKind::Cross && s.query.layerMode == attnscope::LayerMode::Rollout) {
        throw UsageError("--rollout needs self-attention: cross-attention maps target tokens onto source tokens");
    }
}

}  // namespace

namespace {

void checkLayerAndHead(const attnscope::AttentionQuery& q, int layers, int heads, const char* owner) {
    if (q.layer < 0 || q.layer >= layers)
        throw Error("layer " + std::to_string(q.layer) + " does not exist (" + owner + " has " + std::to_string(layers) +
                    " layers, numbered from 0)");
    if (q.layerMode == attnscope::LayerMode::Single && q.headMode == attnscope::HeadMode::Single && (q.head < 0 || q.head >= heads))
        throw Error("head " + std::to_string(q.head) + " does not exist (" + owner + " has " + std::to_string(heads) +
                    " heads, numbered from 0)");
}

// An attention file (computed elsewhere) holds its tokens: nothing to compute, no input to give.
std::shared_ptr<const ui::Analysis> analysisOfAttentionFile(const std::string& file, const TextInput& input,
                                                            const ui::AnalysisRequest& request, const QCommandLineParser& parser,
                                                            const Settings& s) {
    if (input.text || input.pair || input.ids || request.hasImage() || parser.isSet("target") || parser.isSet("decoder-ids"))
        throw UsageError("an attention file holds its own tokens: render it without --text, --pair, --ids, --image, "
                         "--pixel-values or --target");
    const auto analysis = ui::analysisFromAttentionFile(QString::fromStdString(file));
    if (s.view == ui::ViewKind::Overlay && !analysis->isVision())
        throw UsageError("--view overlay draws the attention on an image, and " + file + " holds no image");
    if (parser.isSet("attention") && s.attention != ui::AttentionKind::Encoder && !analysis->isEncoderDecoder())
        throw UsageError("--attention decoder and cross are for encoder-decoder attention; " + file + " holds one stack");
    if (analysis->isEncoderDecoder() && s.attention == ui::AttentionKind::Cross && s.query.layerMode == attnscope::LayerMode::Rollout)
        throw UsageError("--rollout needs self-attention: cross-attention maps target tokens onto source tokens");
    const auto& stack = analysis->stack(s.attention);
    checkLayerAndHead(s.query, stack.layers, stack.heads, "the attention file");
    return analysis;
}

}  // namespace

namespace {

// The logit lens of the text as the app's Lens tab draws it; --layer and --query outline a
// cell. One forward pass, keeping the hidden states: the attention views' pass is not needed.
void renderLens(const attnscope::Checkpoint& cp, const ui::AnalysisRequest& request, const QCommandLineParser& parser, const Settings& s) {
    std::optional<std::string> pair;
    if (!request.pair.isEmpty()) pair = request.pair.toStdString();
    const attnscope::Encoding encoding = cp.encode(request.text.toStdString(), pair);
    if (encoding.size() == 0) throw Error("the text gives no tokens; give some text to render");
    attnscope::ForwardInput input;
    input.ids = encoding.ids;
    input.typeIds = encoding.typeIds;
    const std::optional<attnscope::LogitLens> lens = attnscope::computeLogitLens(cp, std::move(input), 5);
    if (!lens) throw Error("the computation was cancelled");
    if (parser.isSet("query") && (s.queryToken < 0 || s.queryToken >= lens->positions))
        throw Error("--query " + std::to_string(s.queryToken) + " does not exist (the text has " + std::to_string(lens->positions) +
                    " tokens, numbered from 0)");
    std::optional<int> layer, position;
    if (parser.isSet("layer") || parser.isSet("query")) {
        layer = s.query.layer;
        position = parser.isSet("query") ? s.queryToken : lens->positions - 1;
    }
    const ui::LensFigure figure(ui::lensFigureData(*lens, ui::tokenLabels(encoding.tokens), ui::vocabularyLabels(cp.tokenizer()), layer, position),
                                s.style);
    ui::exportFigure(figure, s.out, s.format, sizeFor(figure, s.size));
}

}  // namespace

void runRender(const std::string& model, const TextInput& input, const QCommandLineParser& parser) {
    const ui::AnalysisRequest request = requestFrom(input, parser);
    const Settings s = parseSettings(parser);
    std::error_code ec;
    std::shared_ptr<const ui::Analysis> analysis;
    bool decoderSide = false;
    if (std::filesystem::is_regular_file(model, ec)) {
        if (s.lens) throw UsageError("--view lens reads the model's layers through its output head: give a model folder, not an attention file");
        analysis = analysisOfAttentionFile(model, input, request, parser, s);
        decoderSide = analysis->isEncoderDecoder() && s.attention != ui::AttentionKind::Encoder;
    } else {
        if (!input.text && !request.hasImage()) throw UsageError("render needs --text (or --image or --pixel-values for a vision model)");
        if (input.ids) throw UsageError("render takes --text, not --ids");
        if (parser.isSet("decoder-ids")) throw UsageError("render takes --target, not --decoder-ids");
        const auto cp = attnscope::Checkpoint::open(model);
        const auto& config = cp->config();
        checkInputsFit(config, input, request, parser, s);
        decoderSide = config.isEncoderDecoder() && s.attention != ui::AttentionKind::Encoder;
        checkLayerAndHead(s.query, decoderSide ? config.decoderLayers : config.layers, config.heads, "the model");
        if (input.text && input.text->empty()) throw Error("--text is empty; give some text to render");
        if (s.lens) {
            attnscope::requireLogitLens(cp->model());
            return renderLens(*cp, request, parser, s);
        }

        // The same computation as the app's: tokens or image, forward pass, predictions.
        std::optional<StderrSilenced> quiet;
        if (!request.imageFile.isEmpty()) quiet.emplace();
        analysis = ui::computeAnalysis(*cp, request);
        quiet.reset();
        if (!analysis) throw Error("the computation was cancelled");
    }
    const int queries = static_cast<int>(analysis->queryLabels(s.attention).size());
    if (s.queryToken >= queries || (parser.isSet("query") && s.queryToken < 0)) {
        const char* what = analysis->isVision() ? "the image" : decoderSide ? "the target" : "the text";
        throw Error("--query " + std::to_string(s.queryToken) + " does not exist (" + what + " has " + std::to_string(queries) +
                    " tokens, numbered from 0)");
    }

    ui::ViewRequest viewRequest;
    viewRequest.kind = s.view;
    viewRequest.attention = s.attention;
    viewRequest.query = s.query;
    viewRequest.selectedQuery = s.queryToken;
    const ui::FigureSource source = analysis->figureSource(s.attention);

    if (s.format == ui::ExportFormat::Npy) {
        // The displayed matrix: after aggregation, rollout, hidden special tokens and hard selection.
        ui::exportMatrixNpy(ui::buildMatrixData(source, viewRequest).matrix, s.out);
        return;
    }
    const auto figure = ui::buildFigure(source, viewRequest, s.style);
    ui::exportFigure(*figure, s.out, s.format, sizeFor(*figure, s.size));
}

}  // namespace cli
