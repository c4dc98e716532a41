#include "text/TokenizerJsonLoader.h"

#include <fstream>
#include <sstream>

#include "text/BpeModel.h"
#include "text/ByteLevel.h"
#include "text/JsonFields.h"
#include "text/Pattern.h"
#include "text/PrecompiledNormalizer.h"
#include "text/Regex.h"
#include "text/UnigramModel.h"
#include "text/Utf8.h"
#include "text/WordLevelModel.h"
#include "text/WordPieceModel.h"

namespace attnscope {

namespace {

using nlohmann::json;

class Loader {
public:
    explicit Loader(std::string file) : f_(std::move(file)) {}

    std::unique_ptr<PipelineTokenizer> load(const json& root) {
        if (!root.is_object()) f_.fail("(root)", "expected an object");
        TokenizerParts parts;
        parts.model = model(f_.require(root, "", "model"), "model");
        parts.normalizer = normalizer(f_.optional(root, "normalizer"), "normalizer");
        parts.preTokenizer = preTokenizer(f_.optional(root, "pre_tokenizer"), "pre_tokenizer");
        parts.postProcessor = postProcessor(f_.optional(root, "post_processor"), "post_processor");
        parts.addedTokens = addedTokens(f_.optional(root, "added_tokens"), "added_tokens");
        // An unknown decoder only stops decoding (generated text), not tokenizing.
        try {
            parts.decoder = decoder(f_.optional(root, "decoder"), "decoder");
        } catch (const UnsupportedDecoder& e) {
            parts.unsupportedDecoder = e.what;
        }
        return std::make_unique<PipelineTokenizer>(std::move(parts));
    }

private:
    std::string typeOf(const json& node, const std::string& path) {
        if (!node.is_object()) f_.fail(path, "expected an object");
        return f_.string(node, path, "type");
    }

    [[noreturn]] void unsupported(const std::string& path, const std::string& what) {
        f_.fail(path, what + " is not supported");
    }

    std::string validUtf8(const std::string& s, const std::string& path) {
        try {
            utf8::validate(s, path);
        } catch (const Error&) {
            f_.fail(path, "invalid UTF-8");
        }
        return s;
    }

    std::shared_ptr<const Pattern> pattern(const json& node, const std::string& path) {
        if (!node.is_object()) f_.fail(path, "expected an object with String or Regex");
        if (node.contains("String")) {
            const json& s = node["String"];
            if (!s.is_string()) f_.fail(path + ".String", "expected a string");
            return std::make_shared<LiteralPattern>(s.get<std::string>());
        }
        if (node.contains("Regex")) {
            const json& r = node["Regex"];
            if (!r.is_string()) f_.fail(path + ".Regex", "expected a string");
            try {
                return std::make_shared<RegexPattern>(std::make_shared<Regex>(r.get<std::string>()));
            } catch (const Error& e) {
                f_.fail(path + ".Regex", e.what());
            }
        }
        f_.fail(path, "expected String or Regex");
    }

