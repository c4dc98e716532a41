#include "model/WeightBinder.h"

#include "Error.h"

namespace attnscope {

namespace {

std::string shapeText(const std::vector<std::int64_t>& s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

}  // namespace

WeightBinder::WeightBinder(const CheckpointWeights& w, const ModelConfig& c, std::string part)
    : w_(w), c_(c), names_(&c.spec().names), part_(std::move(part)) {
    const FamilySpec& spec = c.spec();
    const std::string probe = spec.names.at(spec.probeRole()) + ".weight";
    for (const auto& p : spec.basePrefixes)
        if (w.has(part_ + p + probe)) {
            prefix_ = p;
            return;
        }
    throw Error(w.describeSource() + ": missing tensor '" + part_ + spec.basePrefixes.front() + probe + "' (the first tensor of a " +
                c.modelType + " checkpoint" + (part_.empty() ? "" : "'s " + part_.substr(0, part_.size() - 1)) + ")");
}

WeightBinder WeightBinder::whole() const {
    WeightBinder outside = *this;
    outside.part_.clear();
    return outside;
}

std::string WeightBinder::name(TensorRole role, int layer, const char* suffix) const {
    return prefix_ + layerPath(names_->at(role), layer) + suffix;
}

void WeightBinder::requireShape(const std::string& relativeName, const std::vector<std::int64_t>& shape) const {
    const std::string fullName = part_ + relativeName;
    const TensorInfo* found = w_.info(fullName);
    if (!found)
        throw Error(w_.describeSource() + ": missing tensor '" + fullName + "' needed by this " + c_.modelType + " model");
    if (found->shape != shape)
        throw Error(w_.describeSource() + ": tensor '" + fullName + "' has shape " + shapeText(found->shape) + ", expected " +
                    shapeText(shape) + " from config.json");
}

FloatTensor WeightBinder::tensor(const std::string& relativeName, const std::vector<std::int64_t>& shape) const {
    requireShape(relativeName, shape);  // before converting: a wrong tensor is never copied
    return w_.get(part_ + relativeName);
}

Linear WeightBinder::linear(TensorRole role, int layer, int in, int out, Bias bias) const {
    return linearLaidOut(name(role, layer, ""), in, out, bias, c_.matricesInOut);
}

Linear WeightBinder::linearOutIn(const std::string& path, int in, int out, Bias bias) const {
    return linearLaidOut(path, in, out, bias, false);
}

Linear WeightBinder::linearLaidOut(const std::string& path, int in, int out, Bias bias, bool storedInOut) const {
    Linear l;
    l.in = in;
    l.out = out;
    l.storedInOut = storedInOut;
    const std::string weight = path + ".weight";
    const std::vector<std::int64_t> shape = storedInOut ? std::vector<std::int64_t>{in, out} : std::vector<std::int64_t>{out, in};
    if (const std::uint8_t* packed = has(weight) ? w_.packed(part_ + weight) : nullptr) {
        requireShape(weight, shape);
        if (storedInOut && isBlockQuantized(info(weight)->dtype))
            throw Error(w_.describeSource() + ": tensor '" + part_ + weight + "' is quantized in blocks along its outputs; " +
                        "AttnScope reads quantized matrices only as [outputs, inputs]");
        l.packed = packed;
        l.packedType = info(weight)->dtype;
    } else {
        l.weight = tensor(weight, shape).data;
    }
    if (bias == Bias::Required) l.bias = tensor(path + ".bias", {out}).data;
    return l;
}

Norm WeightBinder::norm(const std::string& path, int dim) const {
    Norm n;
    n.dim = dim;
    n.kind = c_.spec().norm;
    n.eps = c_.normEps;
    n.weight = tensor(path + ".weight", {dim}).data;
    if (n.kind == NormKind::LayerNorm && c_.normBias) n.bias = tensor(path + ".bias", {dim}).data;
    return n;
}

}  // namespace attnscope
