// The main window's parts on their own, without a window: the input panel picks the bar the
// model reads and turns what was given into an AnalysisRequest or a hint; the predictions box
// shows what the analysis predicts at the selected position and asks for masked texts; the
// view tabs find a tab by the page it shows and offer the image tab only for images.
#include <QtTest>

#include <QLabel>
#include <QPushButton>
#include <QTabBar>

#include "AlignmentView.h"
#include "Analysis.h"
#include "AnalysisJob.h"
#include "AttentionSelection.h"
#include "FigureView.h"
#include "HeadToggles.h"
#include "HeadsView.h"
#include "HeatmapView.h"
#include "ImageInputBar.h"
#include "ImageOverlayControls.h"
#include "ImageOverlayView.h"
#include "InputPanel.h"
#include "ModelView.h"
#include "PredictionsBox.h"
#include "PredictionsPanel.h"
#include "SyntheticCheckpoints.h"
#include "TextInputBar.h"
#include "TokenStripView.h"
#include "ViewFixtures.h"
#include "ViewTabs.h"
#include "model/Checkpoint.h"

using attnscope::ModelCapabilities;
using attnscope::ui::Analysis;
using attnscope::ui::AnalysisRequest;
using attnscope::ui::InputPanel;
using attnscope::ui::PredictionsBox;
using attnscope::ui::TextInputBar;
using attnscope::ui::ViewKind;
using attnscope::ui::ViewTabs;

namespace {

const QString kText = QStringLiteral("The cat sat on the mat.");

ModelCapabilities capabilitiesOf(const std::string& family) {
    return attnscope::Checkpoint::open(fixtures::goldenDir() / family / "model")->capabilities();
}

QString goldenFile(const std::string& path) { return QString::fromStdString((fixtures::goldenDir() / path).string()); }

AnalysisRequest requestIn(const QSignalSpy& spy, int index = 0) { return spy.at(index).at(0).value<AnalysisRequest>(); }

// The analysis of `request` by the golden model `family`, as the session would compute it.
std::shared_ptr<const Analysis> analysed(const std::string& family, const AnalysisRequest& request) {
    const auto checkpoint = attnscope::Checkpoint::open(fixtures::goldenDir() / family / "model");
    return attnscope::ui::computeAnalysis(*checkpoint, request);
}

std::shared_ptr<const Analysis> masked(const QString& text, std::vector<int> positions) {
    AnalysisRequest request;
    request.text = text;
    request.maskedPositions = std::move(positions);
    return analysed("bert_mlm", request);
}

// A text classifier's analysis: hand-made tokens with the labels for the whole text.
std::shared_ptr<const Analysis> classified() {
    const std::vector<float> map{0.5f, 0.5f, 0.25f, 0.75f};
    auto analysis = std::const_pointer_cast<Analysis>(viewfixtures::handMade({"good", "film"}, 1, 1, {map}));
    analysis->predictions = {{QStringLiteral("positive"), 0.75f}, {QStringLiteral("negative"), 0.25f}};
    return analysis;
}

}  // namespace

class TestWindowParts : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void inputPanelWaitsForAModel();
    void inputPanelReadsTextAndPairs();
    void inputPanelReadsSourceAndTarget();
    void inputPanelReadsImages();
    void inputPanelKeepsAnImageUntilAVisionModelOpens();
    void inputPanelRefusesAnImageForATextModel();
    void inputPanelShowsAnAttentionFile();
    void predictionsHideForImagesAndAttentionFiles();
    void predictionsShowAClassifiersLabels();
    void predictionsShowTheNextTokens();
    void predictionsShowATokensLabels();
    void predictionsNoteWhereThereAreNone();
    void maskRequestsTheTextWithThePositionMasked();
    void maskKeepsOtherMasksAndRefusesSpecialTokens();
    void maskIsForMaskedLanguageModelsOnly();
    void viewTabsFindTabsByTheirPage();
    void imageTabOnlyForImages();
    void addedPagesWaitUntilOffered();
    void everyViewGetsTheAnalysis();
};

