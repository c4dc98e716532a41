// attnscope-cli: a thin command-line front end over the engine. Its commands, JSON shapes
// and exit codes are a stable contract: 0 success, 2 usage error, 3 input error.
#include <QCommandLineParser>
#include <QCoreApplication>

#include <iostream>

#include "CliCommands.h"
#include "Error.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitInput = 3;

const char* kUsage =
    "usage: attnscope-cli COMMAND MODEL [options]\n"
    "commands:\n"
    "  info MODEL                                   model facts as JSON\n"
    "  tokenize MODEL|TOKENIZER.json --text T [--pair P]\n"
    "                                               ids, tokens, offsets, type_ids as JSON\n"
    "  attention MODEL (--text T [--pair P] | --ids 1,2,3) --out FILE.safetensors\n"
    "                                               every layer's and head's attention\n";

int usageError(const std::string& message) {
    // One line, as for every failure; the full usage is one --help away.
    std::cerr << "error: " << message << " (see attnscope-cli --help)\n";
    return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("attnscope-cli");
    QCoreApplication::setApplicationVersion(ATTNSCOPE_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("AttnScope command line: transformer attention, computed exactly.");
    const QCommandLineOption textOpt("text", "Input text.", "T");
    const QCommandLineOption pairOpt("pair", "Second text segment (sentence pair).", "P");
    const QCommandLineOption idsOpt("ids", "Comma-separated token ids instead of text.", "IDS");
    const QCommandLineOption outOpt("out", "Output file.", "FILE");
    const QCommandLineOption helpOpt({"h", "help"}, "Show this help.");
    const QCommandLineOption versionOpt("version", "Show the version.");
    parser.addOptions({textOpt, pairOpt, idsOpt, outOpt, helpOpt, versionOpt});
    parser.addPositionalArgument("command", "info, tokenize or attention");
    parser.addPositionalArgument("model", "Model folder (or tokenizer.json for tokenize)");

    if (!parser.parse(QCoreApplication::arguments())) return usageError(parser.errorText().toStdString());
    if (parser.isSet(helpOpt)) {
        std::cout << kUsage;
        return 0;
    }
    if (parser.isSet(versionOpt)) {
        std::cout << "attnscope-cli " << ATTNSCOPE_VERSION << "\n";
        return 0;
    }
    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) return usageError("missing COMMAND");
    const std::string command = args[0].toStdString();
    if (command != "info" && command != "tokenize" && command != "attention")
        return usageError("unknown command '" + command + "'");
    if (args.size() < 2) return usageError(command + ": missing MODEL");
    if (args.size() > 2) return usageError(command + ": unexpected argument '" + args[2].toStdString() + "'");
    const std::string model = args[1].toStdString();

    auto optionValue = [&](const QCommandLineOption& o) { return parser.value(o).toStdString(); };
    try {
        cli::TextInput input;
        if (parser.isSet(textOpt)) input.text = optionValue(textOpt);
        if (parser.isSet(pairOpt)) input.pair = optionValue(pairOpt);

        if (command == "info") {
            if (parser.isSet(textOpt) || parser.isSet(idsOpt) || parser.isSet(outOpt) || parser.isSet(pairOpt))
                return usageError("info takes no --text, --pair, --ids or --out");
            cli::runInfo(model);
        } else if (command == "tokenize") {
            if (!input.text) return usageError("tokenize needs --text");
            if (parser.isSet(idsOpt) || parser.isSet(outOpt)) return usageError("tokenize takes no --ids or --out");
            cli::runTokenize(model, input);
        } else {
            if (input.text.has_value() == parser.isSet(idsOpt)) return usageError("attention needs exactly one of --text or --ids");
            if (input.pair && !input.text) return usageError("--pair needs --text");
            if (!parser.isSet(outOpt) || optionValue(outOpt).empty()) return usageError("attention needs --out FILE.safetensors");
            if (parser.isSet(idsOpt)) {
                try {
                    input.ids = cli::parseIdList(optionValue(idsOpt));
                } catch (const attnscope::Error& e) {
                    return usageError(e.what());
                }
            }
            cli::runAttention(model, input, optionValue(outOpt));
        }
    } catch (const attnscope::Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        return kExitInput;
    } catch (const std::bad_alloc&) {
        std::cerr << "error: out of memory\n";
        return kExitInput;
    }
    return 0;
}
