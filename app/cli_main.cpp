// attnscope-cli: a thin command-line front end over the engine. Its commands, JSON shapes
// and exit codes are a stable contract: 0 success, 2 usage error, 3 input error.
#include <QCommandLineParser>
#include <QCoreApplication>

#include <iostream>
#include <memory>

#include "CliCommands.h"
#include "DownloadCommand.h"
#include "Error.h"
#include "OptionNumbers.h"
#include "PredictionCommands.h"
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
    "  tokenize MODEL|TOKENIZER.json --text T [--pair P | --target T]\n"
    "                                               ids, tokens, offsets, type_ids as JSON\n"
    "  attention MODEL (--text T [--pair P] | --ids 1,2,3 | --image F | --pixel-values F)\n"
    "         [--target T | --decoder-ids 0,5,9] --out FILE.safetensors\n"
    "                                               every layer's and head's attention\n"
    "  render MODEL (--text T [--pair P | --target T] | --image F | --pixel-values F)\n"
    "         [--attention NAME] [--layer L] [--head H|mean|max] [--rollout]\n"
    "         [--mode soft|hard] [--top-k K | --threshold T | --mass P]\n"
    "         [--view matrix|heads|grid|tokens|overlay|alignment|lens] [--colormap viridis|magma|cividis|grayscale]\n"
    "         [--scale linear|log] [--normalize global|row] [--size PX] [--query I]\n"
    "         [--hide-special] [--words] [--heads H,H] [--opacity P] --out FILE.png|svg|pdf|npy\n"
    "                                               one view as a figure, or the shown\n"
    "                                               matrix as float32 NPY [n, n]\n"
    "                                               (or render ATTENTION_FILE.safetensors:\n"
    "                                               attention computed elsewhere)\n"
    "  predict MODEL (--text T | --ids I | --image F | --pixel-values F) [--top-k K] [--position P]\n"
    "                                               top-k next tokens (causal LM), masked tokens\n"
    "                                               (masked LM) or classes, as JSON\n"
    "  generate MODEL (--text T | --ids I | --image F | --pixel-values F) --max-new-tokens N\n"
    "         [--temperature X] [--top-k K] [--top-p P] [--seed S] [--target T | --decoder-ids I]\n"
    "         [--out FILE.safetensors]                greedy or sampled continuation (an encoder-\n"
    "                                               decoder's target for the source, a captioner's\n"
    "                                               caption for the image), as JSON\n"
    "  lens MODEL (--text T | --ids I) [--top-k K]  the logit lens: each layer's top tokens\n"
    "  ablate MODEL (--text T | --ids I | --image F | --pixel-values F) --heads L.H,L.H\n"
    "         [--mode zero|mean] [--top-k K] [--position P] [--target T | --decoder-ids I]\n"
    "                                               predictions with those heads switched off,\n"
    "                                               before and after, as JSON (an encoder-\n"
    "                                               decoder's target's; its heads L.H,\n"
    "                                               decoder:L.H, cross:L.H)\n"
    "  attribute MODEL (--text T | --ids I | --image F | --pixel-values F) [--position P]\n"
    "         [--decoder-ids I] [--target TOKEN] [--distractor TOKEN] [--flip [--mode zero|mean]]\n"
    "                                               each head's, MLP's and the embedding's\n"
    "                                               share of one logit (direct logit\n"
    "                                               attribution; an encoder-decoder's at its\n"
    "                                               --decoder-ids, cross heads apart), and with\n"
    "                                               --flip the fewest heads found that change\n"
    "                                               the prediction\n"
    "  download ORG/NAME[@REV] [--revision R]       fetch a model into the Hugging Face cache;\n"
    "                                               then open it as ORG/NAME anywhere\n";

const QStringList kCommands{"info", "tokenize", "attention", "render", "predict", "generate", "lens", "ablate", "attribute", "download"};

