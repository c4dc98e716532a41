// PyTorch checkpoints (pytorch_model.bin): the golden zip, legacy and float16 files equal
// their safetensors twins and drive the model to the same attention; sharded .bin folders
// load; and hostile files (code-running pickles, truncation, lies about sizes, deep
// nesting, random corruption) fail with a clear attnscope::Error, never a crash, and never
// run anything.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

#include "Error.h"
#include "GoldenFixtures.h"
#include "io/CheckpointWeights.h"
#include "io/RestrictedUnpickler.h"
#include "io/SafetensorsFile.h"
#include "io/TorchCheckpoint.h"
#include "io/ZipArchive.h"
#include "model/TransformerModel.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

// ---- bytes -----------------------------------------------------------------------------

void putLe(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string floatBytes(const std::vector<float>& v) {
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

// ---- a ZIP writer shaped like torch's (stored entries, data aligned to 64 bytes) ----------

std::string zipStored(const std::vector<std::pair<std::string, std::string>>& entries, bool zip64 = false) {
    std::string out, cd;
    for (const auto& [name, data] : entries) {
        const std::size_t offset = out.size();
        const std::size_t pad = (64 - (offset + 30 + name.size() + 4) % 64) % 64;
        const auto crc = crc32(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
        putLe(out, 0x04034b50, 4);
        putLe(out, 20, 2);
        putLe(out, 0x800, 2);
        putLe(out, 0, 2);  // stored
        putLe(out, 0, 4);  // time, date
        putLe(out, crc, 4);
        putLe(out, data.size(), 4);
        putLe(out, data.size(), 4);
        putLe(out, name.size(), 2);
        putLe(out, 4 + pad, 2);
        out += name;
        putLe(out, 0x4246, 2);  // torch's padding field
        putLe(out, pad, 2);
        out += std::string(pad, 'Z');
        out += data;

        putLe(cd, 0x02014b50, 4);
        putLe(cd, 45, 2);
        putLe(cd, 45, 2);
        putLe(cd, 0x800, 2);
        putLe(cd, 0, 2);
        putLe(cd, 0, 4);
        putLe(cd, crc, 4);
        putLe(cd, zip64 ? 0xffffffffu : data.size(), 4);
        putLe(cd, zip64 ? 0xffffffffu : data.size(), 4);
        putLe(cd, name.size(), 2);
        putLe(cd, zip64 ? 28 : 0, 2);
        putLe(cd, 0, 2);  // comment
        putLe(cd, 0, 2);  // disk
        putLe(cd, 0, 2);
        putLe(cd, 0, 4);
        putLe(cd, zip64 ? 0xffffffffu : offset, 4);
        cd += name;
        if (zip64) {
            putLe(cd, 0x0001, 2);
            putLe(cd, 24, 2);
            putLe(cd, data.size(), 8);
            putLe(cd, data.size(), 8);
            putLe(cd, offset, 8);
        }
    }
    const std::size_t cdOffset = out.size();
    out += cd;
    if (zip64) {
        const std::size_t recOffset = out.size();
        putLe(out, 0x06064b50, 4);
        putLe(out, 44, 8);
        putLe(out, 45, 2);
        putLe(out, 45, 2);
        putLe(out, 0, 4);
        putLe(out, 0, 4);
        putLe(out, entries.size(), 8);
        putLe(out, entries.size(), 8);
        putLe(out, cd.size(), 8);
        putLe(out, cdOffset, 8);
        putLe(out, 0x07064b50, 4);
        putLe(out, 0, 4);
        putLe(out, recOffset, 8);
        putLe(out, 1, 4);
    }
    putLe(out, 0x06054b50, 4);
    putLe(out, 0, 2);
    putLe(out, 0, 2);
    putLe(out, zip64 ? 0xffff : entries.size(), 2);
    putLe(out, zip64 ? 0xffff : entries.size(), 2);
    putLe(out, zip64 ? 0xffffffffu : cd.size(), 4);
    putLe(out, zip64 ? 0xffffffffu : cdOffset, 4);
    putLe(out, 0, 2);
    return out;
}

// ---- a pickle writer for the opcodes torch.save emits -----------------------------------

struct Pickle {
    std::string b;
    Pickle& raw(const std::string& s) { b += s; return *this; }
    Pickle& op(char c) { b += c; return *this; }
    Pickle& proto() { return raw(std::string("\x80\x02", 2)); }
    Pickle& mark() { return op('('); }
    Pickle& str(const std::string& s) {
        op('X');
        putLe(b, s.size(), 4);
        return raw(s);
    }
    Pickle& global(const std::string& module, const std::string& name) { return op('c').raw(module + "\n" + name + "\n"); }
    Pickle& integer(std::int64_t v) {
        if (v >= 0 && v < 256) {
            op('K');
            putLe(b, static_cast<std::uint64_t>(v), 1);
        } else if (v >= 0 && v < 65536) {
            op('M');
            putLe(b, static_cast<std::uint64_t>(v), 2);
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            op('J');
            putLe(b, static_cast<std::uint64_t>(v), 4);
        } else {
            op('\x8a');
            putLe(b, 8, 1);
            putLe(b, static_cast<std::uint64_t>(v), 8);
        }
        return *this;
    }
    Pickle& ints(const std::vector<std::int64_t>& v) {
        mark();
        for (auto x : v) integer(x);
        return op('t');
    }
    Pickle& stop() { return op('.'); }
};

struct TensorSpec {
    std::string name;
    std::string key;                    // storage key
    std::string storageType = "FloatStorage";
    std::int64_t storageNumel = 0;
    std::int64_t offset = 0;
    std::vector<std::int64_t> shape, stride;
    bool parameter = false;             // wrapped in _rebuild_parameter
};

std::vector<std::int64_t> rowMajor(const std::vector<std::int64_t>& shape) {
    std::vector<std::int64_t> s(shape.size(), 1);
    for (std::size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
    return s;
}

// One _rebuild_tensor_v2(...) REDUCE, as torch writes it.
void tensorOps(Pickle& p, const TensorSpec& t) {
    if (t.parameter) p.global("torch._utils", "_rebuild_parameter").mark();
    p.global("torch._utils", "_rebuild_tensor_v2").mark();
    p.mark().str("storage").global("torch", t.storageType).str(t.key).str("cpu").integer(t.storageNumel).op('t').op('Q');
    p.integer(t.offset).ints(t.shape).ints(t.stride.empty() ? rowMajor(t.shape) : t.stride);
    p.op('\x89').global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
    if (t.parameter) p.op('\x89').global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
}

// A state-dict pickle {name: tensor, ...}, optionally nested under "state_dict".
std::string stateDictPickle(const std::vector<TensorSpec>& tensors, bool nested = false, bool withMetadata = false) {
    Pickle p;
    p.proto();
    if (nested) p.op('}').mark().str("epoch").integer(3).str("state_dict");
    p.global("collections", "OrderedDict").op(')').op('R');
    p.mark();
    for (const auto& t : tensors) {
        p.str(t.name);
        tensorOps(p, t);
    }
    p.op('u');
    if (withMetadata) p.op('}').mark().str("_metadata").op('}').op('u').op('b');  // BUILD {'_metadata': {}}
    if (nested) p.op('u');
    return p.stop().b;
}

std::string torchZip(const std::string& pickle, const std::map<std::string, std::string>& storages,
                     const std::string& folder = "archive", bool zip64 = false) {
    std::vector<std::pair<std::string, std::string>> entries{{folder + "/data.pkl", pickle},
                                                             {folder + "/byteorder", "little"}};
    for (const auto& [key, bytes] : storages) entries.push_back({folder + "/data/" + key, bytes});
    entries.push_back({folder + "/version", "3\n"});
    return zipStored(entries, zip64);
}

// The legacy stream: magic, protocol, sys_info, the main pickle, the keys, the storages.
std::string legacyFile(const std::string& mainPickle, const std::vector<std::pair<std::string, std::string>>& storages,
                       std::size_t elementSize = 4) {
    std::string out = std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15);
    out += std::string("\x80\x02M\xe9\x03.", 6);  // 1001
    Pickle info;
    info.proto().op('}').mark().str("protocol_version").integer(1001).str("little_endian").op('\x88').op('u').stop();
    out += info.b + mainPickle;
    Pickle keys;
    keys.proto().op(']').mark();
    for (const auto& [key, bytes] : storages) keys.str(key);
    keys.op('e').stop();
    out += keys.b;
    for (const auto& [key, bytes] : storages) {
        putLe(out, bytes.size() / elementSize, 8);
        out += bytes;
    }
    return out;
}

// ---- loading helpers ---------------------------------------------------------------------

QString loadError(const fs::path& path) {
    try {
        TorchCheckpoint c(path);
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

QString loadErrorOf(const QTemporaryDir& dir, const std::string& bytes) {
    const fs::path p = fs::path(dir.path().toStdString()) / "pytorch_model.bin";
    writeFile(p, bytes);
    return loadError(p);
}

QString unpickleError(const std::string& bytes) {
    try {
        pickle::RestrictedUnpickler u(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), "test.pkl");
        u.load();
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

std::unique_ptr<TransformerModel> loadModel(const fs::path& dir) {
    return std::make_unique<TransformerModel>(ModelConfig::fromFile(dir / "config.json"), std::make_unique<CheckpointWeights>(dir));
}

// A temporary model folder: config.json (and preprocessor config) plus the given weights file.
fs::path modelFolder(const QTemporaryDir& tmp, const std::string& family, const fs::path& weights) {
    const fs::path dir = fs::path(tmp.path().toStdString()) / (family + "_" + weights.filename().string());
    fs::create_directories(dir);
    const fs::path model = fixtures::goldenDir() / family / "model";
    fs::copy_file(model / "config.json", dir / "config.json");
    fs::copy_file(weights, dir / "pytorch_model.bin");
    return dir;
}

ForwardInput goldenInput(const std::string& family, const ModelConfig& config) {
    const fs::path dir = fixtures::goldenDir() / family;
    const auto expected = fixtures::readJson(dir / "expected.json");
    ForwardInput in;
    if (config.spec().readsImages()) {
        SafetensorsFile golden(dir / "expected.safetensors");
        const TensorInfo* px = golden.find("case0.pixel_values");
        if (!px) throw std::runtime_error("no pixel values");
        in.pixels = {int(px->shape[0]), int(px->shape[1]), int(px->shape[2]), golden.toFloat(*px)};
    } else {
        const auto& c = expected["cases"][0];
        in.ids = c["ids"].get<std::vector<int>>();
        if (c.contains("text_pair") && c.contains("type_ids")) in.typeIds = c["type_ids"].get<std::vector<int>>();
    }
    return in;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

class TorchCheckpointTest : public QObject {
    Q_OBJECT
private slots:
    void goldenZipEqualsSafetensors_data();
    void goldenZipEqualsSafetensors();
    void legacyEqualsSafetensors();
    void float16EqualsRoundedSafetensors();
    void modelFromBinGivesSameAttention_data();
    void modelFromBinGivesSameAttention();
    void safetensorsPreferredOverBin();
    void shardedBinLoads();
    void stridedOffsetSharedAndTypedTensors();
    void nestedStateDictAndMetadata();
    void zip64Archive();
    void legacyWrittenByTest();
    void maliciousPicklesAreRefused_data();
    void maliciousPicklesAreRefused();
    void maliciousLegacyAndZipRefused();
    void misusedAllowedGlobalsAreErrors();
    void truncatedFilesAreErrors();
    void wrongMagicAndGarbage();
    void hugeLengthsAreErrors();
    void deepNestingAndCycles();
    void zipStructureErrors();
    void randomCorruptionNeverCrashes();
};

void TorchCheckpointTest::goldenZipEqualsSafetensors_data() {
    QTest::addColumn<QString>("family");
    for (const char* f : {"bert", "gpt2", "vit"}) QTest::newRow(f) << QString(f);
}

void TorchCheckpointTest::goldenZipEqualsSafetensors() {
    QFETCH(QString, family);
    const fs::path dir = fixtures::goldenDir() / family.toStdString();
    TorchCheckpoint bin(dir / "bin" / "pytorch_model.bin");
    SafetensorsFile st(dir / "model" / "model.safetensors");
    QVERIFY(!bin.isLegacyFormat());
    QCOMPARE(bin.tensors().size(), st.tensors().size());
    for (const auto& s : st.tensors()) {
        const TorchTensor* t = bin.find(s.name);
        QVERIFY2(t, s.name.c_str());
        QCOMPARE(t->dtype, DType::F32);
        QCOMPARE(t->shape, s.shape);
        QVERIFY(t->contiguous);
        // torch aligns stored entries to 64 bytes, so the view is mapped in place, aligned.
        QCOMPARE(reinterpret_cast<std::uintptr_t>(t->data()) % 64, std::uintptr_t(0));
        QVERIFY2(sameBits(bin.toFloat(*t), st.toFloat(s)), s.name.c_str());
    }
}

void TorchCheckpointTest::legacyEqualsSafetensors() {
    const fs::path dir = fixtures::goldenDir() / "bert";
    TorchCheckpoint bin(dir / "bin" / "pytorch_model.legacy.bin");
    SafetensorsFile st(dir / "model" / "model.safetensors");
    QVERIFY(bin.isLegacyFormat());
    QCOMPARE(bin.tensors().size(), st.tensors().size());
    for (const auto& s : st.tensors()) {
        const TorchTensor* t = bin.find(s.name);
        QVERIFY2(t, s.name.c_str());
        QCOMPARE(t->shape, s.shape);
        QVERIFY2(sameBits(bin.toFloat(*t), st.toFloat(s)), s.name.c_str());
    }
}

void TorchCheckpointTest::float16EqualsRoundedSafetensors() {
    const fs::path dir = fixtures::goldenDir() / "bert";
    TorchCheckpoint bin(dir / "bin" / "pytorch_model.f16.bin");
    SafetensorsFile st(dir / "model" / "model.safetensors");
    QCOMPARE(bin.tensors().size(), st.tensors().size());
    for (const auto& s : st.tensors()) {
        const TorchTensor* t = bin.find(s.name);
        QVERIFY2(t, s.name.c_str());
        QCOMPARE(t->dtype, DType::F16);
        QCOMPARE(t->shape, s.shape);
        const auto reference = st.toFloat(s);
        const auto values = bin.toFloat(*t);
        QCOMPARE(values.size(), reference.size());
        for (std::size_t i = 0; i < values.size(); ++i) {
            std::uint16_t bits;
            std::memcpy(&bits, t->data() + 2 * i, 2);
            QCOMPARE(values[i], halfToFloat(bits));
            // Half precision: 11 significant bits; below 2^-14 the spacing is fixed (2^-24).
            const double tolerance = 1e-3 * std::abs(reference[i]) + 6e-8;
            if (std::abs(double(values[i]) - double(reference[i])) > tolerance)
                QFAIL(qPrintable(QString("%1[%2]: %3 vs %4").arg(s.name.c_str()).arg(i).arg(values[i]).arg(reference[i])));
        }
    }
}

void TorchCheckpointTest::modelFromBinGivesSameAttention_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("exact");
    QTest::newRow("bert zip") << "bert" << "pytorch_model.bin" << true;
    QTest::newRow("bert legacy") << "bert" << "pytorch_model.legacy.bin" << true;
    QTest::newRow("bert f16") << "bert" << "pytorch_model.f16.bin" << false;
    QTest::newRow("gpt2 zip") << "gpt2" << "pytorch_model.bin" << true;
    QTest::newRow("vit zip") << "vit" << "pytorch_model.bin" << true;
}

void TorchCheckpointTest::modelFromBinGivesSameAttention() {
    QFETCH(QString, family);
    QFETCH(QString, file);
    QFETCH(bool, exact);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const fs::path golden = fixtures::goldenDir() / family.toStdString();
    const fs::path dir = modelFolder(tmp, family.toStdString(), golden / "bin" / file.toStdString());

    auto fromSafetensors = loadModel(golden / "model");
    auto fromBin = loadModel(dir);
    QVERIFY(fromBin->weights().describeSource().ends_with("pytorch_model.bin"));
    QCOMPARE(fromBin->parameterCount(), fromSafetensors->parameterCount());
    QCOMPARE(fromBin->hasHead(), fromSafetensors->hasHead());

    const ForwardInput in = goldenInput(family.toStdString(), fromSafetensors->config());
    const auto a = fromSafetensors->forward(in);
    const auto b = fromBin->forward(in);
    QVERIFY(a && b);
    QCOMPARE(b->record.attention().count(), a->record.attention().count());
    if (exact) {
        QVERIFY2(sameBits(b->record.attention().toFloat32(), a->record.attention().toFloat32()), "attention from the .bin differs from safetensors");
    } else {
        double worst = 0;
        for (std::size_t i = 0; i < a->record.attention().count(); ++i) {
            QVERIFY(std::isfinite(b->record.attention().data()[i]));
            worst = std::max(worst, std::abs(double(a->record.attention().data()[i]) - double(b->record.attention().data()[i])));
        }
        qInfo("float16 weights: attention max abs diff %.3g", worst);
        QVERIFY2(worst < 0.05, qPrintable(QString("float16 attention differs by %1").arg(worst)));
    }
}

void TorchCheckpointTest::safetensorsPreferredOverBin() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const fs::path dir(tmp.path().toStdString());
    const fs::path model = fixtures::goldenDir() / "bert" / "model";
    fs::copy_file(model / "config.json", dir / "config.json");
    fs::copy_file(model / "model.safetensors", dir / "model.safetensors");
    writeFile(dir / "pytorch_model.bin", "not a checkpoint at all");  // would fail if read
    CheckpointWeights w(dir);
    QVERIFY(w.describeSource().ends_with("model.safetensors"));

    fs::remove(dir / "model.safetensors");
    try {
        CheckpointWeights bad(dir);
        QFAIL("a garbage pytorch_model.bin loaded");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("pytorch_model.bin"), e.what());
    }
    fs::remove(dir / "pytorch_model.bin");
    try {
        CheckpointWeights none(dir);
        QFAIL("a folder without weights loaded");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("pytorch_model.bin.index.json"), e.what());
    }
}

void TorchCheckpointTest::shardedBinLoads() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const fs::path dir(tmp.path().toStdString());
    const fs::path model = fixtures::goldenDir() / "bert" / "model";
    fs::copy_file(model / "config.json", dir / "config.json");
    SafetensorsFile st(model / "model.safetensors");

    // Two shards, tensors alternating, each written the way torch.save lays them out.
    std::vector<TensorSpec> specs[2];
    std::map<std::string, std::string> storages[2];
    nlohmann::json weightMap = nlohmann::json::object();
    int i = 0;
    for (const auto& t : st.tensors()) {
        const int part = i % 2;
        const std::string key = std::to_string(i++);
        TensorSpec spec;
        spec.name = t.name;
        spec.key = key;
        spec.storageNumel = t.elementCount();
        spec.shape = t.shape;
        spec.parameter = part == 1;
        specs[part].push_back(spec);
        storages[part][key] = floatBytes(st.toFloat(t));
        weightMap[t.name] = "pytorch_model-0000" + std::to_string(part + 1) + "-of-00002.bin";
    }
    for (int part = 0; part < 2; ++part)
        writeFile(dir / ("pytorch_model-0000" + std::to_string(part + 1) + "-of-00002.bin"),
                  torchZip(stateDictPickle(specs[part]), storages[part], "shard" + std::to_string(part)));
    writeFile(dir / "pytorch_model.bin.index.json", nlohmann::json{{"metadata", nlohmann::json::object()}, {"weight_map", weightMap}}.dump());

    auto sharded = loadModel(dir);
    QVERIFY(sharded->weights().describeSource().find("sharded") != std::string::npos);
    QCOMPARE(sharded->weights().names().size(), st.tensors().size());
    auto reference = loadModel(model);
    const ForwardInput in = goldenInput("bert", reference->config());
    const auto a = reference->forward(in);
    const auto b = sharded->forward(in);
    QVERIFY(a && b);
    QVERIFY(sameBits(b->record.attention().toFloat32(), a->record.attention().toFloat32()));

    // A shard named outside the folder is refused.
    writeFile(dir / "pytorch_model.bin.index.json", R"({"weight_map": {"x": "../evil.bin"}})");
    try {
        CheckpointWeights w(dir);
        QFAIL("an index naming a file outside the folder loaded");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("outside the folder"), e.what());
    }
}

void TorchCheckpointTest::stridedOffsetSharedAndTypedTensors() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::vector<float> storage{0, 1, 2, 3, 4, 5, 6, 7};
    std::string half, bf16;
    for (std::uint16_t h : {0x0000, 0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600, 0x4700}) putLe(half, h, 2);  // 0..7
    for (float f : storage) {
        std::uint32_t bits;
        std::memcpy(&bits, &f, 4);
        putLe(bf16, bits >> 16, 2);  // small integers are exact in bfloat16
    }
    std::vector<TensorSpec> specs;
    specs.push_back({"transposed", "0", "FloatStorage", 8, 0, {2, 3}, {1, 2}});          // [[0,2,4],[1,3,5]]
    specs.push_back({"offset", "0", "FloatStorage", 8, 5, {3}, {1}});                     // [5,6,7]
    specs.push_back({"shared", "0", "FloatStorage", 8, 0, {2, 4}, {}});                   // all 8, same storage
    specs.push_back({"broadcast", "0", "FloatStorage", 8, 3, {2, 2}, {0, 1}});            // [[3,4],[3,4]]
    specs.push_back({"empty", "0", "FloatStorage", 8, 8, {0, 4}, {}});
    specs.push_back({"half", "1", "HalfStorage", 8, 1, {7}, {}});
    specs.push_back({"bf16", "2", "BFloat16Storage", 8, 0, {2, 2}, {2, 1}, true});
    const auto bytes = torchZip(stateDictPickle(specs), {{"0", floatBytes(storage)}, {"1", half}, {"2", bf16}});
    const fs::path p = fs::path(tmp.path().toStdString()) / "pytorch_model.bin";
    writeFile(p, bytes);
    TorchCheckpoint c(p);
    QCOMPARE(c.tensors().size(), std::size_t(7));
    QVERIFY(!c.find("transposed")->contiguous);
    QCOMPARE(c.toFloat(*c.find("transposed")), (std::vector<float>{0, 2, 4, 1, 3, 5}));
    QVERIFY(c.find("offset")->contiguous);
    QCOMPARE(c.toFloat(*c.find("offset")), (std::vector<float>{5, 6, 7}));
    QCOMPARE(c.toFloat(*c.find("shared")), storage);
    QVERIFY(c.find("shared")->storage == c.find("transposed")->storage);
    QCOMPARE(c.toFloat(*c.find("broadcast")), (std::vector<float>{3, 4, 3, 4}));
    QCOMPARE(c.toFloat(*c.find("empty")).size(), std::size_t(0));
    QCOMPARE(c.find("half")->dtype, DType::F16);
    QCOMPARE(c.toFloat(*c.find("half")), (std::vector<float>{1, 2, 3, 4, 5, 6, 7}));
    QCOMPARE(c.find("bf16")->dtype, DType::BF16);
    QCOMPARE(c.toFloat(*c.find("bf16")), (std::vector<float>{0, 1, 2, 3}));

    // Through CheckpointWeights: strided views are gathered, contiguous F32 is in place.
    const fs::path dir = fs::path(tmp.path().toStdString());
    CheckpointWeights w(dir);
    const FloatTensor t = w.get("transposed");
    QCOMPARE(std::vector<float>(t.data, t.data + 6), (std::vector<float>{0, 2, 4, 1, 3, 5}));
    QVERIFY(w.get("transposed").data != t.data);  // each get() of a strided view is a fresh copy
    const FloatTensor o = w.get("offset");
    QVERIFY(w.get("offset").data == o.data);  // aligned contiguous F32: the mapped bytes themselves
    QCOMPARE(std::vector<float>(o.data, o.data + 3), (std::vector<float>{5, 6, 7}));
    QCOMPARE(w.info("half")->dtype, DType::F16);
    QCOMPARE(w.info("half")->shape, (std::vector<std::int64_t>{7}));
    QCOMPARE(w.parameterCount(), std::int64_t(6 + 3 + 8 + 4 + 0 + 7 + 4));

    // A view reaching past its storage is refused, naming the tensor.
    const auto bad = torchZip(stateDictPickle({{"w", "0", "FloatStorage", 8, 2, {2, 4}, {}}}), {{"0", floatBytes(storage)}});
    const QString err = loadErrorOf(tmp, bad);
    QVERIFY2(err.contains("'w'") && err.contains("storage"), qPrintable(err));
    // A storage entry shorter than its declared size is refused.
    const auto shortStorage = torchZip(stateDictPickle({{"w", "0", "FloatStorage", 16, 0, {16}, {}}}), {{"0", floatBytes(storage)}});
    QVERIFY(loadErrorOf(tmp, shortStorage).contains("storage '0'"));
    // A storage missing from the archive is refused, naming it and the tensor.
    const auto missing = torchZip(stateDictPickle({{"w", "9", "FloatStorage", 8, 0, {8}, {}}}), {{"0", floatBytes(storage)}});
    const QString missingErr = loadErrorOf(tmp, missing);
    QVERIFY2(missingErr.contains("storage '9'") && missingErr.contains("'w'"), qPrintable(missingErr));
}

