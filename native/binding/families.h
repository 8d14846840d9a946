// families.h: one Register* function per exported kernel family, each in its own binding file.
#pragma once

#include <napi.h>

namespace bntrain::binding {

void RegisterRuntime(Napi::Env env, Napi::Object exports);     // runtime.cc
void RegisterActivation(Napi::Env env, Napi::Object exports);  // activation.cc
void RegisterConv2d(Napi::Env env, Napi::Object exports);      // conv2d.cc
void RegisterDense(Napi::Env env, Napi::Object exports);       // dense.cc
void RegisterBatchNorm(Napi::Env env, Napi::Object exports);   // batchnorm.cc
void RegisterPool(Napi::Env env, Napi::Object exports);        // pool.cc
void RegisterLoss(Napi::Env env, Napi::Object exports);        // loss.cc
void RegisterOptim(Napi::Env env, Napi::Object exports);       // optim.cc

}  // namespace bntrain::binding
