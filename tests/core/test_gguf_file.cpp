// Reading GGUF files: metadata of every value type, tensor infos as PyTorch orders shapes,
// aligned data read in place; and every malformed file refused with one line naming the key or
// tensor, never a crash or a read outside the file.
#include <QTemporaryDir>
#include <QtTest>

#include "Error.h"
#include "GgufBuilder.h"
#include "io/GgufFile.h"

using namespace attnscope;
using fixtures::GgufBuilder;
namespace fs = std::filesystem;

class GgufFileTest : public QObject {
    Q_OBJECT
private slots:
    void readsMetadataAndTensors();
    void honoursAlignment();
    void refusesMalformedFiles_data();
    void refusesMalformedFiles();
    void refusesEveryTruncation();

private:
    fs::path write(const std::string& bytes, const char* name = "m.gguf") {
        const fs::path p = fs::path(dir_.path().toStdString()) / name;
        std::ofstream(p, std::ios::binary) << bytes;
        return p;
    }
    static GgufBuilder sample() {
        GgufBuilder b;
        b.addString("general.architecture", "llama");
        b.addU32("llama.block_count", 2);
        b.addF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        b.addBool("tokenizer.ggml.add_bos_token", true);
        b.addI32("signed", -7);
        b.addStringArray("tokenizer.ggml.tokens", {"<unk>", "a", std::string("\xff\x00z", 3)});
        b.addArray<float>("tokenizer.ggml.scores", GgufBuilder::F32, {0.f, -1.f, -2.5f});
        std::vector<float> w(6);
        for (int i = 0; i < 6; ++i) w[i] = float(i);
        b.addF32Tensor("blk.0.attn_q.weight", {3, 2}, w);
        b.addF32Tensor("output_norm.weight", {3}, {1.f, 2.f, 3.f});
        return b;
    }
    QTemporaryDir dir_;
};

void GgufFileTest::readsMetadataAndTensors() {
    const GgufFile f(write(sample().bytes()));
    QCOMPARE(f.version(), 3u);
    QCOMPARE(f.requiredString("general.architecture"), std::string("llama"));
    QCOMPARE(f.requiredUnsigned("llama.block_count"), std::uint64_t(2));
    QCOMPARE(*f.optionalNumber("llama.attention.layer_norm_rms_epsilon"), double(1e-5f));
    QCOMPARE(*f.optionalBool("tokenizer.ggml.add_bos_token"), true);
    QCOMPARE(f.find("signed")->get<int>(), -7);
    const auto& tokens = *f.find("tokenizer.ggml.tokens");
    QCOMPARE(tokens.size(), std::size_t(3));
    QCOMPARE(tokens[2].get<std::string>(), std::string("\xff\x00z", 3));  // bytes kept as stored
    QCOMPARE((*f.find("tokenizer.ggml.scores"))[2].get<float>(), -2.5f);
    QVERIFY(!f.optionalUnsigned("absent"));
    QVERIFY_THROWS_EXCEPTION(Error, f.requiredString("absent"));
    QVERIFY_THROWS_EXCEPTION(Error, f.requiredUnsigned("signed"));  // negative
    QVERIFY_THROWS_EXCEPTION(Error, f.optionalBool("llama.block_count"));

    const TensorInfo* q = f.findTensor("blk.0.attn_q.weight");
    QVERIFY(q);
    QCOMPARE(q->shape, (std::vector<std::int64_t>{2, 3}));  // ne [3, 2] is 2 rows of 3
    QCOMPARE(q->dtype, DType::F32);
    float v[6];
    std::memcpy(v, f.bytes(*q), sizeof v);
    QCOMPARE(v[4], 4.0f);
    const TensorInfo* n = f.findTensor("output_norm.weight");
    QCOMPARE(n->begin % 32, std::size_t(0));
    std::memcpy(v, f.bytes(*n), 12);
    QCOMPARE(v[2], 3.0f);
    QVERIFY(!f.findTensor("nope"));
}

void GgufFileTest::honoursAlignment() {
    GgufBuilder b = sample();
    b.alignment = 64;
    b.addU32("general.alignment", 64);
    const GgufFile f(write(b.bytes()));
    QCOMPARE(f.alignment(), std::size_t(64));
    float v[3];
    std::memcpy(v, f.bytes(*f.findTensor("output_norm.weight")), 12);
    QCOMPARE(v[1], 2.0f);
}

