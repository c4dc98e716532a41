// 16-bit weights kept as stored (a large model's F16/BF16 checkpoint) compute what the same
// weights converted to float32 at load compute: every layout (nn.Linear, GPT-2's Conv1D, the
// tied head and the embedding rows it shares), the forward pass and the attribution that reads
// weights directly.
#include <QTemporaryDir>
#include <QtTest>

#include <random>

#include "ConvertedCheckpoints.h"
#include "Error.h"
#include "GoldenFixtures.h"
#include "analysis/LogitAttribution.h"
#include "io/CheckpointWeights.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<TransformerModel> modelOf(const fs::path& dir, std::size_t conversionBudget) {
    return std::make_unique<TransformerModel>(ModelConfig::fromFile(dir / "config.json"),
                                              std::make_unique<CheckpointWeights>(dir, conversionBudget));
}

double maxAbsDiff(const RowMatrix& a, const RowMatrix& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return std::numeric_limits<double>::infinity();
    return fixtures::maxAbsDiff(a.data(), std::size_t(a.size()), b.data(), std::size_t(b.size()));
}

}  // namespace

class PackedWeightsTest : public QObject {
    Q_OBJECT
private slots:
    void budgetDecidesWhatStaysSixteenBit();
    void keptWeightsComputeTheSame_data();
    void keptWeightsComputeTheSame();
    void slicesCoverEveryOutput_data();
    void slicesCoverEveryOutput();
};

void PackedWeightsTest::budgetDecidesWhatStaysSixteenBit() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "bf16";
    const fs::path original = fixtures::goldenDir() / "llama" / "model";
    fixtures::convertCheckpoint(original, dir, DType::BF16, false);
    const std::string name = "model.layers.0.self_attn.q_proj.weight";

    // Small enough to convert once: get() serves float32, packed() nothing.
    const CheckpointWeights converted(dir);
    QVERIFY(!converted.keepsSixteenBit());
    QVERIFY(converted.packed(name) == nullptr);
    // Over the budget: the mapped bytes themselves, the same bits the file holds.
    const CheckpointWeights kept(dir, 0);
    QVERIFY(kept.keepsSixteenBit());
    const std::uint8_t* bytes = kept.packed(name);
    QVERIFY(bytes != nullptr);
    std::uint16_t first;
    std::memcpy(&first, bytes, 2);
    QCOMPARE(bfloat16ToFloat(first), converted.get(name).data[0]);
    // A float32 checkpoint has nothing to keep; a missing tensor is named.
    const CheckpointWeights f32(original, 0);
    QVERIFY(!f32.keepsSixteenBit());
    QVERIFY(f32.packed(name) == nullptr);
    try {
        (void)kept.packed("no.such.weight");
        QFAIL("expected an error");
    } catch (const Error& e) {
        QVERIFY(QString(e.what()).contains("no.such.weight"));
    }
}

void PackedWeightsTest::keptWeightsComputeTheSame_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<int>("dtype");
    QTest::addColumn<bool>("head");  // T5's golden checkpoint is the bare T5Model
    for (const char* family : {"gpt2", "llama", "bert_mlm", "t5"}) {
        const bool head = std::string(family) != "t5";
        QTest::newRow((std::string(family) + " BF16").c_str()) << QString(family) << int(DType::BF16) << head;
        QTest::newRow((std::string(family) + " F16").c_str()) << QString(family) << int(DType::F16) << head;
    }
}

