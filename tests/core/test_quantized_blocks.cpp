// GGUF's block-quantized types decode to what ggml itself decodes them to: blocks written by
// ggml's quantizer and blocks of random bytes, each with the floats ggml's dequantize_row_*
// gave (tests/fixtures/ggml_blocks/blocks.json, made by tools/ggml_block_reference.py from
// llama.cpp's own library), and a few blocks built here by hand from the format's definition.
#include <QtTest>

#include <cmath>
#include <cstring>

#include "GoldenFixtures.h"
#include "tensor/DType.h"

using namespace attnscope;

namespace {

std::vector<std::uint8_t> fromHex(const std::string& hex) {
    std::vector<std::uint8_t> out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
    return out;
}

std::vector<float> decode(DType type, const std::vector<std::uint8_t>& bytes) {
    const std::size_t count = bytes.size() / dtypeBlockBytes(type) * dtypeBlockElements(type);
    std::vector<float> out(count, std::nanf(""));
    convertToFloat(type, bytes.data(), count, out.data());
    return out;
}

void putHalf(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t h) { std::memcpy(b.data() + at, &h, 2); }

constexpr std::uint16_t kHalfOne = 0x3C00, kHalfHalf = 0x3800, kHalfTwo = 0x4000, kHalfMinusOne = 0xBC00;

DType typeNamed(const std::string& name) {
    for (DType t : {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q2_K, DType::Q3_K, DType::Q4_K,
                    DType::Q5_K, DType::Q6_K})
        if (dtypeName(t) == name) return t;
    throw std::runtime_error("no type " + name);
}

}  // namespace

class QuantizedBlocksTest : public QObject {
    Q_OBJECT
private slots:
    void sizesAreGgmls();
    void decodesAsGgmlDoes_data();
    void decodesAsGgmlDoes();
    void handBuiltBlocks();
    void blockTypesAreNoSafetensorsDtype();
};

void QuantizedBlocksTest::sizesAreGgmls() {
    // ggml-common.h's static_asserts on sizeof(block_*).
    const std::vector<std::tuple<DType, std::size_t, std::size_t>> sizes = {
        {DType::Q4_0, 32, 18},  {DType::Q4_1, 32, 20},  {DType::Q5_0, 32, 22},  {DType::Q5_1, 32, 24},
        {DType::Q8_0, 32, 34},  {DType::Q2_K, 256, 84}, {DType::Q3_K, 256, 110}, {DType::Q4_K, 256, 144},
        {DType::Q5_K, 256, 176}, {DType::Q6_K, 256, 210}};
    for (const auto& [type, values, bytes] : sizes) {
        QVERIFY(isBlockQuantized(type));
        QCOMPARE(dtypeBlockElements(type), values);
        QCOMPARE(dtypeBlockBytes(type), bytes);
        QCOMPARE(dtypeBytes(type, 4 * values), 4 * bytes);
        QCOMPARE(dtypeSize(type), std::size_t(0));
    }
    QVERIFY(!isBlockQuantized(DType::F16));
    QCOMPARE(dtypeBytes(DType::BF16, 10), std::size_t(20));
    QCOMPARE(dtypeBlockElements(DType::F32), std::size_t(1));
}

void QuantizedBlocksTest::decodesAsGgmlDoes_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("which");
    const auto reference = fixtures::readJson(std::filesystem::path(ATTNSCOPE_FIXTURES_DIR) / "ggml_blocks" / "blocks.json");
    for (auto it = reference["types"].begin(); it != reference["types"].end(); ++it)
        for (int i = 0; i < int(it->size()); ++i)
            QTest::newRow((it.key() + (i == 0 ? " quantized by ggml" : " random bytes")).c_str()) << QString::fromStdString(it.key()) << i;
    QCOMPARE(reference["types"].size(), std::size_t(10));
}

void QuantizedBlocksTest::decodesAsGgmlDoes() {
    QFETCH(QString, type);
    QFETCH(int, which);
    const auto reference = fixtures::readJson(std::filesystem::path(ATTNSCOPE_FIXTURES_DIR) / "ggml_blocks" / "blocks.json");
    const auto& entry = reference["types"][type.toStdString()][which];
    const std::vector<float> expected = entry["floats"].get<std::vector<float>>();
    const std::vector<float> got = decode(typeNamed(type.toStdString()), fromHex(entry["bytes"].get<std::string>()));
    QCOMPARE(got.size(), expected.size());
    // ggml computes the same float operations; a compiler may fuse a multiply and an add.
    for (std::size_t i = 0; i < got.size(); ++i) {
        QVERIFY2(std::isfinite(got[i]), qPrintable(QString("value %1 is not finite").arg(i)));
        QVERIFY2(std::abs(got[i] - expected[i]) <= 1e-6f * std::max(1.0f, std::abs(expected[i])),
                 qPrintable(QString("value %1: %2, ggml %3").arg(i).arg(got[i]).arg(expected[i])));
    }
}

