// Generating in the app: Generate and Step add tokens that show in every view as they come,
// the views follow the newest token, Stop keeps what was made, a seed repeats, and a masked
// language model masks the selected token to show what it would put there.
#include <QtTest>

#include <QPushButton>
#include <QStatusBar>

#include <cmath>

#include "Analysis.h"
#include "AttentionSelection.h"
#include "GenerationControls.h"
#include "GoldenFixtures.h"
#include "HeatmapView.h"
#include "MainWindow.h"
#include "PredictionsPanel.h"
#include "TokenLabel.h"
#include "TokenStripView.h"
#include "ViewFixtures.h"
#include "WindowFixtures.h"
#include "analysis/Generation.h"
#include "analysis/Predictions.h"
#include "model/Checkpoint.h"

using namespace attnscope;
namespace fs = std::filesystem;
using attnscope::ui::Analysis;
using attnscope::ui::GenerationControls;
using attnscope::ui::GenerationRun;
using attnscope::ui::MainWindow;
using attnscope::ui::PredictionsPanel;

using windowfixtures::kTimeoutMs;
using windowfixtures::openAndCompute;
using windowfixtures::storiesModel;
using windowfixtures::waitIdle;

namespace {

const QString kPrompt = QStringLiteral("Once upon a time, there was a little");

std::vector<int> greedyFrom(const QString& model, const QString& prompt, int newTokens) {
    const auto cp = Checkpoint::open(model.toStdString());
    return generate(cp->model(), cp->encode(prompt.toStdString()).ids, SamplingSettings{}, newTokens, endOfSequenceIds(cp->config())).ids;
}

std::vector<int> prefix(const std::vector<int>& ids, std::size_t n) { return {ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n)}; }

}  // namespace

class GenerationWindowTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void generateShowsEveryTokenAndFollowsTheNewest();
    void stepContinuesTheGeneration();
    void windowStaysResponsiveWhileGenerating();
    void stopKeepsWhatWasMadeAndStepContinuesIt();
    void aNewPromptStartsAfresh();
    void anEmptyPromptStartsFromTheBeginningToken();
    void stopsWhenTheContextIsFull();
    void seededSamplingRepeats();
    void badSettingsGetAMessage();
    void classroomModeAnimates();
    void onlyGeneratingModelsShowTheControls();
    void maskingATokenShowsTheModelsGuess();
    void encoderDecoderGeneratesItsTarget();
};