    SplitBehavior behavior(const json& node, const std::string& path, SplitBehavior fallback) {
        const std::optional<std::string> b = f_.optionalString(node, path, "behavior");
        if (!b) return fallback;
        if (*b == "Removed") return SplitBehavior::Removed;
        if (*b == "Isolated") return SplitBehavior::Isolated;
        if (*b == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
        if (*b == "MergedWithNext") return SplitBehavior::MergedWithNext;
        if (*b == "Contiguous") return SplitBehavior::Contiguous;
        f_.fail(path + ".behavior", "unknown behavior `" + *b + "`");
    }

    std::unique_ptr<Normalizer> normalizer(const json& node, const std::string& path) {
        if (node.is_null()) return nullptr;
        const std::string type = typeOf(node, path);
        if (type == "BertNormalizer") {
            const bool lowercase = f_.boolean(node, path, "lowercase", true);
            return std::make_unique<BertNormalizer>(f_.boolean(node, path, "clean_text", true),
                                                    f_.boolean(node, path, "handle_chinese_chars", true),
                                                    f_.boolean(node, path, "strip_accents", lowercase), lowercase);
        }
        if (type == "Sequence") {
            const json& list = f_.require(node, path, "normalizers");
            if (!list.is_array()) f_.fail(path + ".normalizers", "expected an array");
            std::vector<std::unique_ptr<Normalizer>> steps;
            for (std::size_t i = 0; i < list.size(); ++i)
                if (auto n = normalizer(list[i], path + ".normalizers[" + std::to_string(i) + "]"))
                    steps.push_back(std::move(n));
            return std::make_unique<SequenceNormalizer>(std::move(steps));
        }
        if (type == "NFD") return std::make_unique<UnicodeNormalizer>(unicode::NormalizationForm::NFD);
        if (type == "NFC") return std::make_unique<UnicodeNormalizer>(unicode::NormalizationForm::NFC);
        if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(unicode::NormalizationForm::NFKD);
        if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(unicode::NormalizationForm::NFKC);
        if (type == "Lowercase") return std::make_unique<LowercaseNormalizer>();
        if (type == "StripAccents") return std::make_unique<StripAccentsNormalizer>();
        if (type == "Strip")
            return std::make_unique<StripNormalizer>(f_.boolean(node, path, "strip_left", true),
                                                     f_.boolean(node, path, "strip_right", true));
        if (type == "Prepend") return std::make_unique<PrependNormalizer>(validUtf8(f_.string(node, path, "prepend"), path + ".prepend"));
        if (type == "Append") return std::make_unique<AppendNormalizer>(validUtf8(f_.string(node, path, "append"), path + ".append"));
        if (type == "Precompiled") return precompiled(node, path);
        if (type == "Replace")
            return std::make_unique<ReplaceNormalizer>(pattern(f_.require(node, path, "pattern"), path + ".pattern"),
                                                       validUtf8(f_.string(node, path, "content"), path + ".content"));
        unsupported(path + ".type", "the normalizer `" + type + "`");
    }

    // SentencePiece's compiled rules, base64 in the file. A charsmap that is null or empty
    // (a SentencePiece model trained with the identity rule) changes nothing.
    std::unique_ptr<Normalizer> precompiled(const json& node, const std::string& path) {
        const std::string field = path + ".precompiled_charsmap";
        const std::optional<std::string> encoded = f_.optionalString(node, path, "precompiled_charsmap");
        if (!encoded || encoded->empty()) return nullptr;
        const std::string where = f_.file() + ": " + field;
        return std::make_unique<PrecompiledNormalizer>(PrecompiledCharsMap(decodeBase64(*encoded, where), where));
    }

    // Metaspace's prepend_scheme (default "always"). Files from before it existed say
    // add_prefix_space; like the crate, a false one is refused unless the scheme is "never",
    // rather than guessing which of the two the file meant.
    MetaspacePreTokenizer::PrependScheme prependScheme(const json& node, const std::string& path) {
        using Scheme = MetaspacePreTokenizer::PrependScheme;
        const std::string name = f_.optionalString(node, path, "prepend_scheme").value_or("always");
        Scheme scheme = Scheme::Always;
        if (name == "first") scheme = Scheme::First;
        else if (name == "never") scheme = Scheme::Never;
        else if (name != "always") f_.fail(path + ".prepend_scheme", "unknown scheme `" + name + "` (expected always, first or never)");
        if (!f_.boolean(node, path, "add_prefix_space", true) && scheme != Scheme::Never)
            f_.fail(path + ".add_prefix_space", "false contradicts prepend_scheme `" + name + "` (the default when absent is always)");
        return scheme;
    }

    std::unique_ptr<PreTokenizer> preTokenizer(const json& node, const std::string& path) {
        if (node.is_null()) return nullptr;
        const std::string type = typeOf(node, path);
        if (type == "BertPreTokenizer") return std::make_unique<BertPreTokenizer>();
        if (type == "ByteLevel")
            return std::make_unique<ByteLevelPreTokenizer>(f_.boolean(node, path, "add_prefix_space", true),
                                                           f_.boolean(node, path, "use_regex", true));
        if (type == "Whitespace") return std::make_unique<WhitespacePreTokenizer>();
        if (type == "WhitespaceSplit") return std::make_unique<WhitespaceSplitPreTokenizer>();
        if (type == "Punctuation")
            return std::make_unique<PunctuationPreTokenizer>(behavior(node, path, SplitBehavior::Isolated));
        if (type == "Digits") return std::make_unique<DigitsPreTokenizer>(f_.boolean(node, path, "individual_digits", false));
        if (type == "CharDelimiterSplit") {
            const std::u32string d = utf8::decode(validUtf8(f_.string(node, path, "delimiter"), path + ".delimiter"));
            if (d.size() != 1) f_.fail(path + ".delimiter", "expected a single character");
            return std::make_unique<CharDelimiterSplitPreTokenizer>(d[0]);
        }
        if (type == "Metaspace") {
            const std::string replacement = validUtf8(f_.string(node, path, "replacement"), path + ".replacement");
            if (utf8::countChars(replacement) != 1) f_.fail(path + ".replacement", "expected a single character");
            return std::make_unique<MetaspacePreTokenizer>(replacement, prependScheme(node, path),
                                                           f_.boolean(node, path, "split", true));
        }
        if (type == "Split") {
            std::shared_ptr<const Pattern> p = pattern(f_.require(node, path, "pattern"), path + ".pattern");
            if (f_.boolean(node, path, "invert", false)) p = std::make_shared<InvertedPattern>(p);
            return std::make_unique<SplitPreTokenizer>(p, behavior(node, path, SplitBehavior::Isolated));
        }
        if (type == "Sequence") {
            const json& list = f_.require(node, path, "pretokenizers");
            if (!list.is_array()) f_.fail(path + ".pretokenizers", "expected an array");
            std::vector<std::unique_ptr<PreTokenizer>> steps;
            for (std::size_t i = 0; i < list.size(); ++i)
                if (auto p = preTokenizer(list[i], path + ".pretokenizers[" + std::to_string(i) + "]"))
                    steps.push_back(std::move(p));
            return std::make_unique<SequencePreTokenizer>(std::move(steps));
        }
        unsupported(path + ".type", "the pre-tokenizer `" + type + "`");
    }

    Vocab vocabObject(const json& node, const std::string& path) {
        const json& v = f_.require(node, path, "vocab");
        if (!v.is_object()) f_.fail(path + ".vocab", "expected an object");
        Vocab vocab;
        vocab.reserve(v.size());
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (!it.value().is_number_integer()) f_.fail(path + ".vocab." + it.key(), "expected an integer id");
            vocab.insert_or_assign(validUtf8(it.key(), path + ".vocab"), it.value().get<int>());
        }
        return vocab;
    }

