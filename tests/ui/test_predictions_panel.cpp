// The predictions panel: the language model's top tokens for the selected position, equal to
// the engine's softmax of its logits; a note where the model predicts nothing.
#include <QtTest>

#include <QLabel>

#include <cmath>

#include "Analysis.h"
#include "AttentionSelection.h"
#include "GoldenFixtures.h"
#include "GenerationControls.h"
#include "MainWindow.h"
#include "PredictionsPanel.h"
#include "SequenceClassifierFixtures.h"
#include "TokenLabel.h"
#include "ViewFixtures.h"
#include "WindowFixtures.h"
#include "analysis/Predictions.h"
#include "model/Checkpoint.h"

using namespace attnscope;
using attnscope::ui::MainWindow;
using attnscope::ui::PredictionsPanel;

using windowfixtures::kTimeoutMs;
using windowfixtures::openAndCompute;
using windowfixtures::storiesModel;

namespace {

}  // namespace

class PredictionsPanelTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void causalModelShowsTheNextToken();
    void maskedModelShowsItsGuess();
    void modelWithoutHeadSaysSo();
    void visionModelHidesThePanel();
    void textClassifierShowsItsLabels();
};

void PredictionsPanelTest::causalModelShowsTheNextToken() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, storiesModel(), QStringLiteral("Once upon a")));
    auto* panel = window.findChild<PredictionsPanel*>(QStringLiteral("predictionsPanel"));
    QVERIFY(panel && panel->isVisible());
    window.selection().setSelectedQuery(3);  // "▁a"
    QCOMPARE(panel->title(), QStringLiteral("Next token after “%1”").arg(ui::tokenLabel("▁a")));
    QCOMPARE(panel->entries().front().label, ui::tokenLabel("▁time"));
    QVERIFY(panel->entries().front().probability > 0.99f);

    // The numbers are the engine's softmax of the logits at that position.
    const auto cp = Checkpoint::open(storiesModel().toStdString());
    ForwardInput in;
    in.ids = cp->encode("Once upon a").ids;
    const auto result = cp->forward(in);
    for (int q = 0; q < 4; ++q) {
        window.selection().setSelectedQuery(q);
        const auto expected = topPredictions(result->record.logits.row(q).data(), static_cast<int>(result->record.logits.cols()), 8);
        QCOMPARE(panel->entries().size(), expected.size());
        for (std::size_t k = 0; k < expected.size(); ++k) {
            QCOMPARE(panel->entries()[k].label, ui::tokenLabel(cp->tokenizer()->idToToken(expected[k].id)));
            QVERIFY(std::abs(panel->entries()[k].probability - expected[k].probability) < 1e-6f);
        }
    }
    QTRY_VERIFY(panel->height() >= panel->sizeHint().height() - 1);  // every row fits once laid out
}

void PredictionsPanelTest::maskedModelShowsItsGuess() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("bert_mlm"), QStringLiteral("The [MASK] sat.")));
    auto* panel = window.findChild<PredictionsPanel*>(QStringLiteral("predictionsPanel"));
    window.selection().setSelectedQuery(2);
    QCOMPARE(panel->title(), QStringLiteral("The model's guess at “[MASK]”"));
    QCOMPARE(panel->entries().size(), std::size_t(8));
    float previous = 1.0f;
    for (const auto& e : panel->entries()) {
        QVERIFY(e.probability <= previous);  // most probable first
        previous = e.probability;
    }
}

void PredictionsPanelTest::modelWithoutHeadSaysSo() {
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, viewfixtures::goldenModel("bert"), QStringLiteral("The cat sat.")));
    auto* panel = window.findChild<PredictionsPanel*>(QStringLiteral("predictionsPanel"));
    QVERIFY(panel->isVisible());
    QVERIFY(panel->entries().empty());
    QVERIFY2(panel->note().contains("no language-model head"), qPrintable(panel->note()));
}

void PredictionsPanelTest::visionModelHidesThePanel() {
    MainWindow window;
    window.show();
    window.setImageFile(QString::fromStdString((fixtures::goldenDir() / "vit" / "image0.png").string()));
    window.openModel(viewfixtures::goldenModel("vit"));
    QTRY_VERIFY_WITH_TIMEOUT(window.session().analysis() && !window.session().isBusy(), kTimeoutMs);
    QVERIFY(!window.findChild<PredictionsPanel*>(QStringLiteral("predictionsPanel"))->isVisible());
}

// A text classifier's labels, for the whole text: the engine's softmax of its one row of
// logits, named by id2label; no lens and no generation for it.
void PredictionsPanelTest::textClassifierShowsItsLabels() {
    const std::filesystem::path dir = std::filesystem::path(ATTNSCOPE_TEST_TMP) / "panel-roberta-classifier";
    fixtures::writeSequenceClassifier(dir, fixtures::classifierLayout("roberta"));
    const QString model = QString::fromStdString(dir.string());
    MainWindow window;
    window.show();
    QVERIFY(openAndCompute(window, model, QStringLiteral("The cat sat on the mat.")));
    auto* panel = window.findChild<PredictionsPanel*>(QStringLiteral("predictionsPanel"));
    QVERIFY(panel->isVisible());
    QCOMPARE(panel->title(), QStringLiteral("The classifier's labels for this text"));
    const auto cp = Checkpoint::open(dir);
    ForwardInput in;
    const Encoding encoding = cp->encode("The cat sat on the mat.");
    in.ids = encoding.ids;
    in.typeIds = encoding.typeIds;
    const auto result = cp->forward(in);
    QCOMPARE(result->record.logits.rows(), Eigen::Index(1));
    const auto expected = topPredictions(result->record.logits.row(0).data(), 3, 5);
    QCOMPARE(panel->entries().size(), expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
        QCOMPARE(panel->entries()[k].label, QString::fromStdString(fixtures::threeLabels()[static_cast<std::size_t>(expected[k].id)]));
        QVERIFY(std::abs(panel->entries()[k].probability - expected[k].probability) < 1e-6f);
    }
    window.selection().setSelectedQuery(3);  // any token: the labels are the text's
    QCOMPARE(panel->title(), QStringLiteral("The classifier's labels for this text"));
    QVERIFY(window.findChild<QLabel*>(QStringLiteral("predictionInfo"))->text().startsWith(QStringLiteral("Prediction: ")));
    QVERIFY(!window.session().canComputeLens());
    QVERIFY(!window.generationControls()->isVisible());
}

QTEST_MAIN(PredictionsPanelTest)
#include "test_predictions_panel.moc"
