#include "ModelDownload.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QTimer>

#include <algorithm>
#include <system_error>

#include "Error.h"
#include "FileDownload.h"
#include "hub/HubCache.h"
#include "hub/HubCacheWriter.h"
#include "hub/ModelFileChoice.h"

namespace attnscope::hub {

namespace fs = std::filesystem;

namespace {

QString text(const std::string& s) { return QString::fromStdString(s); }

// The snapshot's files, relative and sorted, links followed.
QStringList filesIn(const fs::path& folder) {
    QStringList files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code typeError;
        if (it->is_regular_file(typeError)) files << text(it->path().lexically_relative(folder).generic_string());
    }
    files.sort();
    return files;
}

}  // namespace

ModelDownload::ModelDownload(HubId id, HubEnvironment environment, QObject* parent)
    : QObject(parent), id_(std::move(id)), client_(std::move(environment)) {
    repoDir_ = repoFolder(client_.environment().cacheRoot, id_.repo);
    result_.id = id_;
}

ModelDownload::~ModelDownload() {
    if (reply_) {
        reply_->disconnect(this);
        reply_->abort();
        reply_->deleteLater();
    }
}

void ModelDownload::start() {
    if (running_) return;
    running_ = true;
    QTimer::singleShot(0, this, &ModelDownload::begin);
}

void ModelDownload::cancel() {
    if (!running_) return;
    if (reply_) {
        reply_->disconnect(this);
        reply_->abort();
        reply_->deleteLater();
    }
    if (file_) {
        file_->disconnect(this);
        file_->cancel();
        file_.release()->deleteLater();
    }
    emit cancelled();
    end();
}

void ModelDownload::end() {
    running_ = false;
    emit finished();
}

void ModelDownload::fail(const QString& message) {
    if (!running_) return;
    if (reply_) {
        reply_->disconnect(this);
        reply_->abort();
        reply_->deleteLater();
    }
    emit failed(message);
    end();
}

HubRequestSubject ModelDownload::subject(const QString& file) const {
    return {text(id_.repo), file.isEmpty() ? text(id_.revision) : commit_, file};
}

void ModelDownload::begin() {
    if (!running_) return;  // cancelled before it began
    if (client_.environment().offline) return finishOffline();
    requestRevisionInfo(client_.revisionInfoUrl(text(id_.repo), text(id_.revision)));
}

void ModelDownload::finishOffline() {
    const QString refusal = QStringLiteral("offline mode is on (HF_HUB_OFFLINE), so nothing is downloaded, and the "
                                           "Hugging Face cache at %1 ")
                                .arg(text(client_.environment().cacheRoot.string()));
    const QString unset = QStringLiteral("; unset HF_HUB_OFFLINE to download it");
    fs::path snapshot;
    try {
        snapshot = resolveSnapshot(id_, client_.environment().cacheRoot);
    } catch (const Error&) {
        return fail(refusal + QStringLiteral("has no copy of '%1'").arg(text(id_.reference())) + unset);
    }
    const ModelFilesPresent present = modelFilesIn(snapshot);
    if (!present.complete())
        return fail(refusal + QStringLiteral("has only part of '%1' (%2 lacks %3)")
                                  .arg(text(id_.reference()), text(snapshot.string()),
                                       present.config ? QStringLiteral("weights") : QStringLiteral("config.json")) +
                    unset);
    result_.commit = text(snapshot.filename().string());
    result_.folder = snapshot;
    result_.files = filesIn(snapshot);
    emit succeeded();
    end();
}

void ModelDownload::requestRevisionInfo(const QUrl& url) {
    reply_ = client_.network().get(client_.request(url));
    connect(reply_, &QNetworkReply::finished, this, &ModelDownload::onRevisionInfo);
}

