#pragma once
// A small Hugging Face hub on 127.0.0.1 for download tests. It serves one folder as the model
// repository `org/name` (by default) at one commit, the way huggingface.co answers:
//   GET  /api/models/{repo}/revision/{rev}   {"id", "sha", "siblings": [{"rfilename", "size"}]}
//   HEAD/GET /{repo}/resolve/{rev}/{file}    small files: 200 with ETag (the git blob sha1);
//        weights (*.safetensors, *.bin): 302 to the CDN with X-Linked-Etag (their sha256),
//        X-Linked-Size and X-Repo-Commit, and an ETag that is NOT the blob name
//   GET  /cdn/{sha256}                       on a second port (another origin, like a real
//        CDN), with Range support (206, 416) and an ETag of its own
// Errors carry X-Error-Code as the hub's do (RepoNotFound, RevisionNotFound, EntryNotFound).
// Switches: require a bearer token (401 without it), cut the next CDN body off after N bytes,
// send bodies slowly; every request is logged (method, path, Authorization, Range).
//
// It runs in its own thread, because the CLI tests block in QProcess::waitForFinished while
// attnscope-cli talks to it. One response per connection (Connection: close).
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <map>
#include <memory>
#include <optional>
#include <utility>

namespace fixtures {

struct HubRequest {
    QString server;  // "hub" or "cdn"
    QByteArray method;
    QString path;    // decoded, without the query
    QByteArray authorization;
    QByteArray range;
};

class LoopbackHub {
public:
    static constexpr const char* kCommit = "0123456789abcdef0123456789abcdef01234567";

    explicit LoopbackHub(const QString& folder, const QString& repo = QStringLiteral("org/name")) : repo_(repo) {
        const QDir dir(folder);
        for (const QString& name : dir.entryList(QDir::Files, QDir::Name)) {
            QFile f(dir.filePath(name));
            f.open(QIODevice::ReadOnly);
            File file;
            file.data = f.readAll();
            file.lfs = name.endsWith(QLatin1String(".safetensors")) || name.endsWith(QLatin1String(".bin"));
            if (file.lfs) {
                file.etag = QCryptographicHash::hash(file.data, QCryptographicHash::Sha256).toHex();
            } else {
                // A git blob id, as the hub gives for files stored in git.
                file.etag = QCryptographicHash::hash("blob " + QByteArray::number(file.data.size()) + '\0' + file.data,
                                                     QCryptographicHash::Sha1)
                                .toHex();
            }
            files_[name] = file;
        }
        context_ = new QObject;
        context_->moveToThread(&thread_);
        thread_.start();
        QMetaObject::invokeMethod(context_, [this] { listen(); }, Qt::BlockingQueuedConnection);
    }

    ~LoopbackHub() {
        // The servers and their sockets die in their own thread; the bare context after it ends.
        QMetaObject::invokeMethod(context_, [this] { qDeleteAll(context_->children()); }, Qt::BlockingQueuedConnection);
        thread_.quit();
        thread_.wait();
        delete context_;
    }

    LoopbackHub(const LoopbackHub&) = delete;
    LoopbackHub& operator=(const LoopbackHub&) = delete;

    QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(hubPort_); }
    quint16 cdnPort() const { return cdnPort_; }
    QString repo() const { return repo_; }
    QByteArray blobName(const QString& file) const { return files_.at(file).etag; }
    QByteArray contents(const QString& file) const { return files_.at(file).data; }

    void requireToken(const QByteArray& token) {
        QMutexLocker lock(&mutex_);
        token_ = token;
    }
    // The next CDN body stops after this many bytes (the connection is closed).
    void cutNextDownloadAfter(qint64 bytes) {
        QMutexLocker lock(&mutex_);
        cutAfter_ = bytes;
    }
    // Bodies go out chunk bytes every interval ms (0: all at once).
    void sendSlowly(int chunk, int intervalMs) {
        QMutexLocker lock(&mutex_);
        slowChunk_ = chunk;
        slowIntervalMs_ = intervalMs;
    }
    std::vector<HubRequest> requests() const {
        QMutexLocker lock(&mutex_);
        return log_;
    }
    void clearRequests() {
        QMutexLocker lock(&mutex_);
        log_.clear();
    }
    // Requests whose path starts with prefix.
    int count(const QString& prefix) const {
        QMutexLocker lock(&mutex_);
        int n = 0;
        for (const auto& r : log_) n += r.path.startsWith(prefix);
        return n;
    }

private:
    struct File {
        QByteArray data;
        QByteArray etag;
        bool lfs = false;
    };
    struct Response {
        int status = 200;
        QByteArray reason = "OK";
        std::vector<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;
        bool headOnly = false;
    };