// Generate adds greedy tokens (the engine's own, from the same prompt), each arriving as an
// analysis of the whole sequence so far; the views show it and select its newest token.
void GenerationWindowTest::generateShowsEveryTokenAndFollowsTheNewest() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), kPrompt));
    GenerationControls* controls = window.generationControls();
    QVERIFY(controls->isVisible());
    QVERIFY(controls->generateButton()->isVisible());
    const int promptTokens = window.session().analysis()->tokenCount();
    controls->setMaxNewTokens(12);
    controls->setAnimate(true);  // every token shown, so each arrival can be checked

    std::vector<int> sizes;
    bool followedNewest = true;
    connect(&window.session(), &ui::AttentionSession::analysisChanged, this, [&] {
        const auto a = window.session().analysis();
        sizes.push_back(a->tokenCount());
        followedNewest = followedNewest && window.selection().selectedQuery() == a->tokenCount() - 1 &&
                         window.heatmap()->analysis() == a;
    });
    QSignalSpy finished(&window.session(), &ui::AttentionSession::generationFinished);
    QTest::mouseClick(controls->generateButton(), Qt::LeftButton);
    QTRY_VERIFY(controls->isRunning());
    QCOMPARE(controls->generateButton()->text(), QStringLiteral("&Stop"));
    QVERIFY(!controls->stepButton()->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QVERIFY(waitIdle(window));
    QVERIFY(!controls->isRunning());

    const auto analysis = window.session().analysis();
    QVERIFY(analysis->isGeneration());
    QCOMPARE(analysis->promptLength, promptTokens);
    QCOMPARE(analysis->tokens().ids, greedyFrom(storiesModel(), kPrompt, 12));
    QCOMPARE(analysis->tokenCount(), promptTokens + 12);
    QCOMPARE(analysis->attention(0).queries, analysis->tokenCount());
    QCOMPARE(int(analysis->tokenPredictions.size()), analysis->tokenCount());
    // One arrival per token, each one token longer, each followed by the views.
    std::vector<int> expected;
    for (int n = promptTokens + 1; n <= promptTokens + 12; ++n) expected.push_back(n);
    QCOMPARE(sizes, expected);
    QVERIFY(followedNewest);
    QVERIFY(analysis->generatedText.startsWith(QStringLiteral(" girl named Lily")));
    QVERIFY2(controls->summary().contains(analysis->generatedText), qPrintable(controls->summary()));
    QCOMPARE(finished.first().at(0).value<GenerationRun::Stop>(), GenerationRun::Stop::MaxTokens);
    QCOMPARE(finished.first().at(1).toInt(), 12);

    // The token strip sets the model's tokens apart from the prompt's, in the view and its title.
    window.setCurrentView(ui::ViewKind::Tokens);
    const ui::TokenStripFigure* strip = window.tokenStripView()->stripFigure();
    QVERIFY(strip);
    std::vector<bool> expectedGenerated(static_cast<std::size_t>(promptTokens), false);
    expectedGenerated.resize(static_cast<std::size_t>(promptTokens + 12), true);
    QCOMPARE(strip->data().generated, expectedGenerated);
    QVERIFY(strip->data().title.endsWith(QStringLiteral("dashed: written by the model")));
    window.compute();  // the typed text alone: nothing is marked
    QVERIFY(waitIdle(window));
    QVERIFY(window.tokenStripView()->stripFigure()->data().generated.empty());
    window.generate();
    QVERIFY(waitIdle(window));

    // The predictions panel shows what the newest token predicts next.
    auto* panel = window.predictionsPanel();
    QCOMPARE(panel->title(), QStringLiteral("Next token after “%1”").arg(analysis->tokenLabels().back()));
    QCOMPARE(panel->entries().front().label, analysis->tokenPredictions.back().front().label);

    // Its attention equals a full pass over the same ids.
    const auto cp = Checkpoint::open(storiesModel().toStdString());
    ForwardInput input;
    input.ids = analysis->tokens().ids;
    const auto reference = cp->forward(input);
    const std::vector<float> a = analysis->attention(0).toFloat32(), b = reference->record.attention().toFloat32();
    QCOMPARE(a.size(), b.size());
    const double worst = fixtures::maxAbsDiff(a, b);
    QVERIFY2(worst <= 1e-5, qPrintable(QString::number(worst)));
}

// Step adds one token to the generation shown, from its cache: the same tokens as greedy
// decoding straight through.
void GenerationWindowTest::stepContinuesTheGeneration() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), kPrompt));
    const int promptTokens = window.session().analysis()->tokenCount();
    window.generationControls()->setMaxNewTokens(4);
    window.generate();
    QVERIFY(waitIdle(window));
    QCOMPARE(window.session().analysis()->tokenCount(), promptTokens + 4);
    for (int i = 0; i < 3; ++i) {
        QTest::mouseClick(window.generationControls()->stepButton(), Qt::LeftButton);
        QVERIFY(waitIdle(window));
    }
    const auto analysis = window.session().analysis();
    QCOMPARE(analysis->tokenCount(), promptTokens + 7);
    QCOMPARE(analysis->promptLength, promptTokens);
    QCOMPARE(analysis->tokens().ids, greedyFrom(storiesModel(), kPrompt, 7));
    QCOMPARE(window.selection().selectedQuery(), promptTokens + 6);
    QVERIFY(window.generationControls()->summary().startsWith(QStringLiteral("7 new tokens")));
}