void TestWindowParts::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    qRegisterMetaType<AnalysisRequest>();
    QVERIFY2(QFileInfo::exists(goldenFile("bert_mlm/model/config.json")), qPrintable(goldenFile("bert_mlm")));
}

void TestWindowParts::inputPanelWaitsForAModel() {
    InputPanel panel;
    QCOMPARE(panel.currentWidget(), static_cast<QWidget*>(panel.textBar()));
    QVERIFY(!panel.readsImages());
    QSignalSpy requests(&panel, &InputPanel::analysisRequested);
    QSignalSpy hints(&panel, &InputPanel::hint);
    panel.textBar()->setText(kText);
    panel.compute();  // nothing to compute with
    QCOMPARE(requests.count(), 0);
    QCOMPARE(hints.count(), 0);
    QVERIFY2(panel.placeholderText().contains(QStringLiteral("Type a text")), qPrintable(panel.placeholderText()));
}

void TestWindowParts::inputPanelReadsTextAndPairs() {
    InputPanel panel;
    panel.adaptTo(capabilitiesOf("bert"));
    QCOMPARE(panel.currentWidget(), static_cast<QWidget*>(panel.textBar()));
    QCOMPARE(panel.textBar()->secondField(), TextInputBar::SecondField::Pair);
    QSignalSpy requests(&panel, &InputPanel::analysisRequested);
    QSignalSpy hints(&panel, &InputPanel::hint);

    panel.textBar()->setText(QStringLiteral("  "));
    panel.compute();
    QCOMPARE(hints.count(), 1);
    QCOMPARE(hints.first().at(0).toString(), QStringLiteral("Type a text first"));
    QCOMPARE(requests.count(), 0);

    panel.textBar()->setText(kText);
    panel.textBar()->setPairText(QStringLiteral("It slept."));
    panel.setPendingMasks({2});  // a session's masked token: for the first analysis only
    panel.compute();
    QCOMPARE(requests.count(), 1);
    AnalysisRequest request = requestIn(requests);
    QCOMPARE(request.text, kText);
    QCOMPARE(request.pair, QStringLiteral("It slept."));
    QVERIFY(request.target.isEmpty());
    QVERIFY(!request.hasImage());
    QCOMPARE(request.maskedPositions, std::vector<int>{2});
    panel.compute();
    QCOMPARE(requests.count(), 2);
    QVERIFY(requestIn(requests, 1).maskedPositions.empty());

    // Enter in the text bar computes too; a pair alone is a text.
    panel.textBar()->setText({});
    panel.textBar()->submit();
    QCOMPARE(requests.count(), 3);
    QCOMPARE(requestIn(requests, 2).pair, QStringLiteral("It slept."));
    QCOMPARE(hints.count(), 1);
}

void TestWindowParts::inputPanelReadsSourceAndTarget() {
    InputPanel panel;
    panel.adaptTo(capabilitiesOf("t5"));
    QCOMPARE(panel.textBar()->secondField(), TextInputBar::SecondField::Target);
    QVERIFY2(panel.placeholderText().contains(QStringLiteral("source")), qPrintable(panel.placeholderText()));
    QSignalSpy requests(&panel, &InputPanel::analysisRequested);
    QSignalSpy hints(&panel, &InputPanel::hint);
    panel.textBar()->setPairText(QStringLiteral("Das Haus"));
    panel.compute();  // a target alone is not enough: the encoder needs a source
    QCOMPARE(requests.count(), 0);
    QCOMPARE(hints.count(), 1);
    QCOMPARE(hints.first().at(0).toString(), QStringLiteral("Type a source text first"));
    panel.textBar()->setText(QStringLiteral("The house"));
    panel.compute();
    QCOMPARE(requests.count(), 1);
    const AnalysisRequest request = requestIn(requests);
    QCOMPARE(request.text, QStringLiteral("The house"));
    QCOMPARE(request.target, QStringLiteral("Das Haus"));
    QVERIFY(request.pair.isEmpty());

    // A text model after it: the second field is a pair again.
    panel.adaptTo(capabilitiesOf("bert"));
    QCOMPARE(panel.textBar()->secondField(), TextInputBar::SecondField::Pair);
}

