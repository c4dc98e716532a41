#include "model/DisentangledAttention.h"

#include <algorithm>
#include <cmath>

#include "Error.h"

namespace attnscope {

namespace {

int intOr(const nlohmann::json& j, const char* key, int fallback, const std::string& file) {
    if (!j.contains(key) || j[key].is_null()) return fallback;
    if (!j[key].is_number_integer()) throw Error(file + ": key '" + key + "' must be an integer");
    const long long v = j[key].get<long long>();
    if (v < -1 || v > (1 << 20)) throw Error(file + ": key '" + key + "' is " + std::to_string(v) + ", expected -1 to " + std::to_string(1 << 20));
    return static_cast<int>(v);
}

bool boolOr(const nlohmann::json& j, const char* key, bool fallback, const std::string& file) {
    if (!j.contains(key) || j[key].is_null()) return fallback;
    if (!j[key].is_boolean()) throw Error(file + ": key '" + key + "' must be true or false");
    return j[key].get<bool>();
}

std::string lowerTrimmed(std::string s) {
    const auto notSpace = [](unsigned char ch) { return !std::isspace(ch); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
    s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return s;
}

// "a|b" as DebertaV2Config splits pos_att_type and norm_rel_ebd strings.
std::vector<std::string> splitBars(const std::string& s) {
    std::vector<std::string> parts;
    std::size_t from = 0;
    while (true) {
        const std::size_t bar = s.find('|', from);
        parts.push_back(lowerTrimmed(s.substr(from, bar == std::string::npos ? std::string::npos : bar - from)));
        if (bar == std::string::npos) return parts;
        from = bar + 1;
    }
}

// Softmax over each whole row (DeBERTa's encoder lets every token see every other).
void softmaxRows(RowMatrix& scores) {
    for (Eigen::Index i = 0; i < scores.rows(); ++i) {
        auto row = scores.row(i);
        row = (row.array() - row.maxCoeff()).exp().matrix();
        row *= 1.0f / row.sum();
    }
}

}  // namespace

DisentangledConfig readDisentangledConfig(const nlohmann::json& j, int maxPositions, const std::string& file) {
    DisentangledConfig c;
    if (intOr(j, "conv_kernel_size", 0, file) > 0)
        throw Error(file + ": key 'conv_kernel_size' asks for DeBERTa's convolution beside the first layer, which AttnScope does not run");
    // The classifier's ContextPooler runs GELU (AttnScope's table entry); another activation would be silently wrong.
    if (j.contains("pooler_hidden_act") && j["pooler_hidden_act"] != "gelu")
        throw Error(file + ": key 'pooler_hidden_act' is " + j["pooler_hidden_act"].dump() + "; AttnScope runs DeBERTa's pooler with gelu only");
    std::vector<std::string> types;
    if (j.contains("pos_att_type") && !j["pos_att_type"].is_null()) {
        const nlohmann::json& t = j["pos_att_type"];
        if (t.is_string()) {
            types = splitBars(t.get<std::string>());
        } else if (t.is_array()) {
            for (const auto& e : t) {
                if (!e.is_string()) throw Error(file + ": key 'pos_att_type' must list strings (\"c2p\", \"p2c\")");
                types.push_back(lowerTrimmed(e.get<std::string>()));
            }
        } else {
            throw Error(file + ": key 'pos_att_type' must be a list or a \"|\"-separated string");
        }
    }
    for (const std::string& t : types) {
        if (t == "c2p") c.contentToPosition = true;
        else if (t == "p2c") c.positionToContent = true;
        else if (!t.empty()) throw Error(file + ": key 'pos_att_type' names '" + t + "', expected c2p or p2c");
    }
    c.enabled = boolOr(j, "relative_attention", false, file);
    c.shareKey = boolOr(j, "share_att_key", false, file);
    c.buckets = intOr(j, "position_buckets", -1, file);
    c.maxRelative = intOr(j, "max_relative_positions", -1, file);
    if (c.maxRelative < 1) c.maxRelative = maxPositions;
    if (j.contains("norm_rel_ebd") && !j["norm_rel_ebd"].is_null()) {
        if (!j["norm_rel_ebd"].is_string()) throw Error(file + ": key 'norm_rel_ebd' must be a string such as \"layer_norm\"");
        for (const std::string& part : splitBars(j["norm_rel_ebd"].get<std::string>())) c.normTable = c.normTable || part == "layer_norm";
    }
    if (c.enabled && c.buckets > 0 && c.maxRelative <= c.buckets / 2)
        throw Error(file + ": max_relative_positions (" + std::to_string(c.maxRelative) + ") must exceed half of position_buckets (" +
                    std::to_string(c.buckets) + ")");
    return c;
}

int logBucketPosition(int relative, int buckets, int maxPosition) {
    const int mid = buckets / 2;
    const int sign = (relative > 0) - (relative < 0);
    const int absolute = relative < mid && relative > -mid ? mid - 1 : std::abs(relative);
    if (absolute <= mid) return relative;
    // In float32 throughout, as torch computes it: log(|r| / mid) / log((max - 1) / mid) * (mid - 1).
    const float logRatio = std::log(static_cast<float>(absolute) / static_cast<float>(mid));
    const float logRange = std::log(static_cast<float>(static_cast<double>(maxPosition - 1) / mid));
    const float logPosition = std::ceil(logRatio / logRange * static_cast<float>(mid - 1)) + static_cast<float>(mid);
    return static_cast<int>(logPosition) * sign;
}

std::vector<int> relativeTableRows(const DisentangledConfig& c, int n) {
    const int span = c.span();
    // One row per offset i - j in (-n, n), then looked up pair by pair.
    std::vector<int> byOffset(static_cast<std::size_t>(std::max(0, 2 * n - 1)));
    for (int offset = 1 - n; offset < n; ++offset) {
        const int relative = c.buckets > 0 ? logBucketPosition(offset, c.buckets, c.maxRelative) : offset;
        byOffset[static_cast<std::size_t>(offset + n - 1)] = std::clamp(relative + span, 0, 2 * span - 1);
    }
    std::vector<int> rows(static_cast<std::size_t>(n) * n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) rows[static_cast<std::size_t>(i) * n + j] = byOffset[static_cast<std::size_t>(i - j + n - 1)];
    return rows;
}

std::vector<float> disentangledScores(const DisentangledConfig& c, const RowMatrix& q, const RowMatrix& k, const RowMatrix& posQuery,
                                      const RowMatrix& posKey, const std::vector<int>& rows, const AttentionShape& shape,
                                      const TermSinks& sinks) {
    const Eigen::Index n = q.rows();
    const int d = shape.headDim;
    std::vector<float> bias(static_cast<std::size_t>(shape.heads) * n * n, 0.0f);
    const bool parallel = static_cast<double>(n) * (n + posKey.rows()) * d * shape.heads > 2e6;
#pragma omp parallel for schedule(dynamic) if (parallel)
    for (int h = 0; h < shape.heads; ++h) {
        Eigen::Map<RowMatrix> total(bias.data() + static_cast<std::size_t>(h) * n * n, n, n);
        RowMatrix term(n, n);
        // One term's scores: byPosition(a, r) is row a of q (or k) against table row r.
        const auto addTerm = [&](const RowMatrix& byPosition, bool queryRows, const AttentionSink& sink) {
            for (Eigen::Index i = 0; i < n; ++i)
                for (Eigen::Index j = 0; j < n; ++j)
                    term(i, j) = byPosition(queryRows ? i : j, rows[static_cast<std::size_t>(i * n + j)]) * shape.scale;
            total += term;
            if (sink.stack) {
                softmaxRows(term);
                sink.stack->storeMap(sink.layer, h, term.data());
            }
        };
        if (c.contentToPosition) addTerm(q.middleCols(h * d, d) * posKey.middleCols(h * d, d).transpose(), true, sinks.contentToPosition);
        if (c.positionToContent) addTerm(k.middleCols(h * d, d) * posQuery.middleCols(h * d, d).transpose(), false, sinks.positionToContent);
        if (sinks.contentToContent.stack) {
            term.noalias() = q.middleCols(h * d, d) * k.middleCols(h * d, d).transpose();
            term *= shape.scale;
            softmaxRows(term);
            sinks.contentToContent.stack->storeMap(sinks.contentToContent.layer, h, term.data());
        }
    }
    return bias;
}

}  // namespace attnscope
