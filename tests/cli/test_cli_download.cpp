// attnscope-cli download against a hub on 127.0.0.1 (tests/support/LoopbackHub.h): the cache
// layout huggingface_hub writes, opening the result by id, no second fetch, resuming a cut
// download with a Range request, the token sent to the hub and not to its CDN, clear errors
// (401, 404, unreachable, no weights), offline mode, .bin and sharded checkpoints, usage.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "GoldenFixtures.h"
#include "LoopbackHub.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"

using fixtures::LoopbackHub;
namespace fs = std::filesystem;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

const QString kCommit = QString::fromLatin1(LoopbackHub::kCommit);

QString str(const fs::path& p) { return QString::fromStdString(p.string()); }

QByteArray readBytes(const fs::path& p) {
    QFile f(str(p));
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

// The golden bert folder's files, copied so a test can add or leave out some.
void copyFiles(const fs::path& from, const fs::path& to, const QStringList& names) {
    fs::create_directories(to);
    for (const QString& name : names) fs::copy_file(from / name.toStdString(), to / name.toStdString());
}

const QStringList kBertFiles = {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"};

void verifyOneErrorLine(const Run& r, const QString& fragment) {
    QVERIFY2(r.err.startsWith("error: "), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.err.contains(fragment.toUtf8()), r.err.constData());
}

}  // namespace

class CliDownloadTest : public QObject {
    Q_OBJECT
private slots:
    void init();
    void downloadsIntoTheHubCacheLayout();
    void secondDownloadFetchesNothing();
    void resumesAnInterruptedDownload();
    void sendsTheTokenToTheHubOnly();
    void missingModelsAndRevisionsExitThree();
    void unreachableServerExitsThree();
    void offlineModeUsesTheCacheOnly();
    void refusesAModelWithoutSupportedWeights();
    void downloadsPytorchBinWhenThereAreNoSafetensors();
    void downloadsShardsListedInTheIndexOnly();
    void commitRevisionNeedsNoRef();
    void blobsAlreadyCachedAreLinkedNotFetched();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();

private:
    Run cli(const QStringList& args, const QMap<QString, QString>& extraEnv = {}) const;
    fs::path repoDir() const { return cache_ / "models--org--name"; }
    fs::path snapshot() const { return repoDir() / "snapshots" / kCommit.toStdString(); }

    std::unique_ptr<QTemporaryDir> dir_;
    fs::path cache_;
    QString endpoint_;
};

void CliDownloadTest::init() {
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY(dir_->isValid());
    cache_ = fs::path(dir_->path().toStdString()) / "hub";
}

Run CliDownloadTest::cli(const QStringList& args, const QMap<QString, QString>& extraEnv) const {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"HF_TOKEN", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HOME", "HUGGINGFACE_HUB_CACHE"})
        env.remove(QString::fromLatin1(name));
    env.insert(QStringLiteral("HF_HUB_CACHE"), str(cache_));
    env.insert(QStringLiteral("HF_ENDPOINT"), endpoint_);
    for (auto it = extraEnv.begin(); it != extraEnv.end(); ++it) env.insert(it.key(), it.value());
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QString(ATTNSCOPE_CLI_PATH), args);
    Run r;
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

void CliDownloadTest::downloadsIntoTheHubCacheLayout() {
    const fs::path golden = fixtures::goldenDir() / "bert" / "model";
    LoopbackHub hub(str(golden));
    endpoint_ = hub.endpoint();
    const Run r = cli({"download", "org/name"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.isEmpty(), r.err.constData());  // no progress when stderr is not a terminal

    const QJsonObject out = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(out["id"].toString(), QStringLiteral("org/name"));
    QCOMPARE(out["revision"].toString(), QStringLiteral("main"));
    QCOMPARE(out["commit"].toString(), kCommit);
    QCOMPARE(out["folder"].toString(), str(snapshot()));
    QStringList files;
    for (const auto& f : out["files"].toArray()) files << f.toString();
    QCOMPARE(files, (QStringList{"config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "model.safetensors"}));

    // huggingface_hub's layout: blobs named by the linked ETag (the weights' sha256, not the
    // CDN's or the pointer's ETag), relative links, refs/main holding the commit.
    for (const QString& file : files) {
        const fs::path link = snapshot() / file.toStdString();
        QVERIFY2(fs::is_symlink(link), qPrintable(file));
        const std::string blob = hub.blobName(file).toStdString();
        QCOMPARE(fs::read_symlink(link), fs::path("../../blobs") / blob);
        QCOMPARE(readBytes(repoDir() / "blobs" / blob), readBytes(golden / file.toStdString()));
    }
    QCOMPARE(hub.blobName("model.safetensors").size(), 64);
    QCOMPARE(readBytes(repoDir() / "refs" / "main"), kCommit.toLatin1());
    for (const auto& e : fs::directory_iterator(repoDir() / "blobs"))
        QVERIFY2(e.path().extension() != ".incomplete", e.path().c_str());
    // Weights came from the CDN after the hub's redirect; small files from the hub itself.
    QCOMPARE(hub.count("/cdn/"), 1);

    // The id now opens anywhere a model folder does, with the same results.
    const Run byId = cli({"info", "org/name"});
    const Run byFolder = cli({"info", str(golden)});
    QVERIFY2(byId.exitCode == 0, byId.err.constData());
    QCOMPARE(byId.out, byFolder.out);
    const QString outById = dir_->filePath("by-id.safetensors"), outByFolder = dir_->filePath("by-folder.safetensors");
    QCOMPARE(cli({"attention", "org/name", "--text", "The cat sat on the mat.", "--out", outById}).exitCode, 0);
    QCOMPARE(cli({"attention", str(golden), "--text", "The cat sat on the mat.", "--out", outByFolder}).exitCode, 0);
    const attnscope::SafetensorsFile a(outById.toStdString()), b(outByFolder.toStdString());
    const auto* ta = a.find("attentions");
    const auto* tb = b.find("attentions");
    QVERIFY(ta && tb);
    QCOMPARE(ta->shape, tb->shape);
    QCOMPARE(a.toFloat(*ta), b.toFloat(*tb));
}

void CliDownloadTest::secondDownloadFetchesNothing() {
    LoopbackHub hub(str(fixtures::goldenDir() / "bert" / "model"));
    endpoint_ = hub.endpoint();
    QCOMPARE(cli({"download", "org/name"}).exitCode, 0);
    hub.clearRequests();
    const Run again = cli({"download", "org/name"});
    QVERIFY2(again.exitCode == 0, again.err.constData());
    QCOMPARE(QJsonDocument::fromJson(again.out).object()["commit"].toString(), kCommit);
    const auto requests = hub.requests();
    QCOMPARE(requests.size(), std::size_t(1));  // the revision lookup only
    QVERIFY(requests[0].path.startsWith(QStringLiteral("/api/models/org/name/revision/main")));
}

void CliDownloadTest::resumesAnInterruptedDownload() {
    const fs::path golden = fixtures::goldenDir() / "bert" / "model";
    LoopbackHub hub(str(golden));
    endpoint_ = hub.endpoint();
    const qint64 cut = 50000;
    hub.cutNextDownloadAfter(cut);
    const Run first = cli({"download", "org/name"});
    QCOMPARE(first.exitCode, 3);
    verifyOneErrorLine(first, QStringLiteral("run the download again to resume"));
    const std::string blob = hub.blobName("model.safetensors").toStdString();
    const fs::path partial = repoDir() / "blobs" / (blob + ".incomplete");
    QVERIFY(fs::exists(partial));
    QCOMPARE(qint64(fs::file_size(partial)), cut);
    QVERIFY(!fs::exists(repoDir() / "refs" / "main"));  // an incomplete snapshot is not named
    QVERIFY(!fs::exists(snapshot() / "model.safetensors"));

    hub.clearRequests();
    const Run second = cli({"download", "org/name"});
    QVERIFY2(second.exitCode == 0, second.err.constData());
    int ranged = 0;
    for (const auto& request : hub.requests()) {
        if (request.server != QLatin1String("cdn")) continue;
        QCOMPARE(request.range, QByteArray("bytes=") + QByteArray::number(cut) + "-");
        ++ranged;
    }
    QCOMPARE(ranged, 1);
    QVERIFY(!fs::exists(partial));
    QCOMPARE(readBytes(snapshot() / "model.safetensors"), readBytes(golden / "model.safetensors"));
    QCOMPARE(cli({"info", "org/name"}).exitCode, 0);
}

void CliDownloadTest::sendsTheTokenToTheHubOnly() {
    LoopbackHub hub(str(fixtures::goldenDir() / "bert" / "model"));
    endpoint_ = hub.endpoint();
    hub.requireToken("hf_secret");
    const Run anonymous = cli({"download", "org/name"});
    QCOMPARE(anonymous.exitCode, 3);
    verifyOneErrorLine(anonymous, QStringLiteral("set HF_TOKEN"));
    const Run wrong = cli({"download", "org/name"}, {{"HF_TOKEN", "hf_wrong"}});
    QCOMPARE(wrong.exitCode, 3);
    verifyOneErrorLine(wrong, QStringLiteral("refused the token in HF_TOKEN"));
    QVERIFY(!fs::exists(repoDir() / "snapshots"));

    hub.clearRequests();
    const Run allowed = cli({"download", "org/name"}, {{"HF_TOKEN", "hf_secret"}});
    QVERIFY2(allowed.exitCode == 0, allowed.err.constData());
    int hubRequests = 0, cdnRequests = 0;
    for (const auto& request : hub.requests()) {
        if (request.server == QLatin1String("hub")) {
            QCOMPARE(request.authorization, QByteArray("Bearer hf_secret"));
            ++hubRequests;
        } else {
            QVERIFY2(request.authorization.isEmpty(), "the token must not follow the redirect to the CDN");
            ++cdnRequests;
        }
    }
    QVERIFY(hubRequests >= 6);  // the revision, then a HEAD per file and GETs of the small ones
    QCOMPARE(cdnRequests, 1);
}

void CliDownloadTest::missingModelsAndRevisionsExitThree() {
    LoopbackHub hub(str(fixtures::goldenDir() / "bert" / "model"));
    endpoint_ = hub.endpoint();
    const Run noModel = cli({"download", "org/other"});
    QCOMPARE(noModel.exitCode, 3);
    verifyOneErrorLine(noModel, QStringLiteral("no model 'org/other'"));
    const Run noRevision = cli({"download", "org/name", "--revision", "v9"});
    QCOMPARE(noRevision.exitCode, 3);
    verifyOneErrorLine(noRevision, QStringLiteral("no revision 'v9'"));
    const Run atRevision = cli({"download", "org/name@v9"});
    QCOMPARE(atRevision.exitCode, 3);
    verifyOneErrorLine(atRevision, QStringLiteral("no revision 'v9'"));
    // And the cache says how to get what it lacks.
    const Run info = cli({"info", "org/name"});
    QCOMPARE(info.exitCode, 3);
    verifyOneErrorLine(info, QStringLiteral("attnscope-cli download org/name"));
}

void CliDownloadTest::unreachableServerExitsThree() {
    QTcpServer closed;  // a port that was just free: nothing listens there any more
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    endpoint_ = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort());
    closed.close();
    const Run r = cli({"download", "org/name"});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r, QStringLiteral("cannot reach ") + endpoint_);
}

void CliDownloadTest::offlineModeUsesTheCacheOnly() {
    LoopbackHub hub(str(fixtures::goldenDir() / "bert" / "model"));
    endpoint_ = hub.endpoint();
    const Run empty = cli({"download", "org/name"}, {{"HF_HUB_OFFLINE", "1"}});
    QCOMPARE(empty.exitCode, 3);
    verifyOneErrorLine(empty, QStringLiteral("offline mode is on"));
    QVERIFY(hub.requests().empty());

    QCOMPARE(cli({"download", "org/name"}).exitCode, 0);
    hub.clearRequests();
    for (const QString& on : {"1", "true", "YES", "On"}) {
        const Run cached = cli({"download", "org/name"}, {{"HF_HUB_OFFLINE", on}});
        QVERIFY2(cached.exitCode == 0, cached.err.constData());
        const QJsonObject out = QJsonDocument::fromJson(cached.out).object();
        QCOMPARE(out["commit"].toString(), kCommit);
        QCOMPARE(out["folder"].toString(), str(snapshot()));
        QVERIFY(out["files"].toArray().contains(QStringLiteral("model.safetensors")));
    }
    const Run legacy = cli({"download", "org/name"}, {{"TRANSFORMERS_OFFLINE", "1"}});
    QCOMPARE(legacy.exitCode, 0);
    QVERIFY(hub.requests().empty());

    fs::remove(snapshot() / "model.safetensors");
    const Run partial = cli({"download", "org/name"}, {{"HF_HUB_OFFLINE", "1"}});
    QCOMPARE(partial.exitCode, 3);
    verifyOneErrorLine(partial, QStringLiteral("has only part of 'org/name'"));
    QVERIFY(hub.requests().empty());
    // "0" is not on: the missing file is fetched again.
    QCOMPARE(cli({"download", "org/name"}, {{"HF_HUB_OFFLINE", "0"}}).exitCode, 0);
    QVERIFY(fs::exists(snapshot() / "model.safetensors"));
}

void CliDownloadTest::refusesAModelWithoutSupportedWeights() {
    QTemporaryDir repo;
    const fs::path folder = repo.path().toStdString();
    copyFiles(fixtures::goldenDir() / "bert" / "model", folder, {"config.json", "vocab.txt"});
    std::ofstream(folder / "tf_model.h5") << "not for us";
    LoopbackHub hub(repo.path());
    endpoint_ = hub.endpoint();
    const Run r = cli({"download", "org/name"});
    QCOMPARE(r.exitCode, 3);
    verifyOneErrorLine(r, QStringLiteral("'org/name' has no weights AttnScope reads"));
    QCOMPARE(hub.count("/org/name/resolve/"), 0);
}

void CliDownloadTest::downloadsPytorchBinWhenThereAreNoSafetensors() {
    QTemporaryDir repo;
    const fs::path folder = repo.path().toStdString();
    const fs::path golden = fixtures::goldenDir() / "bert";
    copyFiles(golden / "model", folder, {"config.json", "tokenizer.json", "vocab.txt"});
    fs::copy_file(golden / "bin" / "pytorch_model.bin", folder / "pytorch_model.bin");
    LoopbackHub hub(repo.path());
    endpoint_ = hub.endpoint();
    const Run r = cli({"download", "org/name"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(QJsonDocument::fromJson(r.out).object()["files"].toArray().contains(QStringLiteral("pytorch_model.bin")));
    QCOMPARE(readBytes(snapshot() / "pytorch_model.bin"), readBytes(golden / "bin" / "pytorch_model.bin"));
    const QString fromBin = dir_->filePath("bin.safetensors"), fromFolder = dir_->filePath("folder.safetensors");
    QCOMPARE(cli({"attention", "org/name", "--text", "hello world", "--out", fromBin}).exitCode, 0);
    QCOMPARE(cli({"attention", str(golden / "model"), "--text", "hello world", "--out", fromFolder}).exitCode, 0);
    const attnscope::SafetensorsFile a(fromBin.toStdString()), b(fromFolder.toStdString());
    QCOMPARE(a.toFloat(*a.find("attentions")), b.toFloat(*b.find("attentions")));
}

void CliDownloadTest::downloadsShardsListedInTheIndexOnly() {
    // bert's tensors split over two shards with an index, next to a pytorch_model.bin and an
    // unlisted shard that must both stay on the server.
    QTemporaryDir repo;
    const fs::path folder = repo.path().toStdString();
    const fs::path golden = fixtures::goldenDir() / "bert";
    copyFiles(golden / "model", folder, {"config.json", "tokenizer.json"});
    fs::copy_file(golden / "bin" / "pytorch_model.bin", folder / "pytorch_model.bin");
    const attnscope::SafetensorsFile whole((golden / "model" / "model.safetensors").string());
    attnscope::SafetensorsWriter shards[2];
    QJsonObject weightMap;
    int i = 0;
    for (const auto& t : whole.tensors()) {
        const int shard = i++ % 2;
        shards[shard].addBytes(t.name, t.dtype, t.shape, whole.bytes(t), t.end - t.begin);
        weightMap[QString::fromStdString(t.name)] = QStringLiteral("model-0000%1-of-00002.safetensors").arg(shard + 1);
    }
    shards[0].write(folder / "model-00001-of-00002.safetensors");
    shards[1].write(folder / "model-00002-of-00002.safetensors");
    std::ofstream(folder / "model-00099-of-00099.safetensors") << "unlisted";
    QFile index(str(folder / "model.safetensors.index.json"));
    QVERIFY(index.open(QIODevice::WriteOnly));
    index.write(QJsonDocument(QJsonObject{{"metadata", QJsonObject{}}, {"weight_map", weightMap}}).toJson());
    index.close();

    LoopbackHub hub(repo.path());
    endpoint_ = hub.endpoint();
    const Run r = cli({"download", "org/name"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QStringList files;
    for (const auto& f : QJsonDocument::fromJson(r.out).object()["files"].toArray()) files << f.toString();
    QCOMPARE(files, (QStringList{"model.safetensors.index.json", "config.json", "tokenizer.json",
                                 "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}));
    QCOMPARE(hub.count("/org/name/resolve/" + kCommit + "/pytorch_model.bin"), 0);
    QCOMPARE(hub.count("/org/name/resolve/" + kCommit + "/model-00099-of-00099.safetensors"), 0);
    const Run info = cli({"info", "org/name"});
    QVERIFY2(info.exitCode == 0, info.err.constData());
    QCOMPARE(info.out, cli({"info", str(golden / "model")}).out);
}

void CliDownloadTest::commitRevisionNeedsNoRef() {
    LoopbackHub hub(str(fixtures::goldenDir() / "bert" / "model"));
    endpoint_ = hub.endpoint();
    const Run r = cli({"download", "org/name", "--revision", kCommit});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(QJsonDocument::fromJson(r.out).object()["revision"].toString(), kCommit);
    QVERIFY(!fs::exists(repoDir() / "refs"));
    QCOMPARE(cli({"info", "org/name@" + kCommit}).exitCode, 0);
    QCOMPARE(cli({"info", "org/name"}).exitCode, 3);  // main was never recorded
}

void CliDownloadTest::blobsAlreadyCachedAreLinkedNotFetched() {
    // Another revision already brought the weights: the snapshot links the blob, no GET.
    const fs::path golden = fixtures::goldenDir() / "bert" / "model";
    LoopbackHub hub(str(golden));
    endpoint_ = hub.endpoint();
    fs::create_directories(repoDir() / "blobs");
    const std::string blob = hub.blobName("model.safetensors").toStdString();
    fs::copy_file(golden / "model.safetensors", repoDir() / "blobs" / blob);
    const Run r = cli({"download", "org/name"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(hub.count("/cdn/"), 0);
    QCOMPARE(hub.count("/org/name/resolve/" + kCommit + "/model.safetensors"), 1);  // the HEAD naming the blob
    QCOMPARE(fs::read_symlink(snapshot() / "model.safetensors"), fs::path("../../blobs") / blob);
}

void CliDownloadTest::usageErrorsExitTwo_data() {
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no id") << QStringList{"download"};
    QTest::newRow("not an id") << QStringList{"download", "a/b/c"};
    QTest::newRow("a path") << QStringList{"download", "/tmp/model"};
    QTest::newRow("two revisions") << QStringList{"download", "org/name@v1", "--revision", "v2"};
    QTest::newRow("unsafe revision") << QStringList{"download", "org/name", "--revision", "../x"};
    QTest::newRow("text") << QStringList{"download", "org/name", "--text", "hi"};
    QTest::newRow("extra argument") << QStringList{"download", "org/name", "more"};
    QTest::newRow("revision elsewhere") << QStringList{"info", "org/name", "--revision", "v1"};
    QTest::newRow("revision without value") << QStringList{"download", "org/name", "--revision"};
}

void CliDownloadTest::usageErrorsExitTwo() {
    QFETCH(QStringList, args);
    endpoint_ = QStringLiteral("http://127.0.0.1:1");
    const Run r = cli(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.startsWith("error: "), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(CliDownloadTest)
#include "test_cli_download.moc"
