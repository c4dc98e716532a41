#include "text/Tokenizer.h"

#include <algorithm>

#include "Error.h"
#include "text/LegacyTokenizerLoader.h"
#include "text/MarianTokenizer.h"
#include "text/TokenizerJsonLoader.h"

namespace attnscope {

std::unique_ptr<Tokenizer> Tokenizer::fromTokenizerJson(const std::filesystem::path& file) {
    return loadTokenizerJson(readJsonFile(file), file.string());
}

std::unique_ptr<Tokenizer> Tokenizer::fromModelFolder(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    if (fs::is_regular_file(dir / "tokenizer.json")) return fromTokenizerJson(dir / "tokenizer.json");
    if (MarianTokenizer::isMarianFolder(dir)) return MarianTokenizer::load(dir);
    if (fs::is_regular_file(dir / "vocab.txt")) return loadWordPieceVocab(dir);
    if (fs::is_regular_file(dir / "vocab.json") && fs::is_regular_file(dir / "merges.txt")) return loadByteLevelBpe(dir);
    // transformers builds these folders' tokenizers from the SentencePiece model through a
    // converter of each model class; without that class's exact pipeline AttnScope would
    // tokenize differently, so it asks for the tokenizer.json transformers writes instead.
    for (const char* spm : {"spiece.model", "spm.model", "sentencepiece.bpe.model", "tokenizer.model"})
        if (fs::is_regular_file(dir / spm))
            throw Error((dir / spm).string() + ": a SentencePiece model without tokenizer.json; AttnScope reads the tokenizer.json "
                        "transformers writes (AutoTokenizer.from_pretrained(folder).save_pretrained(folder))");
    return nullptr;
}

namespace {

constexpr std::string_view kMaskTokens[] = {"[MASK]", "<mask>"};

}  // namespace

bool Tokenizer::isMaskToken(std::string_view token) {
    return std::find(std::begin(kMaskTokens), std::end(kMaskTokens), token) != std::end(kMaskTokens);
}

std::optional<int> Tokenizer::maskTokenId() const {
    for (const std::string_view name : kMaskTokens)
        if (const std::optional<int> id = tokenToId(name)) return id;
    return std::nullopt;
}

}  // namespace attnscope