void TorchCheckpointTest::nestedStateDictAndMetadata() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::vector<float> storage{1, 2, 3, 4};
    for (bool nested : {false, true}) {
        const auto bytes = torchZip(stateDictPickle({{"a.weight", "0", "FloatStorage", 4, 0, {2, 2}, {}, true}}, nested, true),
                                    {{"0", floatBytes(storage)}});
        const fs::path p = fs::path(tmp.path().toStdString()) / "pytorch_model.bin";
        writeFile(p, bytes);
        TorchCheckpoint c(p);
        QCOMPARE(c.tensors().size(), std::size_t(1));
        QCOMPARE(c.toFloat(*c.find("a.weight")), storage);
    }
    // A pickle that is not a dict, or a dict without tensors, is not a state dict.
    Pickle list;
    list.proto().op(']').stop();
    QVERIFY(loadErrorOf(tmp, torchZip(list.b, {})).contains("not a state dict"));
    Pickle emptyDict;
    emptyDict.proto().op('}').stop();
    QVERIFY(loadErrorOf(tmp, torchZip(emptyDict.b, {})).contains("no tensors"));
}

void TorchCheckpointTest::zip64Archive() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::vector<float> storage{1, 2, 3, 4, 5, 6};
    const auto bytes = torchZip(stateDictPickle({{"w", "0", "FloatStorage", 6, 0, {2, 3}, {}}}), {{"0", floatBytes(storage)}},
                                "my_model", true);
    const fs::path p = fs::path(tmp.path().toStdString()) / "pytorch_model.bin";
    writeFile(p, bytes);
    TorchCheckpoint c(p);
    QCOMPARE(c.toFloat(*c.find("w")), storage);
}