// 300 unpaced tokens: the engine outruns the views, which show the newest state as often as
// they can without ever holding the event loop up.
void GenerationWindowTest::windowStaysResponsiveWhileGenerating() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(openAndCompute(window, storiesModel(), QStringLiteral("Once upon a time")));
    window.setCurrentView(ui::ViewKind::Matrix);
    window.generationControls()->setMaxNewTokens(300);
    int shown = 0;
    connect(&window.session(), &ui::AttentionSession::analysisChanged, this, [&] { ++shown; });
    window.generate();
    QVERIFY(window.session().isBusy());
    const windowfixtures::Stall stall = windowfixtures::longestStallWhile([&] { return window.session().isBusy(); });
    const auto analysis = window.session().analysis();
    QVERIFY(analysis->isGeneration());
    const int made = analysis->tokenCount() - analysis->promptLength;
    QVERIFY2(made > 20, qPrintable(QString::number(made)));  // stories260k may stop at its end of sequence
    QCOMPARE(window.heatmap()->analysis(), analysis);
    QVERIFY2(shown <= made, qPrintable(QStringLiteral("%1 states shown for %2 tokens").arg(shown).arg(made)));
    QVERIFY2(windowfixtures::responsive(stall), qPrintable(windowfixtures::describe(stall)));
}

void GenerationWindowTest::stopKeepsWhatWasMadeAndStepContinuesIt() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), kPrompt));
    const int promptTokens = window.session().analysis()->tokenCount();
    GenerationControls* controls = window.generationControls();
    controls->setMaxNewTokens(200);
    controls->setAnimate(true);
    QSignalSpy finished(&window.session(), &ui::AttentionSession::generationFinished);
    window.generate();
    QTRY_VERIFY_WITH_TIMEOUT(window.session().analysis()->tokenCount() >= promptTokens + 2, kTimeoutMs);
    QTest::mouseClick(controls->generateButton(), Qt::LeftButton);  // Stop
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QVERIFY(waitIdle(window));
    QCOMPARE(finished.first().at(0).value<GenerationRun::Stop>(), GenerationRun::Stop::Cancelled);
    const auto stopped = window.session().analysis();
    const int made = stopped->tokenCount() - promptTokens;
    QVERIFY2(made >= 2 && made < 20, qPrintable(QString::number(made)));
    QCOMPARE(finished.first().at(1).toInt(), made);
    QVERIFY(controls->summary().contains(QStringLiteral("stopped")));

    controls->setAnimate(false);
    window.stepGeneration();
    QVERIFY(waitIdle(window));
    const auto stepped = window.session().analysis();
    QCOMPARE(stepped->tokenCount(), stopped->tokenCount() + 1);
    QCOMPARE(stepped->tokens().ids, greedyFrom(storiesModel(), kPrompt, made + 1));
}

// Another prompt in the text field starts a new generation; Compute shows the typed text again.
void GenerationWindowTest::aNewPromptStartsAfresh() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), kPrompt));
    window.generationControls()->setMaxNewTokens(3);
    window.generate();
    QVERIFY(waitIdle(window));
    const QString other = QStringLiteral("Tom had a big red");
    window.setText(other);
    window.generate();
    QVERIFY(waitIdle(window));
    const auto analysis = window.session().analysis();
    QCOMPARE(analysis->text, other);
    QCOMPARE(analysis->tokens().ids, greedyFrom(storiesModel(), other, 3));
    window.compute();
    QVERIFY(waitIdle(window));
    QVERIFY(!window.session().analysis()->isGeneration());
    QCOMPARE(window.session().analysis()->tokenCount(), analysis->promptLength);
}

// GPT-2's tokenizer adds nothing to an empty text: the generation starts from bos_token_id.
void GenerationWindowTest::anEmptyPromptStartsFromTheBeginningToken() {
    MainWindow window;
    window.show();
    const QString gpt2 = viewfixtures::goldenModel("gpt2");
    QVERIFY(openAndCompute(window, gpt2, QStringLiteral("The cat")));
    window.setText({});
    window.generateTokens(3);
    QVERIFY(waitIdle(window));
    const auto analysis = window.session().analysis();
    QVERIFY(analysis->isGeneration());
    QCOMPARE(analysis->promptLength, 1);
    QCOMPARE(analysis->tokens().ids.front(), 0);
    const auto cp = Checkpoint::open(gpt2.toStdString());
    QCOMPARE(analysis->tokens().ids, generate(cp->model(), {0}, SamplingSettings{}, 3, endOfSequenceIds(cp->config())).ids);
}

