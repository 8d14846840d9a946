#include "cpu/cpu_features.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define BNTRAIN_X86 1
#endif

namespace bntrain {
namespace {

bool cpu_has_avx2_fma() {
#ifdef BNTRAIN_X86
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  const bool fma = ecx & (1u << 12);
  const bool osxsave = ecx & (1u << 27);
  const bool avx = ecx & (1u << 28);
  if (!fma || !osxsave || !avx) return false;

  // XCR0 bits 1 and 2: the OS saves SSE and YMM registers on context switches.
  uint32_t xcr0_low = 0, xcr0_high = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
  if ((xcr0_low & 0x6u) != 0x6u) return false;

  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  return ebx & (1u << 5);
#else
  return false;
#endif
}

SimdTarget initial_target() {
  SimdTarget target = best_simd_target();
  const char* forced = std::getenv("BNTRAIN_SIMD");
  SimdTarget requested;
  // An unknown or unsupported name is ignored here; the JS loader reports it to the user.
  if (forced && parse_simd_target(forced, &requested) && requested <= target) target = requested;
  return target;
}

std::atomic<int>& active_target() {
  static std::atomic<int> active{static_cast<int>(initial_target())};
  return active;
}

}  // namespace

SimdTarget best_simd_target() {
  static const SimdTarget best = cpu_has_avx2_fma() ? SimdTarget::kAvx2 : SimdTarget::kScalar;
  return best;
}

SimdTarget simd_target() { return static_cast<SimdTarget>(active_target().load(std::memory_order_relaxed)); }

void set_simd_target(SimdTarget target) {
  if (target > best_simd_target()) {
    throw std::invalid_argument(std::string("SIMD target ") + simd_target_name(target) +
                                " is not supported by this CPU");
  }
  active_target().store(static_cast<int>(target), std::memory_order_relaxed);
}

std::vector<SimdTarget> supported_simd_targets() {
  std::vector<SimdTarget> targets{SimdTarget::kScalar};
  if (best_simd_target() >= SimdTarget::kAvx2) targets.push_back(SimdTarget::kAvx2);
  return targets;
}

const char* simd_target_name(SimdTarget target) {
  switch (target) {
    case SimdTarget::kScalar:
      return "scalar";
    case SimdTarget::kAvx2:
      return "avx2";
  }
  return "unknown";
}

bool parse_simd_target(const std::string& name, SimdTarget* target) {
  if (name == "scalar") {
    *target = SimdTarget::kScalar;
    return true;
  }
  if (name == "avx2") {
    *target = SimdTarget::kAvx2;
    return true;
  }
  return false;
}

}  // namespace bntrain
