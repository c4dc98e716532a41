#pragma once

namespace attnscope {

// Throws attnscope::Error when this build needs CPU features (AVX2/FMA, AVX-512) the processor
// lacks, so the user gets a message instead of an illegal-instruction crash.
void requireCpuSupport();

// How many threads the engine uses: Eigen's matrix products and its own OpenMP loops (heads,
// activations, norms). 0 = every core.
void setEngineThreads(int threads);
int engineThreads();

}  // namespace attnscope
