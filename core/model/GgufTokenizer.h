#pragma once
// The tokenizer a GGUF file carries in its metadata (tokenizer.ggml.*), built as the
// tokenizer.json of the same tokenizer would describe it, so that the one tokenizer pipeline
// (text/) runs it:
//  - `llama`: SentencePiece pieces with scores and byte fallback. llama.cpp merges the adjacent
//    pair whose joined piece scores highest; as BPE, those are merges ranked by that score (as
//    transformers' converter derives them from a SentencePiece model).
//  - `gpt2`: byte-level BPE from tokens and merges, split first by the regular expression of
//    the pre-tokenizer tokenizer.ggml.pre names (those of llama.cpp's table that AttnScope has).
//  - `t5`: SentencePiece Unigram pieces with scores, the precompiled character map and the
//    space handling the file states.
//  - `bert`: WordPiece with BertNormalizer's flags (tokenizer.ggml.normalizer.*), its pieces
//    turned back from the converter's "phantom space" form.
#include <memory>

#include <nlohmann/json.hpp>

#include "io/GgufFile.h"
#include "text/Tokenizer.h"

namespace attnscope {

// nullptr when the file has no tokenizer.ggml.model; throws attnscope::Error naming the file
// and key for one AttnScope cannot build (another model, an unknown pre-tokenizer).
std::unique_ptr<Tokenizer> ggufTokenizer(const GgufFile& file);

// The tokenizer.json it is built from (for tests).
nlohmann::json ggufTokenizerJson(const GgufFile& file);

}  // namespace attnscope