void TestWindowParts::inputPanelReadsImages() {
    InputPanel panel;
    panel.adaptTo(capabilitiesOf("vit"));
    QVERIFY(panel.readsImages());
    QCOMPARE(panel.currentWidget(), static_cast<QWidget*>(panel.imageBar()));
    QVERIFY2(panel.placeholderText().contains(QStringLiteral("image")), qPrintable(panel.placeholderText()));
    QSignalSpy requests(&panel, &InputPanel::analysisRequested);
    QSignalSpy hints(&panel, &InputPanel::hint);
    panel.compute();
    QCOMPARE(requests.count(), 0);
    QCOMPARE(hints.count(), 1);
    QCOMPARE(hints.first().at(0).toString(), QStringLiteral("Open an image first"));

    const QString image = goldenFile("vit/image0.png");
    panel.openImage(image);
    QCOMPARE(requests.count(), 1);
    QCOMPARE(requestIn(requests).imageFile, image);
    QVERIFY(requestIn(requests).text.isEmpty());
    // Compute again: the image shown (the window sets it once analysed).
    panel.imageBar()->setImagePath(image);
    panel.compute();
    QCOMPARE(requests.count(), 2);
    QCOMPARE(requestIn(requests, 1).imageFile, image);
    QCOMPARE(hints.count(), 1);

    // A text model afterwards forgets the image.
    panel.adaptTo(capabilitiesOf("bert"));
    QVERIFY(!panel.readsImages());
    QVERIFY(panel.imageBar()->imagePath().isEmpty());
    QCOMPARE(panel.currentWidget(), static_cast<QWidget*>(panel.textBar()));
}

void TestWindowParts::inputPanelKeepsAnImageUntilAVisionModelOpens() {
    InputPanel panel;
    QSignalSpy requests(&panel, &InputPanel::analysisRequested);
    QSignalSpy hints(&panel, &InputPanel::hint);
    const QString image = goldenFile("vit/image1.png");
    panel.openImage(image);  // dropped before any model
    QCOMPARE(requests.count(), 0);
    QCOMPARE(hints.count(), 1);
    QVERIFY2(hints.first().at(0).toString().contains(QStringLiteral("vision model")), qPrintable(hints.first().at(0).toString()));
    QCOMPARE(panel.pendingImage(), image);

    panel.adaptTo(capabilitiesOf("vit"));
    panel.compute();
    QCOMPARE(requests.count(), 1);
    QCOMPARE(requestIn(requests).imageFile, image);
    QVERIFY(panel.pendingImage().isEmpty());  // analysed: no longer pending
}

void TestWindowParts::inputPanelRefusesAnImageForATextModel() {
    InputPanel panel;
    panel.adaptTo(capabilitiesOf("bert"));
    QSignalSpy requests(&panel, &InputPanel::analysisRequested);
    QSignalSpy refused(&panel, &InputPanel::refused);
    panel.openImage(goldenFile("vit/image0.png"));
    QCOMPARE(requests.count(), 0);
    QCOMPARE(refused.count(), 1);
    QVERIFY2(refused.first().at(0).toString().contains(QStringLiteral("reads text")), qPrintable(refused.first().at(0).toString()));
    QVERIFY2(refused.first().at(1).toString().contains(QStringLiteral("bert is a text model")), qPrintable(refused.first().at(1).toString()));
    QVERIFY(panel.pendingImage().isEmpty());
}

void TestWindowParts::inputPanelShowsAnAttentionFile() {
    InputPanel panel;
    panel.adaptTo(capabilitiesOf("bert"));
    panel.textBar()->setText(kText);
    panel.showAttentionFile(QStringLiteral("bert.safetensors"), false);
    QCOMPARE(panel.currentWidget(), static_cast<QWidget*>(panel.attentionFileBar()));
    QVERIFY2(panel.attentionFileBar()->text().contains(QStringLiteral("bert.safetensors")), qPrintable(panel.attentionFileBar()->text()));
    QSignalSpy requests(&panel, &InputPanel::analysisRequested);
    panel.compute();  // no model: nothing to compute with
    QCOMPARE(requests.count(), 0);
    QVERIFY(!panel.readsImages());
}

