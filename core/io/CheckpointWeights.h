#pragma once
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/GgufFile.h"
#include "io/SafetensorsFile.h"
#include "io/TorchCheckpoint.h"

namespace attnscope {

// A float32 view of one weight tensor. Points into the memory map when the file stores
// aligned F32, otherwise into a converted copy owned by CheckpointWeights.
struct FloatTensor {
    const float* data = nullptr;
    std::vector<std::int64_t> shape;
    std::string name;

    std::int64_t dim(std::size_t i) const { return i < shape.size() ? shape[i] : 1; }
    std::int64_t elementCount() const;
};

// The weights of a model folder: model.safetensors, or the shards listed in
// model.safetensors.index.json; failing those, PyTorch's pytorch_model.bin or the shards in
// pytorch_model.bin.index.json (read without running their pickles, see TorchCheckpoint).
// Safetensors wins when both exist. Files are memory-mapped, never read whole.
class CheckpointWeights {
public:
    // Weights stored as 16-bit floats are converted to float32 once, at load, while all of them
    // together would take at most `conversionBudget` bytes as float32: each use is then a plain
    // product (one generated token costs a third less than converting on the fly). Above it
    // (a billion parameters and up) they stay as stored and packed() hands them out.
    static constexpr std::size_t kDefaultConversionBudget = std::size_t(2) << 30;
    explicit CheckpointWeights(const std::filesystem::path& folder,
                               std::size_t conversionBudget = kDefaultConversionBudget);  // throws attnscope::Error

    // The tensors of a GGUF file under the names the model's family table uses. Each is read in
    // place unless `rowOrder` is given: then row r of the tensor is stored row rowOrder[r], and a
    // reordered copy is made once (rows are whole quantization blocks, so that works for every
    // type). Block-quantized tensors always stay quantized (packed()). A non-zero `subtract` is
    // taken from every value of a float tensor (a float32 copy is made once): Gemma's norm
    // weights, which llama.cpp's converter stores as 1 + w.
    struct GgufTensorName {
        std::string stored;
        std::string name;
        std::vector<std::int64_t> rowOrder;
        float subtract = 0.0f;
    };
    CheckpointWeights(std::unique_ptr<GgufFile> file, const std::vector<GgufTensorName>& tensors,
                      std::size_t conversionBudget = kDefaultConversionBudget);  // throws attnscope::Error
    ~CheckpointWeights();

    bool has(const std::string& name) const { return where_.count(name) != 0; }
    const TensorInfo* info(const std::string& name) const;
    // Throws attnscope::Error naming the tensor (and `purpose`) when it is missing.
    FloatTensor get(const std::string& name) const;
    // The tensor's own bytes, to be converted a slice at a time inside the products: its
    // block-quantized bytes always, its F16 or BF16 bytes when this checkpoint keeps 16-bit
    // weights as stored (see the constructor); nullptr when it is used as float32 (get()) or does
    // not lie contiguously. Throws when the tensor is missing.
    const std::uint8_t* packed(const std::string& name) const;
    bool keepsSixteenBit() const { return keepSixteenBit_; }
    // The bytes the weights take as they are used: stored size for packed ones and float32 in
    // place, four bytes a value for those converted to float32 at load.
    std::size_t weightBytes() const;
    std::vector<std::string> names() const;
    std::int64_t parameterCount() const;
    std::string describeSource() const;  // the file name(s), for error messages

private:
    // A tensor lives in a safetensors file or in a PyTorch checkpoint (exactly one is set).
    struct Location {
        const SafetensorsFile* file = nullptr;
        const TorchCheckpoint* torch = nullptr;
        const TorchTensor* torchTensor = nullptr;
        const TensorInfo* info = nullptr;
        const std::uint8_t* gguf = nullptr;  // a GGUF tensor's bytes (mapped, or a reordered copy)
    };
    void addSafetensors(const std::filesystem::path& path);
    void addTorch(const std::filesystem::path& path);
    void decideSixteenBit(std::size_t conversionBudget);
    // Used as stored, converted inside the products (packed()): quantized blocks always, 16-bit
    // floats when the budget says so.
    bool keptAsStored(DType type) const;

    std::vector<std::unique_ptr<SafetensorsFile>> files_;
    std::vector<std::unique_ptr<TorchCheckpoint>> torchFiles_;
    std::unique_ptr<GgufFile> ggufFile_;
    std::deque<std::vector<std::uint8_t>> reordered_;  // GGUF tensors copied on load (rows put in order, values shifted)
    std::deque<TensorInfo> ownInfos_;  // info() for PyTorch and renamed GGUF tensors; deque: addresses stay valid
    std::vector<std::filesystem::path> sources_;
    bool keepSixteenBit_ = false;
    std::map<std::string, Location> where_;
    const Location& locate(const std::string& name) const;
    const std::uint8_t* contiguousBytes(const Location& loc) const;

    mutable std::mutex convertedMutex_;
    mutable std::deque<std::vector<float>> converted_;  // deque: element addresses stay valid
};

}  // namespace attnscope
