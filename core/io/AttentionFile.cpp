#include "io/AttentionFile.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "Error.h"
#include "io/SafetensorsFile.h"
#include "io/SafetensorsWriter.h"

namespace attnscope {

namespace {

using nlohmann::json;

// fp16 files round 1.0 up a little; anything further above is not a probability.
constexpr float kProbabilityTolerance = 1e-3f;

std::string tensorNameOf(const std::string& stack) { return stack == kSelfStack ? "attentions" : stack + "_attentions"; }

// Sequence 0 (the input) keeps the unprefixed keys "tokens", "ids", "special_tokens_mask".
std::string metadataPrefix(const std::string& sequence, std::size_t index) { return index == 0 ? "" : sequence + "_"; }

// Which sequences a stack's rows and columns belong to, by name.
struct StackLayout {
    std::string name;
    std::string queries;
    std::string keys;
};

class Reader {
public:
    Reader(const std::filesystem::path& path, std::size_t budgetBytes) : file_(path), where_(path.string()), budget_(budgetBytes) {}

    const SafetensorsFile& file() const { return file_; }

    [[noreturn]] void fail(const std::string& what) const { throw Error(where_ + ": " + what); }

    const TensorInfo* find(const std::string& name) const { return file_.find(name); }

    std::string metadata(const char* key) const {
        const auto it = file_.metadata().find(key);
        return it == file_.metadata().end() ? std::string() : it->second;
    }

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
        s.resize(l, h, static_cast<int>(t.shape[2]), static_cast<int>(t.shape[3]),
                 precisionForBudget(static_cast<std::size_t>(t.elementCount()), budget_));
        // Map by map, so a file larger than memory is converted without a float32 copy of it.
        std::vector<float> map(s.mapSize());
        const std::size_t mapBytes = s.mapSize() * dtypeSize(t.dtype);
        const std::uint8_t* src = file_.bytes(t);
        for (int layer = 0; layer < l; ++layer)
            for (int head = 0; head < h; ++head) {
                convertToFloat(t.dtype, src, map.size(), map.data());
                src += mapBytes;
                for (const float v : map)
                    if (!(v >= 0.0f && v <= 1.0f + kProbabilityTolerance))
                        fail("tensor '" + t.name + "' holds " + std::to_string(v) + " at layer " + std::to_string(layer) + ", head " +
                             std::to_string(head) + "; attention values are probabilities in [0, 1]");
                s.storeMap(layer, head, map.data());
            }
        return s;
    }

    // A metadata entry holding a JSON list; empty when absent.
    json list(const std::string& key) const {
        const auto& meta = file_.metadata();
        const auto it = meta.find(key);
        if (it == meta.end()) return json::array();
        json j = json::parse(it->second, nullptr, false);
        if (!j.is_array()) fail("metadata '" + key + "' must be a JSON list");
        return j;
    }

