#include "io/RestrictedUnpickler.h"

#include <bit>
#include <cstring>
#include <unordered_map>

#include "Error.h"

namespace attnscope::pickle {
namespace {

struct AllowedGlobal {
    std::string_view module;
    std::string_view name;
    GlobalId id;
    DType dtype;  // for storage types and dtypes
};

// The complete allow-list. Storage classes and dtypes are only ever arguments (of a
// persistent id or _rebuild_tensor_v3); the rebuild functions and OrderedDict are the only
// ones REDUCE accepts, and for them it builds our own value instead of calling anything.
constexpr AllowedGlobal kAllowed[] = {
    {"collections", "OrderedDict", GlobalId::OrderedDict, DType::U8},
    {"torch._utils", "_rebuild_tensor_v2", GlobalId::RebuildTensorV2, DType::U8},
    {"torch._utils", "_rebuild_tensor_v3", GlobalId::RebuildTensorV3, DType::U8},
    {"torch._utils", "_rebuild_parameter", GlobalId::RebuildParameter, DType::U8},
    {"torch._utils", "_rebuild_parameter_with_state", GlobalId::RebuildParameterWithState, DType::U8},
    {"torch", "FloatStorage", GlobalId::StorageType, DType::F32},
    {"torch", "HalfStorage", GlobalId::StorageType, DType::F16},
    {"torch", "BFloat16Storage", GlobalId::StorageType, DType::BF16},
    {"torch", "DoubleStorage", GlobalId::StorageType, DType::F64},
    {"torch", "LongStorage", GlobalId::StorageType, DType::I64},
    {"torch", "IntStorage", GlobalId::StorageType, DType::I32},
    {"torch", "ShortStorage", GlobalId::StorageType, DType::I16},
    {"torch", "CharStorage", GlobalId::StorageType, DType::I8},
    {"torch", "ByteStorage", GlobalId::StorageType, DType::U8},
    {"torch", "BoolStorage", GlobalId::StorageType, DType::Bool},
    // Untyped (byte) storages: written for dtypes without a legacy storage class, with
    // the tensor's dtype passed to _rebuild_tensor_v3. The dtype here marks "bytes".
    {"torch", "UntypedStorage", GlobalId::StorageType, DType::U8},
    {"torch.storage", "UntypedStorage", GlobalId::StorageType, DType::U8},
    {"torch", "float32", GlobalId::DTypeValue, DType::F32},
    {"torch", "float", GlobalId::DTypeValue, DType::F32},
    {"torch", "float16", GlobalId::DTypeValue, DType::F16},
    {"torch", "half", GlobalId::DTypeValue, DType::F16},
    {"torch", "bfloat16", GlobalId::DTypeValue, DType::BF16},
    {"torch", "float64", GlobalId::DTypeValue, DType::F64},
    {"torch", "double", GlobalId::DTypeValue, DType::F64},
    {"torch", "int64", GlobalId::DTypeValue, DType::I64},
    {"torch", "long", GlobalId::DTypeValue, DType::I64},
    {"torch", "int32", GlobalId::DTypeValue, DType::I32},
    {"torch", "int", GlobalId::DTypeValue, DType::I32},
    {"torch", "int16", GlobalId::DTypeValue, DType::I16},
    {"torch", "short", GlobalId::DTypeValue, DType::I16},
    {"torch", "int8", GlobalId::DTypeValue, DType::I8},
    {"torch", "uint8", GlobalId::DTypeValue, DType::U8},
    {"torch", "bool", GlobalId::DTypeValue, DType::Bool},
    {"torch", "uint16", GlobalId::DTypeValue, DType::U16},
    {"torch", "uint32", GlobalId::DTypeValue, DType::U32},
    {"torch", "uint64", GlobalId::DTypeValue, DType::U64},
};

const AllowedGlobal* findAllowed(std::string_view module, std::string_view name) {
    for (const auto& g : kAllowed)
        if (g.module == module && g.name == name) return &g;
    return nullptr;
}

// Printable form of an untrusted global name for error messages: control characters and
// non-ASCII bytes escaped, length capped.
std::string printable(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < 120; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (s.size() > 120) out += "...";
    return out;
}

std::string opcodeName(std::uint8_t op) {
    switch (op) {
    case 'c': return "GLOBAL";
    case 'i': return "INST";
    case 'o': return "OBJ";
    case 0x81: return "NEWOBJ";
    case 0x92: return "NEWOBJ_EX";
    case 0x82: case 0x83: case 0x84: return "EXT";
    case 'I': return "INT";
    case 'L': return "LONG";
    case 'F': return "FLOAT";
    case 'S': return "STRING";
    case 'V': return "UNICODE";
    case 'P': return "PERSID";
    case 'p': return "PUT";
    case 'g': return "GET";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    default: break;
    }
    static const char* hex = "0123456789abcdef";
    return std::string("0x") + hex[op >> 4] + hex[op & 15];
}

}  // namespace

std::string_view kindName(Kind kind) {
    switch (kind) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::BigInt: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::Bytes: return "bytes";
    case Kind::Tuple: return "tuple";
    case Kind::List: return "list";
    case Kind::Dict: return "dict";
    case Kind::Global: return "global";
    case Kind::Storage: return "storage";
    case Kind::Tensor: return "tensor";
    }
    return "?";
}

