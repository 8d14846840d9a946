// kernel_call.h: runs a kernel from a binding and reports a failed scratch allocation to
// JavaScript with the operation's name. NODE_ADDON_API_CPP_EXCEPTIONS_ALL would also convert the
// std::bad_alloc, but only with the bare text "std::bad_alloc".
#pragma once

#include <napi.h>

#include <new>
#include <string>

namespace bntrain::binding {

template <typename Kernel>
void call_kernel(Napi::Env env, const char* op, Kernel kernel) {
  try {
    kernel();
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, std::string(op) + ": not enough memory for the kernel's scratch buffers");
  }
}

}  // namespace bntrain::binding
