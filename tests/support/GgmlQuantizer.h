#pragma once
// ggml's reference quantizers (quantize_row_*_ref of llama.cpp's ggml-quants.c, which
// llama_model_quantize uses when it has no importance matrix), for tests only: they let a test
// rebuild, from a checkpoint it may not commit, the very quantized file llama.cpp made and ran.
// They are not a reference for anything: the test compares every tensor's bytes with the
// SHA-256 of llama.cpp's own file before it uses them. AttnScope itself never quantizes.
//
// The arithmetic follows ggml's step by step in float, in the same order, with no fused
// multiply-adds (ggml-base is built for plain x86-64), so the bytes come out equal.
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif

namespace fixtures::ggml {

inline std::uint16_t half(float v) { return Eigen::numext::bit_cast<std::uint16_t>(Eigen::half(v)); }
inline float fromHalf(std::uint16_t h) { return float(Eigen::numext::bit_cast<Eigen::half>(h)); }

template <typename T>
void put(std::string& out, std::size_t at, T v) { std::memcpy(out.data() + at, &v, sizeof v); }

// ggml's nearest_int: rounds half to even through the float's mantissa.
inline int nearestInt(float f) {
    const float v = f + 12582912.f;
    int i;
    std::memcpy(&i, &v, sizeof i);
    return (i & 0x007fffff) - 0x00400000;
}

inline void q8_0(const float* x, std::size_t n, std::string& out) {
    for (std::size_t b = 0; b < n / 32; ++b, x += 32) {
        std::string block(34, '\0');
        float amax = 0;
        for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        put(block, 0, half(d));
        for (int j = 0; j < 32; ++j) block[2 + j] = char(std::int8_t(std::roundf(x[j] * id)));
        out += block;
    }
}

inline void q4_0(const float* x, std::size_t n, std::string& out) {
    for (std::size_t b = 0; b < n / 32; ++b, x += 32) {
        std::string block(18, '\0');
        float amax = 0, max = 0;
        for (int j = 0; j < 32; ++j)
            if (amax < std::fabs(x[j])) { amax = std::fabs(x[j]); max = x[j]; }
        const float d = max / -8;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        put(block, 0, half(d));
        for (int j = 0; j < 16; ++j) {
            const auto lo = std::uint8_t(std::min(15, int(std::int8_t(x[j] * id + 8.5f))));
            const auto hi = std::uint8_t(std::min(15, int(std::int8_t(x[16 + j] * id + 8.5f))));
            block[2 + j] = char(lo | (hi << 4));
        }
        out += block;
    }
}

// make_qkx2_quants: a scale and a minimum for one sub-block, searched around max - min.
inline float scaleAndMin(int n, int nmax, const float* x, const float* w, std::uint8_t* L, float* theMin, float rmin, float rdelta, int nstep) {
    float min = x[0], max = x[0], sumW = w[0], sumX = sumW * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sumW += w[i];
        sumX += w[i] * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        *theMin = -min;
        return 0.f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float bestError = 0;
    for (int i = 0; i < n; ++i) {
        const int l = nearestInt(iscale * (x[i] - min));
        L[i] = std::uint8_t(std::max(0, std::min(nmax, l)));
        const float diff = scale * L[i] + min - x[i];
        bestError += w[i] * (diff * diff);
    }
    std::uint8_t aux[32];
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * is + nmax) / (max - min);
        float sumL = 0, sumL2 = 0, sumXL = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * (x[i] - min));
            l = std::max(0, std::min(nmax, l));
            aux[i] = std::uint8_t(l);
            sumL += w[i] * l;
            sumL2 += w[i] * l * l;
            sumXL += w[i] * l * x[i];
        }
        const float D = sumW * sumL2 - sumL * sumL;
        if (D > 0) {
            float thisScale = (sumW * sumXL - sumX * sumL) / D;
            float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
            if (thisMin > 0) {
                thisMin = 0;
                thisScale = sumXL / sumL2;
            }
            float error = 0;
            for (int i = 0; i < n; ++i) {
                const float diff = thisScale * aux[i] + thisMin - x[i];
                error += w[i] * (diff * diff);
            }
            if (error < bestError) {
                std::copy(aux, aux + n, L);
                bestError = error;
                scale = thisScale;
                min = thisMin;
            }
        }
    }
    *theMin = -min;
    return scale;
}

