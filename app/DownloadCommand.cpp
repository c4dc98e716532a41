#include "DownloadCommand.h"

#include <QEventLoop>

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "CliCommands.h"
#include "Error.h"
#include "HubEnvironment.h"
#include "ModelDownload.h"
#include "hub/HubId.h"

namespace cli {

namespace {

std::string megabytes(qint64 bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return text;
}

attnscope::hub::HubId parseId(const std::string& modelId, const std::optional<std::string>& revision) {
    const auto id = attnscope::hub::parseHubId(modelId);
    if (!id) throw UsageError("download: '" + modelId + "' is not a Hugging Face model id (expected ORG/NAME)");
    if (!revision) return *id;
    if (modelId.find('@') != std::string::npos) throw UsageError("download: give the revision as @REV or --revision, not both");
    if (!attnscope::hub::isValidRevision(*revision)) throw UsageError("download: '" + *revision + "' is not a revision name");
    return {id->repo, *revision};
}

}  // namespace

void runDownload(const std::string& modelId, const std::optional<std::string>& revision) {
    const attnscope::hub::HubId id = parseId(modelId, revision);
    attnscope::hub::ModelDownload download(id, attnscope::hub::HubEnvironment::fromProcess());
    const bool showProgress = ::isatty(STDERR_FILENO) == 1;
    QString failure;
    QEventLoop loop;
    QObject::connect(&download, &attnscope::hub::ModelDownload::progress, &loop,
                     [&](qint64 done, qint64 total, const QString& file) {
                         if (!showProgress) return;
                         std::cerr << "\r\033[K" << file.toStdString() << "  " << megabytes(done);
                         if (total > 0) std::cerr << " of " << megabytes(total) << " (" << done * 100 / total << "%)";
                         std::cerr << std::flush;
                     });
    QObject::connect(&download, &attnscope::hub::ModelDownload::failed, &loop,
                     [&](const QString& message) { failure = message; });
    QObject::connect(&download, &attnscope::hub::ModelDownload::finished, &loop, &QEventLoop::quit);
    download.start();
    loop.exec();
    if (showProgress) std::cerr << "\r\033[K" << std::flush;
    if (!failure.isEmpty()) throw attnscope::Error(failure.toStdString());

    const auto& result = download.result();
    nlohmann::json files = nlohmann::json::array();
    for (const QString& file : result.files) files.push_back(file.toStdString());
    const nlohmann::json out = {{"id", id.repo},
                                {"revision", id.revision},
                                {"commit", result.commit.toStdString()},
                                {"folder", result.folder.string()},
                                {"files", files}};
    printJson(out);
}

}  // namespace cli
