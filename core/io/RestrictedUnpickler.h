#pragma once
// A pickle reader that never runs anything.
//
// PyTorch checkpoints are pickles, and an ordinary unpickler calls whatever global the
// file names (os.system included). This one is a small pickle virtual machine that
// understands the opcodes torch.save emits and accepts only an allow-list of globals: the
// handful torch uses for state dicts, tensors and storages. Every other global is refused
// by name the moment it is read, before any REDUCE. Even allowed globals are never
// "called": REDUCE on one builds our own C++ value (an empty dict, a tensor description).
//
// Everything is bounded: string lengths by the bytes left, the stack, the mark stack, the
// memo and the number of objects. The machine is iterative (no recursion, so no nesting
// depth can overflow the C++ stack) and objects live in an arena owned by the unpickler,
// so self-referencing containers cannot leak or recurse either.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/DType.h"

namespace attnscope::pickle {

enum class Kind : std::uint8_t {
    None, Bool, Int, BigInt, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor
};
std::string_view kindName(Kind kind);

// The globals a checkpoint may name. Nothing else is representable.
enum class GlobalId : std::uint8_t {
    OrderedDict,                // collections.OrderedDict
    RebuildTensorV2,            // torch._utils._rebuild_tensor_v2
    RebuildTensorV3,            // torch._utils._rebuild_tensor_v3 (dtypes without a typed storage)
    RebuildParameter,           // torch._utils._rebuild_parameter
    RebuildParameterWithState,  // torch._utils._rebuild_parameter_with_state
    StorageType,                // torch.FloatStorage, torch.HalfStorage, ..., torch.UntypedStorage
    DTypeValue,                 // torch.float32, torch.float16, ... (arguments of _rebuild_tensor_v3)
};

struct Object;

// What a persistent id ('storage', storage_type, key, location, numel[, view_metadata])
// names: one storage of the checkpoint, to be found by key in the archive or legacy file.
struct StorageRef {
    DType dtype = DType::U8;  // element type of the storage (U8 for torch.UntypedStorage)
    bool untyped = false;
    std::string key;
    std::string location;     // "cpu", "cuda:0", ...: ignored, weights are read on the CPU
    std::int64_t numel = 0;   // elements of `dtype` (bytes when untyped)
    // Legacy-format views of a larger storage: (view_key, offset, size) in elements.
    bool isView = false;
    std::string viewKey;
    std::int64_t viewOffset = 0;
    std::int64_t viewSize = 0;
};

// What _rebuild_tensor_v2/_v3 describe: a strided view of a storage. Bounds against the
// storage's real size are checked by the caller, which knows where the bytes are.
struct TensorRef {
    const StorageRef* storage = nullptr;
    DType dtype = DType::F32;
    std::int64_t storageOffset = 0;  // elements
    std::vector<std::int64_t> shape;
    std::vector<std::int64_t> stride;  // elements
};

struct Object {
    Kind kind = Kind::None;
    std::int64_t integer = 0;   // Bool (0/1) and Int
    double real = 0;            // Float
    std::string text;           // String (UTF-8 as stored), Bytes, BigInt (little-endian two's
                                // complement), Global (its "module.name")
    std::vector<Object*> items; // Tuple and List; Dict: key, value, key, value, ... in
                                // insertion order (a later duplicate key wins, as in Python)
    GlobalId global = GlobalId::OrderedDict;  // Global
    DType dtype = DType::U8;    // Global StorageType / DTypeValue
    std::unique_ptr<StorageRef> storage;  // Storage
    std::unique_ptr<TensorRef> tensor;    // Tensor
};

struct Limits {
    // ~100 bytes each, so at most ~200 MB; a real state dict needs ~15 per tensor.
    std::size_t maxObjects = 2'000'000;
    std::size_t maxStack = 1'000'000;
    std::size_t maxMarks = 4096;           // torch nests marks a handful deep
    std::size_t maxMemo = 1'000'000;
    std::size_t maxGlobalName = 256;       // module and name lines of GLOBAL
    std::size_t maxTensorDims = 64;
};

class RestrictedUnpickler {
public:
    // Reads pickles from the `size` bytes at `data` (which must outlive the unpickler);
    // `where` (file and entry) prefixes every error.
    RestrictedUnpickler(const std::uint8_t* data, std::size_t size, std::string where, Limits limits = {});
    ~RestrictedUnpickler();
    RestrictedUnpickler(const RestrictedUnpickler&) = delete;
    RestrictedUnpickler& operator=(const RestrictedUnpickler&) = delete;

    // Runs one pickle starting at `offset` up to its STOP and returns the result, owned by
    // this unpickler (valid until it is destroyed; later loads keep it alive). `end`, when
    // given, receives the offset just past the STOP. Throws attnscope::Error.
    const Object& load(std::size_t offset = 0, std::size_t* end = nullptr);

    // Every storage the loads so far have referenced through persistent ids.
    const std::vector<const StorageRef*>& storages() const { return storages_; }

    const std::string& where() const { return where_; }

private:
    class Machine;
    Object* make(Kind kind);

    const std::uint8_t* data_;
    std::size_t size_;
    std::string where_;
    Limits limits_;
    std::deque<Object> arena_;  // deque: addresses stay valid as it grows
    Object* none_ = nullptr;  // None, True and False are shared, as in Python
    Object* true_ = nullptr;
    Object* false_ = nullptr;
    std::vector<const StorageRef*> storages_;
};

}  // namespace attnscope::pickle
