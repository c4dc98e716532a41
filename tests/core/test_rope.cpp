// Rotary position embeddings as transformers' modeling_rope_utils defines them (default,
// linear, dynamic NTK, YaRN, LongRoPE, Llama 3) and as its models apply them (rotate half,
// cos and sin times the attention factor). Every expected number follows from those
// definitions, worked out by hand in the comments; none comes from running the engine.
#include <QtTest>

#include <cmath>
#include <numbers>

#include "model/RopeSpec.h"
#include "model/RotaryEmbedding.h"

using namespace attnscope;
using nlohmann::json;

namespace {

// What a config's top level would give an entry: its head size, base and lengths.
RopeContext contextFor(int headDim, int maxPositions = 64, double theta = 10000.0) {
    RopeContext c;
    c.where = "config.json: rope_parameters";
    c.theta = theta;
    c.headDim = headDim;
    c.maxPositions = maxPositions;
    return c;
}

RopeSpec ropeOf(const json& entry, const RopeContext& context) { return readRopeSpec(&entry, context); }
RopeSpec ropeOf(const json& entry, int headDim, int maxPositions = 64) { return readRopeSpec(&entry, contextFor(headDim, maxPositions)); }

// transformers keeps the frequencies in float32: compare with a relative tolerance a few
// float32 roundings wide.
bool near(double actual, double expected, double relative = 3e-6) {
    return std::abs(actual - expected) <= relative * std::max(std::abs(expected), 1e-30);
}

void compareFrequencies(const std::vector<double>& actual, const QList<double>& expected) {
    QCOMPARE(actual.size(), std::size_t(expected.size()));
    for (qsizetype i = 0; i < expected.size(); ++i)
        QVERIFY2(near(actual[std::size_t(i)], expected[i]), qPrintable(QString("frequency %1 is %2, expected %3")
                                                                             .arg(i)
                                                                             .arg(actual[std::size_t(i)], 0, 'g', 10)
                                                                             .arg(expected[i], 0, 'g', 10)));
}

// One row per position of `heads` heads of headDim values each.
RowMatrix rowsOf(const std::vector<float>& headValues, int heads, int positions) {
    RowMatrix x(positions, heads * static_cast<int>(headValues.size()));
    for (int r = 0; r < positions; ++r)
        for (int h = 0; h < heads; ++h)
            for (std::size_t i = 0; i < headValues.size(); ++i)
                x(r, h * static_cast<int>(headValues.size()) + static_cast<int>(i)) = headValues[i] * static_cast<float>(1 + r + h);
    return x;
}

std::vector<int> positionsUpTo(int last) {
    std::vector<int> p;
    for (int i = 0; i <= last; ++i) p.push_back(i);
    return p;
}

const double kSqrt10 = std::sqrt(10.0);

}  // namespace

class RopeTest : public QObject {
    Q_OBJECT
private slots:
    void defaultFrequencies_data();
    void defaultFrequencies();
    void linearIsDefaultOverFactor();
    void llama3_data();
    void llama3();
    void dynamicNtk();
    void yarnFrequencies_data();
    void yarnFrequencies();
    void yarnAttentionFactor_data();
    void yarnAttentionFactor();
    void longRopeFrequencies();
    void longRopeAttentionFactor_data();
    void longRopeAttentionFactor();
    void positionZeroKeepsTheVector();
    void rotationByHand();
    void rotationKeepsEachPairsNorm();
    void dimensionsPastTheRotaryOnesPassThrough();
    void dynamicUsesTheCallsLargestPosition();
    void longRopeUsesTheCallsLargestPosition();
    void describeNamesTheScaling_data();
    void describeNamesTheScaling();
};

void RopeTest::defaultFrequencies_data() {
    QTest::addColumn<int>("headDim");
    QTest::addColumn<double>("fraction");
    QTest::addColumn<double>("theta");
    QTest::addColumn<QList<double>>("expected");
    // inv_freq[i] = 1 / theta^(2i/d): with theta 10^4 and d 16, 10^(-i/2).
    QTest::newRow("d 16, theta 1e4") << 16 << 1.0 << 1e4
                                     << QList<double>{1, 1 / kSqrt10, 0.1, 0.01 * kSqrt10, 0.01, 0.001 * kSqrt10, 0.001, 0.0001 * kSqrt10};
    // theta 10^6, d 8: 10^(-6i/4) = 1, 10^-1.5, 10^-3, 10^-4.5.
    QTest::newRow("d 8, theta 1e6") << 8 << 1.0 << 1e6 << QList<double>{1, 0.01 * kSqrt10, 0.001, 0.00001 * kSqrt10};
    // partial_rotary_factor 0.25 of head_dim 16: d = 4, two frequencies 1 and 10^(-4*2/4) = 0.01.
    QTest::newRow("quarter of 16") << 16 << 0.25 << 1e4 << QList<double>{1, 0.01};
    // half of 8 with theta 100: d = 4, 1 and 100^(-2/4) = 0.1.
    QTest::newRow("half of 8, theta 100") << 8 << 0.5 << 100.0 << QList<double>{1, 0.1};
}

