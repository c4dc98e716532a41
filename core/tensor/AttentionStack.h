#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tensor/ZeroedArray.h"

namespace attnscope {

// How a forward pass keeps its attention maps. Float32 is exact (parity with the reference);
// the compact forms let long inputs fit a laptop's memory, at display precision:
//   Float16  IEEE half: relative error below 5e-4 (absolute below 2.5e-4 on probabilities),
//   Log8     one byte per value on a log scale, 8 steps per octave from 2^-31.75 to 1 and 0
//            exactly: relative error below 4.4%, ample for colour maps, not for parity.
enum class AttentionPrecision { Float32, Float16, Log8 };

const char* precisionName(AttentionPrecision p);

// The most exact precision whose maps fit in budgetBytes (Log8 when even that does not).
AttentionPrecision precisionForBudget(std::size_t values, std::size_t budgetBytes);

// Which values of a map a stack keeps. A causal model's maps are zero above the diagonal: its
// compact stacks (float16, 8-bit log) keep only the lower triangle, half the memory of a long
// input's attention. Float32 stacks always keep the full square (views read it in place).
enum class MapLayout { Full, LowerTriangle };

// Every layer's and head's attention probabilities of one forward pass,
// stored [layers, heads, queries, keys] (row = query, column = key).
class AttentionStack {
public:
    int layers = 0;
    int heads = 0;
    int queries = 0;
    int keys = 0;

    // LowerTriangle needs square maps (q == k); storeMap then drops what lies above the
    // diagonal, which the caller guarantees is zero, and the readers give zeros there.
    void resize(int l, int h, int q, int k, AttentionPrecision precision = AttentionPrecision::Float32,
                MapLayout layout = MapLayout::Full);
    bool empty() const { return count() == 0; }
    AttentionPrecision precision() const { return precision_; }
    MapLayout layout() const { return layout_; }
    bool exact() const { return precision_ == AttentionPrecision::Float32; }
    std::size_t count() const { return static_cast<std::size_t>(layers) * heads * queries * keys; }
    std::size_t bytes() const;
    std::size_t mapSize() const { return static_cast<std::size_t>(queries) * keys; }

    // Row-major [queries, keys] map of one layer and head, in place: Float32 stacks only
    // (throws attnscope::Error otherwise).
    float* map(int layer, int head);
    const float* map(int layer, int head) const;
    // Whole stack as float32, in place: Float32 stacks only.
    float* data();
    const float* data() const;

    // Any precision: write one map from float32, read one map or one value back as float32.
    void storeMap(int layer, int head, const float* values);
    void copyMap(int layer, int head, float* out) const;
    std::vector<float> toFloat32() const;
    float at(int layer, int head, int q, int k) const;

private:
    void requireExact() const;  // for the in-place accessors: throws attnscope::Error on compact stacks
    // Values one map keeps, and where map (layer, head) starts in the storage.
    std::size_t storedMapSize() const;
    std::size_t offset(int layer, int head) const { return (static_cast<std::size_t>(layer) * heads + head) * storedMapSize(); }
    // Keys of `row` the storage keeps, contiguously: all, or those up to the diagonal.
    std::size_t storedRowLength(int row) const { return layout_ == MapLayout::LowerTriangle ? std::size_t(row) + 1 : std::size_t(keys); }
    std::size_t storedRowStart(int row) const;

    AttentionPrecision precision_ = AttentionPrecision::Float32;
    MapLayout layout_ = MapLayout::Full;
    ZeroedArray<float> f32_;
    ZeroedArray<std::uint16_t> f16_;
    ZeroedArray<std::uint8_t> log8_;
};

}  // namespace attnscope
