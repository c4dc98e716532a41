#include "text/Regex.h"

#include <cctype>
#include <cstdint>
#include <functional>
#include <optional>

#include "Error.h"
#include "text/Unicode.h"
#include "text/Utf8.h"

namespace attnscope {

namespace {

using unicode::Category;
using Cont = std::function<bool(std::size_t)>;

struct Subject {
    std::u32string chars;
};

char32_t simpleLower(char32_t c) {
    std::u32string s;
    unicode::appendLowercase(c, s);
    return s.size() == 1 ? s[0] : c;
}

// What (?i) compares: Oniguruma (the crate's regex engine) matches by Unicode case folding,
// which also joins a few lowercase letters to another one, so Llama 3's (?i:'s) matches "'ſ".
// These are the simple foldings (CaseFolding.txt, C and S) of chars that lowercasing leaves.
char32_t foldKey(char32_t c) {
    switch (c) {
        case 0x00B5: return 0x03BC;  // micro sign -> mu
        case 0x017F: return U's';    // long s
        case 0x0345: case 0x1FBE: return 0x03B9;  // ypogegrammeni, prosgegrammeni -> iota
        case 0x03C2: return 0x03C3;  // final sigma
        case 0x03D0: return 0x03B2;
        case 0x03D1: return 0x03B8;
        case 0x03D5: return 0x03C6;
        case 0x03D6: return 0x03C0;
        case 0x03F0: return 0x03BA;
        case 0x03F1: return 0x03C1;
        case 0x03F5: return 0x03B5;
        case 0x1E9B: return 0x1E61;
        case 0x1C80: return 0x0432;
        case 0x1C81: return 0x0434;
        case 0x1C82: return 0x043E;
        case 0x1C83: return 0x0441;
        case 0x1C84: case 0x1C85: return 0x0442;
        case 0x1C86: return 0x044A;
        case 0x1C87: return 0x0463;
        case 0x1C88: return 0xA64B;
        default: return simpleLower(c);
    }
}

// A set of chars: ranges, general-category tests and shorthand classes, possibly negated.
struct CharSet {
    struct Item {
        enum Kind { Range, Categories, Space, Digit, Word, Any, AnyButNewline, Nested } kind;
        explicit Item(Kind k, char32_t a = 0, char32_t b = 0) : kind(k), first(a), last(b) {}
        char32_t first = 0, last = 0;
        std::vector<Category> categories;
        bool negated = false;
        std::shared_ptr<CharSet> nested;
    };
    std::vector<Item> items;
    bool negated = false;
    bool caseInsensitive = false;

