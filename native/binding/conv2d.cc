// conv2d.cc: conv2dForward, conv2dBackwardData, conv2dBackwardFilter.
// Arguments: three Float32Arrays, then N, C, H, W, K, KH, KW, stride, pad. Outputs are
// overwritten and must not share memory with the inputs.
#include <napi.h>

#include <string>

#include "binding/args.h"
#include "binding/families.h"
#include "binding/overlap.h"
#include "binding/kernel_call.h"
#include "kernels/conv2d/conv2d.h"

namespace bntrain::binding {
namespace {

// Reads the nine dimensions that follow the arrays and derives OH and OW.
Conv2dShape read_shape(const ArgReader& args) {
  Conv2dShape s;
  s.N = args.dim(3, "N", 1);
  s.C = args.dim(4, "C", 1);
  s.H = args.dim(5, "H", 1);
  s.W = args.dim(6, "W", 1);
  s.K = args.dim(7, "K", 1);
  s.KH = args.dim(8, "KH", 1);
  s.KW = args.dim(9, "KW", 1);
  s.stride = args.dim(10, "stride", 1);
  s.pad = args.dim(11, "pad", 0);

  const int64_t padded_h = s.H + 2 * s.pad;
  const int64_t padded_w = s.W + 2 * s.pad;
  if (s.KH > padded_h || s.KW > padded_w) {
    args.range_error("kernel " + std::to_string(s.KH) + "x" + std::to_string(s.KW) +
                     " is larger than the padded input " + std::to_string(padded_h) + "x" +
                     std::to_string(padded_w) + " (H + 2*pad by W + 2*pad)");
  }
  s.OH = conv2d_output_size(s.H, s.KH, s.stride, s.pad);
  s.OW = conv2d_output_size(s.W, s.KW, s.stride, s.pad);
  return s;
}

void expect_image(const ArgReader& args, const Float32Span& x, const Conv2dShape& s, const char* name) {
  args.expect_length(x.length, checked_product({s.N, s.C, s.H, s.W}), name, "N*C*H*W");
}

void expect_filter(const ArgReader& args, const Float32Span& w, const Conv2dShape& s, const char* name) {
  args.expect_length(w.length, checked_product({s.K, s.C, s.KH, s.KW}), name, "K*C*KH*KW");
}

void expect_output(const ArgReader& args, const Float32Span& y, const Conv2dShape& s, const char* name) {
  args.expect_length(y.length, checked_product({s.N, s.K, s.OH, s.OW}), name, "N*K*OH*OW");
}

// (x, w, y, ...): y = conv(x, w)
void Conv2dForward(const Napi::CallbackInfo& info) {
  ArgReader args(info, "conv2dForward");
  const Float32Span x = args.float32(0, "x");
  const Float32Span w = args.float32(1, "w");
  const Float32Span y = args.float32(2, "y");
  const Conv2dShape s = read_shape(args);
  expect_image(args, x, s, "x");
  expect_filter(args, w, s, "w");
  expect_output(args, y, s, "y");
  expect_separate(args, {region(y, "y")}, {region(x, "x"), region(w, "w")});
  call_kernel(args.env(), "conv2dForward", [&] { conv2d_forward(s, x.data, w.data, y.data); });
}

// (dy, w, dx, ...): dx = gradient of sum(dy * y) with respect to x
void Conv2dBackwardData(const Napi::CallbackInfo& info) {
  ArgReader args(info, "conv2dBackwardData");
  const Float32Span dy = args.float32(0, "dy");
  const Float32Span w = args.float32(1, "w");
  const Float32Span dx = args.float32(2, "dx");
  const Conv2dShape s = read_shape(args);
  expect_output(args, dy, s, "dy");
  expect_filter(args, w, s, "w");
  expect_image(args, dx, s, "dx");
  expect_separate(args, {region(dx, "dx")}, {region(dy, "dy"), region(w, "w")});
  call_kernel(args.env(), "conv2dBackwardData", [&] { conv2d_backward_data(s, dy.data, w.data, dx.data); });
}

// (x, dy, dw, ...): dw = gradient of sum(dy * y) with respect to w, summed over the batch
void Conv2dBackwardFilter(const Napi::CallbackInfo& info) {
  ArgReader args(info, "conv2dBackwardFilter");
  const Float32Span x = args.float32(0, "x");
  const Float32Span dy = args.float32(1, "dy");
  const Float32Span dw = args.float32(2, "dw");
  const Conv2dShape s = read_shape(args);
  expect_image(args, x, s, "x");
  expect_output(args, dy, s, "dy");
  expect_filter(args, dw, s, "dw");
  expect_separate(args, {region(dw, "dw")}, {region(x, "x"), region(dy, "dy")});
  call_kernel(args.env(), "conv2dBackwardFilter", [&] { conv2d_backward_filter(s, x.data, dy.data, dw.data); });
}

}  // namespace

void RegisterConv2d(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, Conv2dForward, "conv2dForward"));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, Conv2dBackwardData, "conv2dBackwardData"));
  exports.Set("conv2dBackwardFilter", Napi::Function::New(env, Conv2dBackwardFilter, "conv2dBackwardFilter"));
}

}  // namespace bntrain::binding
