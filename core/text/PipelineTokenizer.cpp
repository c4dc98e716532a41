#include "text/PipelineTokenizer.h"

#include "Error.h"
#include "text/Utf8.h"

namespace attnscope {

PipelineTokenizer::PipelineTokenizer(TokenizerParts parts) : parts_(std::move(parts)) {
    if (!parts_.model) throw Error("tokenizer: no model");
    added_ = AddedVocabulary(parts_.addedTokens, parts_.normalizer.get());
}

Encoding PipelineTokenizer::encodeOne(std::string_view text, int typeId, int sequenceId) const {
    PreTokenizedString pre = added_.extractAndNormalize(std::string(text), parts_.normalizer.get());
    if (parts_.preTokenizer) parts_.preTokenizer->preTokenize(pre);
    pre.tokenize([&](const NormalizedString& s) { return parts_.model->tokenize(s.get()); });
    Encoding e = pre.intoEncoding(typeId);
    e.sequenceIds.assign(e.size(), sequenceId);
    return e;
}

Encoding PipelineTokenizer::encode(std::string_view text, std::optional<std::string_view> pair,
                                   bool addSpecialTokens) const {
    utf8::validate(text, "text");
    if (pair) utf8::validate(*pair, "text pair");
    std::vector<Encoding> encodings;
    encodings.push_back(encodeOne(text, 0, 0));
    if (pair) encodings.push_back(encodeOne(*pair, 1, 1));
    if (parts_.postProcessor) encodings = parts_.postProcessor->processEncodings(std::move(encodings), addSpecialTokens);
    return mergeEncodings(std::move(encodings));
}

std::size_t PipelineTokenizer::vocabSize() const {
    std::size_t n = parts_.model->vocabSize();
    for (const AddedToken& t : added_.tokens())
        if (!parts_.model->tokenToId(t.content)) ++n;
    return n;
}

std::string PipelineTokenizer::idToToken(int id) const {
    if (const AddedToken* t = added_.byId(id)) return t->content;
    return parts_.model->idToToken(id).value_or(std::string());
}

std::optional<int> PipelineTokenizer::tokenToId(std::string_view token) const {
    if (auto id = added_.tokenToId(token)) return id;
    return parts_.model->tokenToId(token);
}

bool PipelineTokenizer::isSpecial(int id) const {
    const AddedToken* t = added_.byId(id);
    return t && t->special;
}

std::string PipelineTokenizer::decode(const std::vector<int>& ids, bool skipSpecialTokens) const {
    if (!parts_.unsupportedDecoder.empty())
        throw Error("cannot turn tokens back into text: " + parts_.unsupportedDecoder + " is not supported");
    std::vector<std::string> tokens;
    for (int id : ids) {
        if (skipSpecialTokens && isSpecial(id)) continue;
        std::string t = idToToken(id);
        if (!t.empty()) tokens.push_back(std::move(t));
    }
    // Without a decoder the tokens are joined by spaces, as tokenizers' default decoder does.
    const bool spaced = !parts_.decoder;
    if (parts_.decoder) tokens = parts_.decoder->decodeChain(std::move(tokens));
    std::string text;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (spaced && i > 0) text += ' ';
        text += tokens[i];
    }
    return text;
}

}  // namespace attnscope