// Q4_K and Q5_K: eight sub-blocks of 32 with 6-bit scales and minimums (packed as in ggml's
// get_scale_min_k4), `bits` per value.
inline void qK_withMin(const float* x, std::size_t n, int bits, std::string& out) {
    const int nmax = (1 << bits) - 1;
    const std::size_t blockBytes = bits == 4 ? 144 : 176;
    for (std::size_t b = 0; b < n / 256; ++b, x += 256) {
        std::string block(blockBytes, '\0');
        auto* s = reinterpret_cast<std::uint8_t*>(block.data() + 4);
        std::uint8_t L[256];
        float mins[8], scales[8], weights[32];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; ++j) {
            float sumX2 = 0;
            for (int l = 0; l < 32; ++l) sumX2 += x[32 * j + l] * x[32 * j + l];
            const float av = std::sqrt(sumX2 / 32);
            for (int l = 0; l < 32; ++l) weights[l] = av + std::fabs(x[32 * j + l]);
            scales[j] = bits == 4 ? scaleAndMin(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], -1.f, 0.1f, 20)
                                  : scaleAndMin(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], -0.5f, 0.1f, 15);
            maxScale = std::max(maxScale, scales[j]);
            maxMin = std::max(maxMin, mins[j]);
        }
        const float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        const float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        for (int j = 0; j < 8; ++j) {
            const auto ls = std::uint8_t(std::min<int>(63, std::uint8_t(nearestInt(invScale * scales[j]))));
            const auto lm = std::uint8_t(std::min<int>(63, std::uint8_t(nearestInt(invMin * mins[j]))));
            if (j < 4) {
                s[j] = ls;
                s[j + 4] = lm;
            } else {
                s[j + 4] = std::uint8_t((ls & 0xF) | ((lm & 0xF) << 4));
                s[j - 4] |= std::uint8_t((ls >> 4) << 6);
                s[j] |= std::uint8_t((lm >> 4) << 6);
            }
        }
        const std::uint16_t d = half(maxScale / 63.f), dmin = half(maxMin / 63.f);
        put(block, 0, d);
        put(block, 2, dmin);
        for (int j = 0; j < 8; ++j) {
            const std::uint8_t sc = j < 4 ? s[j] & 63 : std::uint8_t((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4));
            const std::uint8_t m = j < 4 ? s[j + 4] & 63 : std::uint8_t((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
            const float dd = fromHalf(d) * sc;
            if (dd == 0) continue;
            const float dm = fromHalf(dmin) * m;
            for (int i = 0; i < 32; ++i) L[32 * j + i] = std::uint8_t(std::max(0, std::min(nmax, nearestInt((x[32 * j + i] + dm) / dd))));
        }
        if (bits == 4) {
            auto* q = reinterpret_cast<std::uint8_t*>(block.data() + 16);
            for (int j = 0; j < 256; j += 64, q += 32)
                for (int l = 0; l < 32; ++l) q[l] = std::uint8_t(L[j + l] | (L[j + l + 32] << 4));
        } else {
            auto* qh = reinterpret_cast<std::uint8_t*>(block.data() + 16);
            auto* ql = reinterpret_cast<std::uint8_t*>(block.data() + 48);
            std::uint8_t m1 = 1, m2 = 2;
            for (int j = 0; j < 256; j += 64, ql += 32, m1 <<= 2, m2 <<= 2)
                for (int l = 0; l < 32; ++l) {
                    int l1 = L[j + l], l2 = L[j + l + 32];
                    if (l1 > 15) { l1 -= 16; qh[l] |= m1; }
                    if (l2 > 15) { l2 -= 16; qh[l] |= m2; }
                    ql[l] = std::uint8_t(l1 | (l2 << 4));
                }
        }
        out += block;
    }
}

