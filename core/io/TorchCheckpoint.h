#pragma once
// A PyTorch checkpoint (pytorch_model.bin) read without running its pickle.
//
// Two layouts exist. Since torch 1.6, torch.save writes a ZIP archive: <folder>/data.pkl
// (the state dict, with tensors as persistent ids naming storages) and one stored entry
// <folder>/data/<key> per storage, aligned so it can be mapped in place. Older files are
// the "legacy" stream: a magic-number pickle, a protocol-version pickle, a sys-info
// pickle, the state-dict pickle, a pickle listing the storage keys, then for each key an
// 8-byte little-endian element count and the raw bytes. Both are memory-mapped; tensor
// data is never copied here.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tensor/DType.h"
#include "io/MappedFile.h"

namespace attnscope {

struct TorchTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::vector<std::int64_t> stride;     // elements, as torch stores them
    std::int64_t storageOffset = 0;       // elements
    const std::uint8_t* storage = nullptr;  // the storage's bytes in the mapped file
    std::size_t storageBytes = 0;
    bool contiguous = true;               // row-major with no gaps: data() holds it all

    std::int64_t elementCount() const;
    // The first element (storage + storageOffset). For a contiguous tensor the elements
    // follow in row-major order; use TorchCheckpoint::toFloat() for the general case.
    const std::uint8_t* data() const { return storage + static_cast<std::size_t>(storageOffset) * dtypeSize(dtype); }
};

class TorchCheckpoint {
public:
    explicit TorchCheckpoint(const std::filesystem::path& path);  // throws attnscope::Error

    const std::filesystem::path& path() const { return file_.path(); }
    bool isLegacyFormat() const { return legacy_; }
    const std::vector<TorchTensor>& tensors() const { return tensors_; }
    const TorchTensor* find(const std::string& name) const;

    // The tensor's elements as float32 in row-major order, gathering strided tensors.
    std::vector<float> toFloat(const TorchTensor& t) const;

private:
    void readZip();
    void readLegacy();
    void setTensors(std::vector<TorchTensor> tensors);

    MappedFile file_;
    bool legacy_ = false;
    std::vector<TorchTensor> tensors_;
    std::map<std::string, std::size_t> index_;
};

}  // namespace attnscope
