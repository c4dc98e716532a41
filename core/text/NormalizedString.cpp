#include "text/NormalizedString.h"

#include <algorithm>

#include "text/Pattern.h"
#include "text/Unicode.h"
#include "text/Utf8.h"

namespace attnscope {

NormalizedString::NormalizedString(std::string original) : original_(std::move(original)) {
    normalized_ = original_;
    alignments_.reserve(original_.size());
    for (std::size_t i = 0, n = 0; i < original_.size(); i += n) {
        utf8::decodeAt(original_, i, n);
        for (std::size_t k = 0; k < n; ++k) alignments_.push_back({i, i + n});
    }
}

std::optional<NormalizedString::Span> NormalizedString::normalizedToOriginal(Span target) const {
    if (target.first == target.second) return target;  // the crate hands empty spans back unchanged
    if (target.first > target.second) return std::nullopt;
    if (target.second > alignments_.size()) return std::nullopt;
    return Span{alignments_[target.first].first, alignments_[target.second - 1].second};
}

std::optional<NormalizedString::Span> NormalizedString::originalToNormalized(Span target) const {
    if (target.first == target.second) return target;
    if (target.first > target.second) return std::nullopt;
    if (original_.empty() && target == Span{0, 0}) return Span{0, normalized_.size()};
    std::optional<std::size_t> start, end;
    for (std::size_t i = 0; i < alignments_.size(); ++i) {
        const Span& a = alignments_[i];
        if (target.second < a.second) break;
        // Zero-width alignments (chars inserted at the very start) never open the span.
        if (!start && target.first <= a.first && a.first != a.second) start = i;
        end = i + 1;
    }
    if (start && end) return Span{*start, *end};
    if (start) return Span{*start, *start};
    if (end) return Span{*end, *end};
    return std::nullopt;
}

std::optional<NormalizedString> NormalizedString::slice(Span range) const {
    if (range.first > range.second || range.second > normalized_.size()) return std::nullopt;
    if (!utf8::isCharBoundary(normalized_, range.first) || !utf8::isCharBoundary(normalized_, range.second))
        return std::nullopt;
    const std::optional<Span> originalRange = normalizedToOriginal(range);
    if (!originalRange) return std::nullopt;
    NormalizedString out;
    const std::size_t nShift = originalRange->first;
    if (originalRange->first <= originalRange->second && originalRange->second <= original_.size() &&
        utf8::isCharBoundary(original_, originalRange->first) &&
        utf8::isCharBoundary(original_, originalRange->second))
        out.original_ = original_.substr(originalRange->first, originalRange->second - originalRange->first);
    out.normalized_ = normalized_.substr(range.first, range.second - range.first);
    out.alignments_.reserve(range.second - range.first);
    for (std::size_t i = range.first; i < range.second; ++i)
        out.alignments_.push_back({alignments_[i].first - nShift, alignments_[i].second - nShift});
    out.shift_ = shift_ + originalRange->first;
    return out;
}

void NormalizedString::transformRange(Span range, const std::vector<CharChange>& dest, std::size_t initialOffset) {
    const std::u32string replaced = utf8::decode(std::string_view(normalized_).substr(range.first, range.second - range.first));
    std::size_t next = 0;  // next replaced char
    std::size_t offset = range.first;
    for (; next < initialOffset && next < replaced.size(); ++next) offset += utf8::encodedLength(replaced[next]);

    const auto alignmentAt = [&](std::size_t i) -> Span {
        // The crate would panic past the end; stay defined instead.
        if (alignments_.empty()) return {0, 0};
        return alignments_[std::min(i, alignments_.size() - 1)];
    };

    std::string newText;
    std::vector<Span> newAlignments;
    newText.reserve(range.second - range.first);
    newAlignments.reserve(range.second - range.first);
    for (const CharChange& d : dest) {
        Span align;
        if (d.change > 0) {
            // An inserted char shares the alignment of the byte before it.
            align = offset < 1 ? Span{0, 0} : alignmentAt(offset - 1);
        } else {
            align = alignmentAt(offset);
            if (next < replaced.size()) offset += utf8::encodedLength(replaced[next++]);
            for (long k = 0; k < -d.change && next < replaced.size(); ++k)
                offset += utf8::encodedLength(replaced[next++]);
        }
        const std::size_t before = newText.size();
        utf8::append(newText, d.c);
        newAlignments.insert(newAlignments.end(), newText.size() - before, align);
    }
    alignments_.erase(alignments_.begin() + static_cast<long>(range.first),
                      alignments_.begin() + static_cast<long>(range.second));
    alignments_.insert(alignments_.begin() + static_cast<long>(range.first), newAlignments.begin(),
                       newAlignments.end());
    normalized_.replace(range.first, range.second - range.first, newText);
}

void NormalizedString::transform(const std::vector<CharChange>& dest, std::size_t initialOffset) {
    const std::optional<Span> range = originalToNormalized({0, original_.size()});
    if (!range) return;
    transformRange(*range, dest, initialOffset);
}

void NormalizedString::filter(const std::function<bool(char32_t)>& keep) {
    std::vector<CharChange> dest;
    long removed = 0;
    std::size_t removedAtStart = 0;
    std::optional<char32_t> last;
    for (char32_t c : chars()) {
        if (keep(c)) {
            if (last) dest.push_back({*last, -removed});
            else removedAtStart = static_cast<std::size_t>(removed);
            last = c;
            removed = 0;
        } else {
            ++removed;
        }
    }
    if (last) dest.push_back({*last, -removed});
    else removedAtStart = static_cast<std::size_t>(removed);
    transform(dest, removedAtStart);
}

void NormalizedString::map(const std::function<char32_t(char32_t)>& f) {
    std::vector<CharChange> dest;
    for (char32_t c : chars()) dest.push_back({f(c), 0});
    transform(dest, 0);
}

void NormalizedString::lowercase() {
    std::vector<CharChange> dest;
    std::u32string lower;
    for (char32_t c : chars()) {
        lower.clear();
        unicode::appendLowercase(c, lower);
        for (std::size_t i = 0; i < lower.size(); ++i) dest.push_back({lower[i], i == 0 ? 0 : 1});
    }
    transform(dest, 0);
}

void NormalizedString::prepend(const std::string& s) {
    if (normalized_.empty()) return;
    std::size_t firstLength = 0;
    const char32_t first = utf8::decodeAt(normalized_, 0, firstLength);
    std::vector<CharChange> dest;
    const std::u32string added = utf8::decode(s);
    for (std::size_t i = 0; i < added.size(); ++i) dest.push_back({added[i], i == 0 ? 0 : 1});
    dest.push_back({first, 1});
    transformRange({0, firstLength}, dest, 0);
}

void NormalizedString::append(const std::string& s) {
    if (normalized_.empty()) return;
    std::size_t lastStart = normalized_.size() - 1;
    while (!utf8::isCharBoundary(normalized_, lastStart)) --lastStart;
    std::size_t n = 0;
    const char32_t last = utf8::decodeAt(normalized_, lastStart, n);
    std::vector<CharChange> dest{{last, 0}};
    for (char32_t c : utf8::decode(s)) dest.push_back({c, 1});
    transformRange({lastStart, normalized_.size()}, dest, 0);
}

void NormalizedString::replace(const Pattern& pattern, const std::string& content) {
    // One pass, equivalent to the crate's transform per match: a replacement's chars all take
    // the alignment of the last byte they replace (of the byte before, for an empty match).
    const std::vector<PatternMatch> matches = pattern.findMatches(normalized_);
    if (std::none_of(matches.begin(), matches.end(), [](const PatternMatch& m) { return m.isMatch; })) return;
    std::string text;
    std::vector<Span> alignments;
    text.reserve(normalized_.size());
    alignments.reserve(alignments_.size());
    for (const PatternMatch& m : matches) {
        if (!m.isMatch) {
            text.append(normalized_, m.start, m.end - m.start);
            alignments.insert(alignments.end(), alignments_.begin() + static_cast<long>(m.start),
                              alignments_.begin() + static_cast<long>(m.end));
            continue;
        }
        const Span align = m.end > m.start ? alignments_[m.end - 1] : alignments.empty() ? Span{0, 0} : alignments.back();
        text += content;
        alignments.insert(alignments.end(), content.size(), align);
    }
    normalized_ = std::move(text);
    alignments_ = std::move(alignments);
}

void NormalizedString::strip(bool left, bool right) {
    const std::u32string cs = chars();
    std::size_t leading = 0, trailing = 0;
    if (left)
        while (leading < cs.size() && unicode::isWhiteSpace(cs[leading])) ++leading;
    if (right)
        while (trailing < cs.size() && unicode::isWhiteSpace(cs[cs.size() - 1 - trailing])) ++trailing;
    if (leading == 0 && trailing == 0) return;
    std::vector<CharChange> dest;
    // Note: like the crate, this compares char indices with the byte length.
    const std::size_t len = normalized_.size();
    for (std::size_t i = 0; i < cs.size(); ++i) {
        if (i < leading || i + trailing >= len) continue;
        if (i + trailing + 1 == len) dest.push_back({cs[i], -static_cast<long>(trailing)});
        else dest.push_back({cs[i], 0});
    }
    transform(dest, leading);
}

std::vector<NormalizedString> NormalizedString::split(const Pattern& pattern, SplitBehavior behavior) const {
    std::vector<PatternMatch> matches = pattern.findMatches(normalized_);
    struct Piece { std::size_t start, end; bool remove; };
    std::vector<Piece> pieces;
    switch (behavior) {
        case SplitBehavior::Isolated:
            for (const auto& m : matches) pieces.push_back({m.start, m.end, false});
            break;
        case SplitBehavior::Removed:
            for (const auto& m : matches) pieces.push_back({m.start, m.end, m.isMatch});
            break;
        case SplitBehavior::Contiguous: {
            bool previous = false;
            for (const auto& m : matches) {
                if (m.isMatch == previous && !pieces.empty()) pieces.back().end = m.end;
                else pieces.push_back({m.start, m.end, false});
                previous = m.isMatch;
            }
            break;
        }
        case SplitBehavior::MergedWithPrevious: {
            bool previous = false;
            for (const auto& m : matches) {
                if (m.isMatch && !previous && !pieces.empty()) pieces.back().end = m.end;
                else pieces.push_back({m.start, m.end, false});
                previous = m.isMatch;
            }
            break;
        }
        case SplitBehavior::MergedWithNext: {
            bool previous = false;
            for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
                if (it->isMatch && !previous && !pieces.empty()) pieces.back().start = it->start;
                else pieces.push_back({it->start, it->end, false});
                previous = it->isMatch;
            }
            std::reverse(pieces.begin(), pieces.end());
            break;
        }
    }
    std::vector<NormalizedString> out;
    for (const Piece& p : pieces) {
        if (p.remove) continue;
        if (std::optional<NormalizedString> s = slice({p.start, p.end})) out.push_back(std::move(*s));
    }
    return out;
}

std::u32string NormalizedString::chars() const { return utf8::decode(normalized_); }

}  // namespace attnscope