// One run of the virtual machine: from a position to its STOP.
class RestrictedUnpickler::Machine {
public:
    Machine(RestrictedUnpickler& owner, std::size_t pos) : u_(owner), pos_(pos) {}

    Object* run();
    std::size_t position() const { return pos_; }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(u_.where_ + ": pickle byte " + std::to_string(opStart_) + ": " + what);
    }
    std::size_t left() const { return u_.size_ - pos_; }
    const std::uint8_t* take(std::size_t n, const char* what) {
        if (n > left()) fail(std::string(what) + " needs " + std::to_string(n) + " bytes but only " +
                             std::to_string(left()) + " remain; the pickle is truncated or corrupt");
        const std::uint8_t* p = u_.data_ + pos_;
        pos_ += n;
        return p;
    }
    std::uint64_t readLe(std::size_t n, const char* what) {
        const std::uint8_t* p = take(n, what);
        std::uint64_t v = 0;
        for (std::size_t i = n; i-- > 0;) v = (v << 8) | p[i];
        return v;
    }
    std::string readLine(const char* what) {
        const std::size_t maxLen = u_.limits_.maxGlobalName;
        const std::uint8_t* start = u_.data_ + pos_;
        const std::size_t n = std::min(left(), maxLen + 1);
        const void* nl = std::memchr(start, '\n', n);
        if (!nl) fail(std::string(what) + " is not a newline-terminated name of at most " + std::to_string(maxLen) + " bytes");
        const std::size_t len = static_cast<const std::uint8_t*>(nl) - start;
        pos_ += len + 1;
        return std::string(reinterpret_cast<const char*>(start), len);
    }

    Object* make(Kind kind) { return u_.make(kind); }
    void push(Object* o) {
        if (stack_.size() >= u_.limits_.maxStack)
            fail("the pickle stack exceeds " + std::to_string(u_.limits_.maxStack) + " entries");
        stack_.push_back(o);
    }
    Object* pop(const char* op) {
        if (stack_.size() <= floor()) fail(std::string(op) + " on an empty stack; the pickle is corrupt");
        Object* o = stack_.back();
        stack_.pop_back();
        return o;
    }
    Object* top(const char* op) {
        if (stack_.size() <= floor()) fail(std::string(op) + " on an empty stack; the pickle is corrupt");
        return stack_.back();
    }
    // Objects above the innermost mark cannot be popped by ordinary opcodes.
    std::size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
    // Pops the innermost mark and returns the objects pushed since it.
    std::vector<Object*> popMark(const char* op) {
        if (marks_.empty()) fail(std::string(op) + " without a MARK; the pickle is corrupt");
        const std::size_t m = marks_.back();
        marks_.pop_back();
        std::vector<Object*> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
        stack_.resize(m);
        return items;
    }

    void memoPut(std::uint64_t index, Object* o) {
        if (memo_.size() >= u_.limits_.maxMemo && !memo_.count(index))
            fail("the pickle memo exceeds " + std::to_string(u_.limits_.maxMemo) + " entries");
        memo_[index] = o;
    }
    Object* memoGet(std::uint64_t index) {
        auto it = memo_.find(index);
        if (it == memo_.end()) fail("memo entry " + std::to_string(index) + " is read before it is written; the pickle is corrupt");
        return it->second;
    }

    Object* makeInt(std::int64_t v) {
        Object* o = make(Kind::Int);
        o->integer = v;
        return o;
    }
    Object* makeString(const std::uint8_t* p, std::size_t n, Kind kind) {
        Object* o = make(kind);
        o->text.assign(reinterpret_cast<const char*>(p), n);
        return o;
    }
    Object* makeLong(const std::uint8_t* p, std::size_t n);
    Object* makeTuple(std::vector<Object*> items) {
        Object* o = make(Kind::Tuple);
        o->items = std::move(items);
        return o;
    }
    Object* global(std::string_view module, std::string_view name);
    Object* reduce(Object* callable, Object* args);
    Object* persistentLoad(Object* pid);
    Object* rebuildTensor(const Object& args, bool v3);
    std::int64_t intArg(const Object* o, const char* what) {
        if (o->kind != Kind::Int && o->kind != Kind::Bool) fail(std::string(what) + " must be an int, not " + std::string(kindName(o->kind)));
        return o->integer;
    }
    std::vector<std::int64_t> intTuple(const Object* o, const char* what, bool allowNegative) {
        if (o->kind != Kind::Tuple && o->kind != Kind::List) fail(std::string(what) + " must be a tuple of ints, not " + std::string(kindName(o->kind)));
        if (o->items.size() > u_.limits_.maxTensorDims) fail(std::string(what) + " has more than " + std::to_string(u_.limits_.maxTensorDims) + " dimensions");
        std::vector<std::int64_t> v;
        for (const Object* d : o->items) {
            const auto x = intArg(d, what);
            if (x < 0 && !allowNegative) fail(std::string(what) + " has a negative entry " + std::to_string(x));
            v.push_back(x);
        }
        return v;
    }

    RestrictedUnpickler& u_;
    std::size_t pos_;
    std::size_t opStart_ = 0;
    std::vector<Object*> stack_;
    std::vector<std::size_t> marks_;
    std::unordered_map<std::uint64_t, Object*> memo_;
};

