#pragma once
// The one record of what a forward pass shows: its token sequences, its named attention
// stacks, and its logits and pixel values where it has them. The forward pass fills it, the
// attention file (io/AttentionFile.h) stores exactly it, and the app and `render` draw it. A
// model with one stack has one entry ("self"); T5 has three ("encoder", "decoder", "cross")
// over two sequences; a new cross-attention model is more entries, not a new type.
#include <string>
#include <string_view>
#include <vector>

#include "tensor/AttentionStack.h"
#include "tensor/PixelValues.h"
#include "tensor/RowMatrix.h"

namespace attnscope {

// Stack and sequence names the engine gives; a file may bring others.
inline constexpr const char* kSelfStack = "self";        // the only stack of a single-stack model
inline constexpr const char* kInputSequence = "input";   // the text or image the user gave
inline constexpr const char* kDecoderSequence = "decoder";  // an encoder-decoder's target
// An attention-pooling head's probe (SigLIP): a one-token sequence whose attention over the
// image is its own stack.
inline constexpr const char* kProbeSequence = "probe";
inline constexpr const char* kProbeStack = "probe";
// Whether a stack's queries ask after the model's last layer (the probe), so that rollout from
// them runs through the self-attention of every layer rather than being refused as cross-attention.
inline bool asksAfterLastLayer(std::string_view stackName) { return stackName == kProbeStack; }
// DeBERTa's score terms, each one's attention alone (the softmax of that term's scores), kept
// beside the total ("self") under the names its pos_att_type gives them.
inline constexpr const char* kContentToContentStack = "c2c";
inline constexpr const char* kContentToPositionStack = "c2p";
inline constexpr const char* kPositionToContentStack = "p2c";
// Whether a stack of that name is one score term's attention alone.
bool isScoreTermStack(std::string_view name);

// How an image's tokens tile it: after `firstPatchToken` leading tokens ([CLS], and DeiT's
// [DIST]), token firstPatchToken + r * columns + c is the patch in row r, column c.
struct PatchGrid {
    int rows = 0;
    int columns = 0;
    int firstPatchToken = 0;

    bool isValid() const { return rows > 0 && columns > 0; }
    int count() const { return rows * columns; }
    // The patch (row-major index) a token shows; -1 for the leading tokens and out of range.
    int patchOfToken(int token) const {
        const int p = token - firstPatchToken;
        return p >= 0 && p < count() ? p : -1;
    }
    int tokenOfPatch(int patch) const { return firstPatchToken + patch; }
};

// The tokens along one axis of attention: a text's, a target's, or an image's leading tokens
// and patches.
struct TokenSequence {
    std::string name = kInputSequence;
    std::vector<std::string> names;  // one per token: the vocabulary's spelling, or "r,c" for a patch
    std::vector<int> ids;            // one per token, or empty (an image; a file without ids)
    std::vector<bool> special;       // one per token
    bool named = true;               // false: nobody gave names, and `names` are positions
    PatchGrid patches;               // valid when the tokens tile an image

    int size() const { return static_cast<int>(names.size()); }
    bool isSpecial(int token) const {
        return token >= 0 && token < static_cast<int>(special.size()) && special[static_cast<std::size_t>(token)];
    }
};

// A text's or a target's tokens known only by id: positions as names until someone who knows
// the vocabulary names them, none special.
TokenSequence idSequence(std::string name, std::vector<int> ids);

// An image's tokens: `leading` special tokens (none, "[CLS]", or "[CLS]" and "[DIST]"), then one per patch of
// a rows x columns grid in reading order, named "r,c".
TokenSequence imageSequence(int leading, int rows, int columns);

// One attention stack, [layers, heads, queries, keys]: its name and the sequences its rows
// (queries) and columns (keys) belong to.
struct NamedStack {
    std::string name = kSelfStack;
    int querySequence = 0;  // indices into AttentionRecord::sequences
    int keySequence = 0;
    AttentionStack attention;

    bool isSelfAttention() const { return querySequence == keySequence; }
};

struct AttentionRecord {
    std::vector<TokenSequence> sequences;
    std::vector<NamedStack> stacks;
    // [positions, vocabulary] for a language model, or one row [labels] for a classifier, which
    // scores the whole input (logitsPerInput); empty without a head.
    RowMatrix logits;
    bool logitsPerInput = false;
    PixelValues pixels;     // the image the model read, where it read one
    std::string modelType;  // empty when unknown

    // The stack called `name`: its index, or -1.
    int indexOf(std::string_view name) const;
    const NamedStack* find(std::string_view name) const;
    // The attention of the stack called `name`; throws attnscope::Error when there is none.
    const AttentionStack& attention(std::string_view name = kSelfStack) const;
    const TokenSequence& queriesOf(const NamedStack& stack) const { return sequences.at(static_cast<std::size_t>(stack.querySequence)); }
    const TokenSequence& keysOf(const NamedStack& stack) const { return sequences.at(static_cast<std::size_t>(stack.keySequence)); }
    // The input's tokens (the text, the source or the image): sequence 0.
    const TokenSequence& input() const { return sequences.at(0); }
    // Where an image's patches are, when the input tiles one.
    const PatchGrid& patches() const { return input().patches; }
};

}  // namespace attnscope
