// attnscope-cli: a thin command-line front end over the engine. Its commands, JSON shapes
// and exit codes are a stable contract: 0 success, 2 usage error, 3 input error.
#include <QCommandLineParser>
#include <QCoreApplication>

#include <cmath>
#include <iostream>
#include <limits>
#include <memory>

#include "CliCommands.h"
#include "DownloadCommand.h"
#include "PredictionCommands.h"
#include "Error.h"
#ifdef ATTNSCOPE_CLI_RENDER
#include "RenderCommand.h"
#endif

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitInput = 3;

const char* kUsage =
    "usage: attnscope-cli COMMAND MODEL [options]\n"
    "commands:\n"
    "  info MODEL                                   model facts as JSON\n"
    "  tokenize MODEL|TOKENIZER.json --text T [--pair P]\n"
    "                                               ids, tokens, offsets, type_ids as JSON\n"
    "  attention MODEL (--text T [--pair P] | --ids 1,2,3 | --image F | --pixel-values F)\n"
    "         [--target T | --decoder-ids 0,5,9] --out FILE.safetensors\n"
    "                                               every layer's and head's attention\n"
    "  render MODEL (--text T [--pair P | --target T] | --image F | --pixel-values F)\n"
    "         [--attention encoder|decoder|cross] [--layer L] [--head H|mean|max] [--rollout]\n"
    "         [--mode soft|hard] [--top-k K | --threshold T | --mass P]\n"
    "         [--view matrix|heads|grid|tokens|overlay] [--colormap viridis|magma|cividis|grayscale]\n"
    "         [--scale linear|log] [--normalize global|row] [--size PX] [--query I]\n"
    "         [--hide-special] [--opacity P] --out FILE.png|svg|pdf|npy\n"
    "                                               one view as a figure, or the shown\n"
    "                                               matrix as float32 NPY [n, n]\n"
    "                                               (or render ATTENTION_FILE.safetensors:\n"
    "                                               attention computed elsewhere)\n"
    "  predict MODEL (--text T | --ids I | --image F | --pixel-values F) [--top-k K] [--position P]\n"
    "                                               top-k next tokens (causal LM), masked tokens\n"
    "                                               (masked LM) or classes, as JSON\n"
    "  generate MODEL (--text T | --ids I) --max-new-tokens N [--temperature X] [--top-k K]\n"
    "         [--top-p P] [--seed S] [--out FILE.safetensors]\n"
    "                                               greedy or sampled continuation, as JSON\n"
    "  lens MODEL (--text T | --ids I) [--top-k K]  the logit lens: each layer's top tokens\n"
    "  download ORG/NAME[@REV] [--revision R]       fetch a model into the Hugging Face cache;\n"
    "                                               then open it as ORG/NAME anywhere\n";

int usageError(const std::string& message) {
    // One line, as for every failure; the full usage is one --help away.
    std::cerr << "error: " << message << " (see attnscope-cli --help)\n";
    return kExitUsage;
}