void RopeTest::defaultFrequencies() {
    QFETCH(int, headDim);
    QFETCH(double, fraction);
    QFETCH(double, theta);
    QFETCH(QList<double>, expected);
    const RopeSpec s = ropeOf({{"rope_type", "default"}, {"rope_theta", theta}, {"partial_rotary_factor", fraction}}, headDim);
    QCOMPARE(s.type, RopeType::Default);
    QCOMPARE(s.rotaryDims, int(expected.size()) * 2);
    compareFrequencies(s.inverseFrequencies(8), expected);
    QCOMPARE(s.inverseFrequencies(8).front(), 1.0);  // theta^0, exactly
    // Neither the length nor the attention factor enter the default RoPE.
    QCOMPARE(s.inverseFrequencies(1), s.inverseFrequencies(1 << 20));
    QCOMPARE(s.attentionFactor, 1.0);
}

// linear: the default frequencies divided by factor (positions divided by factor, as the
// reference notes). Dividing a float32 by 4 is exact, so that factor compares exactly.
void RopeTest::linearIsDefaultOverFactor() {
    const std::vector<double> plain = ropeOf({{"rope_type", "default"}}, 16).inverseFrequencies(8);
    for (const double factor : {4.0, 2.5}) {
        const RopeSpec s = ropeOf({{"rope_type", "linear"}, {"factor", factor}}, 16);
        QCOMPARE(s.factor, factor);
        const std::vector<double> scaled = s.inverseFrequencies(8);
        QCOMPARE(scaled.size(), plain.size());
        for (std::size_t i = 0; i < plain.size(); ++i) {
            if (factor == 4.0) QCOMPARE(scaled[i], plain[i] / 4.0);
            else QVERIFY2(near(scaled[i], plain[i] / factor), qPrintable(QString::number(i)));
        }
    }
}

void RopeTest::llama3_data() {
    QTest::addColumn<int>("original");
    QTest::addColumn<QList<double>>("expected");
    // d 16, theta 10^4: f_i = 10^(-i/2), wavelength 2*pi/f_i = 6.283, 19.87, 62.83, 198.7, ...
    // factor 8, low_freq_factor 1, high_freq_factor 4.
    // original 32: kept below 32/4 = 8 (i = 0), divided by 8 above 32/1 = 32 (i >= 2), and i = 1
    // (wavelength 2*pi*sqrt(10) = 19.869) blended with smooth = (32/19.869 - 1)/(4 - 1) = 0.203512:
    // (1 - smooth) * f/8 + smooth * f = 0.316228 * (0.796488/8 + 0.203512) = 0.0958400.
    QTest::newRow("original 32") << 32
                                 << QList<double>{1, 0.0958399859, 0.1 / 8, 0.01 * kSqrt10 / 8, 0.01 / 8, 0.001 * kSqrt10 / 8, 0.001 / 8,
                                                  0.0001 * kSqrt10 / 8};
    // original 16: nothing below 16/4 = 4 is kept; i = 0 (wavelength 6.283) is blended with
    // smooth = (16/6.283 - 1)/3 = 0.515493: 0.484507/8 + 0.515493 = 0.576056; the rest divided by 8.
    QTest::newRow("original 16") << 16
                                 << QList<double>{0.5760564011, 1 / kSqrt10 / 8, 0.1 / 8, 0.01 * kSqrt10 / 8, 0.01 / 8, 0.001 * kSqrt10 / 8,
                                                  0.001 / 8, 0.0001 * kSqrt10 / 8};
}

