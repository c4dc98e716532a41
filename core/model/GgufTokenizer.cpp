#include "model/GgufTokenizer.h"

#include <algorithm>

#include "Error.h"
#include "text/TokenizerJsonLoader.h"

namespace attnscope {
namespace {

// llama.cpp's token types (llama.h: enum llama_token_type).
enum TokenType { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

// tokenizer.ggml.pre -> the regular expression llama.cpp splits with (llama-vocab.cpp), for
// the pre-tokenizers of the architectures AttnScope reads; nullptr: GPT-2's own byte-level split.
struct PreTokenizerEntry {
    const char* name;
    const char* regex;
    bool ignoreMerges;  // a whole word found in the vocabulary is one token (llama.cpp: Llama 3)
};
constexpr const char* kLlama3Split =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr PreTokenizerEntry kPreTokenizers[] = {
    {"gpt-2", nullptr, false},
    {"roberta-bpe", nullptr, false},  // GPT-2's split; llama.cpp adds the separator (RoBERTa's </s>)
    {"modern-bert", nullptr, false},  // GPT-2's split
    {"llama-bpe", kLlama3Split, true},  // llama.cpp reads "llama3" and "llama-bpe" alike
    {"llama3", kLlama3Split, true},
    {"qwen2", R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)", false},
};

std::vector<std::string> stringArray(const GgufFile& f, const std::string& key) {
    const auto* v = f.find(key);
    if (!v) throw Error(f.path().string() + ": metadata '" + key + "' is missing");
    if (!v->is_array()) throw Error(f.path().string() + ": metadata '" + key + "' must be an array of strings");
    std::vector<std::string> out;
    out.reserve(v->size());
    for (const auto& s : *v) {
        if (!s.is_string()) throw Error(f.path().string() + ": metadata '" + key + "' must be an array of strings");
        out.push_back(s.get<std::string>());
    }
    return out;
}

template <typename T>
std::vector<T> numberArray(const GgufFile& f, const std::string& key, std::size_t count, T fallback) {
    const auto* v = f.find(key);
    if (!v) return std::vector<T>(count, fallback);
    if (!v->is_array() || v->size() != count)
        throw Error(f.path().string() + ": metadata '" + key + "' must be an array of " + std::to_string(count) + " numbers (one per token)");
    std::vector<T> out;
    out.reserve(count);
    for (const auto& n : *v) {
        if (!n.is_number()) throw Error(f.path().string() + ": metadata '" + key + "' must hold numbers");
        out.push_back(n.get<T>());
    }
    return out;
}

constexpr const char* kPhantomSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's and llama.cpp's mark of a space

bool isUtf8Start(unsigned char c) { return (c & 0xC0) != 0x80; }

// Merges of a SentencePiece vocabulary: every split of a normal piece into two pieces, ranked
// by the joined piece's score (highest first), ties by its id.
nlohmann::json scoreMerges(const std::vector<std::string>& tokens, const std::vector<float>& scores, const std::vector<int>& types,
                           const nlohmann::json& vocab) {
    struct Merge {
        float score;
        int id;
        std::size_t split;
    };
    std::vector<Merge> merges;
    for (std::size_t id = 0; id < tokens.size(); ++id) {
        if (types[id] != kNormal && types[id] != kUserDefined) continue;
        const std::string& t = tokens[id];
        for (std::size_t split = 1; split < t.size(); ++split) {
            if (!isUtf8Start(static_cast<unsigned char>(t[split]))) continue;
            if (vocab.contains(t.substr(0, split)) && vocab.contains(t.substr(split)))
                merges.push_back({scores[id], static_cast<int>(id), split});
        }
    }
    std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) {
        return a.score != b.score ? a.score > b.score : a.id < b.id;
    });
    nlohmann::json out = nlohmann::json::array();
    for (const Merge& m : merges) {
        const std::string& t = tokens[static_cast<std::size_t>(m.id)];
        out.push_back(nlohmann::json::array({t.substr(0, m.split), t.substr(m.split)}));
    }
    return out;
}

// The Precompiled normalizer's character map as tokenizer.json carries it. Neither the standard
// library nor nlohmann/json encodes base64; the decoder is text/PrecompiledCharsMap's.
std::string base64(const std::string& bytes) {
    static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        std::uint32_t v = 0;
        for (std::size_t j = 0; j < 3; ++j) v = v << 8 | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0u);
        for (std::size_t j = 0; j < 4; ++j) out += j <= n ? kDigits[(v >> (18 - 6 * j)) & 63] : '=';
    }
    return out;
}

