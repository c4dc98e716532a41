#pragma once
// The attention file: what `attnscope-cli attention` writes, and what the app opens when the
// model itself ran elsewhere (a machine with more memory, transformers with
// output_attentions=True). One safetensors file holding an AttentionRecord:
//   attentions          [layers, heads, n, n]   the stack of a single-stack model ("self"),
//   NAME_attentions     [layers, heads, q, k]   every other stack, by its name; T5's are
//                        encoder_attentions [L, H, n, n], decoder_attentions [L', H, m, m],
//                        cross_attentions [L', H, m, n],
// optionally logits ([labels] for a classifier, [n, vocabulary] per position) and pixel_values
// [channels, height, width], and metadata (each a string):
//   tokens               JSON list of the n input token names (optional: positions are used instead)
//   ids                  JSON list of the n input token ids
//   special_tokens_mask  JSON list of n 0/1 (optional: guessed from the names)
//   SEQ_tokens, SEQ_ids, SEQ_special_tokens_mask   the same for another sequence (T5: decoder_)
//   stacks               JSON list of {"name", "queries", "keys"}: each stack and the sequences
//                        (by name; "input" is the unprefixed one) of its rows and columns.
//                        Files without it are read as a single stack or T5's three.
//   model_type           e.g. "bert"
#include <cstddef>
#include <filesystem>
#include <string>

#include "tensor/AttentionRecord.h"

namespace attnscope {

// Reads and checks an attention file: shapes agree with each other and with the token lists,
// every value is a probability (finite, in [0, 1]). Stacks larger than budgetBytes as float32
// are kept compact (see AttentionPrecision), as a forward pass would keep them. A file with
// pixel values whose input is leading special tokens and a square of patches gets its
// PatchGrid (and, without token names, [CLS], [DIST] and "r,c" names). Throws attnscope::Error
// naming the file and what is wrong.
AttentionRecord readAttentionFile(const std::filesystem::path& path, std::size_t budgetBytes = std::size_t{4} << 30);

// Writes `record` atomically (a temporary file renamed into place).
void writeAttentionFile(const std::filesystem::path& path, const AttentionRecord& record);

// The guess for files without special_tokens_mask: [CLS]-like bracketed capitals, <s>, </s>,
// <pad>, <unk>, <mask> and <|...|> markers.
bool looksLikeSpecialToken(const std::string& name);

}  // namespace attnscope
