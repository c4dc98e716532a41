#include "analysis/WordGroups.h"

#include <algorithm>
#include <map>

#include "Error.h"

namespace attnscope {

namespace {

const std::string kSentencePieceSpace = "\xE2\x96\x81";  // ▁
const std::string kByteLevelSpace = "\xC4\xA0";          // Ġ

bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// Where each group of the axis starts: the kept tokens' word indices, in the matrix's order,
// each word once; `members` receives the matrix indices of each group.
std::vector<int> groupAxis(const std::vector<int>& tokens, const std::vector<int>& words, std::vector<std::vector<int>>& members) {
    std::vector<int> firstTokens;
    std::map<int, std::size_t> groupOfWord;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const int token = tokens[i];
        if (token < 0 || token >= static_cast<int>(words.size()))
            throw Error("the word groups cover " + std::to_string(words.size()) + " tokens, not token " + std::to_string(token));
        const auto [it, added] = groupOfWord.emplace(words[static_cast<std::size_t>(token)], firstTokens.size());
        if (added) {
            firstTokens.push_back(token);
            members.emplace_back();
        }
        members[it->second].push_back(static_cast<int>(i));
    }
    return firstTokens;
}

}  // namespace

std::vector<int> wordsOfTokens(const std::vector<std::string>& names, const std::vector<bool>& special) {
    const auto isSpecial = [&](std::size_t i) { return i < special.size() && special[i]; };
    bool markers = false, wordPiece = false;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (isSpecial(i)) continue;
        markers = markers || startsWith(names[i], kSentencePieceSpace) || startsWith(names[i], kByteLevelSpace);
        wordPiece = wordPiece || startsWith(names[i], "##");
    }
    std::vector<int> words(names.size());
    int word = -1;
    bool afterSpecial = true;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string& n = names[i];
        bool starts = true;
        if (isSpecial(i)) starts = true;
        else if (afterSpecial) starts = true;
        else if (markers) starts = startsWith(n, kSentencePieceSpace) || startsWith(n, kByteLevelSpace);
        else if (wordPiece) starts = !startsWith(n, "##");
        if (starts) ++word;
        words[i] = word;
        afterSpecial = isSpecial(i);
    }
    return words;
}

std::vector<std::string> wordTexts(const std::vector<std::string>& names, const std::vector<int>& words) {
    std::vector<std::string> texts, firstPieces;
    for (std::size_t i = 0; i < names.size() && i < words.size(); ++i) {
        std::string piece = names[i];
        for (const std::string& marker : {kSentencePieceSpace, kByteLevelSpace, std::string("##")})
            if (startsWith(piece, marker)) {
                piece.erase(0, marker.size());
                break;
            }
        const std::size_t w = static_cast<std::size_t>(words[i]);
        if (w >= texts.size()) {
            texts.resize(w + 1);
            firstPieces.resize(w + 1);
        }
        if (firstPieces[w].empty()) firstPieces[w] = names[i];
        texts[w] += piece;
    }
    // A word that is only a marker (SentencePiece's lone "▁" before a piece it could not
    // spell) keeps the marker, so it still shows as a space.
    for (std::size_t w = 0; w < texts.size(); ++w)
        if (texts[w].empty()) texts[w] = firstPieces[w];
    return texts;
}

AttentionMatrix groupIntoWords(const AttentionMatrix& m, const std::vector<int>& queryWords, const std::vector<int>& keyWords) {
    std::vector<std::vector<int>> rowGroups, colGroups;
    AttentionMatrix out;
    out.rowTokens = groupAxis(m.rowTokens, queryWords, rowGroups);
    out.colTokens = groupAxis(m.colTokens, keyWords, colGroups);
    out.rows = static_cast<int>(out.rowTokens.size());
    out.cols = static_cast<int>(out.colTokens.size());
    out.values.assign(static_cast<std::size_t>(out.rows) * out.cols, 0.0f);
    for (int r = 0; r < out.rows; ++r) {
        const std::vector<int>& pieces = rowGroups[static_cast<std::size_t>(r)];
        float* row = out.values.data() + static_cast<std::size_t>(r) * out.cols;
        for (int c = 0; c < out.cols; ++c) {
            double sum = 0.0;
            for (const int pr : pieces)
                for (const int pc : colGroups[static_cast<std::size_t>(c)]) sum += m.at(pr, pc);
            row[c] = static_cast<float>(sum / static_cast<double>(pieces.size()));
        }
    }
    return out;
}

}  // namespace attnscope