// Qt's own diagnostics (font or platform notes, image decoders' warnings) are not for CLI
// users: every failure is exactly one "error:" line, which the command prints itself.
void quietMessages(QtMsgType type, const QMessageLogContext&, const QString& message) {
    if (type == QtCriticalMsg || type == QtFatalMsg) std::cerr << "error: " << message.toStdString() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    QStringList arguments;
    for (int i = 0; i < argc; ++i) arguments << QString::fromLocal8Bit(argv[i]);

    QCommandLineParser parser;
    parser.setApplicationDescription("AttnScope command line: transformer attention, computed exactly.");
    const QCommandLineOption textOpt("text", "Input text.", "T");
    const QCommandLineOption pairOpt("pair", "Second text segment (sentence pair).", "P");
    const QCommandLineOption idsOpt("ids", "Comma-separated token ids instead of text.", "IDS");
    const QCommandLineOption outOpt("out", "Output file.", "FILE");
    const QCommandLineOption imageOpt("image", "Image file for a vision model.", "FILE");
    const QCommandLineOption pixelsOpt("pixel-values", "Safetensors file with a ready pixel_values [3, H, W].", "FILE");
    const QCommandLineOption targetOpt("target", "Target text for an encoder-decoder (teacher forcing).", "T");
    const QCommandLineOption decoderIdsOpt("decoder-ids", "Comma-separated decoder input ids.", "IDS");
    const QCommandLineOption revisionOpt("revision", "Branch, tag or commit to download (default main).", "R");
    const QCommandLineOption topKOpt("top-k", "render: hard attention keeps the K largest weights per row; predict, lens: "
                                              "K predictions per list (default 5); generate: sample from the K most probable.",
                                     "K");
    const QCommandLineOption positionOpt("position", "predict: keep only this token position's list.", "P");
    const QCommandLineOption maxNewOpt("max-new-tokens", "generate: how many tokens to add at most.", "N");
    const QCommandLineOption temperatureOpt("temperature", "generate: 0 for greedy (default), above 0 to sample.", "X");
    const QCommandLineOption topPOpt("top-p", "generate: sample from the fewest tokens whose probability reaches P.", "P");
    const QCommandLineOption seedOpt("seed", "generate: the random seed for sampling (default 0).", "S");
    const QCommandLineOption helpOpt({"h", "help"}, "Show this help.");
    const QCommandLineOption versionOpt("version", "Show the version.");
    parser.addOptions({textOpt, pairOpt, idsOpt, outOpt, imageOpt, pixelsOpt, targetOpt, decoderIdsOpt, revisionOpt, topKOpt, positionOpt, maxNewOpt,
                       temperatureOpt, topPOpt, seedOpt, helpOpt, versionOpt});
#ifdef ATTNSCOPE_CLI_RENDER
    parser.addOptions(cli::renderOptions());
#endif
    parser.addPositionalArgument("command", "info, tokenize, attention, render, predict, generate, lens or download");
    parser.addPositionalArgument("model", "Model folder (or tokenizer.json for tokenize)");

    const bool parsed = parser.parse(arguments);
    const QStringList args = parser.positionalArguments();
    const std::string command = args.isEmpty() ? std::string() : args[0].toStdString();

    // Rendering text needs a QGuiApplication; the other commands stay GUI-free.
    std::unique_ptr<QCoreApplication> app;
    qInstallMessageHandler(quietMessages);  // e.g. libpng's own "Read Error" on a truncated image
#ifdef ATTNSCOPE_CLI_RENDER
    if (parsed && command == "render") {
        app = cli::makeRenderApplication(argc, argv);
    }
#endif
    if (!app) app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName("attnscope-cli");
    QCoreApplication::setApplicationVersion(ATTNSCOPE_VERSION);

    if (!parsed) return usageError(parser.errorText().toStdString());
    if (parser.isSet(helpOpt)) {
        std::cout << kUsage;
        return 0;
    }
    if (parser.isSet(versionOpt)) {
        std::cout << "attnscope-cli " << ATTNSCOPE_VERSION << "\n";
        return 0;
    }
    if (args.isEmpty()) return usageError("missing COMMAND");
    const QStringList commands{"info", "tokenize", "attention", "render", "predict", "generate", "lens", "download"};
    if (!commands.contains(QString::fromStdString(command)))
        return usageError("unknown command '" + command + "'");
#ifndef ATTNSCOPE_CLI_RENDER
    if (command == "render") return usageError("render: this attnscope-cli was built without the Qt GUI libraries");
#endif
    if (args.size() < 2) return usageError(command + ": missing MODEL");
    if (args.size() > 2) return usageError(command + ": unexpected argument '" + args[2].toStdString() + "'");
    const std::string model = args[1].toStdString();
#ifdef ATTNSCOPE_CLI_RENDER
    if (command != "render") {
        const QStringList renderOnly = cli::renderOptionsSet(parser);
        if (!renderOnly.isEmpty()) return usageError(renderOnly.join(", ").toStdString() + ": only for render");
    }
#endif

    auto optionValue = [&](const QCommandLineOption& o) { return parser.value(o).toStdString(); };
    try {
        cli::TextInput input;
        if (parser.isSet(textOpt)) input.text = optionValue(textOpt);
        if (parser.isSet(pairOpt)) input.pair = optionValue(pairOpt);

        const bool modelInputs = parser.isSet(imageOpt) || parser.isSet(pixelsOpt) || parser.isSet(targetOpt) ||
                                 parser.isSet(decoderIdsOpt);
        // render reads the model inputs itself (they depend on the model's kind).
        const bool imageInputs = parser.isSet(imageOpt) || parser.isSet(pixelsOpt);
        if (modelInputs && command != "attention" && command != "render" && !(command == "predict" && !parser.isSet(targetOpt) &&
                                                                              !parser.isSet(decoderIdsOpt)))
            return usageError("--image, --pixel-values, --target and --decoder-ids are for attention and render "
                              "(--image and --pixel-values also for predict)");
        if (parser.isSet(topKOpt) && command != "render" && command != "predict" && command != "generate" && command != "lens")
            return usageError("--top-k is for render, predict, generate and lens");
        if (parser.isSet(positionOpt) && command != "predict") return usageError("--position is only for predict");
        for (const auto* o : {&maxNewOpt, &temperatureOpt, &topPOpt, &seedOpt})
            if (parser.isSet(*o) && command != "generate") return usageError("--" + o->names().front().toStdString() + " is only for generate");
        // Numbers given on the command line: whole, finite and in range, or a usage error.
        auto intOption = [&](const QCommandLineOption& o, long long lowest) {
            bool ok = false;
            const long long v = parser.value(o).toLongLong(&ok);
            if (!ok || v < lowest || v > std::numeric_limits<int>::max())
                throw cli::UsageError("--" + o.names().front().toStdString() + " must be a whole number of at least " +
                                      std::to_string(lowest) + ", not '" + optionValue(o) + "'");
            return static_cast<int>(v);
        };
        auto floatOption = [&](const QCommandLineOption& o) {
            bool ok = false;
            const double v = parser.value(o).toDouble(&ok);
            if (!ok || !std::isfinite(v)) throw cli::UsageError("--" + o.names().front().toStdString() + ": '" + optionValue(o) + "' is not a number");
            return static_cast<float>(v);
        };
        auto textOrIds = [&](const char* what) {
            if (input.text && parser.isSet(idsOpt)) throw cli::UsageError(std::string(what) + " takes --text or --ids, not both");
            if (parser.isSet(idsOpt)) {
                try {
                    input.ids = cli::parseIdList(optionValue(idsOpt));
                } catch (const attnscope::Error& e) {
                    throw cli::UsageError(e.what());
                }
            }
            if (parser.isSet(imageOpt)) input.imageFile = optionValue(imageOpt);
            if (parser.isSet(pixelsOpt)) input.pixelValuesFile = optionValue(pixelsOpt);
            if (!input.text && !input.ids && !imageInputs)
                throw cli::UsageError(std::string(what) + " needs --text or --ids" + (command == "predict" ? " (or --image or --pixel-values)" : ""));
            if (input.pair && !input.text) throw cli::UsageError("--pair needs --text");
        };
        if (command == "predict" || command == "generate" || command == "lens") {
            if (parser.isSet(outOpt) && command != "generate") return usageError(command + " prints JSON; it takes no --out");
            textOrIds(command.c_str());
            const int topK = parser.isSet(topKOpt) ? intOption(topKOpt, 1) : (command == "generate" ? 0 : 5);
            if (command == "predict") {
                cli::PredictOptions options;
                options.topK = topK;
                if (parser.isSet(positionOpt)) options.position = intOption(positionOpt, 0);
                cli::runPredict(model, input, options);
            } else if (command == "lens") {
                cli::runLens(model, input, topK);
            } else {
                if (!parser.isSet(maxNewOpt)) return usageError("generate needs --max-new-tokens N");
                cli::GenerateOptions options;
                options.maxNewTokens = intOption(maxNewOpt, 1);
                options.topK = topK;
                if (parser.isSet(temperatureOpt)) options.temperature = floatOption(temperatureOpt);
                if (options.temperature < 0) return usageError("--temperature must be 0 (greedy) or positive");
                if (parser.isSet(topPOpt)) options.topP = floatOption(topPOpt);
                if (!(options.topP > 0.0f && options.topP <= 1.0f)) return usageError("--top-p must be above 0 and at most 1");
                if (parser.isSet(seedOpt)) options.seed = static_cast<std::uint64_t>(intOption(seedOpt, 0));
                if (parser.isSet(outOpt)) options.outFile = optionValue(outOpt);
                cli::runGenerate(model, input, options);
            }
            return 0;
        }
        if (parser.isSet(revisionOpt) && command != "download") return usageError("--revision is only for download");
        if (command == "download") {
            if (input.text || input.pair || parser.isSet(idsOpt) || parser.isSet(outOpt) || modelInputs)
                return usageError("download takes a model id and --revision only");
            cli::runDownload(model, parser.isSet(revisionOpt) ? std::optional(optionValue(revisionOpt)) : std::nullopt);
        } else if (command == "info") {
            if (parser.isSet(textOpt) || parser.isSet(idsOpt) || parser.isSet(outOpt) || parser.isSet(pairOpt))
                return usageError("info takes no --text, --pair, --ids or --out");
            cli::runInfo(model);
        } else if (command == "tokenize") {
            if (!input.text) return usageError("tokenize needs --text");
            if (parser.isSet(idsOpt) || parser.isSet(outOpt)) return usageError("tokenize takes no --ids or --out");
            cli::runTokenize(model, input);
        } else if (command == "attention") {
            if (input.text && parser.isSet(idsOpt)) return usageError("attention takes --text or --ids, not both");
            if (!input.text && !parser.isSet(idsOpt) && !parser.isSet(imageOpt) && !parser.isSet(pixelsOpt))
                return usageError("attention needs --text, --ids, --image or --pixel-values");
            if (parser.isSet(imageOpt)) input.imageFile = optionValue(imageOpt);
            if (parser.isSet(pixelsOpt)) input.pixelValuesFile = optionValue(pixelsOpt);
            if (parser.isSet(targetOpt)) input.target = optionValue(targetOpt);
            if (input.pair && !input.text) return usageError("--pair needs --text");
            if (!parser.isSet(outOpt) || optionValue(outOpt).empty()) return usageError("attention needs --out FILE.safetensors");
            try {
                if (parser.isSet(idsOpt)) input.ids = cli::parseIdList(optionValue(idsOpt));
                if (parser.isSet(decoderIdsOpt)) input.decoderIds = cli::parseIdList(optionValue(decoderIdsOpt));
            } catch (const attnscope::Error& e) {
                return usageError(e.what());
            }
            cli::runAttention(model, input, optionValue(outOpt));
        } else {
#ifdef ATTNSCOPE_CLI_RENDER
            if (parser.isSet(idsOpt)) return usageError("render takes --text, not --ids");
            cli::runRender(model, input, parser);
#endif
        }
    } catch (const cli::UsageError& e) {
        return usageError(e.what());
    } catch (const attnscope::Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        return kExitInput;
    } catch (const std::bad_alloc&) {
        std::cerr << "error: out of memory\n";
        return kExitInput;
    }
    return 0;
}
