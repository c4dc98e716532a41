// The Hugging Face cache as huggingface_hub lays it out: ids, the cache root's environment
// precedence, refs and commit revisions, symlinked snapshots, the errors that say how to fix
// things, the cached-model listing, the writer's atomic links and refs, the choice of files
// to download — and a golden model that opens by id with the same attention as its folder.
#include <QCryptographicHash>
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <map>

#include "Error.h"
#include "GoldenFixtures.h"
#include "hub/HubCache.h"
#include "hub/HubCacheWriter.h"
#include "hub/HubId.h"
#include "hub/ModelFileChoice.h"
#include "model/Checkpoint.h"
#include "model/ModelReference.h"

using namespace attnscope;
using namespace attnscope::hub;
namespace fs = std::filesystem;

namespace {

const std::string kCommitA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kCommitB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

const char* const kCacheVariables[] = {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME", "HOME",
                                       "ATTNSCOPE_TEST_VAR"};

void writeText(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

std::string readText(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string sha256Of(const fs::path& file) {
    QFile f(QString::fromStdString(file.string()));
    f.open(QIODevice::ReadOnly);
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex().toStdString();
}

// Puts a file into the cache the way huggingface_hub does: the bytes in blobs/<etag>, a
// relative link in snapshots/<commit>/.
void addCachedFile(const fs::path& repoDir, const std::string& commit, const std::string& name, const fs::path& source) {
    const std::string blob = sha256Of(source);
    fs::create_directories(repoDir / "blobs");
    if (!fs::exists(repoDir / "blobs" / blob)) fs::copy_file(source, repoDir / "blobs" / blob);
    linkIntoSnapshot(repoDir, commit, name, blob);
}

void addCachedText(const fs::path& repoDir, const std::string& commit, const std::string& name, const std::string& text) {
    const fs::path scratch = repoDir / ("scratch-" + name);
    writeText(scratch, text);
    addCachedFile(repoDir, commit, name, scratch);
    fs::remove(scratch);
}

void expectError(const std::function<void()>& f, const std::vector<std::string>& fragments) {
    try {
        f();
        QFAIL("expected attnscope::Error");
    } catch (const Error& e) {
        const std::string message = e.what();
        for (const auto& fragment : fragments)
            QVERIFY2(message.find(fragment) != std::string::npos, (message + "  [missing: " + fragment + "]").c_str());
    }
}

}  // namespace

class TestHubCache : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void parsesIds_data();
    void parsesIds();
    void mapsRepoFolderNames();
    void cacheRootFollowsTheEnvironmentInOrder();
    void resolvesRefsAndCommits();
    void errorsSayWhatIsMissingAndHowToGetIt();
    void existingPathWinsOverAnId();
    void listsCachedModels();
    void completeWeightsNeedEveryShard();
    void normalisesEtags();
    void linksAreRelativeAndReplaced();
    void refsAreWrittenAndCommitRevisionsAreNot();
    void rejectsPathsOutsideTheSnapshot();
    void choosesOneWeightFormat();
    void readsShardNamesSafely();
    void goldenModelOpensByIdWithTheSameAttention();

private:
    QTemporaryDir dir_;
    std::map<std::string, std::optional<QByteArray>> savedEnv_;
    QString savedCwd_;
    fs::path root() const { return fs::path(dir_.path().toStdString()) / "hub"; }
};

void TestHubCache::init() {
    QVERIFY(dir_.isValid());
    savedCwd_ = QDir::currentPath();
    for (const char* name : kCacheVariables)
        savedEnv_[name] = qEnvironmentVariableIsSet(name) ? std::optional(qgetenv(name)) : std::nullopt;
    qputenv("HF_HUB_CACHE", QByteArray::fromStdString(root().string()));
    fs::remove_all(root());
}

void TestHubCache::cleanup() {
    QDir::setCurrent(savedCwd_);
    for (const auto& [name, value] : savedEnv_) {
        if (value) qputenv(name.c_str(), *value);
        else qunsetenv(name.c_str());
    }
}

void TestHubCache::parsesIds_data() {
    QTest::addColumn<QString>("reference");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("repo");
    QTest::addColumn<QString>("revision");
    QTest::newRow("org/name") << "org/name" << true << "org/name" << "main";
    QTest::newRow("revision") << "google-bert/bert-base-uncased@v1.0" << true << "google-bert/bert-base-uncased" << "v1.0";
    QTest::newRow("commit") << ("org/name@" + QString::fromStdString(kCommitA)) << true << "org/name"
                            << QString::fromStdString(kCommitA);
    QTest::newRow("nested ref") << "org/name@refs/pr/1" << true << "org/name" << "refs/pr/1";
    QTest::newRow("legacy one word") << "gpt2" << true << "gpt2" << "main";
    QTest::newRow("dots and underscores") << "Org_1/name.v2_x" << true << "Org_1/name.v2_x" << "main";
    for (const char* bad : {"", "/abs/path", "./x", "../x", "~/models/x", "a/b/c", "org/name@", "org/name@../x",
                            "org/name@a//b", "org--x/name", "org/na..me", "-org/name", "org/name-", "org/.name",
                            "builtin:induction", "org/na me", "org/name@main@x/.."})
        QTest::newRow(bad) << bad << false << "" << "";
    QTest::newRow("97 characters") << QString(97, QLatin1Char('a')) << false << "" << "";
}

void TestHubCache::parsesIds() {
    QFETCH(QString, reference);
    QFETCH(bool, valid);
    const auto id = parseHubId(reference.toStdString());
    QCOMPARE(id.has_value(), valid);
    if (!valid) return;
    QFETCH(QString, repo);
    QFETCH(QString, revision);
    QCOMPARE(QString::fromStdString(id->repo), repo);
    QCOMPARE(QString::fromStdString(id->revision), revision);
    // reference() gives back what opens the same snapshot.
    QCOMPARE(parseHubId(id->reference())->revision, id->revision);
}

void TestHubCache::mapsRepoFolderNames() {
    QCOMPARE(repoFolderName("org/name"), std::string("models--org--name"));
    QCOMPARE(repoFolderName("gpt2"), std::string("models--gpt2"));
    QCOMPARE(repoFromFolderName("models--org--name").value(), std::string("org/name"));
    QCOMPARE(repoFromFolderName("models--gpt2").value(), std::string("gpt2"));
    QVERIFY(!repoFromFolderName("datasets--org--name"));
    QVERIFY(!repoFromFolderName("models--a--b--c"));
    QVERIFY(!repoFromFolderName(".locks"));
    QVERIFY(isCommitHash(kCommitA));
    QVERIFY(!isCommitHash("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));  // huggingface_hub: lowercase only
    QVERIFY(!isCommitHash("main"));
}

void TestHubCache::cacheRootFollowsTheEnvironmentInOrder() {
    qputenv("HOME", "/home/tester");
    qputenv("HF_HUB_CACHE", "/from/hf_hub_cache");
    qputenv("HUGGINGFACE_HUB_CACHE", "/from/legacy");
    qputenv("HF_HOME", "/from/hf_home");
    qputenv("XDG_CACHE_HOME", "/from/xdg");
    QCOMPARE(cacheRoot().string(), std::string("/from/hf_hub_cache"));
    qunsetenv("HF_HUB_CACHE");
    QCOMPARE(cacheRoot().string(), std::string("/from/legacy"));
    qunsetenv("HUGGINGFACE_HUB_CACHE");
    QCOMPARE(cacheRoot().string(), std::string("/from/hf_home/hub"));
    qputenv("HF_HOME", "");  // set but empty counts as unset
    QCOMPARE(cacheRoot().string(), std::string("/from/xdg/huggingface/hub"));
    qunsetenv("HF_HOME");
    qunsetenv("XDG_CACHE_HOME");
    QCOMPARE(cacheRoot().string(), std::string("/home/tester/.cache/huggingface/hub"));
    // ~ and $VAR / ${VAR} expand as Python's expanduser and expandvars do; unknown ones stay.
    qputenv("HF_HUB_CACHE", "~/hf");
    QCOMPARE(cacheRoot().string(), std::string("/home/tester/hf"));
    qputenv("ATTNSCOPE_TEST_VAR", "/var/cache");
    qputenv("HF_HUB_CACHE", "$ATTNSCOPE_TEST_VAR/hf/${ATTNSCOPE_TEST_VAR}");
    QCOMPARE(cacheRoot().string(), std::string("/var/cache/hf/var/cache"));
    qputenv("HF_HUB_CACHE", "/x/$ATTNSCOPE_NO_SUCH_VARIABLE/y");
    QCOMPARE(cacheRoot().string(), std::string("/x/$ATTNSCOPE_NO_SUCH_VARIABLE/y"));
}

void TestHubCache::resolvesRefsAndCommits() {
    const fs::path repo = repoFolder(root(), "org/name");
    addCachedText(repo, kCommitA, "config.json", "{\"a\":1}");
    addCachedText(repo, kCommitB, "config.json", "{\"b\":2}");
    writeText(repo / "refs" / "main", kCommitA);
    writeText(repo / "refs" / "v2", kCommitB + "\n");  // a trailing newline is tolerated
    writeText(repo / "refs" / "refs" / "pr" / "1", kCommitB);

    QCOMPARE(resolveSnapshot({"org/name", "main"}, root()), repo / "snapshots" / kCommitA);
    QCOMPARE(resolveSnapshot({"org/name", "v2"}, root()), repo / "snapshots" / kCommitB);
    QCOMPARE(resolveSnapshot({"org/name", "refs/pr/1"}, root()), repo / "snapshots" / kCommitB);
    QCOMPARE(resolveSnapshot({"org/name", kCommitB}, root()), repo / "snapshots" / kCommitB);  // no ref needed
    // Through the model reference: the environment's cache, the snapshot's linked files.
    QCOMPARE(resolveModelReference("org/name"), repo / "snapshots" / kCommitA);
    QCOMPARE(resolveModelReference("org/name@v2"), repo / "snapshots" / kCommitB);
    QCOMPARE(readText(resolveModelReference("org/name@v2") / "config.json"), std::string("{\"b\":2}"));
    QCOMPARE(cachedRevisions(repo), (std::vector<std::string>{"main", "refs/pr/1", "v2"}));
}

void TestHubCache::errorsSayWhatIsMissingAndHowToGetIt() {
    const std::string where = root().string();
    expectError([&] { resolveModelReference("org/missing"); },
                {"'org/missing'", "Hugging Face cache at " + where, "`attnscope-cli download org/missing`"});
    expectError([&] { Checkpoint::open("org/missing@v3"); }, {"`attnscope-cli download org/missing --revision v3`"});

    const fs::path repo = repoFolder(root(), "org/name");
    addCachedText(repo, kCommitA, "config.json", "{}");
    writeText(repo / "refs" / "main", kCommitA);
    writeText(repo / "refs" / "v2", kCommitA);
    expectError([&] { resolveModelReference("org/name@v9"); },
                {"revision 'v9'", "cached: main, v2", "`attnscope-cli download org/name --revision v9`"});
    expectError([&] { resolveModelReference("org/name@" + kCommitB); }, {"snapshot folder", kCommitB});
    writeText(repo / "refs" / "broken", "not-a-commit");
    expectError([&] { resolveModelReference("org/name@broken"); }, {"not-a-commit", "not a 40-digit commit hash", "download it again"});
    fs::remove_all(repo / "refs");
    expectError([&] { resolveModelReference("org/name"); }, {"no revisions recorded"});
}

void TestHubCache::existingPathWinsOverAnId() {
    const fs::path repo = repoFolder(root(), "org/name");
    addCachedText(repo, kCommitA, "config.json", "{}");
    writeText(repo / "refs" / "main", kCommitA);
    const fs::path work = fs::path(dir_.path().toStdString()) / "work";
    fs::create_directories(work / "org" / "name");
    QVERIFY(QDir::setCurrent(QString::fromStdString(work.string())));
    QCOMPARE(resolveModelReference("org/name"), fs::path("org/name"));  // the relative folder
    fs::remove_all(work / "org");
    QCOMPARE(resolveModelReference("org/name"), repo / "snapshots" / kCommitA);
    // Paths that are not id-shaped pass through to the folder check as before.
    QCOMPARE(resolveModelReference("/no/such/folder"), fs::path("/no/such/folder"));
    QCOMPARE(resolveModelReference("./org/name"), fs::path("./org/name"));
}

void TestHubCache::listsCachedModels() {
    const fs::path bert = fixtures::goldenDir() / "bert" / "model";
    const fs::path repo = repoFolder(root(), "org/name");
    for (const char* f : {"config.json", "model.safetensors", "vocab.txt"}) addCachedFile(repo, kCommitA, f, bert / f);
    addCachedFile(repo, kCommitB, "config.json", bert / "config.json");  // no weights: incomplete
    writeText(repo / "refs" / "main", kCommitA);
    writeText(repo / "refs" / "v1", kCommitA);
    const fs::path other = repoFolder(root(), "gpt2");
    addCachedFile(other, kCommitB, "config.json", bert / "config.json");
    addCachedFile(other, kCommitB, "model.safetensors", bert / "model.safetensors");
    writeText(other / "refs" / "dev", kCommitB);
    fs::create_directories(root() / "datasets--org--data" / "snapshots" / kCommitA);  // not a model
    fs::create_directories(root() / ".locks" / "models--org--name");

    const auto models = listCachedModels(root());
    QCOMPARE(models.size(), std::size_t(3));
    QCOMPARE(models[0].repo, std::string("gpt2"));
    QCOMPARE(models[0].reference(), "gpt2@dev");
    QVERIFY(models[0].present.complete());
    QCOMPARE(models[1].repo, std::string("org/name"));
    QCOMPARE(models[1].commit, kCommitA);  // main's snapshot first
    QCOMPARE(models[1].revisions, (std::vector<std::string>{"main", "v1"}));
    QCOMPARE(models[1].reference(), "org/name");
    QCOMPARE(models[1].snapshot, repo / "snapshots" / kCommitA);
    QVERIFY(models[1].present.complete());
    const auto expectedBytes = fs::file_size(bert / "config.json") + fs::file_size(bert / "model.safetensors") +
                               fs::file_size(bert / "vocab.txt");
    QCOMPARE(models[1].bytes, expectedBytes);  // links followed
    QCOMPARE(models[2].commit, kCommitB);
    QVERIFY(models[2].revisions.empty());
    QCOMPARE(models[2].reference(), "org/name@" + kCommitB);
    QVERIFY(models[2].present.config);
    QVERIFY(!models[2].present.weights);
    QVERIFY(listCachedModels(root() / "does-not-exist").empty());
}

void TestHubCache::completeWeightsNeedEveryShard() {
    const fs::path repo = repoFolder(root(), "org/sharded");
    addCachedText(repo, kCommitA, "config.json", "{}");
    addCachedText(repo, kCommitA, "model.safetensors.index.json",
                  R"({"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})");
    addCachedText(repo, kCommitA, "model-00001-of-00002.safetensors", "one");
    const fs::path snapshot = repo / "snapshots" / kCommitA;
    QVERIFY(!modelFilesIn(snapshot).weights);
    addCachedText(repo, kCommitA, "model-00002-of-00002.safetensors", "two");
    QVERIFY(modelFilesIn(snapshot).complete());
    // A link into a blob that was deleted does not count.
    fs::remove(blobPath(repo, sha256Of(snapshot / "model-00002-of-00002.safetensors")));
    QVERIFY(!modelFilesIn(snapshot).weights);
}

void TestHubCache::normalisesEtags() {
    QCOMPARE(blobNameFromEtag("\"abc123\"").value(), std::string("abc123"));
    QCOMPARE(blobNameFromEtag("W/\"abc123\"").value(), std::string("abc123"));
    QCOMPARE(blobNameFromEtag("abc-1.2_x").value(), std::string("abc-1.2_x"));
    for (const char* bad : {"", "\"\"", "\"../x\"", "a/b", ".hidden", "a b", "\"a\\b\""}) QVERIFY2(!blobNameFromEtag(bad), bad);
}

void TestHubCache::linksAreRelativeAndReplaced() {
    const fs::path repo = repoFolder(root(), "org/name");
    writeText(blobPath(repo, "blob1"), "one");
    writeText(blobPath(repo, "blob2"), "two");
    linkIntoSnapshot(repo, kCommitA, "config.json", "blob1");
    const fs::path link = repo / "snapshots" / kCommitA / "config.json";
    QVERIFY(fs::is_symlink(link));
    QCOMPARE(fs::read_symlink(link), fs::path("../../blobs/blob1"));
    linkIntoSnapshot(repo, kCommitA, "config.json", "blob2");  // replaced in place
    QCOMPARE(readText(link), std::string("two"));
    linkIntoSnapshot(repo, kCommitA, "sub/dir/file.json", "blob1");
    QCOMPARE(fs::read_symlink(repo / "snapshots" / kCommitA / "sub" / "dir" / "file.json"),
             fs::path("../../../../blobs/blob1"));
    QVERIFY(snapshotHasFile(repo, kCommitA, "sub/dir/file.json"));
    QCOMPARE(incompleteBlobPath(repo, "blob1"), repo / "blobs" / "blob1.incomplete");
    // No temporaries left next to the links.
    int entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(repo / "snapshots" / kCommitA)) ++entries;
    QCOMPARE(entries, 2);
}

void TestHubCache::refsAreWrittenAndCommitRevisionsAreNot() {
    const fs::path repo = repoFolder(root(), "org/name");
    recordRevision(repo, "main", kCommitA);
    QCOMPARE(readText(repo / "refs" / "main"), kCommitA);
    recordRevision(repo, "main", kCommitB);
    QCOMPARE(readText(repo / "refs" / "main"), kCommitB);
    recordRevision(repo, "refs/pr/7", kCommitA);
    QCOMPARE(readText(repo / "refs" / "refs" / "pr" / "7"), kCommitA);
    recordRevision(repo, kCommitA, kCommitA);  // a commit revision needs no ref
    QVERIFY(!fs::exists(repo / "refs" / kCommitA));
    expectError([&] { recordRevision(repo, "../escape", kCommitA); }, {"not a revision name"});
    QCOMPARE(cachedRevisions(repo), (std::vector<std::string>{"main", "refs/pr/7"}));
}

void TestHubCache::rejectsPathsOutsideTheSnapshot() {
    const fs::path repo = repoFolder(root(), "org/name");
    for (const char* bad : {"../x", "/etc/passwd", "a//b", "a/../../b", "", "./x"})
        expectError([&] { snapshotFilePath(repo, kCommitA, bad); }, {"not a file name inside a repository"});
    expectError([&] { snapshotFilePath(repo, "main", "config.json"); }, {"not a commit hash"});
}

void TestHubCache::choosesOneWeightFormat() {
    const std::vector<std::string> files = {"README.md", "config.json", "tokenizer.json", "vocab.txt",
                                            "model.safetensors", "pytorch_model.bin", "tf_model.h5",
                                            "onnx/model.onnx", "special_tokens_map.json"};
    auto choice = chooseModelFiles("org/name", files);
    QCOMPARE(choice.files, (std::vector<std::string>{"config.json", "tokenizer.json", "special_tokens_map.json",
                                                     "vocab.txt", "model.safetensors"}));
    QVERIFY(choice.weightIndex.empty());

    choice = chooseModelFiles("org/name", {"config.json", "pytorch_model.bin", "merges.txt", "vocab.json"});
    QCOMPARE(choice.files, (std::vector<std::string>{"config.json", "vocab.json", "merges.txt", "pytorch_model.bin"}));

    choice = chooseModelFiles("org/name", {"config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                                           "pytorch_model.bin.index.json", "preprocessor_config.json"});
    QCOMPARE(choice.files, (std::vector<std::string>{"config.json", "preprocessor_config.json", "model.safetensors.index.json"}));
    QCOMPARE(choice.weightIndex, std::string("model.safetensors.index.json"));

    choice = chooseModelFiles("org/name", {"config.json", "pytorch_model.bin.index.json", "pytorch_model-00001-of-00002.bin"});
    QCOMPARE(choice.weightIndex, std::string("pytorch_model.bin.index.json"));

    expectError([] { chooseModelFiles("org/name", {"model.safetensors"}); }, {"'org/name' has no config.json"});
    expectError([] { chooseModelFiles("org/name", {"config.json", "tf_model.h5", "flax_model.msgpack"}); },
                {"'org/name' has no weights AttnScope reads"});
}

void TestHubCache::readsShardNamesSafely() {
    const fs::path index = fs::path(dir_.path().toStdString()) / "index.json";
    writeText(index, R"({"metadata": {}, "weight_map": {"a": "s2.safetensors", "b": "s1.safetensors", "c": "s2.safetensors"}})");
    QCOMPARE(shardsListedIn(index), (std::vector<std::string>{"s1.safetensors", "s2.safetensors"}));
    writeText(index, R"({"weight_map": {"a": "../../etc/passwd"}})");
    expectError([&] { shardsListedIn(index); }, {"outside the folder"});
    writeText(index, R"({"weight_map": {"a": "sub/s.safetensors"}})");
    expectError([&] { shardsListedIn(index); }, {"outside the folder"});
    writeText(index, R"({"weight_map": {}})");
    expectError([&] { shardsListedIn(index); }, {"no shard files"});
    writeText(index, "not json");
    expectError([&] { shardsListedIn(index); }, {"not valid JSON"});
}

void TestHubCache::goldenModelOpensByIdWithTheSameAttention() {
    const fs::path folder = fixtures::goldenDir() / "bert" / "model";
    const fs::path repo = repoFolder(root(), "org/bert");
    for (const auto& entry : fs::directory_iterator(folder))
        addCachedFile(repo, kCommitA, entry.path().filename().string(), entry.path());
    writeText(repo / "refs" / "main", kCommitA);

    const auto cached = Checkpoint::open("org/bert");
    const auto plain = Checkpoint::open(folder);
    QCOMPARE(cached->folder(), repo / "snapshots" / kCommitA);
    const auto expected = fixtures::readJson(fixtures::goldenDir() / "bert" / "expected.json");
    const std::string text = expected["cases"][0]["text"].get<std::string>();
    QCOMPARE(cached->encode(text).ids, plain->encode(text).ids);
    ForwardInput input;
    input.ids = plain->encode(text).ids;
    const auto a = cached->forward(input);
    const auto b = plain->forward(input);
    QVERIFY(a && b);
    QCOMPARE(a->record.attention().layers, b->record.attention().layers);
    QCOMPARE(a->record.attention().queries, int(input.ids.size()));
    for (int l = 0; l < a->record.attention().layers; ++l)
        for (int h = 0; h < a->record.attention().heads; ++h)
            for (int q = 0; q < a->record.attention().queries; ++q)
                for (int k = 0; k < a->record.attention().keys; ++k)
                    QCOMPARE(a->record.attention().at(l, h, q, k), b->record.attention().at(l, h, q, k));
}

QTEST_GUILESS_MAIN(TestHubCache)
#include "test_hub_cache.moc"
