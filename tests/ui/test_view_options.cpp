// View options (ViewOptions.h): every name and alias of the one table maps both ways and
// unknown names fail; readViewSettings reads parsed command lines and refuses bad ones with a
// message naming the option; stackIndexFor's aliases; applyViewSettings sets the selection;
// and a stack named before the model opens is selected once setStacks brings it.
#include <QtTest>

#include <QCommandLineParser>

#include <functional>

#include "AttentionSelection.h"
#include "GoldenFixtures.h"
#include "ViewOptions.h"
#include "model/Checkpoint.h"

using attnscope::HardRule;
using attnscope::HeadMode;
using attnscope::LayerMode;
using attnscope::ui::AttentionSelection;
using attnscope::ui::Normalization;
using attnscope::ui::OptionError;
using attnscope::ui::ValueScale;
using attnscope::ui::ViewKind;
using attnscope::ui::ViewSettings;

namespace {

// A parser with the view options and --top-k, as both command lines define them, that has
// parsed `arguments` (after the program name).
struct Parsed {
    QCommandLineParser parser;
    bool ok = false;
    explicit Parsed(const QStringList& arguments) {
        parser.addOptions(attnscope::ui::viewOptions());
        parser.addOption(QCommandLineOption(QStringLiteral("top-k"), QStringLiteral("Hard attention keeps the K largest."), QStringLiteral("K")));
        ok = parser.parse(QStringList{QStringLiteral("attnscope")} + arguments);
    }
};

// The OptionError readViewSettings throws for `arguments`; empty when it accepts them.
QString refusal(const QStringList& arguments) {
    Parsed parsed(arguments);
    if (!parsed.ok) return QStringLiteral("the parser refused: ") + parsed.parser.errorText();
    try {
        attnscope::ui::readViewSettings(parsed.parser);
    } catch (const OptionError& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

// Every value's written name reads back as the value, and each alias reads as its value.
template <typename Value>
void checkTable(const std::vector<std::pair<Value, QStringList>>& table, const std::function<QString(Value)>& nameOf,
                const std::function<std::optional<Value>(const QString&)>& valueOf) {
    for (const auto& [value, names] : table) {
        QCOMPARE(nameOf(value), names.front());
        for (const QString& name : names) {
            QVERIFY2(valueOf(name) == value, qPrintable(name));
            QVERIFY2(valueOf(QStringLiteral(" %1 ").arg(name.toUpper())) == value, qPrintable(name));  // case and spaces do not matter
        }
    }
    for (const QString& unknown : {QString(), QStringLiteral("lens"), QStringLiteral("median"), QStringLiteral("top-k"), QStringLiteral("rows")})
        QVERIFY2(!valueOf(unknown), qPrintable(unknown));
}

std::vector<attnscope::StackShape> t5Stacks() {
    const auto checkpoint = attnscope::Checkpoint::open(fixtures::goldenDir() / "t5" / "model");
    return checkpoint->capabilities().stacks;
}

}  // namespace

class TestViewOptions : public QObject {
    Q_OBJECT
private slots:
    void namesMapBothWays();
    void optionNamesAreTheParsersOptions();
    void readsAValidCommandLine();
    void defaultsWithoutOptions();
    void aRuleAloneMeansHard();
    void badCommandLinesNameTheOption_data();
    void badCommandLinesNameTheOption();
    void stackAliases();
    void applySetsTheSelection();
    void namedStackWaitsForTheModelsStacks();
    void laterChoiceReplacesAWaitingStack();
};

void TestViewOptions::namesMapBothWays() {
    using namespace attnscope::ui;
    checkTable<ViewKind>({{ViewKind::Matrix, {"matrix"}},
                          {ViewKind::Heads, {"heads"}},
                          {ViewKind::Grid, {"grid", "model"}},
                          {ViewKind::Tokens, {"tokens"}},
                          {ViewKind::Overlay, {"overlay", "image"}},
                          {ViewKind::Alignment, {"alignment"}}},
                         viewName, viewNamed);
    checkTable<HeadMode>({{HeadMode::Single, {"single"}}, {HeadMode::Mean, {"mean"}}, {HeadMode::Max, {"max"}}}, headModeName, headModeNamed);
    checkTable<HardRule>({{HardRule::TopK, {"top_k"}}, {HardRule::Threshold, {"threshold"}}, {HardRule::Mass, {"mass"}}}, hardRuleName,
                         hardRuleNamed);
    checkTable<ValueScale>({{ValueScale::Linear, {"linear"}}, {ValueScale::Log, {"log"}}}, scaleName, scaleNamed);
    checkTable<Normalization>({{Normalization::Global, {"global"}}, {Normalization::PerRow, {"row"}}}, normalizationName,
                              normalizationNamed);
}

void TestViewOptions::optionNamesAreTheParsersOptions() {
    const QStringList names = attnscope::ui::viewOptionNames();
    for (const char* name : {"layer", "head", "rollout", "mode", "threshold", "mass", "view", "attention", "opacity", "colormap", "scale",
                             "normalize", "query", "hide-special", "words", "leave-out"})
        QVERIFY2(names.contains(QLatin1String(name)), name);
    QVERIFY(!names.contains(QStringLiteral("top-k")));  // the caller's, shared with other commands
    QCOMPARE(names.size(), attnscope::ui::viewOptions().size());
}

void TestViewOptions::readsAValidCommandLine() {
    Parsed parsed({"--layer", "1", "--head", "mean", "--rollout", "--view", "model", "--attention", " Cross ", "--query", "3",
                   "--hide-special", "--words", "--colormap", "magma", "--scale", "log", "--normalize", "row", "--opacity", "0.25", "--threshold", "0.3"});
    QVERIFY2(parsed.ok, qPrintable(parsed.parser.errorText()));
    const ViewSettings s = attnscope::ui::readViewSettings(parsed.parser);
    QCOMPARE(s.view, std::optional<ViewKind>(ViewKind::Grid));
    QVERIFY(!s.lens);
    QCOMPARE(s.stack, std::optional<QString>(QStringLiteral("cross")));
    QCOMPARE(s.query.layer, 1);
    QCOMPARE(s.query.headMode, HeadMode::Mean);
    QVERIFY(s.headGiven);
    QCOMPARE(s.query.layerMode, LayerMode::Rollout);
    QVERIFY(s.query.hard);
    QCOMPARE(s.query.hardSelection.rule, HardRule::Threshold);
    QCOMPARE(s.query.hardSelection.threshold, 0.3f);
    QVERIFY(s.query.hideSpecialTokens);
    QVERIFY(s.query.words);
    QCOMPARE(s.queryToken, std::optional<int>(3));
    QCOMPARE(s.style.colorMap, QStringLiteral("magma"));
    QCOMPARE(s.style.scale, ValueScale::Log);
    QCOMPARE(s.style.normalization, Normalization::PerRow);
    QCOMPARE(s.style.overlayOpacity, 0.25);

    Parsed lens({"--view", "LENS", "--head", "2", "--mode", "hard", "--top-k", "4"});
    QVERIFY(lens.ok);
    const ViewSettings l = attnscope::ui::readViewSettings(lens.parser);
    QVERIFY(l.lens);
    QVERIFY(!l.view);
    QCOMPARE(l.query.head, 2);
    QCOMPARE(l.query.headMode, HeadMode::Single);
    QVERIFY(l.query.hard);
    QCOMPARE(l.query.hardSelection.rule, HardRule::TopK);
    QCOMPARE(l.query.hardSelection.k, 4);
}

void TestViewOptions::defaultsWithoutOptions() {
    Parsed parsed(QStringList{});
    QVERIFY(parsed.ok);
    const ViewSettings s = attnscope::ui::readViewSettings(parsed.parser);
    const attnscope::AttentionQuery defaults;
    QVERIFY(!s.view && !s.lens && !s.stack && !s.queryToken && !s.headGiven);
    QCOMPARE(s.query.layer, defaults.layer);
    QCOMPARE(s.query.head, defaults.head);
    QCOMPARE(s.query.headMode, defaults.headMode);
    QCOMPARE(s.query.layerMode, LayerMode::Single);
    QVERIFY(!s.query.hard);
    QVERIFY(!s.query.hideSpecialTokens);
    QCOMPARE(s.style.colorMap, attnscope::ui::FigureStyle().colorMap);
}

void TestViewOptions::aRuleAloneMeansHard() {
    Parsed mass({"--mass", "0.8"});
    QVERIFY(mass.ok);
    const ViewSettings s = attnscope::ui::readViewSettings(mass.parser);
    QVERIFY(s.query.hard);
    QCOMPARE(s.query.hardSelection.rule, HardRule::Mass);
    QCOMPARE(s.query.hardSelection.mass, 0.8f);
    Parsed soft({"--mode", "soft"});
    QVERIFY(soft.ok);
    QVERIFY(!attnscope::ui::readViewSettings(soft.parser).query.hard);
}

void TestViewOptions::badCommandLinesNameTheOption_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("named");  // what the message must contain
    QTest::newRow("two hard rules") << QStringList{"--top-k", "2", "--mass", "0.5"} << QStringList{"--top-k", "--mass"};
    QTest::newRow("soft with a rule") << QStringList{"--mode", "soft", "--top-k", "3"} << QStringList{"--mode soft", "--top-k"};
    QTest::newRow("rollout with a head") << QStringList{"--rollout", "--head", "2"} << QStringList{"--rollout", "--head"};
    QTest::newRow("rollout with max") << QStringList{"--rollout", "--head", "max"} << QStringList{"--rollout", "--head"};
    QTest::newRow("threshold above one") << QStringList{"--threshold", "1.5"} << QStringList{"--threshold", "1.5"};
    QTest::newRow("mass of zero") << QStringList{"--mass", "0"} << QStringList{"--mass"};
    QTest::newRow("layer not a number") << QStringList{"--layer", "x"} << QStringList{"--layer", "'x'", "whole number"};
    QTest::newRow("top-k of zero") << QStringList{"--top-k", "0"} << QStringList{"--top-k", "at least 1"};
    QTest::newRow("unknown view") << QStringList{"--view", "pie"} << QStringList{"--view", "'pie'", "lens"};
    QTest::newRow("unknown mode") << QStringList{"--mode", "medium"} << QStringList{"--mode", "'medium'"};
    QTest::newRow("unknown scale") << QStringList{"--scale", "sqrt"} << QStringList{"--scale", "'sqrt'", "linear", "log"};
    QTest::newRow("unknown normalisation") << QStringList{"--normalize", "column"} << QStringList{"--normalize", "'column'"};
    QTest::newRow("unknown colour map") << QStringList{"--colormap", "rainbow"} << QStringList{"--colormap", "'rainbow'"};
    QTest::newRow("opacity above one") << QStringList{"--opacity", "2"} << QStringList{"--opacity"};
    QTest::newRow("query not a number") << QStringList{"--query", "last"} << QStringList{"--query", "'last'"};
    QTest::newRow("leave-out not numbers") << QStringList{"--leave-out", "bos"} << QStringList{"leave-out"};
}

void TestViewOptions::badCommandLinesNameTheOption() {
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, named);
    const QString message = refusal(arguments);
    QVERIFY2(!message.isEmpty(), "accepted");
    QVERIFY2(!message.startsWith(QStringLiteral("the parser refused")), qPrintable(message));
    for (const QString& part : named) QVERIFY2(message.contains(part), qPrintable(message));
}