    bool rawContains(char32_t c) const {
        for (const Item& it : items) {
            bool hit = false;
            switch (it.kind) {
                case Item::Range: hit = c >= it.first && c <= it.last; break;
                case Item::Categories: {
                    const Category k = unicode::category(c);
                    for (Category want : it.categories) hit = hit || k == want;
                    break;
                }
                case Item::Space: hit = unicode::isWhiteSpace(c); break;
                case Item::Digit: hit = unicode::category(c) == Category::Nd; break;
                case Item::Word: hit = unicode::isWordChar(c); break;
                case Item::Any: hit = true; break;
                case Item::AnyButNewline: hit = c != U'\n'; break;
                case Item::Nested: hit = it.nested->contains(c); break;
            }
            if (it.negated) hit = !hit;
            if (hit) return true;
        }
        return false;
    }
    bool contains(char32_t c) const {
        bool hit = rawContains(c) || (caseInsensitive && rawContains(foldKey(c)));
        return negated ? !hit : hit;
    }
};

}  // namespace

struct Regex::Node {
    virtual ~Node() = default;
    virtual bool match(const Subject& s, std::size_t i, const Cont& k) const = 0;
    virtual const CharSet* singleChar() const { return nullptr; }
};

namespace {

using Node = Regex::Node;
using NodePtr = std::unique_ptr<Node>;

struct CharNode : Node {
    CharSet set;
    bool match(const Subject& s, std::size_t i, const Cont& k) const override {
        return i < s.chars.size() && set.contains(s.chars[i]) && k(i + 1);
    }
    const CharSet* singleChar() const override { return &set; }
};

struct SequenceNode : Node {
    std::vector<NodePtr> parts;
    bool matchFrom(const Subject& s, std::size_t part, std::size_t i, const Cont& k) const {
        if (part == parts.size()) return k(i);
        return parts[part]->match(s, i, [&](std::size_t j) { return matchFrom(s, part + 1, j, k); });
    }
    bool match(const Subject& s, std::size_t i, const Cont& k) const override { return matchFrom(s, 0, i, k); }
};

struct AlternationNode : Node {
    std::vector<NodePtr> options;
    bool match(const Subject& s, std::size_t i, const Cont& k) const override {
        for (const NodePtr& o : options)
            if (o->match(s, i, k)) return true;
        return false;
    }
};

// An atomic group (?>...): the first way its child matches, then k from that end only; what
// follows never backtracks into it.
struct AtomicNode : Node {
    NodePtr child;
    bool match(const Subject& s, std::size_t i, const Cont& k) const override {
        std::optional<std::size_t> end;
        child->match(s, i, [&](std::size_t j) { end = j; return true; });
        return end && k(*end);
    }
};

struct RepeatNode : Node {
    NodePtr child;
    std::size_t min = 0, max = SIZE_MAX;
    bool greedy = true;
    bool possessive = false;  // X?+ X*+ X++: as many as can be, never given back
    bool repeat(const Subject& s, std::size_t count, std::size_t i, const Cont& k) const {
        const auto more = [&] {
            return count < max && child->match(s, i, [&](std::size_t j) {
                       if (j == i && count >= min) return false;  // an empty iteration would loop forever
                       return repeat(s, count + 1, j, k);
                   });
        };
        if (greedy) return more() || (count >= min && k(i));
        return (count >= min && k(i)) || more();
    }
    bool match(const Subject& s, std::size_t i, const Cont& k) const override {
        if (const CharSet* set = child->singleChar()) {  // iterative, no deep recursion
            std::size_t n = 0;
            while (n < max && i + n < s.chars.size() && set->contains(s.chars[i + n])) ++n;
            if (n < min) return false;
            if (possessive) return k(i + n);
            if (greedy) {
                for (std::size_t c = n + 1; c-- > min;)
                    if (k(i + c)) return true;
            } else {
                for (std::size_t c = min; c <= n; ++c)
                    if (k(i + c)) return true;
            }
            return false;
        }
        if (possessive) {  // the greedy repetition's first way through, then k from its end only
            std::optional<std::size_t> end;
            repeat(s, 0, i, [&](std::size_t j) { end = j; return true; });
            return end && k(*end);
        }
        return repeat(s, 0, i, k);
    }
};

struct LookNode : Node {
    NodePtr child;
    bool ahead = true, negative = false;
    bool match(const Subject& s, std::size_t i, const Cont& k) const override {
        bool found;
        if (ahead) {
            found = child->match(s, i, [](std::size_t) { return true; });
        } else {
            found = false;
            for (std::size_t start = i + 1; start-- > 0 && !found;)
                found = child->match(s, start, [i](std::size_t j) { return j == i; });
        }
        return found != negative && k(i);
    }
};

struct AnchorNode : Node {
    enum Kind { Start, End, WordBoundary, NotWordBoundary } kind;
    bool match(const Subject& s, std::size_t i, const Cont& k) const override {
        const std::size_t n = s.chars.size();
        bool ok = false;
        switch (kind) {
            case Start: ok = i == 0; break;
            case End: ok = i == n; break;
            case WordBoundary:
            case NotWordBoundary: {
                const bool before = i > 0 && unicode::isWordChar(s.chars[i - 1]);
                const bool after = i < n && unicode::isWordChar(s.chars[i]);
                ok = (before != after) == (kind == WordBoundary);
                break;
            }
        }
        return ok && k(i);
    }
};

std::optional<std::vector<Category>> categoriesNamed(const std::string& name) {
    using C = Category;
    static const std::vector<std::pair<std::string, std::vector<C>>> table = {
        {"L", {C::Lu, C::Ll, C::Lt, C::Lm, C::Lo}}, {"Letter", {C::Lu, C::Ll, C::Lt, C::Lm, C::Lo}},
        {"Lu", {C::Lu}}, {"Ll", {C::Ll}}, {"Lt", {C::Lt}}, {"Lm", {C::Lm}}, {"Lo", {C::Lo}},
        {"M", {C::Mn, C::Mc, C::Me}}, {"Mark", {C::Mn, C::Mc, C::Me}}, {"Mn", {C::Mn}}, {"Mc", {C::Mc}},
        {"Me", {C::Me}}, {"N", {C::Nd, C::Nl, C::No}}, {"Number", {C::Nd, C::Nl, C::No}}, {"Nd", {C::Nd}},
        {"Nl", {C::Nl}}, {"No", {C::No}}, {"P", {C::Pc, C::Pd, C::Ps, C::Pe, C::Pi, C::Pf, C::Po}},
        {"Punctuation", {C::Pc, C::Pd, C::Ps, C::Pe, C::Pi, C::Pf, C::Po}}, {"Pc", {C::Pc}}, {"Pd", {C::Pd}},
        {"Ps", {C::Ps}}, {"Pe", {C::Pe}}, {"Pi", {C::Pi}}, {"Pf", {C::Pf}}, {"Po", {C::Po}},
        {"S", {C::Sm, C::Sc, C::Sk, C::So}}, {"Symbol", {C::Sm, C::Sc, C::Sk, C::So}}, {"Sm", {C::Sm}},
        {"Sc", {C::Sc}}, {"Sk", {C::Sk}}, {"So", {C::So}}, {"Z", {C::Zs, C::Zl, C::Zp}},
        {"Separator", {C::Zs, C::Zl, C::Zp}}, {"Zs", {C::Zs}}, {"Zl", {C::Zl}}, {"Zp", {C::Zp}},
        {"C", {C::Cc, C::Cf, C::Cs, C::Co, C::Cn}}, {"Other", {C::Cc, C::Cf, C::Cs, C::Co, C::Cn}},
        {"Cc", {C::Cc}}, {"Cf", {C::Cf}}, {"Cs", {C::Cs}}, {"Co", {C::Co}}, {"Cn", {C::Cn}},
    };
    for (const auto& [n, cats] : table)
        if (n == name) return cats;
    return std::nullopt;
}

class Parser {
public:
    explicit Parser(const std::string& pattern) : pattern_(pattern), p_(utf8::decode(pattern, "regex")) {}

