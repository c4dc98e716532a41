// PyTorch checkpoints (pytorch_model.bin): the golden zip, legacy and float16 files equal
// their safetensors twins and drive the model to the same attention; sharded .bin folders,
// strided, shared and typed tensors, nested state dicts and ZIP64 archives load. (Hostile
// files are test_torch_checkpoint_refusals.)
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <random>

#include "TorchFixtures.h"
#include "io/SafetensorsFile.h"

using namespace attnscope;
using namespace torchfixtures;
namespace fs = std::filesystem;

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

QTEST_APPLESS_MAIN(TorchCheckpointTest)
#include "test_torch_checkpoint.moc"
