#pragma once
// `attnscope-cli render`: one view of the attention of an input (a text, a source and target,
// an image or ready pixel values), or of an attention file, written as PNG, SVG, PDF or NPY,
// computed (ui::computeAnalysis) and drawn by the same code the desktop app uses, with the view
// options spelled as the app spells them (ui/session/ViewOptions.h).
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QList>
#include <QStringList>

#include <memory>
#include <string>

#include "CliCommands.h"

namespace cli {

// The options only `render` takes (the view options, and --size); main() adds them to its
// parser. --top-k, which other commands take too, main() defines itself.
QList<QCommandLineOption> renderOptions();
// The render-only options set on the command line, as "--name", for other commands to refuse.
QStringList renderOptionsSet(const QCommandLineParser& parser);

// The application object render needs: a QGuiApplication (fonts, painting), on the offscreen
// platform unless QT_QPA_PLATFORM says otherwise, so it runs without a display.
std::unique_ptr<QCoreApplication> makeRenderApplication(int& argc, char** argv);

// Checks the render options and runs. Throws UsageError for a bad command line, including
// inputs or views the model's kind rules out (an overlay of a text model), and
// attnscope::Error for bad input (model, text, layer or head that does not exist).
void runRender(const std::string& model, const attnscope::UserInput& input, const QCommandLineParser& parser);

}  // namespace cli
