#include "CpuSupport.h"

#include "Error.h"

namespace attnscope {

void requireCpuSupport() {
#if defined(ATTNSCOPE_REQUIRES_AVX2) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
        throw Error("this processor lacks AVX2/FMA, which this build of AttnScope needs; "
                    "rebuild with -DATTNSCOPE_SIMD=OFF");
#endif
#if defined(ATTNSCOPE_REQUIRES_AVX512) && (defined(__x86_64__) || defined(__i386__))
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq") ||
        !__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512vl"))
        throw Error("this processor lacks AVX-512, which this build of AttnScope needs; "
                    "rebuild with -DATTNSCOPE_SIMD=AVX2");
#endif
}

}  // namespace attnscope