// Which options belong to which commands besides the model inputs; a command given another's
// option is a usage error.
struct OptionUse {
    const char* option;
    QStringList commands;
};
const OptionUse kOptionUses[] = {
    {"top-k", {"render", "predict", "generate", "lens", "ablate"}}, {"position", {"predict", "ablate", "attribute"}}, {"max-new-tokens", {"generate"}},
    {"heads", {"render", "ablate"}},                      {"mode", {"render", "ablate", "attribute"}},
    {"distractor", {"attribute"}},                        {"flip", {"attribute"}},
    {"temperature", {"generate"}},                        {"top-p", {"generate"}},        {"seed", {"generate"}},
    {"revision", {"download"}},                           {"target", {"tokenize", "attention", "render", "generate", "attribute", "ablate"}},
    {"decoder-ids", {"attention", "generate", "attribute", "ablate"}},
    {"image", {"attention", "render", "predict", "generate", "ablate", "attribute"}},
    {"pixel-values", {"attention", "render", "predict", "generate", "ablate", "attribute"}},
    {"ids", {"attention", "predict", "generate", "lens", "ablate", "attribute"}}, {"out", {"attention", "render", "generate"}},
    {"text", {"tokenize", "attention", "render", "predict", "generate", "lens", "ablate", "attribute"}},
    {"pair", {"tokenize", "attention", "render", "predict", "generate", "lens", "ablate", "attribute"}},
};

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

QList<QCommandLineOption> cliOptions() {
    QList<QCommandLineOption> options{
        {"text", "Input text.", "T"},
        {"pair", "Second text segment (sentence pair).", "P"},
        {"ids", "Comma-separated token ids instead of text.", "IDS"},
        {"out", "Output file.", "FILE"},
        {"image", "Image file for a vision model.", "FILE"},
        {"pixel-values", "Safetensors file with a ready pixel_values [3, H, W].", "FILE"},
        {"target", "Target text for an encoder-decoder (teacher forcing; generate continues it); "
                   "attribute: the token or label whose logit is split (default: the top prediction).", "T"},
        {"distractor", "attribute: split the target's logit less this token's or label's.", "TOKEN"},
        {"flip", "attribute: also find the fewest heads whose ablation changes the top prediction."},
        {"decoder-ids", "Comma-separated decoder input ids.", "IDS"},
        {"revision", "Branch, tag or commit to download (default main).", "R"},
        {"top-k", "render: hard attention keeps the K largest weights per row; predict, lens: K predictions per list (default 5); "
                  "generate: sample from the K most probable.", "K"},
        {"position", "predict, ablate: keep only this token position's list; attribute: the position whose logit is split.", "P"},
        {"heads", "render: with --head mean or max, only these heads (comma-separated, from 0); "
                  "ablate: the heads to switch off, as layer.head (e.g. 1.0,2.3; an encoder-decoder's "
                  "decoder:L.H and cross:L.H too).", "H,H"},
        {"max-new-tokens", "generate: how many tokens to add at most.", "N"},
        {"temperature", "generate: 0 for greedy (default), above 0 to sample.", "X"},
        {"top-p", "generate: sample from the fewest tokens whose probability reaches P.", "P"},
        {"seed", "generate: the random seed for sampling (default 0).", "S"},
        {{"h", "help"}, "Show this help."},
        {"version", "Show the version."},
    };
#ifdef ATTNSCOPE_CLI_RENDER
    options << cli::renderOptions();  // its --mode (soft|hard) is ablate's --mode (zero|mean) too
#else
    options << QCommandLineOption("mode", "ablate, attribute --flip: zero (default) or mean.", "zero|mean");
#endif
    return options;
}

std::string value(const QCommandLineParser& p, const char* name) { return p.value(QLatin1String(name)).toStdString(); }

// Refuses options the command does not take.
void checkOptionsFit(const std::string& command, const QCommandLineParser& p) {
    const QString cmd = QString::fromStdString(command);
    for (const OptionUse& use : kOptionUses)
        if (p.isSet(QLatin1String(use.option)) && !use.commands.contains(cmd))
            throw cli::UsageError("--" + std::string(use.option) + " is only for " + use.commands.join(", ").toStdString() + ", not " + command);
#ifdef ATTNSCOPE_CLI_RENDER
    QStringList renderOnly = cli::renderOptionsSet(p);
    if (command == "ablate" || command == "attribute") renderOnly.removeAll(QStringLiteral("--mode"));
    if (command != "render" && !renderOnly.isEmpty()) throw cli::UsageError(renderOnly.join(", ").toStdString() + ": only for render");
#endif
}

