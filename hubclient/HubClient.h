#pragma once
// The HTTP side of talking to a Hugging Face hub: the URLs of its API and files, requests
// with the right headers, redirects, and one-line messages for what went wrong.
//
// Requests ask for identity encoding (sizes and byte ranges are those of the file, not of a
// compressed stream) and never follow redirects on their own: the hub's redirect to its CDN
// carries the file's metadata (X-Linked-Etag, X-Linked-Size, X-Repo-Commit) in its own
// headers, and the token must not travel with it. HF_TOKEN is sent as
// `Authorization: Bearer …` only to the endpoint's own origin (scheme, host and port), as
// huggingface_hub drops it when it follows the hub's redirect to a CDN.
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QString>
#include <QUrl>

#include "HubEnvironment.h"

class QNetworkReply;

namespace attnscope::hub {

// What a request was for, so a failure can say it in the user's terms.
struct HubRequestSubject {
    QString repo;
    QString revision;
    QString file;  // empty for the API request
};

class HubClient {
public:
    explicit HubClient(HubEnvironment environment);

    const HubEnvironment& environment() const { return environment_; }
    QNetworkAccessManager& network() { return network_; }

    // {endpoint}/api/models/{repo}/revision/{revision}?blobs=true (blobs=true adds each
    // file's size, which the progress total needs).
    QUrl revisionInfoUrl(const QString& repo, const QString& revision) const;
    // {endpoint}/{repo}/resolve/{revision}/{file}.
    QUrl fileUrl(const QString& repo, const QString& revision, const QString& file) const;

    // A request for url with the headers every hub request carries.
    QNetworkRequest request(const QUrl& url) const;
    bool isEndpointOrigin(const QUrl& url) const;

    // Where a redirect response points (resolved against the request's URL); empty when the
    // reply is not a redirect.
    static QUrl redirectTarget(const QNetworkReply* reply);
    // The HTTP status, 0 when the server never answered.
    static int status(const QNetworkReply* reply);

    // One line for a reply that failed: an HTTP error status, or no answer at all.
    QString failureMessage(const QNetworkReply* reply, const HubRequestSubject& subject) const;

    static constexpr int kMaxRedirects = 10;

private:
    HubEnvironment environment_;
    QNetworkAccessManager network_;
};

}  // namespace attnscope::hub
