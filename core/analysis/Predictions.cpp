#include "analysis/Predictions.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "Error.h"
#include "model/Checkpoint.h"

namespace attnscope {

std::vector<Prediction> topPredictions(const float* logits, int count, int k) {
    if (count <= 0 || k <= 0) return {};
    const float maxLogit = *std::max_element(logits, logits + count);
    std::vector<double> p(count);
    double total = 0.0;
    for (int i = 0; i < count; ++i) total += (p[i] = std::exp(double(logits[i]) - maxLogit));
    std::vector<int> order(count);
    std::iota(order.begin(), order.end(), 0);
    k = std::min(k, count);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
    std::vector<Prediction> out;
    for (int i = 0; i < k; ++i) out.push_back({order[i], static_cast<float>(p[order[i]] / total)});
    return out;
}

std::string entryName(const Checkpoint& checkpoint, int id) {
    const ModelCapabilities& m = checkpoint.capabilities();
    const bool labels = m.isClassifier() || m.predictions == PredictionKind::TokenLabels;
    if (!labels) return checkpoint.tokenNames({id}).front();
    if (id < static_cast<int>(m.labelNames.size())) return m.labelNames[static_cast<std::size_t>(id)];
    const auto& id2label = checkpoint.config().id2label;
    const auto it = id2label.find(id);
    return it != id2label.end() ? it->second : "class " + std::to_string(id);
}

namespace {

std::vector<double> softmax(const float* logits, int count) {
    const float maxLogit = *std::max_element(logits, logits + count);
    std::vector<double> p(static_cast<std::size_t>(count));
    double total = 0.0;
    for (int i = 0; i < count; ++i) total += (p[static_cast<std::size_t>(i)] = std::exp(double(logits[i]) - maxLogit));
    for (double& x : p) x /= total;
    return p;
}

}  // namespace

int entryNamed(const Checkpoint& checkpoint, const std::string& name, int count) {
    const auto inRange = [&](long long id) {
        if (id < 0 || id >= count)
            throw Error("'" + name + "': the model has " + std::to_string(count) + " outputs, numbered from 0");
        return static_cast<int>(id);
    };
    if (name.size() > 1 && name[0] == '#' && name.find_first_not_of("0123456789", 1) == std::string::npos)
        return inRange(std::stoll(name.substr(1, 18)));
    const ModelCapabilities& m = checkpoint.capabilities();
    if (m.isClassifier() || m.predictions == PredictionKind::TokenLabels) {
        std::string labels;
        for (int id = 0; id < count; ++id) {
            const std::string label = entryName(checkpoint, id);
            if (label == name) return id;
            if (id < 6) labels += (id ? ", " : "") + label;
        }
        throw Error("'" + name + "' is not one of the model's labels (" + labels + (count > 6 ? ", …" : "") + "; or #N for label N)");
    }
    const Tokenizer* tokenizer = checkpoint.tokenizer();
    if (!tokenizer) throw Error("'" + name + "': without a tokenizer, name the token by its id as #N");
    if (const auto id = tokenizer->tokenToId(name)) return inRange(*id);
    const Encoding e = checkpoint.encode(name);
    std::vector<std::string> pieces;
    int id = -1;
    for (std::size_t i = 0; i < e.size(); ++i)
        if (!e.specialTokensMask[i]) pieces.push_back(e.tokens[i]), id = e.ids[i];
    if (pieces.size() == 1) return inRange(id);
    std::string spelled;
    for (const std::string& p : pieces) spelled += (spelled.empty() ? "" : " ") + p;
    throw Error("'" + name + "' is not one token of the vocabulary (it tokenizes as " + std::to_string(pieces.size()) + ": " + spelled +
                "); name one token, or #N for token N");
}

std::vector<NamedPrediction> namedPredictions(const Checkpoint& checkpoint, const float* logits, int count, int k) {
    std::vector<NamedPrediction> out;
    for (const Prediction& p : topPredictions(logits, count, k)) out.push_back({p.id, entryName(checkpoint, p.id), p.probability});
    return out;
}

std::vector<ComparedPrediction> comparedPredictions(const Checkpoint& checkpoint, const float* before, const float* after, int count, int k) {
    if (count <= 0 || k <= 0) return {};
    std::vector<int> ids;
    for (const float* logits : {before, after})
        for (const Prediction& p : topPredictions(logits, count, k))
            if (std::find(ids.begin(), ids.end(), p.id) == ids.end()) ids.push_back(p.id);
    const std::vector<double> pb = softmax(before, count), pa = softmax(after, count);
    std::vector<ComparedPrediction> out;
    for (const int id : ids)
        out.push_back({id, entryName(checkpoint, id), static_cast<float>(pb[std::size_t(id)]), static_cast<float>(pa[std::size_t(id)])});
    std::stable_sort(out.begin(), out.end(), [](const ComparedPrediction& a, const ComparedPrediction& b) {
        const float x = std::max(a.before, a.after), y = std::max(b.before, b.after);
        return x > y || (x == y && a.id < b.id);
    });
    return out;
}

}  // namespace attnscope
