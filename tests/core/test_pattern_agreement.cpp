// How much of a head's pattern a part reproduces: 1 for the same rows, 0 for rows that never
// share a token, the mean over rows in between; mismatched stacks and heads out of range are
// errors.
#include <QtTest>

#include "Error.h"
#include "analysis/PatternAgreement.h"

using namespace attnscope;

namespace {

AttentionStack stackOf(std::vector<float> values, int queries, int keys) {
    AttentionStack s;
    s.resize(1, 1, queries, keys);
    s.storeMap(0, 0, values.data());
    return s;
}

}  // namespace

class PatternAgreementTest : public QObject {
    Q_OBJECT
private slots:
    void agreementIsOneMinusTheMeanRowDistance();
    void mismatchedStacksAreErrors();
};

void PatternAgreementTest::agreementIsOneMinusTheMeanRowDistance() {
    const AttentionStack whole = stackOf({0.5f, 0.5f, 0.0f, 1.0f, 0.0f, 0.0f}, 2, 3);
    QCOMPARE(patternAgreement(whole, whole, 0, 0), 1.0);
    const AttentionStack disjoint = stackOf({0.0f, 0.0f, 1.0f, 0.0f, 0.5f, 0.5f}, 2, 3);
    QCOMPARE(patternAgreement(disjoint, whole, 0, 0), 0.0);
    // Row 0 shares half its mass (distance 0.5), row 1 all of it (0): agreement 0.75.
    const AttentionStack half = stackOf({0.5f, 0.0f, 0.5f, 1.0f, 0.0f, 0.0f}, 2, 3);
    QVERIFY(std::abs(patternAgreement(half, whole, 0, 0) - 0.75) < 1e-9);
}

void PatternAgreementTest::mismatchedStacksAreErrors() {
    const AttentionStack a = stackOf({1.0f, 0.0f, 0.0f, 1.0f}, 2, 2);
    const AttentionStack b = stackOf({1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f}, 2, 3);
    QVERIFY_THROWS_EXCEPTION(Error, patternAgreement(a, b, 0, 0));
    QVERIFY_THROWS_EXCEPTION(Error, patternAgreement(a, a, 1, 0));
    QVERIFY_THROWS_EXCEPTION(Error, patternAgreement(a, a, 0, -1));
}

QTEST_GUILESS_MAIN(PatternAgreementTest)
#include "test_pattern_agreement.moc"
