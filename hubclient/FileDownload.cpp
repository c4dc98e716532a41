#include "FileDownload.h"

#include <QFileInfo>
#include <QNetworkReply>
#include <QRegularExpression>

#include <system_error>

#include "Error.h"
#include "hub/HubCacheWriter.h"

namespace attnscope::hub {

namespace fs = std::filesystem;

namespace {

QString pathText(const fs::path& p) { return QString::fromStdString(p.string()); }

// A size header's value, -1 when absent or not a number.
qint64 sizeHeader(const QNetworkReply* reply, const QByteArray& name) {
    bool ok = false;
    const qint64 value = reply->rawHeader(name).trimmed().toLongLong(&ok);
    return ok && value >= 0 ? value : -1;
}

// The first byte of a "Content-Range: bytes START-END/TOTAL" answer, -1 when unreadable.
qint64 rangeStart(const QNetworkReply* reply) {
    static const QRegularExpression pattern(QStringLiteral("^\\s*bytes\\s+(\\d+)-\\d+/(\\d+|\\*)\\s*$"));
    const auto match = pattern.match(QString::fromLatin1(reply->rawHeader("Content-Range")));
    return match.hasMatch() ? match.captured(1).toLongLong() : -1;
}

}  // namespace

FileDownload::FileDownload(HubClient& client, fs::path repoDir, HubRequestSubject subject, QObject* parent)
    : QObject(parent), client_(client), repoDir_(std::move(repoDir)), subject_(std::move(subject)) {}

FileDownload::~FileDownload() { dropReply(); }

void FileDownload::start() { sendHead(client_.fileUrl(subject_.repo, subject_.revision, subject_.file)); }

void FileDownload::cancel() {
    if (done_) return;
    done_ = true;
    dropReply();
    part_.close();  // what arrived stays in the .incomplete file
    emit cancelled();
}

void FileDownload::dropReply() {
    if (!reply_) return;
    QNetworkReply* reply = reply_;
    reply_ = nullptr;
    reply->disconnect(this);
    reply->abort();
    reply->deleteLater();
}

QString FileDownload::tooManyRedirects() const {
    return QStringLiteral("too many redirects for %1 of '%2'").arg(subject_.file, subject_.repo);
}

void FileDownload::fail(const QString& message) {
    if (done_) return;
    done_ = true;
    dropReply();
    part_.close();
    emit failed(message);
}

void FileDownload::sendHead(const QUrl& url) {
    reply_ = client_.network().head(client_.request(url));
    connect(reply_, &QNetworkReply::finished, this, &FileDownload::onHeadFinished);
}

void FileDownload::onHeadFinished() {
    QNetworkReply* reply = reply_;
    reply_ = nullptr;
    reply->deleteLater();
    if (done_) return;
    const int status = HubClient::status(reply);
    const QUrl target = HubClient::redirectTarget(reply);
    if (target.isValid()) {
        // A relative redirect stays on the hub (a renamed repository): ask again there. An
        // absolute one points at the CDN, and this answer carries the file's metadata.
        if (QUrl::fromEncoded(reply->rawHeader("Location")).isRelative()) {
            if (++redirects_ > HubClient::kMaxRedirects) return fail(tooManyRedirects());
            return sendHead(target);
        }
        location_ = target;
    } else if (status >= 200 && status < 300) {
        location_ = reply->url();
    } else {
        return fail(client_.failureMessage(reply, subject_));
    }
    QByteArray etag = reply->rawHeader("X-Linked-Etag");
    if (etag.isEmpty()) etag = reply->rawHeader("ETag");
    const auto blob = blobNameFromEtag(etag.trimmed().toStdString());
    if (!blob)
        return fail(QStringLiteral("%1 gave no usable ETag for %2 of '%3', so it cannot be cached")
                        .arg(client_.environment().endpointText(), subject_.file, subject_.repo));
    blob_ = QString::fromStdString(*blob);
    size_ = sizeHeader(reply, "X-Linked-Size");
    if (size_ < 0) size_ = sizeHeader(reply, "Content-Length");
    redirects_ = 0;
    try {
        std::error_code ec;
        if (fs::is_regular_file(blobPath(repoDir_, *blob), ec)) {
            // Another revision already brought these bytes.
            linkIntoSnapshot(repoDir_, subject_.revision.toStdString(), subject_.file.toStdString(), *blob);
            done_ = true;
            emit progressed(size_ < 0 ? 0 : size_, size_);
            emit finished();
            return;
        }
        fs::create_directories(repoDir_ / "blobs", ec);
        if (ec)
            return fail(QStringLiteral("cannot create %1: %2")
                            .arg(pathText(repoDir_ / "blobs"), QString::fromStdString(ec.message())));
    } catch (const Error& e) {
        return fail(QString::fromStdString(e.what()));
    }
    part_.setFileName(pathText(incompleteBlobPath(repoDir_, *blob)));
    if (size_ >= 0 && part_.exists() && part_.size() == size_) return complete();  // stopped just before the rename
    sendGet(location_);
}

void FileDownload::sendGet(const QUrl& url) {
    offset_ = part_.exists() ? part_.size() : 0;
    if (size_ >= 0 && offset_ > size_) {
        part_.remove();  // longer than the file: not a prefix of it
        offset_ = 0;
    }
    QNetworkRequest request = client_.request(url);
    if (offset_ > 0) request.setRawHeader("Range", "bytes=" + QByteArray::number(offset_) + "-");
    reply_ = client_.network().get(request);
    connect(reply_, &QNetworkReply::metaDataChanged, this, &FileDownload::onGetHeaders);
    connect(reply_, &QNetworkReply::readyRead, this, &FileDownload::onGetData);
    connect(reply_, &QNetworkReply::finished, this, &FileDownload::onGetFinished);
}

void FileDownload::onGetHeaders() {
    if (!done_ && reply_) openPart(reply_);
}

void FileDownload::openPart(QNetworkReply* reply) {
    if (part_.isOpen()) return;
    const int status = HubClient::status(reply);
    QIODevice::OpenMode mode;
    if (status == 206 && offset_ > 0 && rangeStart(reply) == offset_) {
        mode = QIODevice::WriteOnly | QIODevice::Append;
    } else if (status == 200 || (status == 206 && offset_ == 0 && rangeStart(reply) == 0)) {
        mode = QIODevice::WriteOnly | QIODevice::Truncate;  // the whole file: start over
        offset_ = 0;
    } else {
        return;  // a redirect or an error: its body is not the file (see onGetFinished)
    }
    if (!part_.open(mode))
        return fail(QStringLiteral("cannot write %1: %2").arg(part_.fileName(), part_.errorString()));
    onDisk_ = offset_;
    emit progressed(onDisk_, size_);
}

void FileDownload::onGetData() {
    if (!done_ && reply_) writeBody(reply_);
}

void FileDownload::writeBody(QNetworkReply* reply) {
    openPart(reply);  // in case the data came before the headers' signal
    if (done_) return;
    if (!part_.isOpen()) {
        reply->readAll();  // the body of a redirect or an error page
        return;
    }
    const QByteArray data = reply->readAll();
    if (part_.write(data) != data.size())
        return fail(QStringLiteral("cannot write %1: %2").arg(part_.fileName(), part_.errorString()));
    onDisk_ += data.size();
    emit progressed(onDisk_, size_);
}

void FileDownload::onGetFinished() {
    QNetworkReply* reply = reply_;
    reply_ = nullptr;
    reply->deleteLater();
    if (done_) return;
    const QUrl target = HubClient::redirectTarget(reply);
    if (!target.isValid()) openPart(reply);  // an empty file may finish without a readyRead
    if (done_) return;
    if (target.isValid() && !part_.isOpen()) {
        if (++redirects_ > HubClient::kMaxRedirects) return fail(tooManyRedirects());
        return sendGet(target);
    }
    const int status = HubClient::status(reply);
    if (!part_.isOpen()) {
        if (status == 416 && offset_ > 0 && !restarted_) {
            // The server will not continue this part: fetch the whole file again.
            restarted_ = true;
            part_.remove();
            return sendGet(location_);
        }
        if (status == 206 && !restarted_) {
            restarted_ = true;  // a range we did not ask for
            part_.remove();
            return sendGet(location_);
        }
        return fail(client_.failureMessage(reply, subject_));
    }
    if (reply->bytesAvailable() > 0) writeBody(reply);
    if (done_) return;
    part_.close();
    const bool cutShort = size_ >= 0 && onDisk_ < size_;
    if (reply->error() != QNetworkReply::NoError || cutShort) {
        // What arrived stays in the .incomplete file for a Range request next time.
        const QString why = reply->error() != QNetworkReply::NoError ? reply->errorString()
                                                                     : QStringLiteral("the connection closed early");
        return fail(QStringLiteral("downloading %1 of '%2' stopped after %3 of %4 bytes (%5); run the download again "
                                   "to resume")
                        .arg(subject_.file, subject_.repo)
                        .arg(onDisk_)
                        .arg(size_ < 0 ? QStringLiteral("?") : QString::number(size_), why));
    }
    if (size_ >= 0 && onDisk_ > size_) {
        part_.remove();  // not a prefix of the file: start over next time
        return fail(QStringLiteral("%1 of '%2' arrived with %3 bytes instead of %4; run the download again")
                        .arg(subject_.file, subject_.repo)
                        .arg(onDisk_)
                        .arg(size_));
    }
    complete();
}

void FileDownload::complete() {
    try {
        const std::string blob = blob_.toStdString();
        std::error_code ec;
        fs::rename(incompleteBlobPath(repoDir_, blob), blobPath(repoDir_, blob), ec);
        if (ec)
            return fail(QStringLiteral("cannot move %1 into place: %2")
                            .arg(part_.fileName(), QString::fromStdString(ec.message())));
        linkIntoSnapshot(repoDir_, subject_.revision.toStdString(), subject_.file.toStdString(), blob);
    } catch (const Error& e) {
        return fail(QString::fromStdString(e.what()));
    }
    done_ = true;
    emit progressed(size_ < 0 ? onDisk_ : size_, size_);
    emit finished();
}

}  // namespace attnscope::hub