// The golden gpt2 has 64 positions: a generation stops there and says so, and Step then
// adds nothing and says why.
void GenerationWindowTest::stopsWhenTheContextIsFull() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("gpt2"), QStringLiteral("The cat sat on the mat.")));
    window.generationControls()->setMaxNewTokens(200);
    QSignalSpy finished(&window.session(), &ui::AttentionSession::generationFinished);
    window.generate();
    QVERIFY(waitIdle(window));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(0).value<GenerationRun::Stop>(), GenerationRun::Stop::ContextFull);
    QCOMPARE(window.session().analysis()->tokenCount(), 64);
    QVERIFY2(window.generationControls()->summary().contains(QStringLiteral("context is full")),
             qPrintable(window.generationControls()->summary()));
    window.stepGeneration();
    QVERIFY(waitIdle(window));
    QCOMPARE(finished.count(), 2);
    QCOMPARE(finished.last().at(1).toInt(), 0);
    QCOMPARE(window.session().analysis()->tokenCount(), 64);
    QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("context is full")),
             qPrintable(window.statusBar()->currentMessage()));
}

void GenerationWindowTest::seededSamplingRepeats() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), QStringLiteral("Once upon a time")));
    GenerationControls* controls = window.generationControls();
    controls->setSampling(SamplingSettings{1.0f, 20, 0.95f, 1234});
    controls->setMaxNewTokens(15);
    const auto run = [&] {
        window.compute();  // back to the typed prompt: the next Generate starts afresh
        if (!waitIdle(window)) return std::vector<int>{};
        window.generate();
        if (!waitIdle(window)) return std::vector<int>{};
        return window.session().analysis()->tokens().ids;
    };
    const std::vector<int> first = run();
    QVERIFY(first.size() > 5);
    QCOMPARE(run(), first);
    // The engine's sampler with the same settings gives the same tokens.
    const auto cp = Checkpoint::open(storiesModel().toStdString());
    const auto expected = generate(cp->model(), cp->encode("Once upon a time").ids, SamplingSettings{1.0f, 20, 0.95f, 1234}, 15,
                                   endOfSequenceIds(cp->config()));
    QCOMPARE(first, expected.ids);
}

void GenerationWindowTest::badSettingsGetAMessage() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), kPrompt));
    // The spin boxes cannot go below 0; the engine's check is what a bad value meets.
    QSignalSpy errors(&window, &MainWindow::errorShown);
    ui::GenerationRequest request;
    request.prompt = kPrompt;
    request.sampling.temperature = -1.0f;
    window.session().generate(request);
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kTimeoutMs);
    QVERIFY2(errors.first().at(0).toString().contains(QStringLiteral("temperature")), qPrintable(errors.first().at(0).toString()));
    QVERIFY(waitIdle(window));
    QVERIFY(!window.session().analysis()->isGeneration());  // what was shown stays
}

// Classroom mode paces the tokens so a room can watch each one arrive.
void GenerationWindowTest::classroomModeAnimates() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), kPrompt));
    window.setClassroomMode(true);
    QVERIFY(window.generationControls()->animate());
    QCOMPARE(window.generationControls()->paceMs(), GenerationControls::kPaceMs);
    window.generationControls()->setMaxNewTokens(3);
    QElapsedTimer clock;
    clock.start();
    std::vector<qint64> arrivals;
    connect(&window.session(), &ui::AttentionSession::analysisChanged, this, [&] { arrivals.push_back(clock.elapsed()); });
    window.generate();
    QVERIFY(waitIdle(window));
    QCOMPARE(arrivals.size(), std::size_t(3));
    for (std::size_t i = 1; i < arrivals.size(); ++i)
        QVERIFY2(arrivals[i] - arrivals[i - 1] >= GenerationControls::kPaceMs - 50, qPrintable(QString::number(arrivals[i] - arrivals[i - 1])));
    window.setClassroomMode(false);
    QVERIFY(!window.generationControls()->animate());
    // Predict ▸ Animate Generation is the same switch.
    auto* action = window.findChild<QAction*>(QStringLiteral("animateAction"));
    QVERIFY(action && !action->isChecked());
    action->trigger();
    QVERIFY(window.generationControls()->animate());
    window.generationControls()->setAnimate(false);
    QVERIFY(!action->isChecked());
}

