// Safetensors reading and writing: dtype conversion, header validation, sharded and
// half-precision checkpoints.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>

#include "Error.h"
#include "ConvertedCheckpoints.h"
#include "GoldenFixtures.h"
#include "io/AtomicFile.h"
#include "io/CheckpointWeights.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

void writeRaw(const fs::path& path, const std::string& header, const std::string& data) {
    std::ofstream out(path, std::ios::binary);
    std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
    out << header << data;
}

QString errorOf(const fs::path& path) {
    try {
        SafetensorsFile f(path);
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

std::vector<float> attentionOf(const fs::path& dir, const std::vector<int>& ids) {
    TransformerModel model(ModelConfig::fromFile(dir / "config.json"), std::make_unique<CheckpointWeights>(dir));
    ForwardInput in;
    in.ids = ids;
    return model.forward(in)->record.attention().toFloat32();
}

}  // namespace

class SafetensorsTest : public QObject {
    Q_OBJECT
private slots:
    void halfAndBfloat16ConvertExactly();
    void writerRoundTripsTensorsAndMetadata();
    void writerIsAtomicAndReportsBadPaths();
    void atomicWriteLeavesNothingOnFailure();
    void headerLengthIsBounded();
    void badHeadersAreRefused_data();
    void badHeadersAreRefused();
    void shardedCheckpointMatchesSingleFile();
    void halfPrecisionCheckpointsComputeInFloat32_data();
    void halfPrecisionCheckpointsComputeInFloat32();
    void missingWeightsNameTheFolder();
    void emptyTensorsConvertToNothing();
};

void SafetensorsTest::halfAndBfloat16ConvertExactly() {
    QCOMPARE(halfToFloat(0x3C00), 1.0f);
    QCOMPARE(halfToFloat(0xC000), -2.0f);
    QCOMPARE(halfToFloat(0x7BFF), 65504.0f);
    QCOMPARE(halfToFloat(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
    QCOMPARE(halfToFloat(0x0200), std::ldexp(1.0f, -15));  // a larger subnormal
    QVERIFY(std::isinf(halfToFloat(0x7C00)));
    QVERIFY(std::isnan(halfToFloat(0x7E00)));
    QCOMPARE(bfloat16ToFloat(0x3F80), 1.0f);
    QCOMPARE(bfloat16ToFloat(0xC040), -3.0f);
}

void SafetensorsTest::writerRoundTripsTensorsAndMetadata() {
    QTemporaryDir tmp;
    const fs::path path = tmp.filePath("t.safetensors").toStdString();
    const std::vector<float> a{1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
    const std::uint16_t h[3] = {0x3C00, 0xC000, 0x7BFF};
    SafetensorsWriter w;
    w.add("a", {2, 3}, a.data());
    w.addBytes("h", DType::F16, {3}, h, sizeof h);
    w.setMetadata("tokens", R"(["x","y"])");
    w.write(path);

    SafetensorsFile f(path);
    QCOMPARE(f.tensors().size(), std::size_t(2));
    QCOMPARE(f.find("a")->shape, (std::vector<std::int64_t>{2, 3}));
    QCOMPARE(f.toFloat(*f.find("a")), a);
    QCOMPARE(f.toFloat(*f.find("h")), (std::vector<float>{1.0f, -2.0f, 65504.0f}));
    QCOMPARE(f.metadata().at("tokens"), std::string(R"(["x","y"])"));
    // The data section starts 8-byte aligned so F32 tensors can be viewed in place.
    QCOMPARE(reinterpret_cast<std::uintptr_t>(f.bytes(*f.find("a"))) % 8, std::uintptr_t(0));
}

void SafetensorsTest::writerIsAtomicAndReportsBadPaths() {
    QTemporaryDir tmp;
    const fs::path path = tmp.filePath("keep.safetensors").toStdString();
    const float v = 1.0f;
    SafetensorsWriter w;
    w.add("v", {1}, &v);
    w.write(path);
    w.write(path);  // overwrite through a temporary file
    int files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path().toStdString())) ++files;
    QCOMPARE(files, 1);  // no temporary left behind
    QVERIFY_THROWS_EXCEPTION(Error, w.write("/nonexistent/folder/x.safetensors"));
}

void SafetensorsTest::atomicWriteLeavesNothingOnFailure() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    auto entries = [&] {
        QStringList names;
        for (const auto& e : fs::directory_iterator(dir)) names << QString::fromStdString(e.path().filename().string());
        names.sort();
        return names;
    };
    std::ofstream(dir / "old.bin") << "old";
    // A body that fails half-way: the old file stays as it was, and no temporary is left.
    try {
        writeFileAtomically(dir / "old.bin", [](std::ostream& out) {
            out << "half";
            throw Error("the encoder ran out of patience");
        });
        QFAIL("expected an error");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("old.bin") && QString(e.what()).contains("out of patience"), e.what());
    }
    QCOMPARE(entries(), QStringList{"old.bin"});
    std::ifstream in(dir / "old.bin");
    std::string content;
    in >> content;
    QCOMPARE(content, std::string("old"));
    // A folder in the way is named as such (once reported as "Success").
    fs::create_directory(dir / "taken");
    try {
        writeFileAtomically(dir / "taken", [](std::ostream& out) { out << "x"; });
        QFAIL("expected an error");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("is a folder"), e.what());
    }
    QCOMPARE(entries(), (QStringList{"old.bin", "taken"}));
}