Object* RestrictedUnpickler::Machine::makeLong(const std::uint8_t* p, std::size_t n) {
    if (n <= 8) {
        std::uint64_t v = 0;
        for (std::size_t i = n; i-- > 0;) v = (v << 8) | p[i];
        if (n > 0 && n < 8 && (p[n - 1] & 0x80)) v |= ~std::uint64_t{0} << (8 * n);  // sign-extend
        return makeInt(static_cast<std::int64_t>(v));
    }
    return makeString(p, n, Kind::BigInt);  // e.g. the legacy format's 80-bit magic number
}

Object* RestrictedUnpickler::Machine::global(std::string_view module, std::string_view name) {
    const AllowedGlobal* g = findAllowed(module, name);
    if (!g)
        fail("refused the global '" + printable(module) + "." + printable(name) +
             "': a checkpoint may name only the globals torch uses for tensors and their storages "
             "(AttnScope never runs code from a file)");
    Object* o = make(Kind::Global);
    o->global = g->id;
    o->dtype = g->dtype;
    o->text = std::string(module) + "." + std::string(name);
    return o;
}

Object* RestrictedUnpickler::Machine::persistentLoad(Object* pid) {
    // ('storage', storage_type, key, location, numel[, view_metadata])
    if (pid->kind != Kind::Tuple || pid->items.size() < 5 || pid->items.size() > 6 ||
        pid->items[0]->kind != Kind::String || pid->items[0]->text != "storage")
        fail("persistent id is not a ('storage', type, key, location, size) tuple");
    const auto& it = pid->items;
    if (it[1]->kind != Kind::Global || it[1]->global != GlobalId::StorageType)
        fail("persistent id names '" + (it[1]->kind == Kind::Global ? it[1]->text : std::string(kindName(it[1]->kind))) +
             "' where a storage type belongs");
    if (it[2]->kind != Kind::String || it[2]->text.empty()) fail("persistent id has no storage key");
    if (it[3]->kind != Kind::String) fail("persistent id's location must be a string");
    auto ref = std::make_unique<StorageRef>();
    ref->dtype = it[1]->dtype;
    ref->untyped = it[1]->text.ends_with("UntypedStorage");
    ref->key = it[2]->text;
    ref->location = it[3]->text;
    ref->numel = intArg(it[4], "storage size");
    if (ref->numel < 0) fail("storage '" + ref->key + "' has a negative size");
    if (it.size() == 6 && it[5]->kind != Kind::None) {
        const Object* v = it[5];
        if (v->kind != Kind::Tuple || v->items.size() != 3 || v->items[0]->kind != Kind::String)
            fail("storage '" + ref->key + "' has malformed view metadata");
        ref->isView = true;
        ref->viewKey = v->items[0]->text;
        ref->viewOffset = intArg(v->items[1], "storage view offset");
        ref->viewSize = intArg(v->items[2], "storage view size");
        if (ref->viewOffset < 0 || ref->viewSize < 0) fail("storage '" + ref->key + "' has a negative view");
    }
    Object* o = make(Kind::Storage);
    o->storage = std::move(ref);
    u_.storages_.push_back(o->storage.get());
    return o;
}

