#pragma once
// Words, not pieces: which word each subword token belongs to, read from how vocabularies
// spell their pieces, and a displayed attention matrix regrouped by words. Spelling is used
// rather than the tokenizer's pre-tokenization so that generated tokens and attention files,
// which never went through a tokenizer here, group the same way.
#include <string>
#include <vector>

#include "analysis/AttentionQuery.h"

namespace attnscope {

// One word index per token, counting from 0. A special token is a word of its own. With
// SentencePiece's "▁" or byte-level BPE's "Ġ" in the sequence, a token that starts with it
// starts a word and any other continues the one before (so "▁ca" "t" "." is the word "cat.");
// with WordPiece's "##" pieces, a "##" piece continues a word and any other starts one;
// otherwise every token is a word.
std::vector<int> wordsOfTokens(const std::vector<std::string>& names, const std::vector<bool>& special);

// Each word's text: its pieces joined without the markers ("▁ca" + "t" -> "cat"); a special
// token keeps its spelling, and so does a word that is a marker alone.
std::vector<std::string> wordTexts(const std::vector<std::string>& names, const std::vector<int>& words);

// The matrix with its rows and columns grouped into words: a word's column is the sum of its
// pieces' columns (the attention the word receives), its row the mean of its pieces' rows (a
// distribution again when theirs are). rowTokens and colTokens then hold each word's first
// token. queryWords/keyWords: one word index per token of the full token lists. Throws
// attnscope::Error when they do not cover the matrix's tokens.
AttentionMatrix groupIntoWords(const AttentionMatrix& m, const std::vector<int>& queryWords, const std::vector<int>& keyWords);

}  // namespace attnscope