void GenerationWindowTest::onlyGeneratingModelsShowTheControls() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("bert_mlm"), QStringLiteral("The cat sat.")));
    QVERIFY(!window.generationControls()->isVisible());
    QVERIFY(!window.generationControls()->generateButton()->isVisible());
    const auto before = window.session().analysis();
    window.generate();  // Ctrl+G on a masked LM: a status message, nothing runs
    QVERIFY(!window.session().isBusy());
    QCOMPARE(window.session().analysis(), before);
    // A base model without a head cannot generate either; a causal LM can.
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("bert"), QStringLiteral("The cat sat.")));
    QVERIFY(!window.generationControls()->isVisible());
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("gpt2"), QStringLiteral("The cat sat.")));
    QVERIFY(window.generationControls()->isVisible());
}

// exBERT's gesture: mask the selected token and see what the model would put there; again
// to restore it. The guesses are the engine's softmax at the mask.
void GenerationWindowTest::maskingATokenShowsTheModelsGuess() {
    const QString model = viewfixtures::goldenModel("bert_mlm");
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, model, QStringLiteral("The cat sat on the mat.")));
    const auto original = window.session().analysis();
    const int cat = 2;  // [CLS] the cat
    QCOMPARE(original->tokenLabels().value(cat), QStringLiteral("cat"));
    QPushButton* mask = window.maskButton();
    window.selection().setSelectedQuery(0);
    QVERIFY(mask->isVisible());
    QVERIFY(!mask->isEnabled());  // [CLS] is special
    window.selection().setSelectedQuery(cat);
    QVERIFY(mask->isEnabled());
    QCOMPARE(mask->text(), QStringLiteral("Mask “cat” (Ctrl+M)"));
    QTest::mouseClick(mask, Qt::LeftButton);
    QVERIFY(waitIdle(window));
    const auto masked = window.session().analysis();
    QVERIFY(masked != original);
    QCOMPARE(masked->tokenLabels().value(cat), QStringLiteral("[MASK]"));
    QCOMPARE(masked->maskedTokens.value(cat), QStringLiteral("cat"));
    QCOMPARE(window.selection().selectedQuery(), cat);  // the selection stays on it
    QCOMPARE(window.predictionsPanel()->title(), QStringLiteral("The model's guess for [MASK], hiding “cat”"));
    QCOMPARE(mask->text(), QStringLiteral("Unmask “cat” (Ctrl+M)"));

    const auto cp = Checkpoint::open(model.toStdString());
    ForwardInput input;
    input.ids = cp->encode("The cat sat on the mat.").ids;
    input.ids[cat] = *cp->tokenizer()->tokenToId("[MASK]");
    input.typeIds.assign(input.ids.size(), 0);
    const auto reference = cp->forward(input);
    const auto expected = topPredictions(reference->record.logits.row(cat).data(), static_cast<int>(reference->record.logits.cols()), 8);
    const auto& shown = window.predictionsPanel()->entries();
    QCOMPARE(shown.size(), expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
        QCOMPARE(shown[k].label, ui::tokenLabel(cp->tokenizer()->idToToken(expected[k].id)));
        QVERIFY(std::abs(shown[k].probability - expected[k].probability) < 1e-5f);
    }
    const std::vector<float> a = masked->attention(0).toFloat32(), b = reference->record.attention().toFloat32();
    const double worst = fixtures::maxAbsDiff(a, b);
    QVERIFY2(worst <= 1e-5, qPrintable(QString::number(worst)));

    // Ctrl+M on the masked token restores the text.
    window.toggleMaskAtSelection();
    QVERIFY(waitIdle(window));
    QCOMPARE(window.session().analysis()->tokenLabels(), original->tokenLabels());
    QVERIFY(window.session().analysis()->maskedTokens.isEmpty());

    // Double-clicking a token in the token strip masks it too.
    window.setCurrentView(ui::ViewKind::Tokens);
    auto* strip = window.tokenStripView();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const int sat = 3;
    QPoint chipCentre;
    for (int y = 0; y < strip->height() && chipCentre.isNull(); y += 2)
        for (int x = 0; x < strip->width(); x += 2)
            if (strip->tokenOfChip(strip->chipAt(QPointF(x, y))) == sat) {
                chipCentre = QPoint(x + 6, y + 6);
                break;
            }
    QVERIFY(!chipCentre.isNull());
    QTest::mouseDClick(strip, Qt::LeftButton, {}, chipCentre);
    QVERIFY(waitIdle(window));
    QCOMPARE(window.session().analysis()->maskedTokens.value(sat), QStringLiteral("sat"));
    QCOMPARE(window.selection().selectedQuery(), sat);

    // A causal model has nothing to mask.
    QVERIFY(openAndCompute(window, storiesModel(), kPrompt));
    QVERIFY(!window.maskButton()->isVisible());
    const auto shownBefore = window.session().analysis();
    window.toggleMaskAtSelection();
    QVERIFY(!window.session().isBusy());
    QCOMPARE(window.session().analysis(), shownBefore);
}

