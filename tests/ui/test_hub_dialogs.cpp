// The hub's GUI, offscreen: File ▸ Open Model… lists a fake Hugging Face cache and opens the
// chosen model by id, and lists Ollama's store and LM Studio's folders beside it (their GGUF
// files also open when dropped on the window); File ▸ Download Model… shows progress against the loopback hub while
// the window stays responsive, opens the model when done, shows errors in the dialog, and
// Cancel stops a transfer leaving a .incomplete file that the next attempt resumes.
#include <QtTest>

#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTreeWidget>

#include <fstream>

#include "CachedModelsDialog.h"
#include "DownloadDialog.h"
#include "GoldenFixtures.h"
#include "LoopbackHub.h"
#include "MainWindow.h"
#include "WindowFixtures.h"
#include "hub/HubCacheWriter.h"
#include "model/Checkpoint.h"

using attnscope::ui::CachedModelsDialog;
using attnscope::ui::DownloadDialog;
using attnscope::ui::MainWindow;
using fixtures::LoopbackHub;
namespace fs = std::filesystem;

namespace {

constexpr int kTimeoutMs = 60000;
const std::string kCommitA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kCommitB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fs::path goldenBert() { return fixtures::goldenDir() / "bert" / "model"; }

// A cached copy of a folder's files: blobs named after the files, links in the snapshot.
void cacheFolder(const fs::path& repoDir, const std::string& commit, const fs::path& folder, const QStringList& names) {
    fs::create_directories(repoDir / "blobs");
    for (const QString& name : names) {
        const std::string blob = commit.substr(0, 6) + "-" + name.toStdString();
        fs::copy_file(folder / name.toStdString(), repoDir / "blobs" / blob, fs::copy_options::overwrite_existing);
        attnscope::hub::linkIntoSnapshot(repoDir, commit, name.toStdString(), blob);
    }
}

void writeRef(const fs::path& repoDir, const std::string& name, const std::string& commit) {
    fs::create_directories(repoDir / "refs");
    std::ofstream(repoDir / "refs" / name) << commit;
}

// An Ollama store at `root` with one model, NAME:TAG, whose blob is a copy of `gguf`.
void ollamaModel(const fs::path& root, const std::string& name, const std::string& tag, const fs::path& gguf) {
    const std::string hex(64, 'c');
    const fs::path dir = root / "manifests" / "registry.ollama.ai" / "library" / name;
    fs::create_directories(dir);
    fs::create_directories(root / "blobs");
    fs::copy_file(gguf, root / "blobs" / ("sha256-" + hex));
    std::ofstream(dir / tag) << R"({"schemaVersion":2,"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:)"
                             << hex << R"(","size":1}]})";
}

template <typename T>
T* waitForChild(QObject& parent) {
    T* found = nullptr;
    const bool shown = QTest::qWaitFor([&] { return (found = parent.findChild<T*>()) != nullptr && found->isVisible(); }, 5000);
    return shown ? found : nullptr;
}

}  // namespace

class TestHubDialogs : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void cachedModelsDialogListsTheCache();
    void emptyCacheSaysSoAndOffersTheAlternatives();
    void listsOllamaAndLmStudioModelsAndOpensThem();
    void openModelListsCachedModelsAndOpensOneById();
    void downloadShowsProgressAndOpensTheModel();
    void cancelKeepsAResumableFile();
    void errorsShowInTheDialog();

private:
    fs::path cache() const { return fs::path(dir_->path().toStdString()) / "hub"; }
    std::unique_ptr<QTemporaryDir> dir_;
    QByteArray home_;
};

void TestHubDialogs::initTestCase() { QStandardPaths::setTestModeEnabled(true); }