void TorchCheckpointTest::legacyWrittenByTest() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::vector<float> storage{1, 2, 3, 4, 5, 6};
    const auto bytes = legacyFile(stateDictPickle({{"w", "140", "FloatStorage", 6, 2, {2, 2}, {}}}), {{"140", floatBytes(storage)}});
    const fs::path p = fs::path(tmp.path().toStdString()) / "pytorch_model.bin";
    writeFile(p, bytes);
    TorchCheckpoint c(p);
    QVERIFY(c.isLegacyFormat());
    QCOMPARE(c.toFloat(*c.find("w")), (std::vector<float>{3, 4, 5, 6}));
    // A storage listed but claiming more elements than the file holds.
    std::string lying = bytes;
    const std::size_t countAt = lying.size() - storage.size() * 4 - 8;
    lying[countAt] = 100;
    QVERIFY(loadErrorOf(tmp, lying).contains("truncated"));
    // A listed storage that no tensor names: its element type is unknown.
    const auto orphan = legacyFile(stateDictPickle({{"w", "140", "FloatStorage", 6, 0, {6}, {}}}),
                                   {{"140", floatBytes(storage)}, {"999", floatBytes(storage)}});
    QVERIFY(loadErrorOf(tmp, orphan).contains("'999'"));
}

void TorchCheckpointTest::maliciousPicklesAreRefused_data() {
    QTest::addColumn<QByteArray>("pickle");
    QTest::addColumn<QString>("global");
    auto withCommand = [](const std::string& callable) { return callable; };  // command + REDUCE follow in the test
    QTest::newRow("posix.system") << QByteArray::fromStdString(withCommand("cposix\nsystem\n")) << "posix.system";
    QTest::newRow("os.system") << QByteArray::fromStdString(withCommand("cos\nsystem\n")) << "os.system";
    QTest::newRow("builtins.eval") << QByteArray::fromStdString(withCommand("cbuiltins\neval\n")) << "builtins.eval";
    QTest::newRow("subprocess.Popen") << QByteArray::fromStdString(withCommand("csubprocess\nPopen\n")) << "subprocess.Popen";
    QTest::newRow("STACK_GLOBAL os.system")
        << QByteArray::fromStdString(std::string("\x8c\x02os\x8c\x06system\x93", 13)) << "os.system";
    QTest::newRow("INST os.system") << QByteArray::fromStdString("(ios\nsystem\n") << "os.system";
    QTest::newRow("torch-looking module") << QByteArray::fromStdString("ctorch._utils\nsystem\n") << "torch._utils.system";
    QTest::newRow("storage type os.system")
        << QByteArray::fromStdString(std::string("(X\x07\0\0\0storage", 13) + "cos\nsystem\n") << "os.system";
}