void GgufFileTest::refusesMalformedFiles_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("says");
    auto row = [](const char* name, const std::string& bytes, const char* says) {
        QTest::newRow(name) << QByteArray(bytes.data(), qsizetype(bytes.size())) << QString(says);
    };
    row("not gguf", "GGML1234", "not a GGUF file");
    {
        GgufBuilder b;
        b.version = 1;
        row("version 1", b.bytes(), "version 1");
    }
    {
        GgufBuilder b;
        b.version = 0x03000000;
        row("big-endian", b.bytes(), "big-endian");
    }
    {
        std::string s = "GGUF" + GgufBuilder::pod(std::uint32_t(3)) + GgufBuilder::pod(std::uint64_t(1) << 60) + GgufBuilder::pod(std::uint64_t(0));
        row("huge tensor count", s, "tensor count");
    }
    {
        GgufBuilder b;
        b.addRaw(GgufBuilder::str("k") + GgufBuilder::pod(std::uint32_t(8)) + GgufBuilder::pod(std::uint64_t(1) << 40));
        row("string longer than file", b.bytes(), "bytes long");
    }
    {
        GgufBuilder b;
        b.addRaw(GgufBuilder::str("arr") + GgufBuilder::pod(std::uint32_t(9)) + GgufBuilder::pod(std::uint32_t(6)) +
                 GgufBuilder::pod(std::uint64_t(1) << 50));
        row("array longer than file", b.bytes(), "array 'arr'");
    }
    {
        GgufBuilder b;
        b.addRaw(GgufBuilder::str("weird") + GgufBuilder::pod(std::uint32_t(99)));
        row("unknown value type", b.bytes(), "'weird' has unknown value type 99");
    }
    {
        GgufBuilder b;
        b.addU32("a", 1);
        b.addU32("a", 2);
        row("duplicate key", b.bytes(), "'a' appears twice");
    }
    {
        GgufBuilder b;
        b.addRaw(GgufBuilder::str("flag") + GgufBuilder::pod(std::uint32_t(7)) + GgufBuilder::pod(std::uint8_t(5)));
        row("boolean not 0 or 1", b.bytes(), "'flag' is a boolean");
    }
    {
        GgufBuilder b;
        b.addU32("general.alignment", 24);
        row("alignment not a power of two", b.bytes(), "general.alignment");
    }
    {
        GgufBuilder b;
        b.addTensor("t", {32}, 16, std::string(66, '\0'));
        row("unsupported type", b.bytes(), "'t' is stored as IQ2_XXS");
    }
    {
        GgufBuilder b;
        b.addTensor("t", {16}, 8, std::string(17, '\0'));
        row("row not whole blocks", b.bytes(), "'t' has rows of 16 values, not a whole number of Q8_0 blocks");
    }
    {
        GgufBuilder b;
        b.addTensor("t", {1, 2, 3, 4, 5}, 0, std::string(480, '\0'));
        row("five dimensions", b.bytes(), "'t' has 5 dimensions");
    }
    {
        GgufBuilder b;
        b.addTensor("t", {std::uint64_t(1) << 40, std::uint64_t(1) << 40}, 0, "");
        row("dimension product overflows", b.bytes(), "'t' has dimensions whose product overflows");
    }
    {
        GgufBuilder b;  // empty (a 0), but the other dimensions' product overflows
        b.addTensor("t", {0, std::uint64_t(1) << 41, std::uint64_t(1) << 41}, 0, "");
        row("empty tensor with overflowing dimensions", b.bytes(), "'t' has dimensions whose product overflows");
    }
    {
        GgufBuilder b;
        b.addTensor("t", {1024}, 0, std::string(16, '\0'));  // claims 4096 bytes, has 16
        row("tensor past the end", b.bytes(), "'t' (F32 [1024], 4096 bytes at offset 0) lies beyond the end");
    }
    {
        GgufBuilder b;
        b.addF32Tensor("t", {1}, {1.f});
        b.addF32Tensor("t", {1}, {1.f});
        row("duplicate tensor", b.bytes(), "tensor 't' appears twice");
    }
    {
        GgufBuilder b;
        b.addF32Tensor("t", {1}, {1.f});
        std::string s = b.bytes();
        // The offset field is the last 8 bytes of the only tensor info; make it unaligned.
        const std::size_t at = s.find(GgufBuilder::str("t")) + 8 + 1 + 4 + 8 + 4;
        const std::uint64_t bad = 4;
        std::memcpy(s.data() + at, &bad, 8);
        row("unaligned offset", s, "'t' starts at offset 4, not a multiple of the alignment 32");
    }
}

void GgufFileTest::refusesMalformedFiles() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, says);
    const fs::path p = write(bytes.toStdString());
    try {
        GgufFile f(p);
        QFAIL("opened a malformed file");
    } catch (const Error& e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.contains(says), qPrintable(message));
        QVERIFY2(message.startsWith(QString::fromStdString(p.string())), qPrintable(message));
        QVERIFY(!message.contains('\n'));
    }
}

void GgufFileTest::refusesEveryTruncation() {
    // Every prefix of a valid file is refused (or, past the last tensor's end, read whole).
    const std::string full = sample().bytes();
    for (std::size_t n = 0; n < full.size(); ++n) {
        const fs::path p = write(full.substr(0, n), "cut.gguf");
        try {
            GgufFile f(p);
            QFAIL(qPrintable(QString("a file cut to %1 of %2 bytes was opened").arg(n).arg(full.size())));
        } catch (const Error&) {
        }
    }
}

QTEST_GUILESS_MAIN(GgufFileTest)
#include "test_gguf_file.moc"
