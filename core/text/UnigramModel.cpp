#include "text/UnigramModel.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "Error.h"
#include "text/Utf8.h"

namespace attnscope {

namespace {
constexpr double kUnkPenalty = 10.0;
}

UnigramModel::UnigramModel(std::vector<std::pair<std::string, double>> vocab, std::optional<int> unkId,
                           bool byteFallback, std::optional<SentencePieceRules> rules)
    : pieces_(std::move(vocab)), unkId_(unkId), byteFallback_(byteFallback) {
    if (unkId_) {
        if (pieces_.empty()) throw Error("Unigram: the vocabulary is empty but unk_id needs an entry");
        if (*unkId_ < 0 || static_cast<std::size_t>(*unkId_) >= pieces_.size())
            throw Error("Unigram: unk_id " + std::to_string(*unkId_) + " is outside the vocabulary");
    }
    minScore_ = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < pieces_.size(); ++i) {
        ids_.insert_or_assign(pieces_[i].first, static_cast<int>(i));
        minScore_ = std::min(minScore_, pieces_[i].second);
        maxPieceBytes_ = std::max(maxPieceBytes_, pieces_[i].first.size());
    }
    if (rules) {
        if (rules->matchable.size() != pieces_.size())
            throw Error("Unigram: " + std::to_string(rules->matchable.size()) + " matchable flags for " +
                        std::to_string(pieces_.size()) + " pieces");
        matchable_ = std::move(rules->matchable);
        minScore_ = rules->minScore;
    }
}

std::vector<std::string> UnigramModel::bestSegmentation(std::string_view sentence) const {
    struct Node { int id = 0; double score = 0; std::optional<std::size_t> start; };
    const std::size_t size = sentence.size();
    const double unkScore = minScore_ - kUnkPenalty;
    std::vector<Node> best(size + 1);
    for (std::size_t start = 0; start < size;) {
        std::size_t charLength = 0;
        utf8::decodeAt(sentence, start, charLength);
        const double here = best[start].score;
        bool hasSingleChar = false;
        // Every vocabulary piece starting here, shortest first (a trie's prefix search order).
        for (std::size_t len = 1; len <= maxPieceBytes_ && start + len <= size; ++len) {
            auto it = ids_.find(sentence.substr(start, len));
            if (it == ids_.end()) continue;
            if (!matchable_.empty() && !matchable_[static_cast<std::size_t>(it->second)]) continue;
            Node& target = best[start + len];
            const double candidate = pieces_[static_cast<std::size_t>(it->second)].second + here;
            if (!target.start || candidate > target.score) target = Node{it->second, candidate, start};
            if (len == charLength) hasSingleChar = true;
        }
        if (!hasSingleChar) {
            Node& target = best[start + charLength];
            const double candidate = unkScore + here;
            if (!target.start || candidate > target.score) {
                if (!unkId_) throw Error("Unigram: met an unknown character but the model has no unk_id");
                target = Node{*unkId_, candidate, start};
            }
        }
        start += charLength;
    }
    // Walk back; consecutive unknown pieces are fused into one.
    std::vector<std::string> out;
    std::string pendingUnk;
    for (std::size_t end = size; end > 0;) {
        const Node& node = best[end];
        const std::size_t start = *node.start;
        const std::string piece(sentence.substr(start, end - start));
        if (unkId_ && node.id == *unkId_) {
            pendingUnk.insert(0, piece);
        } else {
            if (!pendingUnk.empty()) {
                out.push_back(std::move(pendingUnk));
                pendingUnk.clear();
            }
            out.push_back(piece);
        }
        end = start;
    }
    if (!pendingUnk.empty()) out.push_back(std::move(pendingUnk));
    return {out.rbegin(), out.rend()};
}

std::vector<Token> UnigramModel::tokenize(std::string_view sequence) const {
    if (sequence.empty()) return {};
    std::vector<Token> tokens;
    std::size_t offset = 0;
    for (std::string& piece : bestSegmentation(sequence)) {
        const std::size_t length = piece.size();
        const std::pair<std::size_t, std::size_t> offsets{offset, offset + length};
        offset += length;
        auto it = ids_.find(piece);
        if (it != ids_.end() && (matchable_.empty() || matchable_[static_cast<std::size_t>(it->second)])) {
            tokens.push_back(Token{it->second, std::move(piece), offsets});
            continue;
        }
        if (byteFallback_) {
            std::vector<Token> bytes;
            for (unsigned char b : piece) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "<0x%02X>", b);
                auto it = ids_.find(std::string_view(buf));
                if (it == ids_.end()) break;
                bytes.push_back(Token{it->second, buf, offsets});
            }
            if (bytes.size() == piece.size()) {
                tokens.insert(tokens.end(), bytes.begin(), bytes.end());
                continue;
            }
        }
        if (!unkId_) throw Error("Unigram: met an unknown character but the model has no unk_id");
        // Like the crate, an unknown piece keeps its own text as the token string.
        tokens.push_back(Token{*unkId_, std::move(piece), offsets});
    }
    return tokens;
}

std::optional<int> UnigramModel::tokenToId(std::string_view token) const {
    auto it = ids_.find(token);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> UnigramModel::idToToken(int id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= pieces_.size()) return std::nullopt;
    return pieces_[static_cast<std::size_t>(id)].first;
}

}  // namespace attnscope
