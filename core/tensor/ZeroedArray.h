#pragma once
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include <sys/mman.h>

namespace attnscope {

// An array of n zeros whose memory exists only once it is written. A long input's attention
// takes gigabytes: a large array is an anonymous memory map of its own, whose pages the system
// gives out zeroed on first write (by the threads that store the maps) and takes back when the
// array goes; a small one comes from calloc. std::vector's fill wrote every byte once more on
// one thread first (4.5% of a 4096-token forward, measured with perf). T must be a type whose
// zero bytes are 0.
template <typename T>
class ZeroedArray {
public:
    ZeroedArray() = default;
    ZeroedArray(const ZeroedArray& other) { *this = other; }
    ZeroedArray(ZeroedArray&& other) noexcept { swap(other); }
    ZeroedArray& operator=(ZeroedArray&& other) noexcept {
        swap(other);
        return *this;
    }
    ZeroedArray& operator=(const ZeroedArray& other) {
        if (this == &other) return *this;
        reset(other.size_);
        if (size_) std::memcpy(data_, other.data_, size_ * sizeof(T));
        return *this;
    }
    ~ZeroedArray() { release(); }

    void reset(std::size_t n) {
        release();
        if (n == 0) return;
        const std::size_t bytes = n * sizeof(T);
        if (bytes >= kOwnMapBytes) {
            void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) throw std::bad_alloc();
            data_ = static_cast<T*>(p);
            mapped_ = true;
        } else {
            data_ = static_cast<T*>(std::calloc(n, sizeof(T)));
            if (!data_) throw std::bad_alloc();
        }
        size_ = n;
    }
    T* data() { return data_; }
    const T* data() const { return data_; }
    std::size_t size() const { return size_; }
    T& operator[](std::size_t i) { return data_[i]; }
    const T& operator[](std::size_t i) const { return data_[i]; }

private:
    static constexpr std::size_t kOwnMapBytes = std::size_t(32) << 20;

    void release() {
        if (data_) {
            if (mapped_) munmap(data_, size_ * sizeof(T));
            else std::free(data_);
        }
        data_ = nullptr;
        size_ = 0;
        mapped_ = false;
    }
    void swap(ZeroedArray& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        std::swap(mapped_, other.mapped_);
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
    bool mapped_ = false;
};

}  // namespace attnscope
