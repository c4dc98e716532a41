#include "tensor/QuantizedBlocks.h"

#include <cstring>

#include "tensor/DType.h"

namespace attnscope {
namespace {

float halfAt(const std::uint8_t* p) {
    std::uint16_t h;
    std::memcpy(&h, p, 2);  // blocks sit at any offset in the mapped file
    return halfToFloat(h);
}

// Q4_0: d, 16 bytes of nibbles; value j is (low nibble of byte j - 8) * d, value j + 16 the high one.
void q4_0(const std::uint8_t* b, float* y) {
    const float d = halfAt(b);
    const std::uint8_t* qs = b + 2;
    for (int j = 0; j < 16; ++j) {
        y[j] = static_cast<float>((qs[j] & 0x0F) - 8) * d;
        y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
    }
}

// Q4_1: d, m, nibbles; value = q * d + m.
void q4_1(const std::uint8_t* b, float* y) {
    const float d = halfAt(b), m = halfAt(b + 2);
    const std::uint8_t* qs = b + 4;
    for (int j = 0; j < 16; ++j) {
        y[j] = static_cast<float>(qs[j] & 0x0F) * d + m;
        y[j + 16] = static_cast<float>(qs[j] >> 4) * d + m;
    }
}

// The fifth bit of Q5_0 / Q5_1 value j (j < 16) and j + 16, from the 32-bit qh.
std::uint32_t highBitsWord(const std::uint8_t* p) {
    std::uint32_t qh;
    std::memcpy(&qh, p, 4);
    return qh;
}

// Q5_0: d, qh (32 fifth bits), nibbles; value = (5-bit q - 16) * d.
void q5_0(const std::uint8_t* b, float* y) {
    const float d = halfAt(b);
    const std::uint32_t qh = highBitsWord(b + 2);
    const std::uint8_t* qs = b + 6;
    for (int j = 0; j < 16; ++j) {
        const int low = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) << 4) & 0x10);
        const int high = (qs[j] >> 4) | static_cast<int>((qh >> (j + 12)) & 0x10);
        y[j] = static_cast<float>(low - 16) * d;
        y[j + 16] = static_cast<float>(high - 16) * d;
    }
}

// Q5_1: d, m, qh, nibbles; value = 5-bit q * d + m.
void q5_1(const std::uint8_t* b, float* y) {
    const float d = halfAt(b), m = halfAt(b + 2);
    const std::uint32_t qh = highBitsWord(b + 4);
    const std::uint8_t* qs = b + 8;
    for (int j = 0; j < 16; ++j) {
        const int low = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) << 4) & 0x10);
        const int high = (qs[j] >> 4) | static_cast<int>((qh >> (j + 12)) & 0x10);
        y[j] = static_cast<float>(low) * d + m;
        y[j + 16] = static_cast<float>(high) * d + m;
    }
}

// Q8_0: d, 32 signed bytes; value = q * d.
void q8_0(const std::uint8_t* b, float* y) {
    const float d = halfAt(b);
    for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(static_cast<std::int8_t>(b[2 + j])) * d;
}

// Q2_K: 16 bytes of 4-bit scale and 4-bit minimum per 16 values, 64 bytes of 2-bit q, d, dmin.
void q2_k(const std::uint8_t* b, float* y) {
    const std::uint8_t* scales = b;
    const std::uint8_t* q = b + 16;
    const float d = halfAt(b + 80), dmin = halfAt(b + 82);
    int is = 0;
    for (int n = 0; n < 256; n += 128) {
        int shift = 0;
        for (int j = 0; j < 4; ++j) {
            for (int half = 0; half < 2; ++half) {
                const std::uint8_t sc = scales[is++];
                const float dl = d * static_cast<float>(sc & 0x0F), ml = dmin * static_cast<float>(sc >> 4);
                const std::uint8_t* qq = q + 16 * half;
                for (int l = 0; l < 16; ++l) *y++ = dl * static_cast<float>((qq[l] >> shift) & 3) - ml;
            }
            shift += 2;
        }
        q += 32;
    }
}

// Q3_K: 32 bytes of third bits (hmask), 64 bytes of 2-bit q, 12 bytes of 6-bit scales, d.
void q3_k(const std::uint8_t* b, float* y) {
    const std::uint8_t* hm = b;
    const std::uint8_t* q = b + 32;
    const float dAll = halfAt(b + 108);
    // The sixteen 6-bit scales: low 4 bits in bytes 0-7 (two per byte), high 2 bits in 8-11.
    std::uint32_t aux[4];
    std::memcpy(aux, b + 96, 12);
    constexpr std::uint32_t kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
    const std::uint32_t tmp = aux[2];
    aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
    aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
    aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
    aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
    std::int8_t scales[16];
    std::memcpy(scales, aux, 16);
    int is = 0;
    std::uint8_t m = 1;
    for (int n = 0; n < 256; n += 128) {
        int shift = 0;
        for (int j = 0; j < 4; ++j) {
            for (int half = 0; half < 2; ++half) {
                const float dl = dAll * static_cast<float>(scales[is++] - 32);
                const int o = 16 * half;
                for (int l = 0; l < 16; ++l)
                    *y++ = dl * static_cast<float>(((q[l + o] >> shift) & 3) - ((hm[l + o] & m) ? 0 : 4));
            }
            shift += 2;
            m = static_cast<std::uint8_t>(m << 1);
        }
        q += 32;
    }
}

