// attnscope [MODEL_DIR | SESSION.attnscope | ATTENTION.safetensors] [--classroom] [--text TEXT]
//           [--pair TEXT | --target TEXT] [--image FILE] and the view options of
//           `attnscope-cli render` (ui/session/ViewOptions.h): --view, --attention, --layer,
//           --head, --rollout, --mode, --top-k | --threshold | --mass, --query, --hide-special, --words,
//           --colormap, --scale, --normalize, --opacity:
// the desktop app. Without a model it opens the built-in induction model on a sample text
// (the welcome page when that fails), so a fresh install shows real attention at once.
// The view options set the shared selection before the model opens, so a screenshot or a
// demo can start on exactly the view it needs.
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QIcon>
#include <QTextStream>
#include <QTimer>

#include <cstdio>

#include "FigureView.h"
#include "InsideHeadTab.h"
#include "MainWindow.h"
#include "SessionFile.h"
#include "ViewOptions.h"
#include "Error.h"
#include "model/HeadAblation.h"
#include "model/ModelReference.h"

namespace {

using attnscope::ui::MainWindow;

[[noreturn]] void usageError(const QString& message) {
    std::fprintf(stderr, "error: %s\n", qPrintable(message));
    std::exit(2);
}

// The start text: the first induction sample (a repeated random string, where the built-in
// model's induction head shows), or a fixed one when the samples are not installed.
QString startText() {
    const std::filesystem::path samples = attnscope::findResourceFolder("samples");
    QFile file(QDir(QString::fromStdString(samples.string())).filePath(QStringLiteral("sentences.txt")));
    if (!samples.empty() && file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        QTextStream in(&file);
        while (!in.atEnd()) {
            const QString line = in.readLine().trimmed();
            if (!line.isEmpty() && !line.startsWith(QLatin1Char('#'))) return line;
        }
    }
    return QStringLiteral("the cat sat. xqzvbwkmhdjf xqzvbwkmhdjf");
}

QList<QCommandLineOption> appOptions() {
    QList<QCommandLineOption> options{
        {QStringLiteral("classroom"), QStringLiteral("Start in classroom mode: full screen, large type, dark theme.")},
        {{QStringLiteral("t"), QStringLiteral("text")}, QStringLiteral("Text to analyse once the model is open."), QStringLiteral("text")},
        {{QStringLiteral("p"), QStringLiteral("pair")}, QStringLiteral("Optional second segment (sentence pair)."), QStringLiteral("text")},
        {QStringLiteral("target"), QStringLiteral("Encoder-decoder (T5): the target text the decoder reads (teacher forcing); with --image, a captioner's caption so far."),
         QStringLiteral("text")},
        {QStringLiteral("image"), QStringLiteral("Vision model (ViT, DeiT): the image file to analyse."), QStringLiteral("file")},
        {QStringLiteral("top-k"), QStringLiteral("Hard: keep the k largest weights per query."), QStringLiteral("k")},
        {QStringLiteral("heads-off"), QStringLiteral("Switch these heads off (layer.head, from 0: 1.0,2.3); the predictions compare."),
         QStringLiteral("L.H,L.H")},
        {QStringLiteral("heads-off-mode"), QStringLiteral("How a switched-off head is replaced: zero (default) or mean."), QStringLiteral("zero|mean")},
        {QStringLiteral("report-first-picture"),
         QStringLiteral("Print how long the first attention picture took to appear (ms since start) and quit: the time-to-picture measurement.")},
    };
    return options + attnscope::ui::viewOptions();
}

// What the command line asks the window to show once the model opens.
void applyOptions(const QCommandLineParser& parser, MainWindow& window) {
    if (parser.isSet(QStringLiteral("pair")) && parser.isSet(QStringLiteral("target")))
        usageError(QStringLiteral("give --pair (a text model) or --target (an encoder-decoder), not both"));
    // With --image, --target is a captioner's caption so far (a vision-encoder-decoder's decoder reads it).
    if (parser.isSet(QStringLiteral("image")) && (parser.isSet(QStringLiteral("text")) || parser.isSet(QStringLiteral("pair"))))
        usageError(QStringLiteral("--image is for vision models; --text and --pair are for text models"));
    attnscope::ui::ViewSettings settings;
    try {
        settings = attnscope::ui::readViewSettings(parser);
    } catch (const attnscope::ui::OptionError& e) {
        usageError(QString::fromStdString(e.what()));
    }
    window.setText(parser.value(QStringLiteral("text")));
    window.setPairText(parser.isSet(QStringLiteral("target")) ? parser.value(QStringLiteral("target")) : parser.value(QStringLiteral("pair")));
    if (parser.isSet(QStringLiteral("image"))) {
        window.setCaption(parser.value(QStringLiteral("target")));
        window.setImageFile(QFileInfo(parser.value(QStringLiteral("image"))).absoluteFilePath());
    }
    if (parser.isSet(QStringLiteral("heads-off"))) {
        const auto mode = attnscope::ablationModeNamed(parser.value(QStringLiteral("heads-off-mode")).toStdString());
        if (parser.isSet(QStringLiteral("heads-off-mode")) && !mode) usageError(QStringLiteral("--heads-off-mode: zero or mean"));
        try {
            window.setInitialAblation(attnscope::parseHeadAblation(parser.value(QStringLiteral("heads-off")).toStdString(),
                                                                   mode.value_or(attnscope::AblationMode::Zero)));
        } catch (const attnscope::Error& e) {
            usageError(QStringLiteral("--heads-off: %1").arg(QString::fromStdString(e.what())));
        }
    }
    if (settings.compareText || settings.compareImage) {
        attnscope::ui::AnalysisRequest other;
        if (settings.compareText) other.text = *settings.compareText;
        if (settings.compareImage) other.imageFile = QFileInfo(*settings.compareImage).absoluteFilePath();
        other.pair = parser.value(QStringLiteral("pair"));
        other.target = parser.value(QStringLiteral("target"));
        window.setInitialOtherInput(other);
    }
    if (settings.lens) window.openOnLens();
    else if (settings.attribution) window.openOnAttribution();
    else if (settings.inside) window.openOnInside();
    else if (settings.view) window.setPreferredView(*settings.view);
    if (settings.insideStep) window.insideTab()->setStep(static_cast<attnscope::ui::InsideStep>(*settings.insideStep - 1));
    if (settings.queryToken) window.setInitialQuery(*settings.queryToken);
    attnscope::ui::applyViewSettings(settings, window.selection());
}

// --report-first-picture: the first paint of any view that drew a figure prints the time since
// start and ends the app (after that paint has returned).
void reportFirstPicture(MainWindow& window, const QElapsedTimer& sinceStart) {
    for (auto* view : window.findChildren<attnscope::ui::FigureView*>()) {
        QObject::connect(view, &attnscope::ui::FigureView::figurePainted, &window, [&sinceStart] {
            static bool reported = false;
            if (reported) return;
            reported = true;
            std::printf("first_picture_ms=%lld\n", static_cast<long long>(sinceStart.elapsed()));
            std::fflush(stdout);
            QTimer::singleShot(0, qApp, &QApplication::quit);
        });
    }
}

}  // namespace

