#include "analysis/Predictions.h"

#include <algorithm>
#include <cmath>
#include <numeric>

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

std::vector<NamedPrediction> namedPredictions(const Checkpoint& checkpoint, const float* logits, int count, int k) {
    const ModelCapabilities& m = checkpoint.capabilities();
    const bool labels = m.isClassifier() || m.predictions == PredictionKind::TokenLabels;
    const auto& id2label = checkpoint.config().id2label;
    std::vector<NamedPrediction> out;
    for (const Prediction& p : topPredictions(logits, count, k)) {
        std::string name;
        if (!labels) {
            name = checkpoint.tokenNames({p.id}).front();
        } else if (p.id < static_cast<int>(m.labelNames.size())) {
            name = m.labelNames[static_cast<std::size_t>(p.id)];
        } else {
            const auto it = id2label.find(p.id);
            name = it != id2label.end() ? it->second : "class " + std::to_string(p.id);
        }
        out.push_back({p.id, std::move(name), p.probability});
    }
    return out;
}

}  // namespace attnscope
