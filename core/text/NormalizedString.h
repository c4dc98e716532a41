#pragma once
// A string being normalized, with the alignment of every normalized byte to a byte range
// of the original, so token offsets can be mapped back to the user's text. This follows the
// alignment rules of tokenizers' NormalizedString exactly (including its quirks), since the
// reference offsets depend on them.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

class Pattern;

// One char of a transformed string: change 0 replaces the next input char, 1 inserts a
// char, -N replaces the next input char and removes the N chars after it.
struct CharChange {
    char32_t c;
    long change;
};

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

class NormalizedString {
public:
    using Span = std::pair<std::size_t, std::size_t>;  // [begin, end) in bytes

    NormalizedString() = default;
    explicit NormalizedString(std::string original);

    const std::string& get() const { return normalized_; }
    const std::string& original() const { return original_; }
    std::size_t size() const { return normalized_.size(); }
    bool empty() const { return normalized_.empty(); }

    // This piece's span in the whole original text.
    Span offsetsOriginal() const { return {shift_, shift_ + original_.size()}; }

    // Normalized byte span -> original byte span (relative to this piece).
    std::optional<Span> normalizedToOriginal(Span normalized) const;
    // Original byte span (relative to this piece) -> normalized byte span.
    std::optional<Span> originalToNormalized(Span original) const;

    // The piece covering a normalized byte span (nullopt off char boundaries).
    std::optional<NormalizedString> slice(Span normalized) const;

    // Replaces the normalized bytes of `range` with `dest`; `initialOffset` chars at its start are removed.
    void transformRange(Span range, const std::vector<CharChange>& dest, std::size_t initialOffset);
    // transformRange over everything the original maps to.
    void transform(const std::vector<CharChange>& dest, std::size_t initialOffset);

    void filter(const std::function<bool(char32_t)>& keep);
    void map(const std::function<char32_t(char32_t)>& f);
    void lowercase();
    void prepend(const std::string& s);
    void append(const std::string& s);
    void replace(const Pattern& pattern, const std::string& content);
    void strip(bool left, bool right);

    std::vector<NormalizedString> split(const Pattern& pattern, SplitBehavior behavior) const;

    std::u32string chars() const;

private:
    std::string original_;
    std::string normalized_;
    std::vector<Span> alignments_;  // one per normalized byte, into original_
    std::size_t shift_ = 0;         // where original_ starts in the whole text
};

}  // namespace attnscope
