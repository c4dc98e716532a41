#pragma once
// One file of a hub repository fetched into the cache, as huggingface_hub does it:
//  1. HEAD {endpoint}/{repo}/resolve/{commit}/{file}, following only relative redirects (a
//     renamed repository); the answer, or the redirect to a CDN, names the blob (X-Linked-Etag,
//     else ETag) and its size (X-Linked-Size, else Content-Length).
//  2. A blob already in blobs/ is linked, not fetched again. Otherwise GET from where the HEAD
//     pointed, appending to blobs/<etag>.incomplete with a Range request when an earlier
//     attempt left one (a server that answers 200 instead of 206 restarts it), check the
//     size, rename it to blobs/<etag> and link snapshots/<commit>/<file> to it.
// Cancelling or a dropped connection keeps the .incomplete file for the next attempt.
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <filesystem>

#include "HubClient.h"

class QNetworkReply;

namespace attnscope::hub {

class FileDownload : public QObject {
    Q_OBJECT
public:
    // subject.revision is the commit the file is fetched at.
    FileDownload(HubClient& client, std::filesystem::path repoDir, HubRequestSubject subject, QObject* parent = nullptr);
    ~FileDownload() override;

    void start();
    // Stops at once; emits cancelled() (unless the file already finished or failed).
    void cancel();

signals:
    // Bytes of this file on disk so far (a resumed part included) and its size (-1: unknown).
    void progressed(qint64 bytes, qint64 size);
    void finished();
    void failed(const QString& message);
    void cancelled();

private:
    void sendHead(const QUrl& url);
    void onHeadFinished();
    void sendGet(const QUrl& url);
    void onGetHeaders();
    void onGetData();
    // Opens the .incomplete file once the answer is the file (200, or 206 where it resumes).
    void openPart(QNetworkReply* reply);
    void writeBody(QNetworkReply* reply);
    void onGetFinished();
    // Renames the complete .incomplete file into blobs/ and links it into the snapshot.
    void complete();
    void fail(const QString& message);
    QString tooManyRedirects() const;
    void dropReply();

    HubClient& client_;
    std::filesystem::path repoDir_;
    HubRequestSubject subject_;
    QPointer<QNetworkReply> reply_;
    QFile part_;              // blobs/<etag>.incomplete while a GET writes it
    QUrl location_;           // where the bytes come from
    QString blob_;            // the normalised ETag
    qint64 size_ = -1;        // expected size, -1 when the server did not say
    qint64 offset_ = 0;       // bytes already in the .incomplete file when the GET was sent
    qint64 onDisk_ = 0;
    int redirects_ = 0;
    bool restarted_ = false;  // a bad resume was retried from byte 0 once
    bool done_ = false;
};

}  // namespace attnscope::hub