void SafetensorsTest::headerLengthIsBounded() {
    QTemporaryDir tmp;
    const fs::path path = tmp.filePath("h.safetensors").toStdString();
    auto writeLength = [&](std::uint64_t n, std::uintmax_t fileSize) {
        {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
        }
        fs::resize_file(path, fileSize);  // sparse: no real disk use
    };
    writeLength(0, 5);
    QVERIFY2(errorOf(path).contains("shorter than its 8-byte header length"), qPrintable(errorOf(path)));
    // Longer than the file: refused before any allocation of that size.
    writeLength(1ull << 62, 64);
    QVERIFY2(errorOf(path).contains("header length 4611686018427387904"), qPrintable(errorOf(path)));
    writeLength(1000, 100);
    QVERIFY2(errorOf(path).contains("header length 1000"), qPrintable(errorOf(path)));
    // Inside the file but beyond any real header (100 MiB): refused too.
    const std::uint64_t big = 101ull * 1024 * 1024;
    writeLength(big, big + 8);
    QVERIFY2(errorOf(path).contains("header length " + QString::number(big) + " is over the 100 MiB"), qPrintable(errorOf(path)));
}

void SafetensorsTest::badHeadersAreRefused_data() {
    QTest::addColumn<QString>("header");
    QTest::addColumn<QString>("data");
    QTest::addColumn<QString>("expected");
    QTest::newRow("invalid json") << "{\"a\": " << "" << "not valid JSON";
    QTest::newRow("not an object") << "[1,2]" << "" << "JSON object";
    QTest::newRow("unknown dtype") << R"({"a":{"dtype":"F7","shape":[1],"data_offsets":[0,4]}})" << "abcd" << "unknown dtype 'F7'";
    QTest::newRow("span mismatch") << R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})" << "abcd" << "needs 8 bytes";
    QTest::newRow("outside data") << R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})" << "abcd" << "truncated";
    QTest::newRow("reversed offsets") << R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}})" << "abcd" << "data_offsets";
    QTest::newRow("overlap") << R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})"
                             << "abcd" << "overlap";
    QTest::newRow("negative dim") << R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})" << "abcd" << "non-negative";
    QTest::newRow("missing fields") << R"({"a":{"dtype":"F32"}})" << "" << "dtype, shape and data_offsets";
    QTest::newRow("metadata not strings") << R"({"__metadata__":{"k":1}})" << "" << "__metadata__";
}