int main(int argc, char* argv[]) {
    QElapsedTimer sinceStart;
    sinceStart.start();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QApplication::setOrganizationDomain(QStringLiteral("attnscope.org"));
#ifdef ATTNSCOPE_VERSION
    QApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));
#endif
    // The installed desktop entry and icons share this id (packaging/); it lets Wayland
    // compositors match the window to its entry. The bundled SVG serves when no theme has it.
    QGuiApplication::setDesktopFileName(QStringLiteral(ATTNSCOPE_APP_ID));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral(ATTNSCOPE_APP_ID), QIcon(QStringLiteral(":/icons/attnscope.svg"))));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("See what a transformer attends to."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QStringLiteral("Hugging Face model folder or hub id (org/name), a GGUF file, ollama:NAME[:TAG], "
                                                "builtin:induction, builtin:shapes, a .attnscope session, or an attention file "
                                                "(.safetensors) to open."),
                                 QStringLiteral("[MODEL|SESSION.attnscope|ATTENTION.safetensors]"));
    parser.addOptions(appOptions());
    parser.process(app);

    MainWindow window;
    applyOptions(parser, window);
    if (parser.isSet(QStringLiteral("report-first-picture"))) reportFirstPicture(window, sinceStart);
    window.show();
    const bool classroom = parser.isSet(QStringLiteral("classroom"));
    if (classroom) window.setClassroomMode(true);
    // The window computes as soon as the model is open when it has a text.
    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        window.openStartModel(QStringLiteral("builtin:induction"), startText());
    } else if (args.front().endsWith(QLatin1Char('.') + QLatin1String(attnscope::ui::kSessionSuffix)) && QFileInfo(args.front()).isFile()) {
        window.openSession(args.front());
        if (classroom) window.setClassroomMode(true);
    } else if (args.front().endsWith(QLatin1String(".safetensors")) && QFileInfo(args.front()).isFile()) {
        window.openAttentionFile(args.front());  // attention computed elsewhere (README)
    } else {
        window.openModel(args.front());
    }
    return QApplication::exec();
}
