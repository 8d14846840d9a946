// pool.cc: maxPool2dForward, maxPool2dBackward.
// x, dx are [N, C, H, W]; y, argmax, dy are [N, C, OH, OW]; argmax contains indices into the H×W
// plane. Outputs must not share memory with inputs.
#include <napi.h>

#include <cstdint>
#include <limits>
#include <string>

#include "binding/args.h"
#include "binding/families.h"
#include "binding/overlap.h"
#include "kernels/pool/pool.h"

namespace bntrain::binding {
namespace {

// argmax stores plane indices as int32, so a plane must have at most 2^31 − 1 elements.
void expect_plane_fits_int32(const ArgReader& args, int64_t H, int64_t W) {
  if (H * W > std::numeric_limits<int32_t>::max()) {
    args.range_error("H*W = " + std::to_string(H * W) + " exceeds 2147483647, the largest index argmax can hold");
  }
}

Pool2dGeometry read_forward_geometry(const ArgReader& args) {
  Pool2dGeometry g{};
  g.N = args.dim(3, "N", 1);
  g.C = args.dim(4, "C", 1);
  g.H = args.dim(5, "H", 1);
  g.W = args.dim(6, "W", 1);
  g.KH = args.dim(7, "KH", 1);
  g.KW = args.dim(8, "KW", 1);
  g.stride = args.dim(9, "stride", 1);
  g.pad = args.dim(10, "pad", 0);
  expect_plane_fits_int32(args, g.H, g.W);

  // pad < KH and pad < KW guarantee that every window contains at least one input element.
  if (g.pad >= g.KH || g.pad >= g.KW) {
    args.range_error("pad must be less than KH and KW, received pad = " + std::to_string(g.pad) + " with KH = " +
                     std::to_string(g.KH) + ", KW = " + std::to_string(g.KW));
  }
  if (g.KH > g.H + 2 * g.pad || g.KW > g.W + 2 * g.pad) {
    args.range_error("the " + std::to_string(g.KH) + "x" + std::to_string(g.KW) +
                     " window does not fit the padded input (H + 2*pad) x (W + 2*pad) = " +
                     std::to_string(g.H + 2 * g.pad) + "x" + std::to_string(g.W + 2 * g.pad));
  }
  g.OH = (g.H + 2 * g.pad - g.KH) / g.stride + 1;
  g.OW = (g.W + 2 * g.pad - g.KW) / g.stride + 1;
  return g;
}

void Forward(const Napi::CallbackInfo& info) {
  ArgReader args(info, "maxPool2dForward");
  const Float32Span x = args.float32(0, "x");
  const Float32Span y = args.float32(1, "y");
  const Int32Span argmax = args.int32(2, "argmax");
  const Pool2dGeometry g = read_forward_geometry(args);

  args.expect_length(x.length, checked_product({g.N, g.C, g.H, g.W}), "x", "N*C*H*W");
  const int64_t outputs = checked_product({g.N, g.C, g.OH, g.OW});
  args.expect_length(y.length, outputs, "y", "N*C*OH*OW");
  args.expect_length(argmax.length, outputs, "argmax", "N*C*OH*OW");
  expect_separate(args, {region(y, "y"), region(argmax, "argmax")}, {region(x, "x")});

  max_pool2d_forward(x.data, y.data, argmax.data, g);
}

// Checks every argmax before dx is touched: a bad index must never write outside its plane.
void expect_argmax_in_plane(const ArgReader& args, const Int32Span& argmax, int64_t plane) {
  for (int64_t i = 0; i < argmax.length; ++i) {
    const int32_t index = argmax.data[i];
    if (index < 0 || index >= plane) {
      args.range_error("argmax[" + std::to_string(i) + "] = " + std::to_string(index) + " is outside [0, H*W) = [0, " +
                       std::to_string(plane) + ")");
    }
  }
}

void Backward(const Napi::CallbackInfo& info) {
  ArgReader args(info, "maxPool2dBackward");
  const Float32Span dy = args.float32(0, "dy");
  const Int32Span argmax = args.int32(1, "argmax");
  const Float32Span dx = args.float32(2, "dx");
  Pool2dGeometry g{};
  g.N = args.dim(3, "N", 1);
  g.C = args.dim(4, "C", 1);
  g.H = args.dim(5, "H", 1);
  g.W = args.dim(6, "W", 1);
  g.OH = args.dim(7, "OH", 1);
  g.OW = args.dim(8, "OW", 1);
  expect_plane_fits_int32(args, g.H, g.W);

  const int64_t outputs = checked_product({g.N, g.C, g.OH, g.OW});
  args.expect_length(dy.length, outputs, "dy", "N*C*OH*OW");
  args.expect_length(argmax.length, outputs, "argmax", "N*C*OH*OW");
  args.expect_length(dx.length, checked_product({g.N, g.C, g.H, g.W}), "dx", "N*C*H*W");
  expect_separate(args, {region(dx, "dx")}, {region(dy, "dy"), region(argmax, "argmax")});
  expect_argmax_in_plane(args, argmax, g.H * g.W);

  max_pool2d_backward(dy.data, argmax.data, dx.data, g);
}

}  // namespace

void RegisterPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool2dForward", Napi::Function::New(env, Forward, "maxPool2dForward"));
  exports.Set("maxPool2dBackward", Napi::Function::New(env, Backward, "maxPool2dBackward"));
}

}  // namespace bntrain::binding
