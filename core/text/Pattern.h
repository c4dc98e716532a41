#pragma once
// What NormalizedString::split and ::replace look for: a literal, a char class or a regex.
// findMatches covers the whole input with contiguous byte spans, flagged match / no match,
// as the crate's Pattern trait does.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

class Regex;

struct PatternMatch {
    std::size_t start, end;  // bytes
    bool isMatch;
};

class Pattern {
public:
    virtual ~Pattern() = default;
    virtual std::vector<PatternMatch> findMatches(std::string_view s) const = 0;
};

// Each char for which the predicate holds is a match of its own.
class CharPredicatePattern : public Pattern {
public:
    explicit CharPredicatePattern(std::function<bool(char32_t)> predicate) : predicate_(std::move(predicate)) {}
    std::vector<PatternMatch> findMatches(std::string_view s) const override;

private:
    std::function<bool(char32_t)> predicate_;
};

// Leftmost non-overlapping occurrences of a literal.
class LiteralPattern : public Pattern {
public:
    explicit LiteralPattern(std::string literal) : literal_(std::move(literal)) {}
    std::vector<PatternMatch> findMatches(std::string_view s) const override;

private:
    std::string literal_;
};

class RegexPattern : public Pattern {
public:
    explicit RegexPattern(std::shared_ptr<const Regex> regex) : regex_(std::move(regex)) {}
    std::vector<PatternMatch> findMatches(std::string_view s) const override;

private:
    std::shared_ptr<const Regex> regex_;
};

// Flips the match flags of another pattern (Split's `invert`).
class InvertedPattern : public Pattern {
public:
    explicit InvertedPattern(std::shared_ptr<const Pattern> inner) : inner_(std::move(inner)) {}
    std::vector<PatternMatch> findMatches(std::string_view s) const override;

private:
    std::shared_ptr<const Pattern> inner_;
};

}  // namespace attnscope
