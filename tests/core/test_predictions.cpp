// Top-k predictions from logits: softmax probabilities, order and ties.
#include <QtTest>

#include <cmath>

#include "analysis/Predictions.h"

using namespace attnscope;

class PredictionsTest : public QObject {
    Q_OBJECT
private slots:
    void softmaxTopK() {
        const float logits[4] = {1.0f, 3.0f, 2.0f, 3.0f};
        const auto top = topPredictions(logits, 4, 3);
        QCOMPARE(top.size(), std::size_t(3));
        QCOMPARE(top[0].id, 1);  // tie with id 3: the lower id first
        QCOMPARE(top[1].id, 3);
        QCOMPARE(top[2].id, 2);
        const double z = std::exp(1.0) + 2 * std::exp(3.0) + std::exp(2.0);
        QVERIFY(std::abs(top[0].probability - std::exp(3.0) / z) < 1e-6);
        QVERIFY(std::abs(top[2].probability - std::exp(2.0) / z) < 1e-6);
    }
    void largeLogitsDoNotOverflow() {
        const float logits[2] = {1000.0f, 999.0f};
        const auto top = topPredictions(logits, 2, 5);
        QCOMPARE(top.size(), std::size_t(2));
        QVERIFY(std::abs(top[0].probability - 1.0 / (1.0 + std::exp(-1.0))) < 1e-6);
    }
    void emptyInputsGiveNothing() {
        const float logits[1] = {0.0f};
        QVERIFY(topPredictions(logits, 0, 3).empty());
        QVERIFY(topPredictions(logits, 1, 0).empty());
    }
};

QTEST_APPLESS_MAIN(PredictionsTest)
#include "test_predictions.moc"
