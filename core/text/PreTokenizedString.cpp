#include "text/PreTokenizedString.h"

#include "text/Utf8.h"

namespace attnscope {

namespace {

// Byte offsets of the original text -> char offsets, the way the Python binding converts them
// (an end inside a char maps to that char; offsets starting past the end stay as they are).
class BytesToChars {
public:
    explicit BytesToChars(const std::string& s) {
        map_.reserve(s.size());
        std::size_t index = 0;
        for (std::size_t i = 0, n = 0; i < s.size(); i += n, ++index) {
            utf8::decodeAt(s, i, n);
            map_.insert(map_.end(), n, index);
        }
    }
    std::pair<std::size_t, std::size_t> convert(std::pair<std::size_t, std::size_t> o) const {
        if (o.first >= map_.size()) return o;
        const std::size_t start = map_[o.first];
        if (o.second < map_.size()) return {start, map_[o.second]};
        const std::size_t last = (o.second >= 1 && o.second - 1 < map_.size()) ? map_[o.second - 1] : start + 1;
        return {start, last + 1};
    }

private:
    std::vector<std::size_t> map_;
};

}  // namespace

PreTokenizedString::PreTokenizedString(const std::string& text) : original_(text) {
    splits_.push_back(Split{NormalizedString(text), std::nullopt});
}

void PreTokenizedString::split(const std::function<std::vector<Split>(std::size_t, NormalizedString&&)>& fn) {
    std::vector<Split> next;
    next.reserve(splits_.size());
    for (std::size_t i = 0; i < splits_.size(); ++i) {
        if (splits_[i].tokens) {
            next.push_back(std::move(splits_[i]));
            continue;
        }
        for (Split& s : fn(i, std::move(splits_[i].normalized)))
            if (!s.normalized.empty()) next.push_back(std::move(s));
    }
    splits_ = std::move(next);
}

void PreTokenizedString::splitPieces(
    const std::function<std::vector<NormalizedString>(std::size_t, NormalizedString&&)>& fn) {
    split([&](std::size_t i, NormalizedString&& s) {
        std::vector<Split> out;
        for (NormalizedString& piece : fn(i, std::move(s))) out.push_back(Split{std::move(piece), std::nullopt});
        return out;
    });
}

void PreTokenizedString::normalize(const std::function<void(NormalizedString&)>& fn) {
    for (Split& s : splits_)
        if (!s.tokens) fn(s.normalized);
}

void PreTokenizedString::tokenize(const std::function<std::vector<Token>(const NormalizedString&)>& fn) {
    for (Split& s : splits_)
        if (!s.tokens) s.tokens = fn(s.normalized);
}

Encoding PreTokenizedString::intoEncoding(int typeId) const {
    Encoding e;
    const BytesToChars converter(original_);
    for (const Split& split : splits_) {
        const std::size_t base = split.normalized.offsetsOriginal().first;
        for (const Token& token : *split.tokens) {
            std::pair<std::size_t, std::size_t> offsets = token.offsets;
            if (auto r = split.normalized.normalizedToOriginal(token.offsets))
                offsets = {base + r->first, base + r->second};
            offsets = converter.convert(offsets);
            e.ids.push_back(token.id);
            e.tokens.push_back(token.value);
            e.offsets.push_back({static_cast<int>(offsets.first), static_cast<int>(offsets.second)});
            e.typeIds.push_back(typeId);
            e.sequenceIds.push_back(0);
            e.specialTokensMask.push_back(false);
        }
    }
    return e;
}

}  // namespace attnscope
