// Models found where Ollama and LM Studio keep them: an Ollama name resolves through its
// manifest to the GGUF blob (and opens as `ollama:NAME`), LM Studio's folders are listed, and
// a missing store, model, layer or blob is a clear error.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "Error.h"
#include "hub/LocalModelStores.h"
#include "model/Checkpoint.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

const std::string kDigest = std::string(64, 'a');

void writeManifest(const fs::path& root, const std::string& space, const std::string& model, const std::string& tag, const std::string& mediaType,
                   const std::string& digest) {
    const fs::path dir = root / "manifests" / "registry.ollama.ai" / space / model;
    fs::create_directories(dir);
    std::ofstream(dir / tag) << R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","layers":[)"
                             << R"({"mediaType":"application/vnd.ollama.image.template","digest":"sha256:)" << std::string(64, 'b') << R"(","size":10},)"
                             << R"({"mediaType":")" << mediaType << R"(","digest":")" << digest << R"(","size":100}]})";
}

}  // namespace

class LocalModelStoresTest : public QObject {
    Q_OBJECT
private slots:
    void resolvesOllamaNames();
    void opensOllamaModels();
    void ollamaErrorsSayWhatIsMissing();
    void listsLmStudioModels();
};

void LocalModelStoresTest::resolvesOllamaNames() {
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    writeManifest(root, "library", "tiny", "latest", "application/vnd.ollama.image.model", "sha256:" + kDigest);
    writeManifest(root, "someone", "other", "q8", "application/vnd.ollama.image.model", "sha256:" + kDigest);
    fs::create_directories(root / "blobs");
    std::ofstream(root / "blobs" / ("sha256-" + kDigest)) << "GGUF";
    QCOMPARE(hub::resolveOllamaModel("tiny", root), root / "blobs" / ("sha256-" + kDigest));
    QCOMPARE(hub::resolveOllamaModel("tiny:latest", root), root / "blobs" / ("sha256-" + kDigest));
    QCOMPARE(hub::resolveOllamaModel("someone/other:q8", root), root / "blobs" / ("sha256-" + kDigest));
    const auto listed = hub::ollamaModels(root);
    QCOMPARE(listed.size(), std::size_t(2));
    QCOMPARE(listed[0].name, std::string("someone/other:q8"));
    QCOMPARE(listed[1].name, std::string("tiny:latest"));
    QCOMPARE(listed[1].store, std::string("Ollama"));
}

void LocalModelStoresTest::opensOllamaModels() {
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    writeManifest(root, "library", "golden-llama", "f32", "application/vnd.ollama.image.model", "sha256:" + kDigest);
    fs::create_directories(root / "blobs");
    fs::copy_file(fs::path(ATTNSCOPE_FIXTURES_DIR) / "gguf" / "llama-f32.gguf", root / "blobs" / ("sha256-" + kDigest));
    qputenv("OLLAMA_MODELS", QByteArray::fromStdString(root.string()));
    auto cp = Checkpoint::open("ollama:golden-llama:f32");
    QCOMPARE(cp->config().modelType, std::string("llama"));
    QVERIFY(cp->tokenizer());
    qunsetenv("OLLAMA_MODELS");
}

void LocalModelStoresTest::ollamaErrorsSayWhatIsMissing() {
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    auto fails = [&](const std::string& name, const QString& says) {
        try {
            hub::resolveOllamaModel(name, root);
            QFAIL(qPrintable("resolved " + QString::fromStdString(name)));
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(says), e.what());
        }
    };
    fails("tiny", "no Ollama model store at");
    writeManifest(root, "library", "tiny", "latest", "application/vnd.ollama.image.model", "sha256:" + kDigest);
    fails("tiny:7b", "Ollama has no model tiny:7b");
    fails("tiny:7b", "(it has none;");  // a manifest whose blob is missing is not a model it has
    fails("tiny", "is missing (pull it again with ollama)");
    fs::create_directories(root / "blobs");
    std::ofstream(root / "blobs" / ("sha256-" + kDigest)) << "GGUF";
    fails("tiny:7b", "(it has tiny:latest)");
    writeManifest(root, "library", "nomodel", "latest", "application/vnd.ollama.image.template", "sha256:" + kDigest);
    fails("nomodel", "names no model layer");
    writeManifest(root, "library", "bad", "latest", "application/vnd.ollama.image.model", "md5:1234");
    fails("bad", "is not a sha256 digest");
    fails("../escape", "not an Ollama model name");
}

void LocalModelStoresTest::listsLmStudioModels() {
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    fs::create_directories(root / "lmstudio-community" / "Llama-3.2-1B-GGUF");
    std::ofstream(root / "lmstudio-community" / "Llama-3.2-1B-GGUF" / "Llama-3.2-1B-Q4_K_M.gguf") << "GGUF";
    std::ofstream(root / "lmstudio-community" / "Llama-3.2-1B-GGUF" / "README.md") << "not a model";
    std::ofstream(root / "stray.gguf") << "GGUF";  // not PUBLISHER/MODEL/
    const auto listed = hub::lmStudioModels(root);
    QCOMPARE(listed.size(), std::size_t(1));
    QCOMPARE(listed[0].name, std::string("lmstudio-community/Llama-3.2-1B-GGUF/Llama-3.2-1B-Q4_K_M.gguf"));
    QCOMPARE(listed[0].store, std::string("LM Studio"));
    QVERIFY(hub::lmStudioModels(root / "absent").empty());
    QCOMPARE(hub::lmStudioRoots().size(), std::size_t(2));
}

QTEST_GUILESS_MAIN(LocalModelStoresTest)
#include "test_local_model_stores.moc"