void RopeTest::llama3() {
    QFETCH(int, original);
    QFETCH(QList<double>, expected);
    const RopeSpec s = ropeOf({{"rope_type", "llama3"},
                               {"factor", 8.0},
                               {"low_freq_factor", 1.0},
                               {"high_freq_factor", 4.0},
                               {"original_max_position_embeddings", original}},
                              16);
    QCOMPARE(s.originalMaxPositions, original);
    compareFrequencies(s.inverseFrequencies(8), expected);
    QCOMPARE(s.attentionFactor, 1.0);
}

// Dynamic NTK: up to max_position_embeddings (16 here) the default frequencies; beyond, the base
// becomes theta * s^(d/(d-2)) with s = factor*L/max - (factor - 1). With d 8, theta 10^4 and
// factor 2: inv_i = 10^(-i) * s^(-i/3), so i = 0 stays 1 and the last (i = 3) is 0.001 / s.
void RopeTest::dynamicNtk() {
    const RopeSpec s = ropeOf({{"rope_type", "dynamic"}, {"factor", 2.0}}, 8, 16);
    const QList<double> plain{1, 0.1, 0.01, 0.001};
    compareFrequencies(s.inverseFrequencies(1), plain);
    compareFrequencies(s.inverseFrequencies(16), plain);
    // L 32: s = 2*32/16 - 1 = 3; 0.1 * 3^(-1/3) = 0.0693361, 0.01 * 3^(-2/3) = 0.00480750, 0.001/3.
    compareFrequencies(s.inverseFrequencies(32), {1, 0.06933612744, 0.004807498568, 0.001 / 3});
    // L 64: s = 7, the last is 0.001/7.
    QVERIFY(near(s.inverseFrequencies(64).back(), 0.001 / 7));
    // Just past the length the base grows (s = 2*17/16 - 1 = 1.125), and keeps growing with L.
    QVERIFY(near(s.inverseFrequencies(17).back(), 0.001 / 1.125));
    double previous = s.inverseFrequencies(16).back();
    for (const int length : {17, 32, 64, 1000}) {
        const std::vector<double> f = s.inverseFrequencies(length);
        QCOMPARE(f.front(), 1.0);
        QVERIFY2(f.back() < previous, qPrintable(QString::number(length)));
        previous = f.back();
    }
}

