#pragma once
// `attnscope-cli render`: one view of the attention of a text (a source and target for an
// encoder-decoder, an image or ready pixel values for a vision model) written as PNG, SVG,
// PDF or NPY, computed (ui::computeAnalysis) and drawn by the same code the desktop app uses.
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QList>
#include <QStringList>

#include <memory>
#include <string>

#include "CliCommands.h"

namespace cli {

// The options only `render` takes; main() adds them to its parser.
QList<QCommandLineOption> renderOptions();
// The render-only options set on the command line, as "--name", for other commands to refuse.
QStringList renderOptionsSet(const QCommandLineParser& parser);

// The application object render needs: a QGuiApplication (fonts, painting), on the offscreen
// platform unless QT_QPA_PLATFORM says otherwise, so it runs without a display.
std::unique_ptr<QCoreApplication> makeRenderApplication(int& argc, char** argv);

// Checks the render options and runs. Reads --image, --pixel-values and --target from the
// parser itself (main() leaves the model inputs to each command). Throws UsageError for a bad
// command line, including inputs or views the model's kind rules out (an overlay of a text
// model), and attnscope::Error for bad input (model, text, layer or head that does not exist).
void runRender(const std::string& model, const TextInput& input, const QCommandLineParser& parser);

}  // namespace cli