void TorchCheckpointTest::maliciousPicklesAreRefused() {
    QFETCH(QByteArray, pickle);
    QFETCH(QString, global);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const fs::path marker = fs::path(tmp.path().toStdString()) / "pwned";
    Pickle p;
    p.proto().raw(pickle.toStdString()).str("touch " + marker.string()).op('\x85').op('R').stop();

    const QString raw = unpickleError(p.b);
    QVERIFY2(raw.contains("refused the global '" + global + "'"), qPrintable(raw));
    const QString zipped = loadErrorOf(tmp, torchZip(p.b, {}));
    QVERIFY2(zipped.contains("refused the global '" + global + "'"), qPrintable(zipped));
    QVERIFY2(zipped.contains("data.pkl"), qPrintable(zipped));
    const QString asFile = loadErrorOf(tmp, p.b);
    QVERIFY2(asFile.contains("refused the global '" + global + "'"), qPrintable(asFile));
    QVERIFY(!fs::exists(marker));
}

void TorchCheckpointTest::maliciousLegacyAndZipRefused() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const fs::path marker = fs::path(tmp.path().toStdString()) / "pwned";
    // A real-looking state dict whose second tensor's hooks argument calls os.system.
    Pickle p;
    p.proto().op('}').mark().str("ok");
    tensorOps(p, {"ok", "0", "FloatStorage", 1, 0, {1}, {}});
    p.str("evil").global("posix", "system").str("touch " + marker.string()).op('\x85').op('R');
    p.op('u').stop();
    const QString legacy = loadErrorOf(tmp, legacyFile(p.b, {{"0", floatBytes({1.0f})}}));
    QVERIFY2(legacy.contains("refused the global 'posix.system'"), qPrintable(legacy));
    const QString zipped = loadErrorOf(tmp, torchZip(p.b, {{"0", floatBytes({1.0f})}}));
    QVERIFY2(zipped.contains("refused the global 'posix.system'"), qPrintable(zipped));
    // Through CheckpointWeights, as the app opens a folder.
    const fs::path dir(tmp.path().toStdString());
    try {
        CheckpointWeights w(dir);
        QFAIL("a malicious checkpoint loaded");
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains("posix.system"), e.what());
    }
    QVERIFY(!fs::exists(marker));
}