    void listen() {
        hub_ = new QTcpServer(context_);
        cdn_ = new QTcpServer(context_);
        hub_->listen(QHostAddress::LocalHost);
        cdn_->listen(QHostAddress::LocalHost);
        hubPort_ = hub_->serverPort();
        cdnPort_ = cdn_->serverPort();
        for (QTcpServer* server : {hub_, cdn_}) {
            const bool cdn = server == cdn_;
            QObject::connect(server, &QTcpServer::newConnection, server, [this, server, cdn] {
                while (QTcpSocket* socket = server->nextPendingConnection()) {
                    auto buffer = std::make_shared<QByteArray>();
                    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                    QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer, cdn] {
                        buffer->append(socket->readAll());
                        const qsizetype end = buffer->indexOf("\r\n\r\n");
                        if (end < 0 || socket->property("answered").toBool()) return;
                        socket->setProperty("answered", true);
                        answer(socket, buffer->left(end), cdn);
                    });
                }
            });
        }
    }

    static Response error(int status, const QByteArray& reason, const QByteArray& code = {}) {
        Response r;
        r.status = status;
        r.reason = reason;
        if (!code.isEmpty()) r.headers.push_back({"X-Error-Code", code});
        r.body = "{\"error\":\"" + reason + "\"}";
        return r;
    }

    // 200 or 206 for the file's bytes from a "Range: bytes=N-" on.
    static Response fileBody(const File& file, const QByteArray& range) {
        Response r;
        qint64 from = 0;
        if (range.startsWith("bytes=") && range.endsWith("-")) from = range.mid(6, range.size() - 7).toLongLong();
        const qint64 size = file.data.size();
        if (from > 0 && from >= size) {
            Response bad = error(416, "Range Not Satisfiable");
            bad.headers.push_back({"Content-Range", "bytes */" + QByteArray::number(size)});
            return bad;
        }
        if (from > 0) {
            r.status = 206;
            r.reason = "Partial Content";
            r.headers.push_back({"Content-Range", "bytes " + QByteArray::number(from) + "-" +
                                                      QByteArray::number(size - 1) + "/" + QByteArray::number(size)});
        }
        r.body = file.data.mid(from);
        return r;
    }

    Response route(const QByteArray& method, const QString& path, const QMap<QByteArray, QByteArray>& headers, bool cdn) {
        if (cdn) {
            if (!path.startsWith(QLatin1String("/cdn/"))) return error(404, "Not Found");
            for (const auto& [name, file] : files_) {
                if (QLatin1String("/cdn/") + QString::fromLatin1(file.etag) != path) continue;
                Response r = fileBody(file, headers.value("range"));
                r.headers.push_back({"ETag", "\"cdn-" + file.etag.left(8) + "\""});
                return r;
            }
            return error(404, "Not Found");
        }
        QByteArray token;
        {
            QMutexLocker lock(&mutex_);
            token = token_;
        }
        if (!token.isEmpty() && headers.value("authorization") != "Bearer " + token) {
            Response r = error(401, "Unauthorized", "RepoNotFound");
            if (headers.contains("authorization")) r.headers.push_back({"X-Error-Message", "Invalid credentials in Authorization header"});
            return r;
        }
        const QString api = QStringLiteral("/api/models/");
        if (path.startsWith(api)) {
            const qsizetype at = path.indexOf(QLatin1String("/revision/"));
            if (at < 0 || path.mid(api.size(), at - api.size()) != repo_) return error(404, "Not Found", "RepoNotFound");
            const QString revision = path.mid(at + 10);
            if (revision != QLatin1String("main") && revision != QLatin1String(kCommit))
                return error(404, "Not Found", "RevisionNotFound");
            QJsonArray siblings;
            for (const auto& [name, file] : files_)
                siblings.append(QJsonObject{{"rfilename", name}, {"size", static_cast<qint64>(file.data.size())}});
            Response r;
            r.headers.push_back({"Content-Type", "application/json"});
            r.body = QJsonDocument(QJsonObject{{"id", repo_}, {"sha", kCommit}, {"siblings", siblings}}).toJson();
            return r;
        }
        const QString prefix = QLatin1Char('/') + repo_ + QStringLiteral("/resolve/");
        if (!path.startsWith(prefix)) return error(404, "Not Found", "RepoNotFound");
        const QString rest = path.mid(prefix.size());
        const qsizetype slash = rest.indexOf(QLatin1Char('/'));
        const QString revision = rest.left(slash), name = rest.mid(slash + 1);
        if (revision != QLatin1String("main") && revision != QLatin1String(kCommit))
            return error(404, "Not Found", "RevisionNotFound");
        const auto found = files_.find(name);
        if (slash < 0 || found == files_.end()) return error(404, "Not Found", "EntryNotFound");
        const File& file = found->second;
        Response r;
        if (file.lfs) {
            r.status = 302;
            r.reason = "Found";
            r.headers.push_back({"Location", "http://127.0.0.1:" + QByteArray::number(cdnPort_) + "/cdn/" + file.etag});
            r.headers.push_back({"X-Linked-Etag", "\"" + file.etag + "\""});
            r.headers.push_back({"X-Linked-Size", QByteArray::number(file.data.size())});
            r.headers.push_back({"ETag", "W/\"pointer-" + file.etag.left(8) + "\""});
        } else {
            r = fileBody(file, headers.value("range"));
            r.headers.push_back({"ETag", "\"" + file.etag + "\""});
        }
        r.headers.push_back({"X-Repo-Commit", kCommit});
        return r;
    }

    void answer(QTcpSocket* socket, const QByteArray& head, bool cdn) {
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        QMap<QByteArray, QByteArray> headers;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0) headers[lines[i].left(colon).trimmed().toLower()] = lines[i].mid(colon + 1).trimmed();
        }
        const QByteArray method = requestLine.value(0);
        const QByteArray target = requestLine.value(1);
        const QString path = QUrl::fromPercentEncoding(target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?')));
        std::optional<qint64> cut;
        int chunk = 0, interval = 0;
        {
            QMutexLocker lock(&mutex_);
            log_.push_back({cdn ? QStringLiteral("cdn") : QStringLiteral("hub"), method, path, headers.value("authorization"),
                            headers.value("range")});
            if (cdn && method == "GET") cut = std::exchange(cutAfter_, std::nullopt);
            chunk = slowChunk_;
            interval = slowIntervalMs_;
        }
        Response r = route(method, path, headers, cdn);
        QByteArray out = "HTTP/1.1 " + QByteArray::number(r.status) + " " + r.reason + "\r\n";
        for (const auto& [name, value] : r.headers) out += name + ": " + value + "\r\n";
        out += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\nConnection: close\r\n\r\n";
        QByteArray body = method == "HEAD" ? QByteArray() : r.body;
        if (cut && *cut < body.size()) body.truncate(*cut);
        socket->write(out);
        if (chunk <= 0 || body.isEmpty()) {
            socket->write(body);
            socket->disconnectFromHost();
            return;
        }
        // Slowly: one chunk per tick, until the body is out or the client went away.
        auto* timer = new QTimer(socket);
        auto remaining = std::make_shared<QByteArray>(body);
        QObject::connect(timer, &QTimer::timeout, socket, [socket, timer, remaining, chunk] {
            if (socket->state() != QAbstractSocket::ConnectedState) return timer->stop();
            socket->write(remaining->left(chunk));
            remaining->remove(0, chunk);
            if (remaining->isEmpty()) {
                timer->stop();
                socket->disconnectFromHost();
            }
        });
        timer->start(interval);
    }

    QString repo_;
    std::map<QString, File> files_;  // read-only once the thread runs
    QThread thread_;
    QObject* context_ = nullptr;     // lives in thread_; owns the servers and their sockets
    QTcpServer* hub_ = nullptr;
    QTcpServer* cdn_ = nullptr;
    quint16 hubPort_ = 0;
    quint16 cdnPort_ = 0;

    mutable QMutex mutex_;
    QByteArray token_;
    std::optional<qint64> cutAfter_;
    int slowChunk_ = 0;
    int slowIntervalMs_ = 0;
    std::vector<HubRequest> log_;
};

}  // namespace fixtures
