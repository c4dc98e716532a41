#include "tensor/AttentionStack.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include <Eigen/Core>

#include "Error.h"

namespace attnscope {
namespace {

using FloatArray = Eigen::Map<Eigen::ArrayXf>;
using ConstFloatArray = Eigen::Map<const Eigen::ArrayXf>;
using HalfArray = Eigen::Array<Eigen::half, Eigen::Dynamic, 1>;

constexpr float kLogStepsPerOctave = 8.0f;

const std::array<float, 256>& log8Table() {
    static const std::array<float, 256> table = [] {
        std::array<float, 256> t{};
        for (int c = 1; c < 256; ++c) t[c] = std::exp2((c - 255) / kLogStepsPerOctave);
        return t;
    }();
    return table;
}

void encodeHalf(const float* values, std::size_t n, std::uint16_t* dst) {
    const HalfArray h = ConstFloatArray(values, static_cast<Eigen::Index>(n)).cast<Eigen::half>();
    std::memcpy(dst, h.data(), n * sizeof(std::uint16_t));
}

void decodeHalf(const std::uint16_t* src, std::size_t n, float* out) {
    HalfArray h(static_cast<Eigen::Index>(n));
    // Eigen::half is its 16 bits: copied as bytes (void*: not a class Eigen constructs).
    std::memcpy(static_cast<void*>(h.data()), src, n * sizeof(std::uint16_t));
    FloatArray(out, static_cast<Eigen::Index>(n)) = h.cast<float>();
}

// code = round(255 + 8 log2 p), clamped to 1..255; 0 stands for 0 (and for values too small
// for the lowest code).
void encodeLog8(const float* values, std::size_t n, std::uint8_t* dst) {
    const ConstFloatArray src(values, static_cast<Eigen::Index>(n));
    const Eigen::ArrayXf code = (src.max(1e-30f).log() * (kLogStepsPerOctave / std::log(2.0f)) + 255.0f).round();
    for (std::size_t i = 0; i < n; ++i) {
        const float c = code[static_cast<Eigen::Index>(i)];
        dst[i] = values[i] <= 0.0f || c < 0.5f ? 0 : static_cast<std::uint8_t>(std::min(c, 255.0f));
    }
}

void decodeLog8(const std::uint8_t* src, std::size_t n, float* out) {
    const auto& table = log8Table();
    for (std::size_t i = 0; i < n; ++i) out[i] = table[src[i]];
}

}  // namespace

const char* precisionName(AttentionPrecision p) {
    switch (p) {
    case AttentionPrecision::Float32: return "float32";
    case AttentionPrecision::Float16: return "float16";
    case AttentionPrecision::Log8: return "8-bit log";
    }
    return "?";
}

AttentionPrecision precisionForBudget(std::size_t values, std::size_t budgetBytes) {
    if (values <= budgetBytes / 4) return AttentionPrecision::Float32;
    if (values <= budgetBytes / 2) return AttentionPrecision::Float16;
    return AttentionPrecision::Log8;
}

void AttentionStack::resize(int l, int h, int q, int k, AttentionPrecision precision, MapLayout layout) {
    if (layout == MapLayout::LowerTriangle && q != k) throw Error("a lower-triangle attention stack needs square maps");
    layers = l; heads = h; queries = q; keys = k;
    precision_ = precision;
    // Float32 stacks are read in place as full squares.
    layout_ = precision == AttentionPrecision::Float32 ? MapLayout::Full : layout;
    f32_.reset(0);
    f16_.reset(0);
    log8_.reset(0);
    const std::size_t stored = static_cast<std::size_t>(layers) * heads * storedMapSize();
    switch (precision) {
    case AttentionPrecision::Float32: f32_.reset(stored); break;
    case AttentionPrecision::Float16: f16_.reset(stored); break;
    case AttentionPrecision::Log8: log8_.reset(stored); break;
    }
}

std::size_t AttentionStack::storedMapSize() const {
    if (layout_ == MapLayout::LowerTriangle) return static_cast<std::size_t>(queries) * (static_cast<std::size_t>(queries) + 1) / 2;
    return mapSize();
}

std::size_t AttentionStack::storedRowStart(int row) const {
    if (layout_ == MapLayout::LowerTriangle) return static_cast<std::size_t>(row) * (static_cast<std::size_t>(row) + 1) / 2;
    return static_cast<std::size_t>(row) * keys;
}

std::size_t AttentionStack::bytes() const {
    return f32_.size() * sizeof(float) + f16_.size() * sizeof(std::uint16_t) + log8_.size();
}

void AttentionStack::requireExact() const {
    if (!exact()) throw Error(std::string("this attention is kept at ") + precisionName(precision_) + ", not float32");
}

float* AttentionStack::map(int layer, int head) {
    requireExact();
    return f32_.data() + offset(layer, head);
}

const float* AttentionStack::map(int layer, int head) const {
    requireExact();
    return f32_.data() + offset(layer, head);
}

float* AttentionStack::data() {
    requireExact();
    return f32_.data();
}

const float* AttentionStack::data() const {
    requireExact();
    return f32_.data();
}

void AttentionStack::storeMap(int layer, int head, const float* values) {
    const std::size_t at = offset(layer, head);
    if (precision_ == AttentionPrecision::Float32) {
        std::memcpy(f32_.data() + at, values, mapSize() * sizeof(float));
        return;
    }
    // Row by row: the stored part of each row is contiguous in both.
    for (int r = 0; r < queries; ++r) {
        const float* src = values + static_cast<std::size_t>(r) * keys;
        const std::size_t count = storedRowLength(r), to = at + storedRowStart(r);
        if (precision_ == AttentionPrecision::Float16) encodeHalf(src, count, f16_.data() + to);
        else encodeLog8(src, count, log8_.data() + to);
    }
}

void AttentionStack::copyMap(int layer, int head, float* out) const {
    const std::size_t at = offset(layer, head);
    if (precision_ == AttentionPrecision::Float32) {
        std::memcpy(out, f32_.data() + at, mapSize() * sizeof(float));
        return;
    }
    for (int r = 0; r < queries; ++r) {
        float* dst = out + static_cast<std::size_t>(r) * keys;
        const std::size_t count = storedRowLength(r), from = at + storedRowStart(r);
        if (precision_ == AttentionPrecision::Float16) decodeHalf(f16_.data() + from, count, dst);
        else decodeLog8(log8_.data() + from, count, dst);
        std::fill(dst + count, dst + keys, 0.0f);  // above the diagonal of a triangle
    }
}

std::vector<float> AttentionStack::toFloat32() const {
    if (exact()) return std::vector<float>(f32_.data(), f32_.data() + f32_.size());
    std::vector<float> all(count());
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < heads; ++h) copyMap(l, h, all.data() + (static_cast<std::size_t>(l) * heads + h) * mapSize());
    return all;
}

float AttentionStack::at(int layer, int head, int q, int k) const {
    if (static_cast<std::size_t>(k) >= storedRowLength(q)) return 0.0f;
    const std::size_t i = offset(layer, head) + storedRowStart(q) + k;
    switch (precision_) {
    case AttentionPrecision::Float32: return f32_[i];
    case AttentionPrecision::Float16: {
        float value;
        decodeHalf(&f16_[i], 1, &value);
        return value;
    }
    case AttentionPrecision::Log8: return log8Table()[log8_[i]];
    }
    return 0.0f;
}

}  // namespace attnscope