void TestWindowParts::predictionsHideForImagesAndAttentionFiles() {
    QWidget parent;
    auto* box = new PredictionsBox(&parent);
    QVERIFY(box->isHidden());
    const auto text = viewfixtures::computed(viewfixtures::goldenModel("gpt2"), kText);
    box->show(text, true, 0, 1);
    QVERIFY(!box->isHidden());
    box->show(text, false, 0, 1);  // an attention file: no model to predict with
    QVERIFY(box->isHidden());
    box->show(nullptr, true, 0, 0);
    QVERIFY(box->isHidden());
    AnalysisRequest request;
    request.imageFile = goldenFile("vit/image0.png");
    const auto image = analysed("vit", request);
    QVERIFY(image->hasImage() && !image->predictions.empty());
    box->show(image, true, 0, 0);  // an image classifier's classes show under the views
    QVERIFY(box->isHidden());
    QVERIFY(box->maskButton()->isHidden());
}

void TestWindowParts::predictionsShowAClassifiersLabels() {
    QWidget parent;
    auto* box = new PredictionsBox(&parent);
    const auto analysis = classified();
    for (const int query : {0, 1}) {  // whichever token is selected
        box->show(analysis, true, 0, query);
        QVERIFY(!box->isHidden());
        QCOMPARE(box->panel()->title(), QStringLiteral("The classifier's labels for this text"));
        QCOMPARE(box->panel()->entries().size(), std::size_t(2));
        QCOMPARE(box->panel()->entries().front().label, QStringLiteral("positive"));
        QCOMPARE(box->panel()->entries().front().probability, 0.75f);
        QVERIFY(box->maskButton()->isHidden());
    }
}

void TestWindowParts::predictionsShowTheNextTokens() {
    QWidget parent;
    auto* box = new PredictionsBox(&parent);
    const auto analysis = viewfixtures::computed(viewfixtures::goldenModel("gpt2"), kText);
    QCOMPARE(analysis->tokenPredictionKind, Analysis::TokenPredictionKind::NextToken);
    for (const int query : {0, 2, analysis->tokenCount() - 1}) {
        box->show(analysis, true, 0, query);
        QCOMPARE(box->panel()->title(), QStringLiteral("Next token after “%1”").arg(analysis->tokenLabels().at(query)));
        const auto& expected = analysis->tokenPredictions.at(static_cast<std::size_t>(query));
        QVERIFY(!expected.empty());
        QCOMPARE(box->panel()->entries().size(), expected.size());
        for (std::size_t k = 0; k < expected.size(); ++k) {
            QCOMPARE(box->panel()->entries()[k].label, expected[k].label);
            QCOMPARE(box->panel()->entries()[k].probability, expected[k].probability);
        }
        QVERIFY(box->maskButton()->isHidden());  // a causal LM has nothing to mask
    }
}