void RopeTest::yarnFrequencies_data() {
    QTest::addColumn<QString>("entry");
    QTest::addColumn<QList<double>>("expected");
    const json base = {{"rope_type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 2048}};
    const auto with = [&](json extra) {
        json e = base;
        e.update(extra);
        return QString::fromStdString(e.dump());
    };
    // d 16, theta 10^4, f_i = 10^(-i/2). A frequency is kept while it turns more than beta_fast
    // (32) times over the original 2048 positions and divided by factor (4) below beta_slow (1)
    // turns; the dimension where it turns r times is d*ln(2048/(r*2*pi)) / (2*ln 10^4):
    // r = 32: 16*ln(10.186)/18.4207 = 2.0160; r = 1: 16*ln(325.95)/18.4207 = 5.0263.
    // Truncated to [2, 6]: i <= 2 kept, i >= 6 divided by 4, i = 3, 4, 5 on the ramp (i - 2)/4
    // = 1/4, 1/2, 3/4, blended as f*(1 - ramp) + f/4*ramp: 0.8125 f, 0.625 f, 0.4375 f.
    const QList<double> truncated{1, 1 / kSqrt10, 0.1, 0.8125 * 0.01 * kSqrt10, 0.625 * 0.01, 0.4375 * 0.001 * kSqrt10, 0.001 / 4,
                                  0.0001 * kSqrt10 / 4};
    QTest::newRow("truncated") << with(json::object()) << truncated;
    QTest::newRow("truncate true") << with({{"truncate", true}}) << truncated;
    // Over 4096 original positions the ends are 16*ln(20.372)/18.4207 = 2.6181 and
    // 16*ln(651.90)/18.4207 = 5.6284: floor and ceil give the same [2, 6].
    QTest::newRow("original 4096") << with({{"original_max_position_embeddings", 4096}}) << truncated;
    // transformers reads the betas with `or`: 0 means the default 32 and 1.
    QTest::newRow("beta 0 is the default") << with({{"beta_fast", 0}, {"beta_slow", 0}}) << truncated;
    // Not truncated, the ramp runs over [2.0160, 5.0263]: (3 - 2.0160)/3.0103 = 0.326878,
    // 0.659070, 0.991263 for i = 3, 4, 5; i = 2 is just below the ramp and kept.
    QTest::newRow("not truncated") << with({{"truncate", false}})
                                   << QList<double>{1,
                                                    1 / kSqrt10,
                                                    0.1,
                                                    0.01 * kSqrt10 * (1 - 0.75 * 0.3268776544),
                                                    0.01 * (1 - 0.75 * 0.6590704638),
                                                    0.001 * kSqrt10 * (1 - 0.75 * 0.9912632733),
                                                    0.001 / 4,
                                                    0.0001 * kSqrt10 / 4};
    // beta_fast 8, beta_slow 2: 16*ln(2048/(8*2*pi))/18.4207 = 3.2201 and
    // 16*ln(2048/(2*2*pi))/18.4207 = 4.4242, truncated to [3, 5]: i = 4 halfway, 0.625 f.
    QTest::newRow("beta 8 and 2") << with({{"beta_fast", 8}, {"beta_slow", 2}})
                                  << QList<double>{1, 1 / kSqrt10, 0.1, 0.01 * kSqrt10, 0.625 * 0.01, 0.001 * kSqrt10 / 4, 0.001 / 4,
                                                   0.0001 * kSqrt10 / 4};
}

void RopeTest::yarnFrequencies() {
    QFETCH(QString, entry);
    QFETCH(QList<double>, expected);
    const RopeSpec s = ropeOf(json::parse(entry.toStdString()), 16, 8192);
    QCOMPARE(s.type, RopeType::Yarn);
    compareFrequencies(s.inverseFrequencies(8), expected);
    QCOMPARE(s.inverseFrequencies(8), s.inverseFrequencies(100000));  // YaRN does not depend on the length
}

void RopeTest::yarnAttentionFactor_data() {
    QTest::addColumn<QString>("entry");
    QTest::addColumn<double>("factor");
    QTest::addColumn<double>("attentionFactor");
    const double ln4 = std::log(4.0);
    const auto row = [](json extra) {
        json e = {{"rope_type", "yarn"}, {"original_max_position_embeddings", 2048}};
        e.update(extra);
        return QString::fromStdString(e.dump());
    };
    // The paper's default: 0.1 * ln(factor) + 1 = 1.1386294 for factor 4.
    QTest::newRow("default") << row({{"factor", 4.0}}) << 4.0 << 0.1 * ln4 + 1;
    QTest::newRow("explicit") << row({{"factor", 4.0}, {"attention_factor", 1.5}}) << 4.0 << 1.5;
    // With both mscale and mscale_all_dim: (0.1*1*ln4 + 1) / (0.1*0.5*ln4 + 1) = 1.0648216.
    QTest::newRow("mscale ratio") << row({{"factor", 4.0}, {"mscale", 1.0}, {"mscale_all_dim", 0.5}}) << 4.0
                                  << (0.1 * ln4 + 1) / (0.05 * ln4 + 1);
    QTest::newRow("mscale alone is ignored") << row({{"factor", 4.0}, {"mscale", 2.0}}) << 4.0 << 0.1 * ln4 + 1;
    // get_mscale is 1 for a factor up to 1 (0.1 * ln 0.5 + 1 would be 0.93).
    QTest::newRow("factor 1") << row({{"factor", 1.0}}) << 1.0 << 1.0;
    QTest::newRow("factor below 1") << row({{"factor", 0.5}}) << 0.5 << 1.0;
    // Without a factor: max_position_embeddings / original = 8192 / 2048 = 4.
    QTest::newRow("factor from the lengths") << row(json::object()) << 4.0 << 0.1 * ln4 + 1;
    QTest::newRow("null factor from the lengths") << row({{"factor", nullptr}}) << 4.0 << 0.1 * ln4 + 1;
}

void RopeTest::yarnAttentionFactor() {
    QFETCH(QString, entry);
    QFETCH(double, factor);
    QFETCH(double, attentionFactor);
    const RopeSpec s = ropeOf(json::parse(entry.toStdString()), 16, 8192);
    QCOMPARE(s.factor, factor);
    QVERIFY2(near(s.attentionFactor, attentionFactor, 1e-12), qPrintable(QString::number(s.attentionFactor, 'g', 12)));
}

// LongRoPE: 1 / (ext_i * theta^(2i/d)), ext the short factors while the sequence fits in
// original_max_position_embeddings and the long ones beyond. d 8, theta 10^4: 10^(-i) / ext_i.
void RopeTest::longRopeFrequencies() {
    const json entry = {{"rope_type", "longrope"},
                        {"original_max_position_embeddings", 16},
                        {"short_factor", {1.0, 2.0, 4.0, 8.0}},
                        {"long_factor", {2.0, 4.0, 8.0, 16.0}}};
    const RopeSpec s = ropeOf(entry, 8, 64);
    QCOMPARE(s.originalMaxPositions, 16);
    compareFrequencies(s.inverseFrequencies(1), {1, 0.05, 0.0025, 0.000125});
    compareFrequencies(s.inverseFrequencies(16), {1, 0.05, 0.0025, 0.000125});
    compareFrequencies(s.inverseFrequencies(17), {0.5, 0.025, 0.00125, 0.0000625});
    compareFrequencies(s.inverseFrequencies(64), {0.5, 0.025, 0.00125, 0.0000625});
}

void RopeTest::longRopeAttentionFactor_data() {
    QTest::addColumn<QString>("entry");
    QTest::addColumn<int>("topOriginal");
    QTest::addColumn<int>("original");
    QTest::addColumn<double>("attentionFactor");
    const auto row = [](json extra) {
        json e = {{"rope_type", "longrope"}, {"short_factor", {1, 1, 1, 1}}, {"long_factor", {2, 2, 2, 2}}};
        e.update(extra);
        return QString::fromStdString(e.dump());
    };
    // sqrt(1 + ln(factor) / ln(original)); without a factor, factor = max / original.
    // 64 / 16 = 4: sqrt(1 + ln 4 / ln 16) = sqrt(1.5).
    QTest::newRow("factor from the lengths") << row({{"original_max_position_embeddings", 16}}) << 0 << 16 << std::sqrt(1.5);
    // An explicit factor 8: sqrt(1 + ln 8 / ln 16) = sqrt(1.75).
    QTest::newRow("explicit factor") << row({{"original_max_position_embeddings", 16}, {"factor", 8.0}}) << 0 << 16 << std::sqrt(1.75);
    QTest::newRow("explicit attention factor") << row({{"original_max_position_embeddings", 16}, {"attention_factor", 1.25}}) << 0 << 16
                                               << 1.25;
    // factor <= 1: no scaling (64 / 64, or a factor of 0.5).
    QTest::newRow("factor 1") << row({{"original_max_position_embeddings", 64}}) << 0 << 64 << 1.0;
    QTest::newRow("factor below 1") << row({{"original_max_position_embeddings", 16}, {"factor", 0.5}}) << 0 << 16 << 1.0;
    // Phi-3 keeps original_max_position_embeddings at the top level, where it wins over the
    // entry's: 32, so factor 64/32 = 2 and sqrt(1 + ln 2 / ln 32) = sqrt(1.2).
    QTest::newRow("top-level original wins") << row({{"original_max_position_embeddings", 16}}) << 32 << 32 << std::sqrt(1.2);
    QTest::newRow("top-level original alone") << row(json::object()) << 32 << 32 << std::sqrt(1.2);
}

void RopeTest::longRopeAttentionFactor() {
    QFETCH(QString, entry);
    QFETCH(int, topOriginal);
    QFETCH(int, original);
    QFETCH(double, attentionFactor);
    RopeContext c = contextFor(8, 64);
    c.topOriginalMaxPositions = topOriginal;
    const RopeSpec s = ropeOf(json::parse(entry.toStdString()), c);
    QCOMPARE(s.originalMaxPositions, original);
    QVERIFY2(near(s.attentionFactor, attentionFactor, 1e-12), qPrintable(QString::number(s.attentionFactor, 'g', 12)));
    // The long factors start just past the original length.
    QCOMPARE(s.inverseFrequencies(original).front(), 1.0);
    QCOMPARE(s.inverseFrequencies(original + 1).front(), 0.5);
}

// At position 0 every angle is 0: cos 1, sin 0, so the vector comes back times the attention
// factor (1 without YaRN or LongRoPE; 1.5 given explicitly here).
void RopeTest::positionZeroKeepsTheVector() {
    const std::vector<float> head{0.5f, -1.0f, 2.0f, 0.25f, -3.0f, 1.5f, 0.75f, -0.5f};
    for (const double attention : {1.0, 1.5}) {
        const json entry = attention == 1.0 ? json{{"rope_type", "default"}}
                                            : json{{"rope_type", "yarn"}, {"factor", 4.0}, {"attention_factor", attention},
                                                   {"original_max_position_embeddings", 16}};
        const RotaryEmbedding rotary(ropeOf(entry, 8, 64));
        const RowMatrix before = rowsOf(head, 2, 1);
        RowMatrix x = before;
        rotary.apply(x, 2, 8, {0});
        for (Eigen::Index i = 0; i < x.cols(); ++i) QCOMPARE(x(0, i), static_cast<float>(before(0, i) * attention));
    }
}

// Rotate half: with d 4 the pairs are (x0, x2) at frequency 1 and (x1, x3) at 10^4^(-2/4) = 0.01,
// each turned by position * frequency: (a, b) -> (a cos t - b sin t, b cos t + a sin t).
void RopeTest::rotationByHand() {
    const RotaryEmbedding rotary(ropeOf({{"rope_type", "default"}}, 4));
    RowMatrix x(2, 4);
    x << 1, 2, 3, 4, 1, 2, 3, 4;
    rotary.apply(x, 1, 4, {1, 3});
    for (const auto& [row, position] : {std::pair{0, 1.0}, std::pair{1, 3.0}}) {
        const double t0 = position * 1.0, t1 = position * 0.01;
        const double expected[4] = {1 * std::cos(t0) - 3 * std::sin(t0), 2 * std::cos(t1) - 4 * std::sin(t1),
                                    3 * std::cos(t0) + 1 * std::sin(t0), 4 * std::cos(t1) + 2 * std::sin(t1)};
        for (int i = 0; i < 4; ++i)
            QVERIFY2(std::abs(x(row, i) - expected[i]) < 2e-6,
                     qPrintable(QString("row %1 value %2: %3 vs %4").arg(row).arg(i).arg(x(row, i)).arg(expected[i])));
    }
}

// A rotation keeps each pair's length; YaRN's attention factor scales it.
void RopeTest::rotationKeepsEachPairsNorm() {
    const std::vector<float> head{0.5f, -1.0f, 2.0f, 0.25f, -3.0f, 1.5f, 0.75f, -0.5f, 1, 2, 3, 4, 5, 6, 7, 8};
    for (const double attention : {1.0, 1.5}) {
        const json yarn = {
            {"rope_type", "yarn"}, {"factor", 4.0}, {"attention_factor", attention}, {"original_max_position_embeddings", 16}};
        const RotaryEmbedding rotary(ropeOf(yarn, 16, 64));
        const RowMatrix before = rowsOf(head, 2, 10);
        RowMatrix x = before;
        rotary.apply(x, 2, 16, positionsUpTo(9));
        for (Eigen::Index r = 0; r < x.rows(); ++r)
            for (int h = 0; h < 2; ++h)
                for (int i = 0; i < 8; ++i) {
                    const int a = h * 16 + i, b = a + 8;
                    const double was = std::hypot(before(r, a), before(r, b)), is = std::hypot(x(r, a), x(r, b));
                    QVERIFY2(std::abs(is - was * attention) < 1e-5 * (1 + was),
                             qPrintable(QString("row %1 head %2 pair %3").arg(r).arg(h).arg(i)));
                }
        QVERIFY(x != before);
    }
}

// partial_rotary_factor 0.5 of head_dim 8: dimensions 0-3 of each head rotate, 4-7 pass through.
void RopeTest::dimensionsPastTheRotaryOnesPassThrough() {
    const RopeSpec spec = ropeOf({{"rope_type", "default"}, {"partial_rotary_factor", 0.5}}, 8);
    QCOMPARE(spec.rotaryDims, 4);
    const RotaryEmbedding rotary(spec);
    const RowMatrix before = rowsOf({1, 2, 3, 4, 5, 6, 7, 8}, 3, 6);
    RowMatrix x = before;
    rotary.apply(x, 3, 8, positionsUpTo(5));
    for (Eigen::Index r = 0; r < x.rows(); ++r)
        for (int h = 0; h < 3; ++h) {
            for (int i = 4; i < 8; ++i) QCOMPARE(x(r, h * 8 + i), before(r, h * 8 + i));
            if (r > 0) QVERIFY(x(r, h * 8) != before(r, h * 8));
        }
}

// Dynamic NTK recomputes its frequencies per call from the largest position + 1. d 4, factor 2,
// max 16: a call reaching position 20 has L 21, base 10^4 * (2*21/16 - 1)^(4/2) = 10^4 * 1.625^2,
// so the second frequency is 1/162.5; a call reaching only 10 keeps the default 0.01.
void RopeTest::dynamicUsesTheCallsLargestPosition() {
    const RotaryEmbedding rotary(ropeOf({{"rope_type", "dynamic"}, {"factor", 2.0}}, 4, 16));
    RowMatrix longCall(2, 4), shortCall(1, 4);
    longCall << 0, 1, 0, 0, 0, 1, 0, 0;
    shortCall << 0, 1, 0, 0;
    rotary.apply(longCall, 1, 4, {10, 20});
    rotary.apply(shortCall, 1, 4, {10});
    // (x1, x3) = (1, 0) turned by t: (cos t, sin t).
    QVERIFY(std::abs(longCall(0, 1) - std::cos(10 / 162.5)) < 1e-6 && std::abs(longCall(0, 3) - std::sin(10 / 162.5)) < 1e-6);
    QVERIFY(std::abs(longCall(1, 1) - std::cos(20 / 162.5)) < 1e-6 && std::abs(longCall(1, 3) - std::sin(20 / 162.5)) < 1e-6);
    QVERIFY(std::abs(shortCall(0, 1) - std::cos(0.1)) < 1e-6 && std::abs(shortCall(0, 3) - std::sin(0.1)) < 1e-6);
}

// LongRoPE switches to the long factors once a call's largest position reaches the original
// length (seq_len = max position + 1 > 16). d 4, short factors 1, long factors 4: position 15
// turns by 15 * 1 in a call ending at 15 and by 15 / 4 in one ending at 16. Both scale by
// sqrt(1 + ln 4 / ln 16) = sqrt(1.5) (factor 64 / 16).
void RopeTest::longRopeUsesTheCallsLargestPosition() {
    const RotaryEmbedding rotary(ropeOf({{"rope_type", "longrope"},
                                         {"original_max_position_embeddings", 16},
                                         {"short_factor", {1.0, 1.0}},
                                         {"long_factor", {4.0, 4.0}}},
                                        4, 64));
    for (const auto& [last, angle] : {std::pair{15, 15.0}, std::pair{16, 3.75}}) {
        RowMatrix x = RowMatrix::Zero(last + 1, 4);
        x.col(0).setOnes();
        rotary.apply(x, 1, 4, positionsUpTo(last));
        const double scale = std::sqrt(1.5);
        QVERIFY2(std::abs(x(15, 0) - scale * std::cos(angle)) < 1e-5, qPrintable(QString::number(last)));
        QVERIFY2(std::abs(x(15, 2) - scale * std::sin(angle)) < 1e-5, qPrintable(QString::number(last)));
    }
}

void RopeTest::describeNamesTheScaling_data() {
    QTest::addColumn<QString>("entry");
    QTest::addColumn<int>("headDim");
    QTest::addColumn<QString>("expected");
    QTest::newRow("default") << R"({"rope_type": "default"})" << 16 << "default (theta 10000)";
    QTest::newRow("partial") << R"({"rope_theta": 500000, "partial_rotary_factor": 0.25})" << 16
                             << "default (theta 500000, 4 dims rotated)";
    QTest::newRow("linear") << R"({"type": "linear", "factor": 4})" << 16 << "linear x4 (theta 10000)";
    QTest::newRow("dynamic") << R"({"rope_type": "dynamic", "factor": 2})" << 16 << "dynamic x2 (theta 10000, beyond 64)";
    QTest::newRow("llama3") << R"({"rope_type": "llama3", "factor": 8, "low_freq_factor": 1, "high_freq_factor": 4,
                                  "original_max_position_embeddings": 8192, "rope_theta": 500000})"
                            << 16 << "llama3 x8 (theta 500000, trained to 8192)";
    QTest::newRow("yarn") << R"({"rope_type": "yarn", "factor": 4, "original_max_position_embeddings": 16})" << 16
                          << "yarn x4 (theta 10000, trained to 16, attention x1.13863)";
    QTest::newRow("longrope") << R"({"rope_type": "longrope", "original_max_position_embeddings": 16,
                                    "short_factor": [1, 1], "long_factor": [2, 2]})"
                              << 4 << "longrope (theta 10000, trained to 16, attention x1.22474)";
}

void RopeTest::describeNamesTheScaling() {
    QFETCH(QString, entry);
    QFETCH(int, headDim);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(ropeOf(json::parse(entry.toStdString()), headDim, 64).describe()), expected);
}

QTEST_APPLESS_MAIN(RopeTest)
#include "test_rope.moc"