void QuantizedBlocksTest::handBuiltBlocks() {
    {  // Q8_0: d = 0.5, q = -128, 127, 0, 1, ...
        std::vector<std::uint8_t> b(34, 0);
        putHalf(b, 0, kHalfHalf);
        b[2] = 0x80;
        b[3] = 0x7F;
        b[5] = 1;
        const auto y = decode(DType::Q8_0, b);
        QCOMPARE(y[0], -64.0f);
        QCOMPARE(y[1], 63.5f);
        QCOMPARE(y[2], 0.0f);
        QCOMPARE(y[3], 0.5f);
    }
    {  // Q4_0: d = 2; byte 0 = 0xF0: value 0 is (0 - 8) * 2, value 16 is (15 - 8) * 2
        std::vector<std::uint8_t> b(18, 0x88);
        putHalf(b, 0, kHalfTwo);
        b[2] = 0xF0;
        const auto y = decode(DType::Q4_0, b);
        QCOMPARE(y[0], -16.0f);
        QCOMPARE(y[16], 14.0f);
        QCOMPARE(y[1], 0.0f);
    }
    {  // Q4_1: d = 1, m = -1: value = q - 1
        std::vector<std::uint8_t> b(20, 0);
        putHalf(b, 0, kHalfOne);
        putHalf(b, 2, kHalfMinusOne);
        b[4] = 0x3A;
        const auto y = decode(DType::Q4_1, b);
        QCOMPARE(y[0], 9.0f);
        QCOMPARE(y[16], 2.0f);
        QCOMPARE(y[31], -1.0f);
    }
    {  // Q5_0: the fifth bit of value 0 is bit 0 of qh, of value 16 bit 16: (16 | 0) - 16 = 0, (16 | 1) - 16 = 1
        std::vector<std::uint8_t> b(22, 0);
        putHalf(b, 0, kHalfOne);
        const std::uint32_t qh = 1u | (1u << 16);
        std::memcpy(b.data() + 2, &qh, 4);
        b[6] = 0x10;
        const auto y = decode(DType::Q5_0, b);
        QCOMPARE(y[0], 0.0f);
        QCOMPARE(y[16], 1.0f);
        QCOMPARE(y[1], -16.0f);
    }
    {  // Q6_K: d = 1, every scale 1, every low nibble 0 and high pair 2: (0 | 2 << 4) - 32 = 0
        std::vector<std::uint8_t> b(210, 0);
        for (int i = 128; i < 192; ++i) b[i] = 0xAA;
        for (int i = 192; i < 208; ++i) b[i] = 1;
        putHalf(b, 208, kHalfOne);
        b[0] = 0x05;  // value 0: (5 | 2 << 4) - 32 = 5; value 64: (0 | 2 << 4) - 32 = 0
        const auto y = decode(DType::Q6_K, b);
        QCOMPARE(y[0], 5.0f);
        QCOMPARE(y[64], 0.0f);
        QCOMPARE(y[255], 0.0f);
    }
    {  // Q4_K: d = 1, dmin = 1; sub-block 0 scale 2, minimum 3 (bytes 4 and 8 of the block)
        std::vector<std::uint8_t> b(144, 0);
        putHalf(b, 0, kHalfOne);
        putHalf(b, 2, kHalfOne);
        b[4] = 2;
        b[8] = 3;
        b[16] = 0x07;  // value 0: 2 * 7 - 3
        const auto y = decode(DType::Q4_K, b);
        QCOMPARE(y[0], 11.0f);
        QCOMPARE(y[1], -3.0f);
        QCOMPARE(y[32], 0.0f);  // sub-block 1: scale 0, minimum 0
    }
}

void QuantizedBlocksTest::blockTypesAreNoSafetensorsDtype() {
    QVERIFY(!parseDType("Q4_K").has_value());
    QVERIFY(parseDType("BF16").has_value());
    QCOMPARE(std::string(dtypeName(DType::Q6_K)), std::string("Q6_K"));
}

QTEST_GUILESS_MAIN(QuantizedBlocksTest)
#include "test_quantized_blocks.moc"
