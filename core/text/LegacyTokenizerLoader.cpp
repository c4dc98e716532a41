#include "text/LegacyTokenizerLoader.h"

#include <cctype>
#include <fstream>
#include <set>

#include "Error.h"
#include "text/BpeModel.h"
#include "text/ByteLevel.h"
#include "text/JsonFields.h"
#include "text/TokenizerJsonLoader.h"
#include "text/Utf8.h"
#include "text/WordPieceModel.h"

namespace attnscope {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json optionalJson(const fs::path& file) {
    if (!fs::exists(file)) return json::object();
    json j = readJsonFile(file);
    if (!j.is_object()) throw Error(file.string() + ": expected a JSON object");
    return j;
}

// A special token setting of tokenizer_config.json: a string, or an AddedToken object.
std::optional<std::string> tokenSetting(const json& config, const char* key) {
    auto it = config.find(key);
    if (it == config.end()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
        return (*it)["content"].get<std::string>();
    return std::nullopt;
}

// The lines of a text file, without their '\n' (a '\r' stays, as transformers keeps it).
std::vector<std::string> readLines(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot open the file");
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    try {
        for (std::size_t i = 0; i < lines.size(); ++i) utf8::validate(lines[i], "line " + std::to_string(i + 1));
    } catch (const Error& e) {
        throw Error(file.string() + ": " + e.what());
    }
    return lines;
}

// The special tokens a tokenizer_config.json declares, as added tokens with their vocabulary ids.
std::vector<AddedToken> specialTokens(const json& config, const JsonFields& fields, const Model& model,
                                      const std::vector<std::string>& defaults, const std::string& lstripToken = {}) {
    std::vector<AddedToken> out;
    std::set<std::string> seen;
    const auto add = [&](const std::string& content, const json* spec, const std::string& path,
                         std::optional<int> id = std::nullopt) {
        if (content.empty() || seen.count(content)) return;
        if (const std::optional<int> inVocab = model.tokenToId(content)) id = inVocab;
        if (!id) return;
        AddedToken t;
        t.id = *id;
        t.content = content;
        t.special = true;
        t.normalized = false;
        t.lstrip = content == lstripToken;
        if (spec && spec->is_object()) {
            t.lstrip = fields.boolean(*spec, path, "lstrip", t.lstrip);
            t.rstrip = fields.boolean(*spec, path, "rstrip", false);
            t.singleWord = fields.boolean(*spec, path, "single_word", false);
            t.normalized = fields.boolean(*spec, path, "normalized", false);
            t.special = fields.boolean(*spec, path, "special", true);
        }
        seen.insert(content);
        out.push_back(std::move(t));
    };
    // Exact entries written by recent transformers take precedence.
    if (auto it = config.find("added_tokens_decoder"); it != config.end() && it->is_object())
        for (auto e = it->begin(); e != it->end(); ++e) {
            if (!e->is_object() || !e->contains("content") || !(*e)["content"].is_string()) continue;
            std::optional<int> id;
            try {
                id = std::stoi(e.key());
            } catch (const std::exception&) {
            }
            add((*e)["content"].get<std::string>(), &*e, "added_tokens_decoder." + e.key(), id);
        }
    for (const char* key : {"unk_token", "sep_token", "pad_token", "cls_token", "mask_token", "bos_token", "eos_token"})
        if (auto t = tokenSetting(config, key)) add(*t, nullptr, key);
    if (auto it = config.find("additional_special_tokens"); it != config.end() && it->is_array())
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& e = (*it)[i];
            const std::string path = "additional_special_tokens[" + std::to_string(i) + "]";
            if (e.is_string()) add(e.get<std::string>(), nullptr, path);
            else if (e.is_object() && e.contains("content")) add(fields.string(e, path, "content"), &e, path);
        }
    for (const std::string& d : defaults) add(d, nullptr, d);
    return out;
}

std::pair<std::string, int> tokenWithId(const Model& model, const std::string& token, const fs::path& file) {
    const std::optional<int> id = model.tokenToId(token);
    if (!id) throw Error(file.string() + ": the special token `" + token + "` is not in the vocabulary");
    return {token, *id};
}

}  // namespace