void TestViewOptions::stackAliases() {
    using attnscope::ui::stackIndexFor;
    const QStringList single{QStringLiteral("self")};
    QCOMPARE(stackIndexFor(single, QStringLiteral("self")), 0);
    QCOMPARE(stackIndexFor(single, QStringLiteral("encoder")), 0);  // what the first stack was called before
    QCOMPARE(stackIndexFor(single, QStringLiteral(" Encoder ")), 0);
    QCOMPARE(stackIndexFor(single, QStringLiteral("cross")), -1);
    QCOMPARE(stackIndexFor(single, QStringLiteral("decoder")), -1);
    const QStringList t5{QStringLiteral("encoder"), QStringLiteral("decoder"), QStringLiteral("cross")};
    QCOMPARE(stackIndexFor(t5, QStringLiteral("encoder")), 0);
    QCOMPARE(stackIndexFor(t5, QStringLiteral("DECODER")), 1);
    QCOMPARE(stackIndexFor(t5, QStringLiteral("cross")), 2);
    QCOMPARE(stackIndexFor(t5, QStringLiteral("self")), -1);  // ambiguous among three
    QCOMPARE(stackIndexFor({}, QStringLiteral("encoder")), -1);
    QCOMPARE(stackIndexFor({QStringLiteral("a"), QStringLiteral("b")}, QStringLiteral("self")), -1);
}