void SafetensorsTest::badHeadersAreRefused() {
    QFETCH(QString, header);
    QFETCH(QString, data);
    QFETCH(QString, expected);
    QTemporaryDir tmp;
    const fs::path path = tmp.filePath("bad.safetensors").toStdString();
    writeRaw(path, header.toStdString(), data.toStdString());
    const QString err = errorOf(path);
    QVERIFY2(err.contains(expected), qPrintable(err));
    QVERIFY2(err.contains("bad.safetensors"), qPrintable(err));
}

void SafetensorsTest::shardedCheckpointMatchesSingleFile() {
    QTemporaryDir tmp;
    const fs::path sharded = fs::path(tmp.path().toStdString()) / "sharded";
    fixtures::convertCheckpoint(fixtures::goldenDir() / "llama" / "model", sharded, DType::F32, true);
    QVERIFY(!fs::exists(sharded / "model.safetensors"));
    const std::vector<int> ids{1, 50, 60, 70, 80};
    QCOMPARE(attentionOf(sharded, ids), attentionOf(fixtures::goldenDir() / "llama" / "model", ids));
}

void SafetensorsTest::halfPrecisionCheckpointsComputeInFloat32_data() {
    QTest::addColumn<int>("dtype");
    QTest::newRow("F16") << int(DType::F16);
    QTest::newRow("BF16") << int(DType::BF16);
}

void SafetensorsTest::halfPrecisionCheckpointsComputeInFloat32() {
    QFETCH(int, dtype);
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "half";
    const fs::path original = fixtures::goldenDir() / "bert" / "model";
    fixtures::convertCheckpoint(original, dir, DType(dtype), false);

    // Every weight reads back as the exact float32 value of its half-precision bits.
    CheckpointWeights half(dir), full(original);
    for (const auto& name : full.names()) {
        const FloatTensor h = half.get(name), f = full.get(name);
        for (std::int64_t i = 0; i < f.elementCount(); ++i) {
            const float expected = DType(dtype) == DType::BF16 ? bfloat16ToFloat(fixtures::floatToBf16(f.data[i]))
                                                               : halfToFloat(fixtures::floatToHalf(f.data[i]));
            QCOMPARE(h.data[i], expected);
        }
    }
    // And the model still runs, close to the float32 reference.
    const std::vector<int> ids{2, 92, 238, 292, 3};
    const double diff = fixtures::maxAbsDiff(attentionOf(dir, ids), attentionOf(original, ids));
    QVERIFY2(diff < (DType(dtype) == DType::BF16 ? 0.1 : 0.01), qPrintable(QString::number(diff)));
}

void SafetensorsTest::missingWeightsNameTheFolder() {
    QTemporaryDir tmp;
    try {
        CheckpointWeights w(tmp.path().toStdString());
        QFAIL("expected an error");
    } catch (const Error& e) {
        QVERIFY(QString(e.what()).contains("model.safetensors"));
        QVERIFY(QString(e.what()).contains(tmp.path()));
    }
}

// Regression (fuzz_safetensors, under UBSan): converting a tensor with a 0 in its shape
// passed null pointers to memcpy.
void SafetensorsTest::emptyTensorsConvertToNothing() {
    const fs::path path = fixtures::tmpDir() / "empty-tensor.safetensors";
    writeRaw(path, R"({"e":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]},"b":{"dtype":"BF16","shape":[0],"data_offsets":[0,0]}})", "");
    SafetensorsFile f(path);
    QCOMPARE(f.find("e")->elementCount(), std::int64_t(0));
    QVERIFY(f.toFloat(*f.find("e")).empty());
    QVERIFY(f.toFloat(*f.find("b")).empty());
}

QTEST_APPLESS_MAIN(SafetensorsTest)
#include "test_safetensors.moc"