    std::unique_ptr<Model> model(const json& node, const std::string& path) {
        if (!node.is_object()) f_.fail(path, "expected an object");
        std::string type;
        if (node.contains("type")) {
            type = f_.string(node, path, "type");
        } else if (node.contains("merges")) {  // files written before models were tagged
            type = "BPE";
        } else if (node.contains("vocab") && node["vocab"].is_array()) {
            type = "Unigram";
        } else if (node.contains("continuing_subword_prefix") || node.contains("max_input_chars_per_word")) {
            type = "WordPiece";
        } else {
            type = "WordLevel";
        }
        try {
            if (type == "BPE") return bpe(node, path);
            if (type == "WordPiece")
                return std::make_unique<WordPieceModel>(
                    vocabObject(node, path), f_.optionalString(node, path, "unk_token").value_or("[UNK]"),
                    f_.optionalString(node, path, "continuing_subword_prefix").value_or("##"),
                    static_cast<std::size_t>(f_.integer(node, path, "max_input_chars_per_word", 100)));
            if (type == "WordLevel")
                return std::make_unique<WordLevelModel>(vocabObject(node, path),
                                                        f_.optionalString(node, path, "unk_token").value_or("<unk>"));
            if (type == "Unigram") return unigram(node, path);
        } catch (const Error& e) {
            const std::string message = e.what();
            if (message.rfind(f_.file(), 0) == 0) throw;  // already names the file
            f_.fail(path, message);
        }
        unsupported(path + ".type", "the model `" + type + "`");
    }