nlohmann::json specialTemplate(const std::vector<std::string>& tokens, std::optional<std::uint64_t> bos, bool addBos,
                               std::optional<std::uint64_t> eos, bool addEos) {
    nlohmann::json single = nlohmann::json::array(), pair = nlohmann::json::array(), specials = nlohmann::json::object();
    auto special = [&](std::uint64_t id) {
        const std::string& t = tokens.at(static_cast<std::size_t>(id));
        specials[t] = {{"id", t}, {"ids", {id}}, {"tokens", {t}}};
        return nlohmann::json{{"SpecialToken", {{"id", t}, {"type_id", 0}}}};
    };
    if (addBos && bos) {
        single.push_back(special(*bos));
        pair.push_back(special(*bos));
    }
    single.push_back({{"Sequence", {{"id", "A"}, {"type_id", 0}}}});
    pair.push_back({{"Sequence", {{"id", "A"}, {"type_id", 0}}}});
    if (addEos && eos) {
        single.push_back(special(*eos));
        pair.push_back(special(*eos));
    }
    if (addBos && bos) pair.push_back(special(*bos));
    pair.push_back({{"Sequence", {{"id", "B"}, {"type_id", 1}}}});
    if (addEos && eos) pair.push_back(special(*eos));
    return {{"type", "TemplateProcessing"}, {"single", single}, {"pair", pair}, {"special_tokens", specials}};
}

}  // namespace

