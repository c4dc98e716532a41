// attnscope [MODEL_DIR | SESSION.attnscope] [--classroom] [--text TEXT] [--pair TEXT | --target TEXT] [--image FILE]
//           [--view matrix|heads|model|tokens|overlay] [--attention encoder|decoder|cross]
//           [--layer N] [--head N|mean|max] [--rollout] [--mode soft|hard]
//           [--top-k K | --threshold T | --mass P] [--query N] [--hide-special]
//           [--colormap NAME] [--scale linear|log] [--normalize global|row] [--opacity P]:
// the desktop app. Without a model it opens the built-in induction model on a sample text
// (the welcome page when that fails), so a fresh install shows real attention at once.
// The view options set the shared selection before the model opens, so a screenshot or a
// demo can start on exactly the view it needs.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QIcon>
#include <QTextStream>

#include <cstdio>
#include <functional>

#include "AttentionSelection.h"
#include "MainWindow.h"
#include "SessionFile.h"
#include "model/ModelReference.h"

namespace {

using attnscope::ui::AttentionSelection;
using attnscope::ui::MainWindow;
using attnscope::ui::ViewKind;

[[noreturn]] void usageError(const QString& message) {
    std::fprintf(stderr, "error: %s\n", qPrintable(message));
    std::exit(2);
}

int intValue(const QCommandLineParser& parser, const QCommandLineOption& option, int minimum) {
    bool ok = false;
    const int value = parser.value(option).toInt(&ok);
    if (!ok || value < minimum)
        usageError(QStringLiteral("--%1 needs a whole number of at least %2, not \"%3\"").arg(option.names().last()).arg(minimum).arg(parser.value(option)));
    return value;
}

// A number in [0, 1], or in (0, 1] when zero would be meaningless (cumulative mass).
double fractionValue(const QCommandLineParser& parser, const QCommandLineOption& option, bool zeroAllowed = true) {
    bool ok = false;
    const double value = parser.value(option).toDouble(&ok);
    if (!ok || value < 0.0 || value > 1.0 || (!zeroAllowed && value == 0.0))
        usageError(QStringLiteral("--%1 needs a number %2 to 1, not \"%3\"")
                       .arg(option.names().last(), zeroAllowed ? QStringLiteral("from 0") : QStringLiteral("above 0 and up"),
                            parser.value(option)));
    return value;
}

ViewKind viewKind(const QString& name) {
    if (name == QLatin1String("matrix")) return ViewKind::Matrix;
    if (name == QLatin1String("heads")) return ViewKind::Heads;
    if (name == QLatin1String("model") || name == QLatin1String("grid")) return ViewKind::Grid;
    if (name == QLatin1String("tokens")) return ViewKind::Tokens;
    if (name == QLatin1String("overlay") || name == QLatin1String("image")) return ViewKind::Overlay;
    usageError(QStringLiteral("--view must be matrix, heads, model, tokens, overlay or lens, not \"%1\"").arg(name));
}

attnscope::ui::AttentionKind attentionKind(const QString& name) {
    using attnscope::ui::AttentionKind;
    if (name == QLatin1String("encoder")) return AttentionKind::Encoder;
    if (name == QLatin1String("decoder")) return AttentionKind::Decoder;
    if (name == QLatin1String("cross")) return AttentionKind::Cross;
    usageError(QStringLiteral("--attention must be encoder, decoder or cross, not \"%1\"").arg(name));
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

}  // namespace

int main(int argc, char* argv[]) {
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
                                 QStringLiteral("Hugging Face model folder or hub id (org/name), builtin:induction, builtin:shapes, "
                                                "a .attnscope session, or an attention file (.safetensors) to open."),
                                 QStringLiteral("[MODEL|SESSION.attnscope|ATTENTION.safetensors]"));
    const QCommandLineOption classroom(QStringLiteral("classroom"),
                                       QStringLiteral("Start in classroom mode: full screen, large type, dark theme."));
    const QCommandLineOption text({QStringLiteral("t"), QStringLiteral("text")}, QStringLiteral("Text to analyse once the model is open."),
                                  QStringLiteral("text"));
    const QCommandLineOption pair({QStringLiteral("p"), QStringLiteral("pair")}, QStringLiteral("Optional second segment (sentence pair)."),
                                  QStringLiteral("text"));
    const QCommandLineOption target(QStringLiteral("target"),
                                    QStringLiteral("Encoder-decoder (T5): the target text the decoder reads (teacher forcing)."),
                                    QStringLiteral("text"));
    const QCommandLineOption image(QStringLiteral("image"), QStringLiteral("Vision model (ViT, DeiT): the image file to analyse."),
                                   QStringLiteral("file"));
    const QCommandLineOption view(QStringLiteral("view"), QStringLiteral("View to show: matrix, heads, model, tokens, overlay or lens (the logit lens)."),
                                  QStringLiteral("view"));
    const QCommandLineOption attention(QStringLiteral("attention"),
                                       QStringLiteral("Encoder-decoder: encoder (self-attention), decoder (self-attention) or cross."),
                                       QStringLiteral("encoder|decoder|cross"));
    const QCommandLineOption opacity(QStringLiteral("opacity"), QStringLiteral("Image overlay: opacity of the attention colours, 0 to 1."),
                                     QStringLiteral("p"));
    const QCommandLineOption layer(QStringLiteral("layer"), QStringLiteral("Layer to show (0-based)."), QStringLiteral("n"));
    const QCommandLineOption head(QStringLiteral("head"), QStringLiteral("Head to show (0-based), or mean or max over the heads."),
                                  QStringLiteral("n|mean|max"));
    const QCommandLineOption rollout(QStringLiteral("rollout"), QStringLiteral("Attention rollout up to the layer."));
    const QCommandLineOption mode(QStringLiteral("mode"), QStringLiteral("soft (all weights) or hard (selected keys only)."),
                                  QStringLiteral("soft|hard"));
    const QCommandLineOption topK(QStringLiteral("top-k"), QStringLiteral("Hard: keep the k largest weights per query."), QStringLiteral("k"));
    const QCommandLineOption threshold(QStringLiteral("threshold"), QStringLiteral("Hard: keep weights >= t."), QStringLiteral("t"));
    const QCommandLineOption mass(QStringLiteral("mass"), QStringLiteral("Hard: keep the fewest keys summing to >= p."), QStringLiteral("p"));
    const QCommandLineOption query(QStringLiteral("query"), QStringLiteral("Query token to select (0-based index)."), QStringLiteral("n"));
    const QCommandLineOption hideSpecial(QStringLiteral("hide-special"), QStringLiteral("Hide special tokens ([CLS], [SEP], <s>, ...)."));
    const QCommandLineOption colorMap(QStringLiteral("colormap"), QStringLiteral("viridis, magma, cividis or grayscale."), QStringLiteral("name"));
    const QCommandLineOption scale(QStringLiteral("scale"), QStringLiteral("Colour scale: linear or log."), QStringLiteral("linear|log"));
    const QCommandLineOption normalize(QStringLiteral("normalize"), QStringLiteral("Colour normalisation: global or row."),
                                       QStringLiteral("global|row"));
    parser.addOptions({text, pair, target, image, view, attention, layer, head, rollout, mode, topK, threshold, mass, query, hideSpecial,
                       colorMap, scale, normalize, opacity, classroom});
    parser.process(app);