    std::unique_ptr<Model> bpe(const json& node, const std::string& path) {
        Vocab vocab = vocabObject(node, path);
        std::vector<std::pair<std::string, std::string>> merges;
        const json& m = f_.optional(node, "merges");
        if (!m.is_null() && !m.is_array()) f_.fail(path + ".merges", "expected an array");
        if (m.is_array()) {
            merges.reserve(m.size());
            for (std::size_t i = 0; i < m.size(); ++i) {
                const std::string where = path + ".merges[" + std::to_string(i) + "]";
                if (m[i].is_string()) {
                    const std::string line = m[i].get<std::string>();
                    const std::size_t space = line.find(' ');
                    if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
                        f_.fail(where, "expected two tokens separated by one space");
                    merges.emplace_back(line.substr(0, space), line.substr(space + 1));
                } else if (m[i].is_array() && m[i].size() == 2 && m[i][0].is_string() && m[i][1].is_string()) {
                    merges.emplace_back(m[i][0].get<std::string>(), m[i][1].get<std::string>());
                } else {
                    f_.fail(where, "expected \"a b\" or [\"a\", \"b\"]");
                }
            }
        }
        BpeOptions options;
        options.unkToken = f_.optionalString(node, path, "unk_token");
        options.continuingSubwordPrefix = f_.optionalString(node, path, "continuing_subword_prefix");
        options.endOfWordSuffix = f_.optionalString(node, path, "end_of_word_suffix");
        options.fuseUnk = f_.boolean(node, path, "fuse_unk", false);
        options.byteFallback = f_.boolean(node, path, "byte_fallback", false);
        options.ignoreMerges = f_.boolean(node, path, "ignore_merges", false);
        return std::make_unique<BpeModel>(std::move(vocab), merges, std::move(options));
    }

    std::unique_ptr<Model> unigram(const json& node, const std::string& path) {
        const json& v = f_.require(node, path, "vocab");
        if (!v.is_array()) f_.fail(path + ".vocab", "expected an array of [piece, score]");
        std::vector<std::pair<std::string, double>> pieces;
        pieces.reserve(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            const json& e = v[i];
            if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number())
                f_.fail(path + ".vocab[" + std::to_string(i) + "]", "expected [piece, score]");
            pieces.emplace_back(validUtf8(e[0].get<std::string>(), path + ".vocab"), e[1].get<double>());
        }
        std::optional<int> unkId;
        const json& u = f_.optional(node, "unk_id");
        if (!u.is_null()) {
            if (!u.is_number_integer()) f_.fail(path + ".unk_id", "expected an integer");
            unkId = u.get<int>();
        }
        return std::make_unique<UnigramModel>(std::move(pieces), unkId, f_.boolean(node, path, "byte_fallback", false));
    }

    std::pair<std::string, int> tokenAndId(const json& node, const std::string& path, const char* key) {
        const json& v = f_.require(node, path, key);
        if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_number_integer())
            f_.fail(FieldsJoin(path, key), "expected [token, id]");
        return {v[0].get<std::string>(), v[1].get<int>()};
    }
    static std::string FieldsJoin(const std::string& path, const char* key) { return JsonFields::join(path, key); }