nlohmann::json ggufTokenizerJson(const GgufFile& f) {
    const std::string where = f.path().string();
    const auto model = f.optionalString("tokenizer.ggml.model");
    if (!model) return nullptr;
    const std::vector<std::string> tokens = stringArray(f, "tokenizer.ggml.tokens");
    const std::vector<int> types = numberArray<int>(f, "tokenizer.ggml.token_type", tokens.size(), kNormal);
    const auto bos = f.optionalUnsigned("tokenizer.ggml.bos_token_id");
    const auto eos = f.optionalUnsigned("tokenizer.ggml.eos_token_id");
    auto requireToken = [&](std::uint64_t id) {
        if (id >= tokens.size()) throw Error(where + ": a special token id (" + std::to_string(id) + ") is past the " + std::to_string(tokens.size()) + " tokens");
    };
    for (const auto& id : {bos, eos})
        if (id) requireToken(*id);

    nlohmann::json vocab = nlohmann::json::object();
    nlohmann::json added = nlohmann::json::array();
    for (std::size_t id = 0; id < tokens.size(); ++id) {
        if (!vocab.contains(tokens[id])) vocab[tokens[id]] = id;  // the first of duplicates, as llama.cpp's token_to_id
        if (types[id] == kControl || types[id] == kUserDefined)
            added.push_back({{"id", id}, {"content", tokens[id]}, {"special", types[id] == kControl}, {"single_word", false},
                             {"lstrip", false}, {"rstrip", false}, {"normalized", false}});
    }

    nlohmann::json j;
    j["added_tokens"] = std::move(added);
    if (*model == "llama") {
        const std::vector<float> scores = numberArray<float>(f, "tokenizer.ggml.scores", tokens.size(), 0.0f);
        const bool spacePrefix = f.optionalBool("tokenizer.ggml.add_space_prefix").value_or(true);
        const bool byteFallback = std::find(types.begin(), types.end(), int(kByte)) != types.end();
        std::optional<std::string> unk;
        if (auto u = f.optionalUnsigned("tokenizer.ggml.unknown_token_id"); u && *u < tokens.size()) unk = tokens[*u];
        for (std::size_t id = 0; !unk && id < tokens.size(); ++id)
            if (types[id] == kUnknown) unk = tokens[id];
        nlohmann::json merges = scoreMerges(tokens, scores, types, vocab);
        j["model"] = {{"type", "BPE"}, {"vocab", std::move(vocab)}, {"merges", std::move(merges)}, {"byte_fallback", byteFallback},
                      {"fuse_unk", true}};
        if (unk) j["model"]["unk_token"] = *unk;
        nlohmann::json normalizers = nlohmann::json::array();
        if (spacePrefix) normalizers.push_back({{"type", "Prepend"}, {"prepend", kPhantomSpace}});
        normalizers.push_back({{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kPhantomSpace}});
        j["normalizer"] = {{"type", "Sequence"}, {"normalizers", normalizers}};
        j["pre_tokenizer"] = nullptr;
        nlohmann::json decoders = {{{"type", "Replace"}, {"pattern", {{"String", kPhantomSpace}}}, {"content", " "}},
                                   {{"type", "ByteFallback"}},
                                   {{"type", "Fuse"}}};
        if (spacePrefix) decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
        j["decoder"] = {{"type", "Sequence"}, {"decoders", decoders}};
        j["post_processor"] = specialTemplate(tokens, bos, f.optionalBool("tokenizer.ggml.add_bos_token").value_or(true), eos,
                                              f.optionalBool("tokenizer.ggml.add_eos_token").value_or(false));
    } else if (*model == "gpt2") {
        const std::string pre = f.optionalString("tokenizer.ggml.pre").value_or("default");
        const PreTokenizerEntry* entry = nullptr;
        for (const auto& e : kPreTokenizers)
            if (pre == e.name) entry = &e;
        if (!entry) {
            std::string known;
            for (const auto& e : kPreTokenizers) known += std::string(known.empty() ? "" : ", ") + e.name;
            throw Error(where + ": pre-tokenizer '" + pre + "' (tokenizer.ggml.pre) is not one AttnScope knows (" + known + ")");
        }
        j["model"] = {{"type", "BPE"}, {"vocab", std::move(vocab)}, {"merges", stringArray(f, "tokenizer.ggml.merges")}, {"ignore_merges", entry->ignoreMerges}};
        j["normalizer"] = nullptr;
        const nlohmann::json byteLevel = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", entry->regex == nullptr}};
        if (entry->regex) {
            j["pre_tokenizer"] = {{"type", "Sequence"},
                                  {"pretokenizers",
                                   {{{"type", "Split"}, {"pattern", {{"Regex", entry->regex}}}, {"behavior", "Isolated"}, {"invert", false}},
                                    byteLevel}}};
        } else {
            j["pre_tokenizer"] = byteLevel;
        }
        j["decoder"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
        if (pre == "roberta-bpe") {
            // <s> A </s>, and a pair as RoBERTa's: <s> A </s></s> B </s> (llama.cpp has no pairs).
            if (!bos || !eos) throw Error(where + ": a roberta-bpe vocabulary needs tokenizer.ggml.bos_token_id and tokenizer.ggml.eos_token_id");
            j["post_processor"] = {{"type", "RobertaProcessing"}, {"cls", {tokens[*bos], *bos}}, {"sep", {tokens[*eos], *eos}},
                                   {"trim_offsets", true}, {"add_prefix_space", false}};
        } else {
            j["post_processor"] = specialTemplate(tokens, bos, f.optionalBool("tokenizer.ggml.add_bos_token").value_or(false), eos,
                                                  f.optionalBool("tokenizer.ggml.add_eos_token").value_or(false));
        }
    } else if (*model == "t5") {
        // SentencePiece Unigram (T5): pieces with scores, the space prefix and whitespace handling
        // of its normalizer, and its precompiled character map.
        const std::vector<float> scores = numberArray<float>(f, "tokenizer.ggml.scores", tokens.size(), 0.0f);
        nlohmann::json pieces = nlohmann::json::array();
        for (std::size_t id = 0; id < tokens.size(); ++id) pieces.push_back(nlohmann::json::array({tokens[id], scores[id]}));
        std::optional<std::uint64_t> unk = f.optionalUnsigned("tokenizer.ggml.unknown_token_id");
        for (std::size_t id = 0; !unk && id < tokens.size(); ++id)
            if (types[id] == kUnknown) unk = id;
        if (unk) requireToken(*unk);
        j["model"] = {{"type", "Unigram"}, {"vocab", std::move(pieces)},
                      {"byte_fallback", std::find(types.begin(), types.end(), int(kByte)) != types.end()}};
        if (unk) j["model"]["unk_id"] = *unk;
        nlohmann::json normalizers = nlohmann::json::array();
        if (const auto* map = f.find("tokenizer.ggml.precompiled_charsmap")) {
            if (!map->is_array()) throw Error(where + ": metadata 'tokenizer.ggml.precompiled_charsmap' must be an array of bytes");
            std::string bytes;
            for (const auto& b : *map) {
                if (!b.is_number_integer()) throw Error(where + ": metadata 'tokenizer.ggml.precompiled_charsmap' must be an array of bytes");
                bytes += static_cast<char>(b.get<int>() & 0xFF);
            }
            if (!bytes.empty()) normalizers.push_back({{"type", "Precompiled"}, {"precompiled_charsmap", base64(bytes)}});
        }
        // llama.cpp (as SentencePiece) drops leading and trailing spaces and runs of spaces.
        if (f.optionalBool("tokenizer.ggml.remove_extra_whitespaces").value_or(false)) {
            normalizers.push_back({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}});
            normalizers.push_back({{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", " "}});
        }
        j["normalizer"] = normalizers.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"type", "Sequence"}, {"normalizers", normalizers}};
        const bool spacePrefix = f.optionalBool("tokenizer.ggml.add_space_prefix").value_or(true);
        const nlohmann::json metaspace = {{"type", "Metaspace"}, {"replacement", kPhantomSpace}, {"prepend_scheme", spacePrefix ? "always" : "never"},
                                          {"split", true}};
        j["pre_tokenizer"] = metaspace;
        j["decoder"] = metaspace;
        // llama.cpp's defaults for these vocabularies: no beginning token, </s> at the end.
        j["post_processor"] = specialTemplate(tokens, bos, f.optionalBool("tokenizer.ggml.add_bos_token").value_or(false), eos,
                                              f.optionalBool("tokenizer.ggml.add_eos_token").value_or(true));
    } else if (*model == "bert") {
        // llama.cpp's converter stores WordPiece pieces with a "phantom space": a word's first
        // piece as "\u2581x", a continuation "##x" as plain "x", control tokens as they are.
        nlohmann::json wordpiece = nlohmann::json::object();
        for (std::size_t id = 0; id < tokens.size(); ++id) {
            const std::string& t = tokens[id];
            std::string piece = types[id] == kControl ? t : t.rfind(kPhantomSpace, 0) == 0 ? t.substr(3) : "##" + t;
            if (!wordpiece.contains(piece)) wordpiece[piece] = id;
        }
        // llama.cpp's defaults are bert-base's ids; its WordPiece tokenizer always puts the
        // beginning token first and the separator last, whatever add_bos_token/add_eos_token say.
        const std::uint64_t unk = f.optionalUnsigned("tokenizer.ggml.unknown_token_id").value_or(100);
        const std::uint64_t first = bos.value_or(101);
        const std::uint64_t sep = f.optionalUnsigned("tokenizer.ggml.seperator_token_id").value_or(102);
        for (std::uint64_t id : {unk, first, sep}) requireToken(id);
        // The unknown token is a control token, so it is its own piece.
        j["model"] = {{"type", "WordPiece"}, {"vocab", std::move(wordpiece)}, {"unk_token", tokens[unk]}, {"continuing_subword_prefix", "##"},
                      {"max_input_chars_per_word", 100}};
        // BertNormalizer's flags as llama.cpp reads them: lowercase off unless stored, accents
        // stripped when lowercasing unless stored.
        const bool lowercase = f.optionalBool("tokenizer.ggml.normalizer.lowercase").value_or(false);
        j["normalizer"] = {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true},
                           {"strip_accents", f.optionalBool("tokenizer.ggml.normalizer.strip_accents").value_or(lowercase)}, {"lowercase", lowercase}};
        j["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
        j["decoder"] = {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}};
        // A pair as BERT's: [CLS] A [SEP] B [SEP], the second text's type 1 (llama.cpp has no pairs).
        j["post_processor"] = {{"type", "BertProcessing"}, {"cls", {tokens[first], first}}, {"sep", {tokens[sep], sep}}};
    } else {
        throw Error(where + ": tokenizer '" + *model + "' (tokenizer.ggml.model) is not one AttnScope builds from GGUF (llama, gpt2, bert, t5)");
    }
    return j;
}

std::unique_ptr<Tokenizer> ggufTokenizer(const GgufFile& f) {
    const nlohmann::json j = ggufTokenizerJson(f);
    if (j.is_null()) return nullptr;
    return loadTokenizerJson(j, f.path().string() + " (tokenizer.ggml)");
}

}  // namespace attnscope