// A token classifier (ELECTRA's discriminator): the selected token's labels, no mask button.
void TestWindowParts::predictionsShowATokensLabels() {
    QWidget parent;
    auto* box = new PredictionsBox(&parent);
    const std::vector<float> map{0.5f, 0.5f, 0.25f, 0.75f};
    auto analysis = std::const_pointer_cast<Analysis>(viewfixtures::handMade({"good", "film"}, 1, 1, {map}));
    analysis->tokenPredictionKind = Analysis::TokenPredictionKind::TokenLabels;
    analysis->tokenPredictions = {{{QStringLiteral("original"), 0.9f}, {QStringLiteral("replaced"), 0.1f}},
                                  {{QStringLiteral("replaced"), 0.6f}, {QStringLiteral("original"), 0.4f}}};
    box->show(analysis, true, 0, 1);
    QVERIFY(!box->isHidden());
    QCOMPARE(box->panel()->title(), QStringLiteral("The model's labels for “film”"));
    QCOMPARE(box->panel()->entries().size(), std::size_t(2));
    QCOMPARE(box->panel()->entries().front().label, QStringLiteral("replaced"));
    QCOMPARE(box->panel()->entries().front().probability, 0.6f);
    QVERIFY(box->maskButton()->isHidden());

    // A discriminator checkpoint's analysis is of that kind, with both labels at every token.
    QTemporaryDir tmp;
    const std::filesystem::path dir = std::filesystem::path(tmp.path().toStdString()) / "electra";
    fixtures::writeElectraDiscriminator(fixtures::goldenDir() / "bert" / "model", dir);
    const auto real = viewfixtures::computed(QString::fromStdString(dir.string()), kText);
    QCOMPARE(real->tokenPredictionKind, Analysis::TokenPredictionKind::TokenLabels);
    QCOMPARE(real->tokenPredictions.size(), std::size_t(real->tokenCount()));
    for (const auto& labels : real->tokenPredictions) {
        QCOMPARE(labels.size(), std::size_t(2));
        QCOMPARE(QSet<QString>({labels[0].label, labels[1].label}), QSet<QString>({"original", "replaced"}));
    }
}

void TestWindowParts::predictionsNoteWhereThereAreNone() {
    QWidget parent;
    auto* box = new PredictionsBox(&parent);
    const auto plain = viewfixtures::computed(viewfixtures::goldenModel("bert"), kText);  // no output head
    QVERIFY(plain->tokenPredictions.empty());
    QVERIFY(!plain->predictionsNote.isEmpty());
    box->show(plain, true, 0, 2);
    QVERIFY(!box->isHidden());
    QCOMPARE(box->panel()->note(), plain->predictionsNote);
    QVERIFY(box->panel()->entries().empty());
    // A language model with no position selected says so too, and forgets the last entries.
    const auto lm = viewfixtures::computed(viewfixtures::goldenModel("gpt2"), kText);
    box->show(lm, true, 0, 1);
    QVERIFY(!box->panel()->entries().empty());
    box->show(lm, true, 0, -1);
    QVERIFY(box->panel()->entries().empty());
    QCOMPARE(box->panel()->note(), lm->predictionsNote);
}

void TestWindowParts::maskRequestsTheTextWithThePositionMasked() {
    QWidget parent;
    auto* box = new PredictionsBox(&parent);
    QSignalSpy requests(box, &PredictionsBox::analysisRequested);
    QSignalSpy hints(box, &PredictionsBox::hint);
    const auto plain = masked(kText, {});
    QCOMPARE(plain->tokenPredictionKind, Analysis::TokenPredictionKind::MaskedToken);
    QCOMPARE(plain->tokenLabels().at(2), QStringLiteral("cat"));
    box->show(plain, true, 0, 2);
    QVERIFY(!box->maskButton()->isHidden());
    QVERIFY(box->maskButton()->isEnabled());
    QCOMPARE(box->maskButton()->text(), QStringLiteral("Mask “cat” (Ctrl+M)"));
    QCOMPARE(box->panel()->title(), QStringLiteral("The model's guess at “cat”"));
    box->maskButton()->click();
    QCOMPARE(requests.count(), 1);
    QCOMPARE(requestIn(requests).text, kText);
    QCOMPARE(requestIn(requests).maskedPositions, std::vector<int>{2});

    // The analysis of that request: the mask is shown, and the button brings the word back.
    const auto hidden = masked(kText, requestIn(requests).maskedPositions);
    QCOMPARE(hidden->maskedTokens.value(2), QStringLiteral("cat"));
    box->show(hidden, true, 0, 2);
    QCOMPARE(box->maskButton()->text(), QStringLiteral("Unmask “cat” (Ctrl+M)"));
    QCOMPARE(box->panel()->title(), QStringLiteral("The model's guess for %1, hiding “cat”").arg(hidden->tokenLabels().at(2)));
    QVERIFY(box->maskButton()->isEnabled());  // [MASK] is special, but it is the one to unmask
    box->toggleMask();
    QCOMPARE(requests.count(), 2);
    QCOMPARE(requestIn(requests, 1).text, kText);
    QVERIFY(requestIn(requests, 1).maskedPositions.empty());
    QCOMPARE(hints.count(), 0);
}

