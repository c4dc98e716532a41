// DeBERTa's score terms in the views: a record with the total ("self") and one term's stack
// (as the engine makes them) titles the term by what it is, compares it with the head's whole
// pattern in the title of one head (never of a grid or an aggregate), and the classroom
// caption says what a term alone means.
#include <QtTest>

#include "Analysis.h"
#include "AttentionSelection.h"
#include "ExplanationText.h"
#include "FigureBuilder.h"
#include "MatrixFigure.h"
#include "GridFigure.h"

using namespace attnscope;
using namespace attnscope::ui;

namespace {

// 1 layer, 2 heads, 2 tokens. Head 0: the total looks at token 0 from both rows; the term
// sends row 0 to token 0 and row 1 to token 1: half of the pattern agrees. Head 1: the same.
Analysis termAnalysis() {
    Analysis a;
    a.record.sequences = {idSequence(kInputSequence, {5, 6})};
    a.record.sequences[0].names = {"[CLS]", "cat"};
    a.record.stacks = {{kSelfStack, 0, 0, {}}, {kContentToPositionStack, 0, 0, {}}};
    for (NamedStack& s : a.record.stacks) s.attention.resize(1, 2, 2, 2);
    const float total[4] = {1, 0, 1, 0}, term[4] = {1, 0, 0, 1};
    for (int h = 0; h < 2; ++h) {
        a.record.stacks[0].attention.storeMap(0, h, total);
        a.record.stacks[1].attention.storeMap(0, h, term);
    }
    a.labels = sequenceLabels(a.record);
    return a;
}

ViewRequest oneHead(ViewKind kind) {
    ViewRequest r;
    r.kind = kind;
    r.stack = 1;
    r.query.layer = 0;
    r.query.head = 1;
    return r;
}

}  // namespace

class ScoreTermsTest : public QObject {
    Q_OBJECT
private slots:
    void termsAreTitledAndComparedWithTheWholeHead();
    void theCaptionSaysWhatATermAloneIs();
};

void ScoreTermsTest::termsAreTitledAndComparedWithTheWholeHead() {
    const Analysis a = termAnalysis();
    const FigureSource term = a.figureSource(1);
    QCOMPARE(term.attentionName, QStringLiteral("Content→position term"));
    QVERIFY(term.wholeAttention == &a.record.stacks[0].attention);
    QCOMPARE(buildMatrixData(term, oneHead(ViewKind::Matrix)).title,
             QStringLiteral("Content→position term · Layer 0 · head 1 · alone, 50% of the head's pattern"));
    // The total itself, a grid and a mean have no single term-to-head comparison.
    const FigureSource total = a.figureSource(0);
    QCOMPARE(total.attentionName, QStringLiteral("Self-attention"));
    QVERIFY(total.wholeAttention == nullptr);
    QVERIFY(!buildGridData(term, oneHead(ViewKind::Grid)).title.contains(QStringLiteral("alone")));
    ViewRequest mean = oneHead(ViewKind::Matrix);
    mean.query.headMode = HeadMode::Mean;
    QVERIFY(!buildMatrixData(term, mean).title.contains(QStringLiteral("alone")));
    // One sequence: the axes keep their plain titles (no source and target).
    QVERIFY(term.queryAxisTitle.isEmpty());
}

void ScoreTermsTest::theCaptionSaysWhatATermAloneIs() {
    AttentionSelection selection;
    selection.setStacks({{kSelfStack, 0, 0, 1, 2}, {kContentToPositionStack, 0, 0, 1, 2}});
    selection.setStack(1);
    const QString caption = explanationText(explanationContext(ViewKind::Matrix, selection));
    QVERIFY2(caption.contains(QStringLiteral("Content→position term: where the head would look from this part of its scores alone")),
             qPrintable(caption));
    selection.setStack(0);
    QVERIFY(!explanationText(explanationContext(ViewKind::Matrix, selection)).contains(QStringLiteral("alone")));
}

QTEST_MAIN(ScoreTermsTest)
#include "test_score_terms.moc"
