#pragma once
// Downloads a model from a Hugging Face hub into the local cache, asynchronously (Qt
// Network on the thread that owns it; nothing blocks):
//  1. GET {endpoint}/api/models/{repo}/revision/{revision} names the commit ("sha") and the
//     repository's files ("siblings"); only the files the engine needs are chosen
//     (core/hub/ModelFileChoice.h), a sharded checkpoint's index first, then its shards.
//  2. Each file not already in snapshots/<commit>/ is fetched (FileDownload.h); files the
//     snapshot has are not requested at all, so a second download costs one API call.
//  3. refs/<revision> is written (atomically) once every file is in place, so an id resolves
//     only to a complete snapshot.
// With HF_HUB_OFFLINE on, nothing touches the network: the cached snapshot must already be
// complete, or the download fails saying offline mode is on.
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <deque>
#include <filesystem>
#include <map>
#include <memory>

#include "HubClient.h"
#include "HubEnvironment.h"
#include "hub/HubId.h"

class QNetworkReply;

namespace attnscope::hub {

class FileDownload;

struct ModelDownloadResult {
    HubId id;
    QString commit;
    std::filesystem::path folder;  // the snapshot folder
    QStringList files;             // relative to the folder
};

class ModelDownload : public QObject {
    Q_OBJECT
public:
    ModelDownload(HubId id, HubEnvironment environment, QObject* parent = nullptr);
    ~ModelDownload() override;

    // Starts on the next turn of the event loop; every outcome is reported by a signal.
    void start();
    // Stops at once, keeping partial files for the next attempt; emits cancelled().
    void cancel();
    bool isRunning() const { return running_; }
    const ModelDownloadResult& result() const { return result_; }

signals:
    // Bytes in the cache so far of all the chosen files and their total (0 when the server
    // did not say), and the file being fetched.
    void progress(qint64 done, qint64 total, const QString& file);
    void succeeded();
    void failed(const QString& message);
    void cancelled();
    // After any of the three above.
    void finished();

private:
    void begin();
    void finishOffline();
    void requestRevisionInfo(const QUrl& url);
    void onRevisionInfo();
    void queueWeightShards();
    void fetchNext();
    void onFileFinished();
    void complete();
    void fail(const QString& message);
    void end();
    qint64 plannedTotal() const;
    HubRequestSubject subject(const QString& file = {}) const;

    HubId id_;
    HubClient client_;
    std::filesystem::path repoDir_;
    QString commit_;
    std::map<QString, qint64> sizes_;  // every file of the repository -> size (-1: unknown)
    QString weightIndex_;              // set while its shards are still to be queued
    QStringList planned_;              // every file chosen so far, in order
    std::deque<QString> queue_;
    qint64 doneBytes_ = 0;             // of the files finished
    QPointer<QNetworkReply> reply_;
    std::unique_ptr<FileDownload> file_;
    QString currentFile_;
    int redirects_ = 0;
    bool running_ = false;
    ModelDownloadResult result_;
};

}  // namespace attnscope::hub
