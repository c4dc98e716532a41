// AttentionSelection: one changed() per real change, clamping to the model's shape, and the
// requests views build their figures from.
#include <QtTest>

#include "AttentionSelection.h"

using attnscope::HardRule;
using attnscope::HeadMode;
using attnscope::LayerMode;
using attnscope::ui::AttentionSelection;
using attnscope::ui::Normalization;
using attnscope::ui::ValueScale;
using attnscope::ui::ViewKind;

class TestAttentionSelection : public QObject {
    Q_OBJECT
private slots:
    void settersEmitOncePerRealChange();
    void shapeClampsLayerAndHead();
    void choicesBeforeAShapeSurviveUntilClamped();
    void requestCarriesEverything();
    void focusHeadLeavesAggregates();
    void headTogglesFollowTheShape();
    void hardParametersStayValid();
    void styleSetters();
};

void TestAttentionSelection::settersEmitOncePerRealChange() {
    AttentionSelection s;
    s.setShape(4, 6);
    QSignalSpy changed(&s, &AttentionSelection::changed);
    s.setLayer(2);
    QCOMPARE(changed.count(), 1);
    s.setLayer(2);
    QCOMPARE(changed.count(), 1);  // same value: no signal
    s.setHead(3);
    s.setHeadMode(HeadMode::Mean);
    s.setRollout(true);
    s.setHard(true);
    s.setHardRule(HardRule::Mass);
    s.setMass(0.5);
    s.setHideSpecialTokens(true);
    s.setSelectedQuery(4);
    QCOMPARE(changed.count(), 9);
    s.setSelectedQuery(4);
    s.setRollout(true);
    QCOMPARE(changed.count(), 9);
}

void TestAttentionSelection::shapeClampsLayerAndHead() {
    AttentionSelection s;
    s.setShape(12, 12);
    s.focusHead(11, 9);
    QSignalSpy changed(&s, &AttentionSelection::changed);
    s.setShape(2, 4);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(s.layer(), 1);
    QCOMPARE(s.head(), 3);
    s.setLayer(99);
    QCOMPARE(s.layer(), 1);
    s.setLayer(-5);
    QCOMPARE(s.layer(), 0);
}

void TestAttentionSelection::choicesBeforeAShapeSurviveUntilClamped() {
    AttentionSelection s;  // as on the command line, before the model is open
    s.setLayer(3);
    s.setHead(5);
    QCOMPARE(s.layer(), 3);
    QCOMPARE(s.head(), 5);
    s.setShape(5, 8);
    QCOMPARE(s.layer(), 3);
    QCOMPARE(s.head(), 5);
}

void TestAttentionSelection::requestCarriesEverything() {
    AttentionSelection s;
    s.setShape(3, 4);
    s.setLayer(2);
    s.setHeadMode(HeadMode::Max);
    s.setHard(true);
    s.setHardRule(HardRule::TopK);
    s.setTopK(2);
    s.setHideSpecialTokens(true);
    s.setSelectedQuery(5);
    s.setHeadEnabled(1, false);
    const auto request = s.request(ViewKind::Heads);
    QCOMPARE(request.kind, ViewKind::Heads);
    QCOMPARE(request.query.layer, 2);
    QCOMPARE(request.query.headMode, HeadMode::Max);
    QVERIFY(request.query.hard);
    QCOMPARE(request.query.hardSelection.rule, HardRule::TopK);
    QCOMPARE(request.query.hardSelection.k, 2);
    QVERIFY(request.query.hideSpecialTokens);
    QCOMPARE(request.selectedQuery, 5);
    QCOMPARE(request.enabledHeads, (std::vector<bool>{true, false, true, true}));
}

void TestAttentionSelection::focusHeadLeavesAggregates() {
    AttentionSelection s;
    s.setShape(3, 4);
    s.setHeadMode(HeadMode::Mean);
    s.setRollout(true);
    QSignalSpy changed(&s, &AttentionSelection::changed);
    s.focusHead(1, 2);
    QCOMPARE(changed.count(), 1);  // one change, not four
    QCOMPARE(s.layer(), 1);
    QCOMPARE(s.head(), 2);
    QCOMPARE(s.headMode(), HeadMode::Single);
    QVERIFY(!s.rollout());
    QCOMPARE(s.query().layerMode, LayerMode::Single);
}

void TestAttentionSelection::headTogglesFollowTheShape() {
    AttentionSelection s;
    s.setShape(2, 4);
    QCOMPARE(s.enabledHeads(), std::vector<bool>(4, true));
    s.setHeadEnabled(2, false);
    QVERIFY(!s.isHeadEnabled(2));
    s.setShape(3, 4);  // same head count (another text or model of the same width): kept
    QVERIFY(!s.isHeadEnabled(2));
    s.setShape(3, 8);
    QCOMPARE(s.enabledHeads(), std::vector<bool>(8, true));
    s.setAllHeadsEnabled(false);
    QCOMPARE(s.enabledHeads(), std::vector<bool>(8, false));
    s.setHeadEnabled(42, true);  // no such head: ignored
    QCOMPARE(s.enabledHeads(), std::vector<bool>(8, false));
}

void TestAttentionSelection::hardParametersStayValid() {
    AttentionSelection s;
    s.setTopK(0);
    QCOMPARE(s.hardSelection().k, 1);
    s.setThreshold(1.5);
    QCOMPARE(s.hardSelection().threshold, 1.0f);
    s.setMass(0.0);
    QVERIFY(s.hardSelection().mass > 0.0f);
    s.setMass(0.75);
    QCOMPARE(s.hardSelection().mass, 0.75f);
}

void TestAttentionSelection::styleSetters() {
    AttentionSelection s;
    QSignalSpy changed(&s, &AttentionSelection::changed);
    s.setColorMap(QStringLiteral("magma"));
    s.setValueScale(ValueScale::Log);
    s.setNormalization(Normalization::PerRow);
    QCOMPARE(changed.count(), 3);
    QCOMPARE(s.style().colorMap, QStringLiteral("magma"));
    QCOMPARE(s.style().scale, ValueScale::Log);
    QCOMPARE(s.style().normalization, Normalization::PerRow);
    s.setStyle(s.style());
    QCOMPARE(changed.count(), 3);
}

QTEST_MAIN(TestAttentionSelection)
#include "test_attention_selection.moc"
