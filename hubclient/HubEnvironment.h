#pragma once
// What the environment says about talking to the Hugging Face hub, read the way
// huggingface_hub reads it: HF_ENDPOINT (default https://huggingface.co, trailing '/'
// dropped), HF_TOKEN (sent as a bearer token), HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE (1, ON,
// YES or TRUE in any case: no network at all) and the cache root (core/hub/HubCache.h).
// The token stored by `huggingface-cli login` is not read: only HF_TOKEN is.
#include <QByteArray>
#include <QUrl>

#include <filesystem>

namespace attnscope::hub {

struct HubEnvironment {
    QUrl endpoint;
    QByteArray token;  // empty: anonymous requests
    bool offline = false;
    std::filesystem::path cacheRoot;

    static HubEnvironment fromProcess();
    // The endpoint as text, for messages ("https://huggingface.co").
    QString endpointText() const;
};

// huggingface_hub's truth test for its boolean variables.
bool isTrueSetting(const QByteArray& value);

}  // namespace attnscope::hub