// T5 generates its target for the typed source: the engine's greedy tokens, the decoder and
// cross-attention growing with them, the predictions following the target, and a typed
// target continued rather than replaced.
void GenerationWindowTest::encoderDecoderGeneratesItsTarget() {
    static const fs::path dir = fixtures::writeT5WithLmHead(fixtures::tmpDir() / "window_t5_lm");
    const QString t5 = QString::fromStdString(dir.string());
    const QString source = QStringLiteral("The cat sat on the mat.");
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, t5, source));
    // Teacher-forced first: the decoder start alone, and what it predicts next.
    QCOMPARE(window.session().analysis()->predictedSequence, 1);
    QCOMPARE(int(window.session().analysis()->tokenPredictions.size()), 1);
    GenerationControls* controls = window.generationControls();
    QVERIFY(controls->isVisible());
    controls->setMaxNewTokens(5);
    window.generate();
    QVERIFY(waitIdle(window));

    const auto cp = Checkpoint::open(dir);
    const std::vector<int> sourceIds = cp->encode(source.toStdString()).ids;
    const auto expected = generate(cp->model(), GenerationPrompt{{0}, sourceIds, {}}, SamplingSettings{}, 5, endOfSequenceIds(cp->config()));
    const auto analysis = window.session().analysis();
    QVERIFY(analysis->isGeneration());
    QCOMPARE(analysis->predictedSequence, 1);
    QCOMPARE(analysis->tokens().ids, sourceIds);  // the source stays the input
    QCOMPARE(analysis->predictedTokens().ids, expected.ids);
    QCOMPARE(analysis->promptLength, 1);
    QCOMPARE(analysis->generatedTokenCount(), int(expected.ids.size()) - 1);
    QCOMPARE(analysis->stackCount(), 3);
    QCOMPARE(analysis->attention(2).queries, int(expected.ids.size()));
    QCOMPARE(analysis->attention(2).keys, int(sourceIds.size()));
    QCOMPARE(int(analysis->tokenPredictions.size()), int(expected.ids.size()));
    QVERIFY2(controls->summary().contains(analysis->generatedText), qPrintable(controls->summary()));

    // On the cross-attention the views follow the newest target token, and the predictions
    // panel says what it predicts next.
    window.selection().setStack(2);
    QCOMPARE(window.selection().selectedQuery(), int(expected.ids.size()) - 1);
    auto* panel = window.predictionsPanel();
    QCOMPARE(panel->title(), QStringLiteral("Next token after “%1”").arg(analysis->predictedLabels().back()));
    QCOMPARE(panel->entries().front().label, analysis->tokenPredictions.back().front().label);

    // A typed target is where the decoder starts.
    window.setPairText(QStringLiteral("Die"));
    window.generate();
    QVERIFY(waitIdle(window));
    const auto typed = window.session().analysis();
    const std::vector<int> start = decoderPromptIds(*cp, "Die");
    QCOMPARE(typed->promptLength, int(start.size()));
    QCOMPARE(prefix(typed->predictedTokens().ids, start.size()), start);
    QCOMPARE(typed->target, QStringLiteral("Die"));
}

QTEST_MAIN(GenerationWindowTest)
#include "test_generation_window.moc"