Object* RestrictedUnpickler::Machine::rebuildTensor(const Object& args, bool v3) {
    // v2: (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    // v3: (storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[, metadata])
    const char* fn = v3 ? "_rebuild_tensor_v3" : "_rebuild_tensor_v2";
    const std::size_t minArgs = v3 ? 7 : 6;
    if (args.items.size() < minArgs || args.items.size() > minArgs + 1)
        fail(std::string(fn) + " takes " + std::to_string(minArgs) + " or " + std::to_string(minArgs + 1) +
             " arguments, not " + std::to_string(args.items.size()));
    const auto& a = args.items;
    if (a[0]->kind != Kind::Storage) fail(std::string(fn) + ": the first argument must be a storage, not " + std::string(kindName(a[0]->kind)));
    auto t = std::make_unique<TensorRef>();
    t->storage = a[0]->storage.get();
    t->dtype = t->storage->dtype;
    t->storageOffset = intArg(a[1], "storage offset");
    if (t->storageOffset < 0) fail(std::string(fn) + ": negative storage offset");
    t->shape = intTuple(a[2], "tensor size", false);
    t->stride = intTuple(a[3], "tensor stride", false);
    if (t->shape.size() != t->stride.size())
        fail(std::string(fn) + ": the size has " + std::to_string(t->shape.size()) + " dimensions but the stride " +
             std::to_string(t->stride.size()));
    if (v3) {
        if (a[6]->kind != Kind::Global || a[6]->global != GlobalId::DTypeValue)
            fail("_rebuild_tensor_v3: the dtype argument is not a supported torch dtype");
        t->dtype = a[6]->dtype;
        if (!t->storage->untyped && t->storage->dtype != t->dtype)
            fail("_rebuild_tensor_v3: a " + std::string(dtypeName(t->storage->dtype)) + " storage cannot hold " +
                 std::string(dtypeName(t->dtype)) + " elements");
    } else if (t->storage->untyped) {
        fail("_rebuild_tensor_v2 on an untyped storage (no dtype); the checkpoint is malformed");
    }
    Object* o = make(Kind::Tensor);
    o->tensor = std::move(t);
    return o;
}

