#include "CpuSupport.h"

#include <Eigen/Core>
#include <omp.h>

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

void setEngineThreads(int threads) {
    if (threads <= 0) threads = omp_get_num_procs();
    omp_set_num_threads(threads);
    Eigen::setNbThreads(threads);
}

int engineThreads() { return Eigen::nbThreads(); }

}  // namespace attnscope