// The scale and minimum of sub-block j of a Q4_K / Q5_K block: 6-bit integers packed into the
// 12 scale bytes (get_scale_min_k4), times the block's d and dmin.
struct ScaleMin {
    float scale, min;
};
ScaleMin subBlockScaleMin(int j, const std::uint8_t* q, float d, float dmin) {
    int sc, m;
    if (j < 4) {
        sc = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        sc = (q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4);
        m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
    return {d * static_cast<float>(sc), dmin * static_cast<float>(m)};
}

// Q4_K: d, dmin, 12 bytes of 6-bit scales and minimums for 8 sub-blocks of 32, 128 bytes of nibbles.
void q4_k(const std::uint8_t* b, float* y) {
    const float d = halfAt(b), dmin = halfAt(b + 2);
    const std::uint8_t* scales = b + 4;
    const std::uint8_t* q = b + 16;
    for (int is = 0; is < 8; is += 2) {
        const ScaleMin low = subBlockScaleMin(is, scales, d, dmin), high = subBlockScaleMin(is + 1, scales, d, dmin);
        for (int l = 0; l < 32; ++l) *y++ = low.scale * static_cast<float>(q[l] & 0x0F) - low.min;
        for (int l = 0; l < 32; ++l) *y++ = high.scale * static_cast<float>(q[l] >> 4) - high.min;
        q += 32;
    }
}

// Q5_K: as Q4_K with a fifth bit per value in 32 bytes of qh.
void q5_k(const std::uint8_t* b, float* y) {
    const float d = halfAt(b), dmin = halfAt(b + 2);
    const std::uint8_t* scales = b + 4;
    const std::uint8_t* qh = b + 16;
    const std::uint8_t* ql = b + 48;
    std::uint8_t u1 = 1, u2 = 2;
    for (int is = 0; is < 8; is += 2) {
        const ScaleMin low = subBlockScaleMin(is, scales, d, dmin), high = subBlockScaleMin(is + 1, scales, d, dmin);
        for (int l = 0; l < 32; ++l) *y++ = low.scale * static_cast<float>((ql[l] & 0x0F) + ((qh[l] & u1) ? 16 : 0)) - low.min;
        for (int l = 0; l < 32; ++l) *y++ = high.scale * static_cast<float>((ql[l] >> 4) + ((qh[l] & u2) ? 16 : 0)) - high.min;
        ql += 32;
        u1 = static_cast<std::uint8_t>(u1 << 2);
        u2 = static_cast<std::uint8_t>(u2 << 2);
    }
}

// Q6_K: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 signed 8-bit scales, d.
void q6_k(const std::uint8_t* b, float* y) {
    const std::uint8_t* ql = b;
    const std::uint8_t* qh = b + 128;
    const std::int8_t* sc = reinterpret_cast<const std::int8_t*>(b + 192);
    const float d = halfAt(b + 208);
    for (int n = 0; n < 256; n += 128) {
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
            y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
            y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
            y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
        }
        y += 128;
        ql += 64;
        qh += 32;
        sc += 8;
    }
}

}  // namespace

void dequantizeBlocks(DType type, const std::uint8_t* src, std::size_t blocks, float* dst) {
    void (*one)(const std::uint8_t*, float*) = nullptr;
    switch (type) {
    case DType::Q4_0: one = q4_0; break;
    case DType::Q4_1: one = q4_1; break;
    case DType::Q5_0: one = q5_0; break;
    case DType::Q5_1: one = q5_1; break;
    case DType::Q8_0: one = q8_0; break;
    case DType::Q2_K: one = q2_k; break;
    case DType::Q3_K: one = q3_k; break;
    case DType::Q4_K: one = q4_k; break;
    case DType::Q5_K: one = q5_k; break;
    case DType::Q6_K: one = q6_k; break;
    default: return;  // not block-quantized: callers convert those element by element
    }
    const std::size_t bytes = dtypeBlockBytes(type), values = dtypeBlockElements(type);
    for (std::size_t i = 0; i < blocks; ++i) one(src + i * bytes, dst + i * values);
}

}  // namespace attnscope
