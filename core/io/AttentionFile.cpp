#include "io/AttentionFile.h"

#include <cctype>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "Error.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"

namespace attnscope {

namespace {

using nlohmann::json;

// fp16 files round 1.0 up a little; anything further above is not a probability.
constexpr float kProbabilityTolerance = 1e-3f;

class Reader {
public:
    Reader(const std::filesystem::path& path, std::size_t budgetBytes)
        : file_(path), where_(path.string()), budget_(budgetBytes) {}

    const SafetensorsFile& file() const { return file_; }

    [[noreturn]] void fail(const std::string& what) const { throw Error(where_ + ": " + what); }

    const TensorInfo* find(const char* name) const { return file_.find(name); }

    AttentionStack stack(const TensorInfo& t) const {
        if (t.dtype != DType::F32 && t.dtype != DType::F16 && t.dtype != DType::BF16 && t.dtype != DType::F64)
            fail("tensor '" + t.name + "' is " + std::string(dtypeName(t.dtype)) + "; attention must be floating point");
        if (t.shape.size() != 4)
            fail("tensor '" + t.name + "' has shape " + t.shapeString() + "; expected [layers, heads, queries, keys]");
        for (std::int64_t d : t.shape)
            if (d <= 0 || d > std::numeric_limits<int>::max())
                fail("tensor '" + t.name + "' has shape " + t.shapeString() + "; every size must be positive");
        AttentionStack s;
        const int l = static_cast<int>(t.shape[0]), h = static_cast<int>(t.shape[1]);
        const int q = static_cast<int>(t.shape[2]), k = static_cast<int>(t.shape[3]);
        const std::size_t count = static_cast<std::size_t>(t.elementCount());
        s.resize(l, h, q, k, precisionForBudget(count, budget_));
        // Map by map, so a file larger than memory is converted without a float32 copy of it.
        std::vector<float> map(s.mapSize());
        const std::size_t mapBytes = s.mapSize() * dtypeSize(t.dtype);
        const std::uint8_t* src = file_.bytes(t);
        for (int layer = 0; layer < l; ++layer)
            for (int head = 0; head < h; ++head) {
                convertToFloat(t.dtype, src, map.size(), map.data());
                src += mapBytes;
                for (std::size_t i = 0; i < map.size(); ++i) {
                    const float v = map[i];
                    if (!(v >= 0.0f && v <= 1.0f + kProbabilityTolerance))
                        fail("tensor '" + t.name + "' holds " + std::to_string(v) + " at layer " + std::to_string(layer) +
                             ", head " + std::to_string(head) + "; attention values are probabilities in [0, 1]");
                }
                s.storeMap(layer, head, map.data());
            }
        return s;
    }

    // A metadata entry holding a JSON list; empty when absent.
    json list(const char* key) const {
        const auto& meta = file_.metadata();
        const auto it = meta.find(key);
        if (it == meta.end()) return json::array();
        json j = json::parse(it->second, nullptr, false);
        if (!j.is_array()) fail("metadata '" + std::string(key) + "' must be a JSON list");
        return j;
    }

