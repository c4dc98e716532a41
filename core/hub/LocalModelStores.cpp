#include "hub/LocalModelStores.h"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "Error.h"
#include "hub/UserFiles.h"

namespace fs = std::filesystem;

namespace attnscope::hub {
namespace {

constexpr const char* kOllamaRegistry = "registry.ollama.ai";
constexpr const char* kOllamaModelLayer = "application/vnd.ollama.image.model";

// NAME[:TAG] or NAMESPACE/NAME[:TAG] -> {namespace, name, tag}.
struct OllamaName {
    std::string space = "library", model, tag = "latest";
};

OllamaName parseOllamaName(const std::string& text) {
    OllamaName n;
    std::string rest = text;
    const auto colon = rest.rfind(':');
    if (colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
        n.tag = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
    }
    const auto slash = rest.find('/');
    if (slash != std::string::npos) {
        n.space = rest.substr(0, slash);
        rest = rest.substr(slash + 1);
    }
    n.model = rest;
    const auto valid = [](const std::string& s) {
        return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos && s.find('\\') == std::string::npos;
    };
    if (!valid(n.space) || !valid(n.model) || !valid(n.tag))
        throw Error("ollama:" + text + ": not an Ollama model name (NAME, NAME:TAG or NAMESPACE/NAME:TAG)");
    return n;
}

// The model layer's blob named by a manifest, or an empty path when the manifest has none.
fs::path modelBlob(const fs::path& manifest, const fs::path& root) {
    std::ifstream in(manifest);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(manifest.string() + ": not a valid Ollama manifest (" + e.what() + ")");
    }
    if (!j.is_object() || !j.contains("layers") || !j["layers"].is_array()) throw Error(manifest.string() + ": an Ollama manifest without layers");
    for (const auto& layer : j["layers"]) {
        if (!layer.is_object() || layer.value("mediaType", "") != kOllamaModelLayer) continue;
        const std::string digest = layer.value("digest", "");
        // "sha256:HEX" is stored as blobs/sha256-HEX.
        if (digest.rfind("sha256:", 0) != 0 || digest.size() != 7 + 64 ||
            digest.find_first_not_of("0123456789abcdef", 7) != std::string::npos)
            throw Error(manifest.string() + ": the model layer's digest '" + digest + "' is not a sha256 digest");
        return root / "blobs" / ("sha256-" + digest.substr(7));
    }
    return {};
}

}  // namespace

fs::path ollamaRoot() {
    const std::string set = environmentValue("OLLAMA_MODELS");
    return set.empty() ? fs::path(homeFolder() + "/.ollama/models") : fs::path(set);
}

fs::path resolveOllamaModel(const std::string& name, const fs::path& root) {
    const OllamaName n = parseOllamaName(name);
    std::error_code ec;
    if (!fs::is_directory(root / "manifests", ec))
        throw Error("ollama:" + name + ": no Ollama model store at " + root.string() + " (set OLLAMA_MODELS to the folder Ollama keeps its models in)");
    const fs::path manifest = root / "manifests" / kOllamaRegistry / n.space / n.model / n.tag;
    if (!isRegularFile(manifest)) {
        std::string have;
        for (const auto& m : ollamaModels(root)) have += (have.empty() ? "" : ", ") + m.name;
        throw Error("ollama:" + name + ": Ollama has no model " + n.model + ":" + n.tag + " in " + root.string() +
                    (have.empty() ? " (it has none; `ollama pull` one first)" : " (it has " + have + ")"));
    }
    const fs::path blob = modelBlob(manifest, root);
    if (blob.empty()) throw Error(manifest.string() + ": the manifest names no model layer (" + kOllamaModelLayer + ")");
    if (!isRegularFile(blob)) throw Error("ollama:" + name + ": the model's file " + blob.string() + " is missing (pull it again with ollama)");
    return blob;
}

std::vector<LocalGguf> ollamaModels(const fs::path& root) {
    std::vector<LocalGguf> out;
    std::error_code ec;
    const fs::path registry = root / "manifests" / kOllamaRegistry;
    if (!fs::is_directory(registry, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(registry, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it.depth() != 2 || !isRegularFile(it->path())) continue;
        const fs::path rel = it->path().lexically_relative(registry);  // NAMESPACE/NAME/TAG
        auto parts = std::vector<std::string>(rel.begin(), rel.end());
        try {
            const fs::path blob = modelBlob(it->path(), root);
            if (blob.empty() || !isRegularFile(blob)) continue;
            const std::string model = (parts[0] == "library" ? "" : parts[0] + "/") + parts[1] + ":" + parts[2];
            out.push_back({model, blob, "Ollama"});
        } catch (const Error&) {
            // A broken manifest is not listed; opening it by name says what is wrong.
        }
    }
    std::sort(out.begin(), out.end(), [](const LocalGguf& a, const LocalGguf& b) { return a.name < b.name; });
    return out;
}

std::vector<fs::path> lmStudioRoots() {
    const std::string home = homeFolder();
    return {fs::path(home + "/.lmstudio/models"), fs::path(home + "/.cache/lm-studio/models")};
}

std::vector<LocalGguf> lmStudioModels(const fs::path& root) {
    std::vector<LocalGguf> out;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it.depth() != 2 || it->path().extension() != ".gguf" || !isRegularFile(it->path())) continue;
        out.push_back({it->path().lexically_relative(root).generic_string(), it->path(), "LM Studio"});
    }
    std::sort(out.begin(), out.end(), [](const LocalGguf& a, const LocalGguf& b) { return a.name < b.name; });
    return out;
}

}  // namespace attnscope::hub