void TorchCheckpointTest::misusedAllowedGlobalsAreErrors() {
    // Allowed names in the wrong place are errors, not calls.
    Pickle storageCall;
    storageCall.proto().global("torch", "FloatStorage").integer(10).op('\x85').op('R').stop();
    QVERIFY(unpickleError(storageCall.b).contains("cannot be applied"));
    Pickle badArgs;
    badArgs.proto().global("torch._utils", "_rebuild_tensor_v2").mark().integer(1).integer(2).op('t').op('R').stop();
    QVERIFY(unpickleError(badArgs.b).contains("_rebuild_tensor_v2"));
    Pickle notStorage;
    notStorage.proto().global("torch._utils", "_rebuild_tensor_v2").mark().str("x").integer(0).ints({1}).ints({1}).op('\x89')
        .op('N').op('t').op('R').stop();
    QVERIFY(unpickleError(notStorage.b).contains("storage"));
    Pickle reduceString;
    reduceString.proto().str("os.system").op(')').op('R').stop();
    QVERIFY(unpickleError(reduceString.b).contains("REDUCE"));
    Pickle newobj;
    newobj.proto().global("collections", "OrderedDict").op(')').op('\x81').stop();
    QVERIFY(unpickleError(newobj.b).contains("NEWOBJ"));
    Pickle badPid;
    badPid.proto().str("x").op('Q').stop();
    QVERIFY(unpickleError(badPid.b).contains("persistent id"));
    Pickle negativeShape;
    negativeShape.proto().global("torch._utils", "_rebuild_tensor_v2").mark();
    negativeShape.mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(4).op('t').op('Q');
    negativeShape.integer(0).ints({-2}).ints({1}).op('\x89').op('N').op('t').op('R').stop();
    QVERIFY(unpickleError(negativeShape.b).contains("negative"));
}