// What the user gave to run a model on, in the engine's terms; malformed ids are a usage error.
attnscope::UserInput userInput(const QCommandLineParser& p) {
    attnscope::UserInput in;
    if (p.isSet("text")) in.text = value(p, "text");
    if (p.isSet("pair")) in.pair = value(p, "pair");
    if (p.isSet("target")) in.target = value(p, "target");
    if (p.isSet("image")) in.imageFile = value(p, "image");
    if (p.isSet("pixel-values")) in.pixelValuesFile = value(p, "pixel-values");
    try {
        if (p.isSet("ids")) in.ids = attnscope::parseIdList("ids", value(p, "ids"));
        if (p.isSet("decoder-ids")) in.decoderIds = attnscope::parseIdList("decoder-ids", value(p, "decoder-ids"));
    } catch (const attnscope::Error& e) {
        throw cli::UsageError(e.what());
    }
    if (in.text && in.ids) throw cli::UsageError("give --text or --ids, not both");
    if (in.pair && !in.text) throw cli::UsageError("--pair needs --text");
    return in;
}

// A whole number option of at least `min`, as a usage error when it is not one.
int wholeNumber(const QCommandLineParser& p, const char* name, int min) {
    try {
        return attnscope::parseWholeNumber(name, value(p, name), min);
    } catch (const attnscope::Error& e) {
        throw cli::UsageError(e.what());
    }
}

void runGenerateCommand(const std::string& model, const attnscope::UserInput& input, const QCommandLineParser& p) {
    if (!p.isSet("max-new-tokens")) throw cli::UsageError("generate needs --max-new-tokens N");
    cli::GenerateOptions options;
    options.maxNewTokens = wholeNumber(p, "max-new-tokens", 1);
    options.topK = p.isSet("top-k") ? wholeNumber(p, "top-k", 1) : 0;
    try {
        if (p.isSet("temperature")) options.temperature = static_cast<float>(attnscope::parseNumber("temperature", value(p, "temperature"), 0.0));
        if (p.isSet("top-p")) options.topP = static_cast<float>(attnscope::parseFraction("top-p", value(p, "top-p"), false));
    } catch (const attnscope::Error& e) {
        throw cli::UsageError(e.what());
    }
    if (p.isSet("seed")) options.seed = static_cast<std::uint64_t>(wholeNumber(p, "seed", 0));
    if (p.isSet("out")) options.outFile = value(p, "out");
    cli::runGenerate(model, input, options);
}

attnscope::AblationMode ablationMode(const QCommandLineParser& p) {
    const std::string modeName = p.isSet("mode") ? value(p, "mode") : "zero";
    const auto mode = attnscope::ablationModeNamed(modeName);
    if (!mode) throw cli::UsageError("--mode: `" + modeName + "` is not zero or mean");
    return *mode;
}

void runAblateCommand(const std::string& model, const attnscope::UserInput& input, const QCommandLineParser& p, int topK) {
    if (!p.isSet("heads")) throw cli::UsageError("ablate needs --heads L.H,L.H (e.g. 1.0 for layer 1, head 0)");
    const attnscope::AblationMode mode = ablationMode(p);
    cli::AblateOptions options;
    try {
        options.ablation = attnscope::parseHeadAblation(value(p, "heads"), mode);
    } catch (const attnscope::Error& e) {
        throw cli::UsageError(e.what());
    }
    options.topK = topK;
    if (p.isSet("position")) options.position = wholeNumber(p, "position", 0);
    cli::runAblate(model, input, options);
}

void runAttributeCommand(const std::string& model, attnscope::UserInput input, const QCommandLineParser& p) {
    cli::AttributeOptions options;
    // Here --target names the logit, not an encoder-decoder's target text.
    options.target = input.target;
    input.target.reset();
    if (p.isSet("distractor")) options.distractor = value(p, "distractor");
    if (p.isSet("position")) options.position = wholeNumber(p, "position", 0);
    options.flip = p.isSet("flip");
    if (p.isSet("mode") && !options.flip) throw cli::UsageError("--mode is how --flip switches heads off; give --flip too");
    options.mode = ablationMode(p);
    cli::runAttribute(model, input, options);
}

