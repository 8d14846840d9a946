// runtime.cc: introspection and switches: SIMD target, thread count, build information.
#include <napi.h>

#include <string>

#include "binding/args.h"
#include "binding/families.h"
#include "common/parallel.h"
#include "cpu/cpu_features.h"

namespace bntrain::binding {
namespace {

#ifndef BNTRAIN_BUILD_SYSTEM
#define BNTRAIN_BUILD_SYSTEM "unknown"
#endif

Napi::Value SimdTargets(const Napi::CallbackInfo& info) {
  auto targets = supported_simd_targets();
  auto result = Napi::Array::New(info.Env(), targets.size());
  for (size_t i = 0; i < targets.size(); ++i) result.Set(i, simd_target_name(targets[i]));
  return result;
}

Napi::Value GetSimdTarget(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), simd_target_name(simd_target()));
}

void SetSimdTarget(const Napi::CallbackInfo& info) {
  ArgReader args(info, "setSimdTarget");
  const std::string name = args.string(0, "target");
  SimdTarget target;
  if (name == "auto") {
    target = best_simd_target();
  } else if (!parse_simd_target(name, &target)) {
    args.range_error("target must be 'scalar', 'avx2' or 'auto', received '" + name + "'");
  } else if (target > best_simd_target()) {
    args.range_error("target '" + name + "' is not supported by this CPU (best: " +
                     simd_target_name(best_simd_target()) + ")");
  }
  set_simd_target(target);
}

Napi::Value NumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), num_threads()); }

void SetNumThreads(const Napi::CallbackInfo& info) {
  ArgReader args(info, "setNumThreads");
  const int64_t threads = args.dim(0, "threads", 1);
  if (threads > 256) args.range_error("threads must be at most 256, received " + std::to_string(threads));
  set_num_threads(static_cast<int>(threads));
}

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  auto result = Napi::Object::New(info.Env());
  result.Set("buildSystem", BNTRAIN_BUILD_SYSTEM);
#if defined(__clang__)
  result.Set("compiler", std::string("clang ") + __clang_version__);
#elif defined(__GNUC__)
  result.Set("compiler", std::string("gcc ") + __VERSION__);
#else
  result.Set("compiler", "unknown");
#endif
  result.Set("napiVersion", NAPI_VERSION);
  return result;
}

}  // namespace

void RegisterRuntime(Napi::Env env, Napi::Object exports) {
  exports.Set("simdTargets", Napi::Function::New(env, SimdTargets, "simdTargets"));
  exports.Set("simdTarget", Napi::Function::New(env, GetSimdTarget, "simdTarget"));
  exports.Set("setSimdTarget", Napi::Function::New(env, SetSimdTarget, "setSimdTarget"));
  exports.Set("numThreads", Napi::Function::New(env, NumThreads, "numThreads"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo, "buildInfo"));
}

}  // namespace bntrain::binding