    std::vector<TemplateProcessing::Piece> templatePieces(const json& list, const std::string& path) {
        if (!list.is_array()) f_.fail(path, "expected an array");
        std::vector<TemplateProcessing::Piece> pieces;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string where = path + "[" + std::to_string(i) + "]";
            const json& item = list[i];
            TemplateProcessing::Piece piece;
            if (item.is_object() && item.contains("Sequence")) {
                const json& s = item["Sequence"];
                const std::string id = f_.string(s, where + ".Sequence", "id");
                if (id != "A" && id != "B") f_.fail(where + ".Sequence.id", "expected A or B");
                piece.isSequence = true;
                piece.sequence = id == "A" ? 0 : 1;
                piece.typeId = static_cast<int>(f_.integer(s, where + ".Sequence", "type_id", 0));
            } else if (item.is_object() && item.contains("SpecialToken")) {
                const json& s = item["SpecialToken"];
                piece.specialId = f_.string(s, where + ".SpecialToken", "id");
                piece.typeId = static_cast<int>(f_.integer(s, where + ".SpecialToken", "type_id", 0));
            } else {
                f_.fail(where, "expected a Sequence or SpecialToken piece");
            }
            pieces.push_back(std::move(piece));
        }
        return pieces;
    }

    struct UnsupportedDecoder {
        std::string what;
    };

    std::unique_ptr<Decoder> decoder(const json& node, const std::string& path) {
        if (node.is_null()) return nullptr;
        const std::string type = typeOf(node, path);
        if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
        if (type == "WordPiece")
            return std::make_unique<WordPieceDecoder>(f_.optionalString(node, path, "prefix").value_or("##"),
                                                      f_.boolean(node, path, "cleanup", true));
        if (type == "Metaspace")
            return std::make_unique<MetaspaceDecoder>(f_.optionalString(node, path, "replacement").value_or("\u2581"),
                                                      prependScheme(node, path) != MetaspacePreTokenizer::PrependScheme::Never);
        if (type == "Replace") {
            const json& pattern = f_.require(node, path, "pattern");
            const auto literal = f_.optionalString(pattern, path + ".pattern", "String");
            if (!literal) throw UnsupportedDecoder{"the decoder Replace with a regex pattern (" + path + ")"};
            return std::make_unique<ReplaceDecoder>(*literal, f_.string(node, path, "content"));
        }
        if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
        if (type == "Fuse") return std::make_unique<FuseDecoder>();
        if (type == "Strip")
            return std::make_unique<StripDecoder>(f_.string(node, path, "content"), static_cast<int>(f_.integer(node, path, "start", 0)),
                                                  static_cast<int>(f_.integer(node, path, "stop", 0)));
        if (type == "Sequence") {
            const json& list = f_.require(node, path, "decoders");
            if (!list.is_array()) f_.fail(path + ".decoders", "expected a list");
            std::vector<std::unique_ptr<Decoder>> steps;
            for (std::size_t i = 0; i < list.size(); ++i)
                if (auto d = decoder(list[i], path + ".decoders[" + std::to_string(i) + "]")) steps.push_back(std::move(d));
            return std::make_unique<SequenceDecoder>(std::move(steps));
        }
        throw UnsupportedDecoder{"the decoder `" + type + "` (" + path + ".type)"};
    }

    std::unique_ptr<PostProcessor> postProcessor(const json& node, const std::string& path) {
        if (node.is_null()) return nullptr;
        const std::string type = typeOf(node, path);
        if (type == "TemplateProcessing") {
            std::map<std::string, TemplateProcessing::SpecialToken> specials;
            const json& st = f_.optional(node, "special_tokens");
            if (!st.is_null() && !st.is_object()) f_.fail(path + ".special_tokens", "expected an object");
            if (st.is_object()) {
                for (auto it = st.begin(); it != st.end(); ++it) {
                    const std::string where = path + ".special_tokens." + it.key();
                    TemplateProcessing::SpecialToken token;
                    const json& ids = f_.require(it.value(), where, "ids");
                    const json& tokens = f_.require(it.value(), where, "tokens");
                    if (!ids.is_array() || !tokens.is_array() || ids.size() != tokens.size())
                        f_.fail(where, "expected ids and tokens arrays of the same length");
                    for (std::size_t i = 0; i < ids.size(); ++i) {
                        if (!ids[i].is_number_integer() || !tokens[i].is_string())
                            f_.fail(where, "expected integer ids and string tokens");
                        token.ids.push_back(ids[i].get<int>());
                        token.tokens.push_back(tokens[i].get<std::string>());
                    }
                    specials[it.key()] = std::move(token);
                }
            }
            auto single = templatePieces(f_.require(node, path, "single"), path + ".single");
            auto pair = templatePieces(f_.require(node, path, "pair"), path + ".pair");
            for (const auto* list : {&single, &pair})
                for (const auto& piece : *list)
                    if (!piece.isSequence && !specials.count(piece.specialId))
                        f_.fail(path + ".special_tokens", "missing the special token `" + piece.specialId + "`");
            return std::make_unique<TemplateProcessing>(std::move(single), std::move(pair), std::move(specials));
        }
        if (type == "BertProcessing")
            return std::make_unique<BertProcessing>(tokenAndId(node, path, "sep"), tokenAndId(node, path, "cls"));
        if (type == "RobertaProcessing")
            return std::make_unique<RobertaProcessing>(tokenAndId(node, path, "sep"), tokenAndId(node, path, "cls"),
                                                       f_.boolean(node, path, "trim_offsets", true),
                                                       f_.boolean(node, path, "add_prefix_space", true));
        if (type == "ByteLevel")
            return std::make_unique<ByteLevelProcessing>(f_.boolean(node, path, "trim_offsets", true),
                                                         f_.boolean(node, path, "add_prefix_space", true));
        if (type == "Sequence") {
            const json& list = f_.require(node, path, "processors");
            if (!list.is_array()) f_.fail(path + ".processors", "expected an array");
            std::vector<std::unique_ptr<PostProcessor>> steps;
            for (std::size_t i = 0; i < list.size(); ++i)
                if (auto p = postProcessor(list[i], path + ".processors[" + std::to_string(i) + "]"))
                    steps.push_back(std::move(p));
            return std::make_unique<SequenceProcessing>(std::move(steps));
        }
        unsupported(path + ".type", "the post-processor `" + type + "`");
    }

    std::vector<AddedToken> addedTokens(const json& list, const std::string& path) {
        std::vector<AddedToken> out;
        if (list.is_null()) return out;
        if (!list.is_array()) f_.fail(path, "expected an array");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string where = path + "[" + std::to_string(i) + "]";
            const json& t = list[i];
            AddedToken token;
            token.id = static_cast<int>(f_.integer(t, where, "id", std::nullopt));
            token.content = validUtf8(f_.string(t, where, "content"), where + ".content");
            token.singleWord = f_.boolean(t, where, "single_word", false);
            token.lstrip = f_.boolean(t, where, "lstrip", false);
            token.rstrip = f_.boolean(t, where, "rstrip", false);
            token.special = f_.boolean(t, where, "special", false);
            token.normalized = f_.boolean(t, where, "normalized", !token.special);
            out.push_back(std::move(token));
        }
        return out;
    }

    JsonFields f_;
};

}  // namespace

std::unique_ptr<PipelineTokenizer> loadTokenizerJson(const nlohmann::json& root, const std::string& file) {
    return Loader(file).load(root);
}

nlohmann::json readJsonFile(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot open the file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    try {
        return nlohmann::json::parse(buffer.str());
    } catch (const nlohmann::json::exception& e) {
        throw Error(file.string() + ": invalid JSON (" + std::string(e.what()) + ")");
    }
}

}  // namespace attnscope
