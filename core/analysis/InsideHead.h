#pragma once
// The classroom's look inside one head: what its attention at one query is made of.
#include <atomic>
#include <optional>

#include "model/ForwardResult.h"
#include "model/HeadCapture.h"

namespace attnscope {

class TransformerModel;

// Runs the forward pass keeping `head` of `layer` at `query` (model/HeadCapture.h). std::nullopt
// when *cancel became true. Throws attnscope::Error for an encoder-decoder, or a layer, head or
// query the model or input lacks.
std::optional<HeadCapture> captureHead(const TransformerModel& model, ForwardInput input, int layer, int head, int query,
                                       const std::atomic<bool>* cancel = nullptr);

}  // namespace attnscope