void TestWindowParts::maskKeepsOtherMasksAndRefusesSpecialTokens() {
    QWidget parent;
    auto* box = new PredictionsBox(&parent);
    QSignalSpy requests(box, &PredictionsBox::analysisRequested);
    QSignalSpy hints(box, &PredictionsBox::hint);
    const auto two = masked(kText, {2, 5});
    box->show(two, true, 0, 5);
    box->toggleMask();  // unmasks 5, keeps 2
    QCOMPARE(requestIn(requests).maskedPositions, std::vector<int>{2});
    box->show(two, true, 0, 3);
    box->toggleMask();  // masks 3 too
    std::vector<int> three = requestIn(requests, 1).maskedPositions;
    std::sort(three.begin(), three.end());
    QCOMPARE(three, (std::vector<int>{2, 3, 5}));

    box->show(two, true, 0, 0);  // [CLS]
    QVERIFY(!box->maskButton()->isEnabled());
    box->toggleMask();
    QCOMPARE(requests.count(), 2);
    QCOMPARE(hints.count(), 1);
    QVERIFY2(hints.first().at(0).toString().contains(QStringLiteral("special token")), qPrintable(hints.first().at(0).toString()));
}

void TestWindowParts::maskIsForMaskedLanguageModelsOnly() {
    QWidget parent;
    auto* box = new PredictionsBox(&parent);
    QSignalSpy requests(box, &PredictionsBox::analysisRequested);
    QSignalSpy hints(box, &PredictionsBox::hint);
    box->toggleMask();  // nothing shown yet
    box->show(viewfixtures::computed(viewfixtures::goldenModel("gpt2"), kText), true, 0, 2);
    box->toggleMask();
    box->show(masked(kText, {}), false, 0, 2);  // a masked LM's attention file: no model to ask
    box->toggleMask();
    QCOMPARE(requests.count(), 0);
    QCOMPARE(hints.count(), 3);
    for (const QList<QVariant>& hint : hints) QVERIFY2(hint.at(0).toString().startsWith(QStringLiteral("Masking is for")), qPrintable(hint.at(0).toString()));
}

void TestWindowParts::viewTabsFindTabsByTheirPage() {
    attnscope::ui::AttentionSelection selection;
    ViewTabs tabs(&selection);
    QCOMPARE(tabs.count(), 6);
    QCOMPARE(tabs.shownView(), std::optional<ViewKind>(ViewKind::Matrix));
    QCOMPARE(tabs.view(ViewKind::Matrix), static_cast<attnscope::ui::FigureView*>(tabs.heatmap()));
    QCOMPARE(tabs.view(ViewKind::Heads), static_cast<attnscope::ui::FigureView*>(tabs.headsView()));
    QCOMPARE(tabs.view(ViewKind::Grid), static_cast<attnscope::ui::FigureView*>(tabs.modelView()));
    QCOMPARE(tabs.view(ViewKind::Tokens), static_cast<attnscope::ui::FigureView*>(tabs.tokenStripView()));
    QCOMPARE(tabs.view(ViewKind::Overlay), static_cast<attnscope::ui::FigureView*>(tabs.overlayView()));
    QCOMPARE(tabs.view(ViewKind::Alignment), static_cast<attnscope::ui::FigureView*>(tabs.alignmentView()));
    QCOMPARE(tabs.views().size(), std::size_t(6));

    // Reordered tabs: each view is still found by its page, not its position.
    tabs.tabBar()->moveTab(0, 3);
    tabs.tabBar()->moveTab(1, 0);
    QVERIFY(tabs.indexOf(tabs.heatmap()) != 0);
    for (const ViewKind kind : {ViewKind::Tokens, ViewKind::Matrix, ViewKind::Grid, ViewKind::Heads}) {
        tabs.showView(kind);
        QCOMPARE(tabs.shownView(), std::optional<ViewKind>(kind));
        QVERIFY(tabs.currentWidget()->isAncestorOf(tabs.view(kind)) || tabs.currentWidget() == tabs.view(kind));
    }
    QVERIFY(tabs.currentWidget()->isAncestorOf(tabs.headToggles()));  // the heads page holds its toggles
}