void TestViewOptions::applySetsTheSelection() {
    Parsed parsed({"--layer", "1", "--head", "max", "--mass", "0.6", "--hide-special", "--words", "--colormap", "magma", "--scale", "log",
                   "--normalize", "row", "--opacity", "0.4", "--leave-out", "0,2"});
    QVERIFY(parsed.ok);
    AttentionSelection selection;
    selection.setShape(2, 4);
    QSignalSpy changed(&selection, &AttentionSelection::changed);
    attnscope::ui::applyViewSettings(attnscope::ui::readViewSettings(parsed.parser), selection);
    QVERIFY(changed.count() > 0);
    QCOMPARE(selection.layer(), 1);
    QCOMPARE(selection.headMode(), HeadMode::Max);
    QVERIFY(!selection.rollout());
    QVERIFY(selection.hard());
    QCOMPARE(selection.hardSelection().rule, HardRule::Mass);
    QCOMPARE(selection.hardSelection().mass, 0.6f);
    QVERIFY(selection.hideSpecialTokens());
    QVERIFY(selection.words());
    QCOMPARE(selection.leftOutKeys(), (std::vector<int>{0, 2}));
    QCOMPARE(selection.style().colorMap, QStringLiteral("magma"));
    QCOMPARE(selection.style().scale, ValueScale::Log);
    QCOMPARE(selection.style().normalization, Normalization::PerRow);
    QCOMPARE(selection.style().overlayOpacity, 0.4);

    // Rollout with the head mean, applied before any model: kept as given.
    Parsed rollout({"--layer", "5", "--rollout", "--head", "mean"});
    QVERIFY(rollout.ok);
    AttentionSelection early;
    attnscope::ui::applyViewSettings(attnscope::ui::readViewSettings(rollout.parser), early);
    QVERIFY(early.rollout());
    QCOMPARE(early.headMode(), HeadMode::Mean);
    QCOMPARE(early.layer(), 5);
    early.setShape(2, 4);
    QCOMPARE(early.layer(), 1);  // clamped once the model's shape is known
}