// Runs one command on its model; throws UsageError or attnscope::Error.
void runCommand(const std::string& command, const std::string& model, const QCommandLineParser& p) {
    checkOptionsFit(command, p);
    const attnscope::UserInput input = userInput(p);
    const bool modelInput = input.text || input.ids || input.hasImage();
    if (command == "download") return cli::runDownload(model, p.isSet("revision") ? std::optional(value(p, "revision")) : std::nullopt);
    if (command == "info") return cli::runInfo(model);
    if (command == "tokenize") {
        if (!input.text) throw cli::UsageError("tokenize needs --text");
        return cli::runTokenize(model, input);
    }
    if (command == "render") {
#ifdef ATTNSCOPE_CLI_RENDER
        return cli::runRender(model, input, p);
#endif
    }
    if (!modelInput) throw cli::UsageError(command + " needs --text or --ids (or --image or --pixel-values for a vision model)");
    if (command == "attention") {
        if (!p.isSet("out") || value(p, "out").empty()) throw cli::UsageError("attention needs --out FILE.safetensors");
        return cli::runAttention(model, input, value(p, "out"));
    }
    const int topK = p.isSet("top-k") ? wholeNumber(p, "top-k", 1) : 5;
    if (command == "lens") return cli::runLens(model, input, topK);
    if (command == "ablate") return runAblateCommand(model, input, p, topK);
    if (command == "attribute") return runAttributeCommand(model, input, p);
    if (command == "generate") return runGenerateCommand(model, input, p);
    cli::PredictOptions options;
    options.topK = topK;
    if (p.isSet("position")) options.position = wholeNumber(p, "position", 0);
    cli::runPredict(model, input, options);
}

}  // namespace

int main(int argc, char** argv) {
    QStringList arguments;
    for (int i = 0; i < argc; ++i) arguments << QString::fromLocal8Bit(argv[i]);
    QCommandLineParser parser;
    parser.setApplicationDescription("AttnScope command line: transformer attention, computed exactly.");
    parser.addOptions(cliOptions());
    parser.addPositionalArgument("command", "info, tokenize, attention, render, predict, generate, lens, ablate, attribute or download");
    parser.addPositionalArgument("model", "Model folder (or tokenizer.json for tokenize)");
    const bool parsed = parser.parse(arguments);
    const QStringList args = parser.positionalArguments();
    const std::string command = args.isEmpty() ? std::string() : args[0].toStdString();

    // Rendering text needs a QGuiApplication; the other commands stay GUI-free.
    std::unique_ptr<QCoreApplication> app;
    qInstallMessageHandler(quietMessages);  // e.g. libpng's own "Read Error" on a truncated image
#ifdef ATTNSCOPE_CLI_RENDER
    if (parsed && command == "render") app = cli::makeRenderApplication(argc, argv);
#endif
    if (!app) app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName("attnscope-cli");
    QCoreApplication::setApplicationVersion(ATTNSCOPE_VERSION);

    if (!parsed) return usageError(parser.errorText().toStdString());
    if (parser.isSet("help")) {
        std::cout << kUsage;
        return 0;
    }
    if (parser.isSet("version")) {
        std::cout << "attnscope-cli " << ATTNSCOPE_VERSION << "\n";
        return 0;
    }
    if (args.isEmpty()) return usageError("missing COMMAND");
    if (!kCommands.contains(QString::fromStdString(command))) return usageError("unknown command '" + command + "'");
#ifndef ATTNSCOPE_CLI_RENDER
    if (command == "render") return usageError("render: this attnscope-cli was built without the Qt GUI libraries");
#endif
    if (args.size() < 2) return usageError(command + ": missing MODEL");
    if (args.size() > 2) return usageError(command + ": unexpected argument '" + args[2].toStdString() + "'");
    try {
        runCommand(command, args[1].toStdString(), parser);
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
