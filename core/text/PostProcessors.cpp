#include "text/PostProcessors.h"

#include "text/ByteLevel.h"

namespace attnscope {

namespace {

void appendEncoding(Encoding& out, const Encoding& e) {
    out.ids.insert(out.ids.end(), e.ids.begin(), e.ids.end());
    out.tokens.insert(out.tokens.end(), e.tokens.begin(), e.tokens.end());
    out.offsets.insert(out.offsets.end(), e.offsets.begin(), e.offsets.end());
    out.typeIds.insert(out.typeIds.end(), e.typeIds.begin(), e.typeIds.end());
    out.sequenceIds.insert(out.sequenceIds.end(), e.sequenceIds.begin(), e.sequenceIds.end());
    out.specialTokensMask.insert(out.specialTokensMask.end(), e.specialTokensMask.begin(), e.specialTokensMask.end());
}

void setTypeIds(Encoding& e, int typeId) { e.typeIds.assign(e.size(), typeId); }

}  // namespace

Encoding mergeEncodings(std::vector<Encoding> encodings) {
    Encoding out;
    for (const Encoding& e : encodings) appendEncoding(out, e);
    return out;
}

void appendSpecial(Encoding& out, const std::vector<int>& ids, const std::vector<std::string>& tokens, int typeId) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
        out.ids.push_back(ids[i]);
        out.tokens.push_back(i < tokens.size() ? tokens[i] : std::string());
        out.offsets.push_back({0, 0});
        out.typeIds.push_back(typeId);
        out.sequenceIds.push_back(-1);
        out.specialTokensMask.push_back(true);
    }
}

std::vector<Encoding> TemplateProcessing::processEncodings(std::vector<Encoding> encodings, bool addSpecialTokens) const {
    const std::vector<Piece>& pieces = encodings.size() == 2 ? pair_ : single_;
    Encoding out;
    for (const Piece& piece : pieces) {
        if (piece.isSequence) {
            const std::size_t i = static_cast<std::size_t>(piece.sequence);
            if (i >= encodings.size()) continue;
            Encoding e = encodings[i];
            setTypeIds(e, piece.typeId);
            e.sequenceIds.assign(e.size(), static_cast<int>(i));
            appendEncoding(out, e);
        } else if (addSpecialTokens) {
            auto it = specials_.find(piece.specialId);
            if (it != specials_.end()) appendSpecial(out, it->second.ids, it->second.tokens, piece.typeId);
        }
    }
    return {std::move(out)};
}

std::vector<Encoding> BertProcessing::processEncodings(std::vector<Encoding> encodings, bool addSpecialTokens) const {
    if (!addSpecialTokens) return encodings;
    Encoding out;
    appendSpecial(out, {cls_.second}, {cls_.first}, 0);
    setTypeIds(encodings[0], 0);
    appendEncoding(out, encodings[0]);
    appendSpecial(out, {sep_.second}, {sep_.first}, 0);
    if (encodings.size() > 1) {
        setTypeIds(encodings[1], 1);
        appendEncoding(out, encodings[1]);
        appendSpecial(out, {sep_.second}, {sep_.first}, 1);
    }
    return {std::move(out)};
}

std::vector<Encoding> RobertaProcessing::processEncodings(std::vector<Encoding> encodings, bool addSpecialTokens) const {
    if (trimOffsets_)
        for (Encoding& e : encodings) trimByteLevelOffsets(e, addPrefixSpace_);
    for (Encoding& e : encodings) setTypeIds(e, 0);  // RoBERTa uses type id 0 throughout
    if (!addSpecialTokens) return encodings;
    Encoding out;
    appendSpecial(out, {cls_.second}, {cls_.first}, 0);
    appendEncoding(out, encodings[0]);
    appendSpecial(out, {sep_.second}, {sep_.first}, 0);
    if (encodings.size() > 1) {
        appendSpecial(out, {sep_.second}, {sep_.first}, 0);
        appendEncoding(out, encodings[1]);
        appendSpecial(out, {sep_.second}, {sep_.first}, 0);
    }
    return {std::move(out)};
}

std::vector<Encoding> ByteLevelProcessing::processEncodings(std::vector<Encoding> encodings, bool) const {
    if (trimOffsets_)
        for (Encoding& e : encodings) trimByteLevelOffsets(e, addPrefixSpace_);
    return encodings;
}

std::vector<Encoding> SequenceProcessing::processEncodings(std::vector<Encoding> encodings, bool addSpecialTokens) const {
    for (const auto& step : steps_) encodings = step->processEncodings(std::move(encodings), addSpecialTokens);
    return encodings;
}

}  // namespace attnscope
