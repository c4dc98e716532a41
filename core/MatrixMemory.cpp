#include "MatrixMemory.h"

#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace attnscope {

void keepMatrixMemoryForReuse() {
#if defined(__GLIBC__)
    static std::once_flag once;
    std::call_once(once, [] {
        // No memory maps for large blocks (their threshold cannot go above 32 MB), and up to
        // 1 GiB of free memory kept at the heap's top rather than trimmed after each matrix.
        // The attention maps, the one allocation of gigabytes, map their own pages (ZeroedArray).
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
    });
#endif
}

}  // namespace attnscope
