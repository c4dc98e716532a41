// Facts a correct engine reproduces on real trained checkpoints (../shared/models/README.md).
#include <QImage>
#include <QPainter>
#include <QtTest>

#include <cmath>

#include "GoldenFixtures.h"
#include "model/Checkpoint.h"
#include "vision/ImagePreprocessor.h"

using namespace attnscope;

class TrainedModelsTest : public QObject {
    Q_OBJECT
private slots:
    void storiesNextTokenLossAndPreviousTokenHeads();
    void mnistDigitsAreClassifiedWithPeakedAttention_data();
    void mnistDigitsAreClassifiedWithPeakedAttention();
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
    QVERIFY(r && r->record.logits.rows() == 53 && r->record.logits.cols() == 512);  // tied output projection

    // Mean next-token negative log-likelihood: 1.357 nats per token in the reference.
    double nll = 0;
    for (int t = 0; t + 1 < 53; ++t) {
        const auto row = r->record.logits.row(t).cast<double>();
        const double maxv = row.maxCoeff();
        const double logSum = maxv + std::log((row.array() - maxv).exp().sum());
        nll += logSum - row(enc.ids[t + 1]);
    }
    nll /= 52;
    QVERIFY2(std::abs(nll - 1.357) < 0.002, qPrintable(QString::number(nll)));

    // Layer 1, heads 3 and 6 are previous-token heads (0.58 and 0.60 of each row's mass).
    auto previousTokenMass = [&](int layer, int head) {
        double m = 0;
        for (int q = 1; q < 53; ++q) m += r->record.attention().at(layer, head, q, q - 1);
        return m / 52;
    };
    const double h3 = previousTokenMass(1, 3), h6 = previousTokenMass(1, 6);
    QVERIFY2(std::abs(h3 - 0.58) < 0.02, qPrintable(QString::number(h3)));
    QVERIFY2(std::abs(h6 - 0.60) < 0.02, qPrintable(QString::number(h6)));
    QVERIFY(previousTokenMass(1, 1) < 0.3);  // and not every head is one
}

void TrainedModelsTest::mnistDigitsAreClassifiedWithPeakedAttention_data() {
    QTest::addColumn<int>("digit");
    QTest::newRow("ring 0") << 0;
    QTest::newRow("bar 1") << 1;
}

void TrainedModelsTest::mnistDigitsAreClassifiedWithPeakedAttention() {
    QFETCH(int, digit);
    // A clean digit drawn white on black, as in MNIST.
    QImage img(28, 28, QImage::Format_RGB888);
    img.fill(Qt::black);
    {
        QPainter p(&img);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(Qt::white, 3.0));
        if (digit == 0) p.drawEllipse(QRectF(8, 5, 12, 18));
        else p.drawLine(QPointF(14, 5), QPointF(14, 23));
    }
    RgbImage rgb{28, 28, {}};
    for (int y = 0; y < 28; ++y) rgb.pixels.insert(rgb.pixels.end(), img.constScanLine(y), img.constScanLine(y) + 28 * 3);

    const auto dir = fixtures::modelsDir() / "vit-mnist3";
    const auto cp = Checkpoint::open(dir);
    ForwardInput in;
    in.pixels = ImagePreprocessor::fromFile(dir / "preprocessor_config.json").apply(rgb, cp->config().channels);
    const auto r = cp->forward(in);
    QVERIFY(r && r->record.logits.cols() == 3);
    const Eigen::RowVectorXd logits = r->record.logits.row(0).cast<double>();
    const Eigen::RowVectorXd probs = (logits.array() - logits.maxCoeff()).exp() / (logits.array() - logits.maxCoeff()).exp().sum();
    QVERIFY2(probs(digit) > 0.99, qPrintable(QString("p(%1) = %2").arg(digit).arg(probs(digit))));
    // The CLS row is far from uniform (1/17) in every layer: its largest weight is high.
    for (int l = 0; l < r->record.attention().layers; ++l) {
        double meanTop = 0;
        for (int h = 0; h < r->record.attention().heads; ++h) {
            float top = 0;
            for (int k = 0; k < r->record.attention().keys; ++k) top = std::max(top, r->record.attention().at(l, h, 0, k));
            meanTop += top / r->record.attention().heads;
        }
        QVERIFY2(meanTop > 0.4, qPrintable(QString("layer %1 CLS top weight %2").arg(l).arg(meanTop)));
    }
}

QTEST_APPLESS_MAIN(TrainedModelsTest)
#include "test_trained_models.moc"