std::unique_ptr<PipelineTokenizer> loadWordPieceVocab(const fs::path& dir) {
    const fs::path vocabFile = dir / "vocab.txt";
    const json config = optionalJson(dir / "tokenizer_config.json");
    const JsonFields fields((dir / "tokenizer_config.json").string());
    Vocab vocab;
    const std::vector<std::string> lines = readLines(vocabFile);
    for (std::size_t i = 0; i < lines.size(); ++i) vocab.insert_or_assign(lines[i], static_cast<int>(i));
    if (vocab.empty()) throw Error(vocabFile.string() + ": the vocabulary is empty");

    const bool lowercase = fields.boolean(config, "", "do_lower_case", true);
    bool stripAccents = lowercase;
    if (auto it = config.find("strip_accents"); it != config.end() && it->is_boolean()) stripAccents = it->get<bool>();
    const bool chinese = fields.boolean(config, "", "tokenize_chinese_chars", true);
    const std::string unk = tokenSetting(config, "unk_token").value_or("[UNK]");
    const std::string cls = tokenSetting(config, "cls_token").value_or("[CLS]");
    const std::string sep = tokenSetting(config, "sep_token").value_or("[SEP]");

    TokenizerParts parts;
    parts.model = std::make_unique<WordPieceModel>(std::move(vocab), unk, "##", 100);
    parts.normalizer = std::make_unique<BertNormalizer>(true, chinese, stripAccents, lowercase);
    parts.preTokenizer = std::make_unique<BertPreTokenizer>();
    const auto clsId = tokenWithId(*parts.model, cls, vocabFile);
    const auto sepId = tokenWithId(*parts.model, sep, vocabFile);
    using Piece = TemplateProcessing::Piece;
    std::map<std::string, TemplateProcessing::SpecialToken> specials{
        {cls, {{clsId.second}, {cls}}}, {sep, {{sepId.second}, {sep}}}};
    std::vector<Piece> single{{false, 0, cls, 0}, {true, 0, {}, 0}, {false, 0, sep, 0}};
    std::vector<Piece> pair{{false, 0, cls, 0}, {true, 0, {}, 0}, {false, 0, sep, 0}, {true, 1, {}, 1}, {false, 0, sep, 1}};
    parts.postProcessor = std::make_unique<TemplateProcessing>(std::move(single), std::move(pair), std::move(specials));
    parts.addedTokens = specialTokens(config, fields, *parts.model, {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"});
    parts.decoder = std::make_unique<WordPieceDecoder>("##", true);  // what BertTokenizer's decode does
    return std::make_unique<PipelineTokenizer>(std::move(parts));
}

std::unique_ptr<PipelineTokenizer> loadByteLevelBpe(const fs::path& dir) {
    const fs::path vocabFile = dir / "vocab.json";
    const fs::path mergesFile = dir / "merges.txt";
    const json config = optionalJson(dir / "tokenizer_config.json");
    const JsonFields fields((dir / "tokenizer_config.json").string());
    const json modelConfig = optionalJson(dir / "config.json");

    const json vocabJson = readJsonFile(vocabFile);
    if (!vocabJson.is_object()) throw Error(vocabFile.string() + ": expected an object of token -> id");
    Vocab vocab;
    for (auto it = vocabJson.begin(); it != vocabJson.end(); ++it) {
        if (!it.value().is_number_integer()) throw Error(vocabFile.string() + ": " + it.key() + ": expected an integer id");
        vocab.insert_or_assign(it.key(), it.value().get<int>());
    }

    std::vector<std::pair<std::string, std::string>> merges;
    const std::vector<std::string> lines = readLines(mergesFile);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string line = lines[i];
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.erase(0, 1);
        if (line.empty() || line.rfind("#version", 0) == 0) continue;
        const std::size_t space = line.find(' ');
        if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
            throw Error(mergesFile.string() + ": line " + std::to_string(i + 1) + ": expected two tokens separated by one space");
        merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    }

    const std::string modelType =
        JsonFields((dir / "config.json").string()).optionalString(modelConfig, "", "model_type").value_or("");
    const std::string tokenizerClass = fields.optionalString(config, "", "tokenizer_class").value_or("");
    const bool roberta = modelType == "roberta" || tokenizerClass.find("Roberta") != std::string::npos;
    const bool addPrefixSpace = fields.boolean(config, "", "add_prefix_space", false);
    const bool addBosToken = fields.boolean(config, "", "add_bos_token", false);

    TokenizerParts parts;
    try {
        parts.model = std::make_unique<BpeModel>(std::move(vocab), merges, BpeOptions{});
    } catch (const Error& e) {
        throw Error(mergesFile.string() + ": " + e.what());
    }
    parts.preTokenizer = std::make_unique<ByteLevelPreTokenizer>(addPrefixSpace, true);
    parts.decoder = std::make_unique<ByteLevelDecoder>();
    if (roberta) {
        const std::string cls = tokenSetting(config, "cls_token").value_or("<s>");
        const std::string sep = tokenSetting(config, "sep_token").value_or("</s>");
        parts.postProcessor = std::make_unique<RobertaProcessing>(tokenWithId(*parts.model, sep, vocabFile),
                                                                  tokenWithId(*parts.model, cls, vocabFile), true,
                                                                  addPrefixSpace);
        // RoBERTa's <mask> swallows the space before it.
        parts.addedTokens = specialTokens(config, fields, *parts.model, {"<s>", "<pad>", "</s>", "<unk>", "<mask>"},
                                          tokenSetting(config, "mask_token").value_or("<mask>"));
    } else if (addBosToken) {
        const std::string bos = tokenSetting(config, "bos_token").value_or("<|endoftext|>");
        const int bosId = tokenWithId(*parts.model, bos, vocabFile).second;
        using Piece = TemplateProcessing::Piece;
        std::vector<Piece> single{{false, 0, bos, 0}, {true, 0, {}, 0}};
        std::vector<Piece> pair{{false, 0, bos, 0}, {true, 0, {}, 0}, {true, 1, {}, 1}};
        parts.postProcessor = std::make_unique<TemplateProcessing>(
            std::move(single), std::move(pair),
            std::map<std::string, TemplateProcessing::SpecialToken>{{bos, {{bosId}, {bos}}}});
        parts.addedTokens = specialTokens(config, fields, *parts.model, {"<|endoftext|>"});
    } else {
        parts.postProcessor = std::make_unique<ByteLevelProcessing>(false, true);
        parts.addedTokens = specialTokens(config, fields, *parts.model, {"<|endoftext|>"});
    }
    return std::make_unique<PipelineTokenizer>(std::move(parts));
}

}  // namespace attnscope