void TorchCheckpointTest::truncatedFilesAreErrors() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string zip = readFile(fixtures::goldenDir() / "bert" / "bin" / "pytorch_model.bin");
    for (std::size_t len : {std::size_t(0), std::size_t(1), std::size_t(100), zip.size() / 2, zip.size() - 30, zip.size() - 1}) {
        const QString err = loadErrorOf(tmp, zip.substr(0, len));
        QVERIFY2(!err.isEmpty(), qPrintable(QString("truncated to %1 bytes loaded").arg(len)));
    }
    QVERIFY(loadErrorOf(tmp, zip.substr(0, zip.size() / 2)).contains("truncated"));
    // The directory intact but data cut away: the zip "works", its entries do not.
    std::string hollow = zip;
    std::memset(hollow.data() + 4000, 0, 20000);
    QVERIFY(!loadErrorOf(tmp, hollow).isEmpty());

    const std::string legacy = readFile(fixtures::goldenDir() / "bert" / "bin" / "pytorch_model.legacy.bin");
    for (std::size_t len = 0; len < legacy.size(); len += 331) {
        const QString err = loadErrorOf(tmp, legacy.substr(0, len));
        QVERIFY2(!err.isEmpty(), qPrintable(QString("legacy truncated to %1 bytes loaded").arg(len)));
    }
    QVERIFY(loadErrorOf(tmp, legacy.substr(0, legacy.size() - 1)).contains("truncated"));

    // A zip whose data.pkl itself is cut short (its CRC matches the short bytes).
    const std::vector<float> storage{1, 2};
    const std::string full = stateDictPickle({{"w", "0", "FloatStorage", 2, 0, {2}, {}}});
    for (std::size_t len = 0; len < full.size(); len += 7) {
        const QString err = loadErrorOf(tmp, torchZip(full.substr(0, len), {{"0", floatBytes(storage)}}));
        QVERIFY2(!err.isEmpty(), qPrintable(QString("data.pkl truncated to %1 bytes loaded").arg(len)));
    }
    QVERIFY(loadErrorOf(tmp, torchZip(full.substr(0, full.size() - 1), {{"0", floatBytes(storage)}})).contains("without STOP"));
}