void ModelDownload::onRevisionInfo() {
    QNetworkReply* reply = reply_;
    reply_ = nullptr;
    reply->deleteLater();
    if (const QUrl target = HubClient::redirectTarget(reply); target.isValid()) {
        if (++redirects_ > HubClient::kMaxRedirects)
            return fail(QStringLiteral("too many redirects from %1").arg(client_.environment().endpointText()));
        return requestRevisionInfo(target);
    }
    const int status = HubClient::status(reply);
    if (status < 200 || status >= 300 || reply->error() != QNetworkReply::NoError)
        return fail(client_.failureMessage(reply, subject()));

    QJsonParseError parseError;
    const QJsonObject info = QJsonDocument::fromJson(reply->readAll(), &parseError).object();
    const QString answer = QStringLiteral("%1 answered the revision request for '%2' with ")
                               .arg(client_.environment().endpointText(), text(id_.reference()));
    if (parseError.error != QJsonParseError::NoError) return fail(answer + QStringLiteral("something that is not JSON"));
    commit_ = info.value(QStringLiteral("sha")).toString();
    if (!isCommitHash(commit_.toStdString())) return fail(answer + QStringLiteral("no commit hash (\"sha\")"));
    std::vector<std::string> names;
    for (const QJsonValue& sibling : info.value(QStringLiteral("siblings")).toArray()) {
        const QString name = sibling.toObject().value(QStringLiteral("rfilename")).toString();
        if (name.isEmpty()) continue;
        sizes_[name] = sibling.toObject().value(QStringLiteral("size")).toInteger(-1);
        names.push_back(name.toStdString());
    }
    try {
        const ModelFileChoice choice = chooseModelFiles(id_.repo, names);
        weightIndex_ = text(choice.weightIndex);
        // The index first: its shards are the bulk of the download and of the progress total.
        if (!weightIndex_.isEmpty()) queue_.push_back(weightIndex_);
        for (const std::string& file : choice.files)
            if (text(file) != weightIndex_) queue_.push_back(text(file));
        planned_ = QStringList(queue_.begin(), queue_.end());
    } catch (const Error& e) {
        return fail(text(e.what()));
    }
    result_.commit = commit_;
    result_.folder = repoDir_ / "snapshots" / commit_.toStdString();
    fetchNext();
}

qint64 ModelDownload::plannedTotal() const {
    qint64 total = 0;
    for (const QString& file : planned_) {
        const auto found = sizes_.find(file);
        if (found == sizes_.end() || found->second < 0) return 0;
        total += found->second;
    }
    return total;
}

void ModelDownload::queueWeightShards() {
    const fs::path index = snapshotFilePath(repoDir_, commit_.toStdString(), weightIndex_.toStdString());
    for (const std::string& shard : shardsListedIn(index)) {
        if (!sizes_.count(text(shard)))
            throw Error(index.filename().string() + " of '" + id_.repo + "' lists " + shard +
                        ", which the repository does not have");
        queue_.push_back(text(shard));
        planned_ << text(shard);
    }
    weightIndex_.clear();
}

void ModelDownload::fetchNext() {
    try {
        while (!queue_.empty()) {
            const QString file = queue_.front();
            if (!snapshotHasFile(repoDir_, commit_.toStdString(), file.toStdString())) break;
            // Already in the snapshot: nothing to ask the server.
            queue_.pop_front();
            std::error_code ec;
            const auto bytes = fs::file_size(snapshotFilePath(repoDir_, commit_.toStdString(), file.toStdString()), ec);
            doneBytes_ += ec ? 0 : static_cast<qint64>(bytes);
            if (file == weightIndex_) queueWeightShards();
            emit progress(doneBytes_, plannedTotal(), file);
        }
    } catch (const Error& e) {
        return fail(text(e.what()));
    }
    if (queue_.empty()) return complete();
    currentFile_ = queue_.front();
    queue_.pop_front();
    file_ = std::make_unique<FileDownload>(client_, repoDir_, subject(currentFile_));
    connect(file_.get(), &FileDownload::progressed, this,
            [this](qint64 bytes, qint64) { emit progress(doneBytes_ + bytes, plannedTotal(), currentFile_); });
    connect(file_.get(), &FileDownload::finished, this, &ModelDownload::onFileFinished);
    connect(file_.get(), &FileDownload::failed, this, [this](const QString& message) {
        file_.release()->deleteLater();  // it is emitting this signal
        fail(message);
    });
    file_->start();
}

void ModelDownload::onFileFinished() {
    file_.release()->deleteLater();  // it is emitting this signal
    std::error_code ec;
    const auto bytes =
        fs::file_size(snapshotFilePath(repoDir_, commit_.toStdString(), currentFile_.toStdString()), ec);
    doneBytes_ += ec ? 0 : static_cast<qint64>(bytes);
    if (currentFile_ == weightIndex_) {
        try {
            queueWeightShards();
        } catch (const Error& e) {
            return fail(text(e.what()));
        }
    }
    emit progress(doneBytes_, plannedTotal(), currentFile_);
    fetchNext();
}

void ModelDownload::complete() {
    try {
        recordRevision(repoDir_, id_.revision, commit_.toStdString());
    } catch (const Error& e) {
        return fail(text(e.what()));
    }
    result_.files = planned_;
    emit succeeded();
    end();
}

}  // namespace attnscope::hub
