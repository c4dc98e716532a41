#include "HubClient.h"

#include <QNetworkReply>

namespace attnscope::hub {

namespace {

constexpr int kTransferTimeoutMs = 30000;  // no bytes for this long: the transfer is given up

QString percentEncoded(const QString& text, const QByteArray& keep = {}) {
    return QString::fromLatin1(QUrl::toPercentEncoding(text, keep));
}

}  // namespace

HubClient::HubClient(HubEnvironment environment) : environment_(std::move(environment)) {}

QUrl HubClient::revisionInfoUrl(const QString& repo, const QString& revision) const {
    // A revision such as "refs/pr/1" is one path segment here, its slashes encoded.
    return QUrl(environment_.endpointText() + QStringLiteral("/api/models/") + repo + QStringLiteral("/revision/") +
                    percentEncoded(revision) + QStringLiteral("?blobs=true"),
                QUrl::StrictMode);
}

QUrl HubClient::fileUrl(const QString& repo, const QString& revision, const QString& file) const {
    return QUrl(environment_.endpointText() + QLatin1Char('/') + repo + QStringLiteral("/resolve/") +
                    percentEncoded(revision) + QLatin1Char('/') + percentEncoded(file, "/"),
                QUrl::StrictMode);
}

bool HubClient::isEndpointOrigin(const QUrl& url) const {
    const QUrl& e = environment_.endpoint;
    return url.scheme() == e.scheme() && url.host().compare(e.host(), Qt::CaseInsensitive) == 0 &&
           url.port(url.scheme() == QLatin1String("https") ? 443 : 80) ==
               e.port(e.scheme() == QLatin1String("https") ? 443 : 80);
}

QNetworkRequest HubClient::request(const QUrl& url) const {
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setRawHeader("Accept-Encoding", "identity");
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("attnscope/" ATTNSCOPE_VERSION));
    request.setTransferTimeout(kTransferTimeoutMs);
    if (!environment_.token.isEmpty() && isEndpointOrigin(url))
        request.setRawHeader("Authorization", "Bearer " + environment_.token);
    return request;
}

QUrl HubClient::redirectTarget(const QNetworkReply* reply) {
    const int code = status(reply);
    if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) return {};
    const QByteArray location = reply->rawHeader("Location");
    if (location.isEmpty()) return {};
    return reply->url().resolved(QUrl::fromEncoded(location));
}

int HubClient::status(const QNetworkReply* reply) {
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

QString HubClient::failureMessage(const QNetworkReply* reply, const HubRequestSubject& subject) const {
    const QString endpoint = environment_.endpointText();
    const int code = status(reply);
    if (code == 0) return QStringLiteral("cannot reach %1 (%2)").arg(endpoint, reply->errorString());
    if (!isEndpointOrigin(reply->url())) {
        // A CDN's refusal says nothing about tokens or gated models.
        const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        return QStringLiteral("%1 answered HTTP %2 %3 for %4 of '%5'; try again later")
            .arg(reply->url().host())
            .arg(code)
            .arg(reason, subject.file, subject.repo);
    }
    const QString repo = QLatin1Char('\'') + subject.repo + QLatin1Char('\'');
    const QByteArray errorCode = reply->rawHeader("X-Error-Code");
    const bool haveToken = !environment_.token.isEmpty();
    if (errorCode == "GatedRepo" || code == 403) {
        return haveToken ? QStringLiteral("the token in HF_TOKEN may not read %1 (HTTP %2): it is gated or private; "
                                          "accept its conditions at %3/%4 with the token's account")
                               .arg(repo)
                               .arg(code)
                               .arg(endpoint, subject.repo)
                         : QStringLiteral("%1 is gated or private (HTTP %2): accept its conditions at %3/%4 and set "
                                          "HF_TOKEN to an access token of that account")
                               .arg(repo)
                               .arg(code)
                               .arg(endpoint, subject.repo);
    }
    if (code == 401) {
        // The hub answers 401 for private and gated models and for ones that do not exist.
        return haveToken ? QStringLiteral("%1 refused the token in HF_TOKEN for %2 (HTTP 401): check that the token "
                                          "is valid and may read this model")
                               .arg(endpoint, repo)
                         : QStringLiteral("%1 wants a login for %2 (HTTP 401): it is private or gated, or does not "
                                          "exist; set HF_TOKEN to an access token that may read it")
                               .arg(endpoint, repo);
    }
    if (code == 404) {
        if (errorCode == "RevisionNotFound")
            return QStringLiteral("%1 has no revision '%2' on %3 (HTTP 404)").arg(repo, subject.revision, endpoint);
        if (errorCode == "EntryNotFound" || (!subject.file.isEmpty() && errorCode != "RepoNotFound"))
            return QStringLiteral("%1 has no file '%2' at revision %3 on %4 (HTTP 404)")
                .arg(repo, subject.file, subject.revision, endpoint);
        return QStringLiteral("no model %1 (or no revision '%2' of it) on %3 (HTTP 404)")
            .arg(repo, subject.revision, endpoint);
    }
    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    if (code == 429) return QStringLiteral("%1 is limiting requests (HTTP 429); try again later").arg(endpoint);
    if (code >= 500)
        return QStringLiteral("%1 failed with HTTP %2 %3; try again later").arg(endpoint).arg(code).arg(reason);
    return QStringLiteral("%1 answered HTTP %2 %3 for %4").arg(endpoint).arg(code).arg(reason, reply->url().toString());
}

}  // namespace attnscope::hub
