#include "analysis/InsideHead.h"

#include "Error.h"
#include "model/TransformerModel.h"

namespace attnscope {

std::optional<HeadCapture> captureHead(const TransformerModel& model, ForwardInput input, int layer, int head, int query,
                                       const std::atomic<bool>* cancel) {
    const ModelConfig& c = model.config();
    if (layer < 0 || layer >= c.layers)
        throw Error("layer " + std::to_string(layer) + " does not exist (the model has " + std::to_string(c.layers) + ", numbered from 0)");
    if (head < 0 || head >= c.heads)
        throw Error("head " + std::to_string(head) + " does not exist (the model has " + std::to_string(c.heads) + " per layer, numbered from 0)");
    HeadCapture capture;
    capture.layer = layer;
    capture.head = head;
    capture.query = query;
    input.capture = &capture;
    const auto result = model.forward(input, {}, cancel);
    if (!result) return std::nullopt;
    if (!capture.filled) {
        const int n = static_cast<int>(result->record.stacks.front().attention.queries);
        throw Error("query " + std::to_string(query) + " does not exist (the input has " + std::to_string(n) + " tokens, numbered from 0)");
    }
    return capture;
}

}  // namespace attnscope