Object* RestrictedUnpickler::Machine::reduce(Object* callable, Object* args) {
    if (callable->kind != Kind::Global) fail("REDUCE on a " + std::string(kindName(callable->kind)) + "; only allowed globals can be applied");
    if (args->kind != Kind::Tuple) fail("REDUCE arguments must be a tuple, not " + std::string(kindName(args->kind)));
    switch (callable->global) {
    case GlobalId::OrderedDict:
        // torch writes OrderedDict() and then fills it with SETITEMS.
        if (!args->items.empty()) fail("collections.OrderedDict with arguments is not supported");
        return make(Kind::Dict);
    case GlobalId::RebuildTensorV2: return rebuildTensor(*args, false);
    case GlobalId::RebuildTensorV3: return rebuildTensor(*args, true);
    case GlobalId::RebuildParameter:
    case GlobalId::RebuildParameterWithState: {
        // (data, requires_grad, backward_hooks[, state]): a Parameter is its data tensor.
        const std::size_t n = callable->global == GlobalId::RebuildParameter ? 3 : 4;
        if (args->items.size() != n || args->items[0]->kind != Kind::Tensor)
            fail(callable->text + " expects a tensor and " + std::to_string(n - 1) + " more arguments");
        return args->items[0];
    }
    case GlobalId::StorageType:
    case GlobalId::DTypeValue: break;
    }
    fail("'" + callable->text + "' cannot be applied; it may only appear as an argument");
}

