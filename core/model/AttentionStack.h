#pragma once
#include <cstddef>
#include <vector>

namespace attnscope {

// Every layer's and head's attention probabilities of one forward pass,
// stored [layers, heads, queries, keys] (row = query, column = key).
struct AttentionStack {
    int layers = 0;
    int heads = 0;
    int queries = 0;
    int keys = 0;
    std::vector<float> data;

    void resize(int l, int h, int q, int k) {
        layers = l; heads = h; queries = q; keys = k;
        data.assign(static_cast<std::size_t>(l) * h * q * k, 0.0f);
    }
    bool empty() const { return data.empty(); }
    std::size_t mapSize() const { return static_cast<std::size_t>(queries) * keys; }
    // Row-major [queries, keys] map of one layer and head.
    float* map(int layer, int head) { return data.data() + (static_cast<std::size_t>(layer) * heads + head) * mapSize(); }
    const float* map(int layer, int head) const { return data.data() + (static_cast<std::size_t>(layer) * heads + head) * mapSize(); }
    float at(int layer, int head, int q, int k) const { return map(layer, head)[static_cast<std::size_t>(q) * keys + k]; }
};

}  // namespace attnscope
