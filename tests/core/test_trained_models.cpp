// Facts a correct engine reproduces on real trained checkpoints (../shared/models/README.md).
#include <QtTest>

#include <cmath>

#include "GoldenFixtures.h"
#include "model/Checkpoint.h"

using namespace attnscope;

class TrainedModelsTest : public QObject {
    Q_OBJECT
private slots:
    void storiesNextTokenLossAndPreviousTokenHeads();
};

void TrainedModelsTest::storiesNextTokenLossAndPreviousTokenHeads() {
    const auto cp = Checkpoint::open(fixtures::modelsDir() / "stories260k");
    const auto enc = cp->encode(
        "Tom and his dog went to the park. They played with a ball and had a lot of fun. "
        "Then they went home and ate dinner. Tom was happy.");
    QCOMPARE(int(enc.ids.size()), 53);
    QCOMPARE(enc.tokens.front(), std::string("<s>"));

    ForwardInput in;
    in.ids = enc.ids;
    const auto r = cp->forward(in);
    QVERIFY(r && r->logits.rows() == 53 && r->logits.cols() == 512);  // tied output projection

    // Mean next-token negative log-likelihood: 1.357 nats per token in the reference.
    double nll = 0;
    for (int t = 0; t + 1 < 53; ++t) {
        const auto row = r->logits.row(t).cast<double>();
        const double maxv = row.maxCoeff();
        const double logSum = maxv + std::log((row.array() - maxv).exp().sum());
        nll += logSum - row(enc.ids[t + 1]);
    }
    nll /= 52;
    QVERIFY2(std::abs(nll - 1.357) < 0.002, qPrintable(QString::number(nll)));

    // Layer 1, heads 3 and 6 are previous-token heads (0.58 and 0.60 of each row's mass).
    auto previousTokenMass = [&](int layer, int head) {
        double m = 0;
        for (int q = 1; q < 53; ++q) m += r->attentions.at(layer, head, q, q - 1);
        return m / 52;
    };
    const double h3 = previousTokenMass(1, 3), h6 = previousTokenMass(1, 6);
    QVERIFY2(std::abs(h3 - 0.58) < 0.02, qPrintable(QString::number(h3)));
    QVERIFY2(std::abs(h6 - 0.60) < 0.02, qPrintable(QString::number(h6)));
    QVERIFY(previousTokenMass(1, 1) < 0.3);  // and not every head is one
}

QTEST_APPLESS_MAIN(TrainedModelsTest)
#include "test_trained_models.moc"