void PackedWeightsTest::keptWeightsComputeTheSame() {
    QFETCH(QString, family);
    QFETCH(int, dtype);
    QFETCH(bool, head);
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "half";
    fixtures::convertCheckpoint(fixtures::goldenDir() / family.toStdString() / "model", dir, DType(dtype), false);
    const auto converted = modelOf(dir, CheckpointWeights::kDefaultConversionBudget);
    const auto kept = modelOf(dir, 0);

    ForwardInput in;
    in.ids = {2, 45, 17, 92, 8, 33, 61, 5};
    if (kept->capabilities().hasDecoder()) in.decoderIds = {0, 7, 12, 30};
    const auto a = converted->forward(in), b = kept->forward(in);
    QVERIFY(a && b);
    // The same products over slices of outputs: equal but for the order of float sums.
    QCOMPARE(a->record.stacks.size(), b->record.stacks.size());
    double attention = 0.0;
    for (std::size_t i = 0; i < a->record.stacks.size(); ++i)
        attention = std::max(attention, fixtures::maxAbsDiff(a->record.stacks[i].attention.toFloat32(),
                                                             b->record.stacks[i].attention.toFloat32()));
    const double logits = maxAbsDiff(a->record.logits, b->record.logits);
    const double hidden = maxAbsDiff(a->lastHiddenState, b->lastHiddenState);
    qInfo("%s: attention %.2g, logits %.2g, hidden %.2g", qPrintable(family), attention, logits, hidden);
    QVERIFY2(attention <= 1e-5, qPrintable(QString::number(attention)));
    QVERIFY2(logits <= 1e-5, qPrintable(QString::number(logits)));
    QVERIFY2(hidden <= 1e-5, qPrintable(QString::number(hidden)));
    QCOMPARE(a->record.logits.size() > 0, head);
    if (!head) return;

    // Attribution reads the output projections and the head's row itself.
    const int last = static_cast<int>(a->record.logits.rows()) - 1;
    const auto sharesA = attributeLogit(*converted, in, {last, 3, std::nullopt});
    const auto sharesB = attributeLogit(*kept, in, {last, 3, std::nullopt});
    QVERIFY(sharesA && sharesB);
    QCOMPARE(sharesA->heads.size(), sharesB->heads.size());
    double worst = std::abs(sharesA->logit - sharesB->logit);
    for (std::size_t i = 0; i < sharesA->heads.size(); ++i) worst = std::max(worst, std::abs(sharesA->heads[i] - sharesB->heads[i]));
    QVERIFY2(worst <= 1e-5, qPrintable(QString::number(worst)));
}

void PackedWeightsTest::slicesCoverEveryOutput_data() {
    QTest::addColumn<bool>("storedInOut");
    QTest::newRow("[out, in]") << false;
    QTest::newRow("[in, out] (Conv1D)") << true;
}

// Wide inputs make several slices of outputs (about 4 MB of float32 each, so 128 outputs of
// 8192 inputs): every one is computed, and from its own weights.
void PackedWeightsTest::slicesCoverEveryOutput() {
    QFETCH(bool, storedInOut);
    const int in = 8192, out = 300;
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<std::uint16_t> bits(std::size_t(in) * out);
    std::vector<float> values(bits.size());
    for (std::size_t i = 0; i < bits.size(); ++i) {
        bits[i] = fixtures::floatToBf16(dist(rng));
        values[i] = bfloat16ToFloat(bits[i]);
    }
    Linear f32, packed;
    f32.in = packed.in = in;
    f32.out = packed.out = out;
    f32.storedInOut = packed.storedInOut = storedInOut;
    f32.weight = values.data();
    packed.packed = reinterpret_cast<const std::uint8_t*>(bits.data());
    packed.packedType = DType::BF16;
    QVERIFY(packed.present());

    RowMatrix x(3, in);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = dist(rng);
    const RowMatrix expected = f32.apply(x), got = packed.apply(x);
    QVERIFY2(maxAbsDiff(expected, got) <= 1e-3, qPrintable(QString::number(maxAbsDiff(expected, got))));
    // (Sums of 8192 products of magnitude up to 1: 1e-3 is float32 rounding, a wrong slice is O(10).)
    QCOMPARE(packed.floatWeight(), f32.floatWeight());
    for (const int o : {0, 127, 128, 299}) QCOMPARE(packed.outputWeights(o), f32.outputWeights(o));
}

QTEST_GUILESS_MAIN(PackedWeightsTest)
#include "test_packed_weights.moc"
