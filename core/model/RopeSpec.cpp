#include "model/RopeSpec.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "Error.h"

namespace attnscope {

namespace {

using nlohmann::json;

struct TypeName {
    RopeType type;
    const char* name;
};
// transformers' ROPE_INIT_FUNCTIONS keys, and "default".
constexpr TypeName kTypes[] = {{RopeType::Default, "default"}, {RopeType::Linear, "linear"},   {RopeType::Dynamic, "dynamic"},
                               {RopeType::Yarn, "yarn"},       {RopeType::LongRope, "longrope"}, {RopeType::Llama3, "llama3"}};

// Typed reads of one rope entry, naming the entry and key in every error.
class EntryReader {
public:
    EntryReader(const json* entry, std::string where) : e_(entry), where_(std::move(where)) {}

    bool has(const char* key) const { return e_ && e_->contains(key) && !(*e_)[key].is_null(); }
    double number(const char* key) const {
        if (!has(key)) fail("missing key '" + std::string(key) + "'");
        if (!(*e_)[key].is_number()) fail("key '" + std::string(key) + "' must be a number");
        const double v = (*e_)[key].get<double>();
        if (!std::isfinite(v)) fail("key '" + std::string(key) + "' must be finite");
        return v;
    }
    double numberOr(const char* key, double fallback) const { return has(key) ? number(key) : fallback; }
    double positive(const char* key) const {
        const double v = number(key);
        if (!(v > 0.0)) fail("key '" + std::string(key) + "' is " + formatNumber(v) + "; it must be positive");
        return v;
    }
    double positiveOr(const char* key, double fallback) const { return has(key) ? positive(key) : fallback; }
    std::string stringOr(const char* key, const std::string& fallback) const {
        if (!has(key)) return fallback;
        if (!(*e_)[key].is_string()) fail("key '" + std::string(key) + "' must be a string");
        return (*e_)[key].get<std::string>();
    }
    bool boolOr(const char* key, bool fallback) const {
        if (!has(key)) return fallback;
        if (!(*e_)[key].is_boolean()) fail("key '" + std::string(key) + "' must be true or false");
        return (*e_)[key].get<bool>();
    }
    std::vector<double> factors(const char* key, std::size_t count) const {
        if (!has(key) || !(*e_)[key].is_array()) fail("key '" + std::string(key) + "' must list " + std::to_string(count) + " numbers");
        std::vector<double> out;
        for (const json& v : (*e_)[key]) {
            if (!v.is_number() || !(v.get<double>() > 0.0)) fail("key '" + std::string(key) + "' must list positive numbers");
            out.push_back(v.get<double>());
        }
        if (out.size() != count)
            fail("key '" + std::string(key) + "' lists " + std::to_string(out.size()) + " factors; the rotary dimensions need " +
                 std::to_string(count));
        return out;
    }
    [[noreturn]] void fail(const std::string& what) const { throw Error(where_ + ": " + what); }