    NodePtr parse() {
        NodePtr root = parseAlternation();
        if (i_ < p_.size()) malformed("a `)` closes no group");
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error("regex `" + pattern_ + "`: " + what + " is not supported");
    }
    // A pattern no regex engine would take, as opposed to one this engine lacks a part of.
    [[noreturn]] void malformed(const std::string& what) const {
        throw Error("regex `" + pattern_ + "` is malformed: " + what);
    }
    bool atEnd() const { return i_ >= p_.size(); }
    char32_t peek(std::size_t ahead = 0) const { return i_ + ahead < p_.size() ? p_[i_ + ahead] : 0; }
    char32_t next() {
        if (atEnd()) malformed("it ends in the middle of a construct");
        return p_[i_++];
    }

    NodePtr parseAlternation() {
        auto alt = std::make_unique<AlternationNode>();
        const bool savedCase = caseInsensitive_;
        alt->options.push_back(parseSequence());
        while (!atEnd() && peek() == U'|') {
            ++i_;
            alt->options.push_back(parseSequence());
        }
        caseInsensitive_ = savedCase;
        if (alt->options.size() == 1) return std::move(alt->options[0]);
        return alt;
    }

    NodePtr parseSequence() {
        auto seq = std::make_unique<SequenceNode>();
        while (!atEnd() && peek() != U'|' && peek() != U')') {
            NodePtr atom = parseAtom();
            if (!atom) continue;  // a flag group such as (?i)
            seq->parts.push_back(parseQuantifiers(std::move(atom)));
        }
        if (seq->parts.size() == 1) return std::move(seq->parts[0]);
        return seq;
    }

    NodePtr parseQuantifiers(NodePtr atom) {
        while (!atEnd()) {
            std::size_t min, max;
            const char32_t c = peek();
            if (c == U'*') { min = 0; max = SIZE_MAX; ++i_; }
            else if (c == U'+') { min = 1; max = SIZE_MAX; ++i_; }
            else if (c == U'?') { min = 0; max = 1; ++i_; }
            else if (c == U'{' && peek(1) >= U'0' && peek(1) <= U'9') {
                ++i_;
                min = readNumber();
                max = min;
                if (peek() == U',') {
                    ++i_;
                    max = peek() == U'}' ? SIZE_MAX : readNumber();
                }
                if (next() != U'}') malformed("a `{m,n}` is not closed");
            } else {
                break;
            }
            if (min > max) malformed("a `{m,n}` has m larger than n");
            auto rep = std::make_unique<RepeatNode>();
            rep->min = min;
            rep->max = max;
            if (peek() == U'?') { rep->greedy = false; ++i_; }
            // Oniguruma's Ruby syntax (the crate's): ?+ *+ ++ are possessive, while a `+` after
            // {m,n} repeats it again, which the next turn of this loop does.
            else if (peek() == U'+' && c != U'{') { rep->possessive = true; ++i_; }
            rep->child = std::move(atom);
            atom = std::move(rep);
        }
        return atom;
    }

    std::size_t readNumber() {
        std::size_t n = 0;
        if (!(peek() >= U'0' && peek() <= U'9')) malformed("a repetition count is not a number");
        while (peek() >= U'0' && peek() <= U'9') n = n * 10 + (next() - U'0');
        return n;
    }

    NodePtr charNode(CharSet set) {
        auto node = std::make_unique<CharNode>();
        set.caseInsensitive = caseInsensitive_;
        node->set = std::move(set);
        return node;
    }

    NodePtr literal(char32_t c) {
        CharSet set;
        const char32_t lower = caseInsensitive_ ? foldKey(c) : c;
        set.items.push_back(CharSet::Item(CharSet::Item::Range, lower, lower));
        return charNode(std::move(set));
    }

    NodePtr parseAtom() {
        const char32_t c = next();
        switch (c) {
            case U'(': return parseGroup();
            case U'[': return charNode(parseClass());
            case U'.': {
                CharSet set;
                set.items.push_back(CharSet::Item(CharSet::Item::AnyButNewline));
                return charNode(std::move(set));
            }
            case U'^': { auto a = std::make_unique<AnchorNode>(); a->kind = AnchorNode::Start; return a; }
            case U'$': { auto a = std::make_unique<AnchorNode>(); a->kind = AnchorNode::End; return a; }
            case U'\\': return parseEscapeAtom();
            case U'*': case U'+': case U'?': malformed("a quantifier has nothing to repeat");
            default: return literal(c);
        }
    }

    NodePtr parseGroup() {
        if (peek() == U'?') {
            ++i_;
            const char32_t kind = next();
            if (kind == U':') return finishGroup(parseAlternation());
            if (kind == U'>') {
                auto atomic = std::make_unique<AtomicNode>();
                atomic->child = finishGroup(parseAlternation());
                return atomic;
            }
            if (kind == U'=' || kind == U'!') return lookaround(true, kind == U'!');
            if (kind == U'<' && (peek() == U'=' || peek() == U'!')) {
                const bool negative = next() == U'!';
                return lookaround(false, negative);
            }
            if (kind == U'<' || kind == U'P' || kind == U'\'') {  // named group
                if (kind == U'P' && next() != U'<') fail("this group syntax");
                const char32_t close = kind == U'\'' ? U'\'' : U'>';
                while (next() != close) {}
                return finishGroup(parseAlternation());
            }
            // Inline flags: (?i) or (?i:...)
            --i_;
            bool on = true, ci = caseInsensitive_;
            while (!atEnd() && peek() != U')' && peek() != U':') {
                const char32_t f = next();
                if (f == U'-') on = false;
                else if (f == U'i') ci = on;
                else fail(std::string("the inline flag `") + static_cast<char>(f) + "`");
            }
            if (peek() == U')') {
                ++i_;
                caseInsensitive_ = ci;  // applies to the rest of the enclosing group
                return nullptr;
            }
            ++i_;  // ':'
            const bool saved = caseInsensitive_;
            caseInsensitive_ = ci;
            NodePtr inner = parseAlternation();
            caseInsensitive_ = saved;
            return finishGroup(std::move(inner));
        }
        return finishGroup(parseAlternation());
    }

    NodePtr finishGroup(NodePtr inner) {
        if (atEnd() || next() != U')') malformed("a group is not closed");
        if (!inner) return std::make_unique<SequenceNode>();
        return inner;
    }

    NodePtr lookaround(bool ahead, bool negative) {
        auto node = std::make_unique<LookNode>();
        node->ahead = ahead;
        node->negative = negative;
        node->child = parseAlternation();
        if (atEnd() || next() != U')') malformed("a lookaround is not closed");
        return node;
    }

    // Shorthand classes and escaped chars shared by atoms and classes; nullopt for a literal.
    std::optional<CharSet::Item> parseClassEscape(char32_t e, char32_t& literalOut) {
        using I = CharSet::Item;
        switch (e) {
            case U's': return I(I::Space);
            case U'S': { I it{I::Space}; it.negated = true; return it; }
            case U'd': return I(I::Digit);
            case U'D': { I it{I::Digit}; it.negated = true; return it; }
            case U'w': return I(I::Word);
            case U'W': { I it{I::Word}; it.negated = true; return it; }
            case U'p': case U'P': {
                std::string name;
                if (peek() == U'{') {
                    ++i_;
                    bool negate = false;
                    if (peek() == U'^') { negate = true; ++i_; }
                    for (char32_t ch = next(); ch != U'}'; ch = next()) utf8::append(name, ch);
                    auto cats = categoriesNamed(name);
                    if (!cats) fail("the Unicode class \\p{" + name + "}");
                    I it{I::Categories};
                    it.categories = *cats;
                    it.negated = (e == U'P') != negate;
                    return it;
                }
                utf8::append(name, next());
                auto cats = categoriesNamed(name);
                if (!cats) fail("the Unicode class \\p" + name);
                I it{I::Categories};
                it.categories = *cats;
                it.negated = e == U'P';
                return it;
            }
            case U'n': literalOut = U'\n'; return std::nullopt;
            case U't': literalOut = U'\t'; return std::nullopt;
            case U'r': literalOut = U'\r'; return std::nullopt;
            case U'f': literalOut = U'\f'; return std::nullopt;
            case U'v': literalOut = U'\v'; return std::nullopt;
            case U'a': literalOut = 0x07; return std::nullopt;
            case U'e': literalOut = 0x1B; return std::nullopt;
            case U'0': literalOut = 0; return std::nullopt;
            case U'x': case U'u': {
                std::size_t digits = e == U'u' ? 4 : 2;
                bool braced = false;
                if (peek() == U'{') { braced = true; ++i_; digits = 8; }
                char32_t v = 0;
                std::size_t n = 0;
                while (n < digits && peek() < 128 && std::isxdigit(static_cast<int>(peek()))) {
                    const char32_t h = next();
                    v = v * 16 + static_cast<char32_t>(h <= U'9' ? h - U'0' : (h | 0x20) - U'a' + 10);
                    ++n;
                }
                if (braced && next() != U'}') malformed("a \\x{...} is not closed");
                if (n == 0) malformed("a hex escape has no digits");
                literalOut = v;
                return std::nullopt;
            }
            default:
                if ((e >= U'a' && e <= U'z') || (e >= U'A' && e <= U'Z') || (e >= U'1' && e <= U'9'))
                    fail(std::string("the escape \\") + static_cast<char>(e));
                literalOut = e;
                return std::nullopt;
        }
    }

    NodePtr parseEscapeAtom() {
        const char32_t e = next();
        if (e == U'b' || e == U'B') {
            auto a = std::make_unique<AnchorNode>();
            a->kind = e == U'b' ? AnchorNode::WordBoundary : AnchorNode::NotWordBoundary;
            return a;
        }
        if (e == U'A') { auto a = std::make_unique<AnchorNode>(); a->kind = AnchorNode::Start; return a; }
        if (e == U'z') { auto a = std::make_unique<AnchorNode>(); a->kind = AnchorNode::End; return a; }
        char32_t lit = 0;
        if (auto item = parseClassEscape(e, lit)) {
            CharSet set;
            set.items.push_back(*item);
            return charNode(std::move(set));
        }
        return literal(lit);
    }

    CharSet parseClass() {
        using I = CharSet::Item;
        CharSet set;
        if (peek() == U'^') { set.negated = true; ++i_; }
        bool first = true;
        while (true) {
            if (atEnd()) malformed("a character class is not closed");
            char32_t c = next();
            if (c == U']' && !first) break;
            first = false;
            if (c == U'[') {
                I it{I::Nested};
                it.nested = std::make_shared<CharSet>(parseClass());
                set.items.push_back(it);
                continue;
            }
            if (c == U'&' && peek() == U'&') fail("class intersection (&&)");
            char32_t lo = c;
            if (c == U'\\') {
                if (auto item = parseClassEscape(next(), lo)) {
                    set.items.push_back(*item);
                    continue;
                }
            }
            char32_t hi = lo;
            if (peek() == U'-' && peek(1) != U']' && peek(1) != 0) {
                ++i_;
                hi = next();
                if (hi == U'\\') {
                    char32_t lit = 0;
                    if (parseClassEscape(next(), lit)) fail("a class shorthand as a range end");
                    hi = lit;
                }
                if (hi < lo) malformed("a class range runs backwards");
            }
            set.items.push_back(I(I::Range, lo, hi));
            if (caseInsensitive_) {
                // Also accept the lowercase forms of an uppercase range (ASCII-like contiguous ranges).
                const char32_t llo = foldKey(lo), lhi = foldKey(hi);
                if (llo != lo && lhi != hi && lhi - llo == hi - lo) set.items.push_back(I(I::Range, llo, lhi));
            }
        }
        return set;
    }

    std::string pattern_;
    std::u32string p_;
    std::size_t i_ = 0;
    bool caseInsensitive_ = false;
};

}  // namespace

Regex::Regex(const std::string& pattern) : pattern_(pattern) { root_ = Parser(pattern).parse(); }

Regex::~Regex() = default;

std::vector<std::pair<std::size_t, std::size_t>> Regex::findAll(std::string_view text) const {
    Subject s;
    std::vector<std::size_t> bytePos;
    for (std::size_t i = 0, n = 0; i < text.size(); i += n) {
        s.chars.push_back(utf8::decodeAt(text, i, n));
        bytePos.push_back(i);
    }
    bytePos.push_back(text.size());
    std::vector<std::pair<std::size_t, std::size_t>> out;
    std::size_t pos = 0;
    while (pos <= s.chars.size()) {
        std::optional<std::pair<std::size_t, std::size_t>> found;
        for (std::size_t start = pos; start <= s.chars.size() && !found; ++start) {
            std::size_t end = 0;
            if (root_->match(s, start, [&](std::size_t j) { end = j; return true; })) found = {{start, end}};
        }
        if (!found) break;
        out.push_back({bytePos[found->first], bytePos[found->second]});
        pos = found->second > found->first ? found->second : found->second + 1;
    }
    return out;
}

}  // namespace attnscope
