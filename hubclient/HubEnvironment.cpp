#include "HubEnvironment.h"

#include <QtGlobal>

#include "hub/HubCache.h"

namespace attnscope::hub {

bool isTrueSetting(const QByteArray& value) {
    const QByteArray upper = value.trimmed().toUpper();
    return upper == "1" || upper == "ON" || upper == "YES" || upper == "TRUE";
}

HubEnvironment HubEnvironment::fromProcess() {
    HubEnvironment env;
    QString endpoint = qEnvironmentVariable("HF_ENDPOINT");
    if (endpoint.isEmpty()) endpoint = QStringLiteral("https://huggingface.co");
    while (endpoint.endsWith(QLatin1Char('/'))) endpoint.chop(1);
    env.endpoint = QUrl(endpoint);
    env.token = qgetenv("HF_TOKEN").trimmed();
    const QByteArray offline = qgetenv("HF_HUB_OFFLINE");
    env.offline = isTrueSetting(!offline.isEmpty() ? offline : qgetenv("TRANSFORMERS_OFFLINE"));
    env.cacheRoot = ::attnscope::hub::cacheRoot();  // the free function, not the member
    return env;
}

QString HubEnvironment::endpointText() const { return endpoint.toString(); }

}  // namespace attnscope::hub