    static std::string formatNumber(double v) {
        std::ostringstream s;
        s.precision(10);  // 1000000, not 1e+06
        s << v;
        return s.str();
    }

private:
    const json* e_;
    std::string where_;
};

RopeType typeNamed(const std::string& name, const EntryReader& r) {
    for (const TypeName& t : kTypes)
        if (name == t.name) return t.type;
    r.fail("rope_type '" + name + "' is not supported (supported: default, linear, dynamic, yarn, longrope, llama3)");
}

// YaRN's dimension at which a frequency completes `rotations` turns over `positions`.
double correctionDim(double rotations, int dim, double base, int positions) {
    return (dim * std::log(positions / (rotations * 2.0 * std::numbers::pi))) / (2.0 * std::log(base));
}

// YaRN's attention temperature for a context stretched by `scale`.
double yarnScale(double scale, double mscale) { return scale <= 1.0 ? 1.0 : 0.1 * mscale * std::log(scale) + 1.0; }

void readScaling(RopeSpec& s, const EntryReader& r, const RopeContext& c) {
    // The pretraining length: Phi-3 keeps it at the top level, where it wins; else the entry's, else max_position_embeddings.
    const auto originalLength = [&] {
        if (c.topOriginalMaxPositions > 0) return c.topOriginalMaxPositions;
        const double v = r.positiveOr("original_max_position_embeddings", c.maxPositions);
        return static_cast<int>(v);
    };
    switch (s.type) {
    case RopeType::Default: break;
    case RopeType::Linear:
    case RopeType::Dynamic: s.factor = r.positive("factor"); break;
    case RopeType::Llama3:
        s.factor = r.positive("factor");
        s.lowFreqFactor = r.positive("low_freq_factor");
        s.highFreqFactor = r.positive("high_freq_factor");
        if (!(s.highFreqFactor > s.lowFreqFactor)) r.fail("high_freq_factor must be greater than low_freq_factor");
        s.originalMaxPositions = originalLength();
        break;
    case RopeType::Yarn: {
        s.originalMaxPositions = originalLength();
        s.factor = r.positiveOr("factor", static_cast<double>(c.maxPositions) / s.originalMaxPositions);
        const double mscale = r.numberOr("mscale", 0.0), mscaleAllDim = r.numberOr("mscale_all_dim", 0.0);
        s.attentionFactor = r.has("attention_factor") ? r.positive("attention_factor")
                            : mscale != 0.0 && mscaleAllDim != 0.0 ? yarnScale(s.factor, mscale) / yarnScale(s.factor, mscaleAllDim)
                                                                   : yarnScale(s.factor, 1.0);
        // transformers reads these with `or`: 0 falls back to the default too.
        s.betaFast = r.numberOr("beta_fast", 0.0) != 0.0 ? r.number("beta_fast") : 32.0;
        s.betaSlow = r.numberOr("beta_slow", 0.0) != 0.0 ? r.number("beta_slow") : 1.0;
        s.truncate = r.boolOr("truncate", true);
        break;
    }
    case RopeType::LongRope: {
        s.originalMaxPositions = originalLength();
        s.factor = r.positiveOr("factor", static_cast<double>(c.maxPositions) / s.originalMaxPositions);
        s.attentionFactor = r.has("attention_factor") ? r.positive("attention_factor")
                            : s.factor <= 1.0 ? 1.0
                                              : std::sqrt(1.0 + std::log(s.factor) / std::log(static_cast<double>(s.originalMaxPositions)));
        s.shortFactor = r.factors("short_factor", static_cast<std::size_t>(s.rotaryDims / 2));
        s.longFactor = r.factors("long_factor", static_cast<std::size_t>(s.rotaryDims / 2));
        break;
    }
    }
}

}  // namespace

const char* ropeTypeName(RopeType type) {
    for (const TypeName& t : kTypes)
        if (t.type == type) return t.name;
    return "default";
}

RopeSpec readRopeSpec(const json* entry, const RopeContext& c) {
    const EntryReader r(entry && entry->is_object() ? entry : nullptr, c.where);
    RopeSpec s;
    // transformers 4 wrote "type", 5 writes "rope_type".
    std::string type = r.stringOr("rope_type", r.stringOr("type", "default"));
    if (c.oldLongRopeNames && (type == "su" || type == "yarn")) type = "longrope";
    s.type = typeNamed(type, r);
    s.theta = r.positiveOr("rope_theta", c.theta);
    s.fraction = c.fractionFromTop ? c.fraction : r.numberOr("partial_rotary_factor", c.fraction);
    if (!(s.fraction > 0.0 && s.fraction <= 1.0))
        r.fail("partial_rotary_factor " + EntryReader::formatNumber(s.fraction) + " must be in (0, 1]");
    s.rotaryDims = static_cast<int>(c.headDim * s.fraction);
    if (s.rotaryDims % 2 != 0 || s.rotaryDims < 2)
        r.fail(std::to_string(s.rotaryDims) + " rotary dimensions per head (head_dim " + std::to_string(c.headDim) +
               " x partial_rotary_factor); expected an even number of at least 2");
    s.maxPositions = c.maxPositions;
    readScaling(s, r, c);
    return s;
}

std::vector<double> RopeSpec::inverseFrequencies(int seqLength) const {
    const int half = rotaryDims / 2;
    double base = theta;
    if (type == RopeType::Dynamic && seqLength > maxPositions && maxPositions > 0) {
        // NTK-aware: a larger base for a sequence longer than the model's length, recomputed per length.
        const double length = seqLength;
        base = theta * std::pow(factor * length / maxPositions - (factor - 1.0), static_cast<double>(rotaryDims) / (rotaryDims - 2));
    }
    std::vector<double> inv(static_cast<std::size_t>(half));
    for (int i = 0; i < half; ++i) {
        // transformers computes the exponent in float32 from an int64 arange; follow its rounding.
        const float exponent = static_cast<float>(2 * i) / static_cast<float>(rotaryDims);
        const double power = std::pow(base, static_cast<double>(exponent));
        inv[static_cast<std::size_t>(i)] = static_cast<float>(1.0 / power);
        if (type == RopeType::LongRope) {
            const std::vector<double>& ext = seqLength > originalMaxPositions ? longFactor : shortFactor;
            inv[static_cast<std::size_t>(i)] = static_cast<float>(1.0 / (static_cast<float>(ext[static_cast<std::size_t>(i)]) * power));
        }
    }
    if (type == RopeType::Linear) {
        for (double& f : inv) f = static_cast<float>(f / factor);
    } else if (type == RopeType::Llama3) {
        const double lowWavelen = originalMaxPositions / lowFreqFactor;
        const double highWavelen = originalMaxPositions / highFreqFactor;
        for (double& f : inv) {
            const double wavelen = 2.0 * std::numbers::pi / f;
            if (wavelen > lowWavelen) {
                f /= factor;
            } else if (wavelen >= highWavelen) {
                const double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                f = (1.0 - smooth) * f / factor + smooth * f;
            }
        }
    } else if (type == RopeType::Yarn) {
        // Frequencies that turn fewer than beta_slow times over the pretraining length are
        // interpolated (divided by factor), more than beta_fast times kept, with a linear ramp between.
        double low = correctionDim(betaFast, rotaryDims, theta, originalMaxPositions);
        double high = correctionDim(betaSlow, rotaryDims, theta, originalMaxPositions);
        if (truncate) {
            low = std::floor(low);
            high = std::ceil(high);
        }
        low = std::max(low, 0.0);
        high = std::min(high, static_cast<double>(rotaryDims - 1));
        if (low == high) high += 0.001;  // as transformers, against a zero-width ramp
        for (int i = 0; i < half; ++i) {
            const float ramp = std::clamp(static_cast<float>((i - low) / (high - low)), 0.0f, 1.0f);
            const float keep = 1.0f - ramp;  // the share of the unscaled (extrapolated) frequency
            double& f = inv[static_cast<std::size_t>(i)];
            f = static_cast<float>(f / factor * (1.0f - keep) + f * keep);
        }
    }
    if (!divisors.empty())
        for (std::size_t i = 0; i < inv.size() && i < divisors.size(); ++i) inv[i] /= divisors[i];
    return inv;
}

std::string RopeSpec::describe() const {
    std::ostringstream s;
    s.precision(10);  // theta 1000000, not 1e+06
    s << ropeTypeName(type);
    if (type != RopeType::Default && type != RopeType::LongRope) s << " x" << factor;
    s << " (theta " << theta;
    if (type == RopeType::Llama3 || type == RopeType::Yarn || type == RopeType::LongRope) s << ", trained to " << originalMaxPositions;
    if (type == RopeType::Dynamic) s << ", beyond " << maxPositions;
    if (attentionFactor != 1.0) {
        s.precision(6);  // a derived factor: six digits say enough
        s << ", attention x" << attentionFactor;
    }
    if (fraction < 1.0) s << ", " << rotaryDims << " dims rotated";
    if (!divisors.empty()) s << ", frequencies divided by up to " << *std::max_element(divisors.begin(), divisors.end());
    s << ")";
    return s.str();
}

}  // namespace attnscope
