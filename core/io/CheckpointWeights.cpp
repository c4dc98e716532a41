#include "io/CheckpointWeights.h"

#include <algorithm>
#include <cstring>

#include "Error.h"
#include "io/ShardIndex.h"

namespace attnscope {

std::int64_t FloatTensor::elementCount() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

namespace {

bool isSixteenBitFloat(DType t) { return t == DType::F16 || t == DType::BF16; }

// The shard files named by a *.index.json's weight_map, each once, in name order.
std::vector<std::filesystem::path> shardsOf(const std::filesystem::path& index) {
    std::vector<std::filesystem::path> out;
    for (const auto& s : shardsListedIn(index)) out.push_back(index.parent_path() / s);
    return out;
}

}  // namespace

CheckpointWeights::CheckpointWeights(const std::filesystem::path& folder, std::size_t conversionBudget) {
    const auto single = folder / "model.safetensors";
    const auto index = folder / "model.safetensors.index.json";
    const auto torchSingle = folder / "pytorch_model.bin";
    const auto torchIndex = folder / "pytorch_model.bin.index.json";
    if (std::filesystem::exists(index)) {
        for (const auto& p : shardsOf(index)) addSafetensors(p);
    } else if (std::filesystem::exists(single)) {
        addSafetensors(single);
    } else if (std::filesystem::exists(torchIndex)) {
        for (const auto& p : shardsOf(torchIndex)) addTorch(p);
    } else if (std::filesystem::exists(torchSingle)) {
        addTorch(torchSingle);
    } else {
        throw Error(folder.string() +
                    ": no weights found (expected model.safetensors, model.safetensors.index.json, pytorch_model.bin or "
                    "pytorch_model.bin.index.json)");
    }
    decideSixteenBit(conversionBudget);
}

void CheckpointWeights::decideSixteenBit(std::size_t conversionBudget) {
    double sixteenBitAsFloat32 = 0.0;
    for (const auto& [name, loc] : where_)
        if (isSixteenBitFloat(loc.info->dtype)) sixteenBitAsFloat32 += 4.0 * double(loc.info->elementCount());
    keepSixteenBit_ = sixteenBitAsFloat32 > static_cast<double>(conversionBudget);
}

CheckpointWeights::CheckpointWeights(std::unique_ptr<GgufFile> file, const std::vector<GgufTensorName>& tensors,
                                     std::size_t conversionBudget)
    : ggufFile_(std::move(file)) {
    const GgufFile& f = *ggufFile_;
    sources_.push_back(f.path());
    for (const auto& t : tensors) {
        const TensorInfo* stored = f.findTensor(t.stored);
        if (!stored) throw Error(f.path().string() + ": missing tensor '" + t.stored + "'");
        if (where_.count(t.name)) throw Error(f.path().string() + ": two tensors would both be '" + t.name + "'");
        TensorInfo info = *stored;
        info.name = t.name;
        const std::uint8_t* bytes = f.bytes(*stored);
        if (!t.rowOrder.empty()) {
            const std::int64_t rows = info.shape.empty() ? 1 : info.shape.front();
            if (static_cast<std::int64_t>(t.rowOrder.size()) != rows)
                throw Error(f.path().string() + ": tensor '" + t.stored + "' has " + std::to_string(rows) + " rows, not " +
                            std::to_string(t.rowOrder.size()));
            const std::size_t rowBytes = (info.end - info.begin) / static_cast<std::size_t>(std::max<std::int64_t>(rows, 1));
            std::vector<std::uint8_t> copy(info.end - info.begin);
            for (std::size_t r = 0; r < t.rowOrder.size(); ++r) {
                const std::int64_t from = t.rowOrder[r];
                if (from < 0 || from >= rows) throw Error(f.path().string() + ": tensor '" + t.stored + "': row order out of range");
                std::memcpy(copy.data() + r * rowBytes, bytes + static_cast<std::size_t>(from) * rowBytes, rowBytes);
            }
            reordered_.push_back(std::move(copy));
            bytes = reordered_.back().data();
        }
        if (t.subtract != 0.0f) {
            if (isBlockQuantized(info.dtype))
                throw Error(f.path().string() + ": tensor '" + t.stored + "' is quantized, but its values must be shifted (it should be float)");
            const auto count = static_cast<std::size_t>(info.elementCount());
            std::vector<std::uint8_t> copy(count * sizeof(float));  // new[]'s alignment suits float
            float* values = reinterpret_cast<float*>(copy.data());
            convertToFloat(info.dtype, bytes, count, values);
            for (std::size_t i = 0; i < count; ++i) values[i] -= t.subtract;
            reordered_.push_back(std::move(copy));
            bytes = reordered_.back().data();
            info.dtype = DType::F32;
            info.end = info.begin + count * sizeof(float);
        }
        ownInfos_.push_back(std::move(info));
        Location loc;
        loc.info = &ownInfos_.back();
        loc.gguf = bytes;
        where_[t.name] = loc;
    }
    decideSixteenBit(conversionBudget);
}

CheckpointWeights::~CheckpointWeights() = default;

void CheckpointWeights::addSafetensors(const std::filesystem::path& p) {
    files_.push_back(std::make_unique<SafetensorsFile>(p));
    sources_.push_back(p);
    for (const auto& t : files_.back()->tensors()) {
        if (where_.count(t.name)) throw Error(p.string() + ": tensor '" + t.name + "' also appears in another shard");
        where_[t.name] = {files_.back().get(), nullptr, nullptr, &t};
    }
}

void CheckpointWeights::addTorch(const std::filesystem::path& p) {
    torchFiles_.push_back(std::make_unique<TorchCheckpoint>(p));
    sources_.push_back(p);
    const TorchCheckpoint* file = torchFiles_.back().get();
    for (const auto& t : file->tensors()) {
        if (where_.count(t.name)) throw Error(p.string() + ": tensor '" + t.name + "' also appears in another shard");
        // Name, dtype and shape are what callers of info() use; begin/end (offsets in a
        // safetensors data section) do not apply and stay 0.
        TensorInfo info;
        info.name = t.name;
        info.dtype = t.dtype;
        info.shape = t.shape;
        ownInfos_.push_back(std::move(info));
        where_[t.name] = {nullptr, file, &t, &ownInfos_.back()};
    }
}

const TensorInfo* CheckpointWeights::info(const std::string& name) const {
    auto it = where_.find(name);
    return it == where_.end() ? nullptr : it->second.info;
}

const CheckpointWeights::Location& CheckpointWeights::locate(const std::string& name) const {
    auto it = where_.find(name);
    if (it == where_.end()) throw Error(describeSource() + ": missing tensor '" + name + "'");
    return it->second;
}

const std::uint8_t* CheckpointWeights::contiguousBytes(const Location& loc) const {
    if (loc.gguf) return loc.gguf;
    if (loc.file) return loc.file->bytes(*loc.info);
    return loc.torchTensor->contiguous ? loc.torchTensor->data() : nullptr;
}

const std::uint8_t* CheckpointWeights::packed(const std::string& name) const {
    const Location& loc = locate(name);
    if (!keptAsStored(loc.info->dtype)) return nullptr;
    return contiguousBytes(loc);
}

bool CheckpointWeights::keptAsStored(DType type) const {
    return isBlockQuantized(type) || (keepSixteenBit_ && isSixteenBitFloat(type));
}

std::size_t CheckpointWeights::weightBytes() const {
    std::size_t bytes = 0;
    for (const auto& [name, loc] : where_) {
        const DType t = loc.info->dtype;
        const std::size_t count = static_cast<std::size_t>(loc.info->elementCount());
        bytes += t == DType::F32 || keptAsStored(t) ? dtypeBytes(t, count) : 4 * count;
    }
    return bytes;
}

FloatTensor CheckpointWeights::get(const std::string& name) const {
    const Location& loc = locate(name);
    FloatTensor out;
    out.shape = loc.info->shape;
    out.name = name;
    // Zero-copy when the mapped bytes already are aligned, contiguous float32; otherwise a
    // converted (or, for strided PyTorch views, gathered) copy that lives as long as we do.
    const std::uint8_t* bytes = contiguousBytes(loc);
    if (bytes && loc.info->dtype == DType::F32 && reinterpret_cast<std::uintptr_t>(bytes) % alignof(float) == 0) {
        out.data = reinterpret_cast<const float*>(bytes);
    } else {
        std::vector<float> values;
        if (loc.gguf) {
            values.resize(static_cast<std::size_t>(loc.info->elementCount()));
            convertToFloat(loc.info->dtype, loc.gguf, values.size(), values.data());
        } else {
            values = loc.file ? loc.file->toFloat(*loc.info) : loc.torch->toFloat(*loc.torchTensor);
        }
        std::lock_guard lock(convertedMutex_);
        converted_.push_back(std::move(values));
        out.data = converted_.back().data();
    }
    return out;
}

std::vector<std::string> CheckpointWeights::names() const {
    std::vector<std::string> out;
    for (const auto& [name, loc] : where_) out.push_back(name);
    return out;
}

std::int64_t CheckpointWeights::parameterCount() const {
    std::int64_t n = 0;
    for (const auto& [name, loc] : where_) n += loc.info->elementCount();
    return n;
}

std::string CheckpointWeights::describeSource() const {
    if (sources_.size() == 1) return sources_.front().string();
    return sources_.empty() ? std::string("weights") : sources_.front().parent_path().string() + " (sharded weights)";
}

}  // namespace attnscope
