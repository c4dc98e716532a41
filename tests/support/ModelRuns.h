#pragma once
// One forward pass over a model folder, kept whole (attention, logits, every layer's residual
// stream), and the largest difference between two such results, for tests that compare two
// spellings of one model.
#include <filesystem>
#include <limits>
#include <memory>
#include <vector>

#include "GoldenFixtures.h"
#include "model/TransformerModel.h"

namespace fixtures {

struct ModelRun {
    attnscope::AttentionStack attention;    // [layers, heads, n, n]
    attnscope::RowMatrix logits;            // [n, vocab]
    attnscope::RowMatrix lastHiddenState;   // after the final norm
    std::vector<attnscope::RowMatrix> hiddenStates;  // after each block
};

inline std::unique_ptr<attnscope::TransformerModel> loadModel(const std::filesystem::path& dir) {
    return std::make_unique<attnscope::TransformerModel>(attnscope::ModelConfig::fromFile(dir / "config.json"),
                                                         std::make_unique<attnscope::CheckpointWeights>(dir));
}

inline ModelRun runModel(const attnscope::TransformerModel& model, const std::vector<int>& ids) {
    attnscope::ForwardInput in;
    in.ids = ids;
    in.keepHiddenStates = true;
    auto result = model.forward(in);
    return {result->record.attention(), result->record.logits, result->lastHiddenState, result->hiddenStates};
}

inline ModelRun runModel(const std::filesystem::path& dir, const std::vector<int>& ids) { return runModel(*loadModel(dir), ids); }

// Largest absolute difference; infinity when the shapes differ or a value is not finite.
inline double maxDiff(const attnscope::RowMatrix& a, const attnscope::RowMatrix& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return std::numeric_limits<double>::infinity();
    return maxAbsDiff(a.data(), std::size_t(a.size()), b.data(), std::size_t(b.size()));
}
inline double maxDiff(const attnscope::AttentionStack& a, const attnscope::AttentionStack& b) {
    if (a.layers != b.layers || a.heads != b.heads || a.queries != b.queries || a.keys != b.keys)
        return std::numeric_limits<double>::infinity();
    return maxAbsDiff(a.toFloat32(), b.toFloat32());
}
// The same over one layer of two stacks of one shape.
inline double layerDiff(const attnscope::AttentionStack& a, const attnscope::AttentionStack& b, int layer) {
    if (a.heads != b.heads || a.mapSize() != b.mapSize() || layer >= a.layers || layer >= b.layers)
        return std::numeric_limits<double>::infinity();
    double m = 0;
    for (int h = 0; h < a.heads; ++h)
        m = std::max(m, maxAbsDiff(a.map(layer, h), a.mapSize(), b.map(layer, h), b.mapSize()));
    return m;
}
inline double maxDiff(const std::vector<attnscope::RowMatrix>& a, const std::vector<attnscope::RowMatrix>& b) {
    if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, maxDiff(a[i], b[i]));
    return m;
}

}  // namespace fixtures
