#pragma once
// Direct logit attribution follows the residual stream at the positions the output head reads,
// as a sum of parts — the embedding, each head's output through its slice of the output
// projection, each MLP's output, and the biases — through every norm after them with its scale
// frozen at the value it takes on the actual stream (and, in the head, every activation frozen
// the same way). Then the parts add up exactly to what the head reads, and each one's share of
// a logit is what it writes there directly, not through later layers.
#include <vector>

#include "model/Layers.h"
#include "tensor/RowMatrix.h"

namespace attnscope {

struct ResidualPart {
    // CrossHead: a decoder layer's cross-attention head, writing what it read of the encoder.
    enum class Kind { Embedding, Head, CrossHead, Mlp, Bias };
    Kind kind = Kind::Bias;
    int layer = -1;  // -1: not one layer's (the embedding, the final norm's and the head's biases)
    int head = -1;
};

class ResidualTrace {
public:
    // Follows the rows `positions` of the stream (each once; the head reads one, or DeiT's two).
    explicit ResidualTrace(std::vector<int> positions);

    const std::vector<int>& positions() const { return positions_; }
    const std::vector<ResidualPart>& parts() const { return parts_; }
    // Part p's vector at tracked position i (its width: the stream's, or the head's after mapStream).
    const Eigen::RowVectorXd& vector(std::size_t part, std::size_t position) const { return vectors_[part][position]; }
    // The layer the next parts come from (the layer loop sets it).
    void setLayer(int layer) { layer_ = layer; }

    // The stream's start: the embeddings' output x [n, hidden].
    void start(const RowMatrix& x);
    // A sublayer's output, opened as a group until commitGroup(): the heads' outputs, read from
    // the context [n, heads * headDim] before `out` (each head through its columns of it), and
    // out's bias; or an MLP's whole output [n, hidden].
    void addHeads(const RowMatrix& context, const Linear& out, int heads, int headDim, bool cross = false);
    void addMlp(const RowMatrix& output);
    // A norm on the open group's sum (Gemma 2's post-attention norm), `input` being that sum [n, width].
    void normGroup(const Norm& norm, const RowMatrix& input);
    // The open group joins the stream.
    void commitGroup();
    // A norm on the whole stream (post-norm blocks, the final norm), `input` being the stream [n, width].
    void normStream(const Norm& norm, const RowMatrix& input);

    // The head's steps on the stream: a projection's weight (its bias becomes a part), an
    // activation frozen at the head's actual inputs `z` [n, width], a constant factor.
    void mapStream(const Linear& linear);
    void activateStream(Activation activation, const RowMatrix& z);
    void scaleStream(double factor);
    // The sum of every part at tracked position i: what the stream holds there (for checks).
    Eigen::RowVectorXd sum(std::size_t position) const;

private:
    void addBias(const float* bias, int width);
    void normParts(const Norm& norm, const RowMatrix& input, std::size_t firstPart);

    std::vector<int> positions_;
    std::vector<ResidualPart> parts_;
    std::vector<std::vector<Eigen::RowVectorXd>> vectors_;  // [part][tracked position]
    std::size_t groupStart_ = 0;  // parts from here on are the open group
    int layer_ = -1;
};

}  // namespace attnscope
