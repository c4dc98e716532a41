#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/CheckpointWeights.h"
#include "model/Layers.h"
#include "model/ModelConfig.h"

namespace attnscope {

enum class Bias { Required, None };

// Looks a checkpoint's tensors up by role, applying the prefix the checkpoint puts before the
// base model's names ("bert.", "model.", ...), and checks their shapes against config.json.
// Every error names the tensor.
class WeightBinder {
public:
    // Finds the prefix from the family's probe tensor; throws attnscope::Error when none fits.
    // `part`: where a composed model keeps this part's tensors ("encoder.", "decoder."); every
    // name this binder gives or takes is then relative to it.
    WeightBinder(const CheckpointWeights& weights, const ModelConfig& config, std::string part = "");

    const CheckpointWeights& weights() const { return w_; }
    const ModelConfig& config() const { return c_; }
    // The full name of a role's module (+ suffix) in layer `layer`, in the stack in use.
    std::string name(TensorRole role, int layer, const char* suffix) const;
    // A base-model module's full name (with the checkpoint's prefix).
    std::string basePath(const std::string& module) const { return prefix_ + module; }
    bool hasRole(TensorRole role) const { return names_->count(role) != 0; }
    // Switches between the encoder's (or only) stack's names and the decoder's.
    void useNames(const std::map<TensorRole, std::string>& names) { names_ = &names; }

    bool has(const std::string& fullName) const { return w_.has(part_ + fullName); }
    const TensorInfo* info(const std::string& fullName) const { return w_.info(part_ + fullName); }
    FloatTensor tensor(const std::string& fullName, const std::vector<std::int64_t>& shape) const;
    // A binder of the same config over the whole checkpoint: a composed model's own modules
    // (enc_to_dec_proj) are outside both parts.
    WeightBinder whole() const;
    // A role's linear layer in the family's weight layout (GPT-2's Conv1D stores [in, out]).
    Linear linear(TensorRole role, int layer, int in, int out, Bias bias) const;
    // An nn.Linear stored [out, in], whatever the blocks use: heads are never Conv1D.
    Linear linearOutIn(const std::string& path, int in, int out, Bias bias) const;
    Norm norm(const std::string& path, int dim) const;
    Norm norm(TensorRole role, int layer) const { return norm(name(role, layer, ""), c_.hidden); }
    Norm norm(TensorRole role, int layer, int dim) const { return norm(name(role, layer, ""), dim); }

private:
    // Throws attnscope::Error naming the tensor when it is missing or not of this shape.
    void requireShape(const std::string& relativeName, const std::vector<std::int64_t>& shape) const;
    Linear linearLaidOut(const std::string& path, int in, int out, Bias bias, bool storedInOut) const;

    const CheckpointWeights& w_;
    const ModelConfig& c_;
    const std::map<TensorRole, std::string>* names_;
    std::string part_;
    std::string prefix_;
};

}  // namespace attnscope