void TestHubDialogs::init() {
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY(dir_->isValid());
    qputenv("HF_HUB_CACHE", QByteArray::fromStdString(cache().string()));
    // Empty GGUF stores, whatever this machine has: an Ollama store and a home without LM Studio.
    qputenv("OLLAMA_MODELS", QByteArray::fromStdString((fs::path(dir_->path().toStdString()) / "ollama").string()));
    home_ = qgetenv("HOME");
    qputenv("HOME", QByteArray::fromStdString((fs::path(dir_->path().toStdString()) / "home").string()));
    for (const char* name : {"HF_TOKEN", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"}) qunsetenv(name);
}

void TestHubDialogs::cleanup() {
    qunsetenv("HF_HUB_CACHE");
    qunsetenv("OLLAMA_MODELS");
    qputenv("HOME", home_);
    qunsetenv("HF_ENDPOINT");
}

void TestHubDialogs::cachedModelsDialogListsTheCache() {
    const fs::path repo = cache() / "models--org--name";
    cacheFolder(repo, kCommitA, goldenBert(), {"config.json", "model.safetensors", "vocab.txt"});
    cacheFolder(repo, kCommitB, goldenBert(), {"config.json"});  // no weights
    writeRef(repo, "main", kCommitA);
    cacheFolder(cache() / "models--gpt2", kCommitB, fixtures::goldenDir() / "gpt2" / "model", {"config.json", "model.safetensors"});
    writeRef(cache() / "models--gpt2", "v1", kCommitB);

    CachedModelsDialog dialog;
    QTreeWidget* list = dialog.list();
    QCOMPARE(list->topLevelItemCount(), 3);
    QCOMPARE(list->topLevelItem(0)->text(0), QStringLiteral("gpt2"));
    QCOMPARE(list->topLevelItem(0)->text(1), QStringLiteral("v1"));
    QCOMPARE(list->topLevelItem(1)->text(0), QStringLiteral("org/name"));
    QCOMPARE(list->topLevelItem(1)->text(1), QStringLiteral("main"));
    QCOMPARE(list->topLevelItem(1)->text(2), QString::fromStdString(kCommitA.substr(0, 10)));
    QVERIFY(!list->topLevelItem(1)->text(3).isEmpty());
    QVERIFY(!(list->topLevelItem(2)->flags() & Qt::ItemIsEnabled));  // incomplete: not openable
    QVERIFY(list->topLevelItem(2)->toolTip(0).contains(QStringLiteral("no weights")));

    QCOMPARE(dialog.selectedReference(), QStringLiteral("gpt2@v1"));  // the first openable
    list->setCurrentItem(list->topLevelItem(1));
    QCOMPARE(dialog.selectedReference(), QStringLiteral("org/name"));
    QVERIFY(dialog.openButton()->isEnabled());
    QSignalSpy chosen(&dialog, &CachedModelsDialog::modelChosen);
    dialog.openButton()->click();
    QCOMPARE(chosen.size(), 1);
    QCOMPARE(chosen.front().front().toString(), QStringLiteral("org/name"));
}

void TestHubDialogs::emptyCacheSaysSoAndOffersTheAlternatives() {
    CachedModelsDialog dialog;
    QCOMPARE(dialog.list()->topLevelItemCount(), 0);
    QVERIFY(!dialog.openButton()->isEnabled());
    QVERIFY(dialog.findChild<QLabel*>()->text().contains(QStringLiteral("No models in the Hugging Face cache")));
    QSignalSpy folder(&dialog, &CachedModelsDialog::folderRequested);
    QSignalSpy download(&dialog, &CachedModelsDialog::downloadRequested);
    dialog.folderButton()->click();
    dialog.downloadButton()->click();
    QCOMPARE(folder.size(), 1);
    QCOMPARE(download.size(), 1);
}

void TestHubDialogs::listsOllamaAndLmStudioModelsAndOpensThem() {
    const fs::path tmp = dir_->path().toStdString();
    const fs::path gguf = fs::path(ATTNSCOPE_FIXTURES_DIR) / "gguf";
    ollamaModel(tmp / "ollama", "golden-llama", "q8", gguf / "llama-q8_0.gguf");
    const fs::path lmStudio = tmp / "home" / ".lmstudio" / "models" / "someone" / "golden-gpt2-GGUF";
    fs::create_directories(lmStudio);
    fs::copy_file(gguf / "gpt2-f32.gguf", lmStudio / "gpt2-F32.gguf");

    CachedModelsDialog dialog;
    QTreeWidget* list = dialog.list();
    QCOMPARE(list->topLevelItemCount(), 2);
    QCOMPARE(list->topLevelItem(0)->text(0), QStringLiteral("golden-llama"));
    QCOMPARE(list->topLevelItem(0)->text(1), QStringLiteral("q8"));
    QCOMPARE(list->topLevelItem(0)->text(2), QStringLiteral("cccccccccc"));  // the blob's digest
    QCOMPARE(list->topLevelItem(0)->text(4), QStringLiteral("Ollama"));
    QCOMPARE(list->topLevelItem(1)->text(0), QStringLiteral("someone/golden-gpt2-GGUF"));
    QCOMPARE(list->topLevelItem(1)->text(1), QStringLiteral("gpt2-F32.gguf"));
    QCOMPARE(list->topLevelItem(1)->text(4), QStringLiteral("LM Studio"));
    QVERIFY(!list->topLevelItem(1)->text(3).isEmpty());
    QVERIFY(dialog.findChild<QLabel*>()->text().contains(QStringLiteral("Ollama")));
    QCOMPARE(dialog.selectedReference(), QStringLiteral("ollama:golden-llama:q8"));
    list->setCurrentItem(list->topLevelItem(1));
    QCOMPARE(dialog.selectedReference(), QString::fromStdString((lmStudio / "gpt2-F32.gguf").string()));

    // Chosen in the window's dialog, the Ollama model opens by its ollama: name.
    MainWindow window;
    window.show();
    window.findChild<QAction*>(QStringLiteral("openAction"))->trigger();
    auto* shown = waitForChild<CachedModelsDialog>(window);
    QVERIFY(shown);
    QVERIFY(shown->fileButton()->isEnabled());
    shown->openButton()->click();
    QVERIFY(QTest::qWaitFor([&] { return window.session().checkpoint() != nullptr; }, kTimeoutMs));
    QCOMPARE(window.session().modelFolder(), QStringLiteral("ollama:golden-llama:q8"));
    QCOMPARE(window.session().checkpoint()->config().modelType, std::string("llama"));
    QVERIFY(QTest::qWaitFor([&] { return window.recentMenu()->actions().first()->data().toString() == QStringLiteral("ollama:golden-llama:q8"); }, kTimeoutMs));

    // A GGUF file dropped on the window opens, by its first bytes (Ollama's blobs have no extension).
    QVERIFY(windowfixtures::drop(window, {QString::fromStdString((lmStudio / "gpt2-F32.gguf").string())}));
    QVERIFY(QTest::qWaitFor([&] { return window.session().checkpoint() && window.session().checkpoint()->config().modelType == "gpt2"; }, kTimeoutMs));
    QVERIFY(windowfixtures::drop(window, {QString::fromStdString((tmp / "ollama" / "blobs" / ("sha256-" + std::string(64, 'c'))).string())}));
    QVERIFY(QTest::qWaitFor([&] { return window.session().checkpoint() && window.session().checkpoint()->config().modelType == "llama"; }, kTimeoutMs));
    // Not a model: a text file is not taken.
    std::ofstream(tmp / "notes.gguf") << "not a model";
    QVERIFY(!windowfixtures::drop(window, {QString::fromStdString((tmp / "notes.gguf").string())}));
}

void TestHubDialogs::openModelListsCachedModelsAndOpensOneById() {
    const fs::path repo = cache() / "models--org--bert";
    cacheFolder(repo, kCommitA, goldenBert(), {"config.json", "model.safetensors", "tokenizer.json", "vocab.txt"});
    writeRef(repo, "main", kCommitA);
    MainWindow window;
    window.show();
    QAction* open = window.findChild<QAction*>(QStringLiteral("openAction"));
    QVERIFY(open);
    QVERIFY(window.findChild<QAction*>(QStringLiteral("openFolderAction")));  // the plain picker stays
    open->trigger();
    auto* dialog = waitForChild<CachedModelsDialog>(window);
    QVERIFY(dialog);
    QCOMPARE(dialog->selectedReference(), QStringLiteral("org/bert"));
    dialog->openButton()->click();
    QVERIFY(QTest::qWaitFor([&] { return window.session().checkpoint() != nullptr; }, kTimeoutMs));
    QCOMPARE(window.session().modelFolder(), QStringLiteral("org/bert"));
    QCOMPARE(window.session().checkpoint()->folder(), repo / "snapshots" / kCommitA);
    QVERIFY(window.windowTitle().startsWith(QStringLiteral("bert")));
    // A session keeps the id (not the snapshot path) and opens it again.
    QCOMPARE(window.currentSession().model, QStringLiteral("org/bert"));
    const QString session = dir_->filePath(QStringLiteral("hub.attnscope"));
    QVERIFY(window.saveSessionTo(session));
    QVERIFY(window.openSession(session));
    QVERIFY(QTest::qWaitFor([&] { return !window.session().isBusy(); }, kTimeoutMs));
    QCOMPARE(window.session().modelFolder(), QStringLiteral("org/bert"));
}

void TestHubDialogs::downloadShowsProgressAndOpensTheModel() {
    LoopbackHub hub(QString::fromStdString(goldenBert().string()));
    hub.sendSlowly(8192, 15);
    qputenv("HF_ENDPOINT", hub.endpoint().toUtf8());
    MainWindow window;
    window.show();
    QAction* download = window.findChild<QAction*>(QStringLiteral("downloadAction"));
    QVERIFY(download);
    download->trigger();
    auto* dialog = waitForChild<DownloadDialog>(window);
    QVERIFY(dialog);
    QSignalSpy downloaded(dialog, &DownloadDialog::modelDownloaded);
    std::vector<int> values;
    connect(dialog->progressBar(), &QProgressBar::valueChanged, this, [&](int v) { values.push_back(v); });
    // The GUI thread keeps turning while bytes arrive.
    int ticks = 0;
    QTimer heartbeat;
    connect(&heartbeat, &QTimer::timeout, this, [&] { ++ticks; });
    heartbeat.start(10);

    dialog->idField()->setText(QStringLiteral("org/name"));
    dialog->downloadButton()->click();
    QVERIFY(dialog->isDownloading());
    QVERIFY(!dialog->idField()->isEnabled());
    QVERIFY(QTest::qWaitFor([&] { return downloaded.size() == 1; }, kTimeoutMs));
    QCOMPARE(downloaded.front().front().toString(), QStringLiteral("org/name"));
    // Progress went up in steps, not straight from nothing to done.
    const int max = 1000;
    QVERIFY(std::any_of(values.begin(), values.end(), [&](int v) { return v > 0 && v < max / 2; }));
    QVERIFY(std::any_of(values.begin(), values.end(), [&](int v) { return v >= max / 2 && v < max; }));
    QVERIFY(std::is_sorted(values.begin(), values.end()));
    QVERIFY2(ticks > 10, qPrintable(QString::number(ticks)));
    QVERIFY(QTest::qWaitFor([&] { return window.session().checkpoint() != nullptr; }, kTimeoutMs));
    QCOMPARE(window.session().modelFolder(), QStringLiteral("org/name"));
    QVERIFY(QTest::qWaitFor([&] { return window.findChild<DownloadDialog*>() == nullptr; }, 5000));  // closed
}

void TestHubDialogs::cancelKeepsAResumableFile() {
    LoopbackHub hub(QString::fromStdString(goldenBert().string()));
    hub.sendSlowly(4096, 25);
    qputenv("HF_ENDPOINT", hub.endpoint().toUtf8());
    DownloadDialog dialog;
    dialog.show();
    QSignalSpy downloaded(&dialog, &DownloadDialog::modelDownloaded);
    dialog.idField()->setText(QStringLiteral("org/name"));
    dialog.downloadButton()->click();
    const fs::path partial = cache() / "models--org--name" / "blobs" / (hub.blobName("model.safetensors").toStdString() + ".incomplete");
    QVERIFY(QTest::qWaitFor([&] { return fs::exists(partial) && fs::file_size(partial) > 20000; }, kTimeoutMs));
    dialog.cancelButton()->click();
    QVERIFY(!dialog.isDownloading());
    QVERIFY(dialog.isVisible());  // Cancel stops the transfer; a second Cancel closes
    QVERIFY(dialog.statusLabel()->text().contains(QStringLiteral("Cancelled")));
    QVERIFY(dialog.downloadButton()->isEnabled());
    const auto kept = fs::file_size(partial);
    QVERIFY(kept > 0 && kept < hub.contents("model.safetensors").size());
    QTest::qWait(200);  // nothing more is written after Cancel
    QCOMPARE(fs::file_size(partial), kept);
    QCOMPARE(downloaded.size(), 0);

    hub.clearRequests();
    hub.sendSlowly(0, 0);
    dialog.downloadButton()->click();
    QVERIFY(QTest::qWaitFor([&] { return downloaded.size() == 1; }, kTimeoutMs));
    bool resumed = false;
    for (const auto& request : hub.requests())
        resumed |= request.server == QLatin1String("cdn") && request.range == "bytes=" + QByteArray::number(qint64(kept)) + "-";
    QVERIFY(resumed);
    QVERIFY(!fs::exists(partial));
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

void TestHubDialogs::errorsShowInTheDialog() {
    LoopbackHub hub(QString::fromStdString(goldenBert().string()));
    qputenv("HF_ENDPOINT", hub.endpoint().toUtf8());
    DownloadDialog dialog;
    dialog.show();
    dialog.idField()->setText(QStringLiteral("a/b/c"));
    dialog.downloadButton()->click();
    QVERIFY(dialog.statusLabel()->text().contains(QStringLiteral("not a Hugging Face model id")));
    QVERIFY(hub.requests().empty());

    dialog.idField()->setText(QStringLiteral("org/other"));
    dialog.downloadButton()->click();
    QVERIFY(QTest::qWaitFor([&] { return !dialog.isDownloading(); }, kTimeoutMs));
    QVERIFY2(dialog.statusLabel()->text().contains(QStringLiteral("no model 'org/other'")), qPrintable(dialog.statusLabel()->text()));
    QVERIFY(dialog.isVisible());
    QVERIFY(dialog.downloadButton()->isEnabled());
    QVERIFY(dialog.idField()->isEnabled());

    hub.requireToken("hf_secret");
    dialog.idField()->setText(QStringLiteral("org/name"));
    dialog.downloadButton()->click();
    QVERIFY(QTest::qWaitFor([&] { return !dialog.isDownloading(); }, kTimeoutMs));
    QVERIFY2(dialog.statusLabel()->text().contains(QStringLiteral("HF_TOKEN")), qPrintable(dialog.statusLabel()->text()));
}

QTEST_MAIN(TestHubDialogs)
#include "test_hub_dialogs.moc"
