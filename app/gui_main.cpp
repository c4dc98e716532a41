// attnscope [MODEL_DIR] [--text TEXT] [--pair TEXT]: the desktop app.
#include <QApplication>
#include <QCommandLineParser>

#include "MainWindow.h"

int main(int argc, char* argv[]) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QApplication::setOrganizationDomain(QStringLiteral("attnscope.org"));
#ifdef ATTNSCOPE_VERSION
    QApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));
#endif

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("See what a transformer attends to."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("model"), QStringLiteral("Hugging Face model folder to open."),
                                 QStringLiteral("[MODEL_DIR]"));
    const QCommandLineOption textOption({QStringLiteral("t"), QStringLiteral("text")},
                                        QStringLiteral("Text to analyse once the model is open."), QStringLiteral("text"));
    const QCommandLineOption pairOption({QStringLiteral("p"), QStringLiteral("pair")},
                                        QStringLiteral("Optional second segment (sentence pair)."), QStringLiteral("text"));
    const QCommandLineOption layerOption(QStringLiteral("layer"), QStringLiteral("Layer to show first (0-based)."), QStringLiteral("n"));
    const QCommandLineOption headOption(QStringLiteral("head"), QStringLiteral("Head to show first (0-based)."), QStringLiteral("n"));
    parser.addOptions({textOption, pairOption, layerOption, headOption});
    parser.process(app);

    attnscope::ui::MainWindow window;
    window.setText(parser.value(textOption));
    window.setPairText(parser.value(pairOption));
    window.setInitialHead(parser.value(layerOption).toInt(), parser.value(headOption).toInt());
    window.show();
    // The window computes as soon as the model is open when it has a text.
    if (const QStringList args = parser.positionalArguments(); !args.isEmpty()) window.openModel(args.front());
    return QApplication::exec();
}
