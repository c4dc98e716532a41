#include "text/MarianTokenizer.h"

#include <limits>
#include <map>

#include "Error.h"
#include "text/SentencePiecePipeline.h"
#include "text/TokenizerJsonLoader.h"
#include "text/Utf8.h"

namespace attnscope {

namespace fs = std::filesystem;

// The SentencePiece segmentation with each piece's id looked up in vocab.json; a piece the
// vocabulary lacks keeps its SentencePiece id (its unknown id when it is no piece at all), as
// MarianTokenizer._convert_token_to_id does.
class MarianPieceIds : public Model {
public:
    MarianPieceIds(std::unique_ptr<Model> pieces, Vocab vocab, int pieceUnknownId)
        : pieces_(std::move(pieces)), vocab_(std::move(vocab)), reverse_(vocab_), pieceUnknownId_(pieceUnknownId) {}

    int idOf(std::string_view piece) const {
        if (auto it = vocab_.find(piece); it != vocab_.end()) return it->second;
        return pieces_->tokenToId(piece).value_or(pieceUnknownId_);
    }

    std::vector<Token> tokenize(std::string_view sequence) const override {
        std::vector<Token> tokens = pieces_->tokenize(sequence);
        for (Token& t : tokens) t.id = idOf(t.value);
        return tokens;
    }
    std::optional<int> tokenToId(std::string_view token) const override {
        if (auto it = vocab_.find(token); it != vocab_.end()) return it->second;
        return std::nullopt;
    }
    std::optional<std::string> idToToken(int id) const override {
        if (auto token = reverse_.find(id)) return token;
        return pieces_->idToToken(id);
    }
    std::size_t vocabSize() const override { return vocab_.size(); }

private:
    std::unique_ptr<Model> pieces_;
    Vocab vocab_;
    ReverseVocab reverse_;
    int pieceUnknownId_;
};

namespace {

constexpr const char* kEos = "</s>";
constexpr const char* kSpecials[] = {"</s>", "<unk>", "<pad>"};

Vocab readVocab(const fs::path& file) {
    const nlohmann::json root = readJsonFile(file);
    if (!root.is_object()) throw Error(file.string() + ": expected an object of token ids");
    Vocab vocab;
    for (const auto& [token, id] : root.items()) {
        if (!id.is_number_integer() || id.get<long long>() < 0 || id.get<long long>() > std::numeric_limits<int>::max())
            throw Error(file.string() + ": the id of `" + token + "` is not a non-negative integer");
        vocab.emplace(token, id.get<int>());
    }
    for (const char* special : {"</s>", "<unk>"})
        if (!vocab.count(special)) throw Error(file.string() + ": no `" + std::string(special) + "` token");
    return vocab;
}

}  // namespace

bool MarianTokenizer::isMarianFolder(const fs::path& dir) {
    return fs::is_regular_file(dir / "source.spm") && fs::is_regular_file(dir / "vocab.json");
}

MarianTokenizer::Side MarianTokenizer::loadSide(const fs::path& spm, Vocab vocab) {
    if (!fs::is_regular_file(spm)) throw Error(spm.string() + ": missing (a Marian folder has source.spm and target.spm)");
    const SentencePieceModelFile model = SentencePieceModelFile::read(spm);
    SentencePieceParts spParts = sentencePieceParts(model, spm.string());
    const int eos = vocab.at(kEos);

    TokenizerParts parts;
    parts.normalizer = std::move(spParts.normalizer);
    for (const char* special : kSpecials)
        if (auto it = vocab.find(special); it != vocab.end())
            parts.addedTokens.push_back(AddedToken{it->second, special, false, false, false, false, true});
    auto ids = std::make_unique<MarianPieceIds>(std::move(spParts.model), std::move(vocab), *model.unknownId());
    const MarianPieceIds* idsView = ids.get();
    parts.model = std::move(ids);
    using Piece = TemplateProcessing::Piece;
    const Piece a{true, 0, {}, 0}, b{true, 1, {}, 0}, end{false, 0, kEos, 0};
    parts.postProcessor = std::make_unique<TemplateProcessing>(
        std::vector<Piece>{a, end}, std::vector<Piece>{a, b, end},
        std::map<std::string, TemplateProcessing::SpecialToken>{{kEos, {{eos}, {kEos}}}});
    std::vector<std::unique_ptr<Decoder>> decoders;
    decoders.push_back(std::make_unique<ByteFallbackDecoder>());
    decoders.push_back(std::make_unique<MetaspaceDecoder>("\xE2\x96\x81", model.addDummyPrefix));
    parts.decoder = std::make_unique<SequenceDecoder>(std::move(decoders));
    return {std::make_unique<PipelineTokenizer>(std::move(parts)), idsView};
}

std::unique_ptr<MarianTokenizer> MarianTokenizer::load(const fs::path& dir) {
    const fs::path config = dir / "tokenizer_config.json";
    if (fs::is_regular_file(config)) {
        const nlohmann::json c = readJsonFile(config);
        if (c.is_object() && c.value("separate_vocabs", false) == true)
            throw Error(config.string() + ": separate source and target vocabularies (target_vocab.json) are not supported");
    }
    // One vocabulary serves both sides (separate_vocabs is refused above).
    const Vocab vocab = readVocab(dir / "vocab.json");
    Side source = loadSide(dir / "source.spm", vocab);
    Side target = loadSide(dir / "target.spm", vocab);
    return std::unique_ptr<MarianTokenizer>(new MarianTokenizer(std::move(source), std::move(target)));
}

Encoding MarianTokenizer::withLanguageCode(const PipelineTokenizer& side, const MarianPieceIds& ids, std::string_view text,
                                           std::optional<std::string_view> pair, bool addSpecialTokens) {
    utf8::validate(text, "text");
    const std::size_t close = text.find("<<");
    if (text.substr(0, 2) != ">>" || close == std::string_view::npos) return side.encode(text, pair, addSpecialTokens);
    const std::string_view code = text.substr(0, close + 2);
    Encoding rest = side.encode(text.substr(code.size()), pair, addSpecialTokens);
    const int shift = static_cast<int>(utf8::countChars(code));
    for (std::size_t i = 0; i < rest.size(); ++i)
        if (rest.sequenceIds[i] == 0) rest.offsets[i] = {rest.offsets[i].first + shift, rest.offsets[i].second + shift};
    Encoding codeToken;
    codeToken.ids = {ids.idOf(code)};
    codeToken.tokens = {std::string(code)};
    codeToken.offsets = {{0, shift}};
    codeToken.typeIds = {0};
    codeToken.sequenceIds = {0};
    codeToken.specialTokensMask = {false};
    return mergeEncodings({std::move(codeToken), std::move(rest)});
}

Encoding MarianTokenizer::encode(std::string_view text, std::optional<std::string_view> pair, bool addSpecialTokens) const {
    return withLanguageCode(*source_, *sourceIds_, text, pair, addSpecialTokens);
}

Encoding MarianTokenizer::encodeTarget(std::string_view text) const {
    return withLanguageCode(*target_, *targetIds_, text, std::nullopt, true);
}

}  // namespace attnscope
