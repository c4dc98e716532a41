#pragma once
// The attention file: what `attnscope-cli attention` writes, and what the app opens when the
// model itself ran elsewhere (a machine with more memory, transformers with
// output_attentions=True). One safetensors file holding
//   attentions          [layers, heads, n, n]            every model with one stack, or
//   encoder_attentions  [layers, heads, n, n]            encoder-decoders (T5),
//   decoder_attentions  [decoder layers, heads, m, m]
//   cross_attentions    [decoder layers, heads, m, n]
// optionally logits and pixel_values [channels, height, width], and metadata (each a string):
//   tokens               JSON list of the n token names (optional: positions are used instead)
//   ids                  JSON list of the n token ids
//   special_tokens_mask  JSON list of n 0/1 (optional: guessed from the names)
//   decoder_tokens, decoder_ids, decoder_special_tokens_mask   the same for the m targets
//   model_type           e.g. "bert"
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "model/AttentionStack.h"
#include "model/ForwardResult.h"

namespace attnscope {

struct AttentionFileTokens {
    std::vector<std::string> names;
    std::vector<int> ids;            // empty when the file has none
    std::vector<bool> special;       // one per name
    bool named = false;              // false: the file gave no names, `names` are positions
};

struct AttentionFile {
    std::string modelType;  // empty when the file does not say
    AttentionFileTokens tokens;         // the keys and queries of `attentions` (T5: the source)
    AttentionFileTokens decoderTokens;  // encoder-decoder only
    AttentionStack attentions;          // the encoder's for an encoder-decoder
    AttentionStack decoderAttentions;   // encoder-decoder only
    AttentionStack crossAttentions;     // encoder-decoder only
    std::vector<float> logits;          // empty when absent
    std::vector<std::int64_t> logitsShape;
    PixelValues pixels;                 // empty when absent

    bool isEncoderDecoder() const { return !crossAttentions.empty(); }
};

// Reads and checks an attention file: shapes agree with each other and with the token lists,
// every value is a probability (finite, in [0, 1]). Stacks larger than budgetBytes as float32
// are kept compact (see AttentionPrecision), as a forward pass would keep them. Throws
// attnscope::Error naming the file and what is wrong.
AttentionFile readAttentionFile(const std::filesystem::path& path, std::size_t budgetBytes = std::size_t{4} << 30);

// Writes `file` atomically (a temporary file renamed into place).
void writeAttentionFile(const std::filesystem::path& path, const AttentionFile& file);

// The guess for files without special_tokens_mask: [CLS]-like bracketed capitals, <s>, </s>,
// <pad>, <unk>, <mask> and <|...|> markers.
bool looksLikeSpecialToken(const std::string& name);

}  // namespace attnscope