void TorchCheckpointTest::wrongMagicAndGarbage() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    std::string legacy = readFile(fixtures::goldenDir() / "bert" / "bin" / "pytorch_model.legacy.bin");
    legacy[5] ^= 0x01;  // inside the magic number
    QVERIFY(loadErrorOf(tmp, legacy).contains("magic number"));
    QVERIFY(loadErrorOf(tmp, "").contains("not a PyTorch checkpoint"));
    QVERIFY(loadErrorOf(tmp, "hello, I am a text file\n").contains("not a PyTorch checkpoint"));
    std::string tar(1024, '\0');
    std::memcpy(tar.data() + 257, "ustar", 5);
    QVERIFY(loadErrorOf(tmp, tar).contains("tar"));
    // A legacy stream with the right magic but another protocol version.
    std::string otherVersion = readFile(fixtures::goldenDir() / "bert" / "bin" / "pytorch_model.legacy.bin");
    otherVersion[18] = 0x02;
    QVERIFY(loadErrorOf(tmp, otherVersion).contains("protocol version"));
    // A zip that is not a torch archive.
    QVERIFY(loadErrorOf(tmp, zipStored({{"readme.txt", "hi"}})).contains("top-level folder"));
    QVERIFY(loadErrorOf(tmp, zipStored({{"a/readme.txt", "hi"}})).contains("data.pkl"));
    // Big-endian checkpoints are refused rather than misread.
    auto bigEndian = torchZip(stateDictPickle({}), {});
    const auto at = bigEndian.find("little");
    bigEndian.replace(at, 6, "bigend");
    QVERIFY(!loadErrorOf(tmp, bigEndian).isEmpty());
}

void TorchCheckpointTest::hugeLengthsAreErrors() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string p = std::string("\x80\x02", 2);
    QVERIFY(unpickleError(p + "X\xff\xff\xff\xff" + "abc.").contains("truncated"));
    QVERIFY(unpickleError(p + std::string("\x8d\xff\xff\xff\xff\xff\xff\xff\x7f", 9) + "abc.").contains("truncated"));
    QVERIFY(unpickleError(p + std::string("\x8e\xff\xff\xff\xff\xff\xff\xff\xff", 9) + ".").contains("truncated"));
    QVERIFY(unpickleError(p + std::string("\x8b\xff\xff\xff\x7f", 5) + ".").contains("truncated"));
    QVERIFY(unpickleError(p + std::string("T\xff\xff\xff\xff", 5) + ".").contains("negative"));
    QVERIFY(unpickleError(p + std::string("\x95\xff\xff\xff\xff\xff\xff\xff\xff", 9) + "N.").contains("FRAME"));
    QVERIFY(unpickleError(p + "c" + std::string(100000, 'a') + "\nb\n.").contains("newline-terminated"));
    QVERIFY(unpickleError(p + std::string("j\xff\xff\xff\xff", 5) + ".").contains("memo"));
    // A sparse memo index is fine (no allocation by index); reading it back works.
    QVERIFY(unpickleError(p + std::string("Nr\xff\xff\xff\xffj\xff\xff\xff\xff.", 12)).isEmpty());

    // A storage claiming 2^62 elements, and a tensor claiming an enormous shape.
    const std::vector<float> storage{1, 2, 3, 4};
    const QString hugeStorage =
        loadErrorOf(tmp, torchZip(stateDictPickle({{"w", "0", "FloatStorage", std::int64_t(1) << 62, 0, {4}, {}}}), {{"0", floatBytes(storage)}}));
    QVERIFY2(hugeStorage.contains("storage '0'"), qPrintable(hugeStorage));
    const QString hugeShape = loadErrorOf(
        tmp, torchZip(stateDictPickle({{"w", "0", "FloatStorage", 4, 0, {std::int64_t(1) << 40, std::int64_t(1) << 40}, {}}}),
                      {{"0", floatBytes(storage)}}));
    QVERIFY2(hugeShape.contains("'w'"), qPrintable(hugeShape));
    const QString hugeStride = loadErrorOf(
        tmp, torchZip(stateDictPickle({{"w", "0", "FloatStorage", 4, 0, {2}, {std::int64_t(1) << 62}}}), {{"0", floatBytes(storage)}}));
    QVERIFY2(hugeStride.contains("'w'"), qPrintable(hugeStride));
    const QString hugeOffset = loadErrorOf(
        tmp, torchZip(stateDictPickle({{"w", "0", "FloatStorage", 4, std::int64_t(1) << 62, {1}, {}}}), {{"0", floatBytes(storage)}}));
    QVERIFY2(hugeOffset.contains("'w'"), qPrintable(hugeOffset));
    const QString manyDims =
        loadErrorOf(tmp, torchZip(stateDictPickle({{"w", "0", "FloatStorage", 4, 0, std::vector<std::int64_t>(100, 1), {}}}),
                                  {{"0", floatBytes(storage)}}));
    QVERIFY2(manyDims.contains("dimensions"), qPrintable(manyDims));
}