    TokenSequence tokens(const std::string& name, const std::string& prefix, int count) const {
        const std::string namesKey = prefix + "tokens", idsKey = prefix + "ids", specialKey = prefix + "special_tokens_mask";
        const json names = list(namesKey), ids = list(idsKey), special = list(specialKey);
        if (count < 0) {  // no stack spans this sequence: its own metadata says how long it is
            const json& longest = !names.empty() ? names : !ids.empty() ? ids : special;
            if (longest.empty()) fail("metadata '" + namesKey + "' is missing; no stack spans the " + name + " tokens to give their number");
            count = static_cast<int>(longest.size());
        }
        for (const auto& [j, key] : {std::pair{&names, &namesKey}, {&ids, &idsKey}, {&special, &specialKey}})
            if (!j->empty() && static_cast<int>(j->size()) != count)
                fail("metadata '" + *key + "' lists " + std::to_string(j->size()) + " entries for " + std::to_string(count) + " tokens");
        TokenSequence out;
        out.name = name;
        out.named = !names.empty();
        for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
            if (!names.empty() && !names[i].is_string()) fail("metadata '" + namesKey + "' must list strings");
            out.names.push_back(names.empty() ? std::to_string(i) : names[i].get<std::string>());  // no names: positions
            if (!ids.empty()) {
                if (!ids[i].is_number_integer()) fail("metadata '" + idsKey + "' must list integers");
                out.ids.push_back(ids[i].get<int>());
            }
            if (!special.empty()) {
                if (!special[i].is_number_integer() && !special[i].is_boolean()) fail("metadata '" + specialKey + "' must list 0 or 1");
                out.special.push_back(special[i].is_boolean() ? special[i].get<bool>() : special[i].get<int>() != 0);
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

// The stacks as the file's "stacks" metadata lists them.
std::vector<StackLayout> declaredLayout(const Reader& r) {
    std::vector<StackLayout> layout;
    for (const json& entry : r.list("stacks")) {
        const auto text = [&](const char* key) {
            if (!entry.is_object() || !entry.contains(key) || !entry[key].is_string() || entry[key].get<std::string>().empty())
                r.fail("metadata 'stacks' must list objects with the strings \"name\", \"queries\" and \"keys\"");
            return entry[key].get<std::string>();
        };
        layout.push_back({text("name"), text("queries"), text("keys")});
        if (!r.find(tensorNameOf(layout.back().name)))
            r.fail("metadata 'stacks' names the stack '" + layout.back().name + "', but there is no tensor '" +
                   tensorNameOf(layout.back().name) + "'");
    }
    if (layout.empty()) r.fail("metadata 'stacks' lists no stack");
    return layout;
}

// Files without "stacks" metadata, as transformers' outputs are saved: one stack, or T5's three.
std::vector<StackLayout> conventionalLayout(const Reader& r) {
    const bool single = r.find("attentions");
    const bool encoderDecoder = r.find("encoder_attentions") || r.find("decoder_attentions") || r.find("cross_attentions");
    if (single && encoderDecoder) r.fail("has both 'attentions' and encoder-decoder stacks; expected one or the other");
    if (single) return {{kSelfStack, kInputSequence, kInputSequence}};
    if (!encoderDecoder)
        r.fail("no attention in this file (expected a tensor 'attentions' [layers, heads, n, n], or "
               "encoder_attentions, decoder_attentions and cross_attentions)");
    if (!r.find("encoder_attentions") || !r.find("decoder_attentions") || !r.find("cross_attentions"))
        r.fail("an encoder-decoder file needs all of encoder_attentions, decoder_attentions and cross_attentions");
    return {{"encoder", kInputSequence, kInputSequence}, {"decoder", kDecoderSequence, kDecoderSequence}, {"cross", kDecoderSequence, kInputSequence}};
}

// Sequences as the file's "sequences" metadata lists them: the order the record had, and any
// sequence no stack spans. Every stack's sequences must be among them.
std::vector<std::string> declaredSequences(const Reader& r, const std::vector<StackLayout>& layout) {
    std::vector<std::string> names;
    for (const json& entry : r.list("sequences")) {
        if (!entry.is_string() || entry.get<std::string>().empty()) r.fail("metadata 'sequences' must list non-empty strings");
        if (std::find(names.begin(), names.end(), entry.get<std::string>()) != names.end())
            r.fail("metadata 'sequences' lists '" + entry.get<std::string>() + "' twice");
        names.push_back(entry.get<std::string>());
    }
    for (const StackLayout& s : layout)
        for (const std::string& n : {s.queries, s.keys})
            if (std::find(names.begin(), names.end(), n) == names.end())
                r.fail("metadata 'stacks' names the sequence '" + n + "' for the stack '" + s.name + "', but metadata 'sequences' does not list it");
    return names;
}

// Files without "sequences" metadata (older files, transformers' outputs): the sequences in order
// of first appearance in the stacks, the input first.
std::vector<std::string> sequencesOfStacks(const std::vector<StackLayout>& layout) {
    std::vector<std::string> names{kInputSequence};
    for (const StackLayout& s : layout)
        for (const std::string& n : {s.queries, s.keys})
            if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    const bool inputUsed = std::any_of(layout.begin(), layout.end(), [](const StackLayout& s) {
        return s.queries == kInputSequence || s.keys == kInputSequence;
    });
    if (!inputUsed) names.erase(names.begin());
    return names;
}

// Every stack's shape agrees with its sequences' lengths and with the stacks that attend from
// the same tokens; returns each sequence's length.
std::vector<int> checkShapes(const Reader& r, const AttentionRecord& record) {
    std::vector<int> lengths(record.sequences.size(), -1);
    std::vector<const NamedStack*> firstFrom(record.sequences.size(), nullptr);  // the first stack attending from each sequence
    const auto shape = [](const NamedStack& s) {
        const AttentionStack& a = s.attention;
        TensorInfo t;  // its shapeString() is how every other message writes a shape
        t.shape = {a.layers, a.heads, a.queries, a.keys};
        return t.shapeString();
    };
    std::map<int, const NamedStack*> sizedBy;
    const auto agree = [&](const NamedStack& s, int sequence, int length) {
        int& known = lengths[static_cast<std::size_t>(sequence)];
        if (known >= 0 && known != length)
            r.fail("tensor '" + tensorNameOf(s.name) + "' has shape " + shape(s) + ", which does not fit '" +
                   tensorNameOf(sizedBy[sequence]->name) + "' " + shape(*sizedBy[sequence]) + ": both span the " +
                   record.sequences[static_cast<std::size_t>(sequence)].name + " tokens");
        if (known < 0) sizedBy[sequence] = &s;
        known = length;
    };
    for (const NamedStack& s : record.stacks) {
        if (s.isSelfAttention() && s.attention.queries != s.attention.keys)
            r.fail("tensor '" + tensorNameOf(s.name) + "' has shape " + shape(s) + "; self-attention is square [layers, heads, n, n]");
        agree(s, s.querySequence, s.attention.queries);
        agree(s, s.keySequence, s.attention.keys);
        const NamedStack*& first = firstFrom[static_cast<std::size_t>(s.querySequence)];
        if (first && (first->attention.layers != s.attention.layers || first->attention.heads != s.attention.heads))
            r.fail("tensor '" + tensorNameOf(s.name) + "' has shape " + shape(s) + ", which does not fit '" + tensorNameOf(first->name) +
                   "' " + shape(*first) + ": stacks that attend from the same tokens have the same layers and heads");
        if (!first) first = &s;
    }
    return lengths;
}

// The side of a square of n patches; 0 when n is not a positive square.
int squareSide(int n) {
    const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(std::max(n, 0)))));
    return n > 0 && side * side == n ? side : 0;
}

// An image's tokens (transformers gives no names for them): leading special tokens ([CLS],
// DeiT's [DIST]) and then a square grid of patches over the image in pixel_values. Without
// names, one leading token when the rest is square, else two. The image is the input
// (sequence 0); another sequence (SigLIP's pooling probe) asks about it.
void findPatchGrid(AttentionRecord& record) {
    if (record.pixels.empty() || record.sequences.empty()) return;
    TokenSequence& input = record.sequences.front();
    const int n = input.size();
    int leading = 0;
    if (input.named) {
        while (leading < n && input.isSpecial(leading)) ++leading;
    } else {
        // [CLS], [CLS] and [DIST], or none (SigLIP): a count of squares plus 1 or 2 is never a square.
        leading = squareSide(n - 1) ? 1 : squareSide(n - 2) ? 2 : 0;
    }
    const int side = squareSide(n - leading);
    if (leading > 2 || side == 0) return;
    if (!input.named) {
        TokenSequence named = imageSequence(leading, side, side);
        named.name = input.name;
        named.ids = std::move(input.ids);
        input = std::move(named);
    }
    input.patches = {side, side, leading};
}

void readExtras(const Reader& r, AttentionRecord& record) {
    record.modelType = r.metadata("model_type");
    if (const TensorInfo* logits = r.find("logits")) {
        const std::vector<float> values = r.file().toFloat(*logits);
        // [labels]: one row for the whole input; [..., n, vocabulary]: a row per position.
        const Eigen::Index cols = logits->shape.empty() ? 0 : logits->shape.back();
        record.logitsPerInput = logits->shape.size() == 1;
        if (cols > 0) record.logits = Eigen::Map<const RowMatrix>(values.data(), static_cast<Eigen::Index>(values.size()) / cols, cols);
    }
    if (const TensorInfo* px = r.find("pixel_values")) {
        std::vector<std::int64_t> shape = px->shape;
        if (shape.size() == 4 && shape[0] == 1) shape.erase(shape.begin());
        if (shape.size() != 3) r.fail("tensor 'pixel_values' has shape " + px->shapeString() + "; expected [channels, height, width]");
        record.pixels.channels = static_cast<int>(shape[0]);
        record.pixels.height = static_cast<int>(shape[1]);
        record.pixels.width = static_cast<int>(shape[2]);
        record.pixels.values = r.file().toFloat(*px);
        for (const float v : record.pixels.values)
            if (!std::isfinite(v)) r.fail("tensor 'pixel_values' contains NaN or Inf");
    }
}

std::string jsonText(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void addStack(SafetensorsWriter& writer, const NamedStack& s) {
    const AttentionStack& a = s.attention;
    const std::vector<std::int64_t> shape{a.layers, a.heads, a.queries, a.keys};
    if (a.exact()) {
        writer.add(tensorNameOf(s.name), shape, a.data());
    } else {
        const auto values = a.toFloat32();
        writer.add(tensorNameOf(s.name), shape, values.data());
    }
}

void addTokens(SafetensorsWriter& writer, const TokenSequence& t, const std::string& prefix) {
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

AttentionRecord readAttentionFile(const std::filesystem::path& path, std::size_t budgetBytes) {
    const Reader r(path, budgetBytes);
    const std::vector<StackLayout> layout = r.metadata("stacks").empty() ? conventionalLayout(r) : declaredLayout(r);
    const std::vector<std::string> sequences = r.metadata("sequences").empty() ? sequencesOfStacks(layout) : declaredSequences(r, layout);
    const auto sequenceIndex = [&](const std::string& name) {
        return static_cast<int>(std::find(sequences.begin(), sequences.end(), name) - sequences.begin());
    };

    AttentionRecord record;
    for (const StackLayout& s : layout)
        record.stacks.push_back({s.name, sequenceIndex(s.queries), sequenceIndex(s.keys), r.stack(*r.find(tensorNameOf(s.name)))});
    record.sequences.resize(sequences.size());
    for (std::size_t i = 0; i < sequences.size(); ++i) record.sequences[i].name = sequences[i];
    const std::vector<int> lengths = checkShapes(r, record);
    for (std::size_t i = 0; i < sequences.size(); ++i)
        record.sequences[i] = r.tokens(sequences[i], metadataPrefix(sequences[i], i), lengths[i]);
    readExtras(r, record);
    findPatchGrid(record);
    return record;
}

void writeAttentionFile(const std::filesystem::path& path, const AttentionRecord& record) {
    SafetensorsWriter writer;
    json stacks = json::array();
    for (const NamedStack& s : record.stacks) {
        addStack(writer, s);
        stacks.push_back({{"name", s.name}, {"queries", record.queriesOf(s).name}, {"keys", record.keysOf(s).name}});
    }
    writer.setMetadata("stacks", jsonText(stacks));
    json sequences = json::array();
    for (const TokenSequence& t : record.sequences) {
        // The reader finds a sequence's tokens by its name, so two of one name could not be read back.
        if (std::find(sequences.begin(), sequences.end(), t.name) != sequences.end())
            throw Error(path.string() + ": cannot write two token sequences both named '" + t.name + "'");
        sequences.push_back(t.name);
    }
    writer.setMetadata("sequences", jsonText(sequences));
    for (std::size_t i = 0; i < record.sequences.size(); ++i)
        addTokens(writer, record.sequences[i], metadataPrefix(record.sequences[i].name, i));
    if (record.logits.size() > 0) {
        std::vector<std::int64_t> shape{record.logits.rows(), record.logits.cols()};
        if (record.logitsPerInput) shape = {record.logits.size()};  // [labels], as transformers gives a classifier's without the batch
        writer.add("logits", shape, record.logits.data());
    }
    if (!record.pixels.empty())
        writer.add("pixel_values", {record.pixels.channels, record.pixels.height, record.pixels.width}, record.pixels.values.data());
    if (!record.modelType.empty()) writer.setMetadata("model_type", record.modelType);
    writer.write(path);
}

}  // namespace attnscope
