// SigLIP's pooling probe in the views: its stack (one query over the image's patches) draws on
// the image like a [CLS] row, with axes that say probe and image patch; with rollout on, the
// overlay shows the rollout that starts from the probe and runs through every layer; a cross
// stack whose keys do not tile the image is refused. A captioner's cross-attention asks from
// its caption's words: Up and Down step through them on the image, the overlay's bar names the
// word instead of offering [CLS], and the classroom caption says where the word looks.
#include <QLabel>
#include <QToolButton>
#include <QtTest>

#include "Analysis.h"
#include "AttentionSelection.h"
#include "Error.h"
#include "ExplanationText.h"
#include "ImageOverlayControls.h"
#include "ImageOverlayView.h"
#include "ViewTabs.h"
#include "FigureBuilder.h"
#include "analysis/AttentionQuery.h"

using namespace attnscope;
using namespace attnscope::ui;

namespace {

// A 2 x 2 patch image without a class token: 2 layers of self-attention over its 4 patches,
// and a probe with 2 heads.
Analysis probeAnalysis() {
    Analysis a;
    a.record.sequences = {imageSequence(0, 2, 2)};
    TokenSequence probe;
    probe.name = kProbeSequence;
    probe.names = {kProbeSequence};
    probe.special = {false};
    a.record.sequences.push_back(probe);
    a.record.stacks = {{kSelfStack, 0, 0, {}}, {kProbeStack, 1, 0, {}}};
    AttentionStack& self = a.record.stacks[0].attention;
    self.resize(2, 1, 4, 4);
    const float l0[16] = {0.7f, 0.1f, 0.1f, 0.1f, 0.2f, 0.6f, 0.1f, 0.1f, 0.1f, 0.1f, 0.4f, 0.4f, 0.25f, 0.25f, 0.25f, 0.25f};
    const float l1[16] = {0.1f, 0.1f, 0.1f, 0.7f, 0.4f, 0.4f, 0.1f, 0.1f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.1f, 0.1f, 0.3f};
    self.storeMap(0, 0, l0);
    self.storeMap(1, 0, l1);
    AttentionStack& asking = a.record.stacks[1].attention;
    asking.resize(1, 2, 1, 4);
    const float h0[4] = {0.1f, 0.6f, 0.2f, 0.1f}, h1[4] = {0.3f, 0.2f, 0.4f, 0.1f};
    asking.storeMap(0, 0, h0);
    asking.storeMap(0, 1, h1);
    a.labels = sequenceLabels(a.record);
    a.image = QImage(16, 16, QImage::Format_RGB32);
    a.image.fill(Qt::gray);
    return a;
}

// A captioner's analysis: a 2 x 2 patch image after [CLS] (the encoder's), a caption of three
// tokens (the decoder's) and its cross-attention over the image's five tokens.
Analysis captionAnalysis() {
    Analysis a;
    a.record.sequences = {imageSequence(1, 2, 2)};
    TokenSequence caption;
    caption.name = kDecoderSequence;
    caption.names = {"<|endoftext|>", "\u0120a", "\u0120dog"};
    caption.ids = {0, 5, 9};
    caption.special = {true, false, false};
    a.record.sequences.push_back(caption);
    a.record.stacks = {{"encoder", 0, 0, {}}, {"decoder", 1, 1, {}}, {"cross", 1, 0, {}}};
    a.record.stacks[0].attention.resize(1, 1, 5, 5);
    a.record.stacks[1].attention.resize(1, 1, 3, 3);
    AttentionStack& cross = a.record.stacks[2].attention;
    cross.resize(1, 1, 3, 5);
    const float rows[15] = {0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.1f, 0.6f, 0.1f, 0.1f, 0.1f, 0.0f, 0.1f, 0.1f, 0.1f, 0.7f};
    cross.storeMap(0, 0, rows);
    a.labels = sequenceLabels(a.record);
    a.predictedSequence = 1;
    a.image = QImage(16, 16, QImage::Format_RGB32);
    a.image.fill(Qt::gray);
    return a;
}

// Shows `view` on screen with `analysis`; whether it drew a figure.
bool shownWith(ImageOverlayView& view, const std::shared_ptr<const Analysis>& analysis) {
    view.resize(700, 500);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view)) return false;
    view.setAnalysis(analysis);
    return view.overlayFigure() != nullptr;
}

ViewRequest overlay(HeadMode mode, bool rollout) {
    ViewRequest r;
    r.kind = ViewKind::Overlay;
    r.stack = 1;
    r.query.headMode = mode;
    r.query.layerMode = rollout ? LayerMode::Rollout : LayerMode::Single;
    return r;
}

}  // namespace

class ProbeOverlayTest : public QObject {
    Q_OBJECT
private slots:
    void probeDrawsOnTheImage();
    void rolloutStartsFromTheProbe();
    void crossKeysThatDoNotTileTheImageAreRefused();
    void clickingAPatchKeepsTheProbeAsQuery();
    void captionWordsStepOnTheImage();
};

void ProbeOverlayTest::probeDrawsOnTheImage() {
    const Analysis a = probeAnalysis();
    const FigureSource source = a.figureSource(1);
    QCOMPARE(source.queryAxisTitle, QStringLiteral("Query (probe)"));
    QCOMPARE(source.keyAxisTitle, QStringLiteral("Key (image patch)"));
    QVERIFY(source.rolloutBase == &a.record.stacks[0].attention);
    const ImageOverlayFigureData head1 = buildImageOverlayData(source, overlay(HeadMode::Single, false));
    QCOMPARE(head1.patchWeights, (std::vector<float>{0.1f, 0.6f, 0.2f, 0.1f}));
    QCOMPARE(head1.queryPatch, -1);  // the probe is no patch
    QCOMPARE(head1.queryLabel, QStringLiteral("probe"));
    QVERIFY2(head1.title.startsWith(QStringLiteral("Probe attention · Layer 0 · head 0")), qPrintable(head1.title));
    const ImageOverlayFigureData mean = buildImageOverlayData(source, overlay(HeadMode::Mean, false));
    for (int p = 0; p < 4; ++p) QVERIFY(std::abs(mean.patchWeights[std::size_t(p)] - (0.5f * (std::vector<float>{0.4f, 0.8f, 0.6f, 0.2f})[std::size_t(p)])) < 1e-6f);
}