void TorchCheckpointTest::deepNestingAndCycles() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string p = std::string("\x80\x02", 2);
    // A million nested marks: refused at the mark limit.
    QVERIFY(unpickleError(p + std::string(1000000, '(') + ".").contains("marks"));
    // 300000 nested 1-tuples: no recursion anywhere, so no stack overflow; not a state dict.
    QVERIFY(unpickleError(p + "N" + std::string(300000, '\x85') + ".").isEmpty());
    QVERIFY(loadErrorOf(tmp, torchZip(p + "N" + std::string(300000, '\x85') + ".", {})).contains("not a state dict"));
    // Two million pushes: refused at the stack limit.
    QVERIFY(unpickleError(p + std::string(2000000, 'N') + ".").contains("stack"));
    // Too many objects overall.
    {
        pickle::Limits small;
        small.maxObjects = 1000;
        std::string many = p;
        for (int i = 0; i < 2000; ++i) many += "K\x01" "0";  // push an int, pop it: objects, no stack
        many += "N.";
        try {
            pickle::RestrictedUnpickler u(reinterpret_cast<const std::uint8_t*>(many.data()), many.size(), "t", small);
            u.load();
            QFAIL("the object limit did not hold");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("objects"));
        }
    }
    // A list and a dict that contain themselves: no infinite loop, no leak, not a state dict.
    const std::string selfList = p + std::string("]q\x00h\x00" "a.", 7);
    QVERIFY(unpickleError(selfList).isEmpty());
    const std::string selfDict = p + std::string("}q\x00h\x00h\x00s.", 9);
    QVERIFY(unpickleError(selfDict).isEmpty());
    QVERIFY(loadErrorOf(tmp, torchZip(selfDict, {})).contains("no tensors"));
    // Stack underflow and marks misuse.
    QVERIFY(unpickleError(p + "R.").contains("empty stack"));
    QVERIFY(unpickleError(p + "t.").contains("MARK"));
    QVERIFY(unpickleError(p + "(N(R.").contains("empty stack"));
    QVERIFY(unpickleError(p + "(N.").contains("MARK"));
    QVERIFY(unpickleError(p + ".").contains("empty stack"));
    QVERIFY(unpickleError(p + "\x01").contains("not supported"));
}

void TorchCheckpointTest::zipStructureErrors() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::vector<float> storage{1, 2};
    const std::string good = torchZip(stateDictPickle({{"w", "0", "FloatStorage", 2, 0, {2}, {}}}), {{"0", floatBytes(storage)}});
    QVERIFY(loadErrorOf(tmp, good).isEmpty());
    const std::size_t eocd = good.size() - 22;
    const std::size_t cdOffset = static_cast<std::uint8_t>(good[eocd + 16]) | (static_cast<std::uint8_t>(good[eocd + 17]) << 8) |
                                 (static_cast<std::uint8_t>(good[eocd + 18]) << 16);
    auto patched = [&](std::size_t at, const std::string& bytes) {
        std::string s = good;
        s.replace(at, bytes.size(), bytes);
        return s;
    };
    // The directory claims more entries than it has room for, or lies outside the file.
    QVERIFY(loadErrorOf(tmp, patched(eocd + 8, std::string("\xfe\xff\xfe\xff", 4))).contains("entries"));
    QVERIFY(loadErrorOf(tmp, patched(eocd + 12, std::string("\xff\xff\xff\x7f", 4))).contains("central directory"));
    QVERIFY(loadErrorOf(tmp, patched(eocd + 16, std::string("\xff\xff\xff\x7f", 4))).contains("central directory"));
    // Multi-disk archives.
    QVERIFY(loadErrorOf(tmp, patched(eocd + 4, std::string("\x01\x00", 2))).contains("multi-disk"));
    // A compressed (deflate) entry: refused by name.
    const QString deflated = loadErrorOf(tmp, patched(cdOffset + 10, std::string("\x08\x00", 2)));
    QVERIFY2(deflated.contains("compressed") && deflated.contains("data.pkl"), qPrintable(deflated));
    // An encrypted entry.
    QVERIFY(loadErrorOf(tmp, patched(cdOffset + 8, std::string("\x01\x08", 2))).contains("encrypted"));
    // An entry whose size runs past the end of the file.
    QVERIFY(loadErrorOf(tmp, patched(cdOffset + 20, std::string("\xff\xff\xff\x7f\xff\xff\xff\x7f", 8))).contains("past the end"));
    // A local header offset pointing nowhere.
    QVERIFY(loadErrorOf(tmp, patched(cdOffset + 42, std::string("\xff\xff\xff\x7f", 4))).contains("local header"));
    // A flipped byte in data.pkl fails its CRC.
    QVERIFY(loadErrorOf(tmp, patched(64 + 4, "Z")).contains("CRC"));
    // Two entries with one name.
    QVERIFY(loadErrorOf(tmp, zipStored({{"a/data.pkl", "N."}, {"a/data.pkl", "N."}})).contains("twice"));
    // ZIP64 markers without ZIP64 records.
    QVERIFY(loadErrorOf(tmp, patched(eocd + 16, std::string("\xff\xff\xff\xff", 4))).contains("ZIP64"));
}

void TorchCheckpointTest::randomCorruptionNeverCrashes() {
    // Not a fuzzer, but a cheap deterministic sweep: every corrupted input must load or
    // throw attnscope::Error — anything else (a crash, another exception) fails the test.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    std::mt19937 rng(20240607);
    const std::string zip = readFile(fixtures::goldenDir() / "bert" / "bin" / "pytorch_model.bin");
    const ZipArchive archive(reinterpret_cast<const std::uint8_t*>(zip.data()), zip.size(), "golden");
    const auto pkl = archive.read(*archive.find("pytorch_model/data.pkl"));
    const std::string pickleBytes(reinterpret_cast<const char*>(pkl.data), pkl.size);
    int errors = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string s = pickleBytes;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k) s[rng() % s.size()] = static_cast<char>(rng() & 0xff);
        if (!unpickleError(s).isEmpty()) ++errors;
    }
    qInfo("data.pkl mutations: %d of 3000 refused", errors);
    const std::string legacy = readFile(fixtures::goldenDir() / "bert" / "bin" / "pytorch_model.legacy.bin");
    for (int i = 0; i < 150; ++i) {
        std::string z = zip, l = legacy;
        for (int k = 0; k < 3; ++k) {
            // Concentrate on the structured parts: the pickle and the directory.
            z[(rng() % 2) ? rng() % 4200 : zip.size() - 1 - rng() % 3100] = static_cast<char>(rng() & 0xff);
            l[(rng() % 4) ? rng() % 5300 : rng() % l.size()] = static_cast<char>(rng() & 0xff);
        }
        loadErrorOf(tmp, z);
        loadErrorOf(tmp, l);
    }
}

QTEST_APPLESS_MAIN(TorchCheckpointTest)
#include "test_torch_checkpoint.moc"