void TestWindowParts::imageTabOnlyForImages() {
    attnscope::ui::AttentionSelection selection;
    ViewTabs tabs(&selection);
    for (const ViewKind kind : {ViewKind::Matrix, ViewKind::Heads, ViewKind::Grid, ViewKind::Tokens}) QVERIFY(tabs.isAvailable(kind));
    QVERIFY(!tabs.isAvailable(ViewKind::Overlay));
    tabs.showView(ViewKind::Grid);
    tabs.showView(ViewKind::Overlay);  // not offered: ignored
    QCOMPARE(tabs.shownView(), std::optional<ViewKind>(ViewKind::Grid));

    tabs.setImageAvailable(true);
    QVERIFY(tabs.isAvailable(ViewKind::Overlay));
    QVERIFY(tabs.isTabVisible(tabs.indexOf(tabs.currentWidget())));
    tabs.showView(ViewKind::Overlay);
    QCOMPARE(tabs.shownView(), std::optional<ViewKind>(ViewKind::Overlay));
    QVERIFY(tabs.currentWidget()->isAncestorOf(tabs.overlayView()));
    QVERIFY(tabs.currentWidget()->isAncestorOf(tabs.overlayControls()));

    tabs.setImageAvailable(false);  // a text model after an image one: back to the matrix
    QVERIFY(!tabs.isAvailable(ViewKind::Overlay));
    QCOMPARE(tabs.shownView(), std::optional<ViewKind>(ViewKind::Matrix));
    QVERIFY(!tabs.isTabVisible(tabs.indexOf(tabs.overlayView()->parentWidget())));
}

void TestWindowParts::addedPagesWaitUntilOffered() {
    attnscope::ui::AttentionSelection selection;
    ViewTabs tabs(&selection);
    auto* page = new QLabel(QStringLiteral("extra"));
    QVERIFY(!tabs.isPageAvailable(page));  // not added
    tabs.addPage(page, QStringLiteral("Extra"), QStringLiteral("An extra page"));
    QCOMPARE(tabs.indexOf(page), 6);  // after the views
    QCOMPARE(tabs.tabToolTip(6), QStringLiteral("An extra page"));
    QVERIFY(!tabs.isPageAvailable(page));
    tabs.setPageAvailable(page, true);
    QVERIFY(tabs.isPageAvailable(page));
    tabs.setCurrentWidget(page);
    QVERIFY(!tabs.shownView());  // no attention view is shown
    tabs.showView(ViewKind::Heads);
    QCOMPARE(tabs.shownView(), std::optional<ViewKind>(ViewKind::Heads));
}

void TestWindowParts::everyViewGetsTheAnalysis() {
    attnscope::ui::AttentionSelection selection;
    ViewTabs tabs(&selection);
    tabs.setPlaceholderText(QStringLiteral("Nothing yet"));
    for (attnscope::ui::FigureView* view : tabs.views()) QCOMPARE(view->emptyText(), QStringLiteral("Nothing yet"));
    const auto analysis = classified();
    selection.adoptAnalysis(*analysis, nullptr);
    tabs.setAnalysis(analysis);
    for (attnscope::ui::FigureView* view : tabs.views()) QCOMPARE(view->analysis(), analysis);
    QVERIFY(tabs.heatmap()->matrixFigure());  // built on demand while hidden
    QCOMPARE(tabs.heatmap()->rows(), 2);
    tabs.setAnalysis(nullptr);
    for (attnscope::ui::FigureView* view : tabs.views()) QVERIFY(!view->analysis());
}

QTEST_MAIN(TestWindowParts)
#include "test_window_parts.moc"