void TestViewOptions::namedStackWaitsForTheModelsStacks() {
    AttentionSelection selection;
    selection.selectStack(QStringLiteral("cross"));  // --attention cross, before the model opens
    QCOMPARE(selection.stack(), 0);
    selection.setShape(2, 4);  // a single-stack shape has no "cross": still waiting
    QCOMPARE(selection.stack(), 0);
    QSignalSpy changed(&selection, &AttentionSelection::changed);
    const auto stacks = t5Stacks();
    QCOMPARE(stacks.size(), std::size_t(3));
    selection.setStacks(stacks);
    QCOMPARE(selection.stack(), 2);
    QCOMPARE(selection.stackName(), QStringLiteral("cross"));
    QVERIFY(selection.isCrossStack());
    QCOMPARE(selection.layers(), stacks[2].layers);
    QVERIFY(changed.count() >= 1);
    // Taken once: the same stacks again keep the stack shown, and another choice sticks.
    selection.setStack(1);
    selection.setStacks(stacks);
    QCOMPARE(selection.stack(), 1);
}

void TestViewOptions::laterChoiceReplacesAWaitingStack() {
    AttentionSelection selection;
    selection.setShape(2, 4);
    selection.selectStack(QStringLiteral("cross"));  // waits
    selection.selectStack(QStringLiteral("encoder"));  // the only stack's alias: chosen now, the wait ends
    QCOMPARE(selection.stack(), 0);
    selection.setStacks(t5Stacks());
    QCOMPARE(selection.stackName(), QStringLiteral("encoder"));
}

QTEST_MAIN(TestViewOptions)
#include "test_view_options.moc"
