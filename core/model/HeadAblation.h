#pragma once
// Switching heads off to see whether they matter: a set of (layer, head) whose output is
// zeroed, or replaced by its mean over the positions, before the layer's output projection
// (what a forward hook on o_proj's input does in transformers).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tensor/RowMatrix.h"

namespace attnscope {

enum class AblationMode { Zero, Mean };

// Where a head is: the model's own stack (a single-stack model's, an encoder-decoder's
// encoder), or an encoder-decoder's decoder self-attention or cross-attention.
enum class AblatedStack { Own, Decoder, Cross };

struct HeadAblation {
    std::vector<std::pair<int, int>> heads;         // (layer, head) of the own stack, sorted, each once
    std::vector<std::pair<int, int>> decoderHeads;  // the same in an encoder-decoder's decoder
    std::vector<std::pair<int, int>> crossHeads;    // and in its cross-attention
    AblationMode mode = AblationMode::Zero;

    bool empty() const { return heads.empty() && decoderHeads.empty() && crossHeads.empty(); }
    std::size_t count() const { return heads.size() + decoderHeads.size() + crossHeads.size(); }
    const std::vector<std::pair<int, int>>& of(AblatedStack stack) const;
    std::vector<std::pair<int, int>>& of(AblatedStack stack);
    std::vector<int> headsInLayer(int layer, AblatedStack stack = AblatedStack::Own) const;
    // The set with (layer, head) of `stack` added, or removed when it is in it.
    HeadAblation toggled(AblatedStack stack, int layer, int head) const;
    // "1.0, 2.3" (layer.head, from 0; "decoder:0.1", "cross:1.2" in an encoder-decoder's other
    // stacks), as parseHeadAblation reads it back, and with the mode: "heads 1.0, 2.3 off (mean)".
    std::string list() const;
    // The same one head at a time: "1.0", "decoder:0.1", "cross:1.2".
    std::vector<std::string> names() const;
    std::string describe() const;
    // Throws attnscope::Error naming the first head of `stack` the model lacks.
    void requireFits(int layers, int headsPerLayer, AblatedStack stack = AblatedStack::Own) const;
    bool operator==(const HeadAblation&) const = default;
};

// Parses "L.H,L.H" (spaces allowed, duplicates merged); "decoder:L.H" and "cross:L.H" name an
// encoder-decoder's decoder and cross-attention heads ("encoder:L.H" its encoder's, as plain
// "L.H"). Throws attnscope::Error naming the item that is not one of those, numbers from 0.
HeadAblation parseHeadAblation(std::string_view list, AblationMode mode = AblationMode::Zero);
// The stack a view's attention stack switches heads off in, by its query and key sequences as
// AttentionRecord numbers them (0: the input, 1: an encoder-decoder's target); none for a stack
// of no layer (SigLIP's pooling probe).
std::optional<AblatedStack> ablatedStackOf(int querySequence, int keySequence, bool encoderDecoder);
std::optional<AblationMode> ablationModeNamed(std::string_view name);  // "zero" or "mean"
const char* ablationModeName(AblationMode mode);

// Applies it to one layer's context [n, heads * headDim] (the heads' outputs side by side).
void ablateContext(RowMatrix& context, const std::vector<int>& heads, int headDim, AblationMode mode);

}  // namespace attnscope