void ProbeOverlayTest::rolloutStartsFromTheProbe() {
    const Analysis a = probeAnalysis();
    const FigureSource source = a.figureSource(1);
    const ImageOverlayFigureData rolled = buildImageOverlayData(source, overlay(HeadMode::Single, true));
    AttentionQuery q;
    q.layerMode = LayerMode::Rollout;
    const AttentionMatrix expected = rolloutThrough(a.record.stacks[1].attention, a.record.stacks[0].attention, q);
    QCOMPARE(rolled.patchWeights, expected.values);
    QVERIFY2(rolled.title.contains(QStringLiteral("Rollout through all 2 layers")), qPrintable(rolled.title));
    // Not the probe's own row: the rollout moved the weight.
    QVERIFY(std::abs(rolled.patchWeights[1] - 0.4f) > 1e-3f);
}

void ProbeOverlayTest::crossKeysThatDoNotTileTheImageAreRefused() {
    Analysis a = probeAnalysis();
    a.record.stacks[1].attention.resize(1, 2, 1, 3);
    QVERIFY_THROWS_EXCEPTION(Error, buildImageOverlayData(a.figureSource(1), overlay(HeadMode::Single, false)));
}

// The probe's patches are its keys: a click on one keeps the probe as the query (a patch
// index would name a query the probe stack does not have), and no alignment tab is offered.
void ProbeOverlayTest::clickingAPatchKeepsTheProbeAsQuery() {
    const auto analysis = std::make_shared<const Analysis>(probeAnalysis());
    AttentionSelection selection;
    selection.adoptAnalysis(*analysis, nullptr);
    selection.setStack(1);
    ImageOverlayView view(&selection);
    QVERIFY(shownWith(view, analysis));
    QTest::mouseClick(&view, Qt::LeftButton, {}, view.patchRect(3).center().toPoint());
    QVERIFY(selection.selectedQuery() <= 0);
    QVERIFY(view.overlayFigure());
    QCOMPARE(view.overlayFigure()->data().queryLabel, QStringLiteral("probe"));
    ViewTabs tabs(&selection);
    tabs.setAnalysis(analysis);
    QVERIFY(!tabs.isAvailable(ViewKind::Alignment));
}

void ProbeOverlayTest::captionWordsStepOnTheImage() {
    const auto analysis = std::make_shared<const Analysis>(captionAnalysis());
    AttentionSelection selection;
    selection.adoptAnalysis(*analysis, nullptr);
    selection.setStack(2);
    selection.setSelectedQuery(1);
    ImageOverlayView view(&selection);
    QVERIFY(shownWith(view, analysis));
    QVERIFY(view.stepsQueries());
    QCOMPARE(view.overlayFigure()->data().patchWeights, (std::vector<float>{0.6f, 0.1f, 0.1f, 0.1f}));
    QTest::keyClick(&view, Qt::Key_Down);
    QCOMPARE(selection.selectedQuery(), 2);
    QVERIFY(view.overlayFigure());
    QCOMPARE(view.overlayFigure()->data().patchWeights, (std::vector<float>{0.1f, 0.1f, 0.1f, 0.7f}));
    QTest::keyClick(&view, Qt::Key_Down);  // the last word stays
    QCOMPARE(selection.selectedQuery(), 2);
    QTest::keyClick(&view, Qt::Key_Up);
    QTest::keyClick(&view, Qt::Key_Up);
    QTest::keyClick(&view, Qt::Key_Up);
    QCOMPARE(selection.selectedQuery(), 0);
    // A patch click does not turn a patch into a caption word.
    QTest::mouseClick(&view, Qt::LeftButton, {}, view.patchRect(3).center().toPoint());
    QCOMPARE(selection.selectedQuery(), 0);

    // The bar above names the word and hides [CLS] (the caption, not the image, asks).
    ImageOverlayControls controls(&selection);
    controls.setAnalysis(analysis.get());
    selection.setSelectedQuery(2);
    QVERIFY(controls.queryButton(0)->isHidden());
    const QLabel* note = controls.findChild<QLabel*>(QStringLiteral("overlayQueryNote"));
    QVERIFY2(note->text().contains(QStringLiteral("(token 3 of 3)")), qPrintable(note->text()));
    selection.setStack(0);  // the encoder's own attention: [CLS] is a query again
    QVERIFY(!controls.queryButton(0)->isHidden());

    ExplanationContext context = explanationContext(ViewKind::Overlay, selection);
    context.crossStack = true;
    context.queryWord = QStringLiteral("dog");
    QVERIFY2(explanationText(context).contains(QStringLiteral("The word “dog” looks here.")), qPrintable(explanationText(context)));
    context.view = ViewKind::Matrix;
    QVERIFY(!explanationText(context).contains(QStringLiteral("looks here")));

    // A self-attention image view has no words to step: Up and Down do nothing there.
    ImageOverlayView encoderView(&selection);
    encoderView.setAnalysis(analysis);
    QVERIFY(encoderView.overlayFigure());
    QVERIFY(!encoderView.stepsQueries());
}

QTEST_MAIN(ProbeOverlayTest)
#include "test_probe_overlay.moc"
