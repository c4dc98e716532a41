// Tokenizers as today's small LLM checkpoints ship them (issue #17): Llama 3's byte-level BPE
// behind a Split regex (the kind SmolLM3 and OLMo 2 use too), Qwen2/3's NFC and one-digit
// Split, Gemma's and Phi-3's SentencePiece-style BPE with byte fallback. Each test builds a
// tokenizer.json of the structure the checkpoint ships (the same keys and options, from
// transformers' convert_slow_tokenizer.py and a published Llama 3 file) with a tiny
// vocabulary, and checks ids, tokens, offsets and decoding on hard strings. The expected
// values follow from the algorithms: the regex's leftmost-first alternatives, BPE's
// lowest-rank-then-leftmost merges, GPT-2's byte-to-char table, and the alignments tokenizers
// keeps through each normalizer; where that is not obvious it is worked out in a comment.
#include <QtTest>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/TokenizerJsonLoader.h"

using attnscope::Encoding;
using attnscope::Tokenizer;
using nlohmann::json;

namespace {

const char* const kLlama3Split =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Qwen2's: the same but for \p{N}, one digit at a time.
const char* const kQwenSplit =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// GPT-2's bytes_to_unicode, written out again here so that a wrong table in the engine shows:
// printable bytes stand for themselves, the others take U+0100 onwards in byte order.
std::string byteChar(unsigned char b) {
    const auto printable = [](int x) { return (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || x >= 0xAE; };
    char32_t c = b;
    if (!printable(b)) {
        c = 0x100;
        for (int x = 0; x < b; ++x) c += printable(x) ? 0 : 1;
    }
    if (c < 0x80) return std::string(1, static_cast<char>(c));
    return {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
}

// How byte-level BPE spells the UTF-8 bytes of `text` ("Ġdon" for " don").
std::string bl(std::string_view text) {
    std::string out;
    for (char ch : text) out += byteChar(static_cast<unsigned char>(ch));
    return out;
}

std::string byteToken(unsigned b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    return buf;
}

// A BPE vocabulary built in rank order: each merge adds the merged token.
struct Vocab {
    json tokens = json::object();
    json merges = json::array();
    std::map<std::string, int> added;  // added tokens, which may live outside the model's ids
    int next = 0;

    void add(const std::string& t) {
        if (!tokens.contains(t)) tokens[t] = next++;
    }
    void merge(const std::string& a, const std::string& b) {
        merges.push_back(a + " " + b);
        add(a + b);
    }
    int id(const std::string& t) const { return added.count(t) ? added.at(t) : tokens.at(t).get<int>(); }
    std::vector<int> ids(const std::vector<std::string>& ts) const {
        std::vector<int> out;
        for (const auto& t : ts) out.push_back(id(t));
        return out;
    }
};

json addedToken(Vocab& v, int id, const std::string& content, bool special, bool rstrip = false) {
    v.added[content] = id;
    return {{"id", id}, {"content", content}, {"single_word", false}, {"lstrip", false},
            {"rstrip", rstrip}, {"normalized", false}, {"special", special}};
}

json bpeModel(const Vocab& v, json options) {
    json model = {{"type", "BPE"}, {"dropout", nullptr}, {"vocab", v.tokens}, {"merges", v.merges}};
    model.update(options);
    return model;
}

// LlamaTokenizerFast / GemmaTokenizerFast's template: "BOS:0 $A:0" and "BOS:0 $A:0 BOS:1 $B:1".
json bosTemplate(const std::string& bos, int id) {
    const auto special = [&](int type) { return json{{"SpecialToken", {{"id", bos}, {"type_id", type}}}}; };
    const auto sequence = [](const char* s, int type) { return json{{"Sequence", {{"id", s}, {"type_id", type}}}}; };
    return {{"type", "TemplateProcessing"},
            {"single", json::array({special(0), sequence("A", 0)})},
            {"pair", json::array({special(0), sequence("A", 0), special(1), sequence("B", 1)})},
            {"special_tokens", {{bos, {{"id", bos}, {"ids", json::array({id})}, {"tokens", json::array({bos})}}}}}};
}

json sequenceOf(const char* key, std::initializer_list<json> items) {
    json list = json::array();
    for (const json& item : items) list.push_back(item);
    return {{"type", "Sequence"}, {key, list}};
}

json splitRegex(const char* regex) {
    return {{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}, {"invert", false}};
}

json byteLevel(bool addPrefixSpace, bool trimOffsets, bool useRegex) {
    return {{"type", "ByteLevel"}, {"add_prefix_space", addPrefixSpace}, {"trim_offsets", trimOffsets}, {"use_regex", useRegex}};
}

std::unique_ptr<Tokenizer> load(const json& root) { return attnscope::loadTokenizerJson(root, "tokenizer.json"); }

struct Expected {
    std::vector<std::string> tokens;
    std::vector<std::pair<int, int>> offsets;
};

// "" when the encoding is the expected one, else what differs (token strings shown).
QByteArray mismatch(const Encoding& e, const Vocab& v, const Expected& want) {
    QByteArray got, expected;
    for (std::size_t i = 0; i < e.size(); ++i)
        got += QByteArray::fromStdString(e.tokens[i]) + QByteArray::number(e.ids[i]) + "(" +
               QByteArray::number(e.offsets[i].first) + "," + QByteArray::number(e.offsets[i].second) + ") ";
    for (std::size_t i = 0; i < want.tokens.size(); ++i)
        expected += QByteArray::fromStdString(want.tokens[i]) + QByteArray::number(v.id(want.tokens[i])) + "(" +
                    QByteArray::number(want.offsets[i].first) + "," + QByteArray::number(want.offsets[i].second) + ") ";
    return got == expected ? QByteArray() : "got " + got + "\nwant " + expected;
}

// Llama 3 (meta-llama/Meta-Llama-3-8B's tokenizer.json): no normalizer, the Split regex then
// ByteLevel without its own regex, BPE with ignore_merges, ByteLevel (trim_offsets false) then
// <|begin_of_text|> as post-processing, and the ByteLevel decoder.
Vocab llama3Vocab() {
    Vocab v;
    for (int b = 0; b < 256; ++b) v.add(byteChar(static_cast<unsigned char>(b)));
    v.merge(bl(" "), bl("d"));
    v.merge(bl("o"), bl("n"));
    v.merge(bl("'"), bl("t"));
    v.merge(bl("T"), bl("w"));  // ranked before "' T": only a piece boundary keeps "'T" together
    v.merge(bl("'"), bl("T"));
    v.merge(bl("4"), bl("5"));
    v.merge(bl("\n"), bl("\n"));
    v.merge(bl(" "), bl(" "));
    v.merge(bl(" "), bl("b"));
    v.merge(bl("!"), bl("!"));
    v.merge(bl("h"), bl("i"));
    v.merge(bl("'"), bl("\xC5"));      // "'" and the first byte of "ſ" (C5 BF)
    v.merge(bl("\xBF"), bl("e"));      // the last byte of "ſ" and "e"
    v.merge(bl("\xE6"), bl("\x9D"));   // the first two bytes of "東" (E6 9D B1)
    v.add(bl(" don"));  // whole words no merge reaches: only ignore_merges takes them
    v.add(bl("123"));
    return v;
}

json llama3Json(Vocab& v, bool ignoreMerges) {
    json added = json::array({addedToken(v, 128000, "<|begin_of_text|>", true), addedToken(v, 128001, "<|end_of_text|>", true),
                              addedToken(v, 128009, "<|eot_id|>", true)});
    return {{"version", "1.0"},
            {"added_tokens", added},
            {"normalizer", nullptr},
            {"pre_tokenizer", sequenceOf("pretokenizers", {splitRegex(kLlama3Split), byteLevel(false, true, false)})},
            {"post_processor", sequenceOf("processors", {byteLevel(true, false, true), bosTemplate("<|begin_of_text|>", 128000)})},
            {"decoder", byteLevel(true, true, true)},
            {"model", bpeModel(v, {{"unk_token", nullptr}, {"continuing_subword_prefix", nullptr}, {"end_of_word_suffix", nullptr},
                                   {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", ignoreMerges}})}};
}

// Phi-3 / Phi-3.5-mini (LlamaConverter, as Llama 2 and Mistral): SentencePiece BPE with byte
// fallback, decoded by Replace, ByteFallback, Fuse and a Strip of one leading space. A file
// written with legacy=true puts the "▁" in with normalizers (Prepend, Replace); with
// legacy=false (Phi-3's tokenizer_config says so) a Metaspace pre-tokenizer does, prepending
// only at the very start of the text and not splitting. Phi-3 adds no BOS (add_bos_token
// false), and its chat tokens strip the whitespace after them (rstrip).
Vocab phi3Vocab() {
    Vocab v;
    for (const char* t : {"<unk>", "<s>", "</s>"}) v.add(t);
    for (unsigned b = 0; b < 256; ++b) v.add(byteToken(b));
    for (const char* t : {"\u2581", "H", "i", "t", "h", "e", "r"}) v.add(t);
    for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{
             {"H", "i"}, {"\u2581", "Hi"}, {"\u2581", "t"}, {"h", "e"}, {"\u2581t", "he"}, {"r", "e"}, {"\u2581the", "re"}})
        v.merge(a, b);
    return v;
}

json phi3Json(Vocab& v, bool legacy) {
    const json added = json::array({addedToken(v, 0, "<unk>", true), addedToken(v, 1, "<s>", true), addedToken(v, 2, "</s>", true),
                                    addedToken(v, 32000, "<|endoftext|>", true), addedToken(v, 32007, "<|end|>", true, true),
                                    addedToken(v, 32010, "<|user|>", true, true)});
    const json replace = {{"type", "Replace"}, {"pattern", {{"String", "\u2581"}}}, {"content", " "}};
    const json a = {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}, b = {{"Sequence", {{"id", "B"}, {"type_id", 1}}}};
    json root = {{"added_tokens", added},
                 {"normalizer", nullptr},
                 {"pre_tokenizer", nullptr},
                 {"post_processor", {{"type", "TemplateProcessing"}, {"single", json::array({a})}, {"pair", json::array({a, b})},
                                     {"special_tokens", json::object()}}},
                 {"decoder", sequenceOf("decoders", {replace, {{"type", "ByteFallback"}}, {{"type", "Fuse"}},
                                                     {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}})},
                 {"model", bpeModel(v, {{"unk_token", "<unk>"}, {"fuse_unk", true}, {"byte_fallback", true},
                                        {"ignore_merges", false}})}};
    if (legacy)
        root["normalizer"] = sequenceOf("normalizers", {{{"type", "Prepend"}, {"prepend", "\u2581"}},
                                                        {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}}});
    else
        root["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "first"}, {"split", false}};
    return root;
}

}  // namespace

class TestLlmTokenizers : public QObject {
    Q_OBJECT

private slots:
    void llama3();
    void llama3WithoutIgnoreMerges();
    void llama3PairAndPartialUtf8();
    void qwen();
    void gemma();
    void phi3LegacyAndMetaspace();
    void metaspaceSchemesAndSplit();
};

void TestLlmTokenizers::llama3() {
    Vocab v = llama3Vocab();
    const auto tok = load(llama3Json(v, true));
    const std::string bos = "<|begin_of_text|>";
    const std::vector<std::pair<std::string, Expected>> rows = {
        // Pieces "I" "'LL" (the (?i:'ll) alternative) " don" "'t". "'LL" has no merge: three
        // tokens; " don" is in the vocabulary, so ignore_merges takes it whole.
        {"I'LL don't", {{bos, bl("I"), bl("'"), bl("L"), bl("L"), bl(" don"), bl("'t")},
                        {{0, 0}, {0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 8}, {8, 10}}}},
        // The first alternative that matches wins, though the second would match more:
        // "'T" | "was", not "'Twas" (where the "T w" merge would come first).
        {"'Twas", {{bos, bl("'T"), bl("w"), bl("a"), bl("s")}, {{0, 0}, {0, 2}, {2, 3}, {3, 4}, {4, 5}}}},
        // (?i) is Oniguruma's case folding, under which "ſ" (U+017F) folds to "s": "'ſ" | "e",
        // so "¿e" cannot form. Both bytes of ſ keep ſ's whole span, as every byte-level char
        // keeps the span of the char it came from.
        {"'\u017Fe", {{bos, bl("'\xC5"), bl("\xBF"), bl("e")}, {{0, 0}, {0, 2}, {1, 2}, {2, 3}}}},
        // \p{N}{1,3}: "123" "456" "7"; "123" is whole in the vocabulary, "456" merges to "45" "6".
        {"1234567", {{bos, bl("123"), bl("45"), bl("6"), bl("7")}, {{0, 0}, {0, 3}, {3, 5}, {5, 6}, {6, 7}}}},
        // "a" | "\n\n" (\s*[\r\n]+, \s* giving back until a newline follows) | " " (\s+(?!\S)
        // gives back the space before "b") | " b" | "   " (\s+(?!\S) at the end). "   " is not
        // in the vocabulary: BPE merges the leftmost of its two equal-rank "Ġ Ġ" pairs.
        {"a\n\n  b   ", {{bos, bl("a"), bl("\n\n"), bl(" "), bl(" b"), bl("  "), bl(" ")},
                        {{0, 0}, {0, 1}, {1, 3}, {3, 4}, {4, 6}, {6, 8}, {8, 9}}}},
        // "(don" ([^\r\n\p{L}\p{N}]?\p{L}+) | "'t" | ")!!\n\n" (punctuation, then [\r\n]*) | "OK".
        {"(don't)!!\n\nOK", {{bos, bl("("), bl("d"), bl("on"), bl("'t"), bl(")"), bl("!!"), bl("\n\n"), bl("O"), bl("K")},
                             {{0, 0}, {0, 1}, {1, 2}, {2, 4}, {4, 6}, {6, 7}, {7, 9}, {9, 11}, {11, 12}, {12, 13}}}},
        // "東京" (\p{L}+) | "🙂" (a symbol). Only E6 9D merges; every byte token of a char
        // carries that char's span.
        {"東京🙂", {{bos, bl("\xE6\x9D"), bl("\xB1"), bl("\xE4"), bl("\xBA"), bl("\xAC"),
                    bl("\xF0"), bl("\x9F"), bl("\x99"), bl("\x82")},
                   {{0, 0}, {0, 1}, {0, 1}, {1, 2}, {1, 2}, {1, 2}, {2, 3}, {2, 3}, {2, 3}, {2, 3}}}},
        {"<|eot_id|>hi", {{bos, "<|eot_id|>", bl("hi")}, {{0, 0}, {0, 10}, {10, 12}}}},
    };
    for (const auto& [text, want] : rows) {
        const Encoding e = tok->encode(text);
        QVERIFY2(mismatch(e, v, want).isEmpty(), text.c_str() + ("\n" + mismatch(e, v, want)));
        QCOMPARE(e.typeIds, std::vector<int>(e.size(), 0));
        QVERIFY(e.specialTokensMask.front());
        // Byte-level loses nothing: decoding gives the text back (special tokens skipped).
        if (text.find("<|") == std::string::npos)
            QVERIFY2(tok->decode(e.ids) == text, (text + " decoded as " + tok->decode(e.ids)).c_str());
    }
    QCOMPARE(tok->decode(tok->encode("<|eot_id|>hi").ids), std::string("hi"));
    QCOMPARE(tok->decode(tok->encode("<|eot_id|>hi").ids, false), std::string("<|begin_of_text|><|eot_id|>hi"));
    QCOMPARE(tok->encode("hi", std::nullopt, false).tokens, std::vector<std::string>{bl("hi")});
}

// ignore_merges false (GPT-2 and most byte-level files): a word in the vocabulary is still
// built by its merges, so " don" is "Ġd" "on" and "123" three digits.
void TestLlmTokenizers::llama3WithoutIgnoreMerges() {
    Vocab v = llama3Vocab();
    const auto tok = load(llama3Json(v, false));
    const std::string bos = "<|begin_of_text|>";
    Expected want{{bos, bl("I"), bl("'"), bl("L"), bl("L"), bl(" d"), bl("on"), bl("'t")},
                  {{0, 0}, {0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 6}, {6, 8}, {8, 10}}};
    QVERIFY2(mismatch(tok->encode("I'LL don't"), v, want).isEmpty(), mismatch(tok->encode("I'LL don't"), v, want));
    want = {{bos, bl("1"), bl("2"), bl("3"), bl("45"), bl("6"), bl("7")}, {{0, 0}, {0, 1}, {1, 2}, {2, 3}, {3, 5}, {5, 6}, {6, 7}}};
    QVERIFY2(mismatch(tok->encode("1234567"), v, want).isEmpty(), mismatch(tok->encode("1234567"), v, want));
}

void TestLlmTokenizers::llama3PairAndPartialUtf8() {
    Vocab v = llama3Vocab();
    const auto tok = load(llama3Json(v, true));
    // The pair template puts a second <|begin_of_text|> of type 1 before the second text.
    const Encoding pair = tok->encode("hi", std::string_view("a"));
    QCOMPARE(pair.tokens, (std::vector<std::string>{"<|begin_of_text|>", bl("hi"), "<|begin_of_text|>", bl("a")}));
    QCOMPARE(pair.typeIds, (std::vector<int>{0, 0, 1, 1}));
    QCOMPARE(pair.offsets, (std::vector<std::pair<int, int>>{{0, 0}, {0, 2}, {0, 0}, {0, 1}}));
    QCOMPARE(pair.sequenceIds, (std::vector<int>{-1, 0, -1, 1}));
    // Generation decodes text whose last char may still be incomplete. All tokens' bytes are
    // read together: "東" comes back from two tokens; each maximal ill-formed part of the
    // bytes is one U+FFFD, as String::from_utf8_lossy makes it: E6 9D (two of the three
    // bytes of 東) is one, F0 9F 99 (three of 🙂's four) is one, a lone 9F is one.
    const std::string fffd = "\uFFFD";
    QCOMPARE(tok->decode({v.id(bl("\xE6\x9D")), v.id(bl("\xB1"))}), std::string("東"));
    QCOMPARE(tok->decode({v.id(bl("\xE6\x9D"))}), fffd);
    QCOMPARE(tok->decode({v.id(bl("\xE6\x9D")), v.id(bl("a"))}), fffd + "a");
    QCOMPARE(tok->decode({v.id(bl("\xF0")), v.id(bl("\x9F")), v.id(bl("\x99")), v.id(bl("!"))}), fffd + "!");
    QCOMPARE(tok->decode({v.id(bl("\x9F")), v.id(bl("\x9F"))}), fffd + fffd);
}

// Qwen2.5 / Qwen3 (transformers' Qwen2Converter): NFC, the one-digit Split, ByteLevel without
// prefix space or regex, BPE whose prefix and suffix are "" (not null), a ByteLevel
// post-processor that trims nothing, and no BOS.
void TestLlmTokenizers::qwen() {
    Vocab v;
    for (int b = 0; b < 256; ++b) v.add(byteChar(static_cast<unsigned char>(b)));
    v.merge(bl("\xC3"), bl("\xA9"));  // é is C3 A9
    v.merge(bl("C"), bl("a"));
    v.merge(bl("Ca"), bl("f"));
    v.merge(bl("Caf"), bl("é"));
    v.merge(bl("u"), bl("s"));
    v.merge(bl("e"), bl("r"));
    v.merge(bl("us"), bl("er"));
    v.merge(bl("H"), bl("i"));
    v.merge(bl("1"), bl("2"));  // never used: the Split gives each digit a piece of its own
    const json added = json::array({addedToken(v, 151643, "<|endoftext|>", true), addedToken(v, 151644, "<|im_start|>", true),
                                    addedToken(v, 151645, "<|im_end|>", true), addedToken(v, 151667, "<think>", false)});
    const auto tok = load({{"added_tokens", added},
                           {"normalizer", {{"type", "NFC"}}},
                           {"pre_tokenizer", sequenceOf("pretokenizers", {splitRegex(kQwenSplit), byteLevel(false, false, false)})},
                           {"post_processor", byteLevel(false, false, false)},
                           {"decoder", byteLevel(false, false, false)},
                           {"model", bpeModel(v, {{"unk_token", nullptr}, {"continuing_subword_prefix", ""}, {"end_of_word_suffix", ""},
                                                  {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", false}})}});
    const std::vector<std::pair<std::string, Expected>> rows = {
        {"1234567", {{bl("1"), bl("2"), bl("3"), bl("4"), bl("5"), bl("6"), bl("7")},
                     {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}}}},
        // "e" + U+0301 composes to "é". NFC hands the composed char the alignment of the
        // char it replaces ("e") and drops the mark's: "Café" ends at 4, and the space (the
        // 6th char of the text) starts at 5.
        {"Cafe\u0301 NFC", {{bl("Café"), bl(" "), bl("N"), bl("F"), bl("C")}, {{0, 4}, {5, 6}, {6, 7}, {7, 8}, {8, 9}}}},
        {"Café NFC", {{bl("Café"), bl(" "), bl("N"), bl("F"), bl("C")}, {{0, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}}}},
        // Pieces of "user\nHi": "user" | "\n" (\s*[\r\n]+) | "Hi".
        {"<|im_start|>user\nHi<|im_end|>", {{"<|im_start|>", bl("user"), bl("\n"), bl("Hi"), "<|im_end|>"},
                                            {{0, 12}, {12, 16}, {16, 17}, {17, 19}, {19, 29}}}},
        {"<think>\n", {{"<think>", bl("\n")}, {{0, 7}, {7, 8}}}},
    };
    for (const auto& [text, want] : rows) {
        const Encoding e = tok->encode(text);
        QVERIFY2(mismatch(e, v, want).isEmpty(), text.c_str() + ("\n" + mismatch(e, v, want)));
    }
    QCOMPARE(tok->decode(tok->encode("<|im_start|>user\nHi<|im_end|>").ids), std::string("user\nHi"));
    QCOMPARE(tok->decode(tok->encode("<|im_start|>user\nHi<|im_end|>").ids, false), std::string("<|im_start|>user\nHi<|im_end|>"));
    QCOMPARE(tok->decode(tok->encode("<think>\n").ids), std::string("<think>\n"));  // Qwen3's <think> is not special
    QCOMPARE(tok->decode(tok->encode("Cafe\u0301 NFC").ids), std::string("Caf\u00E9 NFC"));  // composed: NFC is lossy
}

// Gemma 1/2/3 (GemmaConverter): spaces become "▁" in the normalizer, the Split on " " that
// follows finds none left, so BPE sees the whole text as one word; byte fallback for what the
// vocabulary lacks; <bos> by template; Replace, ByteFallback, Fuse to decode (no Strip).
void TestLlmTokenizers::gemma() {
    Vocab v;
    for (const char* t : {"<pad>", "<eos>", "<bos>", "<unk>"}) v.add(t);
    for (unsigned b = 0; b < 256; ++b) v.add(byteToken(b));
    for (const char* t : {"\u2581", "H", "e", "l", "o", "w", "r", "d", "u", "s", "h", "i", "\n", "東"}) v.add(t);
    for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{
             {"l", "l"}, {"H", "e"}, {"He", "ll"}, {"Hell", "o"}, {"\u2581", "\u2581"}, {"\u2581", "w"}, {"o", "r"},
             {"\u2581w", "or"}, {"l", "d"}, {"\u2581wor", "ld"}, {"u", "s"}, {"e", "r"}, {"us", "er"}, {"h", "i"}})
        v.merge(a, b);
    json added = json::array({addedToken(v, 0, "<pad>", true), addedToken(v, 1, "<eos>", true), addedToken(v, 2, "<bos>", true),
                              addedToken(v, 3, "<unk>", true), addedToken(v, 1000, "<start_of_turn>", true),
                              addedToken(v, 1001, "<end_of_turn>", true)});
    const json replace = {{"type", "Replace"}, {"pattern", {{"String", "\u2581"}}}, {"content", " "}};
    const auto tok = load({{"added_tokens", added},
                           {"normalizer", {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}}},
                           {"pre_tokenizer", {{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "MergedWithPrevious"},
                                              {"invert", false}}},
                           {"post_processor", bosTemplate("<bos>", 2)},
                           {"decoder", sequenceOf("decoders", {replace, {{"type", "ByteFallback"}}, {{"type", "Fuse"}}})},
                           {"model", bpeModel(v, {{"unk_token", "<unk>"}, {"continuing_subword_prefix", nullptr}, {"end_of_word_suffix", nullptr},
                                                  {"fuse_unk", true}, {"byte_fallback", true}, {"ignore_merges", false}})}});
    const std::vector<std::pair<std::string, Expected>> rows = {
        // "Hello▁▁world▁🙂" as one word. Merges by rank: "l l", "H e", "He ll", "Hell o" make
        // "Hello"; "▁ ▁" (rank 4) comes before "▁ w" (rank 5), which it consumes; then "o r"
        // and "l d" ("▁w or" never meets a "▁w"). 🙂 is not in the vocabulary: its four bytes,
        // each carrying the emoji's span.
        {"Hello  world 🙂", {{"<bos>", "Hello", "\u2581\u2581", "w", "or", "ld", "\u2581", "<0xF0>", "<0x9F>", "<0x99>", "<0x82>"},
                             {{0, 0}, {0, 5}, {5, 7}, {7, 8}, {8, 10}, {10, 12}, {12, 13}, {13, 14}, {13, 14}, {13, 14}, {13, 14}}}},
        {"東京", {{"<bos>", "東", "<0xE4>", "<0xBA>", "<0xAC>"}, {{0, 0}, {0, 1}, {1, 2}, {1, 2}, {1, 2}}}},
        {"<start_of_turn>user\nhi<end_of_turn>", {{"<bos>", "<start_of_turn>", "user", "\n", "hi", "<end_of_turn>"},
                                                  {{0, 0}, {0, 15}, {15, 19}, {19, 20}, {20, 22}, {22, 35}}}},
    };
    for (const auto& [text, want] : rows) {
        const Encoding e = tok->encode(text);
        QVERIFY2(mismatch(e, v, want).isEmpty(), text.c_str() + ("\n" + mismatch(e, v, want)));
    }
    QCOMPARE(tok->decode(tok->encode("Hello  world 🙂").ids), std::string("Hello  world 🙂"));
    QCOMPARE(tok->decode(tok->encode("Hello  world 🙂").ids, false), std::string("<bos>Hello  world 🙂"));
    QCOMPARE(tok->decode(tok->encode("<start_of_turn>user\nhi<end_of_turn>").ids), std::string("user\nhi"));
    // Byte tokens form UTF-8 across tokens; a run that is not UTF-8 is one U+FFFD per byte
    // (ByteFallback's own rule, unlike ByteLevel's one per ill-formed part).
    QCOMPARE(tok->decode(v.ids({"東", "<0xE4>", "<0xBA>", "<0xAC>"})), std::string("東京"));
    QCOMPARE(tok->decode(v.ids({"<0xE4>", "<0xBA>", "h"})), std::string("\uFFFD\uFFFDh"));
}

void TestLlmTokenizers::phi3LegacyAndMetaspace() {
    for (const bool legacy : {true, false}) {
        Vocab v = phi3Vocab();
        const auto tok = load(phi3Json(v, legacy));
        v.added["<|user|>\n"] = 32010;  // rstrip: the token's span, and its string, take the newline
        // "▁Hi▁there": "H i" then "▁ Hi"; "▁ t", "h e", "▁t he", "r e", "▁the re".
        const Expected plain{{"\u2581Hi", "\u2581there"}, {{0, 2}, {2, 8}}};
        QVERIFY2(mismatch(tok->encode("Hi there"), v, plain).isEmpty(), mismatch(tok->encode("Hi there"), v, plain));
        // After a chat token the text no longer starts at 0: the Prepend normalizer still adds
        // a "▁" (it sees each piece on its own), Metaspace's "first" does not.
        const std::string chat = "<|user|>\nHi there<|end|>";
        const Expected turn{{"<|user|>\n", legacy ? "\u2581Hi" : "Hi", "\u2581there", "<|end|>"},
                            {{0, 9}, {9, 11}, {11, 17}, {17, 24}}};
        QVERIFY2(mismatch(tok->encode(chat), v, turn).isEmpty(), mismatch(tok->encode(chat), v, turn));
        QCOMPARE(tok->decode(tok->encode(chat).ids), std::string("Hi there"));
        QCOMPARE(tok->decode(tok->encode(chat).ids, false),
                 std::string(legacy ? "<|user|> Hi there<|end|>" : "<|user|>Hi there<|end|>"));
        // Leading spaces. Legacy: Prepend's "▁" (aligned with the first space), then one per
        // space: "▁" "▁" "▁Hi", decoded "   Hi" less the one space Strip removes. Metaspace
        // prepends nothing to a text that already starts with "▁", yet Strip still removes a
        // space: decoding loses one, as it does with the real library.
        const Expected spaced = legacy ? Expected{{"\u2581", "\u2581", "\u2581Hi"}, {{0, 1}, {0, 1}, {1, 4}}}
                                       : Expected{{"\u2581", "\u2581Hi"}, {{0, 1}, {1, 4}}};
        QVERIFY2(mismatch(tok->encode("  Hi"), v, spaced).isEmpty(), mismatch(tok->encode("  Hi"), v, spaced));
        QCOMPARE(tok->decode(tok->encode("  Hi").ids), std::string(legacy ? "  Hi" : " Hi"));
    }
}

// Metaspace's prepend_scheme and split, encoding and decoding, on "a b" whose vocabulary has
// the cross-word token "a▁": only an unsplit piece can use it.
void TestLlmTokenizers::metaspaceSchemesAndSplit() {
    Vocab v;
    for (const char* t : {"<unk>", "<s>", "\u2581", "a", "b"}) v.add(t);
    v.merge("a", "\u2581");
    struct Row { const char* scheme; bool split; const char* text; Expected want; const char* decoded; };
    const std::vector<Row> rows = {
        {"always", false, "a b", {{"\u2581", "a\u2581", "b"}, {{0, 1}, {0, 2}, {2, 3}}}, "a b"},
        {"always", true, "a b", {{"\u2581", "a", "\u2581", "b"}, {{0, 1}, {0, 1}, {1, 2}, {2, 3}}}, "a b"},
        {"never", false, "a b", {{"a\u2581", "b"}, {{0, 2}, {2, 3}}}, "a b"},
        {"first", false, "a b", {{"\u2581", "a\u2581", "b"}, {{0, 1}, {0, 2}, {2, 3}}}, "a b"},
        {"always", false, "<s>a b", {{"<s>", "\u2581", "a\u2581", "b"}, {{0, 3}, {3, 4}, {3, 5}, {5, 6}}}, "a b"},
        // No "▁" after <s>; and the decoder drops every "▁" of the first token it is given
        // (<s> skipped, that is "a▁"), so the space between the words goes too.
        {"first", false, "<s>a b", {{"<s>", "a\u2581", "b"}, {{0, 3}, {3, 5}, {5, 6}}}, "ab"},
    };
    for (const Row& row : rows) {
        const json metaspace = {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", row.scheme},
                                {"split", row.split}};
        const auto tok = load({{"added_tokens", json::array({addedToken(v, 1, "<s>", true)})},
                               {"pre_tokenizer", metaspace},
                               {"decoder", metaspace},
                               {"model", bpeModel(v, {{"unk_token", "<unk>"}})}});
        const Encoding e = tok->encode(row.text);
        QVERIFY2(mismatch(e, v, row.want).isEmpty(), (row.scheme + (" " + mismatch(e, v, row.want))).constData());
        QCOMPARE(tok->decode(e.ids), std::string(row.decoded));
    }
}

QTEST_APPLESS_MAIN(TestLlmTokenizers)
#include "test_llm_tokenizers.moc"