Object* RestrictedUnpickler::Machine::run() {
    for (;;) {
        opStart_ = pos_;
        if (left() == 0) fail("the pickle ends without STOP; the file is truncated");
        const std::uint8_t op = u_.data_[pos_++];
        switch (op) {
        case 0x80: {  // PROTO
            const auto v = readLe(1, "PROTO");
            if (v > 5) fail("pickle protocol " + std::to_string(v) + " is not supported");
            break;
        }
        case 0x95:  // FRAME: a length prefix only; the data follows inline
            if (readLe(8, "FRAME") > left()) fail("FRAME is longer than the bytes left; the pickle is truncated");
            break;
        case '.': {  // STOP
            if (!marks_.empty()) fail("STOP inside an open MARK; the pickle is corrupt");
            Object* result = pop("STOP");
            return result;
        }
        case '(':  // MARK
            if (marks_.size() >= u_.limits_.maxMarks)
                fail("the pickle nests deeper than " + std::to_string(u_.limits_.maxMarks) + " marks");
            marks_.push_back(stack_.size());
            break;
        case '0': pop("POP"); break;
        case '1': popMark("POP_MARK"); break;
        case '2': push(top("DUP")); break;

        case 'N': push(u_.none_); break;
        case 0x88: push(u_.true_); break;   // NEWTRUE
        case 0x89: push(u_.false_); break;  // NEWFALSE
        case 'J': push(makeInt(static_cast<std::int32_t>(readLe(4, "BININT")))); break;
        case 'K': push(makeInt(static_cast<std::int64_t>(readLe(1, "BININT1")))); break;
        case 'M': push(makeInt(static_cast<std::int64_t>(readLe(2, "BININT2")))); break;
        case 0x8a: {  // LONG1
            const auto n = readLe(1, "LONG1");
            push(makeLong(take(n, "LONG1"), n));
            break;
        }
        case 0x8b: {  // LONG4
            const auto n = static_cast<std::int32_t>(readLe(4, "LONG4"));
            if (n < 0) fail("LONG4 has a negative length");
            push(makeLong(take(static_cast<std::size_t>(n), "LONG4"), static_cast<std::size_t>(n)));
            break;
        }
        case 'G': {  // BINFLOAT, big-endian
            const std::uint8_t* p = take(8, "BINFLOAT");
            std::uint64_t bits = 0;
            for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];
            Object* o = make(Kind::Float);
            o->real = std::bit_cast<double>(bits);
            push(o);
            break;
        }

        case 'X': {  // BINUNICODE
            const auto n = readLe(4, "BINUNICODE");
            push(makeString(take(n, "BINUNICODE"), n, Kind::String));
            break;
        }
        case 0x8c: {  // SHORT_BINUNICODE
            const auto n = readLe(1, "SHORT_BINUNICODE");
            push(makeString(take(n, "SHORT_BINUNICODE"), n, Kind::String));
            break;
        }
        case 0x8d: {  // BINUNICODE8
            const auto n = readLe(8, "BINUNICODE8");
            push(makeString(take(n, "BINUNICODE8"), n, Kind::String));
            break;
        }
        case 'T': {  // BINSTRING: Python 2 str; torch loads it as text
            const auto n = static_cast<std::int32_t>(readLe(4, "BINSTRING"));
            if (n < 0) fail("BINSTRING has a negative length");
            push(makeString(take(static_cast<std::size_t>(n), "BINSTRING"), static_cast<std::size_t>(n), Kind::String));
            break;
        }
        case 'U': {  // SHORT_BINSTRING
            const auto n = readLe(1, "SHORT_BINSTRING");
            push(makeString(take(n, "SHORT_BINSTRING"), n, Kind::String));
            break;
        }
        case 'B': {  // BINBYTES
            const auto n = readLe(4, "BINBYTES");
            push(makeString(take(n, "BINBYTES"), n, Kind::Bytes));
            break;
        }
        case 'C': {  // SHORT_BINBYTES
            const auto n = readLe(1, "SHORT_BINBYTES");
            push(makeString(take(n, "SHORT_BINBYTES"), n, Kind::Bytes));
            break;
        }
        case 0x8e: {  // BINBYTES8
            const auto n = readLe(8, "BINBYTES8");
            push(makeString(take(n, "BINBYTES8"), n, Kind::Bytes));
            break;
        }

        case '}': push(make(Kind::Dict)); break;
        case ']': push(make(Kind::List)); break;
        case ')': push(make(Kind::Tuple)); break;
        case 't': push(makeTuple(popMark("TUPLE"))); break;
        case 0x85: {  // TUPLE1
            Object* a = pop("TUPLE1");
            push(makeTuple({a}));
            break;
        }
        case 0x86: {  // TUPLE2
            Object* b = pop("TUPLE2");
            Object* a = pop("TUPLE2");
            push(makeTuple({a, b}));
            break;
        }
        case 0x87: {  // TUPLE3
            Object* c = pop("TUPLE3");
            Object* b = pop("TUPLE3");
            Object* a = pop("TUPLE3");
            push(makeTuple({a, b, c}));
            break;
        }
        case 'l': {  // LIST (protocol 0/1)
            Object* o = make(Kind::List);
            o->items = popMark("LIST");
            push(o);
            break;
        }
        case 'd': {  // DICT (protocol 0/1)
            auto items = popMark("DICT");
            if (items.size() % 2) fail("DICT with an odd number of items; the pickle is corrupt");
            Object* o = make(Kind::Dict);
            o->items = std::move(items);
            push(o);
            break;
        }

        case 'q': memoPut(readLe(1, "BINPUT"), top("BINPUT")); break;
        case 'r': memoPut(readLe(4, "LONG_BINPUT"), top("LONG_BINPUT")); break;
        case 0x94: memoPut(memo_.size(), top("MEMOIZE")); break;
        case 'h': push(memoGet(readLe(1, "BINGET"))); break;
        case 'j': push(memoGet(readLe(4, "LONG_BINGET"))); break;

        case 'c': {  // GLOBAL: "module\nname\n"
            const std::string module = readLine("GLOBAL module");
            const std::string name = readLine("GLOBAL name");
            push(global(module, name));
            break;
        }
        case 0x93: {  // STACK_GLOBAL
            Object* name = pop("STACK_GLOBAL");
            Object* module = pop("STACK_GLOBAL");
            if (module->kind != Kind::String || name->kind != Kind::String) fail("STACK_GLOBAL needs two strings");
            push(global(module->text, name->text));
            break;
        }
        case 'i': {  // INST: like GLOBAL then instantiate; name the global when refusing it
            const std::string module = readLine("INST module");
            const std::string name = readLine("INST name");
            global(module, name);
            fail("opcode INST is not supported (it instantiates classes)");
        }
        case 'R': {  // REDUCE
            Object* args = pop("REDUCE");
            Object* callable = pop("REDUCE");
            push(reduce(callable, args));
            break;
        }
        case 'b': {  // BUILD: set state on the object below
            Object* state = pop("BUILD");
            Object* target = top("BUILD");
            // state_dict() OrderedDicts carry a `_metadata` attribute (module versions) and
            // parameters may carry state; neither matters for the weights, so it is dropped.
            if (target->kind != Kind::Dict && target->kind != Kind::Tensor)
                fail("BUILD on a " + std::string(kindName(target->kind)) + " is not supported");
            (void)state;
            break;
        }
        case 'Q': {  // BINPERSID
            Object* pid = pop("BINPERSID");
            push(persistentLoad(pid));
            break;
        }

        case 'a': {  // APPEND
            Object* v = pop("APPEND");
            Object* list = top("APPEND");
            if (list->kind != Kind::List) fail("APPEND to a " + std::string(kindName(list->kind)));
            list->items.push_back(v);
            break;
        }
        case 'e': {  // APPENDS
            auto items = popMark("APPENDS");
            Object* list = top("APPENDS");
            if (list->kind != Kind::List) fail("APPENDS to a " + std::string(kindName(list->kind)));
            list->items.insert(list->items.end(), items.begin(), items.end());
            break;
        }
        case 's': {  // SETITEM
            Object* v = pop("SETITEM");
            Object* k = pop("SETITEM");
            Object* dict = top("SETITEM");
            if (dict->kind != Kind::Dict) fail("SETITEM on a " + std::string(kindName(dict->kind)));
            dict->items.push_back(k);
            dict->items.push_back(v);
            break;
        }
        case 'u': {  // SETITEMS
            auto items = popMark("SETITEMS");
            if (items.size() % 2) fail("SETITEMS with an odd number of items; the pickle is corrupt");
            Object* dict = top("SETITEMS");
            if (dict->kind != Kind::Dict) fail("SETITEMS on a " + std::string(kindName(dict->kind)));
            dict->items.insert(dict->items.end(), items.begin(), items.end());
            break;
        }

        default:
            fail("opcode " + opcodeName(op) + " is not supported in a PyTorch checkpoint");
        }
    }
}

RestrictedUnpickler::RestrictedUnpickler(const std::uint8_t* data, std::size_t size, std::string where, Limits limits)
    : data_(data), size_(data ? size : 0), where_(std::move(where)), limits_(limits) {
    none_ = make(Kind::None);
    true_ = make(Kind::Bool);
    true_->integer = 1;
    false_ = make(Kind::Bool);
}

RestrictedUnpickler::~RestrictedUnpickler() = default;

Object* RestrictedUnpickler::make(Kind kind) {
    if (arena_.size() >= limits_.maxObjects)
        throw Error(where_ + ": the pickle creates more than " + std::to_string(limits_.maxObjects) +
                    " objects; refusing it as too large");
    arena_.emplace_back();
    arena_.back().kind = kind;
    return &arena_.back();
}

const Object& RestrictedUnpickler::load(std::size_t offset, std::size_t* end) {
    if (offset > size_) throw Error(where_ + ": no pickle at byte " + std::to_string(offset) + "; the file is truncated");
    Machine m(*this, offset);
    Object* result = m.run();
    if (end) *end = m.position();
    return *result;
}

}  // namespace attnscope::pickle
