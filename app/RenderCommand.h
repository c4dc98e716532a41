#pragma once
// `attnscope-cli render`: one view of a text's attention written as PNG, SVG, PDF or NPY,
// through the same figure code the desktop app exports with.
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

// Checks the render options and runs. Throws UsageError for a bad command line and
// attnscope::Error for bad input (model, text, layer or head that does not exist).
void runRender(const std::string& model, const TextInput& input, const QCommandLineParser& parser);

}  // namespace cli