    AttentionFileTokens tokens(const char* namesKey, const char* idsKey, const char* specialKey, int count) const {
        AttentionFileTokens out;
        const json names = list(namesKey), ids = list(idsKey), special = list(specialKey);
        out.named = !names.empty();
        auto checkCount = [&](const json& j, const char* key) {
            if (!j.empty() && static_cast<int>(j.size()) != count)
                fail("metadata '" + std::string(key) + "' lists " + std::to_string(j.size()) + " entries for " +
                     std::to_string(count) + " tokens");
        };
        checkCount(names, namesKey);
        checkCount(ids, idsKey);
        checkCount(special, specialKey);
        for (int i = 0; i < count; ++i) {
            if (!names.empty()) {
                const json& n = names[static_cast<std::size_t>(i)];
                if (!n.is_string()) fail("metadata '" + std::string(namesKey) + "' must list strings");
                out.names.push_back(n.get<std::string>());
            } else {
                out.names.push_back(std::to_string(i));  // no names: positions
            }
            if (!ids.empty()) {
                const json& id = ids[static_cast<std::size_t>(i)];
                if (!id.is_number_integer()) fail("metadata '" + std::string(idsKey) + "' must list integers");
                out.ids.push_back(id.get<int>());
            }
            if (!special.empty()) {
                const json& s = special[static_cast<std::size_t>(i)];
                if (!s.is_number_integer() && !s.is_boolean()) fail("metadata '" + std::string(specialKey) + "' must list 0 or 1");
                out.special.push_back(s.is_boolean() ? s.get<bool>() : s.get<int>() != 0);
            } else {
                out.special.push_back(!names.empty() && looksLikeSpecialToken(out.names.back()));
            }
        }
        return out;
    }

private:
    SafetensorsFile file_;
    std::string where_;
    std::size_t budget_;
};

std::string jsonText(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void addStack(SafetensorsWriter& writer, const std::string& name, const AttentionStack& a) {
    const std::vector<std::int64_t> shape{a.layers, a.heads, a.queries, a.keys};
    if (a.exact()) {
        writer.add(name, shape, a.data());
    } else {
        const auto values = a.toFloat32();
        writer.add(name, shape, values.data());
    }
}

void addTokens(SafetensorsWriter& writer, const AttentionFileTokens& t, const std::string& prefix) {
    writer.setMetadata(prefix + "tokens", jsonText(t.names));
    if (!t.ids.empty()) writer.setMetadata(prefix + "ids", jsonText(t.ids));
    std::vector<int> special;
    for (bool s : t.special) special.push_back(s ? 1 : 0);
    writer.setMetadata(prefix + "special_tokens_mask", jsonText(special));
}

}  // namespace

bool looksLikeSpecialToken(const std::string& name) {
    if (name == "<s>" || name == "</s>" || name == "<pad>" || name == "<unk>" || name == "<mask>") return true;
    if (name.size() >= 4 && name.rfind("<|", 0) == 0 && name.compare(name.size() - 2, 2, "|>") == 0) return true;
    if (name.size() >= 3 && name.front() == '[' && name.back() == ']') {
        for (std::size_t i = 1; i + 1 < name.size(); ++i)
            if (!std::isupper(static_cast<unsigned char>(name[i])) && name[i] != '_') return false;
        return true;
    }
    return false;
}

AttentionFile readAttentionFile(const std::filesystem::path& path, std::size_t budgetBytes) {
    const Reader r(path, budgetBytes);
    AttentionFile out;
    if (const auto it = r.file().metadata().find("model_type"); it != r.file().metadata().end()) out.modelType = it->second;

    const TensorInfo* single = r.find("attentions");
    const TensorInfo* encoder = r.find("encoder_attentions");
    const TensorInfo* decoder = r.find("decoder_attentions");
    const TensorInfo* cross = r.find("cross_attentions");
    if (single && (encoder || decoder || cross))
        r.fail("has both 'attentions' and encoder-decoder stacks; expected one or the other");
    if (single) {
        out.attentions = r.stack(*single);
        if (out.attentions.queries != out.attentions.keys)
            r.fail("tensor 'attentions' has shape " + single->shapeString() + "; self-attention is square [layers, heads, n, n]");
        out.tokens = r.tokens("tokens", "ids", "special_tokens_mask", out.attentions.keys);
    } else if (encoder || decoder || cross) {
        if (!encoder || !decoder || !cross)
            r.fail("an encoder-decoder file needs all of encoder_attentions, decoder_attentions and cross_attentions");
        out.attentions = r.stack(*encoder);
        out.decoderAttentions = r.stack(*decoder);
        out.crossAttentions = r.stack(*cross);
        const AttentionStack &e = out.attentions, &d = out.decoderAttentions, &c = out.crossAttentions;
        if (e.queries != e.keys || d.queries != d.keys)
            r.fail("encoder and decoder self-attention must be square [layers, heads, n, n]");
        if (c.layers != d.layers || c.heads != d.heads || c.queries != d.queries || c.keys != e.keys || e.heads != d.heads)
            r.fail("cross_attentions " + cross->shapeString() + " does not fit encoder_attentions " + encoder->shapeString() +
                   " and decoder_attentions " + decoder->shapeString() + " (expected [decoder layers, heads, m, n])");
        out.tokens = r.tokens("tokens", "ids", "special_tokens_mask", e.keys);
        out.decoderTokens = r.tokens("decoder_tokens", "decoder_ids", "decoder_special_tokens_mask", d.keys);
    } else {
        r.fail("no attention in this file (expected a tensor 'attentions' [layers, heads, n, n], or "
               "encoder_attentions, decoder_attentions and cross_attentions)");
    }

    if (const TensorInfo* logits = r.find("logits")) {
        out.logits = r.file().toFloat(*logits);
        out.logitsShape = logits->shape;
    }
    if (const TensorInfo* px = r.find("pixel_values")) {
        std::vector<std::int64_t> shape = px->shape;
        if (shape.size() == 4 && shape[0] == 1) shape.erase(shape.begin());
        if (shape.size() != 3) r.fail("tensor 'pixel_values' has shape " + px->shapeString() + "; expected [channels, height, width]");
        out.pixels.channels = static_cast<int>(shape[0]);
        out.pixels.height = static_cast<int>(shape[1]);
        out.pixels.width = static_cast<int>(shape[2]);
        out.pixels.values = r.file().toFloat(*px);
        for (float v : out.pixels.values)
            if (!std::isfinite(v)) r.fail("tensor 'pixel_values' contains NaN or Inf");
    }
    return out;
}

void writeAttentionFile(const std::filesystem::path& path, const AttentionFile& file) {
    SafetensorsWriter writer;
    if (file.isEncoderDecoder()) {
        addStack(writer, "encoder_attentions", file.attentions);
        addStack(writer, "decoder_attentions", file.decoderAttentions);
        addStack(writer, "cross_attentions", file.crossAttentions);
        addTokens(writer, file.decoderTokens, "decoder_");
    } else {
        addStack(writer, "attentions", file.attentions);
    }
    addTokens(writer, file.tokens, "");
    if (!file.logits.empty()) writer.add("logits", file.logitsShape, file.logits.data());
    if (!file.pixels.empty())
        writer.add("pixel_values", {file.pixels.channels, file.pixels.height, file.pixels.width}, file.pixels.values.data());
    if (!file.modelType.empty()) writer.setMetadata("model_type", file.modelType);
    writer.write(path);
}

}  // namespace attnscope
