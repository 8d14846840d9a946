// cpu_features.h: which SIMD code paths this CPU and OS can run, and which one the kernels use.
//
// The choice is made once, on first use, from CPUID and XGETBV (the OS must save the YMM state,
// otherwise AVX instructions fault even on a CPU that has them). BNTRAIN_SIMD=scalar|avx2 in the
// environment, or set_simd_target(), forces a path, for tests and for users chasing a bug.
#pragma once

#include <string>
#include <vector>

namespace bntrain {

enum class SimdTarget { kScalar, kAvx2 };

// Returns the target every kernel dispatches to.
SimdTarget simd_target();

// Switches the kernels to `target`. Throws std::invalid_argument if this machine cannot run it.
void set_simd_target(SimdTarget target);

// Returns the best target this machine supports (AVX2 needs AVX2, FMA and OS YMM support).
SimdTarget best_simd_target();

// Lists the targets this machine can run, scalar first.
std::vector<SimdTarget> supported_simd_targets();

const char* simd_target_name(SimdTarget target);

// Parses "scalar" or "avx2"; returns false for any other name.
bool parse_simd_target(const std::string& name, SimdTarget* target);

}  // namespace bntrain