    if (parser.isSet(pair) && parser.isSet(target)) usageError(QStringLiteral("give --pair (a text model) or --target (an encoder-decoder), not both"));
    if (parser.isSet(image) && (parser.isSet(text) || parser.isSet(pair) || parser.isSet(target)))
        usageError(QStringLiteral("--image is for vision models; --text, --pair and --target are for text models"));

    MainWindow window;
    AttentionSelection& selection = window.selection();
    window.setText(parser.value(text));
    window.setPairText(parser.isSet(target) ? parser.value(target) : parser.value(pair));
    if (parser.isSet(image)) window.setImageFile(QFileInfo(parser.value(image)).absoluteFilePath());
    if (parser.isSet(view) && parser.value(view) == QLatin1String("lens")) window.openOnLens();
    else if (parser.isSet(view)) window.setPreferredView(viewKind(parser.value(view)));
    if (parser.isSet(attention)) selection.setAttentionKind(attentionKind(parser.value(attention)));
    if (parser.isSet(layer)) selection.setLayer(intValue(parser, layer, 0));
    if (parser.isSet(head)) {
        const QString value = parser.value(head);
        if (value == QLatin1String("mean")) selection.setHeadMode(attnscope::HeadMode::Mean);
        else if (value == QLatin1String("max")) selection.setHeadMode(attnscope::HeadMode::Max);
        else selection.setHead(intValue(parser, head, 0));
    }
    selection.setRollout(parser.isSet(rollout));
    // As in `attnscope-cli render`: one rule at most, and a rule alone means hard attention.
    const int rules = int(parser.isSet(topK)) + int(parser.isSet(threshold)) + int(parser.isSet(mass));
    if (rules > 1) usageError(QStringLiteral("give at most one of --top-k, --threshold and --mass"));
    if (parser.isSet(mode)) {
        const QString value = parser.value(mode);
        if (value != QLatin1String("soft") && value != QLatin1String("hard")) usageError(QStringLiteral("--mode must be soft or hard"));
        if (value == QLatin1String("soft") && rules > 0)
            usageError(QStringLiteral("--top-k, --threshold and --mass select hard attention; they do not go with --mode soft"));
        selection.setHard(value == QLatin1String("hard"));
    }
    if (rules > 0) selection.setHard(true);
    if (parser.isSet(topK)) {
        selection.setHardRule(attnscope::HardRule::TopK);
        selection.setTopK(intValue(parser, topK, 1));
    }
    if (parser.isSet(threshold)) {
        selection.setHardRule(attnscope::HardRule::Threshold);
        selection.setThreshold(fractionValue(parser, threshold));
    }
    if (parser.isSet(mass)) {
        selection.setHardRule(attnscope::HardRule::Mass);
        selection.setMass(fractionValue(parser, mass, false));
    }
    if (parser.isSet(query)) window.setInitialQuery(intValue(parser, query, 0));
    selection.setHideSpecialTokens(parser.isSet(hideSpecial));
    if (parser.isSet(colorMap)) selection.setColorMap(parser.value(colorMap));
    if (parser.isSet(scale)) {
        const QString value = parser.value(scale);
        if (value != QLatin1String("linear") && value != QLatin1String("log")) usageError(QStringLiteral("--scale must be linear or log"));
        selection.setValueScale(value == QLatin1String("log") ? attnscope::ui::ValueScale::Log : attnscope::ui::ValueScale::Linear);
    }
    if (parser.isSet(normalize)) {
        const QString value = parser.value(normalize);
        if (value != QLatin1String("global") && value != QLatin1String("row")) usageError(QStringLiteral("--normalize must be global or row"));
        selection.setNormalization(value == QLatin1String("row") ? attnscope::ui::Normalization::PerRow : attnscope::ui::Normalization::Global);
    }

    if (parser.isSet(opacity)) selection.setOverlayOpacity(fractionValue(parser, opacity));

    window.show();
    if (parser.isSet(classroom)) window.setClassroomMode(true);
    // The window computes as soon as the model is open when it has a text.
    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        window.openStartModel(QStringLiteral("builtin:induction"), startText());
    } else if (args.front().endsWith(QLatin1Char('.') + QLatin1String(attnscope::ui::kSessionSuffix)) && QFileInfo(args.front()).isFile()) {
        window.openSession(args.front());
        if (parser.isSet(classroom)) window.setClassroomMode(true);
    } else if (args.front().endsWith(QLatin1String(".safetensors")) && QFileInfo(args.front()).isFile()) {
        window.openAttentionFile(args.front());  // attention computed elsewhere (README)
    } else {
        window.openModel(args.front());
    }
    return QApplication::exec();
}