// make_qx_quants with rmse_type 1 and no weights: a signed scale for one sub-block of Q6_K.
inline float signedScale(int n, int nmax, const float* x, std::int8_t* L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i)
        if (std::fabs(x[i]) > amax) { amax = std::fabs(x[i]); max = x[i]; }
    if (amax < 1e-15f) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        return 0.f;
    }
    float iscale = -nmax / max;
    float sumLX = 0, sumL2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = std::max(-nmax, std::min(nmax - 1, nearestInt(iscale * x[i])));
        L[i] = std::int8_t(l + nmax);
        const float w = x[i] * x[i];
        sumLX += w * x[i] * l;
        sumL2 += w * l * l;
    }
    float scale = sumL2 != 0 ? sumLX / sumL2 : 0.0f;
    float best = scale * sumLX;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -(nmax + 0.1f * is) / max;
        sumLX = sumL2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::max(-nmax, std::min(nmax - 1, nearestInt(iscale * x[i])));
            const float w = x[i] * x[i];
            sumLX += w * x[i] * l;
            sumL2 += w * l * l;
        }
        if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
            for (int i = 0; i < n; ++i) L[i] = std::int8_t(nmax + std::max(-nmax, std::min(nmax - 1, nearestInt(iscale * x[i]))));
            scale = sumLX / sumL2;
            best = scale * sumLX;
        }
    }
    return scale;
}

inline void q6_K(const float* x, std::size_t n, std::string& out) {
    for (std::size_t b = 0; b < n / 256; ++b, x += 256) {
        std::string block(210, '\0');
        std::int8_t L[256];
        float scales[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int ib = 0; ib < 16; ++ib) {
            scales[ib] = signedScale(16, 32, x + 16 * ib, L + 16 * ib);
            if (std::fabs(scales[ib]) > maxAbsScale) { maxAbsScale = std::fabs(scales[ib]); maxScale = scales[ib]; }
        }
        if (maxAbsScale < 1e-15f) {
            out += block;  // all zero, d = +0
            continue;
        }
        const float iscale = -128.f / maxScale;
        const std::uint16_t d = half(1 / iscale);
        put(block, 208, d);
        auto* sc = reinterpret_cast<std::int8_t*>(block.data() + 192);
        for (int ib = 0; ib < 16; ++ib) sc[ib] = std::int8_t(std::min(127, nearestInt(iscale * scales[ib])));
        for (int j = 0; j < 16; ++j) {
            const float dd = fromHalf(d) * sc[j];
            if (dd == 0) continue;
            for (int i = 0; i < 16; ++i) L[16 * j + i] = std::int8_t(std::max(-32, std::min(31, nearestInt(x[16 * j + i] / dd))) + 32);
        }
        auto* ql = reinterpret_cast<std::uint8_t*>(block.data());
        auto* qh = reinterpret_cast<std::uint8_t*>(block.data() + 128);
        for (int j = 0; j < 256; j += 128, ql += 64, qh += 32)
            for (int l = 0; l < 32; ++l) {
                const auto u = [&](int k) { return std::uint8_t(L[j + l + k]); };
                ql[l] = std::uint8_t((u(0) & 0xF) | ((u(64) & 0xF) << 4));
                ql[l + 32] = std::uint8_t((u(32) & 0xF) | ((u(96) & 0xF) << 4));
                qh[l] = std::uint8_t((u(0) >> 4) | ((u(32) >> 4) << 2) | ((u(64) >> 4) << 4) | ((u(96) >> 4) << 6));
            }
        out += block;
    }
}

// The stored bytes of `values` (whole blocks of each row) as ggml type `type` (its GGUF name).
inline std::string quantize(const std::string& type, const std::vector<float>& values) {
    std::string out;
    const std::size_t n = values.size();
    if (type == "F32") out.assign(reinterpret_cast<const char*>(values.data()), n * 4);
    else if (type == "F16") for (float v : values) { const std::uint16_t h = half(v); out.append(reinterpret_cast<const char*>(&h), 2); }
    else if (type == "Q8_0") q8_0(values.data(), n, out);
    else if (type == "Q4_0") q4_0(values.data(), n, out);
    else if (type == "Q4_K") qK_withMin(values.data(), n, 4, out);
    else if (type == "Q5_K") qK_withMin(values.data(), n, 5, out);
    else if (type == "Q6_K") q6_K(values.data(), n, out);
    else throw std::runtime_error("GgmlQuantizer: no quantizer for " + type);
    return out;
}

// ggml's type ids (ggml.h), for GgufBuilder.
inline std::uint32_t typeId(const std::string& type) {
    static const std::pair<const char*, std::uint32_t> ids[] = {{"F32", 0}, {"F16", 1}, {"Q4_0", 2}, {"Q8_0", 8}, {"Q4_K", 12}, {"Q5_K", 13}, {"Q6_K", 14}};
    for (const auto& [name, id] : ids)
        if (type == name) return id;
    throw std::runtime_error("GgmlQuantizer: unknown type " + type);
}

}  // namespace fixtures::ggml

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif
