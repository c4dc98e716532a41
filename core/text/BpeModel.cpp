#include "text/BpeModel.h"

#include <cstdio>
#include <queue>

#include "Error.h"
#include "text/Utf8.h"

namespace attnscope {

namespace {

std::uint64_t pairKey(int a, int b) { return (std::uint64_t(std::uint32_t(a)) << 32) | std::uint32_t(b); }

std::string byteToken(unsigned char b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    return buf;
}

}  // namespace

BpeModel::BpeModel(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options)
    : vocab_(std::move(vocab)), options_(std::move(options)) {
    reverse_ = ReverseVocab(vocab_);
    const std::size_t prefixLength = options_.continuingSubwordPrefix ? options_.continuingSubwordPrefix->size() : 0;
    std::uint32_t rank = 0;
    for (const auto& merge : merges) {
        const std::string& a = merge.first;  // not a structured binding: clang 14 cannot capture those
        const std::string& b = merge.second;
        const auto id = [&](const std::string& token) {
            auto it = vocab_.find(token);
            if (it == vocab_.end())
                throw Error("merge `" + a + " " + b + "` uses `" + token + "`, which is not in the vocabulary");
            return it->second;
        };
        const int left = id(a), right = id(b);
        const std::string merged = a + (b.size() >= prefixLength ? b.substr(prefixLength) : std::string());
        merges_[pairKey(left, right)] = Merge{rank++, id(merged)};
    }
}

const BpeModel::Merge* BpeModel::findMerge(int left, int right) const {
    auto it = merges_.find(pairKey(left, right));
    return it == merges_.end() ? nullptr : &it->second;
}

std::vector<BpeModel::Symbol> BpeModel::initialSymbols(std::string_view w) const {
    std::vector<Symbol> symbols;
    const auto add = [&](int id, std::size_t length) {
        const long index = static_cast<long>(symbols.size());
        if (!symbols.empty()) symbols.back().next = index;
        symbols.push_back(Symbol{id, index - 1, -1, length});
    };
    // Pending run of unknown chars: its id and byte length (unkLength 0 = none).
    int unkTokenId = 0;
    std::size_t unkLength = 0;
    const auto unkId = [&]() {
        auto it = vocab_.find(*options_.unkToken);
        if (it == vocab_.end()) throw Error("BPE: unk_token `" + *options_.unkToken + "` is not in the vocabulary");
        return it->second;
    };
    std::string s;
    for (std::size_t i = 0, n = 0; i < w.size(); i += n) {
        utf8::decodeAt(w, i, n);
        const bool isFirst = i == 0, isLast = i + n == w.size();
        s.clear();
        if (!isFirst && options_.continuingSubwordPrefix) s += *options_.continuingSubwordPrefix;
        s.append(w.substr(i, n));
        if (isLast && options_.endOfWordSuffix) s += *options_.endOfWordSuffix;

        if (auto it = vocab_.find(s); it != vocab_.end()) {
            if (unkLength > 0) {
                add(unkTokenId, unkLength);
                unkLength = 0;
            }
            add(it->second, n);
            continue;
        }
        if (options_.byteFallback) {
            std::vector<int> bytes;
            for (unsigned char b : s) {
                auto it = vocab_.find(byteToken(b));
                if (it == vocab_.end()) break;
                bytes.push_back(it->second);
            }
            if (bytes.size() == s.size()) {
                for (int id : bytes) add(id, 1);
                continue;
            }
        }
        if (options_.unkToken) {
            if (unkLength > 0 && options_.fuseUnk) {
                unkLength += n;
            } else {
                if (unkLength > 0) add(unkTokenId, unkLength);
                unkTokenId = unkId();
                unkLength = n;
            }
        }
    }
    if (unkLength > 0) add(unkTokenId, unkLength);
    return symbols;
}

void BpeModel::mergeAll(std::vector<Symbol>& symbols) const {
    struct Candidate { std::size_t pos; std::uint32_t rank; int newId; };
    // Lowest rank first, then leftmost.
    const auto later = [](const Candidate& a, const Candidate& b) {
        return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
    };
    std::priority_queue<Candidate, std::vector<Candidate>, decltype(later)> queue(later);
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i)
        if (const Merge* m = findMerge(symbols[i].id, symbols[i + 1].id)) queue.push({i, m->rank, m->newId});

    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        Symbol& current = symbols[top.pos];
        if (current.length == 0 || current.next == -1) continue;
        const std::size_t nextPos = static_cast<std::size_t>(current.next);
        const Symbol right = symbols[nextPos];
        const Merge* m = findMerge(current.id, right.id);
        if (!m || m->newId != top.newId) continue;  // stale entry

        current.id = top.newId;
        current.length += right.length;
        current.next = right.next;
        symbols[nextPos].length = 0;
        if (right.next > -1 && static_cast<std::size_t>(right.next) < symbols.size())
            symbols[static_cast<std::size_t>(right.next)].prev = static_cast<long>(top.pos);

        if (current.prev >= 0) {
            const Symbol& prev = symbols[static_cast<std::size_t>(current.prev)];
            if (const Merge* pm = findMerge(prev.id, current.id))
                queue.push({static_cast<std::size_t>(current.prev), pm->rank, pm->newId});
        }
        if (current.next >= 0 && static_cast<std::size_t>(current.next) < symbols.size()) {
            const Symbol& next = symbols[static_cast<std::size_t>(current.next)];
            if (const Merge* nm = findMerge(current.id, next.id)) queue.push({top.pos, nm->rank, nm->newId});
        }
    }
}

std::vector<Token> BpeModel::tokenize(std::string_view sequence) const {
    if (sequence.empty()) return {};
    if (options_.ignoreMerges) {
        if (auto it = vocab_.find(sequence); it != vocab_.end())
            return {Token{it->second, std::string(sequence), {0, sequence.size()}}};
    }
    std::vector<Symbol> symbols = initialSymbols(sequence);
    mergeAll(symbols);
    std::vector<Token> out;
    std::size_t pos = 0;
    for (const Symbol& s : symbols) {
        if (s.length == 0) continue;
        out.push_back(Token{s.id, idToToken(s.id).value_or(std::string()), {pos, pos + s.length}});
        pos += s.length;
    }
    return out;
}

std::optional<int> BpeModel::tokenToId(std::string_view token) const {
    auto it = vocab_.find(token);
    if (it == vocab_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> BpeModel::idToToken(int id) const {
    return reverse_.find(id);
}

}  // namespace attnscope
