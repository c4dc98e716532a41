#include "text/SentencePieceNormalizer.h"

#include "text/SentencePieceModelFile.h"
#include "text/Utf8.h"

namespace attnscope {

namespace {

// One step of the normalizer: `consumed` input chars written as `written`.
struct Step {
    std::size_t consumed;
    std::u32string written;
};

}  // namespace

SentencePieceNormalizer::SentencePieceNormalizer(const SentencePieceModelFile& model, const std::string& where)
    : addDummyPrefix_(model.addDummyPrefix), removeExtraWhitespaces_(model.removeExtraWhitespaces),
      escapeWhitespaces_(model.escapeWhitespaces), whitespaceAsSuffix_(model.treatWhitespaceAsSuffix) {
    if (!model.precompiledCharsMap.empty()) map_.emplace(model.precompiledCharsMap, where + ": normalizer_spec.precompiled_charsmap");
    for (const SentencePiece& p : model.pieces)
        if (p.kind == SentencePiece::Kind::UserDefined) userDefined_.push_back(p.piece);
}

std::pair<std::size_t, std::string_view> SentencePieceNormalizer::normalizePrefix(std::string_view input) const {
    // A user-defined symbol is never normalized: the longest one the input starts with wins.
    std::size_t symbol = 0;
    for (const std::string& u : userDefined_)
        if (u.size() > symbol && input.substr(0, u.size()) == u) symbol = u.size();
    if (symbol > 0) return {symbol, input.substr(0, symbol)};
    if (map_) {
        const auto matches = map_->prefixMatches(input);
        if (!matches.empty()) return {matches.back().length, matches.back().replacement};  // the longest rule
    }
    std::size_t length = 0;
    utf8::decodeAt(input, 0, length);
    return {length, input.substr(0, length)};
}

void SentencePieceNormalizer::normalize(NormalizedString& s) const {
    const std::string text = s.get();
    std::string_view input = text;
    std::vector<Step> steps;
    auto consume = [&](std::size_t bytes, std::u32string written) {
        steps.push_back({utf8::countChars(input.substr(0, bytes)), std::move(written)});
        input.remove_prefix(bytes);
    };
    const char32_t space = escapeWhitespaces_ ? U'\u2581' : U' ';

    if (removeExtraWhitespaces_) {
        while (!input.empty()) {
            const auto [bytes, out] = normalizePrefix(input);
            if (out != " ") break;
            consume(bytes, {});
        }
    }
    bool previousWasSpace = removeExtraWhitespaces_;
    while (!input.empty()) {
        auto [bytes, out] = normalizePrefix(input);
        if (previousWasSpace)
            while (!out.empty() && out.front() == ' ') out.remove_prefix(1);
        std::u32string written = utf8::decode(out, "SentencePiece normalization");
        if (!written.empty()) {
            previousWasSpace = written.back() == U' ';
            for (char32_t& c : written)
                if (c == U' ') c = space;
        }
        consume(bytes, std::move(written));
        if (!removeExtraWhitespaces_) previousWasSpace = false;
    }
    if (removeExtraWhitespaces_) {
        for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
            while (!it->written.empty() && it->written.back() == space) it->written.pop_back();
            if (!it->written.empty()) break;
        }
    }
    bool wroteAny = false;
    for (const Step& step : steps) wroteAny = wroteAny || !step.written.empty();
    // The dummy "▁" is itself trailing space when nothing else was written.
    const bool prefix = wroteAny && addDummyPrefix_ && !whitespaceAsSuffix_;

    // As alignment changes: a step writing more chars than it read inserts the extra ones, one
    // writing fewer folds the rest into the char before (or drops them from the start).
    std::vector<CharChange> changes;
    std::size_t initialOffset = 0;
    if (prefix) changes.push_back({space, 1});
    for (const Step& step : steps) {
        for (char32_t c : step.written) changes.push_back({c, 0});
        const long diff = static_cast<long>(step.written.size()) - static_cast<long>(step.consumed);
        if (diff > 0) {
            for (long k = 0; k < diff; ++k) changes[changes.size() - 1 - static_cast<std::size_t>(k)].change = 1;
        } else if (diff < 0) {
            if (changes.empty()) initialOffset += static_cast<std::size_t>(-diff);
            else changes.back().change += diff;
        }
    }
    if (wroteAny && addDummyPrefix_ && whitespaceAsSuffix_) changes.push_back({space, 1});
    s.transform(changes, initialOffset);
}

}  // namespace attnscope
