#pragma once
// One rotary position embedding as config.json describes it: the base, the share of each head
// it rotates, and the scaling transformers applies for longer contexts (modeling_rope_utils:
// linear, dynamic NTK, YaRN, LongRoPE, Llama 3). A model has one, or one per layer type
// (Gemma 3's local and global layers).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace attnscope {

enum class RopeType { Default, Linear, Dynamic, Yarn, LongRope, Llama3 };

struct RopeSpec {
    RopeType type = RopeType::Default;
    double theta = 10000.0;
    double fraction = 1.0;            // partial_rotary_factor: the share of each head that is rotated
    int rotaryDims = 0;               // int(headDim * fraction), even
    double factor = 1.0;              // linear, dynamic, YaRN, LongRoPE, Llama 3
    int maxPositions = 0;             // config.json max_position_embeddings (dynamic NTK's reference length)
    int originalMaxPositions = 0;     // YaRN, LongRoPE, Llama 3: the pretraining length
    double lowFreqFactor = 1.0;       // Llama 3
    double highFreqFactor = 4.0;
    double attentionFactor = 1.0;     // YaRN, LongRoPE: multiplies cos and sin (resolved from its defaults)
    double betaFast = 32.0;           // YaRN's ramp between extrapolated and interpolated frequencies
    double betaSlow = 1.0;
    bool truncate = true;             // YaRN: round the ramp's ends to whole dimensions
    std::vector<double> shortFactor;  // LongRoPE: per frequency, up to originalMaxPositions
    std::vector<double> longFactor;   // and beyond it
    // Per frequency, a number it is divided by after the above: how a GGUF file stores Llama
    // 3.1's and 3.2's scaling (rope_freqs.weight, computed by llama.cpp's converter from the
    // checkpoint's llama3 parameters). Empty: none.
    std::vector<double> divisors;

    // The inverse frequencies (rotaryDims / 2 of them) for a forward pass whose last position
    // is seqLength - 1: dynamic NTK and LongRoPE depend on it, the others do not.
    std::vector<double> inverseFrequencies(int seqLength) const;
    // A short description for `info` and the status line, e.g.
    // "yarn x4 (theta 10000, trained to 4096, attention x1.13863)".
    std::string describe() const;
};

// What a rope entry's keys fall back to: the config's top-level keys and the family's defaults.
struct RopeContext {
    std::string where;                 // "config.json: rope_parameters" for error messages
    double theta = 10000.0;            // top-level rope_theta (or the family's key, or its default)
    double fraction = 1.0;             // top-level partial_rotary_factor (or the family's key)
    bool fractionFromTop = false;      // a top-level partial_rotary_factor overrides the entry's (as transformers)
    int headDim = 0;
    int maxPositions = 0;
    int topOriginalMaxPositions = 0;   // top-level original_max_position_embeddings (Phi-3); 0 when absent
    bool oldLongRopeNames = false;     // "su" and "yarn" name LongRoPE (Phi-3)
};

// Reads one rope entry (rope_parameters, rope_scaling or one layer type's entry; null: none)
// and resolves every default as transformers does. Throws attnscope::Error naming the key for
// an unknown rope_type or a missing or malformed parameter.
RopeSpec readRopeSpec(const nlohmann::json* entry, const RopeContext& context);

const char* ropeTypeName(RopeType type);

}  // namespace attnscope
